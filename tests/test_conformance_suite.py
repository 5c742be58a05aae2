"""The conformance suite itself: planted bugs make it fail naming the primitive and the backend,
known failures turn into xfails and stale ones are reported, the report is written, and the
coverage test catches a primitive without a spec.

The planted plugins (``tests/conformance_plugins/``) are installed for real: each test writes
``*.dist-info`` folders with ``entry_points.txt`` into a temporary folder, puts it on
``PYTHONPATH`` and runs ``pytest --pyargs polygrad_conformance`` in a subprocess, as a backend
author would.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

polygrad_conformance = pytest.importorskip(
    "polygrad_conformance", reason="the conformance suite is not installed: pip install -e .")
from polygrad_conformance import TOLERANCES, _names  # noqa: E402
from polygrad_conformance._known import load_known_failures  # noqa: E402
from polygrad_conformance.report import merge_reports  # noqa: E402

PLUGINS = Path(__file__).parent / "conformance_plugins"
ROOT = Path(__file__).parents[1]

#: distribution -> (module, entry-point group, entry point line)
DISTRIBUTIONS = {
    "planted-rules": ("planted_rules", "polygrad_conformance.specs", "planted = planted_rules"),
    "polygrad-offexp": ("polygrad_offexp", "polygrad.backends",
                        "offexp = polygrad_offexp:OffExpBackend"),
}


def _install(site: Path, dist: str) -> None:
    module, group, line = DISTRIBUTIONS[dist]
    shutil.copy(PLUGINS / f"{module}.py", site / f"{module}.py")
    info = site / f"{dist.replace('-', '_')}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[{group}]\n{line}\n")
    (info / "RECORD").write_text("")


def _suite(tmp_path: Path, backend: str, *args: str, dists=(), **env: str):
    """Run the suite in a subprocess; returns (exit code, output, merged-report dict)."""
    site = tmp_path / "site"
    site.mkdir(exist_ok=True)
    for dist in dists:
        _install(site, dist)
    shutil.copy(PLUGINS / "planted_unspecced.py", site / "planted_unspecced.py")
    report = tmp_path / "report"
    environ = dict(os.environ, POLYGRAD_TEST_BACKEND=backend,
                   POLYGRAD_CONFORMANCE_REPORT=str(report),
                   PYTHONPATH=os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")]))
    for key in ("POLYGRAD_CONFORMANCE_FULL", "POLYGRAD_CONFORMANCE_SHARD",
                "POLYGRAD_CONFORMANCE_KNOWN_FAILURES", "POLYGRAD_CONFORMANCE_MODULES",
                "POLYGRAD_CONFORMANCE_ALLOW_UNAVAILABLE",
                "POLYGRAD_PLUGINS", "POLYGRAD_DISABLE_PLUGINS"):
        environ.pop(key, None)
    environ.update(env)
    proc = subprocess.run([sys.executable, "-m", "pytest", "--pyargs", "polygrad_conformance",
                           "-q", "-p", "no:cacheprovider", "-rfEx", *args],
                          capture_output=True, text=True, cwd=tmp_path, env=environ,
                          timeout=600)
    runs = sorted(report.glob("*.json"))
    merged = merge_reports(runs)[0] if runs else None
    return proc.returncode, proc.stdout + proc.stderr, merged


def _failed_checks(report: dict, row: str) -> set:
    cells = report["rows"][row]["cells"]
    return {f["check"] for cell in cells.values() for f in cell["failures"] if not f["known"]}


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    """One run of the planted-rule rows on the NumPy backend."""
    return _suite(tmp_path_factory.mktemp("planted"), "numpy", "-k", "planted",
                  dists=["planted-rules"])


def test_a_wrong_vjp_fails_naming_the_primitive_and_the_backend(planted):
    code, out, report = planted
    assert code == 1, out
    assert "conformance failure: planted_bad_vjp [primitives: planted_bad_vjp] on backend " \
           "numpy:cpu" in out
    assert "vjp" in _failed_checks(report, "planted_bad_vjp")
    assert "jvp" not in _failed_checks(report, "planted_bad_vjp")


def test_a_wrong_jvp_fails_naming_the_primitive_and_the_backend(planted):
    code, out, report = planted
    assert "conformance failure: planted_bad_jvp [primitives: planted_bad_jvp] on backend " \
           "numpy:cpu" in out
    assert "jvp" in _failed_checks(report, "planted_bad_jvp")
    assert "vjp" not in _failed_checks(report, "planted_bad_jvp")


def test_a_wrong_second_order_rule_fails_at_second_order_only(planted):
    code, out, report = planted
    assert "conformance failure: planted_bad_second [primitives: planted_bad_second] on " \
           "backend numpy:cpu" in out
    checks = _failed_checks(report, "planted_bad_second")
    assert {"vjp-of-vjp", "jvp-of-jvp"} <= checks
    assert not checks & {"value", "vjp", "jvp"}


def test_a_right_plugin_primitive_passes(planted):
    code, out, report = planted
    cells = report["rows"]["planted_sin"]["cells"]
    assert {c["status"] for c in cells.values()} == {"pass"}, out
    assert set(cells) == {"float64", "float32", "complex128"}


def test_every_run_writes_a_json_and_markdown_report_and_prints_its_path(planted):
    code, out, report = planted
    assert "report: " in out and ".md" in out
    md_path = Path(out.split("report: ")[1].split()[0])
    md = md_path.read_text()
    assert "| `planted_bad_vjp` | planted_bad_vjp | **✗**" in md
    assert "| `planted_sin` | planted_sin | ✓" in md
    assert report["rows"]["planted_bad_vjp"]["cells"]["float64"]["status"] == "fail"
    assert report["totals"]["fail"] > 0 and report["totals"]["pass"] > 0


def test_a_broken_backend_kernel_fails_naming_the_primitive_and_the_backend(tmp_path):
    code, out, report = _suite(tmp_path, "offexp", "-k", "exp or sin",
                               dists=["polygrad-offexp"])
    assert code == 1, out
    assert "conformance failure: exp [primitives: exp] on backend offexp:cpu" in out
    assert "value" in _failed_checks(report, "exp")
    assert report["rows"]["sin"]["cells"]["float64"]["status"] == "pass"


def test_a_listed_known_failure_is_an_xfail_with_its_reason(tmp_path):
    known = tmp_path / "offexp.toml"
    known.write_text('[[failure]]\nspec = "exp"\nreason = "the planted kernel is off by 1e-3"\n')
    code, out, report = _suite(tmp_path, "offexp", "-k", "exp and not expm1 and not exp2 and "
                               "not expit and not softmax and not logsumexp and not logaddexp",
                               dists=["polygrad-offexp"],
                               POLYGRAD_CONFORMANCE_KNOWN_FAILURES=str(known))
    assert code == 0, out
    cells = report["rows"]["exp"]["cells"]
    # (float16 cannot see an error of 1e-3 in exp: a unit in its last place is about that)
    assert {c["status"] for d, c in cells.items() if d != "float16"} == {"xfail"}
    assert cells["float64"]["known"] == ["the planted kernel is off by 1e-3"]


def test_a_known_failure_that_no_longer_fails_is_reported_as_stale(tmp_path):
    known = tmp_path / "extra.toml"
    known.write_text('[[failure]]\nspec = "sin"\nreason = "fixed long ago"\n')
    code, out, report = _suite(tmp_path, "numpy", "-k", "sin and not sinh and not sinc",
                               POLYGRAD_CONFORMANCE_KNOWN_FAILURES=str(known))
    assert code == 1, out
    assert "STALE known failure [spec=sin] (extra.toml): fixed long ago" in out
    assert report["stale"] == ["known failure [spec=sin] (extra.toml): fixed long ago"]


def test_a_stale_entry_marked_not_strict_is_reported_without_failing(tmp_path):
    known = tmp_path / "extra.toml"
    known.write_text('[[failure]]\nspec = "sin"\nstrict = false\nreason = "flaky here"\n')
    code, out, _ = _suite(tmp_path, "numpy", "-k", "sin and not sinh and not sinc",
                          POLYGRAD_CONFORMANCE_KNOWN_FAILURES=str(known))
    assert code == 0, out
    assert "STALE known failure [spec=sin]" in out


def test_the_coverage_test_fails_for_a_primitive_without_a_spec(tmp_path):
    code, out, _ = _suite(tmp_path, "numpy", "-k", "every_registered_primitive",
                          POLYGRAD_CONFORMANCE_MODULES="planted_unspecced")
    assert code == 1, out
    assert "planted_unspecced: no spec row" in out


def test_an_unknown_backend_is_a_usage_error_saying_why_and_nothing_else(tmp_path):
    code, out, _ = _suite(tmp_path, "nmupy")
    assert code == pytest.ExitCode.USAGE_ERROR, out
    assert "cannot use backend 'nmupy'" in out and "Did you mean 'numpy'?" in out
    assert "no spec row" not in out and "FAILED" not in out   # no coverage failures


def test_an_installed_backend_without_its_device_fails_saying_nothing_ran(tmp_path):
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA: torch:cuda is available")
    code, out, _ = _suite(tmp_path, "torch:cuda", "-rs")
    assert code != 0, out
    assert "nothing ran" in out and "cannot use backend 'torch:cuda'" in out
    assert "CUDA is not available" in out and "POLYGRAD_CONFORMANCE_ALLOW_UNAVAILABLE" in out


def test_an_installed_backend_without_its_device_skips_when_allowed(tmp_path):
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA: torch:cuda is available")
    code, out, _ = _suite(tmp_path, "torch:cuda", "-rs",
                          POLYGRAD_CONFORMANCE_ALLOW_UNAVAILABLE="1")
    assert code == 0, out
    assert "7 skipped" in out and "cannot use backend 'torch:cuda'" in out
    assert "CUDA is not available" in out


# -- in-process: data files, name lists, report merging, docs ----------------------------------
def test_known_failure_entries_need_a_reason(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[[failure]]\nspec = "exp"\n')
    with pytest.raises(ValueError, match="needs a reason"):
        load_known_failures("numpy", str(bad))


def test_a_tolerance_entry_needs_a_factor_above_one(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[[tolerance]]\nspec = "exp"\nfactor = 0.5\nreason = "x"\n')
    with pytest.raises(ValueError, match="factor > 1"):
        load_known_failures("numpy", str(bad))


def test_the_shipped_known_failure_files_load():
    for name in ("numpy", "torch", "jax", "strict"):
        known = load_known_failures(name)
        assert all(e.reason for e in known.entries())


def test_the_shipped_autograd_names_match_the_shared_target_list():
    # tests/data/autograd-numpy-names.txt: the names HIPS autograd differentiates (test_compat.py)
    path = ROOT / "tests" / "data" / "autograd-numpy-names.txt"
    names = [ln.strip() for ln in path.read_text().splitlines()
             if ln.strip() and not ln.startswith("#")]
    assert list(_names.AUTOGRAD) == names


def test_the_shipped_standard_names_match_array_api_strict():
    strict = pytest.importorskip("array_api_strict")
    assert sorted(_names.STANDARD) == sorted(n for n in strict.__all__
                                             if n not in _names.STRICT_OWN)
    assert sorted(_names.STANDARD_LINALG) == sorted(strict.linalg.__all__)
    assert sorted(_names.STANDARD_FFT) == sorted(strict.fft.__all__)


def test_shards_of_one_backend_merge_into_one_report(tmp_path):
    def shard(i, status, known_used):
        cell = {"status": status, "cases": 1, "pass": int(status == "pass"),
                "fail": int(status == "fail"), "xfail": 0, "skip": 0, "worst_error": 1e-9 * i,
                "worst_check": "vjp", "worst_case": "c", "failures": [], "known": []}
        entry = {"spec": "exp", "case": "*", "dtype": "*", "check": "*", "backend": "*",
                 "reason": "r", "source": "x.toml", "strict": True, "factor": None,
                 "matched": 1, "used": known_used, "stale": not known_used}
        report = {"backend": "jax:cpu", "backend_name": "jax", "shard": [i, 2], "full": False,
                  "duration_s": 10 * (i + 1), "exitstatus": 0, "coverage": {},
                  "totals": {"pass": int(status == "pass"), "fail": int(status == "fail"),
                             "xfail": 0, "skip": 0},
                  "rows": {"exp": {"category": "elementwise", "primitives": ["exp"],
                                   "covers": [], "nondiff": False, "source": "polygrad",
                                   "cells": {"float64": cell}}},
                  "known_failures": [entry], "stale": []}
        path = tmp_path / f"jax.shard-{i}.json"
        path.write_text(json.dumps(report))
        return path

    [merged] = merge_reports([shard(0, "pass", 0), shard(1, "fail", 1)])
    cell = merged["rows"]["exp"]["cells"]["float64"]
    assert (cell["status"], cell["cases"], cell["worst_error"]) == ("fail", 2, 1e-9)
    assert merged["totals"] == {"pass": 1, "fail": 1, "xfail": 0, "skip": 0}
    assert merged["stale"] == []   # used in one shard: not stale


def test_the_documented_tolerances_are_the_suites():
    doc = (ROOT / "docs" / "conformance.md").read_text()
    for dtype, tol in TOLERANCES.items():
        row = next((ln for ln in doc.splitlines() if ln.startswith(f"| {dtype} ")), None)
        assert row is not None, f"docs/conformance.md has no tolerance row for {dtype}"
        numbers = {float(n) for n in re.findall(r"\d+(?:\.\d+)?e-\d+", row)}
        for value in (tol.value, tol.eps, tol.first, tol.floor):
            assert value in numbers, (dtype, value, row)


def test_the_suite_ships_under_its_own_import_name():
    assert polygrad_conformance.__name__ == "polygrad_conformance"
    assert (Path(polygrad_conformance.__file__).parent / "known_failures" / "common.toml").exists()
