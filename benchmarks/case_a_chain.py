"""Case A: per-primitive cost — the gradient of a chain of 2,000 cheap elementwise operations on a
float64 array of 16 elements. The arrays are so small that the time is the libraries' own
overhead per recorded operation (tracing, tape, backward bookkeeping), in µs per primitive.

Run alone: python benchmarks/run.py --case A
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import (POLYGRAD, POLYGRAD_JIT, POLYGRAD_TORCH, measure, missing,  # noqa: E402
                     target)

N = 16
LENGTH = 2000
STEPS = ("sin", "mul", "tanh", "add")   # the chain cycles through these four operations


def chain(np, x, length):
    for i in range(length):
        op = STEPS[i % 4]
        if op == "sin":
            x = np.sin(x)
        elif op == "mul":
            x = x * 1.1
        elif op == "tanh":
            x = np.tanh(x)
        else:
            x = x + 0.3
    return np.sum(x)


def hand_numpy(length):
    """The gradient written out by hand: forward saving what backward needs, then backward."""
    import numpy

    def run(x):
        saved = []
        for i in range(length):
            op = STEPS[i % 4]
            if op == "sin":
                saved.append(x)
                x = numpy.sin(x)
            elif op == "mul":
                x = x * 1.1
            elif op == "tanh":
                x = numpy.tanh(x)
                saved.append(x)
            else:
                x = x + 0.3
        g = numpy.ones_like(x)
        for i in reversed(range(length)):
            op = STEPS[i % 4]
            if op == "sin":
                g = g * numpy.cos(saved.pop())
            elif op == "mul":
                g = g * 1.1
            elif op == "tanh":
                y = saved.pop()
                g = g * (1 - y * y)
        return g
    return run


def _torch_grad(x0, length, device="cpu"):
    import torch

    x = torch.tensor(x0, device=device, requires_grad=True)

    def run():
        (g,) = torch.autograd.grad(chain(torch, x, length), x)
        return g
    return run


def numpy_libraries(x0, length):
    """Every library on the host, hand NumPy first (the reference)."""
    hand = hand_numpy(length)
    libs = _Libraries({"hand NumPy": lambda: hand(x0)})

    import polygrad as pg
    import polygrad.numpy as pnp

    with pg.use_backend("numpy"):
        px = pnp.asarray(x0)
    gp = pg.grad(lambda x: chain(pnp, x, length))
    libs[POLYGRAD] = lambda: gp(px)
    jitted = pg.jit(gp)   # traced, optimised and generated on its first call (the check)
    libs[POLYGRAD_JIT] = lambda: jitted(px)
    libs.trace_seconds = _trace_seconds(gp, px)

    libs["HIPS autograd"] = missing("autograd") or _autograd(x0, length)
    libs["torch eager"] = missing("torch") or _torch_grad(x0, length)
    libs["mygrad"] = missing("mygrad") or _mygrad(x0, length)
    return libs


class _Libraries(dict):
    trace_seconds = None


def _trace_seconds(gp, px):
    """Best of 3: trace the gradient's program (make_graph) and optimise it, as pg.jit does."""
    import time

    import polygrad as pg
    from polygrad._graph import optimize

    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        optimize(pg.make_graph(gp)(px))
        best = min(best, time.perf_counter() - start)
    return best


def _autograd(x0, length):
    import autograd
    import autograd.numpy as anp

    ga = autograd.grad(lambda x: chain(anp, x, length))
    return lambda: ga(x0)


def _mygrad(x0, length):
    import mygrad

    def run():
        x = mygrad.tensor(x0)
        chain(mygrad, x, length).backward()
        return x.grad
    return run


def run(settings, length=LENGTH):
    import numpy

    x0 = numpy.linspace(-1, 1, N)
    display = ("µs per primitive", 1e6 / length)
    libs = numpy_libraries(x0, length)
    note = f"pg.jit: trace + optimise of the gradient's program {libs.trace_seconds:.2f} s " \
        f"(target < 0.5 s)"
    print(note)
    return [measure(
        "A", "A", f"gradient of a {length}-op elementwise chain on float64[{N}]",
        libs, "hand NumPy", settings, tol=1e-9, display=display, note=note,
        targets=[target(POLYGRAD, "HIPS autograd", 0.5),
                 target(POLYGRAD, "hand NumPy", 2.0, kind="aim"),
                 target(POLYGRAD_JIT, "hand NumPy", 1.3)])]


def run_torch(settings, length=LENGTH):
    """Case F's half of A: polygrad on the torch backend against torch eager (CPU)."""
    import numpy

    x0 = numpy.linspace(-1, 1, N)
    why = missing("torch")
    libs = {"torch eager": why or _torch_grad(x0, length)}
    if why:
        libs[POLYGRAD_TORCH] = why
    else:
        import torch

        import polygrad as pg
        import polygrad.numpy as pnp

        with pg.use_backend("torch"):
            px = pnp.asarray(torch.tensor(x0))
        gp = pg.grad(lambda x: chain(pnp, x, length))
        libs[POLYGRAD_TORCH] = lambda: gp(px)
    return [measure(
        "F", "F: A on torch", f"case A on the torch backend (CPU), {length} ops on float64[{N}]",
        libs, "torch eager", settings, tol=1e-9, display=("µs per primitive", 1e6 / length))]


if __name__ == "__main__":
    import run as harness

    sys.exit(harness.main(["--case", "A", *sys.argv[1:]]))
