"""pg.jacrev, pg.jacfwd and pg.jacobian (both built on vmap) and pg.hessian (forward over
reverse) against an oracle built one row at a time with pg.vjp, and JAX where installed."""

from __future__ import annotations

import numpy
import pytest

import polygrad as pg
import polygrad.numpy as np


def _f(x):
    w = np.reshape(np.arange(x.size * 3, dtype=x.dtype), (3, x.size)) / 10.0
    return np.tanh(w @ x) * np.sum(x ** 2)


def _rows_oracle(fun, x):
    out, pull = pg.vjp(fun, x)
    rows = []
    for k in range(out.size):
        e = numpy.zeros(out.size)
        e[k] = 1.0
        rows.append(pull(pg.asarray(e.reshape(out.shape), dtype=out.dtype))[0].asnumpy())
    return numpy.stack(rows).reshape(out.shape + x.shape)


@pytest.mark.parametrize("which", ["jacobian", "jacrev", "jacfwd"])
@pytest.mark.parametrize("n", [2, 5])   # wide (n=5 > 3 outputs: reverse) and tall (forward)
def test_jacobian_modes_equal_the_row_loop(backend, which, n):
    x = pg.asarray(numpy.linspace(0.1, 0.9, n))
    got = getattr(pg, which)(_f)(x)
    assert got.shape == (3, n)
    numpy.testing.assert_allclose(got.asnumpy(), _rows_oracle(_f, x), rtol=1e-6, atol=1e-8)


def test_structures_match_between_modes(numpy_backend):
    def fun(p, y):
        return {"a": p["u"] * y, "b": (np.sum(p["v"]) * y[0],)}
    p = {"u": pg.asarray([1.0, 2.0]), "v": pg.asarray([[3.0, 4.0]])}
    y = pg.asarray([5.0, 6.0])
    rev = pg.jacrev(fun, argnum=(0, 1))(p, y)
    fwd = pg.jacfwd(fun, argnum=(0, 1))(p, y)
    both = pg.jacobian(fun, argnum=(0, 1))(p, y)
    for j in (fwd, both):
        numpy.testing.assert_allclose(j["a"][0]["u"].asnumpy(), rev["a"][0]["u"].asnumpy())
        numpy.testing.assert_allclose(j["a"][1].asnumpy(), rev["a"][1].asnumpy())
        numpy.testing.assert_allclose(j["b"][0][0]["v"].asnumpy(), rev["b"][0][0]["v"].asnumpy())
        numpy.testing.assert_allclose(j["b"][0][1].asnumpy(), rev["b"][0][1].asnumpy())
    numpy.testing.assert_allclose(rev["a"][0]["u"].asnumpy(), numpy.diag([5.0, 6.0]))
    numpy.testing.assert_allclose(rev["b"][0][0]["v"].asnumpy(), [[5.0, 5.0]])


def test_hessian_forward_over_reverse(backend):
    def fun(x, y):
        return np.sum(np.sin(x) * y ** 2) + np.sum(x ** 3)
    x = pg.asarray([0.3, 0.7, 1.1])
    y = pg.asarray([1.5, -0.5, 2.0])
    h = pg.hessian(fun, argnum=(0, 1))(x, y)
    xs, ys = x.asnumpy(), y.asnumpy()
    numpy.testing.assert_allclose(h[0][0].asnumpy(), numpy.diag(-numpy.sin(xs) * ys ** 2 + 6 * xs),
                                  rtol=1e-6)
    numpy.testing.assert_allclose(h[0][1].asnumpy(), numpy.diag(2 * numpy.cos(xs) * ys),
                                  rtol=1e-6)
    numpy.testing.assert_allclose(h[1][1].asnumpy(), numpy.diag(2 * numpy.sin(xs)), rtol=1e-6)
    h0 = pg.hessian(lambda x: fun(x, y))(x)
    numpy.testing.assert_allclose(h0.asnumpy(), h[0][0].asnumpy(), rtol=1e-12)


def test_against_jax(numpy_backend):
    jax = pytest.importorskip("jax")
    jnp = jax.numpy
    x = numpy.linspace(0.1, 0.9, 4)
    w = numpy.arange(12.0).reshape(3, 4) / 10.0

    def jf(x):
        return jnp.tanh(w @ x) * jnp.sum(x ** 2)
    numpy.testing.assert_allclose(pg.jacfwd(_f)(pg.asarray(x)).asnumpy(),
                                  numpy.asarray(jax.jacfwd(jf)(x)), rtol=1e-5)
    numpy.testing.assert_allclose(pg.hessian(lambda x: np.sum(_f(x)))(pg.asarray(x)).asnumpy(),
                                  numpy.asarray(jax.hessian(lambda x: jnp.sum(jf(x)))(x)),
                                  rtol=1e-5)
