"""polygrad.scipy.integrate.odeint: values against closed forms and SciPy's odeint, adjoint
derivatives (in y0, every output time and args) against central differences and JAX's odeint,
on every backend."""

from __future__ import annotations

import numpy
import pytest

import polygrad as pg
import polygrad.numpy as np
from polygrad.scipy.integrate import odeint


def decay(y, t, k):
    return -k * y


def test_exponential_decay_and_its_derivatives_match_the_closed_form(backend):
    t = np.asarray([0.0, 0.5, 1.5], dtype=np.float64)
    y0 = np.asarray([1.0, 2.0], dtype=np.float64)
    ys = odeint(decay, y0, t, (0.7,))
    expected = numpy.exp(-0.7 * numpy.array([0.0, 0.5, 1.5]))[:, None] * [1.0, 2.0]
    numpy.testing.assert_allclose(ys.asnumpy(), expected, rtol=1e-7)
    # L = Σ y(T): dL/dk = -T e^{-kT} Σ y0, dL/dy0 = e^{-kT}, dL/dT = -k e^{-kT} Σ y0
    gk, gt, gy0 = pg.grad(lambda k, t, y0: np.sum(odeint(decay, y0, t, (k,))[-1]),
                          argnum=(0, 1, 2))(0.7, t, y0)
    e = numpy.exp(-0.7 * 1.5)
    assert float(gk) == pytest.approx(-1.5 * e * 3.0, rel=1e-6)
    numpy.testing.assert_allclose(gy0.asnumpy(), [e, e], rtol=1e-6)
    numpy.testing.assert_allclose(gt.asnumpy(), [0.7 * e * 3.0, 0.0, -0.7 * e * 3.0], rtol=1e-6,
                                  atol=1e-9)


def lotka(y, t, a, b):
    """A 3-state nonlinear, time-dependent system."""
    return np.stack([a * y[0] - b * y[0] * y[1],
                     -y[1] + b * y[0] * y[1] + 0.1 * np.sin(t) * y[2],
                     -0.5 * y[2] + 0.2 * y[0] * y[1]])


Y0 = numpy.array([1.0, 0.5, 0.3])
T = numpy.linspace(0.0, 3.0, 4)


def _loss(y0, t, a, b):
    return np.sum(odeint(lotka, y0, t, (a, b)) ** 2)


def test_values_match_scipys_odeint(numpy_backend):
    integrate = pytest.importorskip("scipy.integrate", reason="SciPy is the oracle")
    theirs = integrate.odeint(lambda y, t: lotka(np.asarray(y), t, 1.1, 0.4).asnumpy(), Y0, T,
                              rtol=1e-11, atol=1e-11)
    ours = odeint(lotka, np.asarray(Y0), np.asarray(T), (1.1, 0.4), rtol=1e-10, atol=1e-10)
    numpy.testing.assert_allclose(ours.asnumpy(), theirs, rtol=1e-7)


def test_adjoint_gradients_match_central_differences(numpy_backend):
    args = [np.asarray(Y0), np.asarray(T), np.asarray(1.1), np.asarray(0.4)]
    grads = pg.grad(_loss, argnum=(0, 1, 2, 3))(*args)
    h = 1e-6
    for i, g in enumerate(grads):
        base = args[i].asnumpy()
        fd = numpy.zeros_like(base)
        for j in numpy.ndindex(base.shape):
            up, down = base.copy(), base.copy()
            up[j] += h
            down[j] -= h
            plus, minus = list(args), list(args)
            plus[i], minus[i] = np.asarray(up), np.asarray(down)
            fd[j] = (float(_loss(*plus)) - float(_loss(*minus))) / (2 * h)
        numpy.testing.assert_allclose(g.asnumpy(), fd, rtol=1e-6, atol=1e-6,
                                      err_msg=f"argument {i}")


def test_adjoint_gradients_match_jax_odeint(numpy_backend):
    jax = pytest.importorskip("jax", reason="JAX is the oracle")
    jax_ode = pytest.importorskip("jax.experimental.ode", reason="JAX's odeint is the oracle")
    jnp = jax.numpy
    jax.config.update("jax_enable_x64", True)

    def jax_lotka(y, t, a, b):
        return jnp.stack([a * y[0] - b * y[0] * y[1],
                          -y[1] + b * y[0] * y[1] + 0.1 * jnp.sin(t) * y[2],
                          -0.5 * y[2] + 0.2 * y[0] * y[1]])

    def jax_loss(y0, t, a, b):
        return jnp.sum(jax_ode.odeint(jax_lotka, y0, t, a, b, rtol=1e-10, atol=1e-10) ** 2)

    theirs = jax.grad(jax_loss, argnums=(0, 1, 2, 3))(jnp.asarray(Y0), jnp.asarray(T), 1.1, 0.4)
    ours = pg.grad(lambda *a: np.sum(odeint(lotka, a[0], a[1], (a[2], a[3]), rtol=1e-10,
                                            atol=1e-10) ** 2), argnum=(0, 1, 2, 3))(
        np.asarray(Y0), np.asarray(T), np.asarray(1.1), np.asarray(0.4))
    for o, t in zip(ours, theirs):
        numpy.testing.assert_allclose(o.asnumpy(), numpy.asarray(t), rtol=1e-6)


def test_odeint_runs_and_differentiates_on_every_backend(backend):
    y0 = np.asarray(Y0, dtype=np.float64)
    t = np.asarray(T, dtype=np.float64)
    g = pg.grad(lambda a: _loss(y0, t, a, 0.4))(np.asarray(1.1, dtype=np.float64))
    assert g.backend == backend.name
    with pg.use_backend("numpy"):
        expected = pg.grad(lambda a: _loss(np.asarray(Y0), np.asarray(T), a, 0.4))(1.1)
    assert float(g) == pytest.approx(float(expected), rel=1e-9)


def test_odeint_rejects_bad_times_and_gives_up_after_mxstep(numpy_backend):
    with pytest.raises(ValueError, match="t must be a 1-D array"):
        odeint(decay, np.ones(2), np.asarray(1.0), (1.0,))
    with pytest.raises(RuntimeError, match="more than 3 steps"):
        odeint(decay, np.ones(2), np.asarray([0.0, 100.0]), (1.0,), mxstep=3)
