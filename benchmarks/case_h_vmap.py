"""Case H: batching (``pg.vmap``, issue 20), three comparisons side by side.

1. Per-example gradients of a 784-256-10 tanh MLP (softmax cross-entropy, one-hot labels, so the
   loss is logsumexp(z) - Σ z y), batch 128, float32, gradient of each example's loss with
   respect to all parameters: polygrad ``vmap(grad)`` on numpy against a closed-form NumPy
   version (einsum of activations and deltas); on torch against ``torch.func.vmap(grad)``;
   ``pg.jit(pg.vmap(pg.grad(f)))`` on JAX against ``jax.jit(jax.vmap(jax.grad(f)))``.
2. Per-example gradients of a logistic regression, 20 features × 1,000 examples: ``vmap(grad)``
   against polygrad's own Python loop of ``grad``, on numpy and torch.
3. ``pg.jacobian`` of a function R^200 → R^200 and ``pg.hessian`` of a scalar function of 200
   inputs against the implementation before vmap (one reverse pass per row).

Run alone: python benchmarks/run.py --case H
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import measure, missing, target, tolerance  # noqa: E402

BATCH, SIZES = 128, (784, 256, 10)
N_LOGISTIC, FEATURES = 1000, 20
DIM = 200


# -- 1. the MLP ---------------------------------------------------------------------------------
def mlp_problem(dtype="float32", seed=0):
    import numpy

    rng = numpy.random.default_rng(seed)
    (n0, n1, n2) = SIZES
    params = [(rng.standard_normal((n0, n1)) / n0 ** 0.5).astype(dtype),
              (0.1 * rng.standard_normal(n1)).astype(dtype),
              (rng.standard_normal((n1, n2)) / n1 ** 0.5).astype(dtype),
              (0.1 * rng.standard_normal(n2)).astype(dtype)]
    x = rng.standard_normal((BATCH, n0)).astype(dtype)
    y = numpy.eye(n2, dtype=dtype)[rng.integers(0, n2, BATCH)]
    return params, x, y


def example_loss(xp, logsumexp, params, x, y):
    w1, b1, w2, b2 = params
    z = xp.tanh(x @ w1 + b1) @ w2 + b2
    return logsumexp(z) - xp.sum(z * y)


def closed_form(params, x, y):
    import numpy

    w1, b1, w2, b2 = params
    h = numpy.tanh(x @ w1 + b1)
    z = h @ w2 + b2
    p = numpy.exp(z - z.max(axis=1, keepdims=True))
    d2 = p / p.sum(axis=1, keepdims=True) - y
    d1 = (d2 @ w2.T) * (1 - h * h)
    return [numpy.einsum("bi,bj->bij", x, d1), d1, numpy.einsum("bi,bj->bij", h, d2), d2]


def _polygrad_mlp(backend, params, x, y, jit=False):
    import polygrad as pg
    import polygrad.numpy as pnp
    import polygrad.special as special

    with pg.use_backend(backend):
        ps, px, py = [pnp.asarray(p) for p in params], pnp.asarray(x), pnp.asarray(y)
    f = pg.vmap(pg.grad(lambda ps, x, y: example_loss(pnp, special.logsumexp, ps, x, y)),
                in_axes=(None, 0, 0))
    if jit:
        f = pg.jit(f)
    if backend == "jax":
        import jax

        return lambda: jax.block_until_ready([g.native for g in f(ps, px, py)])
    return lambda: f(ps, px, py)


def _torch_mlp(params, x, y):
    import torch
    from torch.func import grad, vmap

    ps = [torch.as_tensor(p) for p in params]
    tx, ty = torch.as_tensor(x), torch.as_tensor(y)
    f = vmap(grad(lambda ps, x, y: example_loss(torch, lambda z: torch.logsumexp(z, 0), ps, x,
                                                y)), in_dims=(None, 0, 0))
    return lambda: f(ps, tx, ty)


def _jax_mlp(params, x, y):
    import jax
    import jax.numpy as jnp
    from jax.scipy.special import logsumexp

    ps = [jnp.asarray(p) for p in params]
    jx, jy = jnp.asarray(x), jnp.asarray(y)
    f = jax.jit(jax.vmap(jax.grad(lambda ps, x, y: example_loss(jnp, logsumexp, ps, x, y)),
                         in_axes=(None, 0, 0)))
    return lambda: jax.block_until_ready(f(ps, jx, jy))


def mlp(settings):
    params, x, y = mlp_problem()
    libs = {"closed-form NumPy": lambda: closed_form(params, x, y),
            "polygrad (numpy) vmap(grad)": _polygrad_mlp("numpy", params, x, y)}
    groups = [measure("H", "H: per-example MLP numpy", f"per-example gradients, 784-256-10 tanh "
                      f"MLP, batch {BATCH}, float32, numpy backend", libs, "closed-form NumPy",
                      settings, tol=tolerance("float32"),
                      targets=[target("polygrad (numpy) vmap(grad)", "closed-form NumPy", 1.5)])]
    why = missing("torch")
    libs = {"torch.func vmap(grad)": why or _torch_mlp(params, x, y),
            "polygrad (torch) vmap(grad)": why or _polygrad_mlp("torch", params, x, y)}
    groups.append(measure("H", "H: per-example MLP torch", "the same on the torch backend", libs,
                          "torch.func vmap(grad)", settings, tol=tolerance("float32"),
                          targets=[target("polygrad (torch) vmap(grad)", "torch.func vmap(grad)",
                                          1.2)]))
    why = missing("jax")
    libs = {"jax jit(vmap(grad))": why or _jax_mlp(params, x, y),
            "polygrad (jax) pg.jit(vmap(grad))": why or _polygrad_mlp("jax", params, x, y,
                                                                      jit=True)}
    groups.append(measure("H", "H: per-example MLP jax", "the same compiled on the JAX backend",
                          libs, "jax jit(vmap(grad))", settings, tol=tolerance("float32"),
                          targets=[target("polygrad (jax) pg.jit(vmap(grad))",
                                          "jax jit(vmap(grad))", 1.2)]))
    return groups


# -- 2. logistic regression ---------------------------------------------------------------------
def _logistic(backend, batched):
    import numpy

    import polygrad as pg
    import polygrad.numpy as pnp

    rng = numpy.random.default_rng(1)
    with pg.use_backend(backend):
        w = pnp.asarray(rng.standard_normal(FEATURES))
        x = pnp.asarray(rng.standard_normal((N_LOGISTIC, FEATURES)))
        y = pnp.asarray(rng.choice([-1.0, 1.0], N_LOGISTIC))

    def loss(w, xi, yi):
        return pnp.log1p(pnp.exp(-yi * pnp.sum(xi * w)))
    g = pg.grad(loss)
    if batched:
        f = pg.vmap(g, in_axes=(None, 0, 0))
        return lambda: f(w, x, y)
    rows = [(x[i], y[i]) for i in range(N_LOGISTIC)]
    return lambda: pnp.stack([g(w, xi, yi) for xi, yi in rows])


def logistic(settings):
    groups = []
    for backend in ("numpy", "torch"):
        why = missing(backend) if backend != "numpy" else None
        loop, vm = f"polygrad ({backend}) loop of grad", f"polygrad ({backend}) vmap(grad)"
        libs = {loop: why or _logistic(backend, False), vm: why or _logistic(backend, True)}
        groups.append(measure("H", f"H: logistic per-example {backend}",
                              f"per-example gradients of a logistic regression, {FEATURES} "
                              f"features × {N_LOGISTIC:,} examples, float64, {backend}", libs,
                              loop, settings, tol=1e-10, targets=[target(vm, loop, 0.05)]))
    return groups


# -- 3. Jacobian and Hessian --------------------------------------------------------------------
def _jac_problem():
    import numpy

    rng = numpy.random.default_rng(2)
    return rng.standard_normal((DIM, DIM)) / DIM ** 0.5, rng.standard_normal(DIM)


def _old_jacobian(fun, x):
    """One reverse pass per row of the Jacobian, as pg.jacobian did before vmap."""
    import polygrad as pg
    import polygrad.numpy as pnp

    out, pull = pg.vjp(fun, x)
    basis = pnp.eye(out.size, dtype=out.dtype)
    return pnp.stack([pull(basis[k])[0] for k in range(out.size)])


def jacobian_hessian(settings):
    import polygrad as pg
    import polygrad.numpy as pnp

    a, x0 = _jac_problem()
    with pg.use_backend("numpy"):
        pa, px = pnp.asarray(a), pnp.asarray(x0)

    def vector(x):
        return pnp.tanh(pa @ x) * x + pnp.sin(x)

    def scalar(x):
        return pnp.sum(pnp.tanh(pa @ x) ** 2) + pnp.sum(x ** 4) / 4
    grad = pg.grad(scalar)
    libs = {"before vmap (row loop)": lambda: _old_jacobian(vector, px),
            "pg.jacobian": lambda: pg.jacobian(vector)(px)}
    groups = [measure("H", "H: jacobian 200", f"pg.jacobian of R^{DIM} → R^{DIM} (tanh, matmul, "
                      f"sin), float64, numpy", libs, "before vmap (row loop)", settings,
                      tol=1e-10, targets=[target("pg.jacobian", "before vmap (row loop)", 0.1)])]
    libs = {"before vmap (row loop)": lambda: _old_jacobian(grad, px),
            "pg.hessian": lambda: pg.hessian(scalar)(px)}
    groups.append(measure("H", "H: hessian 200", f"pg.hessian of a scalar function of {DIM} "
                          f"inputs, float64, numpy", libs, "before vmap (row loop)", settings,
                          tol=1e-10, targets=[target("pg.hessian", "before vmap (row loop)",
                                                     0.1)]))
    return groups


def run(settings):
    return mlp(settings) + logistic(settings) + jacobian_hessian(settings)


if __name__ == "__main__":
    import run as harness

    sys.exit(harness.main(["--case", "H", *sys.argv[1:]]))
