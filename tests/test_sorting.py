"""Sorting functions: sort (differentiable) and argsort (not), against NumPy and the standard."""

from __future__ import annotations


import array_api_strict as strict
import numpy
import pytest

import polygrad as pg
import polygrad.numpy as np
from polygrad.testing import check_grads

pytestmark = pytest.mark.usefixtures("numpy_backend")
RNG = numpy.random.default_rng(0)
# (shape, axis): 0-d, size 0, 1-D, negative axes, 3-D
CASES = [((), -1), ((0,), -1), ((5,), 0), ((3, 4), 0), ((3, 4), -1), ((3, 4), -2),
         ((2, 0, 3), 1), ((2, 3, 4), 1)]


def _distinct(shape):
    """Values without ties, so sort is differentiable there."""
    n = int(numpy.prod(shape))
    return RNG.permutation(n).reshape(shape) * 0.37 - 1.1


def _strict_argsort(a, axis, descending):
    return numpy.asarray(strict.argsort(strict.asarray(a), axis=axis, descending=descending))



@pytest.mark.parametrize("shape,axis", CASES)
@pytest.mark.parametrize("descending", [False, True])
def test_sort_values_match_numpy(shape, axis, descending):
    a = RNG.integers(0, 4, shape).astype(float)   # with ties
    out = np.sort(np.asarray(a), axis=axis, descending=descending)
    if a.ndim == 0:
        want = a
    else:
        want = numpy.sort(a, axis=axis)
        if descending:
            want = numpy.flip(want, axis=axis)
    assert out.shape == a.shape and out.dtype == a.dtype
    numpy.testing.assert_array_equal(out.asnumpy(), want)


@pytest.mark.parametrize("shape,axis", [c for c in CASES if c[0] != ()])
@pytest.mark.parametrize("descending", [False, True])
def test_argsort_is_stable_like_the_reference(shape, axis, descending):
    a = RNG.integers(0, 3, shape).astype(float)   # many ties: stability matters
    out = np.argsort(np.asarray(a), axis=axis, descending=descending)
    numpy.testing.assert_array_equal(out.asnumpy(), _strict_argsort(a, axis, descending))
    if not descending:
        numpy.testing.assert_array_equal(out.asnumpy(), numpy.argsort(a, axis=axis,
                                                                      kind="stable"))


def test_argsort_of_0d_is_0d_zero():
    out = np.argsort(np.asarray(2.5))
    assert out.shape == () and out.dtype.kind == "i" and int(out) == 0


def test_unstable_sort_gives_the_same_values():
    a = RNG.integers(0, 3, (20,)).astype(float)
    numpy.testing.assert_array_equal(np.sort(np.asarray(a), stable=False).asnumpy(),
                                     numpy.sort(a))
    idx = np.argsort(np.asarray(a), stable=False).asnumpy()
    numpy.testing.assert_array_equal(a[idx], numpy.sort(a))


def test_sort_of_integers_and_python_lists():
    assert np.sort([3, 1, 2]).tolist() == [1, 2, 3]
    assert np.sort(np.asarray([3, 1, 2], dtype=np.int32)).dtype == np.int32


def test_sort_rejects_complex_and_bad_axes():
    with pytest.raises(TypeError, match="complex"):
        np.sort(np.asarray([1 + 1j, 2 + 0j]))
    with pytest.raises(TypeError, match="complex"):
        np.argsort(np.asarray([1 + 1j, 2 + 0j]))
    with pytest.raises(ValueError, match="axis 2"):
        np.sort(np.ones((2, 3)), axis=2)
    with pytest.raises(ValueError, match="axis -3"):
        np.argsort(np.ones((2, 3)), axis=-3)


@pytest.mark.parametrize("shape,axis", [c for c in CASES if 0 not in c[0]])
@pytest.mark.parametrize("descending", [False, True])
def test_sort_derivatives_match_finite_differences(shape, axis, descending):
    x = np.asarray(_distinct(shape))
    check_grads(lambda x: np.sin(np.sort(x, axis=axis, descending=descending)) * x,
                modes=("fwd", "rev"), order=2)(x)


def test_sort_derivative_of_size_0_is_size_0():
    x = np.zeros((2, 0))
    g = pg.grad(lambda x: np.sum(np.sort(x, axis=0)))(x)
    assert g.shape == (2, 0)
    _, t = pg.jvp(lambda x: np.sort(x, axis=1), (x,), (x,))
    assert t.shape == (2, 0)


def test_sort_gradient_scatters_back_through_the_permutation():
    a = numpy.array([[0.3, -2.0, 1.5], [4.0, 2.0, 3.0]])
    w = numpy.array([[1.0, 10.0, 100.0], [1.0, 10.0, 100.0]])
    g = pg.grad(lambda x: np.sum(np.sort(x, axis=1) * np.asarray(w)))(np.asarray(a))
    # each element receives the weight of the position it is sorted to
    numpy.testing.assert_array_equal(g.asnumpy(), [[10.0, 1.0, 100.0], [100.0, 1.0, 10.0]])


@pytest.mark.parametrize("axis,descending", [(0, False), (1, True), (-1, False)])
def test_sort_derivatives_agree_with_torch_autograd(axis, descending):
    torch = pytest.importorskip("torch")
    a = _distinct((3, 5))
    w = RNG.standard_normal((3, 5))
    ours = pg.grad(lambda x: np.sum(np.sort(x, axis=axis, descending=descending)
                                    * np.asarray(w)))(np.asarray(a))
    t = torch.tensor(a, requires_grad=True)
    (torch.sort(t, dim=axis, descending=descending).values * torch.tensor(w)).sum().backward()
    numpy.testing.assert_allclose(ours.asnumpy(), t.grad.numpy(), rtol=1e-12)


def test_sort_at_ties_gives_each_position_to_one_element():
    # the derivative of a sort at ties is a choice; ours follows the stable order
    x = np.asarray([1.0, 1.0, 0.0])
    g = pg.grad(lambda x: np.sum(np.sort(x) * np.asarray([1.0, 10.0, 100.0])))(x)
    assert g.tolist() == [10.0, 100.0, 1.0]


def test_argsort_is_non_differentiable_with_zero_derivative():
    assert np.argsort.primitive.nondiff
    x = np.asarray(_distinct((4,)))
    g = pg.grad(lambda x: np.sum(np.astype(np.argsort(x), x.dtype)))(x)
    numpy.testing.assert_array_equal(g.asnumpy(), numpy.zeros(4))
    # a function using argsort as an index still differentiates through the other path
    g = pg.grad(lambda x: np.sum(np.take(x, np.argsort(x)) ** 2))(x)
    numpy.testing.assert_allclose(g.asnumpy(), 2 * x.asnumpy())


def test_sort_of_0d_is_its_value_with_unit_derivative():
    assert float(np.sort(np.asarray(3.0))) == 3.0
    assert float(pg.grad(lambda x: np.sort(x) * 2.0)(3.0)) == 2.0


def test_sort_and_argsort_on_every_backend(backend):
    a = _distinct((3, 4))
    x = np.asarray(a, dtype=np.float64)
    assert x.backend == backend.name
    numpy.testing.assert_array_equal(np.sort(x, axis=0, descending=True).asnumpy(),
                                     numpy.flip(numpy.sort(a, axis=0), axis=0))
    numpy.testing.assert_array_equal(np.argsort(x).asnumpy(), numpy.argsort(a, kind="stable"))
    check_grads(lambda x: np.sin(np.sort(x, axis=-1, descending=True)) * x, order=2)(x)
