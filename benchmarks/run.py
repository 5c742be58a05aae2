"""The benchmark harness: runs cases A-H side by side with the peers in one process (case D in one
subprocess per library), checks every result before timing it, and writes ``latest.json``,
``latest.md`` (tables) and ``latest.png`` (chart) into ``--out`` (default: a folder in the
system's temporary folder, printed, so that a run never changes the source tree).

    python benchmarks/run.py                  # every case (about 3 minutes on 2 cores)
    python benchmarks/run.py --case A,B       # some cases; the others' last results are kept
    python benchmarks/run.py --quick          # a smoke run: fewer repetitions, same sizes
    python benchmarks/run.py --threads 1      # every library single-threaded (steadier figures)
    python benchmarks/run.py --system-malloc  # keep glibc malloc's moving thresholds
    python benchmarks/run.py --out DIR        # the results into DIR
    python benchmarks/run.py --out benchmarks/results   # record a run in the repository
    python benchmarks/run.py --readme         # rewrite README's results from the recorded run
    nox -s bench [-- --case B --quick]

Exit status 1 when polygrad gave a wrong or no answer in a case that ran (a peer's failure is
reported, not fatal). Benchmarks are never tests: nothing here is collected by pytest.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import json
import os
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
#: the run recorded in the repository (README.md's results section is made from it)
RECORDED = os.path.join(HERE, "results")
#: where a run writes unless told (outside the source tree)
DEFAULT_OUT = os.path.join(tempfile.gettempdir(), "polygrad-bench")
sys.path.insert(0, HERE)
import _report  # noqa: E402
from _common import (Settings, jax_x64, limit_threads, machine, missing,  # noqa: E402
                     steady_allocator, write_json)

CASES = {
    "A": ("case_a_chain", "per-primitive cost: a 2,000-op chain on float64[16]"),
    "B": ("case_b_mlp", "MLP gradient, 784-1024-1024-10, batch 256, float32 and float64"),
    "C": ("case_c_tanh4", "4th derivative of tanh on 10,000 float64 points"),
    "D": ("case_d_long_chain", "a 100,000-op chain on float64[1]: time and peak memory"),
    "E": ("case_e_hvp", "Hessian-vector product, dimension 1,000, float64"),
    "F": ("case_f_torch", "A and B on the torch backend; B at scale on CUDA where available"),
    "G": ("case_g_jit", "pg.jit: B and A on JAX against jax.jit(grad), B on torch against "
                        "torch.compile"),
    "H": ("case_h_vmap", "pg.vmap: per-example gradients (MLP on numpy, torch, jax; logistic "
                          "regression against a loop), jacobian and hessian against the row loop"),
}


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--case", default=",".join(CASES),
                        help="comma-separated cases to run: " + ", ".join(
                            f"{k} ({v[1]})" for k, v in CASES.items()))
    parser.add_argument("--quick", action="store_true",
                        help="a short smoke run: fewer repetitions and warm-ups, same sizes")
    parser.add_argument("--repeat", type=int, help="timed repetitions per library (median)")
    parser.add_argument("--threads", type=int,
                        help="threads for every library (OMP/OpenBLAS/MKL env; XLA single-"
                             "threaded when 1); default: each library's own, recorded")
    parser.add_argument("--out", "--results", dest="results", default=None, metavar="DIR",
                        help=f"folder for latest.json / .md / .png (default {DEFAULT_OUT}; "
                             f"benchmarks/results records a run in the repository)")
    parser.add_argument("--readme", action="store_true",
                        help="run nothing: rewrite README.md's results section (and the .md and "
                             ".png) from latest.json in --out (default: benchmarks/results)")
    parser.add_argument("--system-malloc", action="store_true",
                        help="leave glibc malloc's thresholds at their defaults (the harness "
                             "otherwise fixes them, so that no library pays for the frees of "
                             "the one before it)")
    parser.add_argument("--remark", default="",
                        help="a note stored with the results, e.g. 'busy machine'")
    args = parser.parse_args(argv)
    if args.results is None:
        args.results = RECORDED if args.readme else DEFAULT_OUT
    args.cases = [c.strip().upper() for c in args.case.split(",") if c.strip()]
    unknown = [c for c in args.cases if c not in CASES]
    if unknown:
        parser.error(f"unknown case(s) {unknown}; choose from {list(CASES)}")
    return args


def run_cases(cases: list[str], settings: Settings) -> dict:
    """{case: {"machine", "settings", "groups"}} for each case, run in this process."""
    if missing("jax") is None:
        jax_x64()   # before any JAX array exists, or float64 would silently become float32
    run = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    out = {}
    for case in cases:
        module = importlib.import_module(CASES[case][0])
        start = time.perf_counter()
        groups = module.run(settings)
        print(f"  (case {case} took {time.perf_counter() - start:.0f} s)")
        out[case] = {"run": run, "machine": machine(), "settings": dataclasses.asdict(settings),
                     "groups": groups}
    return out


def polygrad_failures(cases: dict) -> list[str]:
    bad = []
    for case in cases.values():
        for g in case["groups"]:
            for lib, row in g["rows"].items():
                if lib.startswith("polygrad") and row["status"] in ("wrong", "error"):
                    bad.append(f"{g['name']}: {lib} {row['status']}: {row.get('why', '')}")
    return bad


def load(path: str) -> dict | None:
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def write_reports(payload: dict, results: str, readme: bool) -> None:
    print(f"written {write_json(os.path.join(results, 'latest.json'), payload)}")
    chart = _report.write_chart(payload, os.path.join(results, "latest.png"))
    if chart:
        print(f"written {chart}")
    print(f"written {_report.write_markdown(payload, os.path.join(results, 'latest.md'))}")
    if readme:
        rel = os.path.relpath(os.path.join(results, "latest.png"), HERE)
        print(f"written {_report.update_readme(payload, os.path.join(HERE, 'README.md'), rel)}")


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    path = os.path.join(args.results, "latest.json")
    if args.readme:
        if os.path.commonpath([os.path.abspath(args.results), HERE]) != HERE:
            raise SystemExit(f"--readme: README.md's chart must be in the repository, not "
                             f"{args.results}: record the run with --out benchmarks/results")
        payload = load(path)
        if payload is None:
            raise SystemExit(f"no results at {path}: run python benchmarks/run.py first")
        write_reports(payload, args.results, readme=True)
        return 0
    if args.threads:
        limit_threads(args.threads)
    settings = Settings.make(args.quick, args.repeat)
    settings.allocator = "glibc defaults (--system-malloc)" if args.system_malloc else \
        steady_allocator()
    start = time.perf_counter()
    cases = run_cases(args.cases, settings)
    payload = load(path) or {"cases": {}}
    payload["cases"].update(cases)   # a partial run keeps the other cases' last results
    payload["machine"] = cases[args.cases[-1]]["machine"]
    payload["settings"] = dataclasses.asdict(settings)
    payload["remark"] = args.remark
    write_reports(payload, args.results, readme=False)
    recorded = os.path.abspath(args.results) == RECORDED
    print(f"total {time.perf_counter() - start:.0f} s; results in {args.results}"
          + ("; python benchmarks/run.py --readme puts them in benchmarks/README.md" if recorded
             else " (record a run in the repository with --out benchmarks/results)"))
    bad = polygrad_failures(cases)
    for line in bad:
        print(f"polygrad FAILED {line}", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
