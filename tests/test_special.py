"""polygrad.special: values against SciPy, numerical stability at extreme inputs, derivatives
against finite differences (both modes, second order) and against HIPS autograd, and the error
raised where no kernel exists."""

from __future__ import annotations

import sys
import warnings

import numpy
import pytest

import polygrad as pg
import polygrad.numpy as np
import polygrad.special as special
from polygrad.testing import check_grads

scipy_special = pytest.importorskip("scipy.special")

pytestmark = pytest.mark.usefixtures("numpy_backend")

R = numpy.random.default_rng(3)
X = R.standard_normal((3, 4)) * 3
P = R.uniform(0.02, 0.98, (3, 4))
POS = R.uniform(0.1, 6.0, (3, 4))
UNIT = R.uniform(-0.95, 0.95, (3, 4))


def _logsumexp_scipy(x, axis=None, keepdims=False):
    with numpy.errstate(all="ignore"):
        return scipy_special.logsumexp(x, axis=axis, keepdims=keepdims)


# (name, our function, SciPy's, inputs)
UNARY = [
    ("expit", special.expit, scipy_special.expit, X),
    ("logit", special.logit, scipy_special.logit, P),
    ("log_sigmoid", special.log_sigmoid, lambda x: scipy_special.log_expit(x), X),
    ("softplus", special.softplus, lambda x: numpy.logaddexp(x, 0.0), X),
    ("erf", special.erf, scipy_special.erf, X),
    ("erfc", special.erfc, scipy_special.erfc, X),
    ("erfinv", special.erfinv, scipy_special.erfinv, UNIT),
    ("gammaln", special.gammaln, scipy_special.gammaln, numpy.concatenate([POS, -POS - 0.5])),
    ("digamma", special.digamma, scipy_special.digamma, POS),
]


@pytest.mark.parametrize("name,ours,theirs,x", UNARY, ids=[u[0] for u in UNARY])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_unary_values_and_dtypes_match_scipy(name, ours, theirs, x, dtype):
    x = x.astype(dtype)
    out = ours(np.asarray(x))
    assert out.dtype == dtype and out.shape == x.shape
    rtol = 1e-13 if dtype == "float64" else 1e-5
    numpy.testing.assert_allclose(out.asnumpy(), theirs(x), rtol=rtol, atol=rtol)
    assert ours(np.asarray(x[0, 0])).shape == ()     # 0-d in, 0-d out


def test_polygamma_and_xlogy_match_scipy():
    for n in range(4):
        numpy.testing.assert_allclose(special.polygamma(n, np.asarray(POS)).asnumpy(),
                                      scipy_special.polygamma(n, POS), rtol=1e-12)
    x = numpy.array([[0.0], [0.5], [2.0]])
    y = numpy.array([0.0, -1.0, 0.5, 3.0, numpy.inf, numpy.nan])
    with numpy.errstate(all="ignore"):
        want = scipy_special.xlogy(x, y)
        got = special.xlogy(np.asarray(x), np.asarray(y)).asnumpy()
    numpy.testing.assert_allclose(got, want)
    assert special.polygamma(1, 1.0).dtype == np.float64


def test_integer_inputs_become_the_default_float():
    assert special.logsumexp(np.asarray([1, 2, 3])).dtype == np.float64
    assert special.polygamma(0, np.asarray([1, 2])).dtype == np.float64
    assert special.softplus(np.asarray([1, 2])).dtype == np.float64


@pytest.mark.parametrize("axis", [None, 0, -1, (0, 2), (-1, -3)])
@pytest.mark.parametrize("keepdims", [False, True])
def test_logsumexp_matches_scipy(axis, keepdims):
    x = R.standard_normal((2, 3, 4)) * 10
    out = special.logsumexp(np.asarray(x), axis=axis, keepdims=keepdims)
    numpy.testing.assert_allclose(out.asnumpy(), _logsumexp_scipy(x, axis, keepdims), rtol=1e-13)


def test_logsumexp_is_stable_for_large_and_infinite_entries():
    cases = [[1000.0, 1000.0], [-1000.0, -1000.0], [1e308, 1e308], [-numpy.inf, 0.0],
             [-numpy.inf, -numpy.inf], [numpy.inf, 0.0], [numpy.nan, 1.0], [700.0, -700.0]]
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)   # no overflow anywhere
        for c in cases[:3] + cases[7:]:
            got = float(special.logsumexp(np.asarray(c)))
            assert got == pytest.approx(float(_logsumexp_scipy(numpy.array(c))), rel=1e-15)
    for c in cases[3:7]:
        with numpy.errstate(divide="ignore", invalid="ignore"):   # log(0), as NumPy's log
            got = special.logsumexp(np.asarray(c)).asnumpy()
        numpy.testing.assert_array_equal(
            got, _logsumexp_scipy(numpy.array(c)))


def test_logsumexp_of_an_empty_axis_is_minus_infinity():
    out = special.logsumexp(np.zeros((0, 3)), axis=0)
    assert out.shape == (3,) and out.tolist() == [-numpy.inf] * 3
    assert float(special.logsumexp(np.zeros((0,)))) == -numpy.inf
    assert pg.grad(lambda x: np.sum(special.logsumexp(x, axis=0)))(np.zeros((0, 3))).shape == \
        (0, 3)


def test_logsumexp_derivatives_ignore_minus_infinity():
    x = np.asarray([-numpy.inf, 0.0, numpy.log(3.0)])
    g = pg.grad(special.logsumexp)(x)
    numpy.testing.assert_allclose(g.asnumpy(), [0.0, 0.25, 0.75], rtol=1e-15)
    h = pg.hessian(special.logsumexp)(x).asnumpy()
    assert numpy.all(numpy.isfinite(h)) and numpy.all(h[0] == 0) and numpy.all(h[:, 0] == 0)
    _, t = pg.jvp(special.logsumexp, (x,), (np.asarray([1.0, 1.0, 1.0]),))
    assert float(t) == pytest.approx(1.0, rel=1e-15)
    # a slice of all -inf: value -inf, derivative 0 (not NaN)
    with numpy.errstate(divide="ignore"):
        g = pg.grad(lambda v: np.sum(special.logsumexp(v, axis=1)))(
            np.asarray([[-numpy.inf, -numpy.inf], [0.0, 0.0]]))
    assert g.tolist() == [[0.0, 0.0], [0.5, 0.5]]


def test_softmax_family_is_stable():
    x = np.asarray([[1000.0, 1000.0, -numpy.inf], [-1000.0, -1001.0, -1002.0]])
    s = special.softmax(x, axis=-1).asnumpy()
    ls = special.log_softmax(x, axis=1).asnumpy()
    with numpy.errstate(all="ignore"):
        numpy.testing.assert_allclose(s, scipy_special.softmax(x.asnumpy(), axis=-1), rtol=1e-14)
        numpy.testing.assert_allclose(ls, scipy_special.log_softmax(x.asnumpy(), axis=1),
                                      rtol=1e-14)
    assert ls[0, 2] == -numpy.inf and s[0, 2] == 0.0
    g = pg.grad(lambda v: np.sum(special.log_softmax(v)[:2] * np.asarray([1.0, 2.0])))(x[0])
    assert numpy.all(numpy.isfinite(g.asnumpy()))
    numpy.testing.assert_allclose(special.softmax(np.asarray(X), axis=0).asnumpy(),
                                  scipy_special.softmax(X, axis=0), rtol=1e-14)
    numpy.testing.assert_allclose(special.softmax(np.asarray(X), axis=(0, 1)).asnumpy(),
                                  scipy_special.softmax(X, axis=(0, 1)), rtol=1e-14)


def test_logistic_family_never_overflows():
    x = np.asarray([-1000.0, -745.0, -40.0, 0.0, 40.0, 1000.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        sp = special.softplus(x).asnumpy()
        ls = special.log_sigmoid(x).asnumpy()
        e = special.expit(x).asnumpy()
        ge = pg.elementwise_grad(special.expit)(x).asnumpy()
        gs = pg.elementwise_grad(special.softplus)(x).asnumpy()
    host = x.asnumpy()
    numpy.testing.assert_allclose(sp, numpy.logaddexp(host, 0.0), rtol=1e-15)
    numpy.testing.assert_allclose(ls, scipy_special.log_expit(host), rtol=1e-15)
    # exp(-745) is a subnormal 5e-324 (SciPy rounds it to 0)
    numpy.testing.assert_allclose(e, scipy_special.expit(host), rtol=1e-14, atol=1e-323)
    numpy.testing.assert_allclose(ge, scipy_special.expit(host) * scipy_special.expit(-host),
                                  rtol=1e-13, atol=1e-323)
    numpy.testing.assert_allclose(gs, scipy_special.expit(host), rtol=1e-14, atol=1e-323)
    assert float(special.logit(special.expit(np.asarray(-30.0)))) == pytest.approx(-30.0, 1e-12)


# -- derivatives --------------------------------------------------------------------------------
GRAD_CASES = [
    ("logsumexp", lambda x: special.logsumexp(x), X),
    ("logsumexp-axes", lambda x: special.logsumexp(x, axis=(0, -1), keepdims=True),
     R.standard_normal((2, 3, 4))),
    ("logsumexp-negative-axis", lambda x: special.logsumexp(x, axis=-2), X),
    ("logsumexp-0d", special.logsumexp, numpy.array(0.7)),
    ("logsumexp-size-0", lambda x: special.logsumexp(x, axis=1), numpy.zeros((0, 3))),
    ("logsumexp-large", special.logsumexp, X * 300),
    ("softmax", lambda x: special.softmax(x, axis=0), X),
    ("softmax-last", special.softmax, X),
    ("log_softmax", special.log_softmax, X),
    ("log_softmax-0d", special.log_softmax, numpy.array(1.5)),
    ("expit", special.expit, X),
    ("expit-large", special.expit, numpy.array([-40.0, -20.0, 25.0, 50.0])),
    ("logit", special.logit, P),
    ("log_sigmoid", special.log_sigmoid, X),
    ("softplus", special.softplus, X),
    ("softplus-large", special.softplus, numpy.array([-50.0, 60.0])),
    ("erf", special.erf, X / 3),
    ("erfc", special.erfc, X / 3),
    ("erfinv", special.erfinv, UNIT),
    ("gammaln", special.gammaln, POS),
    ("gammaln-negative", special.gammaln, numpy.array([-0.5, -1.7, -2.2])),
    ("digamma", special.digamma, POS),
    ("polygamma", lambda x: special.polygamma(2, x), POS),
    ("erf-0d", special.erf, numpy.array(0.3)),
]


@pytest.mark.parametrize("name,fun,x", GRAD_CASES, ids=[c[0] for c in GRAD_CASES])
def test_derivatives_match_finite_differences_to_second_order(name, fun, x):
    check_grads(fun, order=2)(np.asarray(x))


@pytest.mark.parametrize("x,y", [(P, POS), (P[0], POS), (numpy.array(0.3), POS),
                                 (numpy.array([0.0, 1.5, 2.0]), numpy.array([2.0, 0.5, 3.0]))])
def test_xlogy_derivatives_with_broadcasting(x, y):
    check_grads(special.xlogy, order=2)(np.asarray(x), np.asarray(y))


def test_xlogy_derivative_in_x_at_zero_is_log_y():
    gx, gy = pg.grad(special.xlogy, argnum=(0, 1))(0.0, 2.0)
    assert float(gx) == pytest.approx(numpy.log(2.0)) and float(gy) == 0.0
    gx, gy = pg.grad(special.xlogy, argnum=(0, 1))(0.0, 0.0)
    assert numpy.isfinite(float(gx)) and float(gy) == 0.0


def test_derivative_formulas_at_known_points():
    assert float(pg.grad(special.erf)(0.0)) == pytest.approx(2 / numpy.sqrt(numpy.pi), 1e-15)
    assert float(pg.grad(special.gammaln)(1.0)) == pytest.approx(-numpy.euler_gamma, 1e-14)
    assert float(pg.grad(special.digamma)(1.0)) == pytest.approx(numpy.pi ** 2 / 6, 1e-14)
    assert float(pg.grad(special.erfinv)(0.0)) == pytest.approx(numpy.sqrt(numpy.pi) / 2, 1e-15)


AUTOGRAD_CASES = ["logsumexp", "expit", "logit", "erf", "erfc", "erfinv", "gammaln", "digamma"]


@pytest.mark.parametrize("name", AUTOGRAD_CASES)
def test_gradients_agree_with_hips_autograd(name):
    autograd = pytest.importorskip("autograd")
    import autograd.numpy as anp
    import autograd.scipy.special as asp

    x = {"logit": P, "erfinv": UNIT, "gammaln": POS, "digamma": POS}.get(name, X)

    def theirs(v):
        return anp.sum(anp.sin(getattr(asp, name)(v * 1.0)))

    def ours(v):
        return np.sum(np.sin(getattr(special, name)(v * 1.0)))

    want = autograd.grad(theirs)(x)
    numpy.testing.assert_allclose(pg.grad(ours)(np.asarray(x)).asnumpy(), want, rtol=1e-11)
    want2 = autograd.elementwise_grad(autograd.elementwise_grad(getattr(asp, name)))(x)
    got2 = pg.elementwise_grad(pg.elementwise_grad(getattr(special, name)))(np.asarray(x))
    numpy.testing.assert_allclose(got2.asnumpy(), want2, rtol=1e-10, atol=1e-12)


def test_polygamma_rejects_a_non_integer_order():
    with pytest.raises(TypeError, match="non-negative int"):
        special.polygamma(1.5, 2.0)
    with pytest.raises(TypeError, match="non-negative int"):
        special.polygamma(-1, 2.0)


# -- kernels ------------------------------------------------------------------------------------
def test_missing_scipy_is_a_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "scipy", None)
    monkeypatch.setitem(sys.modules, "scipy.special", None)
    with pytest.raises(ImportError, match=r"special\.erf needs SciPy.*kernels\['erf'\]"):
        special._scipy("erf")(None)


def test_non_numpy_data_without_a_backend_kernel_is_a_clear_error():
    kernel = special._scipy("gammaln")(None)
    with pytest.raises(NotImplementedError, match=r"gammaln.*Backend.kernels\['gammaln'\]"):
        kernel([1.0, 2.0])


@pytest.mark.parametrize("name", ["erf", "erfc", "erfinv", "gammaln", "digamma", "polygamma",
                                  "logsumexp"])
def test_special_primitives_are_registered_for_backend_overrides(name):
    from polygrad.extend import primitives

    assert primitives()[name].name == name


@pytest.mark.parametrize("name", ["erf", "erfc", "erfinv", "gammaln", "digamma"])
def test_every_backend_has_kernels_for_the_special_functions(backend, name):
    # torch.special and jax.scipy.special on their backends; SciPy on a host copy for strict
    a = numpy.array([0.2, 0.5, 0.9])
    fn = getattr(special, name)
    x = np.asarray(a, dtype=np.float32)
    out = fn(x)
    assert out.backend == backend.name and out.dtype == np.float32
    numpy.testing.assert_allclose(out.asnumpy(), getattr(scipy_special, name)(a), rtol=2e-5)
    g = pg.grad(lambda x: np.sum(fn(x)))(x)
    h = 1e-3
    fd = (getattr(scipy_special, name)(a + h) - getattr(scipy_special, name)(a - h)) / (2 * h)
    numpy.testing.assert_allclose(g.asnumpy(), fd, rtol=1e-3)


@pytest.mark.parametrize("n", [0, 1, 2])
def test_every_backend_has_a_polygamma_kernel(backend, n):
    a = numpy.array([0.7, 1.5, 4.0])
    out = special.polygamma(n, np.asarray(a, dtype=np.float32))
    assert out.backend == backend.name and out.dtype == np.float32
    numpy.testing.assert_allclose(out.asnumpy(), scipy_special.polygamma(n, a), rtol=2e-5)
    g = pg.grad(lambda x: np.sum(special.polygamma(n, x)))(np.asarray(a, dtype=np.float32))
    numpy.testing.assert_allclose(g.asnumpy(), scipy_special.polygamma(n + 1, a), rtol=2e-5)
