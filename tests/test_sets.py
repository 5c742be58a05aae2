"""Set functions: unique_* (differentiable values, integer rest) and isin, against NumPy."""

from __future__ import annotations


import numpy
import pytest

import polygrad as pg
import polygrad.numpy as np
from polygrad.numpy import _sets
from polygrad.testing import check_grads

pytestmark = pytest.mark.usefixtures("numpy_backend")
RNG = numpy.random.default_rng(0)
SHAPES = [(), (0,), (7,), (3, 4), (2, 0, 3), (2, 3, 2)]


def _with_duplicates(shape):
    return RNG.integers(0, 4, shape).astype(float) - 1.5



@pytest.mark.parametrize("shape", SHAPES)
def test_unique_all_matches_numpy(shape):
    a = _with_duplicates(shape)
    out = np.unique_all(np.asarray(a))
    assert type(out).__name__ == "UniqueAllResult"
    assert out._fields == ("values", "indices", "inverse_indices", "counts")
    values, indices, inverse, counts = numpy.unique(a, return_index=True, return_inverse=True,
                                                    return_counts=True)
    numpy.testing.assert_array_equal(out.values.asnumpy(), values)
    numpy.testing.assert_array_equal(out.indices.asnumpy(), indices)
    numpy.testing.assert_array_equal(out.counts.asnumpy(), counts)
    assert out.inverse_indices.shape == a.shape   # shaped like x, not flattened
    numpy.testing.assert_array_equal(out.inverse_indices.asnumpy(), inverse.reshape(a.shape))
    numpy.testing.assert_array_equal(out.values.asnumpy()[out.inverse_indices.asnumpy()], a)


@pytest.mark.parametrize("shape", SHAPES)
def test_unique_counts_inverse_values_match_numpy(shape):
    a = _with_duplicates(shape)
    x = np.asarray(a)
    values, inverse, counts = numpy.unique(a, return_inverse=True, return_counts=True)
    c = np.unique_counts(x)
    assert c._fields == ("values", "counts")
    numpy.testing.assert_array_equal(c.values.asnumpy(), values)
    numpy.testing.assert_array_equal(c.counts.asnumpy(), counts)
    i = np.unique_inverse(x)
    assert i._fields == ("values", "inverse_indices")
    numpy.testing.assert_array_equal(i.values.asnumpy(), values)
    numpy.testing.assert_array_equal(i.inverse_indices.asnumpy(), inverse.reshape(a.shape))
    v = np.unique_values(x)
    assert v.ndim == 1 and v.dtype == x.dtype
    numpy.testing.assert_array_equal(v.asnumpy(), values)


def test_unique_treats_nans_as_distinct():
    x = np.asarray([numpy.nan, 1.0, numpy.nan])
    assert np.unique_values(x).shape == (3,)
    assert np.unique_counts(x).counts.tolist() == [1, 1, 1]


def test_unique_of_integers():
    out = np.unique_counts(np.asarray([[3, 1], [3, 3]], dtype=np.int32))
    assert out.values.tolist() == [1, 3] and out.values.dtype == np.int32
    assert out.counts.tolist() == [1, 3]


def test_unique_all_has_a_portable_fallback():
    # namespaces without unique_all (array-api-compat's torch) are served by composition
    import array_api_compat.numpy as xp

    for shape in SHAPES:
        a = _with_duplicates(shape)
        for got, want in zip(_sets._unique_all_composed(xp, a), xp.unique_all(a)):
            assert got.shape == want.shape
            numpy.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("shape", [(), (1,), (6,), (2, 3)])
@pytest.mark.parametrize("fname", ["unique_values", "unique_all", "unique_counts",
                                   "unique_inverse"])
def test_unique_values_derivatives_match_finite_differences(shape, fname):
    n = int(numpy.prod(shape))
    x = np.asarray((RNG.permutation(n) * 0.7 - 1.0).reshape(shape))   # distinct elements

    def f(x):
        out = getattr(np, fname)(x)
        values = out if fname == "unique_values" else out.values
        return np.sin(values) * values

    check_grads(f, modes=("fwd", "rev"), order=2)(x)


def test_unique_values_derivative_is_shared_evenly_by_duplicates():
    x = np.asarray([2.0, 1.0, 2.0, 3.0, 2.0])
    w = np.asarray([1.0, 30.0, 100.0])
    g = pg.grad(lambda x: np.sum(np.unique_values(x) * w))(x)
    numpy.testing.assert_allclose(g.asnumpy(), [10.0, 1.0, 10.0, 100.0, 10.0])
    # moving every element of a group by t moves the group's value by t
    _, t = pg.jvp(np.unique_values, (x,), (np.asarray([0.5, 2.0, 0.5, 3.0, 0.5]),))
    numpy.testing.assert_allclose(t.asnumpy(), [2.0, 0.5, 3.0])


def test_unique_values_vjp_is_the_transpose_of_its_jvp_at_duplicates():
    a = _with_duplicates((4, 5))
    x = np.asarray(a)
    u = RNG.standard_normal(a.shape)
    _, t = pg.jvp(np.unique_values, (x,), (np.asarray(u),))
    v = RNG.standard_normal(t.shape)
    _, pullback = pg.vjp(np.unique_values, x)
    (c,) = pullback(np.asarray(v))
    numpy.testing.assert_allclose(numpy.sum(v * t.asnumpy()), numpy.sum(c.asnumpy() * u))


def test_unique_values_second_derivative_at_duplicates():
    x = np.asarray([2.0, 1.0, 2.0])
    h = pg.hessian(lambda x: np.sum(np.unique_values(x) ** 3))(x)
    # f = v_1^3 + v_2^3 with v_1 = x_1, v_2 = (x_0 + x_2) / 2 on the set where x_0 = x_2
    numpy.testing.assert_allclose(h.asnumpy(), [[3.0, 0.0, 3.0], [0.0, 6.0, 0.0],
                                                [3.0, 0.0, 3.0]])


def test_unique_indices_inverse_and_counts_carry_no_derivative():
    for prim in (np.unique_all.primitive, np.unique_counts.primitive,
                 np.unique_inverse.primitive, np.isin.primitive):
        assert prim.nondiff
    x = np.asarray([2.0, 1.0, 2.0])

    def f(x):
        out = np.unique_all(x)
        integers = out.indices + out.inverse_indices[0] + out.counts
        return np.sum(np.astype(integers, x.dtype) * 1.5)

    numpy.testing.assert_array_equal(pg.grad(f)(x).asnumpy(), numpy.zeros(3))
    # values[inverse_indices] rebuilds x, derivatives included
    g = pg.grad(lambda x: np.sum(np.take(np.unique_inverse(x).values,
                                         np.unique_inverse(x).inverse_indices) * x))(x)
    numpy.testing.assert_allclose(g.asnumpy(), 2 * x.asnumpy())


def test_unique_of_size_0_differentiates_to_size_0():
    g = pg.grad(lambda x: np.sum(np.unique_values(x)))(np.zeros((0, 3)))
    assert g.shape == (0, 3)


@pytest.mark.parametrize("invert", [False, True])
@pytest.mark.parametrize("shape1,shape2", [((), (3,)), ((5,), ()), ((2, 3), (4,)),
                                           ((0,), (3,)), ((4,), (0,)), ((2, 2), (2, 2))])
def test_isin_matches_numpy(shape1, shape2, invert):
    a = RNG.integers(0, 5, shape1)
    b = RNG.integers(0, 5, shape2)
    out = np.isin(np.asarray(a), np.asarray(b), invert=invert)
    assert out.dtype == np.bool and out.shape == a.shape
    numpy.testing.assert_array_equal(out.asnumpy(), numpy.isin(a, b, invert=invert))


def test_isin_takes_python_ints_and_mixed_dtypes():
    assert np.isin(np.asarray([1, 2, 3]), 2).tolist() == [False, True, False]
    assert bool(np.isin(1, np.asarray([1, 2])))
    out = np.isin(np.asarray([1.0, 2.5]), np.asarray([1, 2], dtype=np.int32))
    assert out.tolist() == [True, False]


def test_isin_has_zero_derivative():
    x = np.asarray([1.0, 2.0, 3.0])
    g = pg.grad(lambda x: np.sum(np.where(np.isin(x, np.asarray([2.0])), x * x, x)))(x)
    numpy.testing.assert_array_equal(g.asnumpy(), [1.0, 4.0, 1.0])


def test_set_functions_on_every_backend(backend):
    a = numpy.array([[2.0, 1.0], [2.0, 3.0]])
    x = np.asarray(a, dtype=np.float64)
    assert x.backend == backend.name
    out = np.unique_all(x)
    values, indices, inverse, counts = numpy.unique(a, return_index=True, return_inverse=True,
                                                    return_counts=True)
    for got, want in zip(out, (values, indices, inverse.reshape(a.shape), counts)):
        numpy.testing.assert_array_equal(got.asnumpy(), want)
    numpy.testing.assert_array_equal(np.unique_counts(x).counts.asnumpy(), counts)
    numpy.testing.assert_array_equal(np.unique_inverse(x).inverse_indices.asnumpy(),
                                     inverse.reshape(a.shape))
    g = pg.grad(lambda x: np.sum(np.unique_values(x) ** 2))(x)
    numpy.testing.assert_allclose(g.asnumpy(), [[2.0, 2.0], [2.0, 6.0]])
    check_grads(lambda x: np.unique_values(x) ** 2, order=2)(
        np.asarray([2.0, 1.0, 3.5], dtype=np.float64))
    ints = np.asarray([1, 2, 3])
    assert np.isin(ints, np.asarray([3, 1]), invert=True).tolist() == [False, True, False]
    assert np.isin(ints, 2).tolist() == [False, True, False]
