"""NumPy-style integer-array indexing on dask arrays, built from lazy standard operations.

Dask indexes with one 1-D integer array at most; NumPy broadcasts all index arrays (and ints,
which the core's normal-form key makes 0-d arrays there) together. Here such keys become one
``take`` of flat positions (``polygrad.extend.flat_take``), and adding at positions (the VJP of
indexing) a ``bincount``. Functions take the
namespace ``xp``; imports Dask lazily.
"""

from __future__ import annotations

from typing import Any

from polygrad.extend import flat_take

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


def needs_flat_take(key: tuple) -> bool:
    """Whether dask would index differently from NumPy, or not at all: several or n-d index
    arrays, an int beside an index array (NumPy broadcasts it with the arrays; dask slices
    with it), or ``None`` beside one."""
    arrays = [k for k in key if is_array(k)]
    return bool(arrays) and (len(arrays) > 1 or arrays[0].ndim != 1 or
                             any(type(k) is int or k is None for k in key))


def index(xp: Any, x: Any, key: tuple) -> Any:
    """``x[key]`` for keys without boolean masks, as NumPy indexes."""
    if needs_flat_take(key):
        return flat_take(xp, x, key)
    entries = list(key)
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
