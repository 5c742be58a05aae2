"""Manipulation functions of the Array API standard (reshape, permute_dims, concat, ...).

Each is linear: its JVP is the function of the tangent, its VJP the transposed manipulation.
Imports the core and the namespace helpers.
"""

from __future__ import annotations

from collections.abc import Sequence

from .._batching import along_axis_rule
from .._ops import broadcast_to_p, concat_p, permute_dims_p, reshape_p
from .._primitive import defbatch, deflinear, primitive
from ._helpers import Array, apply_native, as_array, bind, into
from ._indexing import link_view
from ._promotion import promote
from ._data_types import astype
from .._convert import asarray
from ._indexing import take

__all__ = ["broadcast_arrays", "broadcast_shapes", "broadcast_to", "concat", "expand_dims", "flip",
           "moveaxis", "permute_dims", "repeat", "reshape", "roll", "squeeze", "stack", "tile",
           "unstack"]


def _norm_axis(axis: int, ndim: int, fname: str) -> int:
    if not -ndim <= axis < ndim:
        raise ValueError(f"polygrad.numpy.{fname}: axis {axis} is out of range for an array "
                         f"with {ndim} dimension(s)")
    return axis % ndim


_reshape = reshape_p   # defined with its rule in the core


def reshape(a, /, shape: Sequence[int], order: str = "C", *, copy: bool | None = None):
    """Give ``a`` a new shape with the same number of elements (one entry may be -1);
    ``order="F"`` reads and writes the elements with the first index changing fastest."""
    if type(shape) is not tuple:
        shape = (shape,) if isinstance(shape, int) else tuple(shape)
    if order != "C" and order != "A":
        return _reshape_fortran(a, shape, order)
    if type(a) is Array and a._trace is None:
        out = apply_native(_reshape, a._backend, (a._v,), {"shape": shape})
    else:
        out = bind(_reshape, (a,), {"shape": shape})
    if copy:
        return astype(out, out.dtype, copy=True)
    if type(a) is Array:   # a view of a, whether or not the library copied
        link_view(out, a, read=reshape, unread=_reshape_back, arg=shape)
    return out


def _reshape_back(v, base, shape):
    return reshape(v, base.shape)


def _reshape_fortran(a, shape: tuple, order: str):
    if order != "F":
        raise ValueError(f"polygrad.numpy.reshape: order must be 'C', 'F' or 'A', got {order!r}")
    a = as_array(a)
    reverse = tuple(range(a.ndim))[::-1]
    flat = reshape(permute_dims(a, reverse), shape[::-1])
    return permute_dims(flat, tuple(range(flat.ndim))[::-1])


reshape.primitive = _reshape

_permute_dims = permute_dims_p   # defined in the core layer, with its rules


def _inverse(axes: Sequence[int]) -> tuple[int, ...]:
    inv = [0] * len(axes)
    for i, a in enumerate(axes):
        inv[a] = i
    return tuple(inv)


def permute_dims(a, axes: tuple[int, ...] | None = None):
    """Permute the axes of ``a`` (reverse them when ``axes`` is None)."""
    x = as_array(a)
    ndim = x.ndim
    if axes is None:
        axes = tuple(range(ndim))[::-1]
    axes = tuple(_norm_axis(a, ndim, "permute_dims") for a in axes)
    if sorted(axes) != list(range(ndim)):
        raise ValueError(f"polygrad.numpy.permute_dims: axes {axes} is not a permutation of "
                         f"the {ndim} axes")
    out = bind(_permute_dims, (x,), {"axes": axes})
    if type(x) is Array:   # a view of x, as in NumPy
        link_view(out, x, read=permute_dims, unread=_permute_back, arg=axes)
    return out


def _permute_back(v, base, axes):
    return permute_dims(v, _inverse(axes))


permute_dims.primitive = _permute_dims


def expand_dims(a, axis: int | tuple[int, ...]):
    """Insert axes of length one at ``axis`` (an int or a tuple of positions in the result)."""
    x = as_array(a)
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    ndim = x.ndim + len(axes)
    positions = {_norm_axis(a, ndim, "expand_dims") for a in axes}
    if len(positions) != len(axes):
        raise ValueError(f"polygrad.numpy.expand_dims: axis {axis} repeats a position")
    dims = iter(x.shape)
    return reshape(x, tuple(1 if i in positions else next(dims) for i in range(ndim)))


def squeeze(a, axis: int | tuple[int, ...] | None = None):
    """Remove axes of length one (all of them when ``axis`` is None)."""
    x = as_array(a)
    shape = x.shape
    if axis is None:
        return reshape(x, tuple(d for d in shape if d != 1))
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    axes = {_norm_axis(a, len(shape), "squeeze") for a in axes}
    for a in axes:
        if shape[a] != 1:
            raise ValueError(f"polygrad.numpy.squeeze: axis {a} has length {shape[a]}, not 1")
    return reshape(x, tuple(d for i, d in enumerate(shape) if i not in axes))


_broadcast_to = broadcast_to_p   # defined with its rule in the core


def broadcast_to(array, shape: tuple[int, ...]):
    """Broadcast ``array`` to ``shape`` (an int: a 1-D shape)."""
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    return bind(_broadcast_to, (array,), {"shape": shape})


broadcast_to.primitive = _broadcast_to


def broadcast_arrays(*args):
    """Broadcast arrays against each other (a tuple, as the 2025.12 standard says)."""
    arrays = tuple(as_array(a) for a in args)
    shape: tuple[int, ...] = ()
    for a in arrays:
        shape = _broadcast_shapes(shape, a.shape)
    return tuple(a if a.shape == shape else broadcast_to(a, shape) for a in arrays)


def _broadcast_shapes(s1: tuple, s2: tuple, fname: str = "broadcast_arrays") -> tuple:
    n = max(len(s1), len(s2))
    s1 = (1,) * (n - len(s1)) + tuple(s1)
    s2 = (1,) * (n - len(s2)) + tuple(s2)
    out = []
    for a, b in zip(s1, s2):
        if a != b and a != 1 and b != 1:
            raise ValueError(f"polygrad.numpy.{fname}: shapes {s1} and {s2} do not "
                             f"broadcast")
        out.append(b if a == 1 else a)
    return tuple(out)


def broadcast_shapes(*shapes: tuple[int, ...]) -> tuple[int, ...]:
    """The shape that arrays of ``shapes`` broadcast to (no arrays needed).

    Examples
    --------
    >>> import polygrad.numpy as np
    >>> np.broadcast_shapes((3, 1), (4,), ())
    (3, 4)
    """
    out: tuple[int, ...] = ()
    for shape in shapes:
        out = _broadcast_shapes(out, tuple(shape), "broadcast_shapes")
    return out


def _slice_along(g, axis: int, start: int, stop: int):
    key = (slice(None),) * axis + (slice(start, stop),)
    return g[key]


_concat = concat_p   # defined in the core layer, with its rules


def concat(arrays, /, axis: int | None = 0, out=None, *, dtype=None):
    """Join arrays along an existing axis (``axis=None`` flattens them first); ``dtype``: cast
    them to it first; ``out``: write the result into that Array (NumPy's signature)."""
    arrays = _joined(arrays, dtype, "concat")
    if out is not None:
        return into(out, concat(arrays, axis), "concat")
    if axis is None:
        arrays = tuple(reshape(a, (-1,)) for a in arrays)
        axis = 0
    axis = _norm_axis(axis, arrays[0].ndim, "concat")
    return bind(_concat, promote(*arrays), {"axis": axis})


concat.primitive = _concat


def _joined(arrays, dtype, fname: str) -> tuple:
    if type(arrays) is Array:   # NumPy joins the subarrays along the first axis
        arrays = unstack(arrays)
    arrays = tuple(a if type(a) is Array else as_array(a) for a in arrays)
    if not arrays:
        raise ValueError(f"polygrad.numpy.{fname}: needs at least one array")
    if dtype is not None:
        arrays = tuple(astype(a, dtype) for a in arrays)
    return arrays


def stack(arrays, axis: int = 0, out=None, *, dtype=None):
    """Join arrays along a new axis (``dtype``, ``out``: as for :func:`concat`)."""
    arrays = _joined(arrays, dtype, "stack")
    if out is not None:
        return into(out, stack(arrays, axis), "stack")
    axis = _norm_axis(axis, arrays[0].ndim + 1, "stack")
    return concat([expand_dims(a, axis) for a in arrays], axis=axis)


def unstack(x, /, *, axis: int = 0):
    """Split ``x`` into a tuple of arrays along ``axis``."""
    axis = _norm_axis(axis, x.ndim, "unstack")
    return tuple(x[(slice(None),) * axis + (i,)] for i in range(x.shape[axis]))


def moveaxis(a, source, destination):
    """Move axes of ``a`` to new positions."""
    x = as_array(a)
    ndim = x.ndim
    src = [source] if isinstance(source, int) else list(source)
    dst = [destination] if isinstance(destination, int) else list(destination)
    src = [_norm_axis(a, ndim, "moveaxis") for a in src]
    dst = [_norm_axis(a, ndim, "moveaxis") for a in dst]
    order = [a for a in range(ndim) if a not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return permute_dims(x, tuple(order))


_flip = primitive("flip", lambda xp: lambda x, axis: xp.flip(x, axis=axis))
defbatch(_flip, along_axis_rule(_flip))   # pg.vmap
deflinear(_flip, lambda g, ans, x, axis: flip(g, axis=axis))


def flip(m, axis: int | tuple[int, ...] | None = None):
    """Reverse the order of elements along ``axis`` (a view of ``m``, as in NumPy)."""
    if isinstance(axis, list):
        axis = tuple(axis)
    out = bind(_flip, (m,), {"axis": axis})
    if type(m) is Array:
        link_view(out, m, read=_flip_again, unread=_flip_back, arg=axis)
    return out


def _flip_again(base, axis):
    return flip(base, axis=axis)


def _flip_back(v, base, axis):
    return flip(v, axis=axis)


flip.primitive = _flip

_roll = primitive("roll", lambda xp: lambda x, shift, axis: xp.roll(x, shift, axis=axis))
defbatch(_roll, along_axis_rule(_roll, default_flat=True))   # pg.vmap
deflinear(_roll, lambda g, ans, x, shift, axis: roll(
    g, tuple(-s for s in shift) if isinstance(shift, tuple) else -shift, axis=axis))


def roll(a, shift, axis=None):
    """Shift elements along ``axis`` (flattened when None), wrapping around."""
    if isinstance(shift, list):
        shift = tuple(shift)
    if isinstance(axis, list):
        axis = tuple(axis)
    return bind(_roll, (a,), {"shift": shift, "axis": axis})


roll.primitive = _roll


def tile(A, reps: int | tuple[int, ...]):  # noqa: N803
    """Repeat ``A`` as a whole ``reps[i]`` times along each axis (an int: along the last)."""
    x = as_array(A)
    reps = (reps,) if isinstance(reps, int) else tuple(reps)
    n = max(len(reps), x.ndim)
    reps = (1,) * (n - len(reps)) + reps
    shape = (1,) * (n - x.ndim) + x.shape
    # insert a broadcast axis before each axis, then merge: exact and differentiable
    y = reshape(x, tuple(d for s in shape for d in (1, s)))
    y = broadcast_to(y, tuple(d for r, s in zip(reps, shape) for d in (r, s)))
    return reshape(y, tuple(r * s for r, s in zip(reps, shape)))


def repeat(a, repeats, axis: int | None = None):
    """Repeat each element ``repeats`` times along ``axis`` (flattened when None); ``repeats``
    is an int, or one count per element, or one count for all (broadcast)."""
    x = as_array(a)
    if axis is None:
        x = reshape(x, (-1,))
        axis = 0
    axis = _norm_axis(axis, x.ndim, "repeat")
    if isinstance(repeats, int):
        shape = x.shape
        y = expand_dims(x, axis + 1)
        y = broadcast_to(y, shape[:axis + 1] + (repeats,) + shape[axis + 1:])
        return reshape(y, shape[:axis] + (shape[axis] * repeats,) + shape[axis + 1:])

    counts = repeats.tolist() if type(repeats) is Array else repeats
    counts = [int(c) for c in ([counts] if isinstance(counts, int) else counts)]
    if len(counts) == 1:
        counts = counts * x.shape[axis]
    if len(counts) != x.shape[axis]:
        raise ValueError(f"polygrad.numpy.repeat: {len(counts)} repeats for an axis of length "
                         f"{x.shape[axis]}; give one count, or one per element")
    index = [i for i, c in enumerate(counts) for _ in range(c)]
    if not index:
        return _slice_along(x, axis, 0, 0)
    return take(x, asarray(index, dtype="int64", backend=x._backend), axis=axis)
