"""``pg.jit`` (each backend's own compiler: make_fx + torch.compile on torch, jax.jit on jax) of
the special functions whose kernels iterate until convergence or copy to SciPy on the host: the
inverses of the incomplete gamma and beta functions, the stats ppf built on them, the derivatives
of gammainc / betainc in their shapes and of zeta in x, ive, betainc. Values equal SciPy's,
gradients equal the eager ones, and the function is compiled (no JitWarning: no fallback to
eager); on torch the kernels are one opaque operation of the graph (a custom operator)."""

from __future__ import annotations

import warnings

import numpy
import pytest

import polygrad as pg
import polygrad.numpy as np
import polygrad.special as special
from polygrad.extend import JitWarning
from polygrad.scipy import stats

from conftest import assert_close

scipy_special = pytest.importorskip("scipy.special", reason="SciPy is the oracle")
scipy_stats = pytest.importorskip("scipy.stats", reason="SciPy is the oracle")

A = numpy.array([0.05, 0.5, 2.0, 7.0, 30.0, 150.0])
B = numpy.array([0.3, 4.0, 0.7, 12.0, 2.5, 80.0])
P = numpy.array([1e-9, 0.02, 0.3, 0.5, 0.9, 0.999])
X = numpy.array([0.01, 0.4, 1.5, 6.0, 35.0, 120.0])


@pytest.fixture(params=["torch", "jax"])
def compiled(request):
    """A backend whose pg.jit is a real compiler (torch, jax); skipped, saying why, when absent."""
    try:
        context = pg.use_backend(request.param)
        chosen = context.__enter__()
    except pg.BackendUnavailable as exc:
        pytest.skip(f"backend {request.param} not installed/available: {exc}")
    try:
        yield chosen
    finally:
        context.__exit__(None, None, None)


def _jit(f, *args, **kwargs):
    """``pg.jit(f)(*args)``, failing on a JitWarning (a fallback to running eagerly)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", JitWarning)
        return pg.jit(f, **kwargs)(*args)


def _args(*arrays, dtype="float64"):
    return [np.asarray(a, dtype=dtype) for a in arrays]


VALUES = {
    "gammaincinv": (lambda a, p: special.gammaincinv(a, p), (A, P),
                    lambda a, p: scipy_special.gammaincinv(a, p)),
    "gammainccinv": (lambda a, p: special.gammainccinv(a, p), (A, P),
                     lambda a, p: scipy_special.gammainccinv(a, p)),
    "betaincinv": (lambda a, b, p: special.betaincinv(a, b, p), (A, B, P),
                   lambda a, b, p: scipy_special.betaincinv(a, b, p)),
    "betainc": (lambda a, b, p: special.betainc(a, b, p), (A, B, P),
                lambda a, b, p: scipy_special.betainc(a, b, p)),
    "ive": (lambda v, x: special.ive(v, x), (A, X), lambda v, x: scipy_special.ive(v, x)),
    "gamma.ppf": (lambda p, a: stats.gamma.ppf(p, a, scale=2.0), (P, A),
                  lambda p, a: scipy_stats.gamma.ppf(p, a, scale=2.0)),
    "chi2.ppf": (lambda p, a: stats.chi2.ppf(p, a), (P, A),
                 lambda p, a: scipy_stats.chi2.ppf(p, a)),
    "beta.ppf": (lambda p, a, b: stats.beta.ppf(p, a, b), (P, A, B),
                 lambda p, a, b: scipy_stats.beta.ppf(p, a, b)),
    "t.ppf": (lambda p, a: stats.t.ppf(p, a), (P, A + 1.0),
              lambda p, a: scipy_stats.t.ppf(p, a)),
}


@pytest.mark.parametrize("name", list(VALUES))
def test_values_under_jit_equal_scipys(compiled, name):
    f, arrays, oracle = VALUES[name]
    got = _jit(f, *_args(*arrays))
    assert got.dtype == "float64"
    assert_close(got, oracle(*arrays), scale=100.0)


@pytest.mark.parametrize("name", ["gammaincinv", "betaincinv", "gamma.ppf"])
def test_float32_values_under_jit_equal_scipys(compiled, name):
    f, arrays, oracle = VALUES[name]
    p = numpy.array([1e-4, 0.02, 0.3, 0.5, 0.9, 0.99])
    arrays = tuple(p if a is P else a for a in arrays)
    got = _jit(f, *_args(*arrays, dtype="float32"))
    assert got.dtype == "float32"
    assert_close(got, oracle(*(a.astype("float32") for a in arrays)), scale=30.0)


GRADIENTS = {
    # through gammainc_da (∂P/∂a), the inverse's rules and zeta_dx
    "gammainc": (lambda a, x: np.sum(special.gammainc(a, x)), (A, X)),
    "gammaincc": (lambda a, x: np.sum(special.gammaincc(a, x) ** 2), (A, X)),
    "betainc": (lambda a, b, p: np.sum(special.betainc(a, b, p)), (A, B, P)),
    "gammaincinv": (lambda a, p: np.sum(special.gammaincinv(a, p)), (A, P)),
    "gammainccinv": (lambda a, p: np.sum(special.gammainccinv(a, p)), (A, P)),
    "betaincinv": (lambda a, b, p: np.sum(special.betaincinv(a, b, p)), (A, B, P)),
    "zeta": (lambda x, q: np.sum(special.zeta(x, q)), (A + 1.5, B)),
    "ive": (lambda v, x: np.sum(special.ive(v, x)), (A, X)),
    "gamma.logcdf": (lambda a, x: np.sum(stats.gamma.logcdf(x, a)), (A, X)),
    "beta.ppf": (lambda p, a, b: np.sum(stats.beta.ppf(p, a, b)), (P[1:-1], A[1:-1], B[1:-1])),
}


@pytest.mark.parametrize("name", list(GRADIENTS))
def test_gradients_under_jit_equal_eager_ones(compiled, name):
    f, arrays = GRADIENTS[name]
    # every argument differentiated, but ive's order (no derivative in v: held constant)
    argnum = (1,) if name == "ive" else tuple(range(len(arrays)))
    g = pg.grad(f, argnum=argnum)
    args = _args(*arrays)
    want = g(*args)
    got = _jit(g, *args)
    for w, o in zip(want, got):
        assert_close(o, w.asnumpy(), scale=10.0)


def test_under_vmap_inside_jit(compiled):
    a = np.asarray([[0.5, 3.0], [2.0, 9.0]], dtype="float64")
    p = np.asarray([0.3, 0.8], dtype="float64")
    f = pg.vmap(lambda a: special.gammaincinv(a, p))
    assert_close(_jit(f, a), scipy_special.gammaincinv(a.asnumpy(), p.asnumpy()))
    g = pg.vmap(pg.grad(lambda a, b: np.sum(special.betaincinv(a, b, p)), argnum=(0, 1)))
    for w, o in zip(g(a, a + 1.0), _jit(g, a, a + 1.0)):
        assert_close(o, w.asnumpy(), scale=10.0)


def test_a_second_call_reuses_the_compiled_program(compiled):
    f = pg.jit(lambda a, p: special.gammaincinv(a, p))
    for p in (P, P[::-1]):
        assert_close(f(*_args(A, p)), scipy_special.gammaincinv(A, p), scale=100.0)
    assert f.trace_count() == 1


def test_dynamic_axes(compiled):
    if compiled.name != "torch":
        pytest.skip("dynamic_axes has no effect with jax.jit (one program per shape)")
    f = pg.jit(lambda a, p: special.betaincinv(a, 2.0 * a, p), dynamic_axes={0: 0, 1: 0})
    with warnings.catch_warnings():
        warnings.simplefilter("error", JitWarning)
        for n in (6, 4, 5):
            got = f(*_args(A[:n], P[:n]))
            assert_close(got, scipy_special.betaincinv(A[:n], 2.0 * A[:n], P[:n]), scale=100.0)


def test_second_derivatives_in_the_shapes_under_jit(compiled):
    # gammainc_daa, betainc_daa / dadb / dbb and zeta_dxx under the compiler
    a, b, p = _args(A[1:5], B[1:5], P[1:5])
    for h, args in ((pg.hessian(lambda a: np.sum(stats.gamma.logcdf(p, a))), (a,)),
                    (pg.hessian(lambda a, b: np.sum(special.betainc(a, b, p)), argnum=(0, 1)),
                     (a, b)),
                    (pg.elementwise_grad(pg.elementwise_grad(special.zeta)), (a + 1.5,))):
        want = h(*args)
        got = _jit(h, *args)
        for w, o in zip(pg.tree.flatten(want)[0], pg.tree.flatten(got)[0]):
            assert_close(o, w.asnumpy(), scale=10.0)
