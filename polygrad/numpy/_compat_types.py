"""NumPy's names for data types and the type hierarchy: the C-style aliases (``double``,
``int_``, ``intp``, ...), the abstract types (``floating``, ``integer``, ...) with
``issubdtype``, ``promote_types``, ``common_type``, and a few constants and helpers
(``euler_gamma``, ``little_endian``, ``base_repr``, ``binary_repr``, ``einsum_path``).

The aliases are the standard's dtype objects themselves. Imports the core and the namespace's
data-type functions.
"""

from __future__ import annotations

import sys
from typing import Any

from .. import _dtypes
from .._dtypes import (
    DType,
    bool,
    complex64,
    complex128,
    float16,
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
from ._helpers import Array

__all__ = ["bool_", "byte", "short", "intc", "int_", "intp", "long", "longlong", "ubyte",
           "ushort", "uintc", "uint", "uintp", "ulong", "ulonglong", "float16", "half", "single",
           "double", "longdouble", "clongdouble",
           "csingle", "cdouble", "True_", "False_", "generic", "number", "integer",
           "signedinteger", "unsignedinteger", "inexact", "floating", "complexfloating",
           "issubdtype", "promote_types", "common_type", "euler_gamma", "little_endian",
           "base_repr", "binary_repr", "einsum_path"]

bool_ = bool
byte, short, intc, int_, intp, long, longlong = int8, int16, int32, int64, int64, int64, int64
ubyte, ushort, uintc, uint, uintp, ulong, ulonglong = (uint8, uint16, uint32, uint64, uint64,
                                                       uint64, uint64)
half, single, double, csingle, cdouble = float16, float32, float64, complex64, complex128
# no backend has extended precision: long double is double, as NumPy's on Windows and macOS/ARM
longdouble, clongdouble = float64, complex128
True_, False_ = True, False
euler_gamma = 0.5772156649015329
little_endian = sys.byteorder == "little"


# -- the abstract types: classes over dtype kinds, for ``issubdtype`` ---------------------------
class generic:  # noqa: N801
    """NumPy's root of the scalar-type hierarchy (any dtype)."""

    kinds = "biufc"


class number(generic):  # noqa: N801
    """Any numeric dtype."""

    kinds = "iufc"


class integer(number):  # noqa: N801
    """Any integer dtype."""

    kinds = "iu"


class signedinteger(integer):  # noqa: N801
    """The signed integer dtypes."""

    kinds = "i"


class unsignedinteger(integer):  # noqa: N801
    """The unsigned integer dtypes."""

    kinds = "u"


class inexact(number):  # noqa: N801
    """The real and complex floating dtypes."""

    kinds = "fc"


class floating(inexact):  # noqa: N801
    """The real floating dtypes."""

    kinds = "f"


class complexfloating(inexact):  # noqa: N801
    """The complex floating dtypes."""

    kinds = "c"


_ABSTRACT = {"generic": generic, "number": number, "integer": integer,
             "signedinteger": signedinteger, "unsignedinteger": unsignedinteger,
             "inexact": inexact, "floating": floating, "complexfloating": complexfloating}


def _abstract(arg: Any) -> type | None:
    if isinstance(arg, type) and issubclass(arg, generic):
        return arg
    if isinstance(arg, type) and arg.__module__ == "numpy":   # numpy.floating and the like
        return _ABSTRACT.get(arg.__name__)
    return None


def issubdtype(arg1: Any, arg2: Any) -> bool:
    """Whether dtype ``arg1`` is ``arg2`` or below it in NumPy's type hierarchy
    (``issubdtype(x.dtype, np.floating)``)."""
    a1, a2 = _abstract(arg1), _abstract(arg2)
    if a1 is not None:
        return a2 is not None and issubclass(a1, a2)
    d1 = _dtypes.by_name(arg1.dtype if isinstance(arg1, Array) else arg1)
    if a2 is not None:
        return d1.kind in a2.kinds
    return d1 == _dtypes.by_name(arg2)


def promote_types(type1: Any, type2: Any, /) -> DType:
    """The smallest dtype both ``type1`` and ``type2`` cast to (polygrad's promotion)."""
    return _dtypes.result_type(_dtypes.by_name(type1), _dtypes.by_name(type2))


def common_type(*arrays: Any) -> DType:
    """The inexact dtype the arrays' values convert to without loss (integers → float64;
    float16 alone, or no arrays, → float16, as NumPy's)."""
    size, cplx = 2, False
    for a in arrays:
        d = a.dtype
        if d.kind == "c":
            cplx, size = True, max(size, d.itemsize // 2)
        elif d.kind == "f":
            size = max(size, d.itemsize)
        else:
            size = 8
    if cplx:
        return complex128 if size == 8 else complex64
    return {2: float16, 4: float32, 8: float64}[size]


_DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def base_repr(number: int, base: int = 2, padding: int = 0) -> str:
    """The string of ``number`` in ``base`` (2 to 36), with ``padding`` leading zeros."""
    if not 2 <= base <= 36:
        raise ValueError("polygrad.numpy.base_repr: bases greater than 36 not handled")
    num, out = abs(int(number)), []
    while num:
        out.append(_DIGITS[num % base])
        num //= base
    out.append("0" * padding)
    if int(number) < 0:
        out.append("-")
    return "".join(reversed(out)) or "0"


def binary_repr(num: int, width: int | None = None) -> str:
    """The binary string of ``num`` (two's complement in ``width`` bits when negative)."""
    num = int(num)
    if num >= 0 or width is None:
        s = ("-" if num < 0 else "") + bin(abs(num))[2:]
        return s.zfill(width) if width is not None and num >= 0 else s
    return bin((1 << width) + num)[2:].zfill(width)


def einsum_path(*operands: Any, optimize: Any = "greedy", einsum_call: bool = False) -> Any:
    """NumPy's contraction order for ``einsum`` on arrays of these shapes and dtypes
    (computed by NumPy from the shapes alone; no values are read)."""
    # function-level: numpy is loaded on first use, not at import time
    import numpy

    def stand_in(x: Any) -> Any:
        if isinstance(x, Array):
            return numpy.broadcast_to(numpy.zeros((), dtype=x.dtype.name), x.shape)
        return x
    return numpy.einsum_path(*(stand_in(o) for o in operands), optimize=optimize,
                             einsum_call=einsum_call)
