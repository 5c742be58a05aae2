"""Statistical functions: signatures, and cumulative_sum / cumulative_prod (values against NumPy,
derivatives against finite differences and other autodiff systems, exact at zeros)."""

from __future__ import annotations


import numpy
import pytest

import polygrad as pg
import polygrad.numpy as np
from polygrad.testing import check_grads

pytestmark = pytest.mark.usefixtures("numpy_backend")
RNG = numpy.random.default_rng(0)
CUMULATIVE = ["cumulative_sum", "cumulative_prod"]
# (shape, axis): 1-D with axis None, size 0, negative axes, 3-D
CASES = [((5,), None), ((1,), 0), ((0,), None), ((3, 4), 0), ((3, 4), -1), ((3, 4), -2),
         ((2, 0, 3), 1), ((2, 0, 3), 2), ((2, 3, 4), 1)]


def _oracle(name, a, axis, include_initial):
    if axis is None:
        axis = 0
    fn, first = (numpy.cumsum, 0) if name == "cumulative_sum" else (numpy.cumprod, 1)
    out = fn(a, axis=axis)
    if include_initial:
        shape = list(a.shape)
        shape[axis] = 1
        out = numpy.concatenate([numpy.full(shape, first, dtype=out.dtype), out], axis=axis)
    return out



@pytest.mark.parametrize("name", CUMULATIVE)
@pytest.mark.parametrize("shape,axis", CASES)
@pytest.mark.parametrize("include_initial", [False, True])
def test_cumulative_values_match_numpy(name, shape, axis, include_initial):
    a = RNG.standard_normal(shape)
    out = getattr(np, name)(np.asarray(a), axis=axis, include_initial=include_initial)
    want = _oracle(name, a, axis, include_initial)
    assert out.shape == want.shape and out.dtype == np.float64
    numpy.testing.assert_allclose(out.asnumpy(), want, rtol=1e-13)


@pytest.mark.parametrize("name", CUMULATIVE)
def test_cumulative_dtype_argument_and_integer_inputs(name):
    a = numpy.array([[1, 2, 3], [4, 5, 6]], dtype=numpy.int32)
    out = getattr(np, name)(np.asarray(a), axis=1, dtype=np.float32)
    assert out.dtype == np.float32
    numpy.testing.assert_array_equal(out.asnumpy(), _oracle(name, a, 1, False))
    out = getattr(np, name)(np.asarray(a), axis=0)
    assert out.dtype.kind == "i"
    numpy.testing.assert_array_equal(out.asnumpy(), _oracle(name, a, 0, False))
    out = getattr(np, name)(np.asarray([True, True, False]))
    assert out.dtype.kind == "i"
    assert out.tolist() == ([1, 2, 2] if name == "cumulative_sum" else [1, 1, 0])


@pytest.mark.parametrize("name", CUMULATIVE)
def test_cumulative_axis_errors(name):
    fn = getattr(np, name)
    with pytest.raises(ValueError, match="axis must be given"):
        fn(np.ones((2, 3)))
    with pytest.raises(ValueError, match="0-d"):
        fn(np.asarray(1.0))
    with pytest.raises(ValueError, match="out of range"):
        fn(np.ones((2, 3)), axis=2)
    with pytest.raises(TypeError, match="axis"):
        fn(np.ones((2, 3)), axis=(0, 1))


@pytest.mark.parametrize("shape,axis", [c for c in CASES if 0 not in c[0]])
@pytest.mark.parametrize("include_initial", [False, True])
def test_cumulative_sum_derivatives_match_finite_differences(shape, axis, include_initial):
    x = np.asarray(RNG.standard_normal(shape))
    check_grads(lambda x: np.sin(np.cumulative_sum(x, axis=axis,
                                                   include_initial=include_initial)) * 2.0,
                modes=("fwd", "rev"), order=2)(x)


def test_cumulative_sum_vjp_is_the_reversed_cumulative_sum():
    g = numpy.array([1.0, 10.0, 100.0, 1000.0])
    _, pullback = pg.vjp(lambda x: np.cumulative_sum(x), np.ones(4))
    assert pullback(np.asarray(g))[0].tolist() == [1111.0, 1110.0, 1100.0, 1000.0]
    _, pullback = pg.vjp(lambda x: np.cumulative_sum(x, include_initial=True), np.ones(3))
    assert pullback(np.asarray(g))[0].tolist() == [1110.0, 1100.0, 1000.0]


# zeros: none, one, two in one slice, three in one slice, a zero at either end
WITH_ZEROS = [
    numpy.array([0.7, -1.3, 2.1, 0.4, 1.6]),
    numpy.array([[2.0, 0.0, 3.0, 0.0, 1.5], [1.0, 2.0, 0.0, -1.0, 0.5]]),
    numpy.array([[0.0, 1.2, 0.0, -0.8, 0.0], [1.1, 0.0, 0.9, 0.0, 0.0]]),
    numpy.array([[0.0, 0.0], [0.0, 0.0], [1.3, 0.0]]),
]


@pytest.mark.parametrize("a", WITH_ZEROS)
@pytest.mark.parametrize("axis", [0, -1])
@pytest.mark.parametrize("include_initial", [False, True])
def test_cumulative_prod_derivatives_are_exact_at_zeros(a, axis, include_initial):
    if a.ndim == 1 and axis == -1:
        axis = None
    check_grads(lambda x: np.sin(np.cumulative_prod(x, axis=axis,
                                                    include_initial=include_initial)),
                modes=("fwd", "rev"), order=2)(np.asarray(a))


def test_cumulative_prod_third_derivative_with_two_zeros_in_a_slice():
    x = np.asarray([[1.5, 0.0, 2.0, 0.0, -1.2, 0.8]])
    check_grads(lambda x: np.cos(np.cumulative_prod(x, axis=1)), order=3)(x)


def test_cumulative_prod_gradient_and_hessian_at_zeros_agree_with_jax():
    jax = pytest.importorskip("jax")
    jnp = jax.numpy
    a = numpy.array([1.5, 0.0, 2.0, 0.0, -1.2, 0.8, 0.0])
    w = RNG.standard_normal(a.shape)

    def ours(x):
        return np.sum(np.sin(np.cumulative_prod(x)) * np.asarray(w))

    def theirs(x):
        return jnp.sum(jnp.sin(jnp.cumprod(x)) * w)

    with jax.enable_x64(True):   # scoped: leaves JAX's global configuration alone
        grad, hessian = numpy.asarray(jax.grad(theirs)(a)), numpy.asarray(jax.hessian(theirs)(a))
    assert grad.dtype == numpy.float64
    numpy.testing.assert_allclose(pg.grad(ours)(np.asarray(a)).asnumpy(), grad, rtol=1e-12,
                                  atol=1e-14)
    numpy.testing.assert_allclose(pg.hessian(ours)(np.asarray(a)).asnumpy(), hessian,
                                  rtol=1e-12, atol=1e-14)


def test_cumulative_prod_gradient_at_zeros_agrees_with_torch():
    torch = pytest.importorskip("torch")
    a = numpy.array([[2.0, 0.0, 3.0, 0.0, 1.5], [0.0, 2.0, 0.5, -1.0, 0.0]])
    w = RNG.standard_normal(a.shape)
    t = torch.tensor(a, requires_grad=True)
    (torch.cumprod(t, dim=1) * torch.tensor(w)).sum().backward()
    g = pg.grad(lambda x: np.sum(np.cumulative_prod(x, axis=1) * np.asarray(w)))(np.asarray(a))
    numpy.testing.assert_allclose(g.asnumpy(), t.grad.numpy(), rtol=1e-12)


def test_cumulative_derivatives_of_complex_inputs_with_zeros():
    a = RNG.standard_normal((2, 5)) + 1j * RNG.standard_normal((2, 5))
    x = np.asarray(a * numpy.array([1, 0, 1, 0, 1]))
    check_grads(lambda x: np.cumulative_prod(x, axis=1) * x[:, :1], order=2)(x)
    check_grads(lambda x: np.cumulative_sum(x, axis=1, include_initial=True) ** 2, order=2)(x)


def test_cumulative_prod_derivative_has_no_nan_at_zeros():
    a = numpy.zeros((3, 4))
    a[1, 2] = 2.0
    x = np.asarray(a)
    for f in (lambda x: np.sum(np.cumulative_prod(x, axis=1)),
              lambda x: np.sum(np.cumulative_prod(x, axis=0, include_initial=True))):
        assert numpy.isfinite(pg.grad(f)(x).asnumpy()).all()
        assert numpy.isfinite(pg.hessian(f)(x).asnumpy()).all()


@pytest.mark.parametrize("name", CUMULATIVE)
def test_cumulative_derivatives_keep_float32(name):
    x = np.asarray([[0.5, 0.0, 2.0], [1.0, -1.0, 0.0]], dtype=np.float32)
    g = pg.grad(lambda x: np.sum(getattr(np, name)(x, axis=1, include_initial=True)))(x)
    assert g.dtype == np.float32 and g.shape == x.shape
    _, t = pg.jvp(lambda x: getattr(np, name)(x, axis=0), (x,), (np.ones_like(x),))
    assert t.dtype == np.float32


@pytest.mark.parametrize("name", CUMULATIVE)
@pytest.mark.parametrize("include_initial", [False, True])
def test_cumulative_derivatives_of_size_0(name, include_initial):
    x = np.zeros((2, 0))
    fn = getattr(np, name)
    g = pg.grad(lambda x: np.sum(fn(x, axis=1, include_initial=include_initial)))(x)
    assert g.shape == (2, 0)
    _, t = pg.jvp(lambda x: fn(x, axis=1, include_initial=include_initial), (x,), (x,))
    assert t.shape == (2, 1 if include_initial else 0)
    numpy.testing.assert_array_equal(t.asnumpy(), numpy.zeros(t.shape))


@pytest.mark.parametrize("name", CUMULATIVE)
def test_cumulative_functions_on_every_backend(backend, name):
    a = numpy.array([[2.0, 0.0, 3.0, 0.0, 1.5], [1.0, 2.0, 0.0, -1.0, 0.5]])
    x = np.asarray(a, dtype=np.float64)
    assert x.backend == backend.name
    fn = getattr(np, name)
    for axis in (0, 1):
        for include_initial in (False, True):
            numpy.testing.assert_allclose(
                fn(x, axis=axis, include_initial=include_initial).asnumpy(),
                _oracle(name, a, axis, include_initial), rtol=1e-13)
    check_grads(lambda x: np.sin(fn(x, axis=1, include_initial=True)), order=2)(x)


# -- max / min and friends: ties share the derivative, in the input's dtype -----------------------
EXTREMA = ["max", "min", "amax", "amin", "ptp", "prod"]


@pytest.mark.parametrize("name", EXTREMA)
@pytest.mark.parametrize("axis", [None, 1])
def test_reduction_derivatives_keep_float32(name, axis):
    x = np.asarray([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]], dtype=np.float32)
    fn = getattr(np, name)
    assert pg.grad(lambda x: np.sum(fn(x, axis=axis)))(x).dtype == np.float32
    _, t = pg.jvp(lambda x: fn(x, axis=axis), (x,), (np.ones_like(x),))
    assert t.dtype == np.float32
    assert pg.hessian(lambda x: np.sum(fn(x, axis=axis)))(x).dtype == np.float32


@pytest.mark.parametrize("name, expected", [("max", [0.0, 0.5, 0.5, 0.0]),
                                            ("min", [0.5, 0.0, 0.0, 0.5]),
                                            ("ptp", [-0.5, 0.5, 0.5, -0.5])])
def test_max_ties_share_the_derivative_evenly(name, expected):
    x = np.asarray([1.0, 3.0, 3.0, 1.0])
    assert pg.grad(getattr(np, name))(x).tolist() == expected
    _, t = pg.jvp(getattr(np, name), (x,), (np.asarray([1.0, 2.0, 4.0, 8.0]),))
    assert float(t) == float(numpy.dot(expected, [1.0, 2.0, 4.0, 8.0]))


# -- max / min of size-0 arrays: NumPy's rule, on every backend ------------------------------------
@pytest.mark.parametrize("name", ["max", "min"])
@pytest.mark.parametrize("shape, axis", [((0, 3), 1), ((0, 3), -1), ((2, 0, 3), (0, 2)),
                                         ((0, 3), ()), ((0, 3), 0), ((3, 0), 1), ((0, 0), 1),
                                         ((2, 0, 3), 1), ((0, 3), None), ((0,), None)])
@pytest.mark.parametrize("keepdims", [False, True])
def test_max_min_of_an_empty_array_follow_numpy(backend, name, shape, axis, keepdims):
    x = numpy.zeros(shape)
    try:
        expected = getattr(numpy, name)(x, axis=axis, keepdims=keepdims)
    except ValueError:
        with pytest.raises(ValueError, match=rf"polygrad\.numpy\.{name}: .*size 0"):
            getattr(np, name)(np.asarray(x), axis=axis, keepdims=keepdims)
        return
    out = getattr(np, name)(np.asarray(x), axis=axis, keepdims=keepdims)
    assert out.shape == expected.shape
    g = pg.grad(lambda v: np.sum(getattr(np, name)(v, axis=axis, keepdims=keepdims)))(
        np.asarray(x))
    assert g.shape == shape
