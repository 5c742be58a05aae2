"""Creation functions that differentiate in their values, as HIPS autograd's do: ``full`` in its
fill value, ``linspace`` in its endpoints, ``array`` / ``asarray`` of lists holding Arrays; on
every backend, values against NumPy and derivatives against finite differences."""

from __future__ import annotations

import numpy
import pytest

import polygrad as pg
import polygrad.numpy as np
from polygrad.testing import check_grads


def test_full_differentiates_in_its_fill_value(backend):
    c = np.asarray(1.5, dtype="float32")
    assert float(pg.grad(lambda c: np.sum(np.full((2, 3), c) * 2.0))(c)) == 12.0
    out = np.full((2, 3), c)
    assert out.dtype == "float32" and out.tolist() == [[1.5] * 3] * 2
    assert np.full((2,), c, dtype="float64").dtype == "float64"
    _, t = pg.jvp(lambda c: np.full((2,), c), (c,), (np.asarray(2.0, dtype="float32"),))
    assert t.tolist() == [2.0, 2.0]


def test_full_of_an_array_is_a_fresh_writable_array(backend):
    c = np.asarray(1.0)
    out = np.full((3,), c)
    out[0] = 5.0
    assert out.tolist() == [5.0, 1.0, 1.0] and float(c) == 1.0


def test_full_like_differentiates_in_its_fill_value(backend):
    x = np.zeros((2, 2), dtype="float32")
    g = pg.grad(lambda c: np.sum(np.full_like(x, c)))(np.asarray(0.5, dtype="float32"))
    assert float(g) == 4.0 and g.dtype == "float32"


def test_full_derivatives_to_second_order():
    check_grads(lambda c: np.full((2, 2), c) ** 3, order=2)(np.asarray(0.7))
    check_grads(lambda c: np.full((2, 2), c) ** 2, order=2)(np.asarray(0.7 - 0.2j))


@pytest.mark.parametrize("endpoint", [True, False])
@pytest.mark.parametrize("num", [0, 1, 2, 5])
def test_linspace_of_arrays_matches_numpy(backend, num, endpoint):
    a, b = np.asarray(-1.0, dtype="float32"), np.asarray(2.5, dtype="float32")
    out = np.linspace(a, b, num, endpoint=endpoint)
    expected = numpy.linspace(numpy.float32(-1.0), numpy.float32(2.5), num, endpoint=endpoint)
    assert out.dtype == "float32" and out.shape == (num,)
    numpy.testing.assert_allclose(out.asnumpy(), expected, rtol=1e-6)
    if endpoint and num > 1:
        assert out.tolist()[-1] == 2.5   # stop itself, as NumPy's


def test_linspace_differentiates_in_start_and_stop(backend):
    k = np.asarray([0.0, 1.0, 2.0, 3.0, 4.0], dtype="float32")
    ga, gb = pg.grad(lambda a, b: np.sum(np.linspace(a, b, 5) * k), argnum=[0, 1])(
        np.asarray(1.0, dtype="float32"), np.asarray(3.0, dtype="float32"))
    # d y_k / d start = 1 - k/4, d y_k / d stop = k/4
    assert (float(ga), float(gb)) == (2.5, 7.5) and ga.dtype == "float32"


def test_linspace_mixes_arrays_and_numbers_with_numpys_dtype():
    assert np.linspace(0, np.asarray(1.0, dtype="float32"), 3).dtype == "float32"
    assert np.linspace(np.asarray(0), 4, 3).dtype == pg.get_default_dtype()
    out = np.linspace(np.asarray([0.0, 1.0]), np.asarray([1.0, 3.0]), 3)
    numpy.testing.assert_allclose(out.asnumpy(), numpy.linspace([0.0, 1.0], [1.0, 3.0], 3))


def test_linspace_derivatives_to_second_order():
    check_grads(lambda a, b: np.linspace(a, b, 4) ** 2, order=2)(np.asarray(0.3), np.asarray(-1.1))
    check_grads(lambda a: np.linspace(a, 2.0, 3, endpoint=False) ** 2, order=2)(np.asarray(0.5))


def test_array_of_a_list_of_arrays_is_differentiable(backend):
    a = np.asarray(1.0, dtype="float32")
    out = np.array([a, 2 * a])
    assert out.dtype == "float32" and out.tolist() == [1.0, 2.0]
    g = pg.grad(lambda a: np.sum(np.array([a, 2 * a]) * np.asarray([1.0, 3.0])))(a)
    assert float(g) == 7.0 and g.dtype == "float32"


def test_asarray_of_nested_lists_with_arrays_and_numbers(backend):
    def f(a):
        return np.sum(np.asarray([[a, 1.0], (2, a * a)]) * np.asarray([[1.0, 1.0], [1.0, 2.0]]))

    a = np.asarray(1.5, dtype="float32")
    assert np.asarray([[a, 1.0], (2, a)]).dtype == "float32"   # numbers are weak
    assert float(pg.grad(f)(a)) == 1.0 + 4 * 1.5
    assert pg.asarray([a, a], dtype="float64").dtype == "float64"


def test_array_of_arrays_derivatives_to_second_order():
    x = np.asarray([0.4, -0.9, 1.3])
    check_grads(lambda x: np.array([x, x ** 2, np.sin(x)]), order=2)(x)
    check_grads(lambda x: np.asarray([[x[0], x[1]], [x[2] * x[0], 2.0]]) ** 2, order=2)(x)
