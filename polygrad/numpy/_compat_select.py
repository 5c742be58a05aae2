"""NumPy's selection, insertion and in-place writing functions: choose, compress, extract,
select, piecewise, delete, insert, trim_zeros, apply_along_axis, ediff1d, put, place, putmask,
copyto, fill_diagonal; and ndim, shape, size, isscalar, iterable.

Compositions of indexing, ``where`` and ``x[idx] = v`` (differentiable in the values selected or
written). The in-place functions write through ``__setitem__``, so they work on every backend
(JAX arrays rebind). Imports the core, the namespace's category modules and the compat helpers.
"""

from __future__ import annotations

import math
from .._batching import per_example
from typing import Any

from .._backend import use_backend
from . import _elementwise as ew
from . import _manipulation as mp
from ._compat_helpers import _indices
from ._creation import arange, asarray, zeros
from ._data_types import astype
from ._helpers import Array, as_array
from ._indexing import take, take_along_axis
from ._searching import count_nonzero, nonzero
from ._utility import any as any_
from ._compat_build import resize
from ._compat_index import unravel_index

__all__ = ["choose", "compress", "extract", "select", "piecewise", "delete", "insert",
           "trim_zeros", "apply_along_axis", "apply_over_axes", "ediff1d", "put",
           "put_along_axis", "place", "putmask", "copyto", "fill_diagonal", "ndim", "shape",
           "size", "isscalar", "iterable"]


def _no_out(name: str, out: Any) -> None:
    if out is not None:
        raise TypeError(f"polygrad.numpy.{name}: out= is not supported (polygrad arrays are "
                        f"values; use the result)")


def choose(a: Any, choices: Any, out: Any = None, mode: str = "raise") -> Any:
    """``choices[a[i]][i]`` for every index ``i`` (all broadcast together); differentiable in
    ``choices``."""
    _no_out("choose", out)
    a = as_array(a)
    n = len(choices)
    if mode == "wrap":
        a = ew.remainder(a, n)
    elif mode == "clip":
        a = ew.clip(a, 0, n - 1)
    elif a.size and bool(any_((a < 0) | (a >= n))):
        raise ValueError("polygrad.numpy.choose: invalid entry in choice array")
    with use_backend(a._backend):
        parts = mp.broadcast_arrays(a, *[as_array(c) for c in choices])
    stacked = mp.stack(parts[1:], axis=0)
    picked = take_along_axis(stacked, mp.expand_dims(astype(parts[0], "int64"), axis=0), axis=0)
    return mp.squeeze(picked, axis=0)


def compress(condition: Any, a: Any, axis: Any = None, out: Any = None) -> Any:
    """The slices of ``a`` along ``axis`` where the 1-D ``condition`` is true."""
    _no_out("compress", out)
    a = as_array(a)
    cond = as_array(condition)
    if cond.ndim != 1:
        raise ValueError("polygrad.numpy.compress: condition must be a 1-d array")
    if axis is None:
        a, axis = mp.reshape(a, (-1,)), 0
    if cond.shape[0] > a.shape[axis]:
        cond = cond[: a.shape[axis]]
    return take(a, nonzero(cond)[0], axis=axis)


def extract(condition: Any, arr: Any) -> Any:
    """The elements of ``ravel(arr)`` where ``ravel(condition)`` is non-zero."""
    arr = mp.reshape(as_array(arr), (-1,))
    cond = mp.reshape(as_array(condition), (-1,))
    return take(arr, nonzero(cond)[0], axis=0)


def select(condlist: Any, choicelist: Any, default: Any = 0) -> Any:
    """The element of the first choice whose condition holds, ``default`` where none does."""
    if len(condlist) != len(choicelist):
        raise ValueError("polygrad.numpy.select: list of cases must be same length as list of "
                         "conditions")
    if not condlist:
        raise ValueError("polygrad.numpy.select: select with an empty condition list is not "
                         "possible")
    out = default
    for cond, choice in reversed(list(zip(condlist, choicelist))):
        cond = as_array(cond)
        if cond.dtype.kind != "b":
            raise TypeError(f"polygrad.numpy.select: invalid entry in condlist: should be "
                            f"boolean ndarray, got {cond.dtype}")
        out = ew.where(cond, choice, out)
    return out


def piecewise(x: Any, condlist: Any, funclist: Any, *args: Any, **kw: Any) -> Any:
    """``funclist[i](x[condlist[i]])`` where ``condlist[i]`` holds (a constant instead of a
    function gives that value); an extra function is the 'otherwise' case. Each function sees
    only its own elements, as in NumPy; differentiable through them."""
    x = as_array(x)
    if isinstance(condlist, Array) and condlist.ndim == x.ndim or isinstance(condlist, bool):
        condlist = [condlist]
    conds = [as_array(c) for c in condlist]
    if len(funclist) == len(conds) + 1:
        rest = conds[0] if len(conds) == 1 else mp.stack(conds, axis=0)
        rest = ew.logical_not(rest if len(conds) == 1 else any_(rest, axis=0))
        conds.append(rest)
    elif len(funclist) != len(conds):
        raise ValueError(f"polygrad.numpy.piecewise: with {len(conds)} condition(s), either "
                         f"{len(conds)} or {len(conds) + 1} functions are expected")
    with use_backend(x._backend):
        y = zeros(x.shape, dtype=x.dtype)
    for cond, func in zip(conds, funclist):
        cond = mp.broadcast_to(cond, x.shape)
        if not callable(func):
            y = ew.where(cond, func, y)
        elif per_example(cond):   # inside vmap: func of every element, selected per example
            y = ew.where(cond, func(x, *args, **kw), y)
        elif bool(any_(cond)):
            y[cond] = func(x[cond], *args, **kw)
    return y


def _positions(obj: Any, n: int, name: str) -> list:
    if isinstance(obj, slice):
        return list(range(n))[obj]
    if isinstance(obj, Array):
        obj = obj.tolist()
    items = [obj] if isinstance(obj, int) else list(obj)
    if items and isinstance(items[0], bool):
        return [i for i, keep in enumerate(items) if keep]
    out = []
    for i in items:
        if not -n <= i < n:
            raise IndexError(f"polygrad.numpy.{name}: index {i} is out of bounds for an axis "
                             f"of size {n}")
        out.append(i % n)
    return out


def delete(arr: Any, obj: Any, axis: Any = None) -> Any:
    """``arr`` without the sub-arrays at ``obj`` (int, slice, sequence or mask) along ``axis``."""
    arr = as_array(arr)
    if axis is None:
        arr, axis = mp.reshape(arr, (-1,)), 0
    n = arr.shape[axis]
    drop = set(_positions(obj, n, "delete"))
    return take(arr, _indices([i for i in range(n) if i not in drop], arr), axis=axis)


def insert(arr: Any, obj: Any, values: Any, axis: Any = None) -> Any:
    """``arr`` with ``values`` inserted before the index or indices ``obj`` along ``axis``."""
    arr = as_array(arr)
    if axis is None:
        arr, axis = mp.reshape(arr, (-1,)), 0
    axis %= arr.ndim
    n = arr.shape[axis]
    scalar = isinstance(obj, int)
    where = [obj] if scalar else (list(range(n + 1))[obj] if isinstance(obj, slice)
                                  else (obj.tolist() if isinstance(obj, Array) else list(obj)))
    where = [i + n + 1 if i < 0 else i for i in where]
    if any(not 0 <= i <= n for i in where):
        raise IndexError(f"polygrad.numpy.insert: index out of bounds for an axis of size {n}")
    with use_backend(arr._backend):
        vals = as_array(values) if isinstance(values, Array) else asarray(values, dtype=arr.dtype)
    vals = astype(vals, arr.dtype) if vals.dtype != arr.dtype else vals
    vals = mp.reshape(vals, (1,) * (arr.ndim - vals.ndim) + vals.shape)
    shape = list(arr.shape)
    if scalar:   # the values form one block of ``len(values)`` slices (NumPy's rule)
        vals = mp.moveaxis(vals, 0, axis)
        shape[axis] = vals.shape[axis]
        block = mp.broadcast_to(vals, tuple(shape))
        head = take(arr, _indices(range(where[0]), arr), axis=axis)
        tail = take(arr, _indices(range(where[0], n), arr), axis=axis)
        return mp.concat([head, block, tail], axis=axis)
    k = len(where)
    shape[axis] = k
    vals = mp.broadcast_to(vals, tuple(shape))
    order = sorted(range(k), key=lambda j: where[j])    # stable, as NumPy
    merged = mp.concat([arr, vals], axis=axis)
    index: list = []
    pos = 0
    for j in order:
        index.extend(range(pos, where[j]))
        pos = where[j]
        index.append(n + j)
    index.extend(range(pos, n))
    return take(merged, _indices(index, arr), axis=axis)


def trim_zeros(filt: Any, trim: str = "fb", axis: Any = None) -> Any:
    """``filt`` without its leading ('f') and/or trailing ('b') zeros (1-D)."""
    a = as_array(filt)
    if a.ndim != 1 or axis not in (None, 0, -1):
        raise ValueError("polygrad.numpy.trim_zeros: only 1-D input is supported")
    nz = nonzero(a != 0)[0].tolist()
    if not nz:
        return a[:0]
    start = nz[0] if "f" in trim.lower() else 0
    stop = nz[-1] + 1 if "b" in trim.lower() else a.shape[0]
    return a[start:stop]


def apply_along_axis(func1d: Any, axis: int, arr: Any, *args: Any, **kwargs: Any) -> Any:
    """``func1d`` applied to each 1-D slice of ``arr`` along ``axis``; its outputs' axes take
    that axis's place. Differentiable through ``func1d``."""
    arr = as_array(arr)
    axis %= arr.ndim
    moved = mp.moveaxis(arr, axis, -1)
    outer = moved.shape[:-1]
    flat = mp.reshape(moved, (math.prod(outer), moved.shape[-1]))
    results = [as_array(func1d(flat[i], *args, **kwargs)) for i in range(flat.shape[0])]
    if not results:
        raise ValueError("polygrad.numpy.apply_along_axis: cannot apply to an empty set of "
                         "slices")
    out = mp.reshape(mp.stack(results, axis=0), outer + results[0].shape)
    k = results[0].ndim
    perm = (tuple(range(axis)) + tuple(range(len(outer), len(outer) + k))
            + tuple(range(axis, len(outer))))
    return mp.permute_dims(out, perm)


def apply_over_axes(func: Any, a: Any, axes: Any) -> Any:
    """``func(a, axis)`` applied for each axis in turn, keeping the reduced axes."""
    val = as_array(a)
    for axis in (axes,) if isinstance(axes, int) else axes:
        axis %= val.ndim
        res = as_array(func(val, axis))
        if res.ndim == val.ndim:
            val = res
        elif res.ndim == val.ndim - 1:
            val = mp.expand_dims(res, axis=axis)
        else:
            raise ValueError("polygrad.numpy.apply_over_axes: function is not returning an "
                             "array of the correct shape")
    return val


def ediff1d(ary: Any, to_end: Any = None, to_begin: Any = None) -> Any:
    """Differences between consecutive elements of ``ravel(ary)``, with optional ends."""
    a = mp.reshape(as_array(ary), (-1,))
    parts = [a[1:] - a[:-1]]
    with use_backend(a._backend):
        if to_begin is not None:
            parts.insert(0, mp.reshape(as_array(to_begin) if isinstance(to_begin, Array)
                                       else asarray(to_begin, dtype=a.dtype), (-1,)))
        if to_end is not None:
            parts.append(mp.reshape(as_array(to_end) if isinstance(to_end, Array)
                                    else asarray(to_end, dtype=a.dtype), (-1,)))
    return mp.concat([astype(p, a.dtype) for p in parts], axis=0)


def _cycled(values: Any, n: int, like: Array) -> Array:
    """``values`` flattened and repeated to length ``n`` (NumPy's rule for put / place)."""

    with use_backend(like._backend):
        v = as_array(values) if isinstance(values, Array) else asarray(values, dtype=like.dtype)
    return resize(astype(v, like.dtype) if v.dtype != like.dtype else v, (n,))


def put(a: Array, ind: Any, v: Any, mode: str = "raise") -> None:
    """Write ``v`` (repeated as needed) at the flat indices ``ind`` of ``a``, in place."""
    flat_ind = mp.reshape(as_array(ind) if isinstance(ind, Array) else
                          _indices([ind] if isinstance(ind, int) else ind, a), (-1,))
    n = a.size
    if mode == "wrap":
        flat_ind = ew.remainder(flat_ind, n)
    elif mode == "clip":
        flat_ind = ew.clip(flat_ind, 0, n - 1)
    elif flat_ind.size and bool(any_((flat_ind < -n) | (flat_ind >= n))):
        raise IndexError(f"polygrad.numpy.put: index out of range for an array of size {n}")

    coords = unravel_index(ew.remainder(flat_ind, n), a.shape)
    a[coords] = _cycled(v, flat_ind.shape[0], a)


def put_along_axis(arr: Array, indices: Any, values: Any, axis: Any) -> None:
    """Write ``values`` at ``indices`` along ``axis`` of ``arr`` (matching the other axes),
    in place."""
    indices = as_array(indices)
    if axis is None:
        put(arr, mp.reshape(indices, (-1,)), values)
        return
    axis %= arr.ndim
    key = []
    for d in range(arr.ndim):
        if d == axis:
            key.append(indices)
        else:
            with use_backend(arr._backend):
                key.append(mp.reshape(arange(arr.shape[d]), tuple(
                    -1 if j == d else 1 for j in range(arr.ndim))))
    key = mp.broadcast_arrays(*key)
    vals = values if isinstance(values, Array) else asarray(values, dtype=arr.dtype,
                                                           device=arr.device)
    arr[tuple(key)] = mp.broadcast_to(astype(vals, arr.dtype), key[0].shape)


def place(arr: Array, mask: Any, vals: Any) -> None:
    """Write ``vals`` (repeated as needed) where ``mask`` is true, in order, in place."""
    mask = as_array(mask)
    count = int(count_nonzero(mask))
    if count == 0:
        return
    arr[mask] = _cycled(vals, count, arr)


def putmask(a: Array, /, mask: Any, values: Any) -> None:
    """``a[i] = values[i % len(values)]`` at the flat positions ``i`` where ``mask`` holds."""
    mask = mp.broadcast_to(as_array(mask), a.shape)
    filled = mp.reshape(_cycled(values, a.size, a), a.shape) if a.size else a
    a[...] = ew.where(mask, filled, a)


def copyto(dst: Array, src: Any, casting: str = "same_kind", where: Any = True) -> None:
    """Copy ``src`` (broadcast, cast to ``dst``'s dtype) into ``dst`` where ``where`` holds."""
    with use_backend(dst._backend):
        src = as_array(src) if isinstance(src, Array) else asarray(src, dtype=dst.dtype)
    src = mp.broadcast_to(astype(src, dst.dtype) if src.dtype != dst.dtype else src, dst.shape)
    if where is True:
        dst[...] = src
    else:
        dst[...] = ew.where(as_array(where), src, dst)


def fill_diagonal(a: Array, val: Any, wrap: bool = False) -> None:
    """Write ``val`` (repeated as needed) on the main diagonal of ``a``, in place; a tall
    2-D matrix wraps after N columns with ``wrap``."""
    if a.ndim < 2:
        raise ValueError("polygrad.numpy.fill_diagonal: array must be at least 2-d")
    if a.ndim == 2:
        rows, cols = a.shape
        step = cols + 1
        end = a.size if wrap else min(a.size, cols * cols)
        flat = list(range(0, end, step))
        key = (_indices([p // cols for p in flat], a), _indices([p % cols for p in flat], a))
    else:
        if len(set(a.shape)) != 1:
            raise ValueError("polygrad.numpy.fill_diagonal: all dimensions of input must be "
                             "of equal length")
        key = (_indices(range(a.shape[0]), a),) * a.ndim
    if key[0].shape[0]:
        a[key] = _cycled(val, key[0].shape[0], a)


def ndim(a: Any) -> int:
    """The number of dimensions of ``a``."""
    return a.ndim if isinstance(a, Array) else as_array(a).ndim


def shape(a: Any) -> tuple:
    """The shape of ``a``."""
    return a.shape if isinstance(a, Array) else as_array(a).shape


def size(a: Any, axis: Any = None) -> int:
    """The number of elements of ``a`` (along ``axis``, or an int tuple of axes)."""
    s = a.shape if isinstance(a, Array) else as_array(a).shape
    if axis is None:
        return math.prod(s)
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    return math.prod(s[d] for d in axes)


def isscalar(element: Any) -> bool:
    """Whether ``element`` is a scalar (a Python number, str or bytes; never an Array)."""
    if isinstance(element, (int, float, complex, bool, str, bytes)):
        return True
    try:
        # function-level: numpy is loaded on first use, not at import time
        import numpy

        return bool(numpy.isscalar(element))
    except ImportError:   # pragma: no cover
        return False


def iterable(y: Any) -> bool:
    """Whether ``iter(y)`` works (a 0-d Array is not iterable)."""
    if isinstance(y, Array):
        return y.ndim > 0
    try:
        iter(y)
    except TypeError:
        return False
    return True
