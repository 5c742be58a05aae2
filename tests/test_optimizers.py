"""polygrad.optimizers against HIPS autograd's misc.optimizers (the oracle for sgd, rmsprop and
adam: the same iterates), a hand-written heavy-ball loop for momentum, trees of parameters, and
every backend."""

from __future__ import annotations

import numpy
import pytest

import polygrad as pg
import polygrad.numpy as np
from polygrad import optimizers

autograd_optimizers = pytest.importorskip("autograd.misc.optimizers",
                                          reason="HIPS autograd is the oracle (test extra)")

TARGET = numpy.array([1.0, -2.0, 0.5])


def _numpy_grad(x, i):
    # gradient of sum((x - target)^2 * (1 + i/10)), different at each iteration
    return 2.0 * (x - TARGET) * (1.0 + i / 10.0)


def _polygrad_grad(x, i):
    return pg.grad(lambda x: np.sum((x - np.asarray(TARGET)) ** 2) * (1.0 + i / 10.0))(x)


@pytest.mark.parametrize("name, kwargs", [
    ("sgd", dict(num_iters=25, step_size=0.05, mass=0.8)),
    ("rmsprop", dict(num_iters=25, step_size=0.05, gamma=0.8)),
    ("adam", dict(num_iters=25, step_size=0.05)),
])
def test_iterates_equal_autograds(backend, name, kwargs):
    ours_seen, theirs_seen = [], []
    ours = getattr(optimizers, name)(_polygrad_grad, np.zeros(3, dtype=np.float64),
                                     callback=lambda x, i, g: ours_seen.append(x.asnumpy()),
                                     **kwargs)
    theirs = getattr(autograd_optimizers, name)(_numpy_grad, numpy.zeros(3),
                                                callback=lambda x, i, g: theirs_seen.append(x),
                                                **kwargs)
    assert ours.backend == backend.name
    numpy.testing.assert_allclose(ours.asnumpy(), theirs, rtol=1e-12, atol=1e-14)
    numpy.testing.assert_allclose(numpy.stack(ours_seen), numpy.stack(theirs_seen), rtol=1e-12,
                                  atol=1e-14)


def test_momentum_is_heavy_ball(numpy_backend):
    x, v = numpy.zeros(3), numpy.zeros(3)
    for i in range(20):
        v = 0.7 * v + _numpy_grad(x, i)
        x = x - 0.02 * v
    ours = optimizers.momentum(_polygrad_grad, np.zeros(3), num_iters=20, step_size=0.02, mass=0.7)
    numpy.testing.assert_allclose(ours.asnumpy(), x, rtol=1e-12)


def test_optimizers_take_and_return_trees_and_call_back_with_trees(numpy_backend):
    seen = []

    def loss(p):
        return np.sum((p["w"] - 1.0) ** 2) + np.sum((p["layers"][0] + 2.0) ** 2)

    p0 = {"w": np.zeros((2, 2)), "layers": [np.zeros(3)]}
    out = optimizers.adam(lambda p, i: pg.grad(loss)(p), p0, num_iters=1500, step_size=0.02,
                          callback=lambda p, i, g: seen.append((set(p), set(g))))
    assert set(out) == {"w", "layers"} and out["w"].shape == (2, 2)
    numpy.testing.assert_allclose(out["w"].asnumpy(), 1.0, atol=1e-3)
    numpy.testing.assert_allclose(out["layers"][0].asnumpy(), -2.0, atol=1e-3)
    assert seen[0] == ({"w", "layers"}, {"w", "layers"}) and len(seen) == 1500


def test_a_gradient_of_the_wrong_size_is_a_clear_error(numpy_backend):
    with pytest.raises(ValueError, match="polygrad.optimizers.sgd: grad.*3 numbers.*got 2"):
        optimizers.sgd(lambda x, i: np.zeros(2), np.zeros(3), num_iters=1)
    with pytest.raises(TypeError, match="polygrad.optimizers.adam: grad must be a function"):
        optimizers.adam(np.zeros(3), np.zeros(3))
