"""Backends as entry-point plugins: discovery, the failure policy and the plugin switches.

The plugins (sources in ``tests/plugins/``) are installed for real: each test writes a
``*.dist-info`` with ``entry_points.txt`` into a temporary folder and puts that folder on
``sys.path`` (in this process, clearing polygrad's discovery cache, or in a subprocess).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy
import pytest

import polygrad as pg
import polygrad.numpy as np
from polygrad import _backend, _convert

PLUGINS = Path(__file__).parent / "plugins"
CUPY_EXAMPLE = Path(__file__).parents[1] / "examples" / "plugins" / "polygrad-cupy"

#: distribution -> (module source, entry point lines)
DISTRIBUTIONS = {
    "polygrad-toy": (PLUGINS / "polygrad_toy.py", ["toy = polygrad_toy:ToyBackend"]),
    "polygrad-broken": (PLUGINS / "polygrad_broken.py", ["broken = polygrad_broken:Broken"]),
    "polygrad-impostor": (PLUGINS / "polygrad_impostor.py",
                          ["numpy = polygrad_impostor:ImpostorBackend"]),
    "polygrad-missing": (PLUGINS / "polygrad_missing.py",
                         ["missing = polygrad_missing:MissingBackend"]),
}
PLUGIN_MODULES = ("polygrad_toy", "polygrad_broken", "polygrad_impostor", "polygrad_missing",
                  "polygrad_cupy")


def install(site: Path, name: str, source: Path, entry_points: list[str],
            version: str = "1.0") -> None:
    """Install a one-module distribution into ``site`` the way pip lays it out."""
    shutil.copy(source, site / source.name)
    info = site / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    (info / "entry_points.txt").write_text("[polygrad.backends]\n" + "\n".join(entry_points)
                                           + "\n")
    (info / "RECORD").write_text("")


@pytest.fixture
def site(tmp_path):
    """A folder with every test plugin installed (not yet on ``sys.path``)."""
    for name, (source, eps) in DISTRIBUTIONS.items():
        install(tmp_path, name, source, eps)
    return tmp_path


def _forget_plugins() -> None:
    _backend._entry_points = None
    _convert._owner_cache.clear()
    for spec in [s for s, b in _backend._instances.items() if b.name in ("toy", "missing")]:
        del _backend._instances[spec]
    for mod in PLUGIN_MODULES:
        sys.modules.pop(mod, None)


@pytest.fixture
def plugins(site, monkeypatch):
    """The test plugins discoverable in this process; everything is undone afterwards."""
    monkeypatch.delenv("POLYGRAD_PLUGINS", raising=False)
    monkeypatch.delenv("POLYGRAD_DISABLE_PLUGINS", raising=False)
    monkeypatch.syspath_prepend(str(site))
    _forget_plugins()
    yield site
    monkeypatch.undo()
    _forget_plugins()


def rows_by_name(load: bool = False) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for row in pg.backends(load=load):
        out.setdefault(row["name"], []).append(row)
    return out


def run_python(code: str, site: Path, **env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items()
               if k not in ("POLYGRAD_PLUGINS", "POLYGRAD_DISABLE_PLUGINS", "POLYGRAD_BACKEND")}
    environ["PYTHONPATH"] = os.pathsep.join([str(site), environ.get("PYTHONPATH", "")])
    environ.update(env)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=environ, timeout=120)


# -- a working plugin ----------------------------------------------------------------------------
def test_a_working_plugin_is_listed_with_its_distribution_and_version(plugins):
    (toy,) = rows_by_name()["toy"]
    assert (toy["distribution"], toy["version"], toy["status"]) == ("polygrad-toy", "1.0",
                                                                    "available")
    assert toy["builtin"] is False
    assert (toy["default_float_dtype"], toy["float64"], toy["complex"]) == ("float32", True, True)


def test_a_working_plugin_can_be_selected_and_differentiated_on(plugins):
    with pg.use_backend("toy") as backend:
        assert backend.name == "toy"
        x = np.asarray([0.5, -1.0])
        assert (x.backend, x.dtype) == ("toy", np.float32)
        g = pg.grad(lambda x: np.sum(np.sin(x) * x))(x)
    assert (g.backend, g.dtype) == ("toy", np.float32)
    v = numpy.array([0.5, -1.0])
    numpy.testing.assert_allclose(g.asnumpy(), numpy.cos(v) * v + numpy.sin(v), rtol=1e-6)


def test_a_plugin_array_and_a_builtin_array_do_not_mix(plugins):
    with pg.use_backend("toy"):
        t = np.ones(2)
    with pg.use_backend("numpy"):
        n = np.ones(2)
    with pytest.raises(pg.MixedBackendError, match=r"numpy:cpu.*toy:cpu|toy:cpu.*numpy:cpu"):
        t + n


# -- the failure policy --------------------------------------------------------------------------
def test_a_broken_plugin_is_listed_as_broken_with_the_reason(plugins):
    (broken,) = rows_by_name()["broken"]
    assert broken["status"] == "broken"
    assert "RuntimeError" in broken["reason"] and "on purpose" in broken["reason"]


def test_selecting_a_broken_plugin_says_why_and_lists_what_is_available(plugins):
    with pytest.raises(pg.BackendUnavailable) as info:
        pg.set_backend("broken")
    message = str(info.value)
    assert "failed to load" in message and "on purpose" in message
    available = message.rpartition("Available backends:")[2]
    assert "numpy" in available and "toy" in available and "broken" not in available


def test_a_broken_plugin_does_not_break_other_backends(plugins):
    with pytest.raises(pg.BackendUnavailable):
        pg.set_backend("broken")
    with pg.use_backend("toy"):
        assert float(np.sum(np.ones(3))) == 3.0
    with pg.use_backend("numpy"):
        assert float(pg.grad(lambda x: x * x)(3.0)) == 6.0


def test_a_plugin_claiming_a_builtin_name_is_rejected_and_never_imported(plugins):
    rows = rows_by_name()["numpy"]
    builtin = [r for r in rows if r["builtin"]]
    impostor = [r for r in rows if not r["builtin"]]
    assert len(builtin) == 1 and builtin[0]["status"] == "available"
    assert impostor[0]["status"] == "rejected"
    assert impostor[0]["distribution"] == "polygrad-impostor"
    assert "claims the built-in name 'numpy'" in impostor[0]["reason"]
    with pg.use_backend("numpy") as backend:
        assert type(backend).__module__ == "polygrad_backends.numpy_backend"
        np.asarray(numpy.ones(2))
    assert "polygrad_impostor" not in sys.modules


def test_an_unavailable_plugin_is_listed_and_selecting_it_says_why(plugins):
    (missing,) = rows_by_name()["missing"]
    assert missing["status"] == "unavailable"
    assert "polygrad_test_no_such_array_library" in missing["reason"]
    with pytest.raises(pg.BackendUnavailable, match="is not installed"):
        pg.set_backend("missing")


def test_an_unknown_backend_name_suggests_a_close_one(plugins):
    with pytest.raises(pg.BackendUnavailable, match="Did you mean 'toy'"):
        pg.set_backend("tox")


# -- the switches --------------------------------------------------------------------------------
def test_the_allow_list_keeps_only_the_named_plugins(plugins, monkeypatch):
    monkeypatch.setenv("POLYGRAD_PLUGINS", "toy")
    _forget_plugins()
    rows = rows_by_name()
    assert rows["toy"][0]["status"] == "available"
    assert rows["broken"][0]["status"] == "disabled"
    assert "POLYGRAD_PLUGINS" in rows["broken"][0]["reason"]
    assert rows["numpy"][0]["status"] == "available"   # built-ins are never filtered
    with pytest.raises(pg.BackendUnavailable, match="not in POLYGRAD_PLUGINS"):
        pg.set_backend("missing")


def test_the_allow_list_none_keeps_only_the_builtin_backends(plugins, monkeypatch):
    monkeypatch.setenv("POLYGRAD_PLUGINS", "none")
    _forget_plugins()
    rows = pg.backends()
    assert {(r["name"], r["status"]) for r in rows if not r["builtin"]} == {
        ("toy", "disabled"), ("broken", "disabled"), ("missing", "disabled"),
        ("numpy", "rejected")}
    assert {r["name"] for r in rows if r["builtin"]} >= {"numpy", "torch", "jax", "strict"}


def test_the_deny_list_disables_a_plugin(plugins, monkeypatch):
    monkeypatch.setenv("POLYGRAD_DISABLE_PLUGINS", "toy, broken")
    _forget_plugins()
    rows = rows_by_name()
    assert rows["toy"][0]["status"] == rows["broken"][0]["status"] == "disabled"
    assert rows["missing"][0]["status"] == "unavailable"
    with pytest.raises(pg.BackendUnavailable, match="POLYGRAD_DISABLE_PLUGINS"):
        pg.set_backend("toy")


# -- in a fresh interpreter ----------------------------------------------------------------------
def test_importing_polygrad_runs_no_plugin_code(site):
    out = run_python(
        "import sys, polygrad as pg, polygrad.numpy as np\n"
        "float(pg.grad(lambda x: np.sum(x * x))(np.ones(3))[0])\n"
        "print(sorted(m for m in sys.modules if m.startswith('polygrad_') and "
        "m != 'polygrad_backends' and not m.startswith('polygrad_backends.')))\n", site)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]", out.stdout


def test_the_command_line_lists_every_plugin_with_its_status(site):
    out = run_python("import runpy; runpy.run_module('polygrad.backends', run_name='__main__')",
                     site)
    assert out.returncode == 0, out.stderr
    lines = {line.split()[0]: line for line in out.stdout.splitlines()[1:] if line.strip()}
    assert "available" in lines["toy"] and "polygrad-toy" in lines["toy"]
    assert " broken " in lines["broken"]
    assert "unavailable" in lines["missing"]
    numpy_lines = [ln for ln in out.stdout.splitlines() if ln.startswith("numpy ")]
    assert any("rejected" in ln and "polygrad-impostor" in ln for ln in numpy_lines)


def test_the_command_line_json_output_survives_a_broken_plugin(site):
    out = run_python("from polygrad.backends import main; main(['--json'])", site)
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert {r["name"]: r["status"] for r in rows if not r["builtin"] and r["name"] != "numpy"} \
        == {"toy": "available", "broken": "broken", "missing": "unavailable"}


def test_the_default_backend_can_be_a_plugin(site):
    out = run_python("import polygrad.numpy as np; print(np.ones(2).backend)", site,
                     POLYGRAD_BACKEND="toy")
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "toy"


def test_a_broken_default_backend_fails_on_first_use_not_on_import(site):
    out = run_python("import polygrad as pg\nprint('imported')\n"
                     "try:\n    pg.get_backend()\nexcept pg.BackendUnavailable as e:\n"
                     "    print('unavailable:', e)\n", site, POLYGRAD_BACKEND="broken")
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("imported") and "on purpose" in out.stdout


# -- the CuPy example plugin ---------------------------------------------------------------------
def test_the_cupy_example_plugin_is_discovered_from_its_entry_point(site):
    install(site, "polygrad-cupy", CUPY_EXAMPLE / "polygrad_cupy.py",
            ["cupy = polygrad_cupy:CupyBackend"], version="0.1.0")
    out = run_python("import json, sys, polygrad as pg\n"
                     "rows = [r for r in pg.backends() if r['name'] == 'cupy']\n"
                     "print(json.dumps(rows)); print('cupy' in sys.modules)", site)
    assert out.returncode == 0, out.stderr
    rows_json, imported = out.stdout.splitlines()
    (row,) = json.loads(rows_json)
    assert (row["distribution"], row["version"]) == ("polygrad-cupy", "0.1.0")
    assert row["status"] in ("available", "unavailable")
    if row["status"] == "unavailable":
        assert "cupy" in row["reason"] or "CUDA" in row["reason"]
    from importlib.util import find_spec

    if find_spec("cupy") is None:
        assert "is not installed" in row["reason"]
        assert imported == "False"


def test_a_plugin_whose_load_raises_is_refused_when_selected_not_at_first_use(plugins):
    install(plugins, "polygrad-loadfails", PLUGINS / "polygrad_loadfails.py",
            ["loadfails = polygrad_loadfails:LoadFailsBackend"])
    _backend._entry_points = None
    before = pg.get_backend()
    try:
        for select in (pg.set_backend, lambda spec: pg.use_backend(spec).__enter__()):
            with pytest.raises(pg.BackendUnavailable) as info:
                select("loadfails")
            message = str(info.value)
            assert "'loadfails'" in message and "load()" in message
            assert "ImportError" in message and "on purpose" in message
            assert "Available backends:" in message
        assert pg.get_backend() is before
    finally:
        pg.set_backend(before)
        sys.modules.pop("polygrad_loadfails", None)
        for spec in [s for s, b in _backend._instances.items() if b.name == "loadfails"]:
            del _backend._instances[spec]
