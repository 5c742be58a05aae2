"""``checkpoint``: recompute a function's forward pass during the backward pass.

Imports array, args, reverse and the operators' ``vjp``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from . import _debug
from ._args import check_callable
from ._array import Array
from ._operators import vjp
from ._util import describe

__all__ = ["checkpoint"]


class _Recompute:
    """The rule-holder of one ``checkpoint`` call: its VJP re-runs the function."""

    nondiff = False
    multiple_results = False
    broadcasts = False

    def __init__(self, fun: Callable, name: str) -> None:
        self.name = f"checkpoint({name})"
        self.kernels: dict = {}
        self.vjps = _RecomputeRules(fun)   # holds no reference back: no cycle for the GC


class _RecomputeRules:
    """``vjps[i]``: the cotangent of argument ``i``, all of them computed by one re-run."""

    def __init__(self, fun: Callable) -> None:
        self.fun = fun
        self._cache: tuple | None = None

    def cotangents(self, g: Any, args: tuple) -> tuple:
        cache = self._cache
        if cache is None or cache[0] is not g:
            _, pull = vjp(self.fun, *args)
            cache = self._cache = (g, pull(g))
        return cache[1]

    def __len__(self) -> int:
        return 1 << 30

    def __getitem__(self, i: int) -> Callable:
        return lambda g, ans, *args: self.cotangents(g, args)[i]


def checkpoint(fun: Callable) -> Callable:
    """Return ``fun`` that, under reverse mode, stores only its inputs and output and recomputes
    its intermediate values during the backward pass (trading time for memory).

    Examples
    --------
    >>> import polygrad as pg, polygrad.numpy as np
    >>> f = pg.checkpoint(lambda x: np.sin(np.sin(x)))
    >>> round(float(pg.grad(f)(0.5)), 6) == round(float(np.cos(np.sin(0.5)) * np.cos(0.5)), 6)
    True
    """
    from ._reverse import Node, ReverseTrace

    check_callable("checkpoint", fun)
    name = getattr(fun, "__name__", "fun")

    @functools.wraps(fun)
    def checkpointed(*args: Any) -> Any:
        top = None
        for a in args:
            if type(a) is Array and a._trace is not None and a._trace.active and \
                    (top is None or a._trace.level > top.level):
                top = a._trace
        if not isinstance(top, ReverseTrace):
            return fun(*args)
        primals = tuple(a._v if type(a) is Array and a._trace is top else a for a in args)
        out = fun(*primals)
        if type(out) is not Array:
            raise TypeError(f"polygrad.checkpoint: {name} must return one Array, got "
                            f"{describe(out)}")
        parents = tuple((i, a._aux) for i, a in enumerate(args)
                        if type(a) is Array and a._trace is top)
        node = Node(_Recompute(fun, name), primals, {}, out, parents)
        if _debug.ON and _debug.enabled():
            node.site = _debug.call_site()
        return Array(out, out._backend, top, node)
    return checkpointed
