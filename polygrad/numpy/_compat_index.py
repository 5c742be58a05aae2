"""NumPy's index tricks and index arithmetic: r_, c_, s_, ix_, mgrid, ogrid, indices,
triu_indices, unravel_index, ravel_multi_index, argwhere, flatnonzero, ndindex, ndenumerate.

Index arithmetic runs on integer arrays of the argument's backend (or the current one) and has
no derivative; ``r_`` and ``c_`` concatenate (differentiable). Imports the core, the namespace's
category modules and the compat helpers.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

from .._backend import get_backend, use_backend
from . import _elementwise as ew
from . import _manipulation as mp
from ._creation import arange, asarray, linspace, ones
from ._data_types import astype, result_type
from ._helpers import Array, as_array
from ._searching import nonzero
from ._utility import any as any_

__all__ = ["r_", "c_", "s_", "index_exp", "ix_", "mgrid", "ogrid", "indices", "triu_indices",
           "tril_indices", "triu_indices_from", "tril_indices_from", "diag_indices",
           "diag_indices_from", "mask_indices", "unravel_index", "ravel_multi_index",
           "argwhere", "flatnonzero", "ndindex", "ndenumerate"]


def _backend_of(items: Any):
    for item in items:
        if isinstance(item, Array):
            return item._backend
    return get_backend()


def _range(s: slice, what: str) -> Array:
    """``start:stop:step`` as arange, or as linspace with ``num`` points for a complex step."""
    start = 0 if s.start is None else s.start
    step = 1 if s.step is None else s.step
    if s.stop is None:
        raise ValueError(f"polygrad.numpy.{what}: a slice needs a stop")
    if isinstance(step, complex):
        return linspace(start, s.stop, int(abs(step)), endpoint=True)
    return arange(start, s.stop, step)


class _Concatenator:
    """``r_`` / ``c_``: index-syntax concatenation (NumPy's ``AxisConcatenator``)."""

    def __init__(self, name: str, axis: int, ndmin: int, trans1d: int) -> None:
        self._name, self._axis, self._ndmin, self._trans1d = name, axis, ndmin, trans1d

    def _lift(self, arr: Array, ndmin: int, trans1d: int) -> Array:
        if arr.ndim >= ndmin:
            return arr
        k2 = ndmin - arr.ndim
        arr = mp.reshape(arr, (1,) * k2 + arr.shape)
        if trans1d != -1:
            k1 = trans1d + k2 + 1 if trans1d < 0 else trans1d
            axes = list(range(ndmin))
            arr = mp.permute_dims(arr, tuple(axes[:k1] + axes[k2:] + axes[k1:k2]))
        return arr

    def __getitem__(self, key: Any) -> Array:
        key = key if isinstance(key, tuple) else (key,)
        axis, ndmin, trans1d = self._axis, self._ndmin, self._trans1d
        with use_backend(_backend_of(key)):
            parts: list = []
            scalars: list = []
            for k, item in enumerate(key):
                if isinstance(item, str):
                    if k != 0 or item in ("r", "c"):
                        raise ValueError(f"polygrad.numpy.{self._name}: only a leading "
                                         f"'axis[,ndmin[,trans1d]]' string is supported "
                                         f"(no matrix directives), got {item!r}")
                    vals = [int(v) for v in item.split(",")]
                    axis = vals[0]
                    ndmin = vals[1] if len(vals) > 1 else ndmin
                    trans1d = vals[2] if len(vals) > 2 else trans1d
                    continue
                if isinstance(item, slice):
                    arr = _range(item, self._name)
                elif isinstance(item, (int, float, complex, bool)):
                    scalars.append(len(parts))
                    arr = item
                else:
                    arr = as_array(item)
                parts.append(arr)
            arrays = [p for p in parts if isinstance(p, Array)]
            weak = [p for p in parts if not isinstance(p, Array)]
            dtype = result_type(*arrays, *weak) if arrays else None
            out = []
            for p in parts:
                p = asarray(p, dtype=dtype) if not isinstance(p, Array) else p
                if dtype is not None and p.dtype != dtype:
                    p = astype(p, dtype)
                out.append(self._lift(p, max(ndmin, 1), trans1d))
            if not out:
                return asarray([])
            return mp.concat(out, axis=axis)

    def __len__(self) -> int:
        return 0


r_ = _Concatenator("r_", 0, 1, -1)
c_ = _Concatenator("c_", -1, 2, 0)


class _IndexExpression:
    """``s_`` / ``index_exp``: the index object written with slice syntax."""

    def __init__(self, maketuple: bool) -> None:
        self._maketuple = maketuple

    def __getitem__(self, item: Any) -> Any:
        return (item,) if self._maketuple and not isinstance(item, tuple) else item


s_ = _IndexExpression(False)
index_exp = _IndexExpression(True)


class _Grid:
    """``mgrid`` (dense) / ``ogrid`` (open): coordinate grids from slices."""

    def __init__(self, sparse: bool) -> None:
        self._sparse = sparse

    def __getitem__(self, key: Any) -> Any:
        name = "ogrid" if self._sparse else "mgrid"
        if isinstance(key, slice):
            return _range(key, name)
        ranges = [_range(k, name) for k in key]
        floating = any(r.dtype.is_floating for r in ranges)
        if floating:
            ranges = [r if r.dtype.is_floating else astype(r, "float64") for r in ranges]
        n = len(ranges)
        shaped = [mp.reshape(r, tuple(-1 if d == i else 1 for d in range(n)))
                  for i, r in enumerate(ranges)]
        if self._sparse:
            return tuple(shaped)
        shape = tuple(r.shape[0] for r in ranges)
        return mp.stack([mp.broadcast_to(s, shape) for s in shaped], axis=0)


mgrid = _Grid(False)
ogrid = _Grid(True)


def ix_(*args: Any) -> tuple:
    """Open-mesh index arrays: the k-th sequence reshaped to lie along axis k (a boolean
    sequence gives the indices of its True entries)."""
    out = []
    n = len(args)
    with use_backend(_backend_of(args)):
        for k, seq in enumerate(args):
            a = as_array(seq) if isinstance(seq, Array) or len(seq) else asarray([], dtype="int64")
            if a.ndim != 1:
                raise ValueError("polygrad.numpy.ix_: every input must be one-dimensional")
            if a.dtype.kind == "b":
                a = nonzero(a)[0]
            out.append(mp.reshape(a, (1,) * k + (a.shape[0],) + (1,) * (n - k - 1)))
    return tuple(out)


def indices(dimensions: Any, dtype: Any = int, sparse: bool = False) -> Any:
    """The index grid of an array of shape ``dimensions``: stacked (or, with ``sparse``, a
    tuple of broadcastable arrays)."""
    dims = tuple(int(d) for d in dimensions)
    n = len(dims)
    grids = [mp.reshape(arange(d, dtype=dtype), tuple(d if j == i else 1 for j in range(n)))
             for i, d in enumerate(dims)]
    if sparse:
        return tuple(grids)
    if not grids:
        return asarray([], dtype=dtype)
    return mp.stack([mp.broadcast_to(g, dims) for g in grids], axis=0)


def _host_pairs(pairs: list) -> tuple:
    rows = asarray([p[0] for p in pairs], dtype="int64")
    cols = asarray([p[1] for p in pairs], dtype="int64")
    return rows, cols


def triu_indices(n: int, k: int = 0, m: int | None = None) -> tuple:
    """Row and column indices of the upper triangle (from diagonal ``k``) of an n×m array."""
    m = n if m is None else m
    return _host_pairs([(i, j) for i in range(n) for j in range(m) if j - i >= k])


def tril_indices(n: int, k: int = 0, m: int | None = None) -> tuple:
    """Row and column indices of the lower triangle (to diagonal ``k``) of an n×m array."""
    m = n if m is None else m
    return _host_pairs([(i, j) for i in range(n) for j in range(m) if j - i <= k])


def _square_2d(arr: Any, name: str) -> Array:
    arr = as_array(arr)
    if arr.ndim != 2:
        raise ValueError(f"polygrad.numpy.{name}: input array must be 2-d")
    return arr


def triu_indices_from(arr: Any, k: int = 0) -> tuple:
    """``triu_indices`` for the shape of the 2-D ``arr`` (on its backend)."""
    arr = _square_2d(arr, "triu_indices_from")
    with use_backend(arr._backend):
        return triu_indices(arr.shape[-2], k=k, m=arr.shape[-1])


def tril_indices_from(arr: Any, k: int = 0) -> tuple:
    """``tril_indices`` for the shape of the 2-D ``arr`` (on its backend)."""
    arr = _square_2d(arr, "tril_indices_from")
    with use_backend(arr._backend):
        return tril_indices(arr.shape[-2], k=k, m=arr.shape[-1])


def diag_indices(n: int, ndim: int = 2) -> tuple:
    """The indices of the main diagonal of an n×…×n array: ``ndim`` copies of ``arange(n)``."""
    idx = arange(n)
    return (idx,) * ndim


def diag_indices_from(arr: Any) -> tuple:
    """``diag_indices`` for ``arr``, whose sides must all be equal."""
    arr = as_array(arr)
    if arr.ndim < 2 or len(set(arr.shape)) != 1:
        raise ValueError("polygrad.numpy.diag_indices_from: all dimensions of the input must "
                         "be of equal length (and at least 2 of them)")
    with use_backend(arr._backend):
        return diag_indices(arr.shape[0], arr.ndim)


def mask_indices(n: int, mask_func: Any, k: int = 0) -> tuple:
    """The indices where ``mask_func(ones((n, n)), k)`` is non-zero (e.g. ``triu``)."""
    m = mask_func(ones((n, n), dtype="int64"), k)
    return nonzero(as_array(m) != 0)


def _check_order(order: str, name: str) -> None:
    if order not in ("C", "F"):
        raise ValueError(f"polygrad.numpy.{name}: order must be 'C' or 'F', got {order!r}")


def unravel_index(indices: Any, shape: Any, order: str = "C") -> tuple:
    """The tuple of coordinate arrays of flat ``indices`` into an array of ``shape``."""
    _check_order(order, "unravel_index")
    shape = (int(shape),) if isinstance(shape, int) else tuple(int(s) for s in shape)
    idx = as_array(indices)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"polygrad.numpy.unravel_index: indices must be integers, got "
                        f"{idx.dtype}")
    size = math.prod(shape)
    if idx.size and bool(any_((idx < 0) | (idx >= size))):
        raise ValueError(f"polygrad.numpy.unravel_index: an index is out of bounds for an "
                         f"array of size {size}")
    dims = list(enumerate(shape))
    out: list = [None] * len(shape)
    for d, n in (reversed(dims) if order == "C" else dims):
        out[d] = ew.remainder(idx, n)
        idx = ew.floor_divide(idx, n)
    return tuple(out)


def ravel_multi_index(multi_index: Any, dims: Any, mode: Any = "raise",
                      order: str = "C") -> Any:
    """Flat indices of the coordinate arrays ``multi_index`` into an array of shape ``dims``;
    ``mode`` 'raise', 'wrap' or 'clip' (one for all, or one per dimension)."""
    _check_order(order, "ravel_multi_index")
    dims = tuple(int(d) for d in dims)
    if len(multi_index) != len(dims):
        raise ValueError(f"polygrad.numpy.ravel_multi_index: {len(multi_index)} coordinate "
                         f"arrays for {len(dims)} dimensions")
    modes = (mode,) * len(dims) if isinstance(mode, str) else tuple(mode)
    strides = [math.prod(dims[d + 1:]) if order == "C" else math.prod(dims[:d])
               for d in range(len(dims))]
    with use_backend(_backend_of(multi_index)):
        coords = [as_array(c) for c in multi_index]
        flat = None
        for c, n, md, stride in zip(coords, dims, modes, strides):
            if md == "wrap":
                c = ew.remainder(c, n)
            elif md == "clip":
                c = ew.clip(c, 0, n - 1)
            elif c.size and bool(any_((c < 0) | (c >= n))):
                raise ValueError("polygrad.numpy.ravel_multi_index: invalid entry in "
                                 "coordinates array")
            term = astype(c, "int64") * stride
            flat = term if flat is None else flat + term
    return flat


def argwhere(a: Any) -> Any:
    """The indices of the non-zero elements, one row per element (shape ``(N, a.ndim)``)."""
    a = as_array(a)
    if a.ndim == 0:
        return argwhere(mp.reshape(a, (1,)))[:, :0]
    return mp.stack(nonzero(a), axis=-1)


def flatnonzero(a: Any) -> Any:
    """The indices of the non-zero elements of ``ravel(a)``."""
    return nonzero(mp.reshape(as_array(a), (-1,)))[0]


class ndindex:  # noqa: N801
    """An iterator over the index tuples of an array of the given shape (C order)."""

    def __init__(self, *shape: Any) -> None:
        if len(shape) == 1 and isinstance(shape[0], tuple):
            shape = shape[0]
        self._it = itertools.product(*(range(int(s)) for s in shape))

    def __iter__(self) -> ndindex:
        return self

    def __next__(self) -> tuple:
        return next(self._it)


class ndenumerate:  # noqa: N801
    """An iterator of ``(index, arr[index])`` pairs over ``arr`` (values are 0-d Arrays)."""

    def __init__(self, arr: Any) -> None:
        self._arr = as_array(arr)
        self._it = ndindex(self._arr.shape)

    def __iter__(self) -> ndenumerate:
        return self

    def __next__(self) -> tuple:
        index = next(self._it)
        return index, self._arr[index]
