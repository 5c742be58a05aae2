"""``cond``, ``fori_loop`` and ``scan``: control flow that compiles under ``pg.jit`` and runs as
Python everywhere else.

A loop or branch is lowered to the compiler's own (``jax.lax``) only inside a compiled trace and
only when no derivative is being taken; otherwise it runs as Python, so polygrad differentiates
it like any other code (``cond`` on a traced predicate then evaluates both branches and selects).
Imports util, array, backend, convert, trace, ops and compiler.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from . import _ops
from ._array import Array, native_of
from ._backend import Backend, use_backend
from ._convert import asarray
from ._compiler import Compiler, ConcretizationError, compiler_of, compiling
from ._trace import tracing
from ._util import describe, tree_flatten, tree_unflatten

__all__ = ["cond", "fori_loop", "scan"]


def cond(pred: Any, true_fun: Callable, false_fun: Callable, *operands: Any) -> Any:
    """``true_fun(*operands)`` if ``pred`` is true, else ``false_fun(*operands)``.

    ``pred`` is a bool or a 0-d array. Eagerly, and whenever ``pred``'s value is known, only the
    chosen branch runs. Inside ``pg.jit`` with a traced ``pred`` the choice is made when the
    compiled program runs: on JAX through ``jax.lax.cond``; while a derivative is being taken,
    or on a compiler without a conditional of its own (torch), both branches run and
    ``np.where`` selects their outputs, which then must have the same structure and shapes.

    Examples
    --------
    >>> import polygrad as pg, polygrad.numpy as np
    >>> f = lambda x: pg.cond(x > 0, np.sin, lambda x: -x, x)
    >>> float(f(np.asarray(-2.0))), float(pg.grad(f)(np.asarray(-2.0)))
    (2.0, -1.0)
    """
    if type(pred) is not Array:
        if not hasattr(pred, "shape"):
            return (true_fun if pred else false_fun)(*operands)
        pred = asarray(pred)
    if pred.shape != ():
        raise TypeError(f"polygrad.cond: pred must be a bool or a 0-d array, got an array of "
                        f"shape {pred.shape}")
    if type(native_of(pred)).__name__ == "_Batched":   # inside pg.vmap: each example chooses
        return _select(pred if pred.dtype.kind == "b" else pred != 0, true_fun(*operands),
                       false_fun(*operands))
    compiler = compiler_of(pred._backend)
    if compiler is None or not compiler.is_traced(native_of(pred)):
        return (true_fun if bool(pred) else false_fun)(*operands)
    if pred.dtype.kind != "b":
        pred = pred != 0
    if compiler.cond is None or tracing():
        return _select(pred, true_fun(*operands), false_fun(*operands))
    return _lowered_cond(compiler, pred, true_fun, false_fun, operands)


def _select(pred: Array, a: Any, b: Any) -> Any:
    """Both branches' outputs, selected leaf by leaf with ``where`` (each pair promoted to
    their common dtype first)."""
    a_leaves, structure = tree_flatten(a)
    b_leaves, b_structure = tree_flatten(b)
    _check_same("cond", "false_fun's output", structure, b_structure, "true_fun's")
    out = []
    with use_backend(pred._backend):
        for x, y in zip(a_leaves, b_leaves):
            if _is_value(x) and _is_value(y):
                if type(x) is Array and type(y) is Array and x.shape != y.shape:
                    raise TypeError(f"polygrad.cond: the branches return arrays of different "
                                    f"shapes, {x.shape} and {y.shape}")
                if type(x) is not Array and type(y) is not Array:
                    x = asarray(x, backend=pred._backend)
                out.append(_ops.where(pred, *_ops.promote(x, y)))
            elif x is y or (not _is_value(x) and not _is_value(y) and x == y):
                out.append(x)
            else:
                raise TypeError(f"polygrad.cond: the branches return different values, "
                                f"{describe(x)} and {describe(y)}, where only arrays may differ")
    return tree_unflatten(structure, out)


def _is_value(x: Any) -> bool:
    return type(x) is Array or (isinstance(x, (int, float, complex)) and not isinstance(x, bool))


def _lowered_cond(compiler: Compiler, pred: Array, true_fun: Callable, false_fun: Callable,
                  operands: tuple) -> Any:
    backend = pred._backend
    natives, structure = _natives(operands, backend)
    outs: list = []

    def branch(fun: Callable) -> Callable:
        def run(ns: list) -> list:
            out, out_structure = _natives(fun(*_arrays(structure, ns, backend)), backend)
            outs.append(out_structure)
            return out
        return run
    out = compiler.cond(native_of(pred), branch(true_fun), branch(false_fun), natives)
    _check_same("cond", "false_fun's output", outs[0], outs[-1], "true_fun's")
    return _arrays(outs[0], out, backend)


def fori_loop(lower: Any, upper: Any, body_fun: Callable, init_val: Any) -> Any:
    """``val = body_fun(i, val)`` for ``i`` in ``range(lower, upper)``, starting from
    ``init_val``; returns the final ``val`` (JAX's ``fori_loop``).

    As Python, ``i`` is a Python int. Inside ``pg.jit`` on JAX, when no derivative is being
    taken, the loop becomes ``jax.lax.fori_loop``: ``i`` is then a 0-d integer array, ``val``
    keeps its structure, shapes and dtypes, and the bounds may be traced arrays. While a
    derivative is being taken the loop runs in Python (unrolled into the compiled program), so
    the bounds must be known: Python ints or concrete arrays.

    Examples
    --------
    >>> import polygrad as pg, polygrad.numpy as np
    >>> power = lambda x: pg.fori_loop(0, 3, lambda i, y: y * x, np.ones_like(x))
    >>> float(power(np.asarray(2.0))), float(pg.grad(power)(np.asarray(2.0)))
    (8.0, 12.0)
    """
    found = _loop_compiler("fori_loop", (lower, upper, init_val))
    if found is not None:
        return _lowered_fori(*found, lower, upper, body_fun, init_val)
    for bound in (lower, upper):
        _check_known(bound)
    _, structure = tree_flatten(init_val)
    val = init_val
    for i in range(_bound(lower), _bound(upper)):
        val = body_fun(i, val)
        _check_same("fori_loop", "body_fun's output", structure, tree_flatten(val)[1])
    return val


def _lowered_fori(compiler: Compiler, backend: Backend, lower: Any, upper: Any,
                  body_fun: Callable, init_val: Any) -> Any:
    natives, structure = _natives(init_val, backend)

    def body(i: Any, ns: list) -> list:
        val = _arrays(structure, ns, backend)
        return _carry("fori_loop", body_fun(Array(i, backend), val), val, structure, backend)
    bounds = [native_of(b) if type(b) is Array else operator.index(b) for b in (lower, upper)]
    return _arrays(structure, compiler.fori_loop(*bounds, body, natives), backend)


def scan(f: Callable, init: Any, xs: Any, length: int | None = None) -> tuple[Any, Any]:
    """Loop ``carry, y = f(carry, x)`` over the leading axis of ``xs``; returns the final carry
    and the ``y``s stacked along a new leading axis (JAX's ``scan``).

    ``xs`` is an array or a nested list / tuple / dict of arrays sharing their leading length,
    or None with ``length`` given (``x`` is then None). As Python the loop runs step by step;
    inside ``pg.jit`` on JAX, when no derivative is being taken, it becomes ``jax.lax.scan``,
    and ``carry`` must keep its structure, shapes and dtypes. While a derivative is being taken
    the loop runs in Python (unrolled into the compiled program).

    Examples
    --------
    >>> import polygrad as pg, polygrad.numpy as np
    >>> cumsum = lambda xs: pg.scan(lambda c, x: (c + x, c + x), 0.0, xs)[1]
    >>> cumsum(np.asarray([1.0, 2.0, 3.0])).tolist()
    [1.0, 3.0, 6.0]
    """
    x_leaves, x_structure = tree_flatten(xs)
    n = _scan_length(x_leaves, length)
    found = _loop_compiler("scan", (init, xs))
    if found is not None:
        return _lowered_scan(*found, f, init, x_leaves, x_structure, length)
    if n == 0:
        raise ValueError("polygrad.scan: a scan of length 0 runs only when compiled (the "
                         "shapes of its outputs are unknown without a step)")
    _, structure = tree_flatten(init)
    carry, ys = init, []
    for t in range(n):
        x = tree_unflatten(x_structure, [None if a is None else a[t] for a in x_leaves])
        carry, y = _step(f, carry, x)
        _check_same("scan", "the carry f returns", structure, tree_flatten(carry)[1])
        ys.append(y)
    return carry, _stack(ys)


def _step(f: Callable, carry: Any, x: Any) -> tuple[Any, Any]:
    out = f(carry, x)
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        raise TypeError(f"polygrad.scan: f must return a pair (carry, y), got {describe(out)}")
    return out[0], out[1]


def _stack(ys: list) -> Any:
    """The per-step outputs, each leaf stacked along a new leading axis (their dtypes
    promoted)."""
    first, structure = tree_flatten(ys[0])
    columns = [[leaf] for leaf in first]
    for y in ys[1:]:
        leaves, y_structure = tree_flatten(y)
        _check_same("scan", "the y f returns", structure, y_structure, "the first step's")
        for column, leaf in zip(columns, leaves):
            column.append(leaf)
    return tree_unflatten(structure, [
        None if column[0] is None else
        _ops.stack(_ops.promote(*[v if type(v) is Array else asarray(v) for v in column]))
        for column in columns])


def _lowered_scan(compiler: Compiler, backend: Backend, f: Callable, init: Any, x_leaves: list,
                  x_structure: Any, length: int | None) -> tuple[Any, Any]:
    natives, structure = _natives(init, backend)
    y_structures: list = []

    def step(c: list, x: list) -> tuple[list, list]:
        before = _arrays(structure, c, backend)
        carry, y = _step(f, before, _arrays(x_structure, x, backend))
        c = _carry("scan", carry, before, structure, backend)
        y, y_structure = _natives(y, backend)
        y_structures.append(y_structure)
        return c, y
    xs = [native_of(a) if type(a) is Array else a for a in x_leaves]
    carry, ys = compiler.scan(step, natives, xs, length)
    return _arrays(structure, carry, backend), _arrays(y_structures[-1], ys, backend)


# -- helpers ---------------------------------------------------------------------------------------
def _natives(tree: Any, backend: Backend) -> tuple[list, Any]:
    """A pytree flattened to the compiler's values: arrays to native ones, Python numbers to
    arrays as ``asarray`` makes them (a float gets the default float dtype), the rest as is."""
    leaves, structure = tree_flatten(tree)
    return [native_of(x) if type(x) is Array else
            native_of(asarray(x, backend=backend)) if isinstance(x, (int, float, complex)) else x
            for x in leaves], structure


def _carry(op: str, carry: Any, before: Any, structure: Any, backend: Backend) -> list:
    """The carry a compiled loop's body returned, as native values: its structure checked, and
    an array whose dtype changed within its kind cast back (JAX does so for weakly typed values;
    here a float32 carry plus the int64 loop index would be float64)."""
    leaves, got = tree_flatten(carry)
    _check_same(op, "the carry the loop body returns", structure, got)
    out = []
    for x, old in zip(leaves, tree_flatten(before)[0]):
        if type(x) is Array and type(old) is Array and x.dtype != old.dtype and \
                x.dtype.kind == old.dtype.kind:
            x = _ops.astype(x, old.dtype)
        out.append(x)
    return _natives(out, backend)[0]


def _arrays(structure: Any, natives: list, backend: Backend) -> Any:
    """The inverse of :func:`_natives` inside the compiler's trace: every value an Array."""
    return tree_unflatten(structure, [x if x is None else Array(x, backend) for x in natives])


def _loop_compiler(op: str, trees: tuple) -> tuple[Compiler, Backend] | None:
    """(compiler, backend) to lower loop ``op`` to, or None to run it in Python."""
    if tracing():
        return None
    backend = compiling()
    for leaf in tree_flatten(trees)[0]:
        if _traced(leaf):
            backend = leaf._backend
            break
    compiler = None if backend is None else compiler_of(backend)
    if compiler is None or getattr(compiler, op) is None:
        return None
    return compiler, backend


def _traced(x: Any) -> bool:
    if type(x) is not Array:
        return False
    compiler = compiler_of(x._backend)
    return compiler is not None and compiler.is_traced(native_of(x))


def _check_known(bound: Any) -> None:
    if _traced(bound):
        why = ("a derivative is being taken, so the loop runs in Python" if tracing() else
               f"the {bound._backend.name} compiler has no loop of its own")
        raise ConcretizationError(
            f"polygrad.fori_loop: the loop bounds are traced arrays, known only when the "
            f"compiled program runs, but {why} and needs to know its trip count. Pass the bounds "
            f"as Python ints (make them static: pg.jit(f, static_argnums=(...)))")


def _bound(x: Any) -> int:
    return int(x) if type(x) is Array else operator.index(x)


def _scan_length(leaves: list, length: int | None) -> int:
    lengths = set()
    for a in leaves:
        if a is None:
            continue
        shape = getattr(a, "shape", None)
        if not shape:
            raise TypeError(f"polygrad.scan: every leaf of xs must be an array with a leading "
                            f"axis to scan over, got {describe(a)}")
        lengths.add(shape[0])
    if length is not None:
        lengths.add(operator.index(length))
    if len(lengths) != 1:
        raise ValueError("polygrad.scan: " + (
            f"the leading axes of xs (and length) disagree: {sorted(lengths)}" if lengths else
            "xs holds no array: pass length"))
    return lengths.pop()


def _check_same(op: str, what: str, expected: Any, got: Any, than: str = "the input's") -> None:
    if expected != got:
        raise TypeError(f"polygrad.{op}: {what} has another structure than {than} "
                        f"({_shape(got)} instead of {_shape(expected)})")


def _shape(structure: Any) -> str:
    """A structure from ``tree_flatten`` in words: ``(*, [*, *])`` with * for each leaf."""
    if structure is None:
        return "*"
    if structure[0] is dict:
        return "{" + ", ".join(f"{k!r}: {_shape(c)}" for k, c in zip(*structure[1:])) + "}"
    kind, children = structure
    inner = ", ".join(_shape(c) for c in children)
    return f"[{inner}]" if kind is list else f"({inner}{',' if len(children) == 1 else ''})"
