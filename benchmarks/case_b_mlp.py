"""Case B: the gradient of a softmax cross-entropy loss of a 784-1024-1024-10 ReLU MLP, batch 256,
with respect to all weights and biases, in float32 and float64. The time is dominated by six large
matrix products (about 2.9 GFLOP per gradient), so this measures what a library adds around BLAS.

Every library runs the same model written in its own idiom: ``maximum(z, 0)`` or ``relu``, and its
``log_softmax`` (``z - logsumexp(z)`` in HIPS autograd). The hand-written NumPy forward and backward
is the reference. Case F reuses this module on the torch backend (CPU, and CUDA where available).

Run alone: python benchmarks/run.py --case B
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import (POLYGRAD, POLYGRAD_JIT, POLYGRAD_TORCH, measure, missing, skipped_group,  # noqa: E402
                     target, tolerance)

SIZES = (784, 1024, 1024, 10)
BATCH = 256
CUDA_SIZES = (784, 4096, 4096, 10)   # case F on CUDA: width 4096, batch 1024
CUDA_BATCH = 1024


def problem(dtype, sizes=SIZES, batch=BATCH, seed=0):
    """He-initialised weights [w1, b1, w2, b2, w3, b3], inputs and one-hot labels (NumPy)."""
    import numpy

    rng = numpy.random.default_rng(seed)
    params = []
    for m, n in zip(sizes[:-1], sizes[1:]):
        params.append((rng.standard_normal((m, n)) * (2.0 / m) ** 0.5).astype(dtype))
        params.append((rng.standard_normal(n) * 0.1).astype(dtype))
    x = rng.standard_normal((batch, sizes[0])).astype(dtype)
    y = numpy.eye(sizes[-1], dtype=dtype)[rng.integers(0, sizes[-1], batch)]
    return params, x, y


def loss(params, x, y, xp, relu, log_softmax):
    """Mean softmax cross-entropy of the MLP; ``xp`` is the library's namespace."""
    h = x
    last = len(params) // 2 - 1
    for i in range(last + 1):
        z = h @ params[2 * i] + params[2 * i + 1]
        h = relu(z) if i < last else z
    return -xp.sum(y * log_softmax(z)) / x.shape[0]


def hand_grad(params, x, y):
    """Forward and backward written out in NumPy: what an expert would write without autodiff."""
    import numpy

    last = len(params) // 2 - 1
    hs, masks = [x], []
    h = x
    for i in range(last + 1):
        z = h @ params[2 * i] + params[2 * i + 1]
        if i < last:
            masks.append(z > 0)
            h = numpy.maximum(z, 0)
            hs.append(h)
    z = z - z.max(axis=1, keepdims=True)
    p = numpy.exp(z)
    p /= p.sum(axis=1, keepdims=True)
    dz = (p - y) / x.shape[0]    # d loss / d logits
    grads = [None] * len(params)
    for i in range(last, -1, -1):
        grads[2 * i] = hs[i].T @ dz
        grads[2 * i + 1] = dz.sum(axis=0)
        if i:
            dz = (dz @ params[2 * i].T) * masks[i - 1]
    return grads


# -- each library --------------------------------------------------------------------------------
def _polygrad(params, x, y, backend="numpy", jit=False):
    """``backend``: "numpy" with NumPy data; "torch" or "cuda" with torch tensors, which
    ``asarray`` wraps without a copy, so polygrad and torch eager share their inputs."""
    import polygrad as pg
    import polygrad.numpy as pnp
    import polygrad.special as special

    with pg.use_backend(backend):
        ps, px, py = [pnp.asarray(p) for p in params], pnp.asarray(x), pnp.asarray(y)
    g = pg.grad(lambda ps, x, y: loss(ps, x, y, pnp, lambda z: pnp.maximum(z, 0.0),
                                      lambda z: special.log_softmax(z, axis=1)))
    if jit:
        g = pg.jit(g)
    return lambda: g(ps, px, py)


def _autograd(params, x, y):
    import autograd
    import autograd.numpy as anp
    from autograd.scipy.special import logsumexp

    g = autograd.grad(lambda ps, x, y: loss(
        ps, x, y, anp, lambda z: anp.maximum(z, 0.0),
        lambda z: z - logsumexp(z, axis=1, keepdims=True)))
    return lambda: g(params, x, y)


def _sync(device):
    """Wait for the device: CUDA runs asynchronously, and a timing must include the work."""
    if device == "cpu":
        return lambda: None
    import torch

    return torch.cuda.synchronize


def _torch(params, x, y, device="cpu"):
    import torch

    ps = [torch.as_tensor(p, device=device).requires_grad_() for p in params]
    tx, ty = torch.as_tensor(x, device=device), torch.as_tensor(y, device=device)
    sync = _sync(device)

    def run():
        out = torch.autograd.grad(loss(ps, tx, ty, torch, torch.relu,
                                       lambda z: torch.log_softmax(z, dim=1)), ps)
        sync()
        return out
    return run, ps, tx, ty


def _jax(params, x, y, jit):
    import jax
    import jax.numpy as jnp

    g = jax.grad(lambda ps, x, y: loss(ps, x, y, jnp, jax.nn.relu,
                                       lambda z: jax.nn.log_softmax(z, axis=1)))
    if jit:
        g = jax.jit(g)
    ps, jx, jy = [jnp.asarray(p) for p in params], jnp.asarray(x), jnp.asarray(y)
    return lambda: jax.block_until_ready(g(ps, jx, jy))


def _mygrad(params, x, y):
    import mygrad

    ps = [mygrad.tensor(p, copy=False) for p in params]

    def run():
        loss(ps, x, y, mygrad, mygrad.nnet.relu,
             lambda z: mygrad.nnet.logsoftmax(z, axis=1)).backward()
        return [p.grad for p in ps]
    return run


def run(settings):
    groups = []
    for dtype in ("float32", "float64"):
        params, x, y = problem(dtype)
        libs = {"hand NumPy": lambda params=params, x=x, y=y: hand_grad(params, x, y),
                POLYGRAD: _polygrad(params, x, y),
                POLYGRAD_JIT: _polygrad(params, x, y, jit=True),
                "HIPS autograd": missing("autograd") or _autograd(params, x, y),
                "torch eager": missing("torch") or _torch(params, x, y)[0],
                "jax jit(grad)": missing("jax") or _jax(params, x, y, jit=True),
                "jax grad": missing("jax") or _jax(params, x, y, jit=False),
                "mygrad": missing("mygrad") or _mygrad(params, x, y)}
        groups.append(measure(
            "B", f"B {dtype}", f"MLP {'-'.join(map(str, SIZES))} gradient, batch {BATCH}, "
            f"{dtype}", libs, "hand NumPy", settings, tol=tolerance(dtype),
            targets=[target(POLYGRAD, "hand NumPy", 1.10),
                     target(POLYGRAD_JIT, "hand NumPy", 1.0)]))
    return groups


def _on_torch(dtype, device, sizes, batch, names=("torch eager", POLYGRAD_TORCH)):
    """polygrad on the torch backend and torch eager, on the same tensors."""
    params, x, y = problem(dtype, sizes, batch)
    eager, ps, tx, ty = _torch(params, x, y, device)
    grad = _polygrad([p.detach() for p in ps], tx, ty, backend="torch" if device == "cpu" else
                     "cuda")
    sync = _sync(device)

    def poly():
        out = grad()
        sync()
        return out
    return {names[0]: eager, names[1]: poly}


def run_torch(settings):
    """Case F's half of B: polygrad on the torch backend (CPU) against torch eager."""
    why = missing("torch")
    groups = []
    for dtype in ("float32", "float64"):
        targets = [target(POLYGRAD_TORCH, "torch eager", 1.10)] if dtype == "float32" else []
        libs = {"torch eager": why, POLYGRAD_TORCH: why} if why else \
            _on_torch(dtype, "cpu", SIZES, BATCH)
        groups.append(measure(
            "F", f"F: B on torch {dtype}", f"case B on the torch backend (CPU), {dtype}", libs,
            "torch eager", settings, tol=tolerance(dtype), targets=targets))
    return groups


def run_cuda(settings):
    """Case F on CUDA: width 4096, batch 1024, float32; runs only where CUDA is available."""
    name = "F: B on cuda float32"
    title = (f"MLP {'-'.join(map(str, CUDA_SIZES))} gradient, batch {CUDA_BATCH}, float32, "
             f"polygrad on 'cuda' against torch eager on CUDA")
    why = missing("torch")
    if why is None:
        import torch

        if not torch.cuda.is_available():
            why = (f"torch.cuda.is_available() is False (torch {torch.__version__}, "
                   f"built for CUDA {torch.version.cuda or 'none: a CPU-only build'})")
    names = ("torch eager (cuda)", "polygrad (cuda)")
    targets = [target(names[1], names[0], 1.10)]
    if why:
        return [skipped_group("F", name, title, why, targets)]
    libs = _on_torch("float32", "cuda", CUDA_SIZES, CUDA_BATCH, names)
    return [measure("F", name, title, libs, names[0], settings, tol=tolerance("float32"),
                    targets=targets)]


if __name__ == "__main__":
    import run as harness

    sys.exit(harness.main(["--case", "B", *sys.argv[1:]]))
