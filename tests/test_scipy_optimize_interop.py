"""scipy.optimize.minimize driven by polygrad on every backend: ``jac=True`` with
``pg.value_and_grad(f)`` and ``hessp=pg.hvp(f)``, the starting point a NumPy array while the
backend is torch, jax or strict. The boundary converts both ways: SciPy's NumPy iterate becomes
an Array of the current backend when ``f`` does arithmetic with it, and the Arrays returned go
back to SciPy through ``Array.__array__`` / ``__float__`` (a host copy)."""

from __future__ import annotations

import numpy
import pytest

import polygrad as pg
import polygrad.numpy as np

scipy_optimize = pytest.importorskip("scipy.optimize", reason="SciPy's optimizer is the client")

TARGET = numpy.array([0.5, -1.0, 2.0])
SEEN: list = []


def f(x):
    SEEN.append(np.asarray(x).backend)
    return np.sum((x - TARGET) ** 2) + 0.1 * np.sum(x ** 4)


def _reference():
    # the optimum on NumPy, by SciPy alone (finite-difference gradients): the same problem
    def fn(x):
        return numpy.sum((x - TARGET) ** 2) + 0.1 * numpy.sum(x ** 4)
    return scipy_optimize.minimize(fn, numpy.zeros(3), method="BFGS").x


def test_value_and_grad_with_jac_true(backend):
    SEEN.clear()
    r = scipy_optimize.minimize(pg.value_and_grad(f), numpy.zeros(3), jac=True, method="BFGS")
    assert r.success, r.message
    assert set(SEEN) == {backend.name}          # f ran on the current backend
    assert isinstance(r.x, numpy.ndarray) and isinstance(r.fun, float)
    numpy.testing.assert_allclose(r.x, _reference(), atol=1e-4)


def test_hessp_from_hvp(backend):
    SEEN.clear()
    r = scipy_optimize.minimize(f, numpy.zeros(3), jac=pg.grad(f), hessp=pg.hvp(f),
                                method="trust-ncg")
    assert r.success, r.message
    assert set(SEEN) == {backend.name}
    numpy.testing.assert_allclose(r.x, _reference(), atol=1e-4)
    # the gradient at the optimum is (nearly) zero: the trust-region Newton-CG steps converged
    numpy.testing.assert_allclose(numpy.asarray(pg.grad(f)(r.x)), 0.0, atol=1e-3)
