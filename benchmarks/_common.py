"""Shared timing helpers for the side-by-side benchmarks (never run as tests)."""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable


def timeit(fn: Callable[[], object], repeat: int = 7, number: int = 1, warmup: int = 2) -> float:
    """Median seconds per call of ``fn`` over ``repeat`` runs of ``number`` calls, after warm-up."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - start) / number)
    return statistics.median(times)


def machine() -> dict:
    """What a reader needs to compare figures: machine, versions, threads, date."""
    import numpy

    info = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "python": sys.version.split()[0], "platform": platform.platform(),
            "cpus": os.cpu_count(), "numpy": numpy.__version__,
            "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "unset")}
    for name in ("torch", "jax", "autograd", "mygrad"):
        try:
            module = __import__(name)
            info[name] = getattr(module, "__version__", "?")
        except ImportError:
            info[name] = "not installed"
    import polygrad

    info["polygrad"] = polygrad.__version__
    return info


def write(results_dir: str, name: str, payload: dict) -> str:
    os.makedirs(results_dir, exist_ok=True)
    path = os.path.join(results_dir, f"{name}.json")
    with open(path, "w") as f:
        json.dump(payload, f, indent=2)
    return path
