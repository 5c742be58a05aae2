"""Case G: compiled. ``pg.jit`` of ``pg.grad`` against each library's own compiler on the same
model: case B (the MLP gradient, batch 256, float32) and case A (the 2,000-op chain on
float64[16]) on the JAX backend against ``jax.jit(jax.grad)``, and case B on the torch backend
against ``torch.compile(torch.func.grad)``. The uncompiled polygrad on the same backend is shown
beside them. Every compiled variant is compiled by the agreement check's first call, before timing.

Run alone: python benchmarks/run.py --case G
"""

from __future__ import annotations

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import case_a_chain  # noqa: E402
import case_b_mlp  # noqa: E402
from _common import measure, missing, target, tolerance  # noqa: E402

JAX_JIT = "polygrad (jax) pg.jit"
JAX_EAGER = "polygrad (jax)"
TORCH_JIT = "polygrad (torch) pg.jit"
TORCH_EAGER = "polygrad (torch)"
TORCH_REPLAY = "polygrad (torch) pg.jit replay"


def _mlp_grad(backend, params, x, y, jit):
    """polygrad's gradient of case B's loss on ``backend``, compiled by ``pg.jit`` or not."""
    import polygrad as pg
    import polygrad.numpy as pnp
    import polygrad.special as special

    with pg.use_backend(backend):
        ps, px, py = [pnp.asarray(p) for p in params], pnp.asarray(x), pnp.asarray(y)
    g = pg.grad(lambda ps, x, y: case_b_mlp.loss(ps, x, y, pnp, lambda z: pnp.maximum(z, 0.0),
                                                 lambda z: special.log_softmax(z, axis=1)))
    if jit == "replay":
        return pg.jit(g, compiler="replay"), ps, px, py
    return (pg.jit(g) if jit else g), ps, px, py


def _jax_ready(fn, *args):
    """A zero-argument call of polygrad ``fn`` on JAX that waits for its result."""
    import jax

    return lambda: jax.block_until_ready([a.native for a in fn(*args)])


def mlp_on_jax(settings):
    why = missing("jax")
    dtype = "float32"
    libs = {"jax jit(grad)": why, JAX_JIT: why, JAX_EAGER: why}
    if why is None:
        params, x, y = case_b_mlp.problem(dtype)
        libs["jax jit(grad)"] = case_b_mlp._jax(params, x, y, jit=True)
        libs[JAX_JIT] = _jax_ready(*_mlp_grad("jax", params, x, y, jit=True))
        libs[JAX_EAGER] = _jax_ready(*_mlp_grad("jax", params, x, y, jit=False))
    return measure("G", "G: B on jax float32", f"case B, {dtype}, on the JAX backend: pg.jit(grad) "
                   f"against jax.jit(jax.grad)", libs, "jax jit(grad)", settings,
                   tol=tolerance(dtype), targets=[target(JAX_JIT, "jax jit(grad)", 1.10)])


def chain_on_jax(settings, length=case_a_chain.LENGTH):
    why = missing("jax")
    libs = {"jax jit(grad)": why, JAX_JIT: why}
    if why is None:
        import jax
        import jax.numpy as jnp
        import numpy

        import polygrad as pg
        import polygrad.numpy as pnp

        x0 = numpy.linspace(-1, 1, case_a_chain.N)
        gj = jax.jit(jax.grad(lambda x: case_a_chain.chain(jnp, x, length)))
        jx = jnp.asarray(x0)
        libs["jax jit(grad)"] = lambda: jax.block_until_ready(gj(jx))
        gp = pg.jit(pg.grad(lambda x: case_a_chain.chain(pnp, x, length)))
        with pg.use_backend("jax"):
            px = pnp.asarray(x0)
        libs[JAX_JIT] = lambda: jax.block_until_ready(gp(px).native)
    return measure("G", "G: A on jax", f"case A ({length} ops on float64[{case_a_chain.N}]) on "
                   f"the JAX backend: pg.jit(grad) against jax.jit(jax.grad)", libs,
                   "jax jit(grad)", settings, tol=1e-9,
                   display=("µs per primitive", 1e6 / length),
                   targets=[target(JAX_JIT, "jax jit(grad)", 1.5)])


def _torch_compiled(params, x, y):
    """torch.compile of torch.func.grad of the same loss, written in torch."""
    import torch

    ps = [torch.as_tensor(p) for p in params]
    tx, ty = torch.as_tensor(x), torch.as_tensor(y)
    g = torch.compile(torch.func.grad(lambda ps, x, y: case_b_mlp.loss(
        ps, x, y, torch, torch.relu, lambda z: torch.log_softmax(z, dim=1))))
    return lambda: g(ps, tx, ty)


def mlp_on_torch(settings):
    why = missing("torch")
    dtype = "float32"
    libs = {"torch.compile": why, TORCH_JIT: why, "torch eager": why, TORCH_EAGER: why,
            TORCH_REPLAY: why}
    note = ""
    if why is None:
        params, x, y = case_b_mlp.problem(dtype)
        libs["torch.compile"] = _torch_compiled(params, x, y)
        g, *args = _mlp_grad("torch", params, x, y, jit=True)
        libs[TORCH_JIT] = lambda: g(*args)
        libs["torch eager"] = case_b_mlp._torch(params, x, y)[0]
        g_eager, *eager_args = _mlp_grad("torch", params, x, y, jit=False)
        libs[TORCH_EAGER] = lambda: g_eager(*eager_args)
        g_replay, *replay_args = _mlp_grad("torch", params, x, y, jit="replay")
        start = time.perf_counter()
        g_replay(*replay_args)
        first = time.perf_counter() - start
        note = f"pg.jit replay's first call (trace, optimise, run) {first:.2f} s (target < 1 s)"
        print(note)
        libs[TORCH_REPLAY] = lambda: g_replay(*replay_args)
    return measure("G", "G: B on torch float32", f"case B, {dtype}, on the torch backend (CPU): "
                   f"pg.jit(grad) against torch.compile(torch.func.grad)", libs, "torch.compile",
                   settings, tol=tolerance(dtype),
                   note=note,
                   targets=[target(TORCH_JIT, "torch.compile", 1.10, kind="aim"),
                            target(TORCH_REPLAY, "torch eager", 1.10)])


def run(settings):
    return [mlp_on_jax(settings), chain_on_jax(settings), mlp_on_torch(settings)]


if __name__ == "__main__":
    import run as harness

    sys.exit(harness.main(["--case", "G", *sys.argv[1:]]))
