"""Time each fused rule of polygrad/numpy/_fused.py against the plain composition it replaces.

    python benchmarks/fused_rules.py            # NumPy backend, medians of 9 repetitions

Never a test: it prints times and ratios (plain / fused; above 1 means the fused rule is
faster), after checking that both give the same derivative. The figures quoted in
``_fused.py``'s docstring come from this script.
"""

from __future__ import annotations

import statistics
import time

import numpy

import polygrad as pg
import polygrad.numpy as np
from polygrad.extend import defjvp, defvjp, primitive


def _once(f, x) -> float:
    n, start = 0, time.perf_counter()
    while True:
        f(x)
        n += 1
        elapsed = time.perf_counter() - start
        if elapsed > 0.05:
            return elapsed / n


def _median_times(fused, plain, x, repeat: int = 9) -> tuple[float, float]:
    """Medians of ``repeat`` repetitions each, the two taken in turn (interleaved, so that a
    slow spell of a shared machine hits both alike)."""
    fused(x), plain(x)
    tf, tp = [], []
    for _ in range(repeat):
        tf.append(_once(fused, x))
        tp.append(_once(plain, x))
    return statistics.median(tf), statistics.median(tp)


# maximum with its derivative composed of ordinary primitives (comparisons, where, products)
_max_plain = primitive("bench_maximum_plain", lambda xp: xp.maximum)


def _weight(x1, x2):
    return np.where(x1 > x2, 1.0, np.where(x1 == x2, 0.5, 0.0))


defvjp(_max_plain, lambda g, ans, x1, x2: g * _weight(x1, x2),
       lambda g, ans, x1, x2: g * _weight(x2, x1))
defjvp(_max_plain, lambda t, ans, x1, x2: t * _weight(x1, x2),
       lambda t, ans, x1, x2: t * _weight(x2, x1))

# tanh with its derivative 1 - y² composed of ordinary primitives
_tanh_plain = primitive("bench_tanh_plain", lambda xp: xp.tanh)
defvjp(_tanh_plain, lambda g, ans, x: g * (1 - ans * ans))
defjvp(_tanh_plain, lambda t, ans, x: t * (1 - ans * ans))

# sin without a unit rule: grad's seed of ones is multiplied in
_sin_plain = primitive("bench_sin_plain", lambda xp: xp.sin)
defvjp(_sin_plain, lambda g, ans, x: g * np.cos(x))
defjvp(_sin_plain, lambda t, ans, x: t * np.cos(x))


def _nth(f, n):
    for _ in range(n):
        f = pg.elementwise_grad(f)
    return f


def main() -> None:
    rng = numpy.random.default_rng(0)
    big = np.asarray(rng.standard_normal(1_000_000))
    small = np.asarray(rng.standard_normal(10_000))
    cases = [
        ("select_extremum: grad of sum(maximum(x, 0)), float64[1e6]",
         pg.grad(lambda x: np.sum(np.maximum(x, 0.0))),
         pg.grad(lambda x: np.sum(_max_plain(x, np.zeros_like(x)))), big),
        ("tanh_backward: 4th derivative of tanh, float64[1e4]",
         _nth(np.tanh, 4), _nth(_tanh_plain, 4), small),
        ("unit rule: 3rd derivative of sin, float64[1e4]",
         _nth(np.sin, 3), _nth(_sin_plain, 3), small),
    ]
    for title, fused, plain, x in cases:
        numpy.testing.assert_allclose(fused(x).asnumpy(), plain(x).asnumpy(), rtol=1e-10,
                                      atol=1e-12)
        tf, tp = _median_times(fused, plain, x)
        print(f"{title}\n  fused {tf * 1e3:8.3f} ms   plain {tp * 1e3:8.3f} ms   "
              f"plain / fused {tp / tf:5.2f}")


if __name__ == "__main__":
    main()
