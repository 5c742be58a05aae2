"""MXNet's autograd tutorial (the recording tape), cell by cell, with polygrad.

    python examples/mxnet_autograd_tutorial.py [--backend numpy|torch|jax|...]

Prints what the tutorial shows: ``attach_grad`` / ``record`` / ``backward`` on ``f(x) = 2 x²``
gives ``4x``; a function with Python control flow (a ``while`` loop and an ``if`` on values) is
differentiated through the tape and, for comparison, through ``pg.grad``.
"""

from __future__ import annotations

import argparse

import polygrad as pg
import polygrad.numpy as np


def f(x):
    return 2 * x ** 2


def doubling(x):
    """Double ``x`` until its norm reaches 1000, then pick one element by the sign of the sum."""
    x = x * 2
    while np.linalg.vector_norm(x) < 1000:
        x = x * 2
    if np.sum(x) >= 0:
        y = x[0]
    else:
        y = x[1]
    return y


def doubling_gradient(values):
    """The expected gradient of ``doubling`` at host ``values``: 2ⁿ at the picked element, where
    n counts the doublings (worked out in plain Python)."""
    a, b = float(values[0]), float(values[1])
    k = 2.0
    while ((a * k) ** 2 + (b * k) ** 2) ** 0.5 < 1000:
        k *= 2
    return [k, 0.0] if a + b >= 0 else [0.0, k]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default=None, help="polygrad backend, e.g. numpy, torch, jax")
    args = parser.parse_args(argv)
    if args.backend is not None:
        pg.set_backend(args.backend)
    print(f"backend: {pg.get_backend().spec}")

    print("\n# Basic usage")
    x = np.asarray([[1.0, 2.0], [3.0, 4.0]])
    x.attach_grad()                      # a place to store the gradient
    with pg.record():                    # record, so that backward() can run later
        y = f(x)
    print(f"x =\n{x!r}\ny = f(x) =\n{y!r}")
    y.backward()                         # y has 4 entries: same as y.sum().backward()
    print(f"x.grad (dy/dx = 4x) =\n{x.grad!r}")

    print("\n# Using Python control flow")
    x = np.asarray([0.09762704, 0.18568921])   # MXNet's nd.random.uniform(-1, 1, shape=2)
    x.attach_grad()
    with pg.record():
        y = doubling(x)
    y.backward()
    print("x =", x)
    print("x.grad =", x.grad)
    print("pg.grad(doubling)(x) =", pg.grad(doubling)(x))

    np.random.seed(7)
    z = np.random.uniform(-1, 1, size=2)
    print("another x =", z, " grad =", pg.grad(doubling)(z),
          " expected =", doubling_gradient(z.tolist()))


if __name__ == "__main__":
    main()
