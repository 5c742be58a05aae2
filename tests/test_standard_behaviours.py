"""Behaviours of the Array API standard that polygrad got wrong (issue 17, item 7), on every
backend: finfo of a complex dtype, vecdot's contracted axis and integer dtypes, repeat with one
count, the dtype= of sum and cumulative_prod, __dlpack__'s signature, expm1 at complex zero."""

from __future__ import annotations

import inspect
import math

import numpy
import pytest

import polygrad.numpy as np

pytestmark = pytest.mark.usefixtures("backend")


def test_finfo_of_a_complex_dtype_describes_its_real_dtype():
    assert np.finfo(np.complex64).dtype == np.float32
    assert np.finfo(np.complex128).dtype == np.float64
    assert np.finfo(np.complex64).bits == 32


def test_vecdot_rejects_contracted_axes_of_different_lengths():
    with pytest.raises(ValueError, match="vecdot.*contracted axis"):
        np.vecdot(np.ones((3,)), np.ones((4,)))
    with pytest.raises(ValueError, match="vecdot.*contracted axis"):   # it does not broadcast
        np.vecdot(np.ones((2, 3)), np.ones((2, 1)))


@pytest.mark.parametrize("dtype", ["uint8", "int8", "int32"])
def test_vecdot_keeps_an_integer_dtype(dtype):
    a = numpy.array([[120, 3, 1], [7, 9, 11]], dtype=dtype)
    out = np.vecdot(np.asarray(a), np.asarray(a))
    assert out.dtype == dtype
    # the same wrap-around as NumPy's own
    assert out.tolist() == numpy.vecdot(a, a).tolist()


def test_repeat_broadcasts_one_count_along_the_axis():
    out = np.repeat(np.asarray([False, False]), np.asarray([1]))
    assert out.shape == (2,) and out.tolist() == [False, False]
    assert np.repeat(np.asarray([[1, 2], [3, 4]]), np.asarray([2]), axis=1).tolist() == \
        numpy.repeat([[1, 2], [3, 4]], [2], axis=1).tolist()
    assert np.repeat(np.zeros((0,)), np.asarray([1])).shape == (0,)
    assert np.repeat(np.zeros((0, 2)), np.asarray([3]), axis=0).shape == (0, 2)


@pytest.mark.parametrize("fname", ["sum", "prod", "cumulative_sum", "cumulative_prod"])
@pytest.mark.parametrize("dtype", ["uint8", "int8", "int16", "uint32"])
@pytest.mark.parametrize("shape", [(), (0,), (3,)])
def test_dtype_argument_is_the_result_dtype(fname, dtype, shape):
    if fname.startswith("cumulative") and shape == ():
        shape = (1,)
    out = getattr(np, fname)(np.ones(shape, dtype=dtype), dtype=dtype)
    assert out.dtype == dtype


@pytest.mark.parametrize("fname", ["sum", "prod", "cumulative_sum", "cumulative_prod"])
def test_small_integers_accumulate_in_the_default_integer_dtype(fname):
    default = np.__array_namespace_info__().default_dtypes()["integral"]
    assert getattr(np, fname)(np.ones((3,), dtype=np.int8)).dtype == default
    if fname == "sum":   # the standard's prod and cumulative functions need numeric input
        assert np.sum(np.ones((3,), dtype=np.bool)).dtype == default


def test_sum_with_an_integer_dtype_wraps_as_numpy():
    a = numpy.array([200, 100], dtype=numpy.uint8)
    assert np.sum(np.asarray(a), dtype=np.uint8).tolist() == int(numpy.sum(a, dtype=numpy.uint8))


def test_dlpack_takes_the_standards_keywords():
    params = inspect.signature(np.Array.__dlpack__).parameters
    assert list(params)[1:] == ["stream", "max_version", "dl_device", "copy"]
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in list(params.values())[1:])
    x = np.asarray([1.0, 2.0])
    assert x.__dlpack__(stream=None, max_version=None, dl_device=None, copy=None) is not None


@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
@pytest.mark.parametrize("re", [0.0, -0.0])
@pytest.mark.parametrize("im", [0.0, -0.0])
def test_expm1_at_complex_zero_is_positive_zero(dtype, re, im):
    try:
        z = np.asarray(numpy.array([complex(re, im)], dtype=dtype))
    except (TypeError, ValueError) as exc:
        pytest.skip(f"no {dtype} here: {exc}")
    out = complex(np.expm1(z)[0])
    # the standard: expm1(±0 + 0j) is +0 + 0j (and its conjugate for -0j)
    assert out == 0 and math.copysign(1, out.real) == 1
    assert math.copysign(1, out.imag) == math.copysign(1, im)
