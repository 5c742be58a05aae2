"""Data type functions and objects of the Array API standard: astype, finfo, isdtype, ...

Imports the core and the namespace helpers.
"""

from __future__ import annotations

from typing import Any

from .. import _dtypes
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
from .._primitive import defjvp, defvjp, nondiff, primitive
from ._helpers import Array, as_array, bind

__all__ = ["astype", "can_cast", "finfo", "iinfo", "isdtype", "result_type", "bool", "int8",
           "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float32",
           "float64", "complex64", "complex128"]


def _astype_kernel(xp):
    return lambda x, dtype, native_dtype: xp.astype(x, native_dtype)


_astype = primitive("astype", _astype_kernel)
def _astype_vjp(g, ans, x, dtype, native_dtype):
    if g.dtype.kind == "c" and x.dtype.kind != "c":   # complex result of a real input
        from ._elementwise import real

        g = real(g)
    return astype(g, x.dtype)


defvjp(_astype, _astype_vjp)
defjvp(_astype, lambda t, ans, x, dtype, native_dtype: astype(t, dtype))
_astype_nondiff = nondiff(primitive("astype_discrete", _astype_kernel))


def astype(x, dtype, /, *, copy: bool = True, device: Any = None):
    """``x`` converted to ``dtype``; conversion to an integer or bool dtype has no derivative."""
    x = as_array(x)
    dtype = _dtypes.by_name(dtype)
    if not copy and x.dtype == dtype:
        return x
    params = {"dtype": dtype, "native_dtype": x._backend.native_dtype(dtype)}
    prim = _astype if dtype.is_floating and x.dtype.is_floating else _astype_nondiff
    return bind(prim, (x,), params)


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
        import numpy

        dt = _dtypes.by_name(type.dtype if isinstance(type, Array) else type)
        info = numpy.finfo(dt.name)
        self.bits, self.eps = info.bits, float(info.eps)
        self.max, self.min = float(info.max), float(info.min)
        self.smallest_normal = float(info.smallest_normal)
        self.dtype = dt


class iinfo:  # noqa: N801
    """Machine limits of an integer dtype."""

    def __init__(self, type: Any, /) -> None:  # noqa: A002
        import numpy

        dt = _dtypes.by_name(type.dtype if isinstance(type, Array) else type)
        info = numpy.iinfo(dt.name)
        self.bits, self.max, self.min, self.dtype = info.bits, int(info.max), int(info.min), dt


def result_type(*arrays_and_dtypes: Any) -> DType:
    """The dtype that combining these arrays and dtypes gives (NumPy's promotion rules)."""
    import numpy

    args = [(a.dtype if isinstance(a, Array) else a) for a in arrays_and_dtypes]
    args = [a.name if isinstance(a, DType) else a for a in args]
    return _dtypes.by_name(numpy.result_type(*args))


def can_cast(from_: Any, to: Any, /) -> bool:
    """Whether ``from_`` can be cast to ``to`` under the standard's safe-casting rules."""
    import numpy

    src = from_.dtype if isinstance(from_, Array) else from_
    return numpy.can_cast(_dtypes.by_name(src).name, _dtypes.by_name(to).name)


