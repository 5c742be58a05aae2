"""The distribution functions (cdf, logcdf, sf, logsf) of polygrad.scipy.stats' t, gamma, chi2,
beta, poisson, binom and bernoulli, built on the incomplete gamma and beta functions: values
against scipy.stats on every backend, derivatives in the data, loc, scale and the continuous
parameters (mu, p) against finite differences (both modes, second order), and in the shape
parameters (first order)."""

from __future__ import annotations

import numpy
import pytest

import polygrad as pg
import polygrad.numpy as np
from polygrad.scipy import stats
from polygrad.testing import check_grads

scipy_stats = pytest.importorskip("scipy.stats", reason="SciPy is the oracle")

METHODS = ("cdf", "logcdf", "sf", "logsf")
K = numpy.array([-1.0, 0.0, 1.0, 2.0, 2.5, 5.0, 7.0, 11.0])
DISCRETE = [("poisson", (3.0,)), ("bernoulli", (0.3,)), ("binom", (10, 0.3))]
CONTINUOUS = [("t", (3.5,), numpy.array([-2.5, -0.4, 0.3, 1.9])),
              ("gamma", (2.5,), numpy.array([0.4, 1.1, 2.9])),
              ("chi2", (3.0,), numpy.array([0.4, 1.1, 2.9])),
              ("beta", (2.0, 3.0), numpy.array([0.35, 0.6, 0.9]))]


@pytest.mark.parametrize("name, shapes", DISCRETE, ids=[d[0] for d in DISCRETE])
def test_discrete_values_equal_scipys(backend, name, shapes):
    if not backend.supports_float64:
        pytest.skip(f"{backend.name} has no float64")
    for method in METHODS:
        for loc in (0, 1):
            got = getattr(getattr(stats, name), method)(np.asarray(K, dtype="float64"), *shapes,
                                                        loc=loc)
            assert got.backend == backend.name
            want = getattr(getattr(scipy_stats, name), method)(K, *shapes, loc=loc)
            numpy.testing.assert_allclose(got.asnumpy(), want, rtol=1e-10, atol=1e-300,
                                          err_msg=f"{name}.{method}")


@pytest.mark.parametrize("name, shapes, x", CONTINUOUS, ids=[c[0] for c in CONTINUOUS])
def test_continuous_cdfs_differentiate_in_data_loc_scale(backend, name, shapes, x):
    if not backend.supports_float64:
        pytest.skip(f"{backend.name} has no float64")
    dist = getattr(stats, name)
    for method in METHODS:
        function = getattr(dist, method)
        check_grads(lambda x, loc, scale, f=function: np.sum(f(x, *shapes, loc, scale)),
                    modes=("fwd", "rev"), order=2)(
            *(np.asarray(v, dtype="float64") for v in (x * 1.2 + 0.1, 0.1, 1.2)))


def test_the_cdfs_derivative_is_the_pdf():
    for name, shapes, x in CONTINUOUS:
        dist = getattr(stats, name)
        g = pg.elementwise_grad(lambda x, d=dist, s=shapes: d.cdf(x, *s, 0.1, 1.2))(np.asarray(x))
        numpy.testing.assert_allclose(g.asnumpy(), getattr(scipy_stats, name).pdf(
            x, *shapes, 0.1, 1.2), rtol=1e-10, err_msg=name)


def test_discrete_cdfs_differentiate_in_mu_and_p(backend):
    if not backend.supports_float64:
        pytest.skip(f"{backend.name} has no float64")
    k = np.asarray([0.0, 1.0, 3.0, 6.0], dtype="float64")
    for method in METHODS:
        check_grads(lambda mu, m=method: np.sum(getattr(stats.poisson, m)(k, mu)),
                    modes=("fwd", "rev"), order=2)(np.asarray(2.5, dtype="float64"))
        check_grads(lambda p, m=method: np.sum(getattr(stats.binom, m)(k, 10, p)),
                    modes=("fwd", "rev"), order=2)(np.asarray(0.3, dtype="float64"))
        check_grads(lambda p, m=method: np.sum(getattr(stats.bernoulli, m)(
            np.asarray([0.0, 0.5], dtype="float64"), p)), modes=("fwd", "rev"),
            order=2)(np.asarray(0.3, dtype="float64"))


@pytest.mark.parametrize("call", [
    lambda df: stats.t.cdf(0.7, df),
    lambda a: stats.gamma.sf(0.7, a),
    lambda df: stats.chi2.logcdf(0.7, df),
    lambda b: stats.beta.cdf(0.4, 2.0, b),
    lambda n: stats.binom.cdf(3.0, n, 0.3),
], ids=["t", "gamma", "chi2", "beta", "binom"])
def test_cdfs_differentiate_in_shape_parameters(numpy_backend, call):
    # the shape derivatives of the incomplete gamma and beta functions (first order)
    check_grads(call, modes=("fwd", "rev"), order=1)(np.asarray(4.5, dtype="float64"))


def test_outside_the_support_follows_scipy(numpy_backend):
    assert float(stats.gamma.cdf(-1.0, 2.0)) == 0.0
    assert float(stats.gamma.logcdf(-1.0, 2.0)) == -numpy.inf
    assert float(stats.beta.sf(1.5, 2.0, 2.0)) == 0.0
    assert float(stats.poisson.cdf(-0.5, 2.0)) == 0.0
    assert numpy.isnan(float(stats.t.cdf(0.0, 3.0, 0.0, -1.0)))
    # the derivative at a point outside the support is 0, not NaN
    g = pg.grad(lambda x: np.sum(stats.gamma.cdf(x, 2.0)))(np.asarray([-1.0, 2.0]))
    numpy.testing.assert_allclose(g.asnumpy(), [0.0, scipy_stats.gamma.pdf(2.0, 2.0)])
