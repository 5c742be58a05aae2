"""Searching functions of the Array API standard; none of them is differentiable.

Imports the core and the namespace helpers.
"""

from __future__ import annotations

from .._primitive import defbatch, nondiff, primitive
from .._batching import reduction_rule, searchsorted_rule, value_dependent_rule
from ._helpers import Array, as_array, bind, into
from .._convert import asarray

__all__ = ["argmax", "argmin", "count_nonzero", "nonzero", "searchsorted"]

_argmax = nondiff(primitive("argmax", lambda xp: lambda x, axis, keepdims: xp.argmax(
    x, axis=axis, keepdims=keepdims)))
defbatch(_argmax, reduction_rule(_argmax, flat_none=True))   # pg.vmap
_argmin = nondiff(primitive("argmin", lambda xp: lambda x, axis, keepdims: xp.argmin(
    x, axis=axis, keepdims=keepdims)))
defbatch(_argmin, reduction_rule(_argmin, flat_none=True))   # pg.vmap


def argmax(a, axis: int | None = None, out=None, *, keepdims: bool = False):
    """Index of the first maximum along ``axis`` (of the flattened array when None)."""
    res = bind(_argmax, (as_array(a),), {"axis": axis, "keepdims": keepdims})
    return res if out is None else into(out, res, "argmax")


def argmin(a, axis: int | None = None, out=None, *, keepdims: bool = False):
    """Index of the first minimum along ``axis`` (of the flattened array when None)."""
    res = bind(_argmin, (as_array(a),), {"axis": axis, "keepdims": keepdims})
    return res if out is None else into(out, res, "argmin")


_nonzero = nondiff(primitive("nonzero", multiple_results=True))
defbatch(_nonzero, value_dependent_rule("nonzero"))   # pg.vmap


def nonzero(a):
    """Indices of the non-zero elements, one index array per axis."""
    return bind(_nonzero, (as_array(a),), {})


_count_nonzero = nondiff(primitive("count_nonzero", lambda xp: lambda x, axis, keepdims:
                                   xp.count_nonzero(x, axis=axis, keepdims=keepdims)))
defbatch(_count_nonzero, reduction_rule(_count_nonzero))   # pg.vmap


def count_nonzero(a, axis=None, *, keepdims: bool = False):
    """Number of non-zero elements over ``axis``."""
    if isinstance(axis, list):
        axis = tuple(axis)
    return bind(_count_nonzero, (as_array(a),), {"axis": axis, "keepdims": keepdims})


_searchsorted = nondiff(primitive("searchsorted", lambda xp: lambda x1, x2, sorter, side:
                                  xp.searchsorted(x1, x2, side=side, sorter=sorter)))
defbatch(_searchsorted, searchsorted_rule(_searchsorted))   # pg.vmap


def searchsorted(a, v, side: str = "left", sorter=None):
    """Indices where ``v``'s elements would be inserted into the 1-D ``a`` to keep it sorted
    (``a`` sorted ascending, or ordered by the indices ``sorter``); NumPy's signature (the
    standard's ``x1``, ``x2`` are positional-only).

    ``v`` may be a Python int or float (new in the 2025.12 standard); it takes ``a``'s dtype
    when its kind allows.

    Examples
    --------
    >>> import polygrad.numpy as np
    >>> np.searchsorted(np.asarray([1.0, 2.0, 3.0]), 2.5).tolist()
    2
    """
    if side not in ("left", "right"):
        raise ValueError(f"polygrad.numpy.searchsorted: side must be 'left' or 'right', "
                         f"got {side!r}")
    x1 = as_array(a)
    x2 = v if type(v) is Array else _scalar_like(v, x1)
    if sorter is not None:
        sorter = as_array(sorter)
    return bind(_searchsorted, (x1, x2, sorter), {"side": side})


def _scalar_like(value, x: Array) -> Array:
    """A Python scalar as an array on ``x``'s backend, with ``x``'s dtype where it fits."""

    kind = x.dtype.kind
    fits = not isinstance(value, bool) and (
        (isinstance(value, int) and kind in "iuf") or (isinstance(value, float) and kind == "f"))
    return asarray(value, dtype=x.dtype if fits else None, backend=x._backend)


argmax.primitive = _argmax
argmin.primitive = _argmin
nonzero.primitive = _nonzero
count_nonzero.primitive = _count_nonzero
searchsorted.primitive = _searchsorted
