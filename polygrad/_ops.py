"""The core operations: the primitives the core itself applies, with their rules, below
``polygrad.numpy`` (as ``jax.lax`` sits below ``jax.numpy``).

The core undoes broadcasting (``sum``, ``reshape``, ``broadcast_to``), seeds and fills
cotangents (``ones_like``, ``zeros_like``) and selects (``where``). These are defined here once;
the namespace's public functions of the same names (``polygrad.numpy.sum``, ``reshape``, ...)
check and convert their arguments (NumPy's signatures, promotion, views) and bind these same
Primitive objects, so a primitive has one definition and one set of rules. The functions here
take arguments already checked: positional arrays of one dtype, static parameters in the
form the kernels expect (``axis`` a tuple, ``shape`` a tuple). Imports array, trace and
primitive.
"""

from __future__ import annotations

from typing import Any

from ._array import Array, native_of
from ._primitive import deflinear, defjvp, defvjp, primitive
from ._trace import bind

__all__ = ["reshape_p", "broadcast_to_p", "sum_p", "where_p", "reshape", "broadcast_to", "sum",
           "where", "expand_to", "keep_shape", "zeros_like", "ones_like"]

_EMPTY: dict = {}

reshape_p = primitive("reshape", lambda xp: lambda x, shape: xp.reshape(x, shape))
broadcast_to_p = primitive("broadcast_to", lambda xp: lambda x, shape: xp.broadcast_to(x, shape),
                           broadcasts=True)
sum_p = primitive("sum", lambda xp: lambda x, axis, keepdims: xp.sum(x, axis=axis,
                                                                     keepdims=keepdims))
where_p = primitive("where", broadcasts=True)


def reshape(x: Any, shape: tuple) -> Any:
    """``x`` with the shape ``shape`` (a tuple; no view link: see ``polygrad.numpy.reshape``)."""
    return bind(reshape_p, (x,), {"shape": shape})


def broadcast_to(x: Any, shape: tuple) -> Any:
    """``x`` broadcast to ``shape`` (a tuple)."""
    return bind(broadcast_to_p, (x,), {"shape": shape})


def sum(x: Any, axis: tuple | None, keepdims: bool = False) -> Any:  # noqa: A001
    """The sum of ``x`` over ``axis`` (a sorted tuple of non-negative axes, or None)."""
    return bind(sum_p, (x,), {"axis": axis, "keepdims": keepdims})


def where(condition: Any, x1: Any, x2: Any) -> Any:
    """``x1`` where ``condition`` holds, else ``x2`` (operands already of one dtype, or a
    Python scalar beside an array)."""
    return bind(where_p, (condition, x1, x2), _EMPTY)


def keep_shape(shape: tuple, axes: tuple) -> tuple:
    """``shape`` with the reduced ``axes`` kept as length 1."""
    return tuple(1 if i in axes else d for i, d in enumerate(shape))


def expand_to(g: Any, shape: tuple, axes: tuple, keepdims: bool) -> Any:
    """Undo a reduction's shape change: reshape ``g`` to keepdims form, broadcast to ``shape``."""
    if not keepdims:
        g = reshape(g, keep_shape(shape, axes))
    return broadcast_to(g, shape)


def zeros_like(x: Array) -> Array:
    """Zeros of ``x``'s shape, dtype and backend (concrete: no derivative)."""
    b = x._backend
    v = native_of(x)
    return Array(b.xp.zeros(v.shape, dtype=b.native_dtype(x.dtype)), b)


def ones_like(x: Array) -> Array:
    """Ones of ``x``'s shape, dtype and backend (concrete: no derivative)."""
    b = x._backend
    v = native_of(x)
    return Array(b.xp.ones(v.shape, dtype=b.native_dtype(x.dtype)), b)


deflinear(reshape_p, lambda g, ans, x, shape: reshape(g, x.shape))
deflinear(broadcast_to_p, lambda g, ans, x, shape: g)   # the core sums g back to x's shape
deflinear(sum_p, lambda g, ans, x, axis, keepdims: expand_to(g, x.shape, axis, keepdims))
defvjp(where_p, None, lambda g, ans, c, x1, x2: where(c, g, 0.0),
       lambda g, ans, c, x1, x2: where(c, 0.0, g))
defjvp(where_p, None, lambda t, ans, c, x1, x2: where(c, t, 0.0),
       lambda t, ans, c, x1, x2: where(c, 0.0, t))
