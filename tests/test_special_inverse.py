"""The inverses of the incomplete gamma and beta functions (gammaincinv, gammainccinv,
betaincinv) and the derivatives of gammainc / gammaincc / betainc in their shape parameters:
values equal SciPy's on every backend (float64, and float32 within its tolerance), the Array API
kernels (what every backend but NumPy runs) equal SciPy's over a wide grid, derivatives against
jax.grad of jax.scipy.special.gammainc, mpmath, central differences of SciPy and check_grads."""

from __future__ import annotations

import numpy
import pytest

import polygrad as pg
import polygrad.numpy as np
import polygrad.special as special
from polygrad.scipy import _special_kernels as kernels
from polygrad.testing import check_grads
from conftest import assert_close, require_float64, skip_op_by_op_kernels


scipy_special = pytest.importorskip("scipy.special", reason="SciPy is the oracle")

A = numpy.array([0.05, 0.5, 1.0, 2.5, 7.0, 30.0, 150.0])
B = numpy.array([0.3, 4.0, 1.0, 0.7, 12.0, 2.5, 80.0])
P = numpy.array([1e-12, 0.02, 0.3, 0.5, 0.77, 0.999, 1.0 - 1e-9])


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", ["gammaincinv", "gammainccinv", "betaincinv"])
def test_inverse_values_equal_scipys(backend, name, dtype):
    if dtype == "float64":
        require_float64(backend)
    shapes = (A, B) if name == "betaincinv" else (A,)
    p = P if dtype == "float64" else numpy.array([1e-6, 0.02, 0.3, 0.5, 0.77, 0.99, 0.999])
    got = getattr(special, name)(*[np.asarray(v, dtype=dtype) for v in shapes + (p,)])
    assert got.dtype == dtype
    want = getattr(scipy_special, name)(*[v.astype(dtype) for v in shapes + (p,)])
    assert_close(got, want, scale=10.0 if dtype == "float64" else 30.0)


@pytest.mark.parametrize("name", ["gammaincinv", "gammainccinv", "betaincinv"])
def test_inverse_ends_and_invalid_arguments_follow_scipy(backend, name):
    require_float64(backend)
    shapes = (numpy.array([2.0, 2.0, 2.0, 2.0, -1.0]),)
    if name == "betaincinv":
        shapes += (numpy.array([3.0, 3.0, 3.0, 3.0, 3.0]),)
    p = numpy.array([0.0, 1.0, -0.1, 1.5, 0.5])
    got = getattr(special, name)(*[np.asarray(v) for v in shapes + (p,)]).asnumpy()
    numpy.testing.assert_array_equal(got, getattr(scipy_special, name)(*shapes, p))


def _grid(n, seed=0):
    rng = numpy.random.default_rng(seed)
    a = numpy.exp(rng.uniform(numpy.log(0.05), numpy.log(500.0), n))
    b = numpy.exp(rng.uniform(numpy.log(0.05), numpy.log(500.0), n))
    p = rng.uniform(0.0, 1.0, n)
    p[:10] = 10.0 ** rng.uniform(-100, -5, 10)
    p[10:20] = 1.0 - 10.0 ** rng.uniform(-15, -3, 10)
    return a, b, p


def test_array_api_kernels_equal_scipys_over_a_wide_grid():
    # the kernels every backend but NumPy runs, here on NumPy data (NumPy's backend calls SciPy)
    a, b, p = _grid(400)
    for upper, ref in ((False, scipy_special.gammaincinv), (True, scipy_special.gammainccinv)):
        got = kernels.gammaincinv_of(numpy, a, p, upper=upper)
        numpy.testing.assert_allclose(got, ref(a, p), rtol=1e-12)
    want = scipy_special.betaincinv(a, b, p)
    big = want > 1e-300   # below, SciPy gives the smallest normal float and the kernel 0
    numpy.testing.assert_allclose(kernels.betaincinv_of(numpy, a, b, p)[big], want[big],
                                  rtol=1e-9)
    x = a * numpy.exp(numpy.random.default_rng(1).normal(0.0, 0.6, a.size))
    lg = kernels.lgamma(numpy, a)
    pv, qv, _ = kernels.igamma(numpy, a, x, lg, None, kernels.iterations(numpy, a))
    numpy.testing.assert_allclose(pv, scipy_special.gammainc(a, x), rtol=1e-11, atol=1e-300)
    numpy.testing.assert_allclose(qv, scipy_special.gammaincc(a, x), rtol=1e-11, atol=1e-300)


def test_inverse_then_function_is_the_identity(backend):
    require_float64(backend)
    a, b, p = (np.asarray(v) for v in (A, B, P))
    assert_close(special.gammainc(a, special.gammaincinv(a, p)), P, scale=100.0)
    assert_close(special.gammaincc(a, special.gammainccinv(a, p)), P, scale=100.0)
    assert_close(special.betainc(a, b, special.betaincinv(a, b, p)), P, scale=100.0)


@pytest.mark.parametrize("name", ["gammaincinv", "gammainccinv", "betaincinv"])
def test_inverse_derivatives(backend, name):
    require_float64(backend)
    skip_op_by_op_kernels(backend)
    f = getattr(special, name)
    shapes = [np.asarray([0.7, 2.5, 9.0], dtype="float64")]
    if name == "betaincinv":
        shapes.append(np.asarray([3.0, 1.5, 6.0], dtype="float64"))
    p = np.asarray([0.2, 0.5, 0.85], dtype="float64")
    # in p: second order (the rule is a composition of differentiable functions)
    check_grads(lambda p: f(*shapes, p), modes=("fwd", "rev"), order=2)(p)
    # in the shapes: second order (the shape derivatives' own derivatives in the shapes are
    # primitives too; the third order raises)
    check_grads(lambda *s: f(*s, p), modes=("fwd", "rev"), order=2)(*shapes)


def test_gammainc_shape_derivative_equals_jaxs():
    jax = pytest.importorskip("jax", reason="jax.grad of jax.scipy.special.gammainc is an oracle")
    import jax.scipy.special as jsp

    a, _, _ = _grid(300, seed=2)
    x = a * numpy.exp(numpy.random.default_rng(3).normal(0.0, 0.6, a.size))
    want = numpy.asarray(jax.vmap(jax.grad(jsp.gammainc))(a, x))
    if want.dtype != numpy.float64:
        pytest.skip("jax runs without float64 here (jax_enable_x64 is off)")
    got = pg.elementwise_grad(lambda a: special.gammainc(a, np.asarray(x)))(np.asarray(a))
    keep = numpy.abs(want) > 1e-250
    numpy.testing.assert_allclose(got.asnumpy()[keep], want[keep], rtol=1e-10)


def _central(f, v, h=1e-5):
    return (f(v * (1 + h)) - f(v * (1 - h))) / (2 * h * v)


def test_shape_derivatives_equal_central_differences_of_scipy(backend):
    require_float64(backend)
    skip_op_by_op_kernels(backend)
    a = numpy.array([0.3, 1.0, 2.5, 6.0, 20.0, 80.0])
    b = numpy.array([2.0, 0.6, 5.0, 1.5, 30.0, 9.0])
    x = numpy.array([0.1, 0.9, 2.0, 8.0, 18.0, 95.0])
    y = numpy.array([0.05, 0.4, 0.3, 0.8, 0.45, 0.93])
    cases = [
        (lambda a: special.gammainc(a, np.asarray(x)), a,
         lambda a: scipy_special.gammainc(a, x)),
        (lambda a: special.gammaincc(a, np.asarray(x)), a,
         lambda a: scipy_special.gammaincc(a, x)),
        (lambda a: special.betainc(a, np.asarray(b), np.asarray(y)), a,
         lambda a: scipy_special.betainc(a, b, y)),
        (lambda b: special.betainc(np.asarray(a), b, np.asarray(y)), b,
         lambda b: scipy_special.betainc(a, b, y)),
    ]
    for f, v, ref in cases:
        got = pg.elementwise_grad(f)(np.asarray(v))
        numpy.testing.assert_allclose(got.asnumpy(), _central(ref, v), rtol=1e-7)


def test_betainc_shape_derivatives_equal_mpmaths():
    mpmath = pytest.importorskip("mpmath", reason="mpmath's numerical derivative is the oracle")
    mpmath.mp.dps = 30
    rng = numpy.random.default_rng(4)
    a = numpy.exp(rng.uniform(numpy.log(0.1), numpy.log(200.0), 12))
    b = numpy.exp(rng.uniform(numpy.log(0.1), numpy.log(200.0), 12))
    x = rng.uniform(0.02, 0.98, 12)
    da = pg.elementwise_grad(lambda a: special.betainc(a, np.asarray(b), np.asarray(x)))(
        np.asarray(a)).asnumpy()
    db = pg.elementwise_grad(lambda b: special.betainc(np.asarray(a), b, np.asarray(x)))(
        np.asarray(b)).asnumpy()
    for ai, bi, xi, dai, dbi in zip(a, b, x, da, db):
        want_a = float(mpmath.diff(
            lambda s, bi=bi, xi=xi: mpmath.betainc(s, bi, 0, xi, regularized=True), ai))
        want_b = float(mpmath.diff(
            lambda t, ai=ai, xi=xi: mpmath.betainc(ai, t, 0, xi, regularized=True), bi))
        # where I is within 1e-25 of 1, 30 digits do not resolve the derivative
        if abs(want_a) > 1e-20:
            assert abs(dai - want_a) <= 1e-9 * abs(want_a), (ai, bi, xi)
        if abs(want_b) > 1e-20:
            assert abs(dbi - want_b) <= 1e-9 * abs(want_b), (ai, bi, xi)


def test_mixed_second_derivatives_are_exact(backend):
    require_float64(backend)
    skip_op_by_op_kernels(backend)
    # ∂/∂x ∂P/∂a and ∂/∂x ∂I/∂a, ∂I/∂b have closed forms: check_grads on the x-dependence
    check_grads(lambda x: pg.grad(lambda a: np.sum(special.gammainc(a, x)))(
        np.asarray(2.5, dtype="float64")), modes=("fwd", "rev"), order=1)(
        np.asarray([0.5, 2.0, 6.0], dtype="float64"))
    x = np.asarray([0.2, 0.5, 0.7], dtype="float64")
    check_grads(lambda x: pg.grad(lambda a: np.sum(special.betainc(a, 1.5, x)))(
        np.asarray(2.5, dtype="float64")), modes=("fwd", "rev"), order=1)(x)
    check_grads(lambda x: pg.grad(lambda b: np.sum(special.betainc(2.5, b, x)))(
        np.asarray(1.5, dtype="float64")), modes=("fwd", "rev"), order=1)(x)


@pytest.mark.parametrize("call, argument", [
    (lambda a: special.gammainc(a, 1.0), "gammainc_daa.*the shape a.*third derivative of "
                                         "gammainc in a"),
    (lambda a: special.betainc(a, 2.0, 0.3), "betainc_daa.*the shape a.*third derivative of "
                                             "betainc in a"),
    (lambda b: special.betainc(2.0, b, 0.3), "betainc_dbb.*the shape b.*third derivative of "
                                             "betainc in b"),
    (lambda a: special.gammaincinv(a, 0.3), "gammainc_daa.*the shape a"),
])
def test_third_derivatives_in_the_shapes_raise_naming_them(call, argument):
    with pytest.raises(pg.DifferentiationError, match=argument):
        pg.grad(pg.grad(pg.grad(call)))(2.5)


def test_gradients_agree_between_backends(backend):
    require_float64(backend)
    a = np.asarray([0.7, 2.5, 9.0], dtype="float64")
    p = np.asarray([0.2, 0.5, 0.85], dtype="float64")

    def f(a, p):
        return np.sum(special.gammaincinv(a, p) + special.betaincinv(a, 2.0, p)
                      + special.gammainc(a, 3.0 * p) + special.betainc(2.0, a, p))
    got = pg.grad(f, argnum=(0, 1))(a, p)
    with pg.use_backend("numpy"):
        want = pg.grad(f, argnum=(0, 1))(*(np.asarray(v.asnumpy()) for v in (a, p)))
    for g, w in zip(got, want):
        assert_close(g, w.asnumpy(), scale=100.0)


def test_under_vmap_and_jit(backend):
    require_float64(backend)
    a = np.asarray([[0.5, 3.0], [2.0, 9.0]], dtype="float64")
    p = np.asarray([0.3, 0.8], dtype="float64")
    want = special.gammaincinv(a, p)
    assert_close(pg.vmap(lambda a: special.gammaincinv(a, p))(a), want.asnumpy())
    assert_close(pg.jit(special.betaincinv)(a, a + 1.0, p), special.betaincinv(a, a + 1.0, p)
                 .asnumpy())
    g = pg.grad(lambda a: np.sum(special.gammainc(a, 1.5)))
    assert_close(pg.jit(g)(a), g(a).asnumpy())
