"""NumPy conveniences used by autograd / MinPy-style code, composed from the standard's functions.

Imports the namespace's category modules.
"""

from __future__ import annotations

from typing import Any

from . import _elementwise as ew
from . import _manipulation as mp
from ._creation import asarray
from ._helpers import as_array
from ._linear_algebra import matmul, tensordot

__all__ = ["array", "dot", "outer", "concatenate", "transpose", "power", "absolute",
           "arccos", "arcsin", "arctan", "arctan2", "arccosh", "arcsinh", "arctanh", "newaxis",
           "swapaxes", "ravel", "inner"]

newaxis = None


def array(obj: Any, dtype: Any = None, copy: bool = True) -> Any:
    """NumPy's ``array``: a new Array with a copy of ``obj``'s values."""
    return asarray(obj, dtype=dtype, copy=copy)


def dot(a: Any, b: Any) -> Any:
    """NumPy's ``dot``: matmul for 1-D and 2-D operands, a product for 0-d, and the sum over the
    last axis of ``a`` and the second-to-last of ``b`` otherwise."""
    a, b = as_array(a), as_array(b)
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    if a.ndim <= 2 and b.ndim <= 2:
        return matmul(a, b)
    return tensordot(a, b, axes=((a.ndim - 1,), (max(b.ndim - 2, 0),)))


def inner(a: Any, b: Any) -> Any:
    """NumPy's ``inner``: the sum over the last axes of ``a`` and ``b``."""
    a, b = as_array(a), as_array(b)
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    return tensordot(a, b, axes=((a.ndim - 1,), (b.ndim - 1,)))


def outer(a: Any, b: Any) -> Any:
    """The outer product of two vectors (inputs are flattened)."""
    return mp.reshape(as_array(a), (-1, 1)) * mp.reshape(as_array(b), (1, -1))


def concatenate(arrays: Any, axis: int | None = 0) -> Any:
    """NumPy's name for ``concat``."""
    return mp.concat([as_array(a) for a in arrays], axis=axis)


def transpose(a: Any, axes: Any = None) -> Any:
    """Reverse (or permute by ``axes``) the axes of ``a``."""
    a = as_array(a)
    return mp.permute_dims(a, tuple(range(a.ndim))[::-1] if axes is None else tuple(axes))


def swapaxes(a: Any, axis1: int, axis2: int) -> Any:
    a = as_array(a)
    order = list(range(a.ndim))
    order[axis1], order[axis2] = order[axis2], order[axis1]
    return mp.permute_dims(a, tuple(order))


def ravel(a: Any) -> Any:
    return mp.reshape(as_array(a), (-1,))


power = ew.pow
absolute = ew.abs
arccos = ew.acos
arcsin = ew.asin
arctan = ew.atan
arctan2 = ew.atan2
arccosh = ew.acosh
arcsinh = ew.asinh
arctanh = ew.atanh
