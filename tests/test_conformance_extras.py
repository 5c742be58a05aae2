"""Plugins' conformance extras (entry-point group ``polygrad.conformance``): the example marray
plugin's known failures found without an environment variable, its masked inputs checked
against the oracle (values, masks and derivatives), known-failure globs that also match passing
cases warned about, reports named after the backend, and the light author path
(``polygrad conformance --install``).

The marray plugin (``examples/plugins/polygrad-marray``) is installed for real in a temporary
folder (``*.dist-info`` with its entry points on ``PYTHONPATH``), as in
test_conformance_suite.py. The tests marked slow in their name install packages from the index:
they run with ``POLYGRAD_SLOW_TESTS=1`` (CI's ``plugin`` leg, .ci/run) and skip otherwise.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy
import pytest

pytest.importorskip("polygrad_conformance", reason="the conformance suite is not installed")
from polygrad_conformance import InputStrategy  # noqa: E402
from polygrad_conformance._extras import load_extras  # noqa: E402
from polygrad_conformance._known import Entry, KnownFailures  # noqa: E402
from polygrad_conformance._results import CaseResult  # noqa: E402

ROOT = Path(__file__).parents[1]
PLUGIN = ROOT / "examples" / "plugins" / "polygrad-marray"
SLOW = os.environ.get("POLYGRAD_SLOW_TESTS", "").strip() not in ("", "0")
needs_marray = pytest.mark.skipif(
    __import__("importlib.util").util.find_spec("marray") is None,
    reason="marray is not installed (pip install marray): the example plugin needs it")


def _install_plugin(site: Path) -> None:
    shutil.copytree(PLUGIN / "polygrad_marray", site / "polygrad_marray")
    info = site / "polygrad_marray-0.1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: polygrad-marray\n"
                                   "Version: 0.1.0\n")
    (info / "entry_points.txt").write_text(
        "[polygrad.backends]\nmarray = polygrad_marray:MarrayBackend\n\n"
        "[polygrad.conformance]\nmarray = polygrad_marray:conformance_extras\n")
    (info / "RECORD").write_text("")


def _environ(site: Path, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("POLYGRAD_")}
    env["PYTHONPATH"] = os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")])
    env.update(extra)
    return env


@pytest.fixture
def marray_site(tmp_path, monkeypatch):
    site = tmp_path / "site"
    site.mkdir()
    _install_plugin(site)
    return site


@needs_marray
def test_the_suite_finds_the_plugins_known_failures_and_runs_masked_inputs(marray_site, tmp_path):
    report = tmp_path / "report"
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "--pyargs", "polygrad_conformance", "-q",
         "-p", "no:cacheprovider", "-k", "sin or isin or where"],
        capture_output=True, text=True, cwd=tmp_path, timeout=600,
        env=_environ(marray_site, POLYGRAD_TEST_BACKEND="marray",
                     POLYGRAD_CONFORMANCE_REPORT=str(report)))
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-3000:]
    dense = re.search(r"dense inputs: (\d+) passed, 0 failed, (\d+) xfailed", out)
    masked = re.search(r"masked inputs: (\d+) passed, 0 failed, (\d+) xfailed", out)
    assert dense and masked, out[-2000:]
    # isin: excused by the plugin's own file, found through its entry point alone
    assert int(dense.group(2)) >= 2 and int(masked.group(1)) > 10
    # where on masked inputs: marray masks the selected branch only, a known difference
    assert int(masked.group(2)) >= 1
    assert sorted(p.name for p in report.iterdir()) == ["marray.json", "marray.md"]


_ORACLE_SCRIPT = """
import json, polygrad as pg, polygrad_marray
from polygrad_conformance import InputStrategy
from polygrad_conformance._session import all_specs
from polygrad_conformance._strategies import run_strategy_case

strategy = polygrad_marray.conformance_extras()["strategies"][0]
made = set()

def make(host, rng):   # a library that drops the inputs' masks from its outputs
    out = polygrad_marray.masked(host, rng)
    made.add(id(out))
    return out

def unpack(native):
    values, mask = polygrad_marray.unmask(native)
    return values, mask if id(native) in made else None

lossy = InputStrategy("lossy", make=make, unpack=unpack)
spec = all_specs()["multiply"]
case = next(c for c in spec.cases if c.id == "2x3,3")
out = {}
with pg.use_backend("marray") as backend:
    for s in (strategy, lossy):
        r = run_strategy_case(spec, case, "float64", backend, s)
        out[s.name] = [r.case, [[c.check, c.ok, c.message] for c in r.checks]]
print(json.dumps(out))
"""


@needs_marray
def test_a_masked_input_and_its_derivatives_are_checked_against_the_oracle(marray_site,
                                                                           tmp_path):
    import json

    proc = subprocess.run([sys.executable, "-c", _ORACLE_SCRIPT], capture_output=True,
                          text=True, cwd=tmp_path, env=_environ(marray_site), timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    case, checks = got["masked"]
    assert case == "2x3,3@masked"
    assert {c for c, ok, _ in checks} >= {"value", "vjp-oracle", "jvp-oracle"}, checks
    assert all(ok for _, ok, _ in checks), checks
    _, checks = got["lossy"]
    assert any(c == "mask" and not ok and "where the oracle carries" in m
               for c, ok, m in checks), checks


def test_a_known_failure_glob_that_also_matches_passing_cases_lists_them():
    entry = Entry(spec="linalg*", reason="no linalg", source="plugin.toml")
    known = KnownFailures([entry], [], [])
    failing = CaseResult("linalg_inv", "3x3", "float64", "x:cpu")
    failing.fail("value", "no linalg")
    passing = CaseResult("linalg.cross", "3,3", "float64", "x:cpu")
    passing.add("value", 0.0, 1e-12)
    for result in (failing, passing):
        known.split(result)
    assert known.too_wide() == [entry]
    assert entry.passing == ["linalg.cross|3,3|float64"]
    assert entry.as_dict()["passing"] == ["linalg.cross|3,3|float64"]


def test_extras_entry_points_are_checked(tmp_path):
    class EP:
        name, value = "toy", "toy:extras"

        def __init__(self, obj):
            self.obj = obj

        def load(self):
            return self.obj

    assert load_extras("other", [EP({})]).strategies == []
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_extras("toy", [EP({"known_failures": tmp_path / "missing.toml"})])
    with pytest.raises(ValueError, match="unknown keys"):
        load_extras("toy", [EP({"knownfailures": "x"})])
    with pytest.raises(TypeError, match="InputStrategy"):
        load_extras("toy", [EP({"strategies": [object()]})])
    (tmp_path / "k.toml").write_text("")
    got = load_extras("toy", [EP(lambda: {"known_failures": str(tmp_path / "k.toml")})])
    assert got.known_failures == [tmp_path / "k.toml"]
    with pytest.raises(ValueError, match="'filled' or a callable"):
        InputStrategy("bad", make=numpy.asarray, unpack=numpy.asarray, oracle="dense")


def test_install_needs_a_backend_and_builds_outside_the_source_tree(monkeypatch, tmp_path,
                                                                     capsys):
    from polygrad import _author_run
    from polygrad.cli import main

    assert main(["conformance", "--install", str(PLUGIN)]) == 2
    assert "--install needs --backend" in capsys.readouterr().err
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    folder = _author_run.default_build_dir(str(PLUGIN), "marray")
    assert folder.parent == tmp_path / "cache" / "polygrad" / "conformance"
    assert folder.name.startswith("marray-") and ROOT not in folder.parents


def _snippet() -> str:
    text = (ROOT / "docs" / "backend-authors.md").read_text()
    found = re.search(r"<!-- plugin-noxfile -->\s*```python\n(.*?)```", text, re.S)
    assert found, "docs/backend-authors.md: the plugin-side noxfile snippet is missing"
    return found.group(1)


def test_the_documented_plugin_noxfile_is_valid_python():
    compile(_snippet(), "noxfile.py", "exec")


@pytest.mark.skipif(not SLOW, reason="installs polygrad and marray from the index into a nox "
                                     "environment: set POLYGRAD_SLOW_TESTS=1 (CI's plugin leg)")
@pytest.mark.skipif(shutil.which("nox") is None and
                    __import__("importlib.util").util.find_spec("nox") is None,
                    reason="nox is not installed")
def test_slow_the_documented_plugin_noxfile_runs_the_suite_on_marray(tmp_path):
    plugin = shutil.copytree(PLUGIN, tmp_path / "polygrad-marray",
                             ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    polygrad = shutil.copytree(ROOT, tmp_path / "polygrad", ignore=shutil.ignore_patterns(
        ".git", ".nox", "build", "dist", "*.egg-info", "__pycache__", ".venv"))
    (plugin / "noxfile.py").write_text(_snippet())
    env = {k: v for k, v in os.environ.items() if not k.startswith("POLYGRAD_")}
    env["POLYGRAD"] = str(polygrad)
    proc = subprocess.run([sys.executable, "-m", "nox", "-s", "conformance", "--", "-k",
                           "sin or isin"], cwd=plugin, env=env, capture_output=True, text=True,
                          timeout=900)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-4000:]
    assert re.search(r"masked inputs: \d+ passed, 0 failed", out), out[-3000:]
    assert re.search(r"dense inputs: \d+ passed, 0 failed, [1-9]\d* xfailed", out), out[-3000:]
    listed = subprocess.run([str(next((plugin / ".nox").glob("conformance*")) / "bin" / "python"),
                             "-m", "pip", "list"], capture_output=True, text=True).stdout
    assert "torch" not in listed and "jax" not in listed, listed
