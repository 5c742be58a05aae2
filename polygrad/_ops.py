"""The core operations: the primitives the core itself applies, with their rules, below
``polygrad.numpy`` (as ``jax.lax`` sits below ``jax.numpy``).

The core undoes broadcasting (``sum``, ``reshape``, ``broadcast_to``), seeds and fills
cotangents (``ones_like``, ``zeros_like``), selects (``where``), casts (``astype``) and joins
(``concat``, ``stack``: ``asarray`` of nested lists holding Arrays, ``pg.scan``'s outputs).
``promote`` casts arrays to their common dtype. These are defined here once;
the namespace's public functions of the same names (``polygrad.numpy.sum``, ``reshape``, ...)
check and convert their arguments (NumPy's signatures, promotion, views) and bind these same
Primitive objects, so a primitive has one definition and one set of rules. The functions here
take arguments already checked: positional arrays of one dtype, static parameters in the
form the kernels expect (``axis`` a tuple, ``shape`` a tuple, ``dtype`` a polygrad DType).
Imports dtypes, array, backend, trace and primitive.
"""

from __future__ import annotations

import builtins
from typing import Any

from . import _dtypes
from ._array import Array, native_of
from ._backend import get_default_dtype
from ._primitive import Variadic, deflinear, defjvp, defvjp, nondiff, primitive
from ._trace import bind

__all__ = ["reshape_p", "broadcast_to_p", "sum_p", "where_p", "astype_p", "astype_discrete_p",
           "concat_p", "reshape", "broadcast_to", "sum", "where", "astype", "concat", "stack",
           "promote", "expand_to", "keep_shape", "zeros_like", "ones_like"]

_EMPTY: dict = {}

reshape_p = primitive("reshape", lambda xp: lambda x, shape: xp.reshape(x, shape))
broadcast_to_p = primitive("broadcast_to", lambda xp: lambda x, shape: xp.broadcast_to(x, shape),
                           broadcasts=True)
sum_p = primitive("sum", lambda xp: lambda x, axis, keepdims: xp.sum(x, axis=axis,
                                                                     keepdims=keepdims))
where_p = primitive("where", broadcasts=True)


def _astype_kernel(xp: Any) -> Any:
    return lambda x, dtype, native_dtype: xp.astype(x, native_dtype)


# a cast between floating (or complex) dtypes is differentiable; to or from an integer or bool
# dtype it is not (a separate primitive, so that each has one set of rules)
astype_p = primitive("astype", _astype_kernel)
astype_discrete_p = nondiff(primitive("astype_discrete", _astype_kernel))
concat_p = primitive("concat", lambda xp: lambda *arrays, axis: xp.concat(arrays, axis=axis))


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


def astype(x: Array, dtype: Any) -> Array:
    """``x`` cast to ``dtype`` (a polygrad DType), always a new array (the namespace's
    ``astype`` checks its arguments and returns ``x`` itself for ``copy=False``)."""
    params = {"dtype": dtype, "native_dtype": x._backend.native_dtype(dtype)}
    prim = astype_p if dtype.is_floating and x.dtype.is_floating else astype_discrete_p
    return bind(prim, (x,), params)


def concat(arrays: Any, axis: int) -> Any:
    """The arrays (of one dtype and backend) joined along ``axis`` (non-negative)."""
    return bind(concat_p, tuple(arrays), {"axis": axis})


def stack(arrays: Any, axis: int = 0) -> Any:
    """The arrays (of one shape, dtype and backend) joined along a new axis ``axis``
    (non-negative, at most their number of dimensions)."""
    return concat([reshape(a, a.shape[:axis] + (1,) + a.shape[axis:]) for a in arrays], axis)


def promote(*operands: Any) -> list:
    """``operands`` (Arrays and Python numbers, at least one Array) as Arrays of their common
    dtype on the first Array's backend: the arrays' dtypes promote (``_dtypes.result_type``),
    a Python number weakly (an int beside float32 keeps float32), as the namespace's
    ``promote_to_arrays``, for the core's own joins and selections."""
    arrays = [x for x in operands if type(x) is Array]
    like = arrays[0]
    want = _dtypes.result_type(*[x.dtype for x in arrays])
    default = get_default_dtype(like._backend)
    for x in operands:
        if type(x) is not Array:
            want = _dtypes.weak_result(want, x, default)
    backend = like._backend
    return [(x if x.dtype == want else astype(x, want)) if type(x) is Array else
            Array(backend.asarray(x if want.kind == "b" or type(x) is not bool else int(x),
                                  dtype=want), backend)
            for x in operands]


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


def _astype_vjp(g: Any, ans: Any, x: Any, dtype: Any, native_dtype: Any) -> Any:
    if g.dtype.kind == "c" and x.dtype.kind != "c":   # complex result of a real input
        g = g.real
    return astype(g, x.dtype)


defvjp(astype_p, _astype_vjp)
defjvp(astype_p, lambda t, ans, x, dtype, native_dtype: astype(t, dtype))


def _concat_vjp(i: int, g: Any, ans: Any, *arrays: Any, axis: int) -> Any:
    start = builtins.sum(a.shape[axis] for a in arrays[:i])
    return g[(slice(None),) * axis + (slice(start, start + arrays[i].shape[axis]),)]


defvjp(concat_p, Variadic(_concat_vjp))
defjvp(concat_p, Variadic(lambda i, t, ans, *arrays, axis: concat(
    [t if j == i else zeros_like(a) for j, a in enumerate(arrays)], axis)))
