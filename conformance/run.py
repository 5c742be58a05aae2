"""Run the suite on several backends, each in its own pytest process, and merge their reports.

``python -m polygrad_conformance [--backend NAME]... [--full] [--jobs N] [--report DIR]
[--allow-unavailable] [-- PYTEST ARGS]``: without ``--backend``, every available backend of
``polygrad.backends()`` (one that cannot run here skips); a backend named with ``--backend``
that cannot run here (no GPU) fails the run, saying why, unless ``--allow-unavailable``.
Backends whose cases run slowly (JAX compiles each new operation) are split into shards so that
``--jobs`` processes keep the cores busy. Exit status 1 when any backend failed. Imports polygrad
(to list backends) and the suite's report module.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from polygrad_conformance.report import main as merge_main

__all__ = ["main", "available_backends"]

#: shards per backend by default: JAX spends most of its time compiling new operations
SHARDS = {"jax": 4}


def available_backends() -> list[str]:
    import polygrad

    return [b["name"] for b in polygrad.backends() if b["status"] == "available"]


def _parse(argv: list[str]) -> tuple[argparse.Namespace, list[str]]:
    extra: list[str] = []
    if "--" in argv:
        i = argv.index("--")
        argv, extra = argv[:i], argv[i + 1:]
    p = argparse.ArgumentParser(prog="python -m polygrad_conformance",
                                description="polygrad's conformance suite on several backends")
    p.add_argument("--backend", action="append", default=[],
                   help="a backend spec (repeatable; default: every available backend)")
    p.add_argument("--full", action="store_true", help="the full grid (slower)")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                   help="pytest processes at once (default: the number of CPUs)")
    p.add_argument("--report", default=str(Path("build") / "polygrad-conformance"),
                   help="the report folder")
    p.add_argument("--shards", type=int, default=0,
                   help="split every backend into this many shards (default: per backend)")
    p.add_argument("--allow-unavailable", action="store_true",
                   help="a backend named with --backend that is installed but cannot run here "
                        "(no GPU) skips instead of failing the run")
    return p.parse_args(argv), extra


def _jobs(backends: list[str], shards: int) -> list[tuple[str, int, int]]:
    out = []
    for spec in backends:
        n = shards or SHARDS.get(spec.split(":")[0], 1)
        out += [(spec, i, n) for i in range(n)]
    # the longest first, so that they do not end up last alone
    return sorted(out, key=lambda j: -(j[2] > 1))


def _env(spec: str, report: Path) -> dict:
    env = dict(os.environ, POLYGRAD_TEST_BACKEND=spec, POLYGRAD_CONFORMANCE_REPORT=str(report))
    if spec.split(":")[0] == "jax" and "JAX_COMPILATION_CACHE_DIR" not in env:
        # JAX compiles every new operation (tens of ms each on a small CPU): keep the compiled
        # ones between runs, like the virtual environment
        env.update(JAX_COMPILATION_CACHE_DIR=str(report / "jax-cache"),
                   JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS="0",
                   JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES="-1")
    return env


def _run(job: tuple[str, int, int], args: argparse.Namespace, extra: list[str],
         report: Path) -> tuple[tuple, int, float, str]:
    spec, i, n = job
    env = _env(spec, report)
    if n > 1:
        env["POLYGRAD_CONFORMANCE_SHARD"] = f"{i}/{n}"
    if args.full:
        env["POLYGRAD_CONFORMANCE_FULL"] = "1"
    if args.allow_unavailable or not args.backend:
        # a backend found installed (not named) may turn out unable to run here: it skips
        env["POLYGRAD_CONFORMANCE_ALLOW_UNAVAILABLE"] = "1"
    cmd = [sys.executable, "-m", "pytest", "--pyargs", "polygrad_conformance", "-q",
           "-p", "no:cacheprovider", "--tb=no", "-rfEs", *extra]
    start = time.time()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    return job, proc.returncode, time.time() - start, proc.stdout + proc.stderr


def _forget_old_runs(report: Path) -> None:
    """Remove earlier runs' reports (only files this suite wrote) so that they are not merged."""
    for old in report.glob("*.json"):
        try:
            fmt = json.loads(old.read_text()).get("format", "")
        except (ValueError, OSError, AttributeError):
            continue
        if str(fmt).startswith("polygrad-conformance"):
            old.unlink()
            old.with_suffix(".md").unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    args, extra = _parse(list(sys.argv[1:] if argv is None else argv))
    backends = args.backend or available_backends()
    report = Path(args.report).resolve()
    report.mkdir(parents=True, exist_ok=True)
    _forget_old_runs(report)
    jobs = _jobs(backends, args.shards)
    print(f"polygrad conformance: {', '.join(backends)} ({len(jobs)} pytest processes, "
          f"{args.jobs} at a time{', full grid' if args.full else ''})", flush=True)
    start = time.time()
    failed, skipped = [], []
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        for job, code, secs, output in pool.map(lambda j: _run(j, args, extra, report), jobs):
            spec, i, n = job
            tail = [line for line in output.splitlines() if line.strip()][-1:] or ["(no output)"]
            shard = f" shard {i + 1}/{n}" if n > 1 else ""
            print(f"  {spec}{shard}: exit {code} in {secs:.0f} s: {tail[0]}", flush=True)
            reasons = {ln.split(": ", 1)[-1] for ln in output.splitlines()
                       if ln.startswith("SKIPPED") and "cannot use backend" in ln}
            for reason in sorted(reasons):
                print(f"    skipped: {reason}")
            if reasons:
                skipped.append(spec)
            if code not in (0, 5):
                failed.append(f"{spec}{shard}")
                lines = [ln for ln in output.splitlines() if ln.startswith(("FAILED", "ERROR",
                                                                              "STALE"))]
                for line in lines[:40]:
                    print(f"    {line}")
    runs = sorted(str(p) for p in report.glob("*.json") if p.name != "report.json")
    if runs and merge_main(["merge", str(report), *runs]):
        failed.append("stale known-failure entries")
    print(f"polygrad conformance: {time.time() - start:.0f} s in all; "
          + (f"FAILED: {', '.join(failed)}" if failed else "every backend passed")
          + (f"; SKIPPED (unavailable here): {', '.join(skipped)}" if skipped else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
