"""Manipulation functions: signatures of the 2025.12 standard, broadcast_shapes, expand_dims
with a tuple of axes, broadcast_arrays returning a tuple."""

from __future__ import annotations


import numpy
import pytest

import polygrad as pg
import polygrad.numpy as np
from polygrad.testing import check_grads

pytestmark = pytest.mark.usefixtures("numpy_backend")
RNG = numpy.random.default_rng(0)



@pytest.mark.parametrize("shapes", [(), ((),), ((3,),), ((3, 1), (4,), ()), ((0,), (1,)),
                                    ((2, 1, 5), (7, 1), (1, 1, 1, 1)), ((0, 1), (1, 4))])
def test_broadcast_shapes_matches_numpy(shapes):
    out = np.broadcast_shapes(*shapes)
    assert type(out) is tuple and all(type(d) is int for d in out)
    assert out == numpy.broadcast_shapes(*shapes)


@pytest.mark.parametrize("shapes", [((2,), (3,)), ((0,), (2,)), ((2, 3), (1, 2), (2, 1))])
def test_broadcast_shapes_rejects_incompatible_shapes(shapes):
    with pytest.raises(ValueError, match="broadcast_shapes"):
        np.broadcast_shapes(*shapes)


def test_broadcast_arrays_returns_a_tuple():
    out = np.broadcast_arrays(np.ones(3), np.zeros((2, 1)))
    assert type(out) is tuple and [a.shape for a in out] == [(2, 3), (2, 3)]
    assert np.broadcast_arrays() == ()


@pytest.mark.parametrize("shape,axis", [((), 0), ((), -1), ((3,), 0), ((3,), 1), ((3,), -1),
                                        ((2, 3), (0, 3)), ((2, 3), (-1, 0)), ((2, 3), (1, 2)),
                                        ((0, 2), (0, -1)), ((2, 3), ())])
def test_expand_dims_matches_numpy(shape, axis):
    a = RNG.standard_normal(shape)
    out = np.expand_dims(np.asarray(a), axis)
    assert out.shape == numpy.expand_dims(a, axis).shape
    numpy.testing.assert_array_equal(out.asnumpy(), numpy.expand_dims(a, axis))


def test_expand_dims_needs_an_axis_and_rejects_bad_ones():
    x = np.ones((2, 3))
    with pytest.raises(TypeError):
        np.expand_dims(x)
    with pytest.raises(ValueError, match="out of range"):
        np.expand_dims(x, 3)
    with pytest.raises(ValueError, match="out of range"):
        np.expand_dims(x, (0, 4))
    with pytest.raises(ValueError, match="repeats"):
        np.expand_dims(x, (0, -4))


def test_expand_dims_is_differentiable():
    x = np.asarray(RNG.standard_normal((2, 3)))
    check_grads(lambda x: np.sin(np.expand_dims(x, (0, -1))), modes=("fwd", "rev"), order=2)(x)
    assert pg.grad(lambda x: np.sum(np.expand_dims(x, axis=1)))(x).shape == (2, 3)
