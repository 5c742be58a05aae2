"""The ``polygrad`` command line (polygrad/cli.py): backends, info, conformance and bench.

Subcommands run in-process through ``main(argv)`` where they leave no state behind; the
conformance run and ``python -m polygrad`` run in a subprocess, as a user runs them. The bench
tests point the command at a stand-in ``run.py`` that echoes its arguments, so no benchmark runs.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import polygrad as pg
from polygrad import cli

ROOT = Path(__file__).resolve().parent.parent


def _run(*args: str, env: dict | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "polygrad", *args], capture_output=True,
                          text=True, timeout=timeout, env=None if env is None
                          else {**os.environ, **env})


def test_python_dash_m_polygrad_lists_the_subcommands():
    done = _run("--help")
    assert done.returncode == 0
    for command in ("backends", "info", "conformance", "bench"):
        assert command in done.stdout


def test_version_is_polygrad_s(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"polygrad {pg.__version__}"


def test_a_subcommand_is_required(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main([])
    assert exit_.value.code == 2


def test_console_script_points_at_the_cli():
    scripts = [ep for ep in importlib.metadata.entry_points(group="console_scripts")
               if ep.name == "polygrad"]
    if not scripts:
        pytest.skip("the polygrad console script is not installed: reinstall polygrad "
                    "(pip install -e .) after [project.scripts] was added")
    assert scripts[0].value == "polygrad.cli:main"


# -- backends ------------------------------------------------------------------------------------
def test_backends_lists_numpy_as_available(capsys):
    assert cli.main(["backends"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split()[:4] == ["name", "distribution", "version", "status"]
    row = next(line for line in out.splitlines() if line.startswith("numpy "))
    assert "available" in row and "float64" in row


def test_backends_passes_json_on_to_the_listing(capsys):
    assert cli.main(["backends", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    numpy_row = next(r for r in rows if r["name"] == "numpy")
    assert numpy_row["status"] == "available" and numpy_row["float64"] is True


def test_backends_load_lists_devices(capsys):
    assert cli.main(["backends", "--load"]) == 0
    row = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("numpy "))
    assert " cpu" in row


# -- info ----------------------------------------------------------------------------------------
def test_info_reports_versions_and_backends(capsys):
    assert cli.main(["info", "--no-load"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"polygrad {pg.__version__}")
    assert f"python {sys.version.split()[0]}" in out
    assert f"numpy {importlib.metadata.version('numpy')}" in out
    assert any(line.startswith("numpy ") and "available" in line for line in out.splitlines())


def test_info_json_has_what_a_bug_report_needs(capsys):
    assert cli.main(["info", "--json", "--no-load"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["polygrad"] == pg.__version__
    assert report["libraries"]["numpy"] == importlib.metadata.version("numpy")
    assert {"python", "platform", "environment", "backends"} <= set(report)
    assert any(r["name"] == "numpy" for r in report["backends"])


def test_info_with_devices_loads_the_backends():
    report = cli.info(load=True)
    numpy_row = next(r for r in report["backends"] if r["name"] == "numpy")
    assert numpy_row["devices"] == ["cpu"]


def test_info_lists_the_version_of_every_installed_backend_library(monkeypatch):
    # found from each backend's import name, not from a fixed list: array_api_strict is
    # distributed as array-api-strict, a CuPy plugin's cupy as cupy-cuda12x
    monkeypatch.setattr(cli, "LIBRARIES", ())
    report = cli.info(load=False)
    versions = {name.replace("_", "-"): v for name, v in report["libraries"].items()}
    for row in report["backends"]:
        if row["status"] == "available":
            dist = row["library"].replace("_", "-")
            assert versions[dist] == importlib.metadata.version(dist), row["name"]
    assert versions["numpy"] == importlib.metadata.version("numpy")


def test_info_refuses_unknown_options(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["info", "--bogus"])
    assert exit_.value.code == 2
    assert "--bogus" in capsys.readouterr().err


# -- conformance ---------------------------------------------------------------------------------
def test_conformance_without_the_suite_is_a_clear_error(monkeypatch, capsys):
    real = importlib.util.find_spec
    monkeypatch.setattr(cli.importlib.util, "find_spec",
                        lambda name, *a: None if name == cli.CONFORMANCE_PACKAGE
                        else real(name, *a))
    assert cli.main(["conformance", "--backend", "numpy"]) == 2
    err = capsys.readouterr().err
    assert "polygrad_conformance" in err and "not installed" in err


def test_conformance_runs_one_backend_and_says_where_the_report_is(tmp_path):
    if importlib.util.find_spec(cli.CONFORMANCE_PACKAGE) is None:
        pytest.skip("polygrad_conformance is not installed with this polygrad")
    report = tmp_path / "report"
    done = _run("conformance", "--backend", "numpy", "--report", str(report),
                "-k", "tanh and float64", f"--rootdir={tmp_path}")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "conformance" in done.stderr                      # the progress bar
    assert "passed" in done.stdout
    written = sorted(p.name for p in report.iterdir())
    assert written and all(str(report / name) in done.stdout for name in written)


def _needs_the_suite_and_no_gpu() -> None:
    if importlib.util.find_spec(cli.CONFORMANCE_PACKAGE) is None:
        pytest.skip("polygrad_conformance is not installed with this polygrad")
    if importlib.util.find_spec("torch") is None:
        pytest.skip("torch is not installed: the backend 'cuda' is not even installed")
    try:
        pg.use_backend("cuda").__exit__(None, None, None)
    except pg.BackendUnavailable:
        return
    pytest.skip("this machine has a CUDA GPU: the backend 'cuda' is available")


def test_conformance_on_a_backend_unavailable_here_fails_saying_why(tmp_path):
    _needs_the_suite_and_no_gpu()
    done = _run("conformance", "--backend", "cuda", "--report", str(tmp_path / "report"),
                f"--rootdir={tmp_path}")
    out = done.stdout + done.stderr
    assert done.returncode != 0, out   # nothing ran: never a green run that tested nothing
    assert "nothing ran" in out and "cannot use backend 'cuda'" in out, out
    assert "CUDA is not available" in out and "--allow-unavailable" in out, out


def test_conformance_allow_unavailable_accepts_a_run_that_skips_everything(tmp_path):
    _needs_the_suite_and_no_gpu()
    done = _run("conformance", "--backend", "cuda", "--allow-unavailable", "--report",
                str(tmp_path / "report"), f"--rootdir={tmp_path}", "-rs")
    out = done.stdout + done.stderr
    assert done.returncode == 0, out
    assert "skipped" in out and "CUDA is not available" in out, out


def test_conformance_on_a_mistyped_backend_prints_the_did_you_mean_line_alone(tmp_path):
    if importlib.util.find_spec(cli.CONFORMANCE_PACKAGE) is None:
        pytest.skip("polygrad_conformance is not installed with this polygrad")
    done = _run("conformance", "--backend", "nmupy", "--report", str(tmp_path / "report"),
                f"--rootdir={tmp_path}")
    out = done.stdout + done.stderr
    assert done.returncode == 2, out
    assert "unknown backend 'nmupy'. Did you mean 'numpy'?" in out, out
    assert "no spec row" not in out and "FAILED" not in out, out   # no coverage failures
    assert len(out.strip().splitlines()) == 1, out


def test_report_dir_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("POLYGRAD_CONFORMANCE_REPORT", str(tmp_path))
    assert cli.report_dir() == tmp_path.resolve()
    monkeypatch.delenv("POLYGRAD_CONFORMANCE_REPORT")
    assert cli.report_dir() == (Path.cwd() / "build" / "polygrad-conformance").resolve()


def test_find_reports_lists_only_new_files_markdown_first(tmp_path):
    old = tmp_path / "old.md"
    old.write_text("x")
    os.utime(old, (1, 1))
    (tmp_path / "numpy_cpu.json").write_text("{}")
    (tmp_path / "numpy_cpu.md").write_text("#")
    found = cli.find_reports(tmp_path, since=100)
    assert [p.name for p in found] == ["numpy_cpu.md", "numpy_cpu.json"]
    assert cli.find_reports(tmp_path / "missing", since=0) == []


# -- bench ---------------------------------------------------------------------------------------
def test_bench_forwards_cases_and_options_to_run_py(monkeypatch, tmp_path):
    bench = tmp_path / "benchmarks"
    bench.mkdir()
    out = tmp_path / "argv.json"
    (bench / "run.py").write_text(
        "import json, sys\n"
        f"json.dump(sys.argv[1:], open({str(out)!r}, 'w'))\n")
    monkeypatch.setattr(cli, "_benchmarks_dir", lambda: bench)
    assert cli.main(["bench", "--case", "A,B", "--quick"]) == 0
    assert json.loads(out.read_text()) == ["--case", "A,B", "--quick"]


def test_bench_without_run_py_is_a_clear_error(monkeypatch, tmp_path, capsys):
    (tmp_path / "case_a_chain.py").write_text("")
    monkeypatch.setattr(cli, "_benchmarks_dir", lambda: tmp_path)
    assert cli.main(["bench"]) == 2
    err = capsys.readouterr().err
    assert "run.py was not found" in err and "case_a_chain.py" in err


def test_bench_finds_the_checkout_s_benchmarks():
    if not (ROOT / "benchmarks" / "run.py").is_file():
        pytest.skip("this checkout has no benchmarks/run.py")
    assert cli._benchmarks_dir() == ROOT / "benchmarks"
