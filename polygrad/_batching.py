"""Batching (``pg.vmap``): one more trace level, whose tracers carry a batch of values.

A batched tracer's value is an Array (a concrete array or a lower level's tracer) whose leading
axis is the batch; the tracer itself shows the shape of one example, so that the user's function
sees what it would see unbatched. Each primitive applied to batched tracers runs its batching
rule (``Primitive.batch``, set with ``defbatch`` beside the primitive, mostly from a family of
this module), which calls the primitive once on the whole batch; a primitive without a rule
falls back to a loop over the examples, with a one-time warning naming it. Imports util,
array, convert, trace, the primitive registry and the core operations (``_ops``).
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any

from ._array import Array, native_of
from ._convert import asarray
from ._dtypes import int64
from ._indexkey import is_index_array, normal_form
from ._ops import (astype_discrete_p, astype_p, broadcast_to, broadcast_to_p, concat, concat_p,
                   getitem, getitem_p, moveaxis, permute_dims, permute_dims_p, reshape, reshape_p,
                   scatter_add, scatter_add_p, sum_p, where_p)
from ._primitive import defbatch
from ._trace import Trace, bind, trace_scope
from ._util import describe, tree_flatten, tree_unflatten

__all__ = ["vmap", "BatchTrace", "BatchingError", "rule_for", "max_over_batch", "per_example",
           "agreed", "elementwise_rule",
           "all_batched_elementwise_rule", "trailing_rule", "reduction_rule", "along_axis_rule",
           "cumulative_rule", "fft_rule", "matmul_rule", "tensordot_rule", "solve_rule",
           "setitem_rule", "value_dependent_rule", "isin_rule", "searchsorted_rule"]


class BatchingError(ValueError):
    """Something ``pg.vmap`` cannot batch: the message says why and what to write instead."""


_HOST_READ = (
    "polygrad.vmap: the function reads the values of a batched array (bool(x), if x > 0:, "
    "float(x), x.item(), numpy.asarray(x), ...), but inside vmap each example has its own value, "
    "so there is no one value to read. Write value-dependent choices with np.where(cond, a, b) "
    "(both branches computed) or pg.cond(pred, true_fun, false_fun, *operands) on a per-example "
    "predicate, and Python loops with a fixed trip count, or call the function in a Python loop "
    "over the examples")


class _Batched:
    """The stand-in for the backend's array behind a batched tracer: the shape and dtype of one
    example; reading its values refuses with the fix (see ``_HOST_READ``)."""

    __slots__ = ("value", "shape", "dtype", "batch_trace")

    def __init__(self, value: Array, trace: Any = None) -> None:
        self.value = value   # the batch, batch axis leading
        self.batch_trace = trace   # (read by _ops.lift_for_key when this is an index array)
        native = native_of(value)
        self.shape = tuple(native.shape)[1:]
        self.dtype = native.dtype

    @property
    def device(self) -> Any:
        return native_of(self.value).device

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __array__(self, *args: Any, **kwargs: Any) -> Any:
        raise BatchingError(_HOST_READ)

    def __getattr__(self, name: str) -> Any:   # detach(), numpy(), tolist(), __dlpack__, ...
        raise BatchingError(_HOST_READ)


class BatchTrace(Trace):
    """The trace of one ``vmap``: its tracers hold ``_Batched`` values of ``size`` examples."""

    __slots__ = ("size",)
    kind = "vmap"
    batching = True

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def describe(self) -> str:
        return (f"vmap (level {self.level}), which holds one value per example: inside vmap "
                f"use np.where or pg.cond instead of reading values")

    def box(self, value: Array) -> Array:
        return Array(_Batched(value, self), value._backend, self)

    def process(self, prim: Any, args: tuple, params: dict) -> Any:
        values = list(args)
        batched = [False] * len(args)
        for i, a in enumerate(args):
            if type(a) is Array and a._trace is self:
                values[i] = a._v.value
                batched[i] = True
        rule = rule_for(prim)
        key = params.get("key")
        if type(key) is tuple and any(getattr(k, "batch_trace", None) is self for k in key):
            out = _index_per_example(self, prim, values, batched, params)
        elif rule is None:
            out = _loop(prim, self.size, values, batched, params)
        else:
            out = rule(self.size, values, batched, **params)
        if prim.multiple_results:
            return tuple(self.box(o) for o in out)
        return self.box(out)


def max_over_batch(x: Array) -> float:
    """The largest element of ``x`` over every example of the vmaps it is batched by (all of
    them, as a Python float; outside vmap, ``float(max(x))``): a host read for a choice that must
    be common to the whole batch, as ``expm``'s Padé degree and scaling chosen from the largest
    norm (which, as for a stack of matrices, keeps every example within the approximation's
    accuracy). Only for values without a derivative (pass them through ``stop_gradient``)."""
    while type(x) is Array and type(x._v) is _Batched:
        x = x._v.value   # the batch axes lead: the maximum over all elements covers them
    if type(x) is Array and x.ndim:
        x = x.max()   # (concrete here; a tracer of another transformation refuses the read)
    return float(x)


def per_example(x: Any) -> bool:
    """Whether ``x`` holds one value per example of an active ``vmap`` (at some trace level)."""
    while type(x) is Array and x._trace is not None:
        if type(x._v) is _Batched and x._trace.active:
            return True
        x = x._v.value if type(x._v) is _Batched else x._v
    return False


def agreed(cond: Any, what: str) -> bool:
    """``bool(cond)`` for a choice of shape that every example must share: inside vmap, True
    when it holds for every example, False when for none, else a BatchingError saying that the
    examples' results differ in shape (``what`` names the function and the fix)."""
    if not per_example(cond):
        return bool(cond)
    hits = cond.astype("float64")   # (a comparison: no derivative)
    if max_over_batch(-hits) == -1.0:   # true for every example
        return True
    if max_over_batch(hits) == 0.0:   # for none
        return False
    raise BatchingError(f"polygrad.vmap: {what}: its result's shape depends on each example's "
                        f"values, and here the examples differ")


def rule_for(prim: Any) -> Callable | None:
    """The batching rule of ``prim`` (set with ``defbatch``), None if it has none."""
    return prim.batch


# -- helpers: primitives applied through bind, so that lower trace levels see them -------------
def _p(prim: Any, *args: Any, **params: Any) -> Any:
    return bind(prim, args, params)


def _ndim(x: Any) -> int:
    return x.ndim if type(x) is Array else 0


def _reshape(x: Array, shape: tuple) -> Array:
    return x if tuple(x.shape) == tuple(shape) else reshape(x, tuple(shape))


def _expand_batch(x: Any, size: int) -> Array:
    """An unbatched array as a batch of ``size`` copies (batch axis leading)."""
    if type(x) is not Array:
        x = asarray(x)
    return broadcast_to(_reshape(x, (1,) + x.shape), (size,) + x.shape)


def _lift(x: Array, rank: int) -> Array:
    """A batched ``x`` (batch leading) with ones inserted after the batch axis up to ``rank``
    axes per example, so that it broadcasts against arrays of that rank as one example does."""
    k = x.ndim - 1
    if k >= rank:
        return x
    return _reshape(x, (x.shape[0],) + (1,) * (rank - k) + tuple(x.shape[1:]))


def _shift(axis: Any, ndim: int) -> Any:
    """An axis (or tuple of axes, None: all) of one example as an axis of the batch."""
    if axis is None:
        return tuple(range(1, ndim + 1))
    if isinstance(axis, (tuple, list)):
        return tuple(a + 1 if a >= 0 else a for a in axis)
    return axis + 1 if axis >= 0 else axis


def _first_batched(args: list, batched: list, size: int) -> list:
    """Every array argument batched (the unbatched ones broadcast to the batch)."""
    return [a if b or type(a) is not Array else _expand_batch(a, size)
            for a, b in zip(args, batched)]


def _prod(values: Any) -> int:
    out = 1
    for v in values:
        out *= v
    return out


# -- the rule families: each factory takes the Primitive objects its rule applies, and the
# namespace sets the rule beside the primitive (``defbatch(prim, reduction_rule(prim))``) ------
def elementwise(size: int, args: list, batched: list, **params: Any) -> Any:
    """Elementwise and broadcasting primitives: batched arguments get ones inserted after the
    batch axis up to the rank of the broadcast example; unbatched ones broadcast as they are."""
    rank = max(_ndim(a) - b for a, b in zip(args, batched))
    args = [_lift(a, rank) if b else a for a, b in zip(args, batched)]
    prim = params.pop("_prim")
    return bind(prim, tuple(args), params)


def elementwise_rule(prim: Any) -> Callable:
    """The batching rule of an elementwise (or broadcasting) primitive."""
    def rule(size, args, batched, **params):
        return elementwise(size, args, batched, _prim=prim, **params)
    return rule


def all_batched_elementwise_rule(prim: Any) -> Callable:
    """An elementwise primitive whose kernel needs every array argument batched (one that
    scales a buffer of its first argument's shape in place, as ``select_extremum``)."""
    def rule(size, args, batched, **params):
        args = _first_batched(args, batched, size)
        return elementwise(size, args, [type(a) is Array for a in args], _prim=prim, **params)
    return rule


def trailing_rule(prim: Any) -> Callable:
    """Functions of the trailing axes that stack over leading ones (linalg, tril, ...)."""
    def rule(size, args, batched, **params):
        return bind(prim, tuple(_first_batched(args, batched, size)), params)
    return rule


def reduction_rule(prim: Any, flat_none: bool = False) -> Callable:
    """Reductions over ``axis`` (a tuple, or None: all); ``flat_none``: ``axis=None`` means the
    flattened example and the result has no axis for it (argmax, argmin)."""
    def rule(size, args, batched, axis, keepdims, **params):
        (x,) = args
        n = x.ndim - 1
        if flat_none and axis is None:
            flat = _reshape(x, (size, -1) if n else (size, 1))
            out = _p(prim, flat, axis=1, keepdims=False, **params)
            return _reshape(out, (size,) + (1,) * n) if keepdims else out
        return _p(prim, x, axis=_shift(axis, n), keepdims=keepdims, **params)
    return rule


def along_axis_rule(prim: Any, key: str = "axis", default_flat: bool = False) -> Callable:
    """Primitives with one axis (or a tuple) parameter: shift it past the batch axis;
    ``default_flat``: None means the flattened example (roll)."""
    def rule(size, args, batched, **params):
        args = _first_batched(args, batched, size)
        x = args[0]
        axis = params.get(key)
        if axis is None and default_flat:
            shape = x.shape
            params[key] = 1
            out = _p(prim, _reshape(x, (size, -1)), *args[1:], **params)
            return _reshape(out, shape)
        params[key] = _shift(axis, x.ndim - 1)
        return _p(prim, *args, **params)
    return rule


def cumulative_rule(prim: Any) -> Callable:
    def rule(size, args, batched, axis, include_initial):
        (x,) = args
        return _p(prim, x, axis=_shift(0 if axis is None else axis, x.ndim - 1),
                  include_initial=include_initial)
    return rule


def fft_rule(prim: Any) -> Callable:
    def rule(size, args, batched, axes, **params):
        (x,) = args
        return _p(prim, x, axes=_shift(tuple(axes), x.ndim - 1), **params)
    return rule


def _reshape_rule(size, args, batched, shape):
    return reshape(args[0], (size,) + tuple(shape))


def _permute_rule(size, args, batched, axes):
    return permute_dims(args[0], (0,) + tuple(a % len(axes) + 1 for a in axes))


def _broadcast_rule(size, args, batched, shape):
    return broadcast_to(_lift(args[0], len(shape)), (size,) + tuple(shape))


def _concat_rule(size, args, batched, axis):
    args = _first_batched(args, batched, size)
    if axis is None:
        args = [_reshape(a, (size, -1)) for a in args]
        axis = 1
    else:
        axis = _shift(axis, args[0].ndim - 1)
    return concat(args, axis)


def matmul_rule(matmul_p: Any) -> Callable:
    def rule(size, args, batched):
        (x1, x2), (b1, b2) = args, batched
        k1, k2 = _ndim(x1) - b1, _ndim(x2) - b2
        if b1 != b2 and k1 <= 2 and k2 <= 2 and (k1 if b1 else k2) == 1:
            return _one_gemm(matmul_p, x1, x2, b1, k1 if b1 else k2)
        drop1, drop2 = k1 == 1, k2 == 1
        if drop1:   # a vector is a 1 x n matrix, its axis dropped from the result
            x1 = _reshape(x1, x1.shape[:-1] + (1, x1.shape[-1]))
            k1 = 2
        if drop2:
            x2 = _reshape(x2, x2.shape + (1,))
            k2 = 2
        rank = max(k1, k2)
        if b1:
            x1 = _lift(x1, rank)
        if b2:
            x2 = _lift(x2, rank)
        out = _p(matmul_p, x1, x2)
        shape = tuple(out.shape)
        shape = shape[:-2] + (() if drop1 else shape[-2:-1]) + (() if drop2 else shape[-1:])
        return _reshape(out, shape)
    return rule


def _one_gemm(matmul_p, x1, x2, b1, k):
    """A batch of vectors times one shared matrix (or vector), either side: a single 2-D
    matmul of the (batch, n) block, not a stack of matrix-vector products (NumPy's stacked
    matmul of 1-row matrices runs ~2x slower than the one gemm: the Hessian's forward-over-
    reverse pass makes two of these per matmul of f, 200 x 200 in case H)."""
    if b1:   # v_b @ M: (batch, n) @ (n, m), or (batch, n) @ (n,) per example
        return _p(matmul_p, x1, x2)
    # M @ v_b = (v_b @ M^T): (batch, n) @ (n, p); a vector x1: (batch, n) @ (n,)
    if x1.ndim == 2:
        x1 = permute_dims(x1, (1, 0))
    return _p(matmul_p, x2, x1)


def tensordot_rule(tensordot_p: Any, matmul_p: Any) -> Callable:
    def rule(size, args, batched, axes):
        (x1, x2), (b1, b2) = args, batched
        a1, a2 = list(axes[0]), list(axes[1])
        if b1 and not b2:
            return _p(tensordot_p, x1, x2, axes=(tuple(a + 1 for a in a1), tuple(a2)))
        if b2 and not b1:
            out = _p(tensordot_p, x1, x2, axes=(tuple(a1), tuple(a + 1 for a in a2)))
            return moveaxis(out, x1.ndim - len(a1), 0)
        return _batched_tensordot(size, x1, x2, a1, a2, matmul_p)
    return rule


def _batched_tensordot(size, x1, x2, a1, a2, matmul_p):
    """Both batched: one batched matmul of (batch, free1, contracted) by (batch, contracted,
    free2)."""
    n1, n2 = x1.ndim - 1, x2.ndim - 1
    a1 = [a % n1 for a in a1]
    a2 = [a % n2 for a in a2]
    free1 = [i for i in range(n1) if i not in a1]
    free2 = [i for i in range(n2) if i not in a2]
    s1, s2 = x1.shape[1:], x2.shape[1:]
    m = _prod(s1[i] for i in free1)
    c = _prod(s1[i] for i in a1)
    n = _prod(s2[i] for i in free2)
    y1 = permute_dims(x1, (0,) + tuple(i + 1 for i in free1 + a1))
    y2 = permute_dims(x2, (0,) + tuple(i + 1 for i in a2 + free2))
    out = _p(matmul_p, _reshape(y1, (size, m, c)), _reshape(y2, (size, c, n)))
    return _reshape(out, (size,) + tuple(s1[i] for i in free1) + tuple(s2[i] for i in free2))


def solve_rule(solve_p: Any) -> Callable:
    def rule(size, args, batched):
        x1, x2 = _first_batched(args, batched, size)
        if x2.ndim - 1 == 1:   # a vector right-hand side: one column
            out = _p(solve_p, x1, _reshape(x2, x2.shape + (1,)))
            return _reshape(out, out.shape[:-1])
        return _p(solve_p, x1, x2)
    return rule


def _key_with_batch(key: tuple) -> tuple:
    arrays = [i for i, k in enumerate(key) if not isinstance(k, (int, slice, type(None),
                                                                   type(Ellipsis)))]
    if arrays and arrays[-1] - arrays[0] + 1 != len(arrays):
        raise BatchingError(
            "polygrad.vmap: indexing with index arrays separated by slices (x[i, :, j]) moves "
            "the indexed axes to the front, which vmap does not batch; index in two steps "
            "(x[i][:, j]) or use np.take")
    return (slice(None),) + tuple(key)


def _getitem_rule(size, args, batched, key):
    return getitem(args[0], _key_with_batch(key))


def _scatter_add_rule(size, args, batched, shape, key):
    v = args[0]
    return scatter_add(_lift(v, _indexed_rank(shape, key)), (size,) + tuple(shape),
                       _key_with_batch(key))


def _indexed_rank(shape: tuple, key: tuple) -> int:
    """The rank of ``zeros(shape)[key]`` (found on a small concrete array of that shape)."""
    import numpy

    dummy = numpy.broadcast_to(numpy.zeros((), dtype=numpy.int8), tuple(shape))
    key = tuple(numpy.asarray(k) if hasattr(k, "shape") and not isinstance(k, numpy.ndarray)
                and _is_host(k) else k for k in key)
    try:
        return dummy[key].ndim
    except Exception:   # an index on a device we cannot read: count the axes by hand
        return _rank_by_hand(shape, key)


def _is_host(k: Any) -> bool:
    return type(k).__module__.split(".")[0] in ("numpy", "array_api_strict")


def _rank_by_hand(shape: tuple, key: tuple) -> int:
    indexed = sum(1 for k in key if k is not None and k is not Ellipsis and
                  not (hasattr(k, "dtype") and str(k.dtype) == "bool"))
    bools = [k for k in key if hasattr(k, "dtype") and str(k.dtype) == "bool"]
    indexed += sum(len(k.shape) for k in bools)
    arrays = [k for k in key if hasattr(k, "shape") and str(k.dtype) != "bool"]
    out = len(shape) - indexed
    out += sum(1 for k in key if k is None)
    out += sum(1 for k in key if isinstance(k, slice))
    out += max([len(a.shape) for a in arrays], default=0) + (1 if bools else 0)
    return out


def setitem_rule(setitem_p: Any) -> Callable:
    """``x[key] = v`` as a functional update of the whole batch."""
    def rule(size, args, batched, key):
        x, v = args
        bx, bv = batched
        if not bx:
            x = _expand_batch(x, size)
        if bv:
            v = _lift(v, _indexed_rank(tuple(x.shape[1:]), key))
        return _p(setitem_p, x, v, key=_key_with_batch(key))
    return rule


def value_dependent_rule(name: str) -> Callable:
    """Primitives whose output shape depends on the values: vmap refuses them, with the fix."""
    def rule(size, args, batched, **params):
        raise BatchingError(
            f"polygrad.vmap: {name} gives an output whose shape depends on the values, which "
            f"differs between examples, so it cannot be batched; inside vmap use a fixed-size "
            f"form (np.where(mask, x, fill), np.sort, a size= argument where the function has "
            f"one) or loop over the examples in Python")
    return rule


def isin_rule(isin_p: Any) -> Callable:
    def rule(size, args, batched, invert):
        if batched[1]:   # a test set per example: no batched kernel
            return _loop(isin_p, size, args, batched, {"invert": invert}, warn=False)
        return _p(isin_p, args[0], args[1], invert=invert)   # elementwise in the elements
    return rule


def searchsorted_rule(searchsorted_p: Any) -> Callable:
    def rule(size, args, batched, side):
        if batched[0] or batched[2]:   # a sorted array per example: no batched kernel
            return _loop(searchsorted_p, size, args, batched, {"side": side}, warn=False)
        return _p(searchsorted_p, *args, side=side)   # any shape of values: elementwise in them
    return rule


def _index_per_example(trace: BatchTrace, prim: Any, args: list, batched: list,
                       params: dict) -> Array:
    """``getitem`` / ``scatter_add`` with index arrays that differ per example (as the
    derivatives of sort, median, quantile and interp make): one gather or scatter over the whole
    batch, the batch axis indexed by ``arange(size)`` broadcast against the examples' index
    arrays (NumPy's integer-array indexing), the result's axes then put in each example's order."""
    key = params["key"]
    size = trace.size
    if prim is not getitem_p and prim is not scatter_add_p:
        raise BatchingError(
            f"polygrad.vmap: {prim.name} with an index array that differs between examples is "
            f"not batched (x[i] = v with i batched); write it as np.where(mask, v, x) with a "
            f"per-example mask, or loop over the examples")
    arrays = [i for i, k in enumerate(key) if is_index_array(k)]
    if any(str(k.dtype).rpartition(".")[2] == "bool" for k in (key[i] for i in arrays)):
        raise BatchingError(
            "polygrad.vmap: a boolean mask beside an index array that differs between examples "
            "is not batched; index with integer arrays (np.nonzero of a fixed-size mask) instead")
    rank = max(len(key[i].shape) for i in arrays)
    x = args[0]
    b = x._backend
    # (made as the key's other integers are: on the backend's device, by Backend.asarray)
    first = b.xp.reshape(b.asarray([[i] for i in range(size)], dtype=int64),
                         (size,) + (1,) * rank)
    new = [first]
    for k in key:
        if getattr(k, "batch_trace", None) is trace:
            k = _native_index(reshape(k.value, (size,) + (1,) * (rank - len(k.shape))
                                      + tuple(k.shape)))
        new.append(k)
    new_key = tuple(new)
    contiguous = arrays == list(range(arrays[0], arrays[-1] + 1))
    before = arrays[0] if contiguous else 0   # the example's axes before its indexed block
    if prim is getitem_p:
        if not batched[0]:
            x = _expand_batch(x, size)
        out = getitem(x, new_key)
        return _move_block(out, 1, 1 + before, rank)
    v = args[0] if batched[0] else _expand_batch(args[0], size)
    v = _move_block(v, 1 + before, 1, rank)
    return scatter_add(v, (size,) + tuple(params["shape"]), new_key)


def _native_index(a: Array) -> Any:
    """The key entry of an index array: the backend's array, or a lower batching level's."""
    if a._trace is None or type(a._v) is _Batched:
        return a._v
    raise BatchingError(
        f"polygrad.vmap: an index array that differs between examples is here a tracer of "
        f"{a._trace.describe()}, which vmap cannot index with; compute the index arrays "
        f"outside that transformation or loop over the examples")


def _move_block(x: Array, source: int, destination: int, count: int) -> Array:
    """``x`` with its ``count`` axes from ``source`` moved to start at ``destination``."""
    if source == destination or count == 0:
        return x
    axes = list(range(x.ndim))
    block = axes[source:source + count]
    del axes[source:source + count]
    axes[destination:destination] = block
    return permute_dims(x, tuple(axes))


_warned: set[str] = set()


def _loop(prim: Any, size: int, args: list, batched: list, params: dict, warn: bool = True
          ) -> Any:
    """The fallback: the primitive once per example, the results stacked."""
    if warn and prim.name not in _warned:
        _warned.add(prim.name)
        warnings.warn(f"polygrad.vmap: the primitive {prim.name!r} has no batching rule; it runs "
                      f"once per example in a Python loop (slow). Register one with "
                      f"polygrad.extend.defbatch", RuntimeWarning, stacklevel=4)
    results = []
    for i in range(size):
        one = tuple(getitem(a, normal_form((i,), tuple(a.shape))) if b else a
                    for a, b in zip(args, batched))
        results.append(bind(prim, one, params))
    if prim.multiple_results:
        return tuple(_stack([r[k] for r in results]) for k in range(len(results[0])))
    return _stack(results)


def _stack(arrays: list) -> Array:
    return concat([_reshape(a, (1,) + tuple(a.shape)) for a in arrays], 0)


# the core layer's primitives (``_ops``); the namespace sets the rules of its own
defbatch(reshape_p, _reshape_rule)
defbatch(permute_dims_p, _permute_rule)
defbatch(broadcast_to_p, _broadcast_rule)
defbatch(concat_p, _concat_rule)
defbatch(getitem_p, _getitem_rule)
defbatch(scatter_add_p, _scatter_add_rule)
defbatch(sum_p, reduction_rule(sum_p))
defbatch(where_p, elementwise_rule(where_p))
defbatch(astype_p, elementwise_rule(astype_p))
defbatch(astype_discrete_p, elementwise_rule(astype_discrete_p))


# -- pg.vmap ------------------------------------------------------------------------------------
def _axes_for(prefix: Any, tree: Any, what: str, path: str = "") -> list:
    """The axis of every leaf of ``tree`` from ``prefix``, an int/None or a prefix tree of them."""
    if prefix is None or (isinstance(prefix, int) and not isinstance(prefix, bool)):
        return [prefix] * len(tree_flatten(tree)[0])
    if isinstance(prefix, (tuple, list)) and isinstance(tree, (tuple, list)) and \
            len(prefix) == len(tree):
        return [a for p, t, k in zip(prefix, tree, range(len(tree)))
                for a in _axes_for(p, t, what, f"{path}[{k}]")]
    if isinstance(prefix, dict) and isinstance(tree, dict) and set(prefix) == set(tree):
        return [a for k in tree for a in _axes_for(prefix[k], tree[k], what, f"{path}[{k!r}]")]
    raise ValueError(f"polygrad.vmap: {what}{' at ' + path if path else ''} must be an int, None "
                     f"or a tuple/list/dict of them structured like the "
                     f"{'arguments' if what == 'in_axes' else 'outputs'}; got {prefix!r} for "
                     f"{describe(tree)}")


def vmap(fun: Callable, in_axes: Any = 0, out_axes: Any = 0, axis_size: int | None = None
         ) -> Callable:
    """Vectorize ``fun`` over an axis of its arguments, as JAX's ``vmap``.

    ``in_axes``: for each positional argument the axis holding the batch (None: not batched),
    an int or None for all, or a tuple with one entry per argument (each an int, None or a tree
    like that argument). ``out_axes``: where the batch axis goes in each output (None: the
    output must not depend on the batch). ``axis_size``: the batch size, needed only when no
    argument is batched. Every primitive runs once on the whole batch.

    Examples
    --------
    >>> import polygrad as pg, polygrad.numpy as np
    >>> x = np.asarray([[1.0, 2.0], [3.0, 4.0]])
    >>> pg.vmap(lambda r: np.sum(r ** 2))(x).tolist()
    [5.0, 25.0]
    >>> pg.vmap(pg.grad(lambda r: np.sum(r ** 2)))(x).tolist()
    [[2.0, 4.0], [6.0, 8.0]]
    >>> pg.vmap(lambda a, b: a * b, in_axes=(1, None))(x, np.asarray([1.0, 10.0])).tolist()
    [[1.0, 30.0], [2.0, 40.0]]
    """
    if not callable(fun):
        raise TypeError(f"polygrad.vmap: fun must be callable, got {describe(fun)}")
    if axis_size is not None and (not isinstance(axis_size, int) or axis_size < 0):
        raise ValueError(f"polygrad.vmap: axis_size must be a non-negative int, got "
                         f"{axis_size!r}")

    @functools.wraps(fun)
    def vmapped(*args: Any) -> Any:
        if isinstance(in_axes, (tuple, list)) and len(in_axes) != len(args):
            raise ValueError(f"polygrad.vmap: in_axes has {len(in_axes)} entries but the function "
                             f"was called with {len(args)} positional arguments")
        axes = _axes_for(tuple(in_axes) if isinstance(in_axes, list) else in_axes,
                         args, "in_axes")
        leaves, structure = tree_flatten(args)
        size = axis_size
        arrays = []
        for leaf, ax in zip(leaves, axes):
            if ax is None:
                arrays.append(leaf)
                continue
            if type(leaf) is not Array:
                if isinstance(leaf, (bool, int, float, complex)) or leaf is None:
                    raise ValueError(f"polygrad.vmap: in_axes gives axis {ax} for a Python "
                                     f"scalar argument ({describe(leaf)}), which has no axes; "
                                     f"give it in_axes None")
                leaf = asarray(leaf)
            if not -leaf.ndim <= ax < leaf.ndim:
                raise ValueError(f"polygrad.vmap: in_axes gives axis {ax} for an argument of "
                                 f"shape {leaf.shape}, which has {leaf.ndim} axes")
            n = leaf.shape[ax]
            if size is None:
                size = n
            elif n != size:
                raise ValueError(f"polygrad.vmap: the batched axes have different sizes: "
                                 f"{size} and {n} (an argument of shape {leaf.shape}, in_axes "
                                 f"{ax}); every batched argument needs the same batch size")
            arrays.append((leaf, ax))
        if size is None:
            raise ValueError("polygrad.vmap: no argument is batched (every in_axes is None); "
                             "give axis_size= to say the batch size")
        trace = BatchTrace(size)
        with trace_scope(trace):
            boxed = [trace.box(moveaxis(a[0], a[1], 0)) if type(a) is tuple else a
                     for a in arrays]
            out = fun(*tree_unflatten(structure, boxed))
        out_leaves, out_structure = tree_flatten(out)
        oaxes = _axes_for(out_axes, out, "out_axes")
        results = []
        for leaf, ax in zip(out_leaves, oaxes):
            if type(leaf) is Array and leaf._trace is trace:
                value = leaf._v.value
                if ax is None:
                    raise ValueError("polygrad.vmap: out_axes is None for an output that varies "
                                     "over the batch; give it an axis")
                results.append(moveaxis(value, 0, ax))
                continue
            if ax is None:
                results.append(leaf)
                continue
            if type(leaf) is not Array:
                leaf = asarray(leaf)
            results.append(moveaxis(_expand_batch(leaf, size), 0, ax))
        return tree_unflatten(out_structure, results)
    return vmapped
