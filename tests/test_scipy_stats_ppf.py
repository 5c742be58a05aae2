"""The quantile functions (ppf) of polygrad.scipy.stats' t, gamma, chi2, beta (the inverses of the
incomplete gamma and beta functions) and of poisson, binom, bernoulli (SciPy's definition, values
only): values against scipy.stats on every backend, derivatives in q, loc, scale (second order)
and the shapes (first order) against finite differences, and 0 for the discrete step functions."""

from __future__ import annotations

import numpy
import pytest

import polygrad as pg
import polygrad.numpy as np
from polygrad.scipy import stats
from polygrad.testing import check_grads
from conftest import require_float64, skip_op_by_op_kernels

scipy_stats = pytest.importorskip("scipy.stats", reason="SciPy is the oracle")

Q = numpy.array([0.0, 1e-10, 0.01, 0.3, 0.49, 0.5, 0.51, 0.8, 0.999, 1.0 - 1e-12, 1.0, -0.1, 1.2])
CONTINUOUS = [("t", (3.5,)), ("t", (0.7,)), ("t", (40.0,)), ("gamma", (2.5,)), ("gamma", (0.2,)),
              ("chi2", (3.0,)), ("beta", (2.0, 0.6)), ("beta", (0.4, 7.0))]
DISCRETE = [("poisson", (3.5,)), ("poisson", (0.01,)), ("poisson", (1e4,)),
            ("binom", (10, 0.3)), ("binom", (1000, 0.02)), ("bernoulli", (0.3,))]


@pytest.mark.parametrize("name, shapes", CONTINUOUS, ids=[f"{n}{s}" for n, s in CONTINUOUS])
def test_continuous_ppf_equals_scipys(backend, name, shapes):
    require_float64(backend)
    got = getattr(stats, name).ppf(np.asarray(Q), *shapes, 0.2, 1.5).asnumpy()
    want = getattr(scipy_stats, name).ppf(Q, *shapes, loc=0.2, scale=1.5)
    numpy.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-300)


def test_continuous_ppf_float32(backend):
    q = numpy.array([0.01, 0.3, 0.5, 0.8, 0.99], dtype="float32")
    for name, shapes in CONTINUOUS:
        got = getattr(stats, name).ppf(np.asarray(q), *shapes)
        assert got.dtype == "float32"
        numpy.testing.assert_allclose(got.asnumpy(), getattr(scipy_stats, name).ppf(q, *shapes),
                                      rtol=2e-4, atol=1e-6, err_msg=name)


@pytest.mark.parametrize("name, shapes", DISCRETE, ids=[f"{n}{s}" for n, s in DISCRETE])
def test_discrete_ppf_equals_scipys(backend, name, shapes):
    require_float64(backend)
    got = getattr(stats, name).ppf(np.asarray(Q), *shapes, 2.0).asnumpy()
    want = getattr(scipy_stats, name).ppf(Q, *shapes, loc=2.0)
    numpy.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("name, shapes", CONTINUOUS[:1] + CONTINUOUS[3:4] + CONTINUOUS[5:7],
                         ids=["t", "gamma", "chi2", "beta"])
def test_continuous_ppf_derivatives(backend, name, shapes):
    require_float64(backend)
    skip_op_by_op_kernels(backend)
    ppf = getattr(stats, name).ppf
    q = np.asarray([0.05, 0.3, 0.7, 0.9], dtype="float64")
    check_grads(lambda q, loc, scale: ppf(q, *shapes, loc, scale), modes=("fwd", "rev"),
                order=2)(q, np.asarray(0.2, dtype="float64"), np.asarray(1.5, dtype="float64"))
    check_grads(lambda *s: ppf(q, *s), modes=("fwd", "rev"), order=1)(
        *[np.asarray(s, dtype="float64") for s in shapes])


def test_ppf_derivative_is_one_over_the_density(numpy_backend):
    # q = F(x) ⇒ dx/dq = 1 / f(x): scipy.stats' pdf is an independent oracle
    q = numpy.array([0.05, 0.3, 0.7, 0.9])
    for name, shapes in CONTINUOUS:
        dist = getattr(stats, name)
        g = pg.elementwise_grad(lambda q, d=dist, s=shapes: d.ppf(q, *s))(np.asarray(q))
        ref = getattr(scipy_stats, name)
        numpy.testing.assert_allclose(g.asnumpy(), 1.0 / ref.pdf(ref.ppf(q, *shapes), *shapes),
                                      rtol=1e-8, err_msg=name)


def test_cdf_of_ppf_is_q(backend):
    require_float64(backend)
    skip_op_by_op_kernels(backend)
    q = np.asarray([1e-8, 0.2, 0.5, 0.9, 1.0 - 1e-8], dtype="float64")
    for name, shapes in CONTINUOUS:
        dist = getattr(stats, name)
        numpy.testing.assert_allclose(dist.cdf(dist.ppf(q, *shapes), *shapes).asnumpy(),
                                      q.asnumpy(), rtol=1e-8, err_msg=name)


def test_discrete_ppf_is_a_constant_to_differentiation(numpy_backend):
    # a step function: derivative 0 (SciPy's ppf is piecewise constant in q and the parameters)
    assert float(pg.grad(lambda q: stats.poisson.ppf(q, 3.0))(0.3)) == 0.0
    assert float(pg.grad(lambda mu: stats.poisson.ppf(0.3, mu))(3.0)) == 0.0
    assert float(pg.grad(lambda p: stats.binom.ppf(0.6, 10, p))(0.3)) == 0.0
