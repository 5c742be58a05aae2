"""Case D: a chain of 100,000 elementwise operations on a 1-element float64 array —
time of one gradient and peak memory, each library in its own subprocess.

Peak memory is the growth of the process's peak resident set size (``ru_maxrss``) during the
gradient, measured after imports and a small warm-up, so library import size does not count.

Run: python benchmarks/case_d_long_chain.py [--length 100000]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from _common import machine, write  # noqa: E402

CHILD = r'''
import json, resource, sys, time
sys.setrecursionlimit(10_000)
sys.path.insert(0, {bench!r})
from case_a_chain import chain
lib, length = {lib!r}, {length}
import numpy
x0 = numpy.full(1, 0.5)
if lib == "polygrad":
    import polygrad as pg, polygrad.numpy as np
    x = np.asarray(x0)
    run = lambda n: pg.grad(lambda x: chain(np, x, n))(x)
elif lib == "HIPS autograd":
    import autograd, autograd.numpy as anp
    run = lambda n: autograd.grad(lambda x: chain(anp, x, n))(x0)
elif lib == "torch eager":
    import torch
    def run(n):
        x = torch.tensor(x0, requires_grad=True)
        chain(torch, x, n).backward()
        return x.grad
run(100)
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t = time.perf_counter()
try:
    g = run(length)
    ok, err = True, ""
except RecursionError as e:
    ok, err = False, "RecursionError"
elapsed = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"ok": ok, "error": err, "seconds": elapsed, "peak_mb": (peak - base) / 1024}}))
'''


def measure(lib: str, length: int) -> dict:
    code = CHILD.format(bench=os.path.dirname(os.path.abspath(__file__)), lib=lib, length=length)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if proc.returncode != 0:
        return {"ok": False, "error": proc.stderr.strip().splitlines()[-1:]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--length", type=int, default=100_000)
    parser.add_argument("--results", default=os.path.join(os.path.dirname(__file__), "results"))
    args = parser.parse_args(argv)
    rows = {lib: measure(lib, args.length) for lib in ("polygrad", "torch eager", "HIPS autograd")}
    print(f"Case D: gradient of a {args.length}-op chain on float64[1] (one subprocess each)")
    for lib, r in rows.items():
        if r.get("ok"):
            print(f"  {lib:15s} {r['seconds']:6.2f} s   peak +{r['peak_mb']:6.1f} MB")
        else:
            print(f"  {lib:15s} failed: {r.get('error')}")
    path = write(args.results, "case_d", {"case": "D", "length": args.length, "rows": rows,
                                          "machine": machine()})
    print(f"  written {path}")
    return rows


if __name__ == "__main__":
    main()
