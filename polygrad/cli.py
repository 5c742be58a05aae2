"""The ``polygrad`` command line: ``backends``, ``info``, ``conformance`` and ``bench``.

Imports polygrad's backend listing only; pytest and the array libraries are imported by the
subcommands that need them.

Examples
--------
>>> from polygrad.cli import main
>>> main(["backends"])  # doctest: +ELLIPSIS
name ...
numpy ... available ...
0
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["main", "info", "report_dir", "find_reports"]

#: distributions whose versions a bug report always lists; every installed backend's array
#: library is added to them (found from its import name, e.g. cupy from cupy-cuda12x)
LIBRARIES = ("numpy", "array-api-compat", "scipy", "torch", "jax", "jaxlib", "array-api-strict",
             "dask", "distributed", "pytest")
CONFORMANCE_PACKAGE = "polygrad_conformance"


# -- info ------------------------------------------------------------------------------------------
def _version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def _canonical(dist: str) -> str:
    return "".join("-" if c in "_." else c for c in dist.lower())


def _libraries(rows: list[dict[str, Any]]) -> dict[str, str | None]:
    """Versions of LIBRARIES and of the distributions providing each backend's array library."""
    versions = {name: _version(name) for name in LIBRARIES}
    listed = {_canonical(name) for name in versions}
    providers: dict[str, list[str]] | None = None
    for row in rows:
        library = row.get("library")
        if not library:
            continue
        if providers is None:
            providers = importlib.metadata.packages_distributions()
        for dist in providers.get(library) or [library]:
            if _canonical(dist) not in listed:
                listed.add(_canonical(dist))
                versions[dist] = _version(dist)
    return versions


def info(load: bool = True) -> dict[str, Any]:
    """What a bug report needs: versions, platform, the backends and their devices.

    With ``load`` each available backend is loaded (its array library imported) to list its
    devices; a backend that fails to load says why in its row.
    """
    import polygrad

    listing = importlib.import_module("polygrad.backends")
    env = {k: v for k, v in sorted(os.environ.items()) if k.startswith("POLYGRAD_")}
    rows = listing.list_backends(load=load)
    return {
        "polygrad": polygrad.__version__,
        "polygrad_path": str(Path(polygrad.__file__).parent),
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "libraries": _libraries(rows),
        "environment": env,
        "backends": rows,
    }


def _print_info(report: dict[str, Any]) -> None:
    from polygrad.backends import format_table

    print(f"polygrad {report['polygrad']} ({report['polygrad_path']})")
    print(f"python {report['python']} ({report['implementation']}) on {report['platform']}")
    installed = [f"{k} {v}" for k, v in report["libraries"].items() if v is not None]
    missing = [k for k, v in report["libraries"].items() if v is None]
    print("libraries: " + ", ".join(installed))
    if missing:
        print("not installed: " + ", ".join(missing))
    env = report["environment"]
    print("environment: " + (", ".join(f"{k}={v}" for k, v in env.items()) or "no POLYGRAD_*"))
    print()
    print(format_table(report["backends"]))


def _cmd_info(args: argparse.Namespace) -> int:
    report = info(load=not args.no_load)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        _print_info(report)
    return 0


def _cmd_backends(args: argparse.Namespace) -> int:
    return importlib.import_module("polygrad.backends").main(args.rest)


# -- conformance -----------------------------------------------------------------------------------
class _Progress:
    """A pytest plugin: one progress bar instead of pytest's dots (verbosity 0 or less)."""

    def __init__(self, stream: Any = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.bar: Any = None
        self.failed = 0

    def _make_bar(self, total: int) -> Any:
        try:
            from tqdm import tqdm
        except ImportError:
            return _PlainBar(total, self.stream)
        return tqdm(total=total, desc="conformance", unit="test", file=self.stream)

    def pytest_collection_finish(self, session: Any) -> None:
        self.bar = self._make_bar(len(session.items))

    def pytest_runtest_logreport(self, report: Any) -> None:
        if report.failed:
            self.failed += 1
        if report.when == "teardown" and self.bar is not None:
            self.bar.update(1)
            if self.failed and hasattr(self.bar, "set_postfix_str"):
                self.bar.set_postfix_str(f"{self.failed} failed", refresh=False)

    def pytest_report_teststatus(self, report: Any, config: Any) -> Any:
        """Keep pytest's category (for its summary) but print no letter: the bar shows progress."""
        outcome = yield
        result = outcome.get_result()
        if result and config.get_verbosity() <= 0:
            category, _letter, word = result
            outcome.force_result((category, "", word))

    pytest_report_teststatus.hookwrapper = True   # type: ignore[attr-defined]

    def pytest_sessionfinish(self, session: Any) -> None:
        if self.bar is not None:
            self.bar.close()


class _PlainBar:
    """The progress bar when tqdm is not installed: a count rewritten in place."""

    def __init__(self, total: int, stream: Any) -> None:
        self.total, self.n, self.stream = total, 0, stream

    def update(self, n: int = 1) -> None:
        self.n += n
        self.stream.write(f"\rconformance: {self.n}/{self.total} tests")
        self.stream.flush()

    def close(self) -> None:
        self.stream.write("\n")


def report_dir() -> Path:
    """Where the conformance suite writes its report (``POLYGRAD_CONFORMANCE_REPORT`` or
    ``build/polygrad-conformance`` under the current folder)."""
    return Path(os.environ.get("POLYGRAD_CONFORMANCE_REPORT")
                or Path("build") / "polygrad-conformance").resolve()


def find_reports(folder: Path, since: float) -> list[Path]:
    """The report files in ``folder`` written after the time ``since``, Markdown first."""
    if not folder.is_dir():
        return []
    found = [p for p in folder.iterdir() if p.is_file() and p.stat().st_mtime >= since]
    return sorted(found, key=lambda p: (p.suffix != ".md", p.name))


#: exit status when the backend is installed but cannot run here and nothing ran (pytest's
#: "no tests ran"); an unknown or broken backend is a usage error, 2
NOTHING_RAN = 5


def _refuse_backend(target: str, allow_unavailable: bool) -> int | None:
    """None when the suite can run on ``target``; else the exit status, after one line that
    says why (a mistyped name gets the "did you mean" line alone)."""
    import polygrad as pg
    from polygrad_conformance._session import installed_but_unavailable

    try:
        with pg.use_backend(target):
            return None
    except Exception as exc:  # noqa: BLE001 - a plugin's own error is shown, not raised
        why = str(exc).removeprefix("polygrad: ")
        if not installed_but_unavailable(target, exc):
            print(f"polygrad conformance: {why}", file=sys.stderr)
            return 2
        if not allow_unavailable:
            print(f"polygrad conformance: nothing ran: cannot use backend {target!r} here: {why} "
                  f"Pass --allow-unavailable to accept a run that skips every test.",
                  file=sys.stderr)
            return NOTHING_RAN
        print(f"polygrad conformance: every test skips (--allow-unavailable): {why}",
              file=sys.stderr)
        return None


def _cmd_conformance(args: argparse.Namespace) -> int:
    if args.install:
        if not args.backend:
            print("polygrad conformance: --install needs --backend NAME (the backend the plugin "
                  "provides)", file=sys.stderr)
            return 2
        from polygrad import _author_run

        rest = list(args.rest) + (["--full"] if args.full else []) + \
            (["--no-progress"] if args.no_progress else []) + \
            (["--allow-unavailable"] if args.allow_unavailable else []) + \
            (["--report", str(Path(args.report).resolve())] if args.report else [])
        return _author_run.run(args.install, args.backend, rest,
                               Path(args.build_dir) if args.build_dir else None)
    if importlib.util.find_spec(CONFORMANCE_PACKAGE) is None:
        print(f"polygrad conformance: the conformance suite ({CONFORMANCE_PACKAGE}) is not "
              f"installed with this polygrad ({_version('polygrad') or 'source tree'}). Install a "
              f"polygrad that ships it, or run `nox -s conformance` in a polygrad checkout.",
              file=sys.stderr)
        return 2
    try:
        import pytest
    except ImportError:
        print("polygrad conformance: needs pytest (python -m pip install pytest)",
              file=sys.stderr)
        return 2
    if args.backend:
        os.environ["POLYGRAD_TEST_BACKEND"] = args.backend
    if args.report:
        os.environ["POLYGRAD_CONFORMANCE_REPORT"] = args.report
    if args.full:
        os.environ["POLYGRAD_CONFORMANCE_FULL"] = "1"
    if args.allow_unavailable:
        os.environ["POLYGRAD_CONFORMANCE_ALLOW_UNAVAILABLE"] = "1"
    target = (os.environ.get("POLYGRAD_TEST_BACKEND") or os.environ.get("POLYGRAD_BACKEND")
              or "numpy")
    refused = _refuse_backend(target, args.allow_unavailable)
    if refused is not None:
        return refused
    pytest_args = ["--pyargs", CONFORMANCE_PACKAGE, "-p", "no:cacheprovider", *args.rest]
    plugins: list[Any] = []
    if not args.no_progress:
        pytest_args[:0] = ["-q", "--no-header", "-o", "console_output_style=classic"]
        plugins.append(_Progress())
    print(f"polygrad conformance: {target}", file=sys.stderr)
    start = time.time() - 1.0
    code = int(pytest.main(pytest_args, plugins=plugins))
    reports = find_reports(report_dir(), start)
    if reports:
        print("report: " + ", ".join(str(p) for p in reports))
    else:
        print(f"report: none written to {report_dir()}", file=sys.stderr)
    return code


# -- bench -----------------------------------------------------------------------------------------
def _benchmarks_dir() -> Path | None:
    """benchmarks/ of the source checkout polygrad runs from, or of the current folder."""
    for root in (Path(__file__).resolve().parent.parent, Path.cwd()):
        if (root / "benchmarks").is_dir():
            return root / "benchmarks"
    return None


def _cmd_bench(args: argparse.Namespace) -> int:
    folder = _benchmarks_dir()
    runner = folder / "run.py" if folder is not None else None
    if runner is None or not runner.is_file():
        where = str(folder) if folder is not None else "no benchmarks/ folder found"
        cases = sorted(p.name for p in folder.glob("case_*.py")) if folder is not None else []
        hint = f"; the case scripts there run alone: {', '.join(cases)}" if cases else ""
        print(f"polygrad bench: benchmarks/run.py was not found ({where}). The benchmarks ship "
              f"with polygrad's source repository, not with the wheel{hint}.", file=sys.stderr)
        return 2
    command = [sys.executable, str(runner)]
    for case in args.case or ():
        command += ["--case", case]
    command += args.rest
    print("polygrad bench: " + " ".join(command), file=sys.stderr)
    return subprocess.call(command, cwd=folder.parent)


# -- the parser ------------------------------------------------------------------------------------
#: subcommands whose unrecognised arguments are handed on (to the listing, pytest, run.py)
PASS_THROUGH = ("backends", "conformance", "bench")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="polygrad", description="polygrad: differentiate NumPy-style code on any Array "
                                     "API backend. Subcommands list, check and time backends.")
    parser.add_argument("--version", action="version", version=f"polygrad {_pg_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("backends", help="list the installed backends (python -m polygrad.backends)",
                       description="The installed backends. Options: --load (import each "
                                   "library and list its devices), --json.")
    p.set_defaults(run=_cmd_backends)

    p = sub.add_parser("info", help="versions, platform, backends and devices, for bug reports")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--no-load", action="store_true",
                   help="do not import the array libraries (no device listing)")
    p.set_defaults(run=_cmd_info)

    p = sub.add_parser("conformance", help="run the finite-difference conformance suite",
                       description="Runs `pytest --pyargs polygrad_conformance` on one backend; "
                                   "other arguments go to pytest (e.g. -k sin, -x, -v).")
    p.add_argument("--backend", metavar="NAME",
                   help="the backend to check (POLYGRAD_TEST_BACKEND; default: "
                        "POLYGRAD_BACKEND or numpy)")
    p.add_argument("--full", action="store_true", help="the full grid of cases")
    p.add_argument("--report", metavar="DIR", help="where the report goes "
                   "(POLYGRAD_CONFORMANCE_REPORT; default: build/polygrad-conformance)")
    p.add_argument("--no-progress", action="store_true",
                   help="pytest's own output instead of a progress bar")
    p.add_argument("--allow-unavailable", action="store_true",
                   help="exit 0 when the backend is installed but cannot run here (no GPU) and "
                        "every test skips; without it such a run exits 5, saying why")
    p.add_argument("--install", metavar="PATH", help="a plugin (folder or requirement): install "
                   "it alone with polygrad and the suite's dependencies (no torch, no JAX) into "
                   "a build folder outside the source tree and run the suite there on --backend")
    p.add_argument("--build-dir", metavar="DIR", help="with --install: the build folder "
                   "(default: under the user's cache folder, e.g. ~/.cache/polygrad/conformance)")
    p.set_defaults(run=_cmd_conformance)

    p = sub.add_parser("bench", help="run the side-by-side benchmarks (benchmarks/run.py)",
                       description="Runs benchmarks/run.py from a polygrad checkout; other "
                                   "arguments go to it (--quick, --repeat N, --threads N, ...).")
    p.add_argument("--case", action="append", metavar="CASE",
                   help="cases to run, e.g. A or A,B (repeatable)")
    p.set_defaults(run=_cmd_bench)
    return parser


def _pg_version() -> str:
    import polygrad

    return polygrad.__version__


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = _parser()
    args, rest = parser.parse_known_args(argv)
    if rest and args.command not in PASS_THROUGH:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    args.rest = rest[1:] if rest[:1] == ["--"] else rest
    return int(args.run(args) or 0)
