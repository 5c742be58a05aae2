"""Case D: a chain of 100,000 elementwise operations on a 1-element float64 array — the time of
one gradient and its peak memory, each library in its own subprocess (so that one library's
memory never counts against another's).

Peak memory is the peak resident set size during the first full-length gradient less the
resident set just before it (Linux: ``VmHWM`` after resetting it through ``/proc/self/clear_refs``;
elsewhere ``ru_maxrss``), measured after imports and a short warm-up, so library import size does
not count. Time is the median over the gradients the child computes (1 with ``--quick``).
Before any figure counts, each library's gradient is checked against hand-written NumPy (that of
the full chain underflows to 0, so that of the 100-op warm-up chain is checked too).

Run alone: python benchmarks/run.py --case D
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import POLYGRAD, disagreement, finish, target  # noqa: E402

LENGTH = 100_000
LIBRARIES = (POLYGRAD, "torch eager", "HIPS autograd")

CHILD = r'''
import gc, json, resource, statistics, sys, time
sys.setrecursionlimit(10_000)
sys.path.insert(0, {bench!r})
from case_a_chain import chain
lib, length, runs = {lib!r}, {length}, {runs}
import numpy
x0 = numpy.full(1, 0.5)
if lib == {polygrad!r}:
    import polygrad as pg, polygrad.numpy as np
    with pg.use_backend("numpy"):
        x = np.asarray(x0)
    run = lambda n: pg.grad(lambda x: chain(np, x, n))(x).asnumpy()
elif lib == "HIPS autograd":
    import autograd, autograd.numpy as anp
    run = lambda n: autograd.grad(lambda x: chain(anp, x, n))(x0)
elif lib == "torch eager":
    import torch
    def run(n):
        x = torch.tensor(x0, requires_grad=True)
        chain(torch, x, n).backward()
        return x.grad.numpy()

def status(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise OSError(field)

def mark():
    """The resident set now (MB), with the kernel's peak reset to it where Linux allows."""
    gc.collect()
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return status("VmRSS"), lambda: status("VmHWM")
    except OSError:   # ru_maxrss: kB on Linux, bytes on macOS, and it survives exec
        unit = 1 if sys.platform == "darwin" else 1024
        peak = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * unit / 2**20
        return peak(), peak

short = run(100)
times = []
for i in range(runs):
    if i == 0:
        base, peak = mark()
    t = time.perf_counter()
    g = run(length)
    times.append(time.perf_counter() - t)
    if i == 0:
        growth = peak() - base
print(json.dumps({{"seconds": statistics.median(times), "samples": times, "peak_mb": growth,
                   "grad": numpy.asarray(g).tolist(), "grad_100": numpy.asarray(short).tolist()}}))
'''


def measure_child(lib: str, length: int, runs: int) -> dict:
    code = CHILD.format(bench=os.path.dirname(os.path.abspath(__file__)), lib=lib,
                        length=length, runs=runs, polygrad=POLYGRAD)
    try:
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              timeout=600)
    except subprocess.TimeoutExpired:
        return {"status": "error", "why": "took more than 600 s"}
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        return {"status": "error", "why": last[:300]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run(settings, length=LENGTH):
    import numpy

    from case_a_chain import hand_numpy

    x0 = numpy.full(1, 0.5)
    # the full chain's gradient underflows to 0, so the 100-op warm-up's is checked as well
    refs = {"grad": hand_numpy(length)(x0), "grad_100": hand_numpy(100)(x0)}
    title = f"gradient of a {length:,}-op elementwise chain on float64[1], one subprocess each"
    print(f"\n[D] {title}")
    runs = 1 if settings.quick else 3
    time_rows, memory_rows = {}, {}
    for lib in LIBRARIES:
        r = measure_child(lib, length, runs)
        if "grad" in r:
            err = max(disagreement(numpy.asarray(r[k]), ref) for k, ref in refs.items())
            if err > 1e-9:
                r = {"status": "wrong", "error": err,
                     "why": f"disagrees with hand NumPy: relative error {err:.2e}"}
        if "seconds" in r:
            time_rows[lib] = {"status": "ok", "value": r["seconds"], "seconds": r["seconds"],
                              "samples": r["samples"]}
            memory_rows[lib] = {"status": "ok", "value": r["peak_mb"]}
        else:
            time_rows[lib] = memory_rows[lib] = {"status": r["status"], "why": r["why"]}
    common = {"case": "D", "tolerance": 1e-9, "note": ""}
    groups = [
        dict(common, name="D time", title=f"{title}: time", reference="torch eager", unit="s",
             display={"unit": "s", "scale": 1.0}, rows=time_rows,
             targets=[target(POLYGRAD, "torch eager", 1.0)]),
        dict(common, name="D memory", title=f"{title}: peak memory", reference="HIPS autograd",
             statistic="peak growth",
             unit="MB", display={"unit": "MB", "scale": 1.0}, rows=memory_rows,
             targets=[target(POLYGRAD, "HIPS autograd", 1.0)])]
    for group in groups:
        print(f"  {group['name']}:")
        finish(group)
    return groups


if __name__ == "__main__":
    import run as harness

    sys.exit(harness.main(["--case", "D", *sys.argv[1:]]))
