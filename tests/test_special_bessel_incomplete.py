"""polygrad.special's Bessel functions (i0e i1 i1e ive j0 j1 y0 y1), zeta, and the incomplete
gamma and beta functions: values equal SciPy's on every backend (float64, and float32 within
its tolerance); derivatives in every real argument that has one against finite differences
(both modes, second order); a clear DifferentiationError naming the argument for ive's order
outside the domain of its derivative (that derivative: tests/test_special_ive_order.py; the
shape derivatives of the incomplete gamma and beta functions: tests/test_special_inverse.py;
zeta's in x: tests/test_special_zeta.py)."""

from __future__ import annotations

import numpy
import pytest

import polygrad as pg
import polygrad.numpy as np
import polygrad.special as special
from polygrad.testing import check_grads

from conftest import assert_close

scipy_special = pytest.importorskip("scipy.special", reason="SciPy is the oracle")

REAL = numpy.array([-3.5, -1.2, -0.3, 0.0, 0.4, 1.7, 6.0])
POSITIVE = numpy.array([0.2, 0.9, 1.7, 3.3, 7.5])
PROB = numpy.array([0.0, 0.05, 0.3, 0.7, 0.99, 1.0])
UNARY = [("i0e", REAL), ("i1", REAL), ("i1e", REAL), ("j0", REAL), ("j1", REAL),
         ("y0", POSITIVE), ("y1", POSITIVE)]
# name, the arguments held constant (shape / order), the differentiated argument's values
SEVERAL = [("ive", (numpy.array([0.0, 0.5, 1.0, 2.5, 3.0]),), POSITIVE),
           ("gammainc", (numpy.array([0.5, 1.0, 2.5, 4.0, 10.0]),), POSITIVE),
           ("gammaincc", (numpy.array([0.5, 1.0, 2.5, 4.0, 10.0]),), POSITIVE),
           ("betainc", (numpy.array([0.5, 1.0, 2.0, 3.5, 7.0, 1.5]),
                        numpy.array([1.5, 2.0, 1.0, 0.5, 3.0, 4.0])), PROB)]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name, x", UNARY, ids=[u[0] for u in UNARY])
def test_unary_values_equal_scipys(backend, name, x, dtype):
    if dtype == "float64" and not backend.supports_float64:
        pytest.skip(f"{backend.name} has no float64")
    got = getattr(special, name)(np.asarray(x, dtype=dtype))
    assert got.dtype == dtype
    want = getattr(scipy_special, name)(x.astype(dtype))
    assert_close(got, want)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name, const, x", SEVERAL, ids=[s[0] for s in SEVERAL])
def test_several_argument_values_equal_scipys(backend, name, const, x, dtype):
    if dtype == "float64" and not backend.supports_float64:
        pytest.skip(f"{backend.name} has no float64")
    args = [np.asarray(c[:x.size], dtype=dtype) for c in const] + [np.asarray(x, dtype=dtype)]
    got = getattr(special, name)(*args)
    assert got.dtype == dtype
    want = getattr(scipy_special, name)(*[c[:x.size].astype(dtype) for c in const],
                                        x.astype(dtype))
    assert_close(got, want, scale=10.0)


def test_zeta_values(backend):
    q = numpy.array([0.5, 1.0, 2.0, 3.5])
    s = numpy.array([1.5, 2.0, 3.0, 5.0])
    assert_close(special.zeta(np.asarray(s), np.asarray(q)), scipy_special.zeta(s, q), scale=10.0)
    assert_close(special.zeta(np.asarray(s)), scipy_special.zeta(s), scale=10.0)
    assert_close(special.zeta(2.0), numpy.pi ** 2 / 6)


def test_python_scalars_keep_the_arrays_dtype(backend):
    x = np.asarray([0.5, 1.5], dtype="float32")
    assert special.gammainc(2.0, x).dtype == "float32"
    assert special.betainc(2.0, 3.0, x / 2).dtype == "float32"
    assert special.ive(1, x).dtype == "float32"


@pytest.mark.parametrize("name, x", UNARY, ids=[u[0] for u in UNARY])
def test_unary_derivatives(backend, name, x):
    if not backend.supports_float64:
        pytest.skip(f"{backend.name} has no float64")
    # i0e and i1e have a kink at 0 (exp(-|x|)): checked off it
    x = x[x != 0] if name in ("i0e", "i1e") else x
    check_grads(getattr(special, name), modes=("fwd", "rev"), order=2)(np.asarray(x))


def test_derivatives_at_zero_are_the_limits():
    # I1'(0) = J1'(0) = 1/2, the limit of the removable I1/x, J1/x singularity (no NaN)
    for f in (special.i1, special.j1, special.i1e):
        assert float(pg.grad(f)(0.0)) == 0.5
    for f in (special.i1, special.j1):   # odd functions (i1e has a kink in its second)
        assert float(pg.grad(pg.grad(f))(0.0)) == 0.0


@pytest.mark.parametrize("name, const, x", SEVERAL, ids=[s[0] for s in SEVERAL])
def test_derivative_in_the_last_argument(backend, name, const, x):
    if not backend.supports_float64:
        pytest.skip(f"{backend.name} has no float64")
    x = x[(x > 0) & (x < 1)] if name == "betainc" else x
    consts = [c[:x.size] for c in const]
    if name == "betainc":
        consts = [c[1:1 + x.size] for c in const]
    f = getattr(special, name)
    check_grads(lambda x: f(*consts, x), modes=("fwd", "rev"), order=2)(np.asarray(x))


def test_zeta_derivative_in_q(backend):
    if not backend.supports_float64:
        pytest.skip(f"{backend.name} has no float64")
    check_grads(lambda q: special.zeta(3.0, q), modes=("fwd", "rev"), order=2)(
        np.asarray([0.5, 1.0, 2.5]))


def test_gammainc_derivative_is_the_gamma_density():
    # d/dx P(a, x) is the Gamma(a) density (scipy.stats.gamma.pdf): an independent oracle
    stats = pytest.importorskip("scipy.stats")
    x = numpy.array([0.1, 1.0, 2.5, 8.0])
    for a in (0.5, 1.0, 3.0):
        g = pg.elementwise_grad(lambda x, a=a: special.gammainc(a, x))(np.asarray(x))
        assert_close(g, stats.gamma.pdf(x, a))
        assert_close(pg.grad(lambda x, a=a: special.betainc(a, 2.0, x).sum())(np.asarray(x / 10)),
                     stats.beta.pdf(x / 10, a, 2.0))


@pytest.mark.parametrize("call, argument", [
    # outside the domain of ive's derivative in its order (v = 0 at x = 50; v < 0)
    (lambda v: special.ive(v - 2.5, 50.0), "ive: its derivative in the order v"),
    (lambda v: special.ive(v - 3.0, 1.0), "ive: its derivative in the order v"),
])
@pytest.mark.parametrize("mode", ["rev", "fwd"])
def test_shape_derivatives_raise_naming_the_argument(call, argument, mode):
    op = pg.grad if mode == "rev" else (lambda f: (lambda x: pg.jvp(f, (x,), (1.0,))))
    with pytest.raises(pg.DifferentiationError, match=argument):
        op(call)(2.5)


def test_a_held_shape_is_fine():
    # the error only comes when the shape is differentiated
    g = pg.grad(lambda x, a: special.gammainc(a, x))(1.0, 2.5)
    assert numpy.isclose(float(g), numpy.exp(-1.0 - scipy_special.gammaln(2.5)))


def test_complex_arguments_are_refused():
    with pytest.raises(TypeError, match="gammainc"):
        special.gammainc(1.0, np.asarray([1.0 + 1j]))


@pytest.mark.parametrize("name", ["j0", "j1", "y0", "y1", "ive", "gammainc", "betainc"])
def test_under_jit(backend, name):
    # jax has no j0/j1/y0/y1/ive kernels: its backend calls SciPy through jax.pure_callback,
    # which also runs under jax.jit
    f = {"ive": lambda x: special.ive(1.5, x), "gammainc": lambda x: special.gammainc(2.0, x),
         "betainc": lambda x: special.betainc(2.0, 3.0, x / 3)}.get(name, getattr(special, name))
    x = np.asarray([0.5, 2.0])
    assert_close(pg.jit(f)(x), f(x).asnumpy())
    assert_close(pg.jit(pg.grad(lambda x: np.sum(f(x))))(x), pg.grad(lambda x: np.sum(f(x)))(x))
