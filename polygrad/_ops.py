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
from ._indexkey import normal_form
from ._primitive import Variadic, deflinear, defjvp, defvjp, nondiff, primitive
from ._trace import _batching as _batching_depth, bind

__all__ = ["reshape_p", "broadcast_to_p", "sum_p", "where_p", "astype_p", "astype_discrete_p",
           "reshape", "broadcast_to", "sum", "where", "astype", "stack", "promote", "expand_to",
           "keep_shape", "zeros_like", "ones_like",
           # the batching layer and the Jacobian assembly (see the block at the end)
           "permute_dims_p", "concat_p", "getitem_p", "scatter_add_p", "permute_dims", "moveaxis",
           "concat", "getitem", "scatter_add", "zeros", "eye"]

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


# -- the batching layer and the Jacobian assembly: axes moved, examples stacked and picked out ----
# (pg.vmap moves the batch axis with permute_dims, and its loop fallback takes example i with
# getitem and stacks the results with concat; jacobian / hessian build their identity seeds
# with eye). The namespace's permute_dims / concat / getitem / scatter_add bind these, and
# getitem / scatter_add pass through lift_for_key, which lets an index array with one value per
# example of pg.vmap reach the batching trace (see there).
permute_dims_p = primitive("permute_dims", lambda xp: lambda x, axes: xp.permute_dims(x, axes))
concat_p = primitive("concat", lambda xp: lambda *arrays, axis: xp.concat(arrays, axis=axis))


def _getitem_kernel(xp: Any) -> Any:
    return lambda x, key: x[key]


def _scatter_add_kernel(xp: Any) -> Any:
    def scatter_add(v, shape, key):
        out = xp.zeros(shape, dtype=v.dtype)
        out[key] = v   # correct for keys without repeated positions; backends override
        return out
    return scatter_add


getitem_p = primitive("getitem", _getitem_kernel)
scatter_add_p = primitive("scatter_add", _scatter_add_kernel)


def permute_dims(x: Any, axes: tuple) -> Any:
    """``x`` with its axes in the order ``axes`` (a permutation of non-negative axes)."""
    return bind(permute_dims_p, (x,), {"axes": tuple(axes)})


def moveaxis(x: Any, source: int, destination: int) -> Any:
    """``x`` with axis ``source`` moved to position ``destination`` (either may be negative)."""
    n = x.ndim
    source %= n
    destination %= n
    if source == destination:
        return x
    order = [i for i in range(n) if i != source]
    order.insert(destination, source)
    return permute_dims(x, tuple(order))


def concat(arrays: Any, axis: int) -> Any:
    """The arrays (of one dtype) joined along the non-negative ``axis``."""
    return bind(concat_p, tuple(arrays), {"axis": axis})


def getitem(x: Any, key: tuple) -> Any:
    """``x[key]`` for a key in normal form (``polygrad._indexkey.normal_form``); no view link."""
    return bind(getitem_p, (lift_for_key(x, key),), {"key": key})


def scatter_add(v: Any, shape: tuple, key: tuple) -> Any:
    """Zeros of ``shape`` with ``v`` added at ``key`` (normal form; repeats accumulate)."""
    return bind(scatter_add_p, (lift_for_key(v, key),), {"shape": tuple(shape), "key": key})


def lift_for_key(x: Any, key: tuple) -> Any:
    """``x``, or where ``key`` holds an index array of ``pg.vmap`` with one value per example
    (its entry has a ``batch_trace``) that ``x`` does not vary over, ``x`` broadcast over that
    batch as a tracer of it: the indexing then reaches the batching trace, whose rule gathers
    per example (``bind`` sees only the arrays, never the key)."""
    if not _batching_depth.get():   # no vmap active
        return x
    for k in key:
        trace = getattr(k, "batch_trace", None)
        if trace is None or not trace.active or _varies_over(x, trace):
            continue
        if type(x) is not Array:
            continue
        if x._trace is not None and x._trace.level > trace.level:
            # a derivative's tracer over values the batch does not vary: select it against
            # itself under a batched True, which its trace passes down to the batching one
            b = x._backend
            true = Array(b.xp.ones((trace.size,), dtype=b.native_dtype(_dtypes.bool)), b)
            x = where(trace.box(true), x, x)
            continue
        shape = tuple(x.shape)
        x = trace.box(broadcast_to(reshape(x, (1,) + shape), (trace.size,) + shape))
    return x


def _varies_over(x: Any, trace: Any) -> bool:
    """Whether ``x`` is a tracer of ``trace`` or of a trace above it over one of ``trace``."""
    while type(x) is Array and x._trace is not None:
        if x._trace is trace:
            return True
        if x._trace.level < trace.level:
            return False
        x = x._v
        x = getattr(x, "value", x)   # a batching tracer's _Batched holds the lower value
    return False


def zeros(x: Array, shape: tuple) -> Array:
    """Zeros of ``shape`` with ``x``'s dtype and backend (concrete: no derivative)."""
    b = x._backend
    return Array(b.xp.zeros(tuple(shape), dtype=b.native_dtype(x.dtype)), b)


def eye(x: Array, n: int) -> Array:
    """The n x n identity with ``x``'s dtype and backend (concrete: no derivative)."""
    b = x._backend
    return Array(b.xp.eye(n, dtype=b.native_dtype(x.dtype)), b)


def _inverse(axes: tuple) -> tuple:
    inv = [0] * len(axes)
    for i, a in enumerate(axes):
        inv[a] = i
    return tuple(inv)


def _concat_vjp(i: int, g: Any, ans: Any, *arrays: Any, axis: int) -> Any:
    start = builtins.sum(a.shape[axis] for a in arrays[:i])
    key = (slice(None),) * axis + (slice(start, start + arrays[i].shape[axis]),)
    return getitem(g, normal_form(key, tuple(g.shape)))


deflinear(permute_dims_p, lambda g, ans, x, axes: permute_dims(g, _inverse(axes)))
defvjp(concat_p, Variadic(_concat_vjp))
defjvp(concat_p, Variadic(lambda i, t, ans, *arrays, axis: concat(
    [t if j == i else zeros_like(a) for j, a in enumerate(arrays)], axis=axis)))
deflinear(getitem_p, lambda g, ans, x, key: scatter_add(g, x.shape, key))
deflinear(scatter_add_p, lambda g, ans, v, shape, key: getitem(g, key))
