"""A small neural ODE fitted to a spiral with ``odeint`` and ``adam``, as a HIPS autograd user
writes it (autograd's ``ode_net.py`` example, in our own words).

    python examples/neural_ode.py [--backend numpy|torch|jax|...] [--iters 40]

The dynamics dz/dt = W₂ tanh(W₁ z + b₁) + b₂ are a tiny MLP whose parameters (a dict) are the
``args`` of ``polygrad.scipy.integrate.odeint``; its gradient comes from the adjoint method (a
second ODE solved backwards), so memory does not grow with the solver's steps. Prints the final
mean squared error; in float64 every backend prints the same number.
"""

from __future__ import annotations

import argparse

import numpy

import polygrad as pg
import polygrad.numpy as np
from polygrad.optimizers import adam
from polygrad.scipy.integrate import odeint

TRUE_MATRIX = numpy.array([[-0.1, 2.0], [-2.0, -0.1]])


def true_trajectory(times):
    """The spiral the data come from: dz/dt = A z³ (cubed elementwise), solved by SciPy."""
    import scipy.integrate

    return scipy.integrate.odeint(lambda z, t: (z ** 3) @ TRUE_MATRIX.T, [2.0, 0.0], times,
                                  rtol=1e-10, atol=1e-10)


def dynamics(z, t, params):
    return np.tanh(z @ params["w1"] + params["b1"]) @ params["w2"] + params["b2"]


def main(argv=None) -> float:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default="numpy")
    parser.add_argument("--iters", type=int, default=40)
    args = parser.parse_args(argv)
    pg.set_backend(args.backend)
    pg.set_default_dtype(np.float64)

    times_host = numpy.linspace(0.0, 1.0, 10)
    target = np.asarray(true_trajectory(times_host))
    times = np.asarray(times_host)
    rs = numpy.random.RandomState(0)
    params = {"w1": np.asarray(0.5 * rs.randn(2, 16)), "b1": np.zeros(16),
              "w2": np.asarray(0.5 * rs.randn(16, 2)), "b2": np.zeros(2)}

    def loss(params):
        predicted = odeint(dynamics, target[0], times, (params,), rtol=1e-7, atol=1e-7)
        return np.mean((predicted - target) ** 2)

    gradient = pg.grad(loss)

    def report(params, i, g):
        if i % 10 == 0:
            print(f"iteration {i:3d}  mean squared error {float(loss(params)):.6f}")

    params = adam(lambda p, i: gradient(p), params, callback=report, num_iters=args.iters,
                  step_size=0.02)
    final = float(loss(params))
    print(f"final objective {final:.10f}")
    return final


if __name__ == "__main__":
    main()
