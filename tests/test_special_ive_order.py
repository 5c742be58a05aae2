"""The derivative of ive (and iv) in the order v (the primitive ive_dv: the power series
differentiated term by term with a bound on its rounding error, for large x the asymptotic
expansion): against mpmath over a grid of its domain (v ≥ 0, x ≥ 0 where either is accurate),
against central differences of scipy.special.ive in v (float64, a step where truncation and
rounding balance), check_grads (first order in v, second through x), on every backend, under
pg.jit; outside the domain, and for the second derivative in v, a DifferentiationError naming
the function and the argument, never a number."""

from __future__ import annotations

import numpy
import pytest

import polygrad as pg
import polygrad.numpy as np
import polygrad.special as special
from polygrad.scipy import _special_kernels as kernels
from polygrad.testing import check_grads
from conftest import assert_close, require_float64


scipy_special = pytest.importorskip("scipy.special", reason="SciPy is the oracle")

V = numpy.array([0.0, 0.0, 1e-3, 0.3, 1.0, 2.5, 10.0, 50.0, 0.5, 1.0, 3.0, 100.0, 0.7, 20.0,
                 5.0, 0.0])
X = numpy.array([0.5, 5.0, 20.0, 0.01, 1.0, 7.0, 3.0, 50.0, 100.0, 400.0, 599.0, 1.0, 250.0,
                 100.0, 1e-6, 1e-3])


def _central_difference(v, x):
    # ive is smooth in v: a five-point difference with h ~ (ε/f⁽⁵⁾)^(1/5) ≈ 1e-3 (1e-3 · v
    # away from 0) has truncation and rounding errors ~1e-12 relative
    h = 1e-3 * numpy.maximum(numpy.abs(v), 1.0)
    f = scipy_special.ive
    return (-f(v + 2 * h, x) + 8 * f(v + h, x) - 8 * f(v - h, x) + f(v - 2 * h, x)) / (12 * h)


def test_large_x_equals_mpmath():
    # the asymptotic expansion (x > 600, or x > 372 where the series is not accurate); at
    # v = 0 the derivative, -K₀(x) e^(-x), is below the smallest float
    mpmath = pytest.importorskip("mpmath", reason="mpmath is the oracle")
    v = numpy.array([0.0, 1e-3, 0.5, 2.0, 10.0, 0.5, 2.0, 50.0, 1.0, 1e-12, 0.0, 1e-6])
    x = numpy.array([700.0, 700.0, 700.0, 800.0, 1e3, 1e4, 1e5, 1e6, 1e15, 1e3, 400.0, 380.0])
    got, ok = kernels.ive_dv(numpy, v, x)
    assert ok.all()
    with mpmath.workdps(60):
        want = [float(mpmath.diff(lambda t, x=x: mpmath.besseli(t, x) * mpmath.exp(-x),
                                  mpmath.mpf(float(v)))) for v, x in zip(v, x)]
    numpy.testing.assert_allclose(got, want, rtol=1e-9, atol=0)


def test_kernel_equals_mpmath():
    mpmath = pytest.importorskip("mpmath", reason="mpmath is the oracle")
    got, ok = kernels.ive_dv(numpy, V, X)
    assert ok.all()
    with mpmath.workdps(50):
        want = [float(mpmath.diff(lambda t, x=x: mpmath.besseli(t, x) * mpmath.exp(-x),
                                  mpmath.mpf(float(v)))) for v, x in zip(V, X)]
    numpy.testing.assert_allclose(got, want, rtol=1e-9)   # the documented accuracy


def test_gradient_equals_central_differences_of_scipy(backend):
    require_float64(backend)
    v = numpy.array([0.3, 1.0, 2.5, 7.0, 20.0, 1.5, 4.0])   # away from v = 0 (h reaches below)
    x = numpy.array([0.2, 1.0, 6.0, 3.0, 40.0, 150.0, 500.0])
    g = pg.grad(lambda v: np.sum(special.ive(v, np.asarray(x, dtype="float64"))))(
        np.asarray(v, dtype="float64"))
    assert_close(g, _central_difference(v, x), scale=1e3)   # the oracle's own error ~1e-12


def test_iv_derivative_in_the_order(backend):
    require_float64(backend)
    v = numpy.array([0.5, 2.0, 3.5])
    x = numpy.array([0.7, 2.0, 9.0])
    g = pg.elementwise_grad(lambda v: special.iv(v, np.asarray(x, dtype="float64")))(
        np.asarray(v, dtype="float64"))
    assert_close(g, _central_difference(v, x) * numpy.exp(x), scale=1e3)


def test_check_grads(backend):
    require_float64(backend)
    v = np.asarray([0.4, 1.5, 3.0], dtype="float64")
    x = np.asarray([0.6, 2.0, 8.0], dtype="float64")
    # first order in v and x together; the derivative in v, differentiated in x (exact)
    check_grads(lambda v, x: special.ive(v, x), modes=("fwd", "rev"), order=1)(v, x)
    check_grads(lambda x: pg.elementwise_grad(lambda v: special.ive(v, x))(v),
                modes=("fwd", "rev"), order=1)(x)


def test_float32(backend):
    v = numpy.array([0.5, 2.0, 3.5], dtype="float32")
    x = numpy.array([0.7, 2.0, 30.0], dtype="float32")
    g = pg.elementwise_grad(lambda v: special.ive(v, np.asarray(x)))(np.asarray(v))
    assert g.dtype == "float32"
    assert_close(g, _central_difference(v.astype("float64"), x.astype("float64")), scale=30.0)


def test_at_x_zero():
    # ive(v, 0) = 0 for v > 0 whatever v: a zero derivative
    g = pg.elementwise_grad(lambda v: special.ive(v, np.asarray([0.0, 0.0])))(
        np.asarray([0.5, 3.0]))
    assert g.tolist() == [0.0, 0.0]


def test_under_jit(backend):
    require_float64(backend)
    v = np.asarray([0.4, 1.5, 3.0], dtype="float64")
    x = np.asarray([0.6, 2.0, 80.0], dtype="float64")
    g = pg.grad(lambda v, x: np.sum(special.iv(v, x) * 1e-30 + special.ive(v, x)))
    assert_close(pg.jit(g)(v, x), g(v, x).asnumpy())


@pytest.mark.parametrize("v, x", [(0.0, 50.0), (0.0, 12.0), (1e-9, 300.0), (-0.5, 1.0),
                                  (1.0, -2.0), (300.0, 700.0), (1.0, numpy.inf), (0.0, 0.0),
                                  (numpy.nan, 1.0)])
@pytest.mark.parametrize("mode", ["rev", "fwd"])
def test_outside_the_domain_raises(v, x, mode):
    f = lambda v: special.ive(v, x)   # noqa: E731
    d = pg.grad(f) if mode == "rev" else (lambda v: pg.jvp(f, (v,), (1.0,))[1])
    with pytest.raises(pg.DifferentiationError,
                       match=r"polygrad.special.ive: its derivative in the order v .*"
                             r"got v=.*, x=.*hold v constant"):
        d(np.asarray(v, dtype="float64"))


def test_the_error_names_an_offending_element():
    with pytest.raises(pg.DifferentiationError, match=r"got v=0.0, x=50.0 \(1 element"):
        pg.grad(lambda v: np.sum(special.ive(v, np.asarray([1.0, 50.0]))))(
            np.asarray([0.5, 0.0]))


def test_second_derivative_in_the_order_raises_naming_it():
    with pytest.raises(pg.DifferentiationError,
                       match=r"ive_dv \(a derivative of ive\): no derivative with respect to "
                             r"the order v \(the second derivative of ive in its order"):
        pg.grad(pg.grad(lambda v: special.ive(v, 2.0)))(np.asarray(1.5))
