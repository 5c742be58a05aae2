"""NumPy's array-building functions beyond the standard: block, row_stack, tri, vander, identity,
geomspace, logspace, fromfunction, fromiter, copy, asanyarray, require, diagflat, resize.

Compositions of the standard's functions (differentiable in their array arguments). Imports the
core, the namespace's category modules and the compat helpers.
"""

from __future__ import annotations

import math
from typing import Any

from .._backend import use_backend
from . import _elementwise as ew
from . import _manipulation as mp
from ._compat_helpers import _floating
from ._creation import arange, asarray, eye, linspace, ones, ones_like
from ._data_types import astype
from ._helpers import Array, as_array
from ._utility import all as all_
from ._compat_shape import vstack
from ._compat_index import indices
from ._compat_products import diag

__all__ = ["block", "row_stack", "tri", "vander", "identity", "geomspace", "logspace",
           "fromfunction", "fromiter", "copy", "asanyarray", "ascontiguousarray",
           "asfortranarray", "asarray_chkfinite", "require", "diagflat", "resize"]


def _depth(arrays: Any) -> int:
    return 1 + _depth(arrays[0]) if isinstance(arrays, list) and arrays else int(
        isinstance(arrays, list))


def _block(arrays: Any, depth: int, max_depth: int, ndim: int) -> Array:
    if not isinstance(arrays, list):
        a = as_array(arrays)
        return mp.reshape(a, (1,) * (ndim - a.ndim) + a.shape)
    axis = -(max_depth - depth)
    return mp.concat([_block(a, depth + 1, max_depth, ndim) for a in arrays], axis=axis)


def _leaf_ndims(arrays: Any) -> list:
    if isinstance(arrays, list):
        return [n for a in arrays for n in _leaf_ndims(a)]
    if isinstance(arrays, tuple):
        raise TypeError("polygrad.numpy.block: nest lists, not tuples")
    return [getattr(arrays, "ndim", 0)]


def block(arrays: Any) -> Any:
    """Assemble an array from nested lists of blocks (the innermost lists join along the last
    axis, the next ones along the second last, ...)."""
    depth = _depth(arrays)
    ndim = max(max(_leaf_ndims(arrays), default=0), depth)
    return _block(arrays, 0, depth, ndim)


def row_stack(tup: Any, *, dtype: Any = None, casting: str = "same_kind") -> Any:
    """``vstack`` (NumPy's older name)."""

    out = vstack(tup)
    return out if dtype is None else astype(out, dtype)


def tri(N: int, M: int | None = None, k: int = 0, dtype: Any = float) -> Any:  # noqa: N803
    """An N×M array with ones at and below the ``k``-th diagonal."""
    M = N if M is None else M  # noqa: N806
    rows = mp.reshape(arange(N), (N, 1))
    cols = mp.reshape(arange(M), (1, M))
    return astype(cols - rows <= k, dtype)


def vander(x: Any, N: int | None = None, increasing: bool = False) -> Any:  # noqa: N803
    """The Vandermonde matrix of the 1-D ``x``: columns ``x**(N-1), ..., x, 1`` (reversed with
    ``increasing``)."""
    x = as_array(x)
    if x.ndim != 1:
        raise ValueError("polygrad.numpy.vander: x must be a one-dimensional array")
    n = x.shape[0] if N is None else N
    powers = range(n) if increasing else range(n - 1, -1, -1)
    cols = [x ** p if p else ones_like(x) for p in powers]
    if not cols:
        return mp.reshape(x, (x.shape[0], 1))[:, :0]
    return mp.stack(cols, axis=1)


def identity(n: int, dtype: Any = None) -> Any:
    """The n×n identity matrix."""
    return eye(n, dtype=dtype)


def _spaced_exponents(start: Any, stop: Any, num: int, endpoint: bool) -> Array:
    return linspace(start, stop, num, endpoint=endpoint)


def logspace(start: Any, stop: Any, num: int = 50, endpoint: bool = True, base: Any = 10.0,
             dtype: Any = None, axis: int = 0) -> Any:
    """``base ** linspace(start, stop, num)``."""
    if isinstance(start, Array) or isinstance(stop, Array) or axis != 0:
        return _along_axis(lambda s, e: logspace(s, e, num, endpoint, base), start, stop,
                           axis, dtype)
    out = ew.pow(float(base), _spaced_exponents(start, stop, num, endpoint))
    return out if dtype is None else astype(out, dtype)


def geomspace(start: Any, stop: Any, num: int = 50, endpoint: bool = True, dtype: Any = None,
              axis: int = 0) -> Any:
    """Numbers evenly spaced on a log scale from ``start`` to ``stop`` (the end points exact;
    negative ends give negative numbers)."""
    if isinstance(start, Array) or isinstance(stop, Array) or axis != 0:
        return _along_axis(lambda s, e: geomspace(s, e, num, endpoint), start, stop, axis, dtype)
    if start == 0 or stop == 0:
        raise ValueError("polygrad.numpy.geomspace: geometric sequence cannot include zero")
    sign = -1.0 if start < 0 and stop < 0 else 1.0
    lo, hi = math.log10(abs(start)), math.log10(abs(stop))
    out = sign * ew.pow(10.0, _spaced_exponents(lo, hi, num, endpoint))
    if num > 0:
        out[0] = float(start)
        if endpoint and num > 1:
            out[-1] = float(stop)
    return out if dtype is None else astype(out, dtype)


def _along_axis(fn, start: Any, stop: Any, axis: int, dtype: Any) -> Array:
    """``fn`` for every pair of broadcast ``start``/``stop`` elements, the samples along
    ``axis`` (used for array end points, which NumPy allows)."""
    s, e = as_array(start), as_array(stop)
    s, e = mp.broadcast_arrays(_floating(s), _floating(e))
    flat_s, flat_e = mp.reshape(s, (-1,)), mp.reshape(e, (-1,))
    with use_backend(s._backend):
        cols = [fn(float(flat_s[i]), float(flat_e[i])) for i in range(flat_s.shape[0])]
    out = mp.reshape(mp.stack(cols, axis=-1), (cols[0].shape[0],) + s.shape) if cols else None
    if out is None:
        raise ValueError("polygrad.numpy: array end points must not be empty")
    out = mp.moveaxis(out, 0, axis)
    return out if dtype is None else astype(out, dtype)


def fromfunction(function: Any, shape: Any, *, dtype: Any = float, **kwargs: Any) -> Any:
    """``function(*coordinate_arrays)``: the coordinates of an array of ``shape`` (as
    ``dtype``), passed together."""

    return function(*indices(shape, dtype=dtype), **kwargs)


def fromiter(iter: Any, dtype: Any, count: int = -1) -> Any:  # noqa: A002
    """A 1-D array from the first ``count`` items of an iterable (all when -1)."""
    items = []
    for i, v in enumerate(iter):
        if count >= 0 and i >= count:
            break
        items.append(v)
    if count >= 0 and len(items) < count:
        raise ValueError(f"polygrad.numpy.fromiter: iterator too short: expected {count} "
                         f"items, got {len(items)}")
    return asarray(items, dtype=dtype)


def copy(a: Any, order: str = "K", subok: bool = False) -> Any:
    """A copy of ``a`` (differentiable: the identity)."""
    if isinstance(a, Array):
        return asarray(a, copy=True)
    return asarray(a)


def asanyarray(a: Any, dtype: Any = None, order: Any = None, *, device: Any = None,
               copy: bool | None = None) -> Any:
    """``asarray`` (polygrad has no array subclasses)."""
    return asarray(a, dtype=dtype, device=device, copy=copy)


def ascontiguousarray(a: Any, dtype: Any = None) -> Any:
    """``asarray``: polygrad arrays expose no memory layout, and backends keep their own."""
    return asarray(a, dtype=dtype)


def asfortranarray(a: Any, dtype: Any = None) -> Any:
    """``asarray``: polygrad arrays expose no memory layout, and backends keep their own."""
    return asarray(a, dtype=dtype)


def require(a: Any, dtype: Any = None, requirements: Any = None) -> Any:
    """``asarray`` with ``dtype``; layout and writeability requirements hold for every
    polygrad array (writes go through ``x[idx] = v``)."""
    return asarray(a, dtype=dtype)


def asarray_chkfinite(a: Any, dtype: Any = None, order: Any = None) -> Any:
    """``asarray`` that raises ValueError when an element is infinite or NaN."""
    out = asarray(a, dtype=dtype)
    if out.dtype.is_floating and not bool(all_(ew.isfinite(out))):
        raise ValueError("polygrad.numpy.asarray_chkfinite: array must not contain infs or "
                         "NaNs")
    return out


def diagflat(v: Any, k: int = 0) -> Any:
    """A 2-D array with the flattened ``v`` on its ``k``-th diagonal."""

    return diag(mp.reshape(as_array(v), (-1,)), k)


def resize(a: Any, new_shape: Any) -> Any:
    """``a``'s elements repeated (C order) to fill ``new_shape``."""
    a = as_array(a)
    shape = (int(new_shape),) if isinstance(new_shape, int) else tuple(int(s) for s in new_shape)
    if any(s < 0 for s in shape):
        raise ValueError("polygrad.numpy.resize: all elements of new_shape must be "
                         "non-negative")
    size = math.prod(shape)
    flat = mp.reshape(a, (-1,))
    if size == 0:
        return mp.reshape(flat[:0], shape)
    if a.size == 0:
        with use_backend(a._backend):
            return ones(shape, dtype=a.dtype) * 0
    reps = -(-size // a.size)
    return mp.reshape(mp.concat([flat] * reps, axis=0)[:size], shape)

