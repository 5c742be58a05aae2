"""The conformance report: JSON and a Markdown matrix (row × backend × dtype: pass / fail / xfail,
worst relative error), one per run, and merged across runs.

``python -m polygrad_conformance.report merge OUT_DIR RUN.json ...`` merges per-backend reports
(and the shards of one backend) into ``OUT_DIR/report.json`` and ``OUT_DIR/report.md``. Imports
the standard library and the suite's known-failure module.
"""

from __future__ import annotations

import json
import math
import re
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from polygrad_conformance._known import describe

__all__ = ["build_report", "write_report", "merge_reports", "markdown", "main"]

_DTYPE_ORDER = ("float64", "float32", "float16", "complex128", "complex64", "int64", "int32",
                "bool")
_SHORT = {"float64": "f64", "float32": "f32", "float16": "f16", "complex128": "c128",
          "complex64": "c64", "int64": "i64", "int32": "i32", "bool": "bool"}
_RANK = {"fail": 3, "xfail": 2, "pass": 1, "skip": 0}


def _num(x: float) -> float | None:
    return None if x is None or math.isinf(x) or math.isnan(x) else float(x)


def build_report(state: Any, started: float, exitstatus: int | None = None) -> dict:
    """The JSON-able report of one run (one backend) from the session's results."""
    import polygrad

    rows: dict[str, dict] = {}
    for spec, result, status, entries in state.results:
        row = rows.setdefault(spec.name, {
            "category": spec.category, "primitives": list(spec.primitives),
            "covers": list(spec.covers), "nondiff": spec.nondiff, "source": spec.source,
            "cells": {}})
        cell = row["cells"].setdefault(result.dtype, {
            "status": "skip", "cases": 0, "pass": 0, "fail": 0, "xfail": 0, "skip": 0,
            "worst_error": 0.0, "worst_check": None, "worst_case": None, "failures": [],
            "known": []})
        cell["cases"] += 1
        cell[status] += 1
        if _RANK[status] > _RANK[cell["status"]]:
            cell["status"] = status
        worst = result.worst
        if worst is not None and (cell["worst_check"] is None or
                                  (_num(worst.err) or 0) > (cell["worst_error"] or 0)):
            cell["worst_error"] = _num(worst.err)
            cell["worst_check"] = worst.check
            cell["worst_case"] = result.case
        for c in result.failures:
            if math.isinf(c.err):
                cell["worst_error"], cell["worst_check"], cell["worst_case"] = None, c.check, \
                    result.case
            known = any(e.covers(c.check) for e in entries)
            if len(cell["failures"]) < 5:
                cell["failures"].append({"case": result.case, "check": c.check,
                                         "error": _num(c.err), "tolerance": c.tol,
                                         "known": known, "message": c.message[:500]})
        for e in entries:
            if e.reason not in cell["known"]:
                cell["known"].append(e.reason)
    totals = {k: 0 for k in _RANK}
    inputs: dict[str, dict] = {}   # per kind of input: "dense", then each plugin strategy's
    for _, result, status, _ in state.results:
        totals[status] += 1
        kind = result.case.rpartition("@")[2] if "@" in result.case else "dense"
        inputs.setdefault(kind, {k: 0 for k in _RANK})[status] += 1
    known = state.known.entries() if state.known else []
    return {
        "format": "polygrad-conformance/1",
        "polygrad_version": getattr(polygrad, "__version__", "?"),
        "backend": getattr(state.backend, "spec", state.backend_spec),
        "backend_name": getattr(state.backend, "name", state.backend_spec.split(":")[0]),
        # the report's file name: the backend as it was asked for (``marray`` -> marray.md,
        # ``strict:device1`` -> strict_device1.md)
        "name": state.backend_spec,
        "full": state.full,
        "shard": list(getattr(state, "shard", (0, 1))),
        "started": time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(started)),
        "duration_s": round(time.time() - started, 1),
        "exitstatus": exitstatus,
        "totals": totals,
        "inputs": inputs,
        "rows": rows,
        "known_failure_files": state.known.files if state.known else [],
        "known_failures": [e.as_dict() for e in known],
        "stale": [e.describe() for e in known if e.stale],
        "coverage": getattr(state, "coverage", {}),
    }


def _slug(spec: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", spec)


def write_report(report: dict, out_dir: Path | str) -> tuple[Path, Path]:
    """Write ``<backend>.json`` and ``<backend>.md`` into ``out_dir`` (the backend as asked
    for: ``marray.md``, ``strict_device1.md``); returns their paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    stem = _slug(report.get("name") or report["backend"])
    i, n = report.get("shard", (0, 1))
    if n > 1:
        stem += f".shard-{i + 1}-of-{n}"
    jpath, mpath = out / f"{stem}.json", out / f"{stem}.md"
    jpath.write_text(json.dumps(report, indent=1, sort_keys=True) + "\n")
    mpath.write_text(markdown([report]))
    return jpath, mpath


def merge_reports(paths: Iterable[Path | str]) -> list[dict]:
    """The per-backend reports in ``paths`` (shards of one backend combined), ordered numpy,
    strict, torch, jax, then others."""
    by_backend: dict[str, list[dict]] = {}
    for p in paths:
        r = json.loads(Path(p).read_text())
        by_backend.setdefault(r["backend"], []).append(r)
    reports = [_combine(rs) for rs in by_backend.values()]
    order = {"numpy": 0, "strict": 1, "torch": 2, "jax": 3}
    return sorted(reports, key=lambda r: (order.get(r["backend_name"], 9), r["backend"]))


def _combine(shards: list[dict]) -> dict:
    """One backend's report from the reports of its shards."""
    if len(shards) == 1:
        return shards[0]
    out = dict(shards[0], shard=[0, 1], rows={}, totals={k: 0 for k in _RANK})
    out["duration_s"] = max(r["duration_s"] for r in shards)
    out["exitstatus"] = max((r["exitstatus"] or 0) for r in shards)
    out["coverage"] = next((r["coverage"] for r in shards if r.get("coverage")), {})
    out["inputs"] = {}
    for r in shards:
        for k in _RANK:
            out["totals"][k] += r["totals"][k]
        for kind, counts in r.get("inputs", {}).items():
            into = out["inputs"].setdefault(kind, {k: 0 for k in _RANK})
            for k in _RANK:
                into[k] += counts.get(k, 0)
        for name, row in r["rows"].items():
            into = out["rows"].setdefault(name, dict(row, cells={}))
            for d, cell in row["cells"].items():
                into["cells"][d] = _combine_cells(into["cells"].get(d), cell)
    entries: dict[tuple, dict] = {}
    for r in shards:
        for e in r["known_failures"]:
            key = tuple(str(e[k]) for k in ("spec", "case", "dtype", "check", "backend",
                                             "source", "factor"))
            if key in entries:
                entries[key]["matched"] += e["matched"]
                entries[key]["used"] += e["used"]
                entries[key]["passing"] = entries[key].get("passing", []) + e.get("passing", [])
            else:
                entries[key] = dict(e)
    for e in entries.values():
        e["stale"] = e["matched"] > 0 and e["used"] == 0
    out["known_failures"] = list(entries.values())
    out["stale"] = [describe(e) for e in entries.values() if e["stale"]]
    return out


def _combine_cells(a: dict | None, b: dict) -> dict:
    if a is None:
        return dict(b)
    out = dict(a)
    for k in ("cases", "pass", "fail", "xfail", "skip"):
        out[k] = a[k] + b[k]
    if _RANK[b["status"]] > _RANK[a["status"]]:
        out["status"] = b["status"]
    worse = b["worst_error"] is None and b["worst_check"] is not None or (
        a["worst_error"] is not None and (b["worst_error"] or 0) > a["worst_error"])
    if a["worst_check"] is None or worse:
        out["worst_error"], out["worst_check"], out["worst_case"] = (
            b["worst_error"], b["worst_check"], b["worst_case"])
    out["failures"] = (a["failures"] + b["failures"])[:5]
    out["known"] = a["known"] + [k for k in b["known"] if k not in a["known"]]
    return out


def _cell(cell: dict | None) -> str:
    if cell is None:
        return "·"
    status, err = cell["status"], cell.get("worst_error")
    e = "" if err is None else (" 0" if err == 0 else f" {err:.0e}")
    if status == "pass":
        return f"✓{e}"
    if status == "fail":
        return f"**✗**{e}" if err is not None else "**✗**"
    if status == "xfail":
        return f"xfail{e}"
    return "skip"


def markdown(reports: list[dict]) -> str:
    """The Markdown matrix of one or more per-backend reports."""
    lines = ["# polygrad conformance report", ""]
    lines += ["| backend | pass | fail | xfail | skip | stale entries | full grid | time |",
              "|---|---:|---:|---:|---:|---:|---|---:|"]
    for r in reports:
        t = r["totals"]
        lines.append(f"| {r['backend']} | {t['pass']} | {t['fail']} | {t['xfail']} | "
                     f"{t['skip']} | {len(r['stale'])} | {'yes' if r['full'] else 'no'} | "
                     f"{r['duration_s']} s |")
    lines += ["", "Cells: the row's status over all its cases in that dtype (✓ pass, **✗** fail, "
              "xfail: a known failure, · not run) and the worst relative error of any check "
              "(see docs/conformance.md). Counts are cases (a case runs every check). Times are "
              "of the longest pytest process of a backend.", ""]
    names = sorted({n for r in reports for n in r["rows"]})
    meta = {}
    for r in reports:
        for n, row in r["rows"].items():
            meta.setdefault(n, row)
    for cat in sorted({meta[n]["category"] for n in names}):
        rows = [n for n in names if meta[n]["category"] == cat]
        # the dtype columns this section uses
        dtypes = sorted({d for r in reports for n in rows for d in r["rows"].get(n, {}).get(
            "cells", {})}, key=lambda d: _DTYPE_ORDER.index(d) if d in _DTYPE_ORDER else 99)
        cols = [(r, d) for r in reports for d in dtypes]
        lines += [f"## {cat}", "",
                  "| row | primitives | " + " | ".join(
                      f"{r['backend_name']} {_SHORT.get(d, d)}" for r, d in cols) + " |",
                  "|---|---|" + "---|" * len(cols)]
        for n in rows:
            prims = ", ".join(meta[n]["primitives"]) or "—"
            nd = " (forward only)" if meta[n]["nondiff"] else ""
            cells = [_cell(r["rows"].get(n, {}).get("cells", {}).get(d)) for r, d in cols]
            lines.append(f"| `{n}`{nd} | {prims} | " + " | ".join(cells) + " |")
        lines.append("")
    lines += _failure_sections(reports)
    return "\n".join(lines) + "\n"


def _failure_sections(reports: list[dict]) -> list[str]:
    lines = ["## Failures", ""]
    any_fail = False
    for r in reports:
        for n, row in sorted(r["rows"].items()):
            for d, cell in row["cells"].items():
                for f in cell["failures"]:
                    if f["known"]:
                        continue
                    any_fail = True
                    lines.append(f"- `{n}` on {r['backend']} {d}, case `{f['case']}`, check "
                                 f"{f['check']}: {f['message'][:300]}")
    if not any_fail:
        lines.append("None.")
    lines += ["", "## Known failures and loosened tolerances", ""]
    seen = False
    for r in reports:
        for e in r["known_failures"]:
            seen = True
            kind = f"tolerance ×{e['factor']:g}" if e["factor"] else "known failure"
            where = ", ".join(f"{k}={e[k]}" for k in ("case", "dtype", "check") if e[k] != "*")
            state = "**stale**" if e["stale"] else f"used in {e['used']} of {e['matched']} " \
                                                      f"matching cases"
            if not e["stale"] and not e["factor"] and e.get("passing"):
                state += (f"; **matches {len(e['passing'])} passing case(s)**: "
                          + ", ".join(f"`{c}`" for c in e["passing"][:10]))
            lines.append(f"- {r['backend']}: `{e['spec']}`{' (' + where + ')' if where else ''}"
                         f" — {kind}, {state} ({e['source']}): {e['reason']}")
    if not seen:
        lines.append("None.")
    cov = [(r["backend"], r["coverage"]) for r in reports if r.get("coverage")]
    if cov:
        lines += ["", "## Coverage", ""]
        for backend, c in cov:
            lines.append(f"- {backend}: {c.get('summary', '')}")
    return lines


def main(argv: list[str] | None = None) -> int:
    """``merge OUT_DIR RUN.json ...``: exit status 1 when a strict known-failure entry is stale."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if len(argv) < 3 or argv[0] != "merge":
        print("usage: python -m polygrad_conformance.report merge OUT_DIR RUN.json [RUN.json ...]",
              file=sys.stderr)
        return 2
    out = Path(argv[1])
    out.mkdir(parents=True, exist_ok=True)
    reports = merge_reports(argv[2:])
    (out / "report.json").write_text(json.dumps({"format": "polygrad-conformance-merged/1",
                                                 "backends": reports}, indent=1,
                                                sort_keys=True) + "\n")
    (out / "report.md").write_text(markdown(reports))
    print(f"polygrad conformance report: {out / 'report.md'} and {out / 'report.json'}")
    stale = 0
    for r in reports:
        t = r["totals"]
        print(f"  {r['backend']}: {t['pass']} passed, {t['fail']} failed, {t['xfail']} xfailed, "
              f"{t['skip']} skipped, {len(r['stale'])} stale known-failure entries")
        if len(r.get("inputs", {})) > 1:
            for kind, c in r["inputs"].items():
                print(f"    {kind} inputs: {c['pass']} passed, {c['fail']} failed, "
                      f"{c['xfail']} xfailed, {c['skip']} skipped")
        for line in r["stale"]:
            print(f"    STALE {line}")
        for e in r["known_failures"]:
            if e["used"] and not e["factor"] and e.get("passing"):
                print(f"    WARNING {describe(e)}: matches {len(e['passing'])} case(s) that "
                      f"pass: {', '.join(e['passing'][:8])}")
        stale += sum(1 for e in r["known_failures"] if e["stale"] and e["strict"])
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
