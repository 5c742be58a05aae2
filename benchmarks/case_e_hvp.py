"""Case E: a Hessian-vector product of f(x) = 0.5 xᵀAx + Σ tanh(x) in dimension 1,000, float64,
never forming the Hessian. A is symmetric, so H v = A v - 2 t (1 - t²) v with t = tanh x: that
closed form is the reference.

polygrad: ``pg.hvp`` (forward-over-reverse); torch: double backward (reverse-over-reverse);
HIPS autograd: ``hessian_vector_product`` (reverse-over-reverse); JAX: ``jvp`` of ``grad``
(forward-over-reverse), with and without ``jit``.

Run alone: python benchmarks/run.py --case E
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import POLYGRAD, POLYGRAD_JIT, measure, missing, target  # noqa: E402

DIM = 1000


def problem(seed=0):
    import numpy

    rng = numpy.random.default_rng(seed)
    m = rng.standard_normal((DIM, DIM)) / DIM ** 0.5
    return (m + m.T) / 2, rng.standard_normal(DIM), rng.standard_normal(DIM)


def f(xp, a, x):
    return 0.5 * (x @ (a @ x)) + xp.sum(xp.tanh(x))


def closed_form(a, x, v):
    import numpy

    t = numpy.tanh(x)
    return a @ v - 2 * t * (1 - t * t) * v


def _polygrad(a, x, v, jit=False):
    import polygrad as pg
    import polygrad.numpy as pnp

    with pg.use_backend("numpy"):
        pa, px, pv = pnp.asarray(a), pnp.asarray(x), pnp.asarray(v)
    hvp = pg.hvp(lambda x: f(pnp, pa, x))
    if jit:
        hvp = pg.jit(hvp)
    return lambda: hvp(px, pv)


def _torch(a, x, v):
    import torch

    ta, tx, tv = torch.as_tensor(a), torch.as_tensor(x).requires_grad_(), torch.as_tensor(v)

    def run():
        (g,) = torch.autograd.grad(f(torch, ta, tx), tx, create_graph=True)
        (hv,) = torch.autograd.grad(g, tx, tv)
        return hv
    return run


def _autograd(a, x, v):
    import autograd
    import autograd.numpy as anp

    hvp = autograd.hessian_vector_product(lambda x: f(anp, a, x))
    return lambda: hvp(x, v)


def _jax(a, x, v, jit):
    import jax
    import jax.numpy as jnp

    ja, jx, jv = jnp.asarray(a), jnp.asarray(x), jnp.asarray(v)
    g = jax.grad(lambda x: f(jnp, ja, x))

    def hvp(x, v):
        return jax.jvp(g, (x,), (v,))[1]
    if jit:
        hvp = jax.jit(hvp)
    return lambda: jax.block_until_ready(hvp(jx, jv))


def run(settings):
    a, x, v = problem()
    libs = {"closed form": lambda: closed_form(a, x, v),
            POLYGRAD: _polygrad(a, x, v),
            POLYGRAD_JIT: _polygrad(a, x, v, jit=True),
            "torch eager": missing("torch") or _torch(a, x, v),
            "HIPS autograd": missing("autograd") or _autograd(a, x, v),
            "jax jit": missing("jax") or _jax(a, x, v, jit=True),
            "jax": missing("jax") or _jax(a, x, v, jit=False)}
    return [measure("E", "E", f"Hessian-vector product of 0.5 xᵀAx + Σ tanh x, dimension "
                    f"{DIM:,}, float64", libs, "closed form", settings, tol=1e-9,
                    targets=[target(POLYGRAD, "torch eager", 1.0),
                             target(POLYGRAD_JIT, POLYGRAD, 1.0),
                             target(POLYGRAD_JIT, "jax jit", 1.0)])]


if __name__ == "__main__":
    import run as harness

    sys.exit(harness.main(["--case", "E", *sys.argv[1:]]))
