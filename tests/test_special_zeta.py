"""The derivative of the Hurwitz zeta function ζ(x, q) in x (Euler-Maclaurin summation of
-log(k + q) (k + q)^(-x)): against mpmath's zeta derivative, finite differences (check_grads, both
modes, with the mixed second derivative in q), on every backend; the third derivative in x raises
naming the argument (the second is tested in test_special_second_order.py)."""

from __future__ import annotations

import numpy
import pytest

import polygrad as pg
import polygrad.numpy as np
import polygrad.special as special
from polygrad.scipy import _special_kernels as kernels
from polygrad.testing import check_grads

X = numpy.array([1.05, 1.5, 2.0, 3.7, 9.0, 30.0])
Q = numpy.array([0.02, 1.0, 0.5, 2.5, 10.0, 80.0])


def test_kernel_equals_mpmaths_derivative():
    mpmath = pytest.importorskip("mpmath", reason="mpmath's zeta(s, a, 1) is the oracle")
    rng = numpy.random.default_rng(0)
    x = numpy.exp(rng.uniform(numpy.log(1.01), numpy.log(60.0), 60))
    q = numpy.exp(rng.uniform(numpy.log(0.01), numpy.log(100.0), 60))
    with mpmath.workdps(50):   # at 15 or 30 digits mpmath's own derivative is off by 1e-8
        want = numpy.array([float(mpmath.zeta(s, a, 1)) for s, a in zip(x, q)])
    numpy.testing.assert_allclose(kernels.zeta_dx(numpy, x, q), want, rtol=1e-12)


def test_derivative_in_x_on_every_backend(backend):
    if not backend.supports_float64:
        pytest.skip(f"{backend.name} has no float64")
    mpmath = pytest.importorskip("mpmath", reason="mpmath's zeta(s, a, 1) is the oracle")
    got = pg.elementwise_grad(lambda x: special.zeta(x, np.asarray(Q)))(np.asarray(X))
    with mpmath.workdps(50):
        want = [float(mpmath.zeta(s, a, 1)) for s, a in zip(X, Q)]
    numpy.testing.assert_allclose(got.asnumpy(), want, rtol=1e-10)
    # the Riemann zeta function: ζ'(2) = -0.9375482543158437...
    two = np.asarray(2.0, dtype="float64")
    assert abs(float(pg.grad(special.zeta)(two)) + 0.9375482543158437) < 1e-12


def test_check_grads_first_order_in_x_and_mixed_second_order(backend):
    if not backend.supports_float64:
        pytest.skip(f"{backend.name} has no float64")
    x, q = np.asarray(X[1:5]), np.asarray(Q[1:5])
    check_grads(lambda x, q: special.zeta(x, q), modes=("fwd", "rev"), order=1)(x, q)
    check_grads(lambda q: pg.elementwise_grad(lambda x: special.zeta(x, q))(x),
                modes=("fwd", "rev"), order=1)(q)


def test_outside_the_domain_is_nan(numpy_backend):
    g = pg.elementwise_grad(lambda x: special.zeta(x, 1.0))(np.asarray([0.5, 1.0]))
    assert numpy.isnan(g.asnumpy()).all()


@pytest.mark.parametrize("mode", ["rev", "fwd"])
def test_third_derivative_in_x_raises_naming_it(mode):
    def third(f):
        if mode == "rev":
            return pg.grad(pg.grad(pg.grad(f)))
        d = lambda f: lambda x: pg.jvp(f, (x,), (1.0,))[1]   # noqa: E731
        return d(d(d(f)))
    with pytest.raises(pg.DifferentiationError,
                       match="zeta_dxx.*respect to x.*third derivative of zeta in x"):
        third(lambda x: special.zeta(x, 2.0))(2.5)
