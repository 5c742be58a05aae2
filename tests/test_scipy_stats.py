"""polygrad.scipy.stats: values against scipy.stats on every backend (inside and outside the
support, SciPy's positional and keyword forms), derivatives in the data and every parameter
against finite differences (both modes, second order)."""

from __future__ import annotations

import numpy
import pytest

import polygrad as pg
import polygrad.numpy as np
import polygrad.scipy as pscipy
from polygrad.scipy import stats
from polygrad.testing import check_grads

scipy_stats = pytest.importorskip("scipy.stats", reason="SciPy is the oracle")

X = numpy.linspace(-2.0, 3.0, 11)
UNIT = numpy.linspace(-0.2, 1.2, 11)
# name, shape parameters, data, (loc, scale) for the gradient check (inside the support)
CONTINUOUS = [
    ("norm", (), X, X),
    ("t", (3.5,), X, X),
    ("gamma", (2.5,), X, numpy.linspace(0.5, 3.0, 5)),
    ("chi2", (3.0,), X, numpy.linspace(0.5, 3.0, 5)),
    ("beta", (2.0, 3.0), UNIT, numpy.linspace(0.35, 0.9, 5)),
    ("expon", (), X, numpy.linspace(0.5, 3.0, 5)),
    ("laplace", (), X, numpy.array([-1.5, -0.4, 0.9, 2.0])),
    ("logistic", (), X, X),
    ("cauchy", (), X, X),
    ("uniform", (), UNIT, numpy.linspace(0.15, 0.85, 5)),
]
CDF_METHODS = ("cdf", "logcdf", "sf", "logsf")


@pytest.mark.parametrize("name, shapes, x, _", CONTINUOUS, ids=[c[0] for c in CONTINUOUS])
def test_continuous_values_equal_scipys(backend, name, shapes, x, _):
    ours, theirs = getattr(stats, name), getattr(scipy_stats, name)
    data = np.asarray(x, dtype=np.float64)
    for method in ("logpdf", "pdf") + tuple(m for m in CDF_METHODS if hasattr(type(ours), m)):
        for args, kwds in (((), {}), ((0.3, 1.7), {}), ((), {"loc": 0.3, "scale": 1.7})):
            got = getattr(ours, method)(data, *shapes, *args, **kwds)
            assert got.backend == backend.name
            numpy.testing.assert_allclose(got.asnumpy(), getattr(theirs, method)(x, *shapes, *args,
                                                                                 **kwds),
                                          rtol=1e-10, atol=1e-300, err_msg=f"{name}.{method}")
    if hasattr(type(ours), "ppf"):
        q = numpy.linspace(0.02, 0.98, 7)
        got = ours.ppf(np.asarray(q), *shapes, loc=0.3, scale=1.7)
        numpy.testing.assert_allclose(got.asnumpy(), theirs.ppf(q, *shapes, loc=0.3, scale=1.7),
                                      rtol=1e-10)


@pytest.mark.parametrize("name, shapes, _, x", CONTINUOUS, ids=[c[0] for c in CONTINUOUS])
def test_continuous_logpdf_differentiates_in_data_loc_scale_and_shapes(numpy_backend, name,
                                                                       shapes, _, x):
    dist = getattr(stats, name)

    def f(x, loc, scale, *shapes):
        return np.sum(dist.logpdf(x, *shapes, loc=loc, scale=scale))

    args = [np.asarray(x * 1.3 + 0.2), np.asarray(0.2), np.asarray(1.3)]
    args += [np.asarray(float(s)) for s in shapes]
    check_grads(f, modes=("fwd", "rev"), order=2)(*args)


@pytest.mark.parametrize("name", ["norm", "expon", "logistic", "cauchy", "laplace"])
def test_closed_form_cdfs_and_ppf_differentiate(numpy_backend, name):
    dist = getattr(stats, name)
    x = np.asarray([0.3, 0.9, 1.7]) if name != "laplace" else np.asarray([-0.7, 0.9, 1.7])
    for method in CDF_METHODS:
        function = getattr(dist, method)
        check_grads(lambda x, loc, scale, f=function: np.sum(f(x, loc, scale)),
                    modes=("fwd", "rev"), order=2)(x, np.asarray(0.1), np.asarray(1.2))
    check_grads(lambda q, loc, scale: np.sum(dist.ppf(q, loc, scale)), modes=("fwd", "rev"),
                order=2)(np.asarray([0.2, 0.45, 0.7]), np.asarray(0.1), np.asarray(1.2))


def test_outside_the_support_and_invalid_parameters_follow_scipy(numpy_backend):
    assert float(stats.gamma.logpdf(-1.0, 2.0)) == -numpy.inf
    assert float(stats.beta.pdf(1.5, 2.0, 2.0)) == 0.0
    assert numpy.isnan(float(stats.norm.logpdf(0.0, 0.0, -1.0)))
    assert numpy.isnan(float(stats.norm.ppf(1.5)))
    # a point outside the support has derivative 0, not NaN, and leaves the others alone
    g = pg.grad(lambda x: np.sum(np.where(x > 0, stats.gamma.logpdf(x, 2.0), 0.0)))(
        np.asarray([-1.0, 2.0]))
    numpy.testing.assert_allclose(g.asnumpy(), [0.0, 1.0 / 2.0 - 1.0])


DISCRETE = [("poisson", (3.0,)), ("bernoulli", (0.3,)), ("binom", (5, 0.3))]


@pytest.mark.parametrize("name, shapes", DISCRETE, ids=[d[0] for d in DISCRETE])
def test_discrete_values_equal_scipys_on_and_off_the_support(backend, name, shapes):
    k = numpy.array([-1.0, 0.0, 1.0, 2.0, 2.5, 5.0, 7.0])
    for method in ("logpmf", "pmf"):
        for loc in (0, 1):
            got = getattr(getattr(stats, name), method)(np.asarray(k), *shapes, loc=loc)
            numpy.testing.assert_allclose(got.asnumpy(),
                                          getattr(getattr(scipy_stats, name), method)(
                                              k, *shapes, loc=loc), rtol=1e-10)


def test_discrete_logpmf_differentiates_in_its_parameters(numpy_backend):
    k = np.asarray([0.0, 1.0, 3.0])
    check_grads(lambda mu: np.sum(stats.poisson.logpmf(k, mu)), order=2)(np.asarray(2.5))
    check_grads(lambda p: np.sum(stats.bernoulli.logpmf(np.asarray([0.0, 1.0]), p)),
                order=2)(np.asarray(0.3))
    check_grads(lambda n, p: np.sum(stats.binom.logpmf(k, n, p)), order=2)(np.asarray(5.0),
                                                                           np.asarray(0.3))


def test_multivariate_normal_equals_scipy_in_its_calling_forms(backend):
    rng = numpy.random.default_rng(3)
    x = rng.normal(size=(4, 3))
    a = rng.normal(size=(3, 3))
    cov, mean = a @ a.T + 3 * numpy.eye(3), numpy.array([0.1, -0.2, 0.3])
    mvn = stats.multivariate_normal
    for args in ((x, mean, cov), (x[0], mean, cov), (x, mean, 2.0), (x, mean, numpy.ones(3) * 1.5),
                 (x[:, 0], None, 2.0), (x[:, 0],)):
        ours = mvn.logpdf(*[None if v is None else np.asarray(v) for v in args])
        numpy.testing.assert_allclose(ours.asnumpy(), scipy_stats.multivariate_normal.logpdf(*args),
                                      rtol=1e-10)
    got = mvn.pdf(np.asarray(x), np.asarray(mean), np.asarray(cov))
    numpy.testing.assert_allclose(got.asnumpy(), scipy_stats.multivariate_normal.pdf(x, mean, cov),
                                  rtol=1e-10)


def test_multivariate_normal_differentiates_in_x_mean_and_cov(numpy_backend):
    rng = numpy.random.default_rng(4)
    a = rng.normal(size=(3, 3))
    cov = np.asarray(a @ a.T + 3 * numpy.eye(3))
    f = lambda x, mean, cov: np.sum(stats.multivariate_normal.logpdf(x, mean, (cov + cov.T) / 2))
    check_grads(f, modes=("fwd", "rev"), order=2)(np.asarray(rng.normal(size=(2, 3))),
                                                  np.asarray([0.1, 0.2, 0.3]), cov)


def test_dirichlet_equals_scipy_and_differentiates(backend):
    x = numpy.array([[0.2, 0.3, 0.1], [0.5, 0.1, 0.6], [0.3, 0.6, 0.3]])
    alpha = numpy.array([1.5, 2.0, 0.7])
    got = stats.dirichlet.logpdf(np.asarray(x), np.asarray(alpha))
    numpy.testing.assert_allclose(got.asnumpy(), scipy_stats.dirichlet.logpdf(x, alpha),
                                  rtol=1e-10)
    if backend.name == "numpy":
        check_grads(lambda x, a: np.sum(stats.dirichlet.logpdf(x, a)), order=2)(np.asarray(x),
                                                                                np.asarray(alpha))


def test_a_method_scipy_has_and_polygrad_lacks_names_what_there_is():
    with pytest.raises(AttributeError, match="stats.t has no isf yet.*logpdf, pdf, cdf"):
        stats.t.isf(0.5, 3.0)


def test_bad_parameters_name_the_distribution_and_method():
    with pytest.raises(TypeError, match="stats.t.logpdf needs the shape parameter df"):
        stats.t.logpdf(0.0)
    with pytest.raises(TypeError, match="stats.norm.pdf got an unexpected keyword 'sigma'"):
        stats.norm.pdf(0.0, sigma=1.0)


def test_polygrad_scipy_special_is_polygrad_special():
    import polygrad.scipy.special as via_scipy
    import polygrad.special
    assert via_scipy is polygrad.special is pscipy.special
