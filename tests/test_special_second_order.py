"""Second derivatives of the incomplete gamma and beta functions in their shapes and of zeta in x
(the primitives gammainc_daa, betainc_daa, betainc_dadb, betainc_dbb, zeta_dxx: the series and
continued fractions carried with their second derivatives): the Array API kernels against mpmath
over a grid, check_grads to second order (finite differences of the first derivative, both modes)
on every backend, pg.hessian of the gamma and beta log-cdfs in their shapes against mpmath, the
exact mixed third derivatives with x, and the third order in the shapes raising, naming the
function and the argument. (jax.scipy.special has no second derivative of gammainc in a, nor any
derivative of betainc in its shapes: mpmath is the oracle.)"""

from __future__ import annotations

import numpy
import pytest

import polygrad as pg
import polygrad.numpy as np
import polygrad.special as special
from polygrad.scipy import _special_kernels as kernels
from polygrad.scipy import stats
from polygrad.testing import check_grads
from conftest import assert_close, require_float64, skip_op_by_op_kernels


mpmath = pytest.importorskip("mpmath", reason="mpmath is the oracle of the second derivatives")

A = numpy.array([0.05, 0.5, 1.0, 2.5, 7.0, 30.0, 150.0, 0.5, 3.0, 30.0, 2.0, 900.0])
X = numpy.array([0.01, 0.3, 2.0, 2.0, 12.0, 29.0, 160.0, 5.0, 0.1, 50.0, 1e-5, 950.0])
BA = numpy.array([0.3, 0.5, 2.0, 7.0, 30.0, 150.0, 1.5, 3.0, 0.8, 400.0])
BB = numpy.array([0.7, 4.0, 3.0, 12.0, 2.5, 80.0, 1.5, 0.2, 0.9, 500.0])
BX = numpy.array([0.2, 0.05, 0.5, 0.9, 0.95, 0.6, 0.999, 0.3, 1e-4, 0.45])


def _mp_diff(f, point, orders):
    with mpmath.workdps(40):
        return float(mpmath.diff(f, tuple(mpmath.mpf(float(v)) for v in point), orders))


def test_gammainc_daa_kernel_equals_mpmath():
    got = kernels.gammainc_daa(numpy, A, X)
    for a, x, g in zip(A, X, got):
        want = _mp_diff(lambda t, x=x: mpmath.gammainc(t, 0, float(x), regularized=True),
                        (a,), (2,))
        assert abs(g - want) <= 1e-11 * abs(want), (a, x, g, want)


def test_betainc_second_derivative_kernels_equal_mpmath():
    daa, dab, dbb = kernels.betainc_dab2(numpy, BA, BB, BX)
    for i, (a, b, x) in enumerate(zip(BA, BB, BX)):
        def f(s, t, x=x):
            return mpmath.betainc(s, t, 0, float(x), regularized=True)
        for got, orders in ((daa[i], (2, 0)), (dab[i], (1, 1)), (dbb[i], (0, 2))):
            want = _mp_diff(f, (a, b), orders)
            assert abs(got - want) <= 1e-11 * abs(want), (a, b, x, orders, got, want)


def test_zeta_dxx_kernel_equals_mpmath():
    x = numpy.array([1.001, 1.1, 1.5, 2.0, 3.0, 7.5, 20.0, 60.0, 2.5, 4.0])
    q = numpy.array([1.0, 0.3, 2.0, 1.0, 0.01, 5.0, 1.0, 1.0, 100.0, 0.7])
    got = kernels.zeta_dxx(numpy, x, q)
    with mpmath.workdps(30):
        want = numpy.array([float(mpmath.zeta(xi, qi, 2)) for xi, qi in zip(x, q)])
    numpy.testing.assert_allclose(got, want, rtol=1e-13)


def test_outside_the_domain_is_nan():
    assert numpy.isnan(kernels.gammainc_daa(numpy, numpy.array([-1.0, 1.0]),
                                            numpy.array([1.0, -1.0]))).all()
    assert all(numpy.isnan(d).all() for d in kernels.betainc_dab2(
        numpy, numpy.array([-1.0, 1.0, 1.0]), numpy.array([1.0, 1.0, 1.0]),
        numpy.array([0.5, 1.5, numpy.nan])))
    assert numpy.isnan(kernels.zeta_dxx(numpy, numpy.array([0.5, 2.0]),
                                        numpy.array([1.0, -1.0]))).all()


def test_values_on_every_backend(backend):
    # the primitives (on numpy: the Array API kernels too, SciPy has none of these)
    require_float64(backend)
    a, x = np.asarray(A[:8], dtype="float64"), np.asarray(X[:8], dtype="float64")
    assert_close(pg.elementwise_grad(pg.elementwise_grad(special.gammainc))(a, x),
                 kernels.gammainc_daa(numpy, A[:8], X[:8]), scale=100.0)
    ba, bb, bx = (np.asarray(v[:6], dtype="float64") for v in (BA, BB, BX))
    want = kernels.betainc_dab2(numpy, BA[:6], BB[:6], BX[:6])
    assert_close(special._betainc_daa(ba, bb, bx), want[0], scale=100.0)
    assert_close(special._betainc_dadb(ba, bb, bx), want[1], scale=100.0)
    assert_close(special._betainc_dbb(ba, bb, bx), want[2], scale=100.0)
    xz = np.asarray([1.5, 2.0, 7.5], dtype="float64")
    assert_close(pg.elementwise_grad(pg.elementwise_grad(special.zeta))(xz),
                 kernels.zeta_dxx(numpy, xz.asnumpy(), numpy.ones(3)), scale=10.0)


SECOND = {
    "gammainc": (lambda a, x: special.gammainc(a, x), ([0.7, 2.5, 9.0], [0.4, 3.0, 6.0])),
    "gammaincc": (lambda a, x: special.gammaincc(a, x), ([0.7, 2.5, 9.0], [0.4, 3.0, 12.0])),
    "betainc": (lambda a, b, x: special.betainc(a, b, x),
                ([0.7, 2.5, 9.0], [3.0, 1.5, 6.0], [0.2, 0.5, 0.85])),
    "zeta": (lambda x, q: special.zeta(x, q), ([1.5, 2.5, 6.0], [0.5, 1.0, 3.0])),
    "gammaincinv": (lambda a, p: special.gammaincinv(a, p), ([0.7, 2.5, 9.0], [0.2, 0.5, 0.85])),
    "betaincinv": (lambda a, b, p: special.betaincinv(a, b, p),
                   ([0.7, 2.5, 9.0], [3.0, 1.5, 6.0], [0.2, 0.5, 0.85])),
    "gamma.logcdf": (lambda x, a: stats.gamma.logcdf(x, a), ([0.4, 3.0, 6.0], [0.7, 2.5, 9.0])),
    "beta.logsf": (lambda x, a, b: stats.beta.logsf(x, a, b),
                   ([0.2, 0.5, 0.85], [0.7, 2.5, 9.0], [3.0, 1.5, 6.0])),
    "chi2.ppf": (lambda q, df: stats.chi2.ppf(q, df), ([0.2, 0.5, 0.85], [1.5, 4.0, 9.0])),
}


@pytest.mark.parametrize("name", list(SECOND))
def test_check_grads_to_second_order_in_every_argument(backend, name):
    require_float64(backend)
    skip_op_by_op_kernels(backend)
    f, values = SECOND[name]
    check_grads(f, modes=("fwd", "rev"), order=2)(
        *[np.asarray(v, dtype="float64") for v in values])


def test_hessian_of_the_gamma_log_cdf_in_its_shape_equals_mpmath(backend):
    require_float64(backend)
    skip_op_by_op_kernels(backend)
    a = numpy.array([0.7, 2.5, 30.0])
    x = numpy.array([0.3, 3.0, 25.0])
    h = pg.hessian(lambda a: np.sum(stats.gamma.logcdf(np.asarray(x, dtype="float64"), a)))(
        np.asarray(a, dtype="float64"))
    want = [_mp_diff(lambda t, xi=xi: mpmath.log(mpmath.gammainc(t, 0, float(xi),
                                                                 regularized=True)), (ai,), (2,))
            for ai, xi in zip(a, x)]
    assert_close(h, numpy.diag(want), scale=100.0)


def test_hessian_of_the_beta_log_cdf_in_its_shapes_equals_mpmath(backend):
    require_float64(backend)
    skip_op_by_op_kernels(backend)
    a, b, x = 2.5, 1.5, 0.4

    def f(ab):
        return stats.beta.logcdf(np.asarray(x, dtype="float64"), ab[0], ab[1])
    h = pg.hessian(f)(np.asarray([a, b], dtype="float64"))

    def ref(s, t):
        return mpmath.log(mpmath.betainc(s, t, 0, x, regularized=True))
    want = [[_mp_diff(ref, (a, b), (2, 0)), _mp_diff(ref, (a, b), (1, 1))],
            [_mp_diff(ref, (a, b), (1, 1)), _mp_diff(ref, (a, b), (0, 2))]]
    assert_close(h, want, scale=100.0)


def test_the_x_derivatives_of_the_second_derivatives_are_exact(backend):
    # ∂/∂x of ∂²P/∂a², ∂²I/∂a², ∂²I/∂a∂b, ∂²I/∂b², ∂²ζ/∂x² in q: closed forms, checked by
    # finite differences
    require_float64(backend)
    skip_op_by_op_kernels(backend)
    a = np.asarray([2.5, 2.5, 2.5], dtype="float64")   # constants, of x's shape
    b = np.asarray([1.5, 1.5, 1.5], dtype="float64")
    x = np.asarray([0.2, 0.5, 0.7], dtype="float64")
    for f in (lambda x: special._gammainc_daa(a, 4.0 * x),
              lambda x: special._betainc_daa(a, b, x),
              lambda x: special._betainc_dadb(a, b, x),
              lambda x: special._betainc_dbb(a, b, x),
              lambda q: special._zeta_dxx(a, q + 1.0)):
        check_grads(f, modes=("fwd", "rev"), order=1)(x)


def test_under_vmap(backend):
    require_float64(backend)
    skip_op_by_op_kernels(backend)
    a = np.asarray([[0.5, 3.0], [2.0, 9.0]], dtype="float64")
    g2 = pg.vmap(pg.hessian(lambda a: special.gammainc(a, 2.0)))(a.reshape((4,)))
    assert_close(g2, kernels.gammainc_daa(numpy, a.asnumpy().reshape(4), numpy.full(4, 2.0)),
                 scale=100.0)


@pytest.mark.parametrize("mode", ["rev", "fwd"])
@pytest.mark.parametrize("call, message", [
    (lambda s: special.gammainc(s, 1.0),
     r"gammainc_daa \(a second derivative\): no derivative with respect to the shape a "
     r"\(the third derivative of gammainc in a is not implemented\)"),
    (lambda s: special.gammaincc(s, 1.0), r"gammainc_daa.*the shape a"),
    (lambda s: special.betainc(s, 2.0, 0.3), r"betainc_daa.*the shape a.*betainc in a"),
    (lambda s: special.betainc(2.0, s, 0.3), r"betainc_dbb.*the shape b.*betainc in b"),
    (lambda s: special.betaincinv(2.0, s, 0.3), r"betainc_dbb.*the shape b"),
    (lambda s: special.zeta(s, 2.0), r"zeta_dxx.*respect to x.*third derivative of zeta in x"),
])
def test_third_order_raises_naming_the_function_and_argument(mode, call, message):
    def d(f):
        if mode == "rev":
            return pg.grad(f)
        return lambda s: pg.jvp(f, (s,), (1.0,))[1]
    assert numpy.isfinite(float(d(d(call))(2.5)))
    with pytest.raises(pg.DifferentiationError, match=message):
        d(d(d(call)))(2.5)


def test_mixed_third_order_raises_too():
    # ∂³I/∂a²∂b: the derivative of betainc_daa in b
    with pytest.raises(pg.DifferentiationError, match=r"betainc_daa.*the shape b"):
        pg.grad(lambda b: pg.grad(pg.grad(lambda a: special.betainc(a, b, 0.3)))(2.0))(1.5)
