"""``custom_vjp`` and ``custom_jvp``: user-defined derivative rules for a whole function, with
JAX's semantics (``f.defvjp(fwd, bwd)``, ``f.defjvp(jvp)``, ``nondiff_argnums``).

A call under a derivative trace runs the function one level down, on its arguments' values, and
records one node (reverse mode) or one tangent (forward mode) whose rule is the user's. A
``custom_jvp`` function differentiated in reverse mode gets its VJP by transposing the JVP rule,
which is linear in the tangents: the reverse pass of ``t ↦ jvp(primals, t)[1]``.

Imports util, array, trace, reverse, forward and the operators' ``vjp``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from ._array import Array
from ._backend import use_backend
from ._convert import asarray
from ._ops import zeros_like
from ._forward import ForwardTrace
from ._operators import vjp
from ._reverse import (TAPE_LEAF, DifferentiationError, Node, ReverseTrace, _recording, _select,
                       _tape_leaf)
from ._util import describe, tree_flatten, tree_unflatten

__all__ = ["custom_vjp", "custom_jvp"]


def _innermost(leaves: list) -> Any:
    """The innermost active trace among ``leaves`` (an ``attach_grad()`` array's is the active
    ``record()``), or None."""
    top = None
    for a in leaves:
        if type(a) is Array and a._trace is not None and a._trace.active:
            t = _recording.get() if a._trace is TAPE_LEAF else a._trace
            if top is None or t.level > top.level:
                top = t
    return top


def _unbox(a: Any, top: Any) -> tuple[Any, Any]:
    """``a``'s value one level below ``top`` and its bookkeeping there (node, tangent), or
    ``(a, None)`` when ``a`` is not ``top``'s."""
    if type(a) is Array:
        if a._trace is top:
            return a._v, a._aux
        if a._trace is TAPE_LEAF and isinstance(top, ReverseTrace) and _recording.get() is top:
            return _tape_leaf(a, top)
    return a, None


class _Custom:
    """What ``custom_vjp`` and ``custom_jvp`` share: the wrapped function and its arguments."""

    kind = ""

    def __init__(self, fun: Callable, nondiff_argnums: tuple = ()) -> None:
        if not callable(fun):
            raise TypeError(f"polygrad.{self.kind}: expected a function, got {describe(fun)}")
        functools.update_wrapper(self, fun)
        self.fun = fun
        self.nondiff_argnums = tuple(sorted(set(nondiff_argnums)))
        self.name = getattr(fun, "__name__", "fun")

    def _split(self, args: tuple) -> tuple[list, list, Any]:
        """(the nondiff arguments, the leaves of the others, their structure)."""
        for i in self.nondiff_argnums:
            if i >= len(args):
                raise TypeError(f"polygrad.{self.kind}: {self.name} was given {len(args)} "
                                f"arguments, but nondiff_argnums names argument {i}")
        nondiff = [args[i] for i in self.nondiff_argnums]
        leaves, structure = tree_flatten([a for i, a in enumerate(args)
                                          if i not in self.nondiff_argnums])
        return nondiff, leaves, structure

    def _join(self, nondiff: list, diff: list) -> tuple:
        """The full argument tuple from the nondiff arguments and the others, in order."""
        out, nd, d = [], iter(nondiff), iter(diff)
        for i in range(len(nondiff) + len(diff)):
            out.append(next(nd) if i in self.nondiff_argnums else next(d))
        return tuple(out)

    def _closure_check(self, top: Any, values: Any, what: str) -> None:
        for leaf in tree_flatten(values)[0]:
            if type(leaf) is Array and (leaf._trace is top or leaf._trace is TAPE_LEAF):
                raise DifferentiationError(
                    f"polygrad.{self.kind}: {self.name}'s {what} depends on an array being "
                    f"differentiated that is not one of its arguments (a variable it closes "
                    f"over); a custom rule only covers the explicit arguments. Pass that array "
                    f"as an argument")

    def _record(self, top: ReverseTrace, rules: Any, primals: list, parents: list,
                out: Any) -> Any:
        """One node of ``top`` for the call, its output ``out`` (a tree of Arrays)."""
        out_leaves, out_structure = tree_flatten(out)
        for o in out_leaves:
            if type(o) is not Array:
                raise TypeError(f"polygrad.{self.kind}: {self.name} must return Arrays (or a "
                                f"tree of them), got {describe(o)}")
        many = not (len(out_leaves) == 1 and out_structure is None)
        prim = _Rules(f"{self.kind}({self.name})", rules, many)
        node = Node(prim, tuple(primals), {}, tuple(out_leaves) if many else out_leaves[0],
                    tuple(parents))
        if not many:
            return Array(out_leaves[0], out_leaves[0]._backend, top, node)
        n = len(out_leaves)
        boxed = [Array(o, o._backend, top, Node(_select, (j, n), {}, o, ((0, node),)))
                 for j, o in enumerate(out_leaves)]
        return tree_unflatten(out_structure, boxed)


class _Rules:
    """The primitive-like rule holder of one recorded call: ``vjps[i]`` is leaf ``i``'s rule."""

    nondiff = False
    broadcasts = False

    def __init__(self, name: str, vjps: Any, many: bool) -> None:
        self.name = name
        self.vjps = vjps
        self.multiple_results = many


class _CachedCotangents:
    """``vjps[i]`` of a recorded call: all cotangents come from one user-rule call per ``g``."""

    def __init__(self, compute: Callable[[Any], list]) -> None:
        self.compute = compute
        self._cache: tuple | None = None

    def __len__(self) -> int:
        return 1 << 30

    def __getitem__(self, i: int) -> Callable:
        def rule(g: Any, ans: Any, *args: Any) -> Any:
            cache = self._cache
            if cache is None or cache[0] is not g:
                cache = self._cache = (g, self.compute(g))
            return cache[1][i]
        return rule


def _cotangent_leaves(kind: str, name: str, cotangents: Any, structure: Any,
                      primals: list) -> list:
    """The user's cotangents (one tree per differentiable argument) checked and flattened."""
    args_structure = structure[1]     # the differentiable arguments are flattened as a list
    if not isinstance(cotangents, (tuple, list)) or len(cotangents) != len(args_structure):
        raise TypeError(f"polygrad.{kind}: {name}'s bwd must return a tuple with one cotangent "
                        f"per differentiable argument ({len(args_structure)}), got "
                        f"{describe(cotangents)}")
    leaves = []
    for k, (c, s) in enumerate(zip(cotangents, args_structure)):
        if c is None:
            leaves.extend([None] * _count(s))
            continue
        c_leaves, c_structure = tree_flatten(c)
        if c_structure != s:
            raise TypeError(f"polygrad.{kind}: {name}'s bwd returned, for argument {k}, "
                            f"{describe(c)}, which is not structured like that argument")
        leaves.extend(c_leaves)
    out = []
    for j, (c, p) in enumerate(zip(leaves, primals)):
        if c is None or type(p) is not Array:
            out.append(None)
            continue
        if type(c) is not Array:
            with use_backend(p._backend):
                c = asarray(c, dtype=p.dtype)
        if c.shape != p.shape:
            raise DifferentiationError(
                f"polygrad.{kind}: {name}'s bwd returned a cotangent of shape {c.shape} for an "
                f"input of shape {p.shape} (leaf {j} of its differentiable arguments); a "
                f"cotangent has its input's shape")
        out.append(c)
    return out


def _count(structure: Any) -> int:
    if structure is None:
        return 1
    children = structure[2] if structure[0] is dict else structure[1]
    return sum(_count(c) for c in children)


class custom_vjp(_Custom):  # noqa: N801 (JAX's name)
    """A function with a user-defined reverse-mode derivative (JAX's ``custom_vjp``).

    ``f.defvjp(fwd, bwd)``: ``fwd(*args) -> (out, residuals)``; ``bwd(*nondiff_args, residuals,
    g) -> tuple`` of one cotangent per differentiable argument (None for zero). Under ``grad``,
    ``vjp``, the tape, ``hessian`` (forward over reverse) and any order, the derivative is
    ``bwd``'s; ``bwd`` written with ``polygrad.numpy`` differentiates again. Forward mode applied
    to the function itself (``jvp``) raises: define a ``custom_jvp`` for that.

    Examples
    --------
    >>> import polygrad as pg, polygrad.numpy as np
    >>> @pg.custom_vjp
    ... def clip_gradient(x):
    ...     return x
    >>> clip_gradient.defvjp(lambda x: (x, None), lambda res, g: (np.clip(g, -1.0, 1.0),))
    >>> float(pg.grad(lambda x: 5.0 * clip_gradient(x))(2.0))
    1.0
    """

    kind = "custom_vjp"

    def __init__(self, fun: Callable, nondiff_argnums: tuple = ()) -> None:
        super().__init__(fun, nondiff_argnums)
        self.fwd: Callable | None = None
        self.bwd: Callable | None = None

    def defvjp(self, fwd: Callable, bwd: Callable) -> None:
        """Set the forward function (returning ``(out, residuals)``) and the backward one."""
        for what, f in (("fwd", fwd), ("bwd", bwd)):
            if not callable(f):
                raise TypeError(f"polygrad.custom_vjp.defvjp: {what} must be a function, got "
                                f"{describe(f)}")
        self.fwd, self.bwd = fwd, bwd

    def __call__(self, *args: Any) -> Any:
        if self.fwd is None:
            raise TypeError(f"polygrad.custom_vjp: {self.name} has no rule yet; call "
                            f"{self.name}.defvjp(fwd, bwd) before using it")
        nondiff, leaves, structure = self._split(args)
        top = _innermost(leaves)
        if top is None:
            return self.fun(*args)
        if isinstance(top, ForwardTrace):
            raise DifferentiationError(
                f"polygrad.custom_vjp: {self.name} has a custom VJP only, and forward mode "
                f"(jvp, jacfwd) was applied to it; define it with pg.custom_jvp, or take the "
                f"derivative in reverse mode (grad, vjp)")
        if not isinstance(top, ReverseTrace):
            return self.fun(*args)
        primals, parents = [], []
        for k, a in enumerate(leaves):
            p, node = _unbox(a, top)
            primals.append(p)
            if node is not None:
                parents.append((k, node))
        result = self.fwd(*self._join(nondiff, tree_unflatten(structure, primals)))
        if not isinstance(result, tuple) or len(result) != 2:
            raise TypeError(f"polygrad.custom_vjp: {self.name}'s fwd must return a pair "
                            f"(out, residuals), got {describe(result)}")
        out, residuals = result
        self._closure_check(top, out, "output (from fwd)")
        self._closure_check(top, residuals, "residuals (from fwd)")
        out_structure = tree_flatten(out)[1]
        bwd, name = self.bwd, self.name

        def cotangents(g: Any) -> list:
            g_tree = tree_unflatten(out_structure, list(g) if type(g) is tuple else [g])
            return _cotangent_leaves("custom_vjp", name, bwd(*nondiff, residuals, g_tree),
                                     structure, primals)
        return self._record(top, _CachedCotangents(cotangents), primals, parents, out)


class custom_jvp(_Custom):  # noqa: N801 (JAX's name)
    """A function with a user-defined forward-mode derivative (JAX's ``custom_jvp``).

    ``f.defjvp(rule)``: ``rule(*nondiff_args, primals, tangents) -> (out, tangent_out)``, with
    ``primals`` and ``tangents`` tuples of the differentiable arguments. Forward mode uses the
    rule; reverse mode transposes it (it is linear in the tangents), so ``grad`` works too.

    Examples
    --------
    >>> import polygrad as pg, polygrad.numpy as np
    >>> @pg.custom_jvp
    ... def log1pexp(x):
    ...     return np.log1p(np.exp(x))
    >>> @log1pexp.defjvp
    ... def log1pexp_jvp(primals, tangents):
    ...     (x,), (t,) = primals, tangents
    ...     return log1pexp(x), t * (1 - 1 / (1 + np.exp(x)))
    >>> float(pg.grad(log1pexp)(1000.0))   # the plain composition's derivative is NaN here
    1.0
    """

    kind = "custom_jvp"

    def __init__(self, fun: Callable, nondiff_argnums: tuple = ()) -> None:
        super().__init__(fun, nondiff_argnums)
        self.rule: Callable | None = None

    def defjvp(self, jvp: Callable) -> Callable:
        """Set the JVP rule; returns it, so ``@f.defjvp`` works as a decorator."""
        if not callable(jvp):
            raise TypeError(f"polygrad.custom_jvp.defjvp: the rule must be a function, got "
                            f"{describe(jvp)}")
        self.rule = jvp
        return jvp

    def __call__(self, *args: Any) -> Any:
        if self.rule is None:
            raise TypeError(f"polygrad.custom_jvp: {self.name} has no rule yet; call "
                            f"{self.name}.defjvp(rule) before using it")
        nondiff, leaves, structure = self._split(args)
        top = _innermost(leaves)
        if top is None or not isinstance(top, (ForwardTrace, ReverseTrace)):
            return self.fun(*args)
        primals, boxes = [], []
        for a in leaves:
            p, aux = _unbox(a, top)
            primals.append(p)
            boxes.append(aux)
        if isinstance(top, ForwardTrace):
            return self._forward(top, nondiff, structure, primals, boxes)
        return self._reverse(top, nondiff, structure, primals, boxes)

    def _zero(self, p: Any) -> Any:
        if type(p) is Array:
            with use_backend(p._backend):
                return zeros_like(p)
        return 0.0

    def _call_rule(self, nondiff: list, structure: Any, primals: list, tangents: list) -> tuple:
        p_tree = tree_unflatten(structure, primals)
        t_tree = tree_unflatten(structure, tangents)
        result = self.rule(*nondiff, tuple(p_tree), tuple(t_tree))
        if not isinstance(result, tuple) or len(result) != 2:
            raise TypeError(f"polygrad.custom_jvp: {self.name}'s rule must return a pair "
                            f"(out, tangent_out), got {describe(result)}")
        return result

    def _forward(self, top: ForwardTrace, nondiff: list, structure: Any, primals: list,
                 tangents: list) -> Any:
        tangents = [self._zero(p) if t is None else t for p, t in zip(primals, tangents)]
        out, t_out = self._call_rule(nondiff, structure, primals, tangents)
        self._closure_check(top, out, "output (from the rule)")
        out_leaves, out_structure = tree_flatten(out)
        t_leaves, t_structure = tree_flatten(t_out)
        if t_structure != out_structure:
            raise TypeError(f"polygrad.custom_jvp: {self.name}'s rule returned a tangent "
                            f"structured unlike its output: {describe(t_out)}")
        boxed = []
        for o, t in zip(out_leaves, t_leaves):
            if type(o) is not Array:
                raise TypeError(f"polygrad.custom_jvp: {self.name} must return Arrays, got "
                                f"{describe(o)}")
            if t is not None and type(t) is not Array:
                with use_backend(o._backend):
                    t = asarray(t, dtype=o.dtype)
            if t is not None and t.shape != o.shape:
                raise DifferentiationError(
                    f"polygrad.custom_jvp: {self.name}'s rule returned a tangent of shape "
                    f"{t.shape} for an output of shape {o.shape}")
            boxed.append(Array(o, o._backend, top, t))
        return tree_unflatten(out_structure, boxed)

    def _reverse(self, top: ReverseTrace, nondiff: list, structure: Any, primals: list,
                 nodes: list) -> Any:
        out = self.fun(*self._join(nondiff, tree_unflatten(structure, primals)))
        self._closure_check(top, out, "output")
        parents = [(k, n) for k, n in enumerate(nodes) if n is not None]
        live = [k for k, p in enumerate(primals) if type(p) is Array]
        out_structure = tree_flatten(out)[1]

        def cotangents(g: Any) -> list:
            def linear(*ts: Any) -> Any:
                tangents = [0.0] * len(primals)
                for k, t in zip(live, ts):
                    tangents[k] = t
                return self._call_rule(nondiff, structure, primals, tangents)[1]
            _, pull = vjp(linear, *(self._zero(primals[k]) for k in live))
            g_tree = tree_unflatten(out_structure, list(g) if type(g) is tuple else [g])
            result = [None] * len(primals)
            for k, c in zip(live, pull(g_tree)):
                result[k] = c
            return result
        return self._record(top, _CachedCotangents(cotangents), primals, parents, out)
