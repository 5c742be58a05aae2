"""Case A: per-primitive cost — the gradient of a chain of 2,000 cheap elementwise operations on
a float64 array of 16 elements, side by side with hand-written NumPy, HIPS autograd, torch eager
and mygrad in one process. Prints µs per primitive and ratios.

Run: python benchmarks/case_a_chain.py [--length 2000] [--repeat 7]
"""

from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from _common import machine, timeit, write  # noqa: E402

N = 16
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
    import numpy

    def run(x):
        saved = []
        for i in range(length):   # forward, saving what backward needs
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


def cases(length):
    import numpy

    x0 = numpy.linspace(-1, 1, N)
    hand = hand_numpy(length)
    out = {"hand NumPy": lambda: hand(x0)}

    import polygrad as pg
    import polygrad.numpy as pnp

    with pg.use_backend("numpy"):
        px = pnp.asarray(x0)
    gp = pg.grad(lambda x: chain(pnp, x, length))
    out["polygrad (numpy)"] = lambda: gp(px)
    try:
        import autograd
        import autograd.numpy as anp

        ga = autograd.grad(lambda x: chain(anp, x, length))
        out["HIPS autograd"] = lambda: ga(x0)
    except ImportError:
        pass
    try:
        import torch

        def torch_grad():
            x = torch.tensor(x0, requires_grad=True)
            chain(torch, x, length).backward()
            return x.grad
        out["torch eager"] = torch_grad
    except ImportError:
        pass
    try:
        import mygrad

        def mygrad_grad():
            x = mygrad.tensor(x0)
            chain(mygrad, x, length).backward()
            return x.grad
        out["mygrad"] = mygrad_grad
    except ImportError:
        pass
    return out, x0


def check(results, length):
    """All libraries must agree on the gradient before their times mean anything."""
    import numpy

    ref = None
    for name, fn in results.items():
        g = numpy.asarray(fn() if name != "torch eager" else fn().detach().numpy())
        if ref is None:
            ref = g
        elif not numpy.allclose(g, ref, rtol=1e-9, atol=1e-12):
            raise SystemExit(f"case A: {name} disagrees with hand NumPy")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--length", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--results", default=os.path.join(os.path.dirname(__file__), "results"))
    args = parser.parse_args(argv)
    fns, _ = cases(args.length)
    check(fns, args.length)
    rows = {}
    for name, fn in fns.items():
        rows[name] = timeit(fn, repeat=args.repeat) / args.length * 1e6
    ref = rows["hand NumPy"]
    print(f"Case A: gradient of a {args.length}-op elementwise chain, float64[{N}], "
          f"µs per primitive (median of {args.repeat})")
    for name, us in sorted(rows.items(), key=lambda kv: kv[1]):
        print(f"  {name:20s} {us:7.2f} µs   {us / ref:5.2f} × hand NumPy")
    if "HIPS autograd" in rows:
        ratio = rows["polygrad (numpy)"] / rows["HIPS autograd"]
        print(f"  polygrad / HIPS autograd = {ratio:.2f}")
    path = write(args.results, "case_a", {"case": "A", "unit": "us per primitive",
                                          "length": args.length, "rows": rows,
                                          "machine": machine()})
    print(f"  written {path}")
    return rows


if __name__ == "__main__":
    main()
