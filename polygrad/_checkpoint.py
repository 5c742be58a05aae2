"""``checkpoint``: recompute a function's forward pass during the backward pass.

Imports array, args, trace, reverse and the operators' ``vjp``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from . import _debug
from ._args import check_callable
from ._array import Array
from ._operators import vjp
from ._reverse import (TAPE_LEAF, DifferentiationError, Node, RecordTrace, ReverseTrace,
                       _recording, _tape_leaf)
from ._trace import bind
from ._util import describe

__all__ = ["checkpoint"]


def checkpoint(fun: Callable) -> Callable:
    """Return ``fun`` that, under reverse mode, stores only its inputs and output and recomputes
    its intermediate values during the backward pass (trading time for memory).

    Derivatives flow to everything ``fun`` reads: its arguments and the arrays it closes over
    (a weight of the enclosing function, an array with ``attach_grad()``), to any order.
    ``fun`` must read the same arrays when it runs again, and must not assign into arrays it
    closes over; otherwise the backward pass raises ``DifferentiationError``.

    Examples
    --------
    >>> import polygrad as pg, polygrad.numpy as np
    >>> f = pg.checkpoint(lambda x: np.sin(np.sin(x)))
    >>> round(float(pg.grad(f)(0.5)), 6) == round(float(np.cos(np.sin(0.5)) * np.cos(0.5)), 6)
    True
    >>> float(pg.grad(lambda w: pg.checkpoint(lambda x: x * w)(w))(3.0))   # w closed over
    6.0
    """
    check_callable("checkpoint", fun)
    name = getattr(fun, "__name__", "fun")

    @functools.wraps(fun)
    def checkpointed(*args: Any) -> Any:
        top = _reverse_trace_of(args)
        if top is None or top in _windows:   # not differentiated, or inside fun's own run
            return fun(*args)
        primals, parents = list(args), []
        for i, a in enumerate(args):
            if type(a) is Array:
                if a._trace is top:
                    primals[i] = a._v
                    parents.append((i, a._aux))
                elif a._trace is TAPE_LEAF and _recording.get() is top:
                    primals[i], node = _tape_leaf(a, top)
                    parents.append((i, node))
        window = _Window(top, name)
        with window.open():
            out = fun(*primals)
        if type(out) is not Array:
            raise TypeError(f"polygrad.checkpoint: {name} must return one Array, got "
                            f"{describe(out)}")
        t = out._trace
        if t is top or t is TAPE_LEAF:   # fun returned an array it closes over
            return out
        if t is not None and t.active and t.level > top.level:
            # fun closes over a tracer of a derivative taken inside the one of its arguments:
            # recording it as one node of ``top`` would be wrong, so it is recorded unsaved
            return fun(*args)
        window.check_unchanged()
        n = len(args)
        for k, (_, p, node) in enumerate(window.read):
            primals.append(p)
            parents.append((n + k, node))
        rules = _RecomputeRules(fun, name, top, n, [a for a, _, _ in window.read],
                                tuple(i for i, _ in parents))
        node = Node(_Recompute(name, rules), tuple(primals), {}, out, tuple(parents))
        if _debug.ON and _debug.enabled():
            node.site = _debug.call_site()
        return Array(out, out._backend, top, node)
    return checkpointed


def _reverse_trace_of(args: tuple) -> ReverseTrace | None:
    """The innermost active trace among ``args`` if it is a reverse one (``grad``, ``record``)."""
    top = None
    for a in args:
        if type(a) is Array and a._trace is not None and a._trace.active and \
                (top is None or a._trace.level > top.level):
            top = a._trace
    if top is TAPE_LEAF:
        top = _recording.get()
    return top if isinstance(top, ReverseTrace) else None


class _Recompute:
    """The rule-holder of one ``checkpoint`` call: its VJP re-runs the function."""

    nondiff = False
    multiple_results = False
    broadcasts = False

    def __init__(self, name: str, rules: _RecomputeRules) -> None:
        self.name = f"checkpoint({name})"
        self.vjps = rules   # holds no reference back: no cycle for the GC


class _RecomputeRules:
    """``vjps[i]``: the cotangent of input ``i`` of the node — the function's arguments, then
    the arrays it closed over — all of them computed by one re-run."""

    def __init__(self, fun: Callable, name: str, trace: ReverseTrace, nargs: int,
                 closures: list, diff: tuple) -> None:
        self.fun, self.name, self.trace = fun, name, trace
        self.nargs, self.closures, self.diff = nargs, closures, diff
        self._cache: tuple | None = None

    def cotangents(self, g: Any, args: tuple) -> dict:
        cache = self._cache
        if cache is None or cache[0] is not g:
            n, diff = self.nargs, self.diff

            substitutes: dict[int, Any] = {}

            def rerun(*xs: Any) -> Any:
                full = list(args[:n])
                for i, x in zip(diff, xs):
                    if i < n:
                        full[i] = x
                    else:
                        substitutes[id(self.closures[i - n])] = x
                return self.fun(*full)
            # open over the backward pass too: a checkpoint inside fun re-runs there, reading
            # the same arrays
            with _Window(self.trace, self.name, substitutes).open():
                _, pull = vjp(rerun, *(args[i] for i in diff))
                cache = self._cache = (g, dict(zip(diff, pull(g))))
        return cache[1]

    def __len__(self) -> int:
        return 1 << 30

    def __getitem__(self, i: int) -> Callable:
        return lambda g, ans, *args: self.cotangents(g, args)[i]


# -- the arrays a checkpointed function closes over --------------------------------------------
# While ``fun`` runs — forward with its arguments' values, or again in the backward pass — the
# reverse trace ``top`` of its arguments has its ``intercept`` hook set to the window's: each
# primitive that reads one of top's tracers (or an ``attach_grad()`` array recording on top)
# reaches top's ``process``, since a trace hands the arguments that are not its own to the next
# one down, and ``process`` hands it to the hook. There the array is noted and replaced by its
# value (forward), or by the leaf of the re-run's ``vjp`` that stands for it (backward). So the
# node of the call has every array ``fun`` reads as a parent.
_windows: dict[ReverseTrace, _Window] = {}
_ABOVE_ALL = float("inf")


class _Window:
    """One run of a checkpointed function over ``trace``: the arrays it read, in order."""

    def __init__(self, trace: ReverseTrace, name: str, substitutes: dict | None = None) -> None:
        self.trace, self.name = trace, name
        self.read: list[tuple[Array, Any, Node]] = []    # (array, its value, its node)
        self.substitutes = substitutes   # the backward pass's re-run: id(array) -> stand-in
        self.values: dict[int, Any] = {} if substitutes is None else substitutes

    def value_of(self, a: Array) -> Any:
        value = self.values.get(id(a))
        if value is not None:
            return value
        if self.substitutes is not None:
            raise DifferentiationError(
                f"polygrad.checkpoint: recomputed in the backward pass, {self.name} read an "
                f"array of shape {a.shape} that it did not read the first time (a variable it "
                f"closes over was reassigned, or it depends on state); a checkpointed function "
                f"must read the same arrays each time it runs")
        value, node = _tape_leaf(a, self.trace) if a._trace is TAPE_LEAF else (a._v, a._aux)
        self.read.append((a, value, node))
        self.values[id(a)] = value
        return value

    def check_unchanged(self) -> None:
        for a, _, node in self.read:
            if a._trace is TAPE_LEAF or (a._trace is self.trace and a._aux is node):
                continue
            raise DifferentiationError(
                f"polygrad.checkpoint: {self.name} writes into an array it closes over (shape "
                f"{a.shape}); a checkpointed function's derivative cannot follow that. Pass the "
                f"array as an argument and return its new value")

    def intercept(self, prim: Any, args: tuple, params: dict) -> Any:
        """The trace's ``process`` while the window is open: the arrays of the trace that
        ``prim`` reads replaced by their values (noted) or stand-ins, then bound again."""
        trace = self.trace
        args = tuple(self.value_of(a) if type(a) is Array and (
            a._trace is trace or (a._trace is TAPE_LEAF and _recording.get() is trace)) else a
            for a in args)
        return bind(prim, args, params)

    @contextmanager
    def open(self) -> Iterator[None]:
        trace = self.trace
        hook, active, level = trace.intercept, trace.active, trace.level
        token = _recording.set(trace) if type(trace) is RecordTrace else None
        _windows[trace] = self
        trace.intercept = self.intercept
        trace.active = True   # in the backward pass, the trace has ended
        if self.substitutes is not None:
            # the stand-ins are tracers of the re-run's vjp, or of traces begun inside it: the
            # trace comes above every trace, to replace its own tracers before any sees them
            trace.level = _ABOVE_ALL
        try:
            yield
        finally:
            trace.intercept = hook
            trace.active, trace.level = active, level
            del _windows[trace]
            if token is not None:
                _recording.reset(token)
