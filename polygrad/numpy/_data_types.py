"""Data type functions and objects of the Array API standard: astype, finfo, isdtype, ...

Imports the core and the namespace helpers.
"""

from __future__ import annotations

import builtins
from typing import Any

from .. import _dtypes, _ops
from .._dtypes import (
    DType,
    bool,
    complex64,
    complex128,
    float32,
    float64,
    int8,
    int16,
    int32,
    int64,
    uint8,
    uint16,
    uint32,
    uint64,
)
from .._ops import astype_p
from ._helpers import Array, as_array
from .._backend import get_backend, get_default_dtype

__all__ = ["astype", "can_cast", "finfo", "iinfo", "isdtype", "result_type", "bool", "int8",
           "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float32",
           "float64", "complex64", "complex128", "dtype"]


def dtype(dtype: Any, align: builtins.bool = False, copy: builtins.bool = False) -> DType:
    """NumPy's ``dtype``: the data type named by a string (``'float32'``), a Python type
    (``float`` is float64), a NumPy dtype or another polygrad dtype; equal to ``x.dtype``.

    Examples
    --------
    >>> import polygrad.numpy as np
    >>> np.dtype("float32") == np.asarray([1.0], dtype=np.float32).dtype
    True
    """
    return _dtypes.by_name(dtype)


_astype = astype_p   # defined with its rules in the core (_ops)


def astype(x, dtype, /, *, copy: bool = True, device: Any = None):
    """``x`` converted to ``dtype``; conversion to an integer or bool dtype has no derivative."""
    x = as_array(x)
    dtype = _dtypes.by_name(dtype)
    if not copy and x.dtype == dtype:
        return x
    return _ops.astype(x, dtype)


astype.primitive = _astype

_KINDS = {"bool": "b", "signed integer": "i", "unsigned integer": "u", "integral": "iu",
          "real floating": "f", "complex floating": "c", "numeric": "iufc"}


def isdtype(dtype: DType, kind: Any) -> bool:
    """Whether ``dtype`` is of ``kind`` (a dtype, a kind name, or a tuple of them)."""
    if isinstance(kind, tuple):
        return any(isdtype(dtype, k) for k in kind)
    if isinstance(kind, str):
        return _dtypes.by_name(dtype).kind in _KINDS[kind]
    return _dtypes.by_name(dtype) == kind


class finfo:  # noqa: N801
    """Machine limits of a floating dtype."""

    def __init__(self, type: Any, /) -> None:  # noqa: A002
        # function-level: numpy is loaded on first use, not at import time
        import numpy

        dt = _dtypes.by_name(type.dtype if isinstance(type, Array) else type)
        info = numpy.finfo(dt.name)
        self.bits, self.eps = info.bits, float(info.eps)
        self.max, self.min = float(info.max), float(info.min)
        self.smallest_normal = float(info.smallest_normal)
        # the standard: a complex dtype's limits are those of its real dtype
        self.dtype = {complex64: float32, complex128: float64}.get(dt, dt)


class iinfo:  # noqa: N801
    """Machine limits of an integer dtype."""

    def __init__(self, type: Any, /) -> None:  # noqa: A002
        # function-level: numpy is loaded on first use, not at import time
        import numpy

        dt = _dtypes.by_name(type.dtype if isinstance(type, Array) else type)
        info = numpy.iinfo(dt.name)
        self.bits, self.max, self.min, self.dtype = info.bits, int(info.max), int(info.min), dt


_PY_SCALARS = (builtins.bool, int, float, complex)


def result_type(*arrays_and_dtypes: Any) -> DType:
    """The dtype that combining these arrays, dtypes and Python scalars gives.

    polygrad's own promotion, the same on every backend: the Array API standard's table, NumPy 2's
    choices where the standard has none (int64 with float32 gives float64), and weak Python
    scalars (a float with a float32 array stays float32; with an integer array it gives the
    default float dtype). See the "Type promotion" section of the docs.

    Examples
    --------
    >>> import polygrad.numpy as np
    >>> np.result_type(np.uint8, np.int8), np.result_type(np.float32, 1.0)
    (int16, float32)
    """

    scalars = [a for a in arrays_and_dtypes if type(a) in _PY_SCALARS]
    found = [a.dtype if isinstance(a, Array) else _dtypes.by_name(a)
             for a in arrays_and_dtypes if type(a) not in _PY_SCALARS]
    if not found:
        raise TypeError("polygrad.numpy.result_type: needs at least one array or dtype")
    out = _dtypes.result_type(*found)
    arrays = [a for a in arrays_and_dtypes if isinstance(a, Array)]
    default = get_default_dtype(arrays[0]._backend if arrays else get_backend())
    for s in scalars:
        out = _dtypes.weak_result(out, s, default)
    return out


def can_cast(from_: Any, to: Any) -> bool:
    """Whether ``from_`` (an array or dtype) casts to ``to`` without loss: promoting the two
    gives ``to`` (the standard's safe casting; NumPy's between kinds)."""
    src = from_.dtype if isinstance(from_, Array) else from_
    return _dtypes.can_cast(_dtypes.by_name(src), _dtypes.by_name(to))
