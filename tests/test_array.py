"""``polygrad.Array`` on the NumPy backend: what it reports, how it converts, how it is written."""

from __future__ import annotations

import numpy
import pytest

import polygrad as pg
import polygrad.numpy as np

pytestmark = pytest.mark.usefixtures("numpy_backend")


# -- repr --------------------------------------------------------------------------------------
def test_repr_shows_values_dtype_and_backend_device():
    text = repr(np.asarray([1.5, -2.0]))
    assert text.startswith("Array([ 1.5, -2. ]")
    assert "dtype=float64" in text
    assert "backend=numpy:cpu" in text


def test_repr_of_float32_and_integer_arrays_names_their_dtype():
    assert "dtype=float32" in repr(np.ones(2, dtype=np.float32))
    assert repr(np.asarray([1, 2])) == "Array([1, 2], dtype=int64, backend=numpy:cpu)"
    assert repr(np.asarray(True)) == "Array(True, dtype=bool, backend=numpy:cpu)"


def test_repr_of_matrix_keeps_rows_aligned():
    lines = repr(np.asarray([[1.0, 2.0], [3.0, 4.0]])).splitlines()
    assert lines[0].index("[1.") == lines[1].index("[3.")


def test_repr_of_empty_array_shows_its_shape():
    assert repr(np.zeros((0, 3))) == "Array([], shape=(0, 3), dtype=float64, backend=numpy:cpu)"


def test_repr_of_tracer_says_which_trace_holds_it():
    seen = []

    def f(x):
        seen.append(repr(x))
        return x * 2.0
    pg.grad(f)(1.0)
    assert "traced by grad" in seen[0]
    assert "1." in seen[0]


# -- what an Array reports ---------------------------------------------------------------------
def test_shape_ndim_size_len_and_dtype_describe_the_values():
    x = np.asarray([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    assert (x.shape, x.ndim, x.size, len(x)) == ((2, 3), 2, 6, 2)
    assert x.dtype == np.float64 and x.dtype == "float64" and x.dtype != np.float32
    assert x.backend == "numpy" and x.device == "cpu"


def test_len_of_0d_array_is_a_type_error():
    with pytest.raises(TypeError, match="0-d"):
        len(np.asarray(1.0))


def test_native_is_the_backends_array_without_copy():
    host = numpy.array([1.0, 2.0])
    x = np.asarray(host)
    assert x.native is host
    assert type(np.asarray(3.0).native) is numpy.ndarray


def test_asnumpy_item_and_tolist_give_host_values():
    x = np.asarray([[1.0, 2.0]])
    assert isinstance(x.asnumpy(), numpy.ndarray)
    assert x.tolist() == [[1.0, 2.0]]
    assert np.asarray(2.5).item() == 2.5
    numpy.testing.assert_array_equal(numpy.asarray(x), [[1.0, 2.0]])


def test_python_scalar_conversions_of_one_element_arrays():
    assert float(np.asarray([2.5])) == 2.5
    assert int(np.asarray(3.0)) == 3
    assert bool(np.asarray(0.0)) is False
    assert [10, 20, 30][np.asarray(2)] == 30


def test_python_scalar_conversion_of_many_elements_is_refused():
    with pytest.raises(TypeError, match=r"shape \(2,\)"):
        float(np.asarray([1.0, 2.0]))
    with pytest.raises(TypeError):
        bool(np.asarray([1.0, 2.0]))


def test_index_conversion_of_float_array_is_refused():
    with pytest.raises(TypeError, match="integer"):
        [1, 2][np.asarray(1.0)]


def test_iteration_yields_rows_and_T_reverses_axes():
    x = np.asarray([[1.0, 2.0], [3.0, 4.0]])
    assert [row.tolist() for row in x] == [[1.0, 2.0], [3.0, 4.0]]
    assert x.T.tolist() == [[1.0, 3.0], [2.0, 4.0]]


def test_array_namespace_is_polygrad_numpy():
    assert np.asarray(1.0).__array_namespace__() is np


def test_to_backend_on_the_same_backend_keeps_values():
    x = np.asarray([1.0, 2.0])
    y = x.to_backend("numpy")
    assert y.backend == "numpy" and y.tolist() == [1.0, 2.0]


# -- writing into arrays ---------------------------------------------------------------------------
def test_setitem_outside_differentiation_writes_into_the_numpy_buffer():
    host = numpy.zeros(4)
    x = np.asarray(host)
    x[1] = 5.0
    x[2:] = np.asarray([6.0, 7.0])
    assert host.tolist() == [0.0, 5.0, 6.0, 7.0]
    assert x.native is host


def test_setitem_with_boolean_and_integer_array_keys_writes_in_place():
    host = numpy.array([1.0, 2.0, 3.0, 4.0])
    x = np.asarray(host)
    x[np.asarray([True, False, True, False])] = 0.0
    x[[1, 3]] = -1.0
    assert host.tolist() == [0.0, -1.0, 0.0, -1.0]


def test_inplace_operator_rebinds_the_same_python_object():
    x = np.asarray([1.0, 2.0])
    alias = x
    x += 1.0
    x *= np.asarray([2.0, 3.0])
    assert alias is x
    assert x.tolist() == [4.0, 9.0]


def test_inplace_operator_that_would_change_dtype_or_shape_is_refused():
    x = np.asarray([1, 2])
    with pytest.raises(TypeError, match="in-place"):
        x += 0.5
    y = np.asarray([1.0, 2.0])
    with pytest.raises(TypeError, match="shape"):
        y += np.ones((3, 2))
