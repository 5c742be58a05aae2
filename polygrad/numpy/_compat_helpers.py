"""Helpers shared by the NumPy-convenience modules (``_compat_*``): host-side indices, float casts.

Imports the core and the namespace's data-type functions.
"""

from __future__ import annotations

from typing import Any

from .._convert import asarray as _asarray
from ._data_types import astype
from ._helpers import Array
from .._backend import get_default_dtype


def _indices(values: Any, like: Array) -> Array:
    """An int64 index array on ``like``'s backend (index arithmetic is done on the host)."""
    return _asarray(list(values), dtype="int64", backend=like._backend)


def _along(axis: int, ndim: int, key: Any) -> tuple:
    return (slice(None),) * (axis % ndim) + (key,)


def _floating(x: Array) -> Array:
    """``x`` itself if it is floating, else cast to the backend's default float dtype."""
    if x.dtype.is_floating:
        return x

    return astype(x, get_default_dtype(x._backend))
