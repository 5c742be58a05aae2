"""NumPy-style integer-array indexing on dask arrays, built from lazy standard operations.

Dask indexes with one 1-D integer array at most and treats an int beside it as a slice; NumPy
broadcasts all index arrays (and ints) together. Here such keys become one ``take`` of flat
positions, and adding at positions (the VJP of indexing) a ``bincount``. Functions take the
namespace ``xp``; imports Dask lazily.
"""

from __future__ import annotations

from typing import Any

__all__ = ["is_array", "has_mask", "needs_flat_take", "index", "positions", "add_at", "size"]


def is_array(k: Any) -> bool:
    return hasattr(k, "shape")


def has_mask(key: tuple) -> bool:
    return any(is_array(k) and k.dtype == bool for k in key)


def size(shape: tuple) -> int:
    n = 1
    for d in shape:
        n *= d
    return n


def _expand(key: tuple, ndim: int) -> list:
    """One entry per axis (plus ``None``s): the Ellipsis becomes full slices."""
    used = sum(k is not None and k is not Ellipsis for k in key)
    out: list = []
    for k in key:
        if k is Ellipsis:
            out += [slice(None)] * (ndim - used)
            used = ndim
        else:
            out.append(k)
    return out + [slice(None)] * (ndim - used)


def needs_flat_take(key: tuple) -> bool:
    """Whether dask would index differently from NumPy, or not at all: several or n-d index
    arrays, an int beside an index array (NumPy broadcasts it with the arrays; dask slices
    with it), or ``None`` beside one."""
    arrays = [k for k in key if is_array(k)]
    return bool(arrays) and (len(arrays) > 1 or arrays[0].ndim != 1 or
                             any(type(k) is int or k is None for k in key))


def _flat_take(xp: Any, x: Any, key: tuple) -> Any:
    """``x[key]`` as NumPy indexes with integer arrays: slice the other axes, bring the indexed
    axes to the front, then one ``take`` of flat positions from the flattened block."""
    entries = _expand(key, x.ndim)
    adv = [i for i, e in enumerate(entries) if is_array(e) or type(e) is int]
    y = x[tuple(slice(None) if i in adv else e for i, e in enumerate(entries))]
    rest = [i for i in range(len(entries)) if i not in adv]
    y = xp.permute_dims(y, tuple(adv + rest))
    sizes = y.shape[:len(adv)]
    index = [xp.asarray(entries[i], dtype=xp.int64) for i in adv]
    index = xp.broadcast_arrays(*[xp.where(k < 0, k + n, k) for k, n in zip(index, sizes)])
    flat = 0
    for k, n in zip(index, sizes):
        flat = flat * n + k
    block = xp.reshape(y, (size(sizes),) + y.shape[len(adv):])
    s = index[0].shape
    out = xp.reshape(xp.take(block, xp.reshape(flat, (-1,)), axis=0), s + y.shape[len(adv):])
    if adv == list(range(adv[0], adv[0] + len(adv))) and adv[0] > 0:
        # contiguous indexed axes keep their place (NumPy's rule)
        p = adv[0]
        order = [len(s) + i for i in range(p)] + list(range(len(s))) + \
                [len(s) + i for i in range(p, len(rest))]
        out = xp.permute_dims(out, tuple(order))
    return out


def index(xp: Any, x: Any, key: tuple) -> Any:
    """``x[key]`` for keys without boolean masks, as NumPy indexes."""
    if needs_flat_take(key):
        return _flat_take(xp, x, key)
    entries = _expand(key, x.ndim)
    at = [i for i, e in enumerate(entries) if is_array(e)]
    if at and entries[at[0]].shape == (1,):
        # dask (2025.x) gives x[k] the shape of x for a lazy k of length 1 (the values are
        # right): index with k twice, then keep the first
        i = at[0]
        entries[i] = xp.concat([entries[i], entries[i]])
        out = x[tuple(entries)]
        axis = sum(type(e) is slice for e in entries[:i])
        return out[(slice(None),) * axis + (slice(0, 1),)]
    return x[key]


def positions(xp: Any, shape: tuple, key: tuple) -> Any:
    """The flat positions ``key`` selects in an array of ``shape`` (same shape as ``x[key]``)."""
    return index(xp, xp.reshape(xp.arange(size(shape), dtype=xp.int64), shape), key)


def add_at(xp: Any, v: Any, shape: tuple, key: tuple) -> Any:
    """Zeros of ``shape`` with ``v`` added at the integer-array ``key``: a ``bincount`` of the
    flat positions, so repeated positions add up (complex: real and imaginary parts apart)."""
    import dask.array as da

    pos = positions(xp, shape, key)
    w = xp.reshape(xp.broadcast_to(v, pos.shape), (-1,))
    pos = xp.reshape(pos, (-1,))
    w = w.rechunk(pos.chunks)
    parts = [da.bincount(pos, weights=p, minlength=size(shape)) for p in
             ((xp.real(w), xp.imag(w)) if xp.isdtype(w.dtype, "complex floating") else (w,))]
    out = parts[0] if len(parts) == 1 else parts[0] + 1j * parts[1]
    return xp.reshape(xp.astype(out, v.dtype), shape)
