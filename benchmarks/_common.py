"""Shared helpers of the side-by-side benchmarks (never run as tests): settings, timing, the
agreement check that comes before any timing, the result records, and the machine description.

A case module builds *groups*: one group is one measurement (say "B float32") with one row per
library, a reference library whose figure every ratio divides by, and the issue's targets.
"""

from __future__ import annotations

import dataclasses
import importlib.metadata
import json
import os
import platform
import statistics
import sys
import time
import traceback
from collections.abc import Callable
from typing import Any

POLYGRAD = "polygrad (numpy)"
POLYGRAD_TORCH = "polygrad (torch)"
POLYGRAD_JIT = "polygrad jit (numpy)"   # pg.jit's replay compiler (issue 21)


@dataclasses.dataclass
class Settings:
    """How hard to time: ``--quick`` lowers repetitions, never the problem sizes."""

    repeat: int = 15         # timed repetitions per library; the median is reported
    warmup: int = 2          # untimed calls before timing (after the agreement check's call)
    min_time: float = 0.05   # a repetition loops the call until it lasts at least this long
    settle: float = 0.2      # seconds of sleep before each timed repetition, so that the thread
    #                          pools the previous library left spinning (OpenBLAS, OpenMP, XLA)
    #                          go idle
    quick: bool = False
    allocator: str = ""      # what steady_allocator() did (recorded with the results)

    @classmethod
    def make(cls, quick: bool, repeat: int | None = None) -> Settings:
        s = cls(repeat=3, warmup=1, min_time=0.02, settle=0.02, quick=True) if quick else cls()
        if repeat is not None:
            s.repeat = repeat
        return s


# -- timing ---------------------------------------------------------------------------------------
def time_all(fns: dict[str, Callable[[], object]], settings: Settings) -> dict[str, dict]:
    """Median seconds per call of each function, timed in interleaved rounds.

    Each library is first warmed up and given its ``number`` of calls per repetition, so that a
    repetition lasts at least ``settings.min_time`` (fast calls are otherwise swamped by timer
    noise). Then each of ``settings.repeat`` rounds times one repetition of every library in
    turn, so that a slow spell of a shared machine hits all libraries alike instead of the one
    that happened to be running. Before each repetition the harness sleeps ``settings.settle``
    seconds so that the thread pools the previous library left spinning go idle.
    """
    numbers = {}
    for name, fn in fns.items():
        time.sleep(settings.settle)
        for _ in range(settings.warmup):
            fn()
        start = time.perf_counter()
        fn()
        once = time.perf_counter() - start
        numbers[name] = 1 if once >= settings.min_time else \
            min(10_000, int(settings.min_time / max(once, 1e-9)) + 1)
    samples: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(settings.repeat):
        for name, fn in fns.items():
            number = numbers[name]
            time.sleep(settings.settle)
            start = time.perf_counter()
            for _ in range(number):
                fn()
            samples[name].append((time.perf_counter() - start) / number)
    return {name: {"seconds": statistics.median(s), "min": min(s), "number": numbers[name],
                   "samples": [float(f"{x:.6g}") for x in s]} for name, s in samples.items()}


# -- agreement ------------------------------------------------------------------------------------
def to_numpy(x: Any) -> list:
    """A flat list of NumPy arrays from any library's gradient (tensors, boxes, trees of them)."""
    import numpy

    if isinstance(x, (list, tuple)):
        return [a for item in x for a in to_numpy(item)]
    if isinstance(x, dict):
        return [a for key in sorted(x) for a in to_numpy(x[key])]
    if type(x).__module__.startswith("torch"):
        return [x.detach().cpu().numpy()]
    if type(x).__module__.startswith("mygrad"):
        return [numpy.asarray(x.data)]
    return [numpy.asarray(x)]


def disagreement(got: Any, ref: Any) -> float:
    """The largest error of ``got`` against ``ref``, relative to the largest entry of ``ref``.

    Shapes must match exactly (a gradient of the wrong shape is wrong, not "close").
    """
    import numpy

    got, ref = to_numpy(got), to_numpy(ref)
    if len(got) != len(ref):
        return float("inf")
    worst = 0.0
    for g, r in zip(got, ref):
        if g.shape != r.shape:
            return float("inf")
        g, r = g.astype(numpy.float64), r.astype(numpy.float64)
        scale = max(float(numpy.max(numpy.abs(r), initial=0.0)), 1e-300)
        err = float(numpy.max(numpy.abs(g - r), initial=0.0)) / scale
        if not numpy.isfinite(err):
            return float("inf")
        worst = max(worst, err)
    return worst


def tolerance(dtype_name: str) -> float:
    return 2e-4 if dtype_name == "float32" else 1e-8


# -- groups ---------------------------------------------------------------------------------------
def target(subject: str, peer: str, factor: float, *, kind: str = "target",
           metric: str = "value") -> dict:
    """``subject``'s figure must be at most ``factor`` × ``peer``'s (``kind`` "aim": a wish)."""
    return {"subject": subject, "peer": peer, "factor": factor, "kind": kind, "metric": metric}


def measure(case: str, name: str, title: str, libraries: dict[str, Callable[[], Any] | str],
            reference: str, settings: Settings, *, tol: float, targets: list[dict] = (),
            display: tuple[str, float] = ("ms", 1e3), note: str = "") -> dict:
    """Check that every library agrees with ``reference`` on the result, then time them.

    ``libraries`` maps a name to a zero-argument callable returning the derivative (synchronised:
    a JAX or CUDA result must be ready when it returns), or to a string saying why it was skipped.
    A library that raises or disagrees is reported as such and never timed: a fast wrong answer
    does not count.
    """
    group = {"case": case, "name": name, "title": title, "reference": reference,
             "unit": "s", "display": {"unit": display[0], "scale": display[1]},
             "tolerance": tol, "note": note, "rows": {}, "targets": [dict(t) for t in targets]}
    print(f"\n[{name}] {title}")
    outputs = {}
    for lib, fn in libraries.items():
        if isinstance(fn, str):
            group["rows"][lib] = {"status": "skipped", "why": fn}
            continue
        try:
            outputs[lib] = fn()
        except Exception as exc:   # a peer's failure is a result, not a crash of the harness
            group["rows"][lib] = {"status": "error", "why": _one_line(exc)}
            traceback.print_exc(limit=3)
    ref = outputs.get(reference)
    for lib, out in outputs.items():
        err = 0.0 if lib == reference or ref is None else disagreement(out, ref)
        if ref is None:
            group["rows"][lib] = {"status": "unchecked", "why": f"{reference} did not run"}
        elif err > tol:
            group["rows"][lib] = {"status": "wrong", "error": err,
                                  "why": f"disagrees with {reference}: relative error {err:.2e}"}
        else:
            group["rows"][lib] = {"status": "ok", "error": err}
    ok = {lib: libraries[lib] for lib in libraries if group["rows"][lib]["status"] == "ok"}
    for lib, timing in time_all(ok, settings).items():
        group["rows"][lib].update(timing, value=timing["seconds"])
    finish(group)
    return group


def skipped_group(case: str, name: str, title: str, why: str, targets: list[dict] = ()) -> dict:
    """A group that could not run here (no GPU, say): kept, so the report says why."""
    print(f"\n[{name}] {title}\n  skipped: {why}")
    return {"case": case, "name": name, "title": title, "reference": None, "unit": "s",
            "display": {"unit": "ms", "scale": 1e3}, "note": "", "rows": {},
            "targets": [dict(t, ratio=None, met=None) for t in targets], "skipped": why}


def finish(group: dict) -> dict:
    """Ratios to the reference, the targets' verdicts, and a printout."""
    rows = group["rows"]
    ref = rows.get(group["reference"], {}).get("value")
    for row in rows.values():
        if "value" in row and ref:
            row["ratio"] = row["value"] / ref
    for t in group["targets"]:
        mine = rows.get(t["subject"], {}).get("value")
        peer = rows.get(t["peer"], {}).get("value")
        if mine is None or not peer:
            t["ratio"], t["met"] = None, None
        else:
            t["ratio"] = mine / peer
            t["met"] = t["ratio"] <= t["factor"]
    _print(group)
    return group


def _print(group: dict) -> None:
    unit, scale = group["display"]["unit"], group["display"]["scale"]
    for lib, row in group["rows"].items():
        if "value" in row:
            ratio = f"{row['ratio']:7.2f} × {group['reference']}" if "ratio" in row else ""
            print(f"  {lib:24s} {row['value'] * scale:10.4g} {unit:16s} {ratio}")
        else:
            print(f"  {lib:24s} {row['status']}: {row.get('why', '')}")
    for t in group["targets"]:
        if t["ratio"] is not None:
            verdict = "met" if t["met"] else "MISSED"
            print(f"  {t['kind']}: {t['subject']} ≤ {t['factor']:g} × {t['peer']}: "
                  f"{t['ratio']:.2f} ({verdict})")


def _one_line(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}".splitlines()[0]
    return text[:300]


# -- the machine ----------------------------------------------------------------------------------
def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _threads() -> dict:
    """Thread settings: the environment variables that set them and what each library uses."""
    names = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "XLA_FLAGS")
    info = {name: os.environ.get(name, "unset") for name in names}
    try:
        import threadpoolctl

        info["blas"] = [f"{p['internal_api']} {p.get('version')} ({p['num_threads']} threads)"
                        for p in threadpoolctl.threadpool_info()]
    except ImportError:
        info["blas"] = "threadpoolctl not installed"
    if "torch" in sys.modules:
        torch = sys.modules["torch"]
        info["torch_threads"] = torch.get_num_threads()
        info["torch_interop_threads"] = torch.get_num_interop_threads()
    return info


def machine() -> dict:
    """What a reader needs to compare figures: machine, load, versions, threads, date."""
    info = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "python": sys.version.split()[0], "platform": platform.platform(),
            "cpu": _cpu_model(), "cpus": os.cpu_count(),
            "load_average": [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg")
            else None}
    for dist in ("polygrad", "numpy", "torch", "jax", "jaxlib", "autograd", "mygrad"):
        info[dist] = _version(dist)
    info["threads"] = _threads()
    if "torch" in sys.modules:
        torch = sys.modules["torch"]
        info["cuda"] = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "none"
    return info


def write_json(path: str, payload: dict) -> str:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = f"{path}.tmp"
    with open(tmp, "w") as f:
        json.dump(payload, f, indent=1, default=float)
    os.replace(tmp, path)
    return path


def limit_threads(n: int) -> None:
    """Give every library ``n`` threads: must run before NumPy, torch or JAX is imported."""
    loaded = [m for m in ("numpy", "torch", "jax") if m in sys.modules]
    if loaded:
        raise RuntimeError(f"limit_threads: {loaded} already imported; threads are fixed at import")
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(n)
    if n == 1:   # XLA's CPU client has no thread-count flag, only "one thread or many"
        os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") + " --xla_cpu_multi_thread_"
                                   "eigen=false intra_op_parallelism_threads=1").strip()


def steady_allocator() -> str:
    """Fix glibc ``malloc``'s thresholds for this process, so that a library's figure does not
    depend on which library ran before it; returns what was done, for the results.

    glibc otherwise moves its mmap and trim thresholds as blocks come and go, so whether a
    library's large arrays are faulted in afresh on every call depends on the sizes the previous
    library freed (measured in case B float64: see "How figures are taken" in the README). Case
    D's subprocesses keep glibc's defaults (their peak memory is measured).
    """
    import ctypes
    import ctypes.util

    if not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc":
        return "the platform's default (not glibc)"
    libc = ctypes.CDLL(ctypes.util.find_library("c"))
    mmap_mib, trim_mib = 32, 256
    m_trim_threshold, m_mmap_threshold = -1, -3   # (malloc.h)
    if libc.mallopt(m_mmap_threshold, mmap_mib * 2**20) != 1 or \
            libc.mallopt(m_trim_threshold, trim_mib * 2**20) != 1:
        return "glibc defaults (mallopt refused)"
    return (f"glibc, M_MMAP_THRESHOLD {mmap_mib} MiB, M_TRIM_THRESHOLD {trim_mib} MiB "
            "(fixed by the harness)")


def missing(module: str) -> str | None:
    """None when ``module`` imports, else why not (the reason a peer is skipped)."""
    try:
        __import__(module)
    except ImportError as exc:
        return f"{module} is not installed ({_one_line(exc)})"
    return None


def jax_x64() -> None:
    """Let JAX hold float64 (else it silently uses float32); call before any JAX array exists."""
    import jax

    jax.config.update("jax_enable_x64", True)
