"""NumPy's other spellings of dtypes: type codes, C names, ``longdouble`` (issue 17).

The oracle is ``numpy.dtype`` itself: every spelling that names one of polygrad's dtypes gives
the same dtype as NumPy's on a 64-bit Linux; extended precision is refused with its reason.
"""

from __future__ import annotations

import numpy
import pytest

import polygrad as pg
import polygrad.numpy as np

SPELLINGS = ["f8", "d", "float", "double", "half", "e", "f2", "f4", "f", "single", "int", "i",
             "i1", "i2", "i4", "i8", "b", "h", "l", "q", "p", "B", "H", "I", "L", "Q", "P", "u1",
             "u2", "u4", "u8", "intc", "uintc", "intp", "uintp", "long", "ulong", "longlong",
             "ulonglong", "short", "ushort", "byte", "ubyte", "int_", "uint", "complex", "F",
             "D", "c8", "c16", "csingle", "cdouble", "?", "b1", "bool", "bool_", "<f8", "=i4",
             "|b1", "float16", "float32", "float64", "complex64", "complex128"]


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_dtype_reads_numpys_spellings(spelling):
    assert np.dtype(spelling).name == numpy.dtype(spelling).name


@pytest.mark.parametrize("typ", [numpy.half, numpy.single, numpy.double, numpy.intc,
                                 numpy.uintp, numpy.bool_, numpy.csingle, float, int, complex,
                                 bool])
def test_dtype_reads_numpys_scalar_types(typ):
    assert np.dtype(typ).name == numpy.dtype(typ).name


def test_creation_and_astype_take_type_codes(numpy_backend):
    assert np.zeros(3, "f4").dtype == np.float32
    assert np.ones((2,), dtype="i8").dtype == np.int64
    assert np.asarray([1.0, 2.0]).astype("e").dtype == np.float16
    assert np.arange(3, dtype="d").dtype == np.float64


def test_longdouble_is_float64_as_numpys_long_double_where_it_is_double():
    # no backend has extended precision: long double is double (NumPy's on Windows, macOS/ARM)
    assert np.longdouble is np.float64 and np.clongdouble is np.complex128
    assert np.dtype("longdouble") is np.float64 and np.dtype(numpy.longdouble) is np.float64
    assert np.dtype("G") is np.complex128 and np.dtype(numpy.clongdouble) is np.complex128
    assert np.finfo(np.longdouble).eps == numpy.finfo(numpy.float64).eps
    x = np.asarray([1.0, 2.0], dtype=np.float32)
    assert np.longdouble(x).dtype == np.float64
    assert pg.grad(lambda v: np.sum(np.longdouble(v) ** 2))(x).tolist() == [2.0, 4.0]


@pytest.mark.parametrize("spelling", ["float128", "complex256", "f16", "c32"])
def test_extended_precision_is_refused_with_the_reason(spelling):
    with pytest.raises(TypeError, match="no backend has extended precision"):
        np.dtype(spelling)
    assert not hasattr(np, "float128") and not hasattr(np, "complex256")


def test_other_dtypes_are_refused_naming_polygrads():
    for spelling in ("S4", "O", "U", "M8", "V8"):
        with pytest.raises(TypeError, match="unknown dtype .*expected one of bool, int8"):
            np.dtype(spelling)
