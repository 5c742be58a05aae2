"""Case C: the fourth derivative of ``tanh``, elementwise, on 10,000 float64 points — higher-order
differentiation, where each level differentiates the graph of the level below (the graph grows
with every order).

polygrad and HIPS autograd nest ``elementwise_grad`` four times; torch differentiates four times
with ``create_graph=True``; JAX nests ``grad`` of the sum (the same algorithm), with and without
``jit``. The closed form 8 t (1 - t²)(2 - 3 t²), t = tanh x, is the reference.

Run alone: python benchmarks/run.py --case C
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import POLYGRAD, POLYGRAD_JIT, measure, missing, target  # noqa: E402

N = 10_000
ORDER = 4


def closed_form(x):
    import numpy

    t = numpy.tanh(x)
    return 8 * t * (1 - t * t) * (2 - 3 * t * t)


def _polygrad(x0, jit=False):
    import polygrad as pg
    import polygrad.numpy as pnp

    f = pnp.tanh
    for _ in range(ORDER):
        f = pg.elementwise_grad(f)
    with pg.use_backend("numpy"):
        x = pnp.asarray(x0)
    if jit:
        f = pg.jit(f)
    return lambda: f(x)


def _autograd(x0):
    import autograd
    import autograd.numpy as anp

    f = anp.tanh
    for _ in range(ORDER):
        f = autograd.elementwise_grad(f)
    return lambda: f(x0)


def _torch(x0):
    import torch

    x = torch.tensor(x0, requires_grad=True)
    ones = torch.ones_like(x)

    def run():
        y = torch.tanh(x)
        for k in range(ORDER):
            (y,) = torch.autograd.grad(y, x, ones, create_graph=k < ORDER - 1)
        return y
    return run


def _jax(x0, jit):
    import jax
    import jax.numpy as jnp

    def d(f):
        return jax.grad(lambda x: jnp.sum(f(x)))

    f = jnp.tanh
    for _ in range(ORDER):
        f = d(f)
    if jit:
        f = jax.jit(f)
    x = jnp.asarray(x0)
    return lambda: jax.block_until_ready(f(x))


def run(settings):
    import numpy

    x0 = numpy.linspace(-3, 3, N)
    libs = {"closed form": lambda: closed_form(x0),
            POLYGRAD: _polygrad(x0),
            POLYGRAD_JIT: _polygrad(x0, jit=True),
            "torch eager": missing("torch") or _torch(x0),
            "HIPS autograd": missing("autograd") or _autograd(x0),
            "jax jit": missing("jax") or _jax(x0, jit=True),
            "jax": missing("jax") or _jax(x0, jit=False)}
    return [measure("C", "C", f"4th derivative of tanh, elementwise, on float64[{N:,}]", libs,
                    "closed form", settings, tol=1e-9,
                    targets=[target(POLYGRAD, "torch eager", 1.0),
                             target(POLYGRAD_JIT, POLYGRAD, 1.0),
                             target(POLYGRAD_JIT, "jax jit", 1.0)])]


if __name__ == "__main__":
    import run as harness

    sys.exit(harness.main(["--case", "C", *sys.argv[1:]]))
