"""Peak memory of odeint's gradient as the number of solver steps grows (adjoint method: the
backward pass keeps no per-step values, so the peak should stay flat).

Run: python benchmarks/odeint_memory.py   (numpy backend; tracemalloc counts NumPy's buffers)
"""

from __future__ import annotations

import tracemalloc

import polygrad as pg
import polygrad.numpy as np
from polygrad.scipy import _ode
from polygrad.scipy.integrate import odeint

N = 200   # a 200-state linear-plus-tanh system: each stored state would be 1.6 kB


def dynamics(y, t, w):
    return np.tanh(w @ y) - 0.5 * y


def main() -> None:
    rng = __import__("numpy").random.default_rng(0)
    w = np.asarray(rng.normal(size=(N, N)) / N ** 0.5)
    y0 = np.asarray(rng.normal(size=N))
    counted = {"steps": 0}
    original = _ode._step

    def counting(*args):
        counted["steps"] += 1
        return original(*args)

    _ode._step = counting
    # warm-up: the first call also allocates kernel caches that are not the solver's
    pg.grad(lambda w: np.sum(odeint(dynamics, y0, np.asarray([0.0, 1.0]), (w,))[-1]))(w)
    print(f"{'horizon':>8} {'solver steps':>13} {'peak MiB (grad)':>16}")
    for horizon in (10.0, 100.0, 1000.0):
        counted["steps"] = 0
        t = np.asarray([0.0, horizon])
        tracemalloc.start()
        g = pg.grad(lambda w, t=t: np.sum(odeint(dynamics, y0, t, (w,), rtol=1e-6,
                                                 atol=1e-6)[-1]))(w)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert g.shape == (N, N)
        print(f"{horizon:8.0f} {counted['steps']:13d} {peak / 2**20:16.2f}")
    _ode._step = original


if __name__ == "__main__":
    main()
