"""NumPy's array manipulation beyond the standard: atleast_*, flips, rot90, pad, stack, split.

Compositions of the standard's functions, differentiable to any order without rules of their
own. Imports the core, the namespace's category modules and the compat helpers.
"""

from __future__ import annotations

import builtins
from typing import Any

from .._backend import use_backend
from . import _manipulation as mp
from ._compat_helpers import _along, _indices
from ._creation import full
from ._data_types import astype
from ._helpers import Array, as_array
from ._indexing import take

__all__ = [
    # shape and movement
    "transpose", "swapaxes", "ravel", "rollaxis", "atleast_1d", "atleast_2d", "atleast_3d",
    "flipud", "fliplr", "rot90", "pad",
    # joining and splitting
    "concatenate", "hstack", "vstack", "column_stack", "dstack", "append", "split",
    "array_split", "vsplit", "hsplit", "dsplit",
]


# -- shape and movement ---------------------------------------------------------------------------
def transpose(a: Any, axes: Any = None) -> Any:
    """Reverse (or permute by ``axes``) the axes of ``a``."""
    a = as_array(a)
    return mp.permute_dims(a, tuple(range(a.ndim))[::-1] if axes is None else tuple(axes))


def swapaxes(a: Any, axis1: int, axis2: int) -> Any:
    """Interchange two axes of ``a``."""
    a = as_array(a)
    order = list(range(a.ndim))
    order[axis1], order[axis2] = order[axis2], order[axis1]
    return mp.permute_dims(a, tuple(order))


def ravel(a: Any, order: str = "C") -> Any:
    """``a`` flattened to 1-D (``order="F"``: first index fastest)."""
    return mp.reshape(as_array(a), (-1,), order)


def rollaxis(a: Any, axis: int, start: int = 0) -> Any:
    """Move ``axis`` to before position ``start`` (NumPy's older ``moveaxis``)."""
    a = as_array(a)
    n = a.ndim
    axis = mp._norm_axis(axis, n, "rollaxis")
    if not -n <= start <= n:
        raise ValueError(f"polygrad.numpy.rollaxis: start {start} is out of range for an "
                         f"array with {n} dimension(s)")
    start %= n + 1
    if axis < start:
        start -= 1
    order = [d for d in range(n) if d != axis]
    order.insert(start, axis)
    return mp.permute_dims(a, tuple(order))


def _atleast(arys: tuple, fix) -> Any:
    out = tuple(fix(as_array(a)) for a in arys)
    return out[0] if len(out) == 1 else out


def atleast_1d(*arys: Any) -> Any:
    """Each input with at least one dimension (one array, or a tuple for several)."""
    return _atleast(arys, lambda a: mp.reshape(a, (1,)) if a.ndim == 0 else a)


def atleast_2d(*arys: Any) -> Any:
    """Each input with at least two dimensions (a 1-D array becomes a row)."""
    return _atleast(arys, lambda a: mp.reshape(a, (1,) * (2 - a.ndim) + a.shape)
                    if a.ndim < 2 else a)


def _to_3d(a: Array) -> Array:
    if a.ndim == 0:
        return mp.reshape(a, (1, 1, 1))
    if a.ndim == 1:
        return mp.reshape(a, (1, a.shape[0], 1))
    if a.ndim == 2:
        return mp.reshape(a, a.shape + (1,))
    return a


def atleast_3d(*arys: Any) -> Any:
    """Each input with at least three dimensions: (n,) → (1, n, 1), (m, n) → (m, n, 1)."""
    return _atleast(arys, _to_3d)


def flipud(m: Any) -> Any:
    """Reverse the order along axis 0."""
    return mp.flip(as_array(m), axis=0)


def fliplr(m: Any) -> Any:
    """Reverse the order along axis 1."""
    m = as_array(m)
    if m.ndim < 2:
        raise ValueError("polygrad.numpy.fliplr: needs at least 2 dimensions")
    return mp.flip(m, axis=1)


def rot90(m: Any, k: int = 1, axes: tuple[int, int] = (0, 1)) -> Any:
    """Rotate by 90° ``k`` times in the plane of ``axes`` (from the first toward the second)."""
    m = as_array(m)
    a0, a1 = (mp._norm_axis(a, m.ndim, "rot90") for a in axes)
    if a0 == a1:
        raise ValueError("polygrad.numpy.rot90: the two axes must differ")
    k %= 4
    if k == 0:
        return m
    if k == 2:
        return mp.flip(m, axis=(a0, a1))
    if k == 1:
        return swapaxes(mp.flip(m, axis=a1), a0, a1)
    return mp.flip(swapaxes(m, a0, a1), axis=a1)


def _pad_pairs(width: Any, ndim: int, what: str) -> list:
    """NumPy's forms of a per-axis (before, after) spec: x, (x,), (b, a), ((b, a), ...)."""
    if type(width) is not Array and hasattr(width, "tolist"):   # a NumPy array of numbers
        width = width.tolist()
    if not isinstance(width, (list, tuple)):
        return [(width, width)] * ndim
    width = list(width)
    if builtins.all(not isinstance(w, (list, tuple)) for w in width):
        if len(width) == 1:
            return [(width[0], width[0])] * ndim
        if len(width) == 2:
            return [tuple(width)] * ndim
    pairs = [tuple(w) if isinstance(w, (list, tuple)) else (w,) for w in width]
    pairs = [p * 2 if len(p) == 1 else p for p in pairs]
    if len(pairs) == 1:
        pairs = pairs * ndim
    if len(pairs) != ndim or builtins.any(len(p) != 2 for p in pairs):
        raise ValueError(f"polygrad.numpy.pad: {what} {width!r} does not fit an array with "
                         f"{ndim} dimension(s)")
    return pairs


def _source_index(i: int, n: int, mode: str) -> int:
    """The position in an axis of length ``n`` that padded position ``i`` copies."""
    if mode == "edge":
        return builtins.min(builtins.max(i, 0), n - 1)
    if mode == "wrap":
        return i % n
    if mode == "reflect":
        if n == 1:
            return 0
        j = i % (2 * n - 2)
        return j if j < n else 2 * n - 2 - j
    j = i % (2 * n)   # symmetric: the edge itself is repeated
    return j if j < n else 2 * n - 1 - j


_PAD_MODES = ("constant", "edge", "reflect", "symmetric", "wrap")


def pad(array: Any, pad_width: Any, mode: str = "constant", **kwargs: Any) -> Any:
    """Pad ``array``; ``mode`` is constant (``constant_values``), edge, reflect, symmetric or wrap.

    Constant padding concatenates blocks; the other modes gather source positions, so the
    derivative of a padded element flows back to the element it copies.
    """
    x = as_array(array)
    if mode not in _PAD_MODES:
        raise NotImplementedError(f"polygrad.numpy.pad: mode {mode!r} is not supported; "
                                  f"use one of {', '.join(_PAD_MODES)}")
    if kwargs.get("reflect_type", "even") != "even":
        raise NotImplementedError("polygrad.numpy.pad: only reflect_type='even' is supported")
    pairs = _pad_pairs(pad_width, x.ndim, "pad_width")
    if builtins.any(int(w) < 0 for p in pairs for w in p):
        raise ValueError("polygrad.numpy.pad: pad_width must not be negative")
    values = _pad_pairs(kwargs.get("constant_values", 0), x.ndim, "constant_values")
    for ax, ((before, after), (v0, v1)) in enumerate(zip(pairs, values)):
        before, after = int(before), int(after)
        if before == after == 0:
            continue
        n = x.shape[ax]
        if mode == "constant":
            x = mp.concat([_block(x, ax, before, v0), x, _block(x, ax, after, v1)], axis=ax)
            continue
        if n == 0:
            raise ValueError(f"polygrad.numpy.pad: cannot pad an empty axis in mode {mode!r}")
        index = [_source_index(i, n, mode) for i in range(-before, n + after)]
        x = take(x, _indices(index, x), axis=ax)
    return x


def _block(x: Array, axis: int, length: int, value: Any) -> Array:
    shape = x.shape[:axis] + (length,) + x.shape[axis + 1:]
    if type(value) is Array:   # an Array fill value is differentiable
        return mp.broadcast_to(astype(value, x.dtype), shape)
    with use_backend(x._backend):
        return full(shape, value, dtype=x.dtype)


# -- joining and splitting ------------------------------------------------------------------------
def concatenate(arrays: Any, /, axis: int | None = 0, out: Any = None, *,
                dtype: Any = None) -> Any:
    """NumPy's name for ``concat``."""
    return mp.concat(arrays, axis, out, dtype=dtype)


def _tuple(arrays: Any, fix, dtype: Any = None) -> list:
    out = [fix(as_array(a) if dtype is None else astype(as_array(a), dtype)) for a in arrays]
    if not out:
        raise ValueError("polygrad.numpy: need at least one array to join")
    return out


def hstack(tup: Any, *, dtype: Any = None) -> Any:
    """Join along axis 1 (axis 0 for 1-D inputs)."""
    arrays = _tuple(tup, atleast_1d, dtype)
    return mp.concat(arrays, axis=0 if arrays[0].ndim == 1 else 1)


def vstack(tup: Any, *, dtype: Any = None) -> Any:
    """Join along axis 0, 1-D inputs becoming rows."""
    return mp.concat(_tuple(tup, atleast_2d, dtype), axis=0)


def dstack(tup: Any) -> Any:
    """Join along axis 2 (inputs made at least 3-D as by ``atleast_3d``)."""
    return mp.concat(_tuple(tup, atleast_3d), axis=2)


def column_stack(tup: Any) -> Any:
    """Join 1-D inputs as columns (2-D inputs as they are) along axis 1."""
    return mp.concat(_tuple(tup, lambda a: mp.reshape(a, (-1, 1)) if a.ndim < 2 else a), axis=1)


def append(arr: Any, values: Any, axis: int | None = None) -> Any:
    """``values`` appended to ``arr`` along ``axis`` (both flattened when None)."""
    arr, values = as_array(arr), as_array(values)
    if axis is None:
        return mp.concat([mp.reshape(arr, (-1,)), mp.reshape(values, (-1,))], axis=0)
    return mp.concat([arr, values], axis=axis)


def _split_at(a: Array, bounds: list, axis: int) -> list:
    n = a.shape[axis]
    edges = [0] + [builtins.min(builtins.max(b, 0), n) for b in bounds] + [n]
    return [a[_along(axis, a.ndim, slice(lo, builtins.max(lo, hi)))]
            for lo, hi in zip(edges[:-1], edges[1:])]


def array_split(ary: Any, indices_or_sections: Any, axis: int = 0) -> list:
    """Split into ``sections`` nearly equal parts (the first ones one longer), or at indices."""
    a = as_array(ary)
    axis = mp._norm_axis(axis, a.ndim, "array_split")
    if isinstance(indices_or_sections, int):
        k = indices_or_sections
        if k <= 0:
            raise ValueError("polygrad.numpy.array_split: the number of sections must be > 0")
        size, extra = divmod(a.shape[axis], k)
        bounds, at = [], 0
        for i in range(k - 1):
            at += size + (1 if i < extra else 0)
            bounds.append(at)
        return _split_at(a, bounds, axis)
    n = a.shape[axis]
    return _split_at(a, [i + n if i < 0 else i for i in indices_or_sections], axis)


def split(ary: Any, indices_or_sections: Any, axis: int = 0) -> list:
    """Split into ``sections`` equal parts (an error if they cannot be equal), or at indices."""
    a = as_array(ary)
    if isinstance(indices_or_sections, int):
        n = a.shape[mp._norm_axis(axis, a.ndim, "split")]
        if indices_or_sections <= 0 or n % indices_or_sections:
            raise ValueError(f"polygrad.numpy.split: an axis of length {n} does not split into "
                             f"{indices_or_sections} equal sections")
    return array_split(a, indices_or_sections, axis)


def hsplit(ary: Any, indices_or_sections: Any) -> list:
    """``split`` along axis 1 (axis 0 for 1-D arrays)."""
    a = as_array(ary)
    if a.ndim == 0:
        raise ValueError("polygrad.numpy.hsplit: needs at least 1 dimension")
    return split(a, indices_or_sections, 1 if a.ndim > 1 else 0)


def vsplit(ary: Any, indices_or_sections: Any) -> list:
    """``split`` along axis 0 of an array with at least 2 dimensions."""
    a = as_array(ary)
    if a.ndim < 2:
        raise ValueError("polygrad.numpy.vsplit: needs at least 2 dimensions")
    return split(a, indices_or_sections, 0)


def dsplit(ary: Any, indices_or_sections: Any) -> list:
    """``split`` along axis 2 of an array with at least 3 dimensions."""
    a = as_array(ary)
    if a.ndim < 3:
        raise ValueError("polygrad.numpy.dsplit: needs at least 3 dimensions")
    return split(a, indices_or_sections, 2)
