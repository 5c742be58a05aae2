"""Searching functions of the Array API standard; none of them is differentiable.

Imports the core and the namespace helpers.
"""

from __future__ import annotations

from .._primitive import nondiff, primitive
from ._helpers import as_array, bind

__all__ = ["argmax", "argmin", "count_nonzero", "nonzero", "searchsorted"]

_argmax = nondiff(primitive("argmax", lambda xp: lambda x, axis, keepdims: xp.argmax(
    x, axis=axis, keepdims=keepdims)))
_argmin = nondiff(primitive("argmin", lambda xp: lambda x, axis, keepdims: xp.argmin(
    x, axis=axis, keepdims=keepdims)))


def argmax(x, /, *, axis: int | None = None, keepdims: bool = False):
    """Index of the first maximum along ``axis`` (of the flattened array when None)."""
    return bind(_argmax, (as_array(x),), {"axis": axis, "keepdims": keepdims})


def argmin(x, /, *, axis: int | None = None, keepdims: bool = False):
    """Index of the first minimum along ``axis`` (of the flattened array when None)."""
    return bind(_argmin, (as_array(x),), {"axis": axis, "keepdims": keepdims})


_nonzero = nondiff(primitive("nonzero", multiple_results=True))


def nonzero(x, /):
    """Indices of the non-zero elements, one index array per axis."""
    return bind(_nonzero, (as_array(x),), {})


_count_nonzero = nondiff(primitive("count_nonzero", lambda xp: lambda x, axis, keepdims:
                                   xp.count_nonzero(x, axis=axis, keepdims=keepdims)))


def count_nonzero(x, /, *, axis=None, keepdims: bool = False):
    """Number of non-zero elements over ``axis``."""
    if isinstance(axis, list):
        axis = tuple(axis)
    return bind(_count_nonzero, (as_array(x),), {"axis": axis, "keepdims": keepdims})


_searchsorted = nondiff(primitive("searchsorted", lambda xp: lambda x1, x2, side, sorter:
                                  xp.searchsorted(x1, x2, side=side, sorter=sorter)))


def searchsorted(x1, x2, /, *, side: str = "left", sorter=None):
    """Indices where ``x2``'s elements would be inserted into sorted ``x1``."""
    return bind(_searchsorted, (as_array(x1), as_array(x2), ), {"side": side, "sorter": sorter})
