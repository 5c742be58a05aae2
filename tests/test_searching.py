"""Searching functions: signatures, values against NumPy, and zero derivatives (all are
non-differentiable)."""

from __future__ import annotations


import numpy
import pytest

import polygrad as pg
import polygrad.numpy as np

pytestmark = pytest.mark.usefixtures("numpy_backend")
RNG = numpy.random.default_rng(0)
AXES = [((), None), ((5,), None), ((5,), 0), ((5,), -1), ((3, 4), None), ((3, 4), 0),
        ((3, 4), -1), ((2, 3, 4), 1), ((2, 3, 4), -3)]



@pytest.mark.parametrize("name", ["argmax", "argmin"])
@pytest.mark.parametrize("shape,axis", AXES)
@pytest.mark.parametrize("keepdims", [False, True])
def test_argmax_argmin_match_numpy(name, shape, axis, keepdims):
    a = RNG.integers(0, 3, shape).astype(float)   # ties: the first index wins
    out = getattr(np, name)(np.asarray(a), axis=axis, keepdims=keepdims)
    want = getattr(numpy, name)(a, axis=axis, keepdims=keepdims)
    assert out.shape == numpy.shape(want) and out.dtype.kind == "i"
    numpy.testing.assert_array_equal(out.asnumpy(), want)


@pytest.mark.parametrize("shape,axis", AXES + [((2, 3, 4), (0, 2)), ((0, 3), 0), ((0, 3), 1)])
@pytest.mark.parametrize("keepdims", [False, True])
def test_count_nonzero_matches_numpy(shape, axis, keepdims):
    a = RNG.integers(0, 2, shape).astype(float)
    out = np.count_nonzero(np.asarray(a), axis=axis, keepdims=keepdims)
    want = numpy.count_nonzero(a, axis=axis, keepdims=keepdims)
    assert out.shape == numpy.shape(want)
    numpy.testing.assert_array_equal(out.asnumpy(), want)


@pytest.mark.parametrize("shape", [(5,), (3, 4), (2, 0, 3), (2, 3, 2)])
def test_nonzero_matches_numpy(shape):
    a = RNG.integers(0, 2, shape).astype(float)
    out = np.nonzero(np.asarray(a))
    assert type(out) is tuple and len(out) == len(shape)
    for got, want in zip(out, numpy.nonzero(a)):
        numpy.testing.assert_array_equal(got.asnumpy(), want)


@pytest.mark.parametrize("side", ["left", "right"])
@pytest.mark.parametrize("shape2", [(), (4,), (2, 3), (0,)])
def test_searchsorted_matches_numpy(side, shape2):
    x1 = numpy.array([0.0, 1.0, 1.0, 2.5, 4.0])
    x2 = RNG.integers(-1, 6, shape2).astype(float) / 2
    out = np.searchsorted(np.asarray(x1), np.asarray(x2), side=side)
    want = numpy.searchsorted(x1, x2, side=side)
    assert out.shape == want.shape and out.dtype.kind == "i"
    numpy.testing.assert_array_equal(out.asnumpy(), want)


def test_searchsorted_takes_python_scalars_and_sorter():
    x1 = np.asarray([3.0, 1.0, 2.0])
    order = np.argsort(x1)
    assert np.searchsorted(np.take(x1, order), 2.5).tolist() == 2
    assert np.searchsorted(x1, 2.5, sorter=order).tolist() == 2
    assert np.searchsorted(x1, np.asarray([0.0, 2.0]), side="right", sorter=order).tolist() \
        == [0, 2]
    assert np.searchsorted(np.asarray([1, 5, 9]), 5, side="right").tolist() == 2
    assert np.searchsorted(np.asarray([1, 5, 9], dtype=np.int32), 6.5).tolist() == 2


def test_searchsorted_rejects_an_unknown_side():
    with pytest.raises(ValueError, match="side"):
        np.searchsorted(np.asarray([1.0, 2.0]), 1.5, side="middle")


def test_searching_functions_are_non_differentiable():
    for fn in (np.argmax, np.argmin, np.count_nonzero, np.nonzero, np.searchsorted):
        assert fn.primitive.nondiff

    x = np.asarray([0.5, -1.0, 2.0, 0.0])

    def f(x):
        ints = (np.argmax(x) + np.argmin(x) + np.count_nonzero(x) + np.nonzero(x)[0][0]
                + np.searchsorted(np.sort(x), x)[1])
        return np.astype(ints, x.dtype) + np.sum(x * x)

    numpy.testing.assert_allclose(pg.grad(f)(x).asnumpy(), 2 * x.asnumpy())
    _, t = pg.jvp(lambda x: np.astype(np.argmax(x), x.dtype), (x,), (np.ones(4),))
    assert float(t) == 0.0


def test_searchsorted_on_every_backend(backend):
    x1 = np.asarray([3.0, 1.0, 2.0], dtype=np.float64)
    assert x1.backend == backend.name
    assert np.searchsorted(x1, 2.5, sorter=np.argsort(x1)).tolist() == 2
    out = np.searchsorted(np.sort(x1), np.asarray([0.5, 2.0], dtype=np.float64), side="right")
    assert out.tolist() == [0, 2]
