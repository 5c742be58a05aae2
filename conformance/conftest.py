"""pytest hooks of the conformance suite: stop at once when the backend cannot be used, write the
report at the end of every run, print where it is, and fail the run on stale known-failure entries.

Uses absolute imports of ``polygrad_conformance`` so that the suite's state is shared however
pytest names this directory's modules.
"""

from __future__ import annotations

import time

import pytest

from polygrad_conformance import _session
from polygrad_conformance.report import build_report, write_report

_STARTED = time.time()
_written: dict = {}


def pytest_collection_modifyitems(session, config, items):
    """An unknown or broken backend is a usage error, said in one line (not a failure of every
    coverage test); an installed one that cannot run here (no GPU) fails the run unless
    allowed, since nothing would be tested."""
    state = _session.session()
    if state.error:
        raise pytest.UsageError(state.error)
    if state.skip and not _session.allow_unavailable():
        allow = _session.ENV["allow_unavailable"]
        raise pytest.UsageError(
            f"nothing ran: {state.skip.rstrip('.')}. Set {allow}=1 (polygrad conformance "
            f"--allow-unavailable) to accept a run that skips every test.")


def pytest_sessionfinish(session, exitstatus):
    state = _session._session
    if state is None or state.error:
        return
    stale = state.known.stale() if state.known else []
    # a shard sees only part of the cases: the runner judges staleness after merging
    if any(e.strict for e in stale) and exitstatus == 0 and state.shard[1] == 1:
        session.exitstatus = 1
    report = build_report(state, _STARTED, int(session.exitstatus))
    try:
        _written["paths"] = write_report(report, state.report_dir)
    except OSError as exc:
        _written["error"] = f"could not write the report to {state.report_dir}: {exc}"
    _written["report"] = report
    _written["stale"] = stale
    # a shard sees only part of the cases: the runner's merged report lists them instead
    _written["too_wide"] = state.known.too_wide() if state.known and state.shard[1] == 1 else []


def pytest_terminal_summary(terminalreporter):
    report = _written.get("report")
    if report is None:
        return
    tr = terminalreporter
    tr.section("polygrad conformance")
    t = report["totals"]
    tr.write_line(f"backend {report['backend']}: {t['pass']} passed, {t['fail']} failed, "
                  f"{t['xfail']} xfailed (known), {t['skip']} skipped cases"
                  f"{' (full grid)' if report['full'] else ''}")
    for name, t in report.get("inputs", {}).items():
        tr.write_line(f"  {name} inputs: {t['pass']} passed, {t['fail']} failed, "
                      f"{t['xfail']} xfailed (known), {t['skip']} skipped cases")
    for e in _written.get("too_wide", []):
        shown = ", ".join(e.passing[:8]) + (f", ... ({len(e.passing)} in all)"
                                            if len(e.passing) > 8 else "")
        tr.write_line(f"WARNING known failure matches {len(e.passing)} case(s) that pass "
                      f"(narrow its spec/case/dtype/check): {e.describe()}; passing: {shown}",
                      yellow=True)
    for e in _written.get("stale", []):
        tr.write_line(f"STALE {e.describe()}" + ("" if e.strict else " (strict = false)"),
                      red=e.strict, yellow=not e.strict)
    if "paths" in _written:
        jpath, mpath = _written["paths"]
        tr.write_line(f"report: {mpath}")
        tr.write_line(f"        {jpath}")
    else:
        tr.write_line(_written.get("error", "no report written"), red=True)
