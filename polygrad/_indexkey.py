"""NumPy-style index keys in one normal form, so that a backend's indexing kernels stay small.

The core hands every ``getitem`` / ``setitem`` / ``scatter_add`` kernel (and
``Backend.setitem_inplace``) a key in **normal form** (``normal_form``):

* a tuple with one entry per axis of the indexed array, plus ``None`` entries (new axes); a
  boolean array covers as many axes as it has dimensions; the ``Ellipsis`` is expanded into full
  slices, and missing trailing axes get full slices;
* every ``int`` is in range and non-negative (an out-of-range one raised NumPy's ``IndexError``);
* every slice has explicit ``start``, ``stop`` (``None`` only where a negative step runs past
  index 0) and ``step``, within bounds; an empty slice is ``slice(0, 0, 1)``;
* where the key holds an index array, each ``int`` is a 0-d integer array of the backend (NumPy
  broadcasts it with the index arrays; libraries that read an int beside an array as basic
  indexing would not);
* index arrays are the backend's own integer or boolean arrays (never polygrad Arrays).

Libraries with NumPy's indexing (NumPy, JAX) index with it as it is. For the others, the helpers
below (exported by ``polygrad.extend``) do the rest with standard functions: ``flat_take`` (mixed
integer-array indexing as one ``take``), ``index_positions`` (the flat positions a key selects,
for scatters), ``masks_to_integers`` and ``flip_negative_steps``. Imports nothing but the standard
library; the helpers take the namespace ``xp``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["normal_form", "flat_take", "index_positions", "masks_to_integers",
           "flip_negative_steps", "is_index_array"]


def is_index_array(k: Any) -> bool:
    """Whether a normal-form key entry is an index array (else an int, a slice or None)."""
    return hasattr(k, "shape") and not isinstance(k, (int, slice))


def _is_bool(k: Any) -> bool:
    return str(getattr(k, "dtype", "")).rpartition(".")[2] == "bool"


def _axes(k: Any) -> int:
    """How many axes of the indexed array one entry covers."""
    if k is None or k is Ellipsis:
        return 0
    if is_index_array(k) and _is_bool(k):
        return len(k.shape)
    return 1


def normal_form(key: tuple, shape: tuple, int_array: Any = None) -> tuple:
    """``key`` (a tuple of ints, slices, None, Ellipsis and native index arrays) in normal form
    for an array of ``shape``; ``int_array(i)`` makes a 0-d integer array of the backend."""
    ellipses = sum(k is Ellipsis for k in key)
    if ellipses > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    ndim = len(shape)
    used = sum(_axes(k) for k in key)
    if used > ndim:
        raise IndexError(f"too many indices for array: array is {ndim}-dimensional, but {used} "
                         f"were indexed")
    arrays = any(is_index_array(k) for k in key)
    out: list = []
    axis = 0
    for k in key:
        if k is Ellipsis:
            out += [_slice(slice(None), shape[axis + j]) for j in range(ndim - used)]
            axis += ndim - used
            continue
        if k is None:
            out.append(None)
            continue
        n = shape[axis]
        if type(k) is int:
            if type(n) is int:
                if not -n <= k < n:
                    raise IndexError(f"index {k} is out of bounds for axis {axis} with size {n}")
                k = k + n if k < 0 else k
            if arrays and int_array is not None:
                k = int_array(k)
        elif type(k) is slice:
            k = _slice(k, n)
        out.append(k)
        axis += _axes(k)
    for d in range(axis, ndim):
        out.append(_slice(slice(None), shape[d]))
    return tuple(out)


def _slice(s: slice, n: Any) -> slice:
    if type(n) is not int:   # (an unknown length: a lazy array's)
        return s
    start, stop, step = s.indices(n)
    if not len(range(start, stop, step)):
        return slice(0, 0, 1)
    return slice(start, None if stop < 0 else stop, step)


def masks_to_integers(xp: Any, key: tuple) -> tuple:
    """A normal-form key with each boolean array replaced by its ``nonzero`` integer arrays (for
    libraries that take a mask only as the sole index; the values of the mask are read)."""
    out: list = []
    for k in key:
        if is_index_array(k) and _is_bool(k):
            out += list(xp.nonzero(k)) if len(k.shape) else [k]
        else:
            out.append(k)
    return tuple(out)


def flip_negative_steps(key: tuple, shape: tuple) -> tuple[list[int], tuple]:
    """For libraries without negative slice steps: the axes to flip and a key without negative
    steps, with ``flip(x, axes)[key2]`` equal to ``x[key]`` (a normal-form ``key``)."""
    axes, out, axis = [], [], 0
    for k in key:
        if type(k) is slice and k.step is not None and k.step < 0:
            n = shape[axis]
            start, stop, step = k.indices(n)
            # index i of x is index n-1-i of flip(x): the same elements, in the same order
            k = slice(n - 1 - start, n - 1 - stop, -step) if len(range(start, stop, step)) \
                else slice(0, 0, 1)
            axes.append(axis)
        out.append(k)
        axis += _axes(k)
    return axes, tuple(out)


def flat_take(xp: Any, x: Any, key: tuple) -> Any:
    """``x[key]`` for a normal-form key without masks, as NumPy indexes, with standard functions:
    a basic key indexes directly; with integer arrays, slice the other axes, bring the indexed
    axes to the front, then one ``take`` of flat positions."""
    adv = [i for i, e in enumerate(key) if is_index_array(e)]
    if not adv:
        return x[key]
    # each entry is one axis of y (an index array's becomes a full slice, a None a new axis)
    y = x[tuple(slice(None) if i in adv else e for i, e in enumerate(key))]
    rest = [i for i in range(len(key)) if i not in adv]
    y = xp.permute_dims(y, tuple(adv + rest))
    sizes = y.shape[:len(adv)]
    index = [xp.astype(key[i], xp.int64) for i in adv]
    index = xp.broadcast_arrays(*[xp.where(k < 0, k + n, k) for k, n in zip(index, sizes)])
    flat = None
    total = 1
    for k, n in zip(index, sizes):
        flat = k if flat is None else flat * n + k
        total *= n
    tail = tuple(y.shape[len(adv):])
    block = xp.reshape(y, (total,) + tail)
    s = tuple(index[0].shape)
    out = xp.reshape(xp.take(block, xp.reshape(flat, (-1,)), axis=0), s + tail)
    if adv == list(range(adv[0], adv[0] + len(adv))) and adv[0] > 0:
        # contiguous indexed axes keep their place (NumPy's rule)
        p, r = adv[0], len(rest)
        order = [len(s) + i for i in range(p)] + list(range(len(s))) + \
                [len(s) + i for i in range(p, r)]
        out = xp.permute_dims(out, tuple(order))
    return out


def index_positions(xp: Any, shape: tuple, key: tuple, device: Any = None) -> Any:
    """The flat positions (int64) a normal-form key without masks selects in an array of
    ``shape``, shaped as the result of indexing: what a scatter writes or adds at."""
    n = 1
    for d in shape:
        n *= d
    kw = {} if device is None else {"device": device}
    return flat_take(xp, xp.reshape(xp.arange(n, dtype=xp.int64, **kw), tuple(shape)), key)
