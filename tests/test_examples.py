"""Smoke tests of every example script, on NumPy and on the torch and JAX backends where installed,
and of the README's ten-line example.

Each example's ``main(argv)`` runs in-process with ``--backend NAME`` (smaller settings off NumPy,
where eager dispatch is slower); the process-wide backend is restored afterwards. One test runs a
script as a subprocess, as a user would. The oracles are the examples' own closed-form checks and
their printed accuracy; the full-size NumPy runs assert the figures the README quotes.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

import polygrad as pg

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
BACKENDS = ("numpy", "torch", "jax")


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"_example_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def restore_backend():
    """Examples call ``pg.set_backend``: put the process-wide backend back afterwards."""
    before = pg.get_backend()
    yield
    pg.set_backend(before)


def _available(backend: str) -> str:
    """'' if ``backend`` can be used here, else why not."""
    try:
        with pg.use_backend(backend):
            return ""
    except pg.BackendUnavailable as exc:
        return str(exc)


def _needs(backend: str) -> None:
    why = _available(backend)
    if why:
        pytest.skip(f"backend {backend} not installed/available: {why}")


def _needs_module(name: str) -> None:
    pytest.importorskip(name, reason=f"the example needs {name} (the 'examples' extra)")


@pytest.fixture(params=BACKENDS)
def backend(request, restore_backend):
    _needs(request.param)
    return request.param


def test_every_example_has_a_smoke_test():
    tested = {"train_mlp", "minpy_autograd_tutorial", "mxnet_autograd_tutorial",
              "tanh_derivatives", "newton_hvp", "tape_training", "dask_out_of_core",
              "numpy_unchanged", "per_example_gradients",
              # tested in tests/test_graph.py
              "print_graph",
              # tested in tests/test_autograd_programs.py
              "gaussian_process", "gaussian_mixture", "black_box_vi", "neural_ode"}
    assert {p.stem for p in EXAMPLES.glob("*.py")} == tested


def test_train_mlp_reaches_95_percent_on_numpy_within_a_minute(restore_backend):
    _needs_module("sklearn")
    start = time.perf_counter()
    accuracy = _load("train_mlp").main(["--backend", "numpy"])
    assert accuracy >= 0.95
    assert time.perf_counter() - start < 60


def test_train_mlp_runs_on_each_backend(backend, capsys):
    _needs_module("sklearn")
    # three large minibatches: few distinct shapes, so JAX's eager mode compiles little
    accuracy = _load("train_mlp").main(["--backend", backend, "--epochs", "1",
                                        "--batch-size", "512"])
    assert 0.0 <= accuracy <= 1.0
    assert f"on backend {backend}:" in capsys.readouterr().out


def test_per_example_gradients_dp_sgd(backend):
    _needs_module("sklearn")
    steps = ["--steps", "300"] if backend == "numpy" else ["--steps", "20"]
    accuracy, worst = _load("per_example_gradients").main(["--backend", backend, *steps])
    assert worst < (1e-12 if pg.get_default_dtype() == pg.numpy.float64 else 1e-5)
    assert accuracy >= (0.9 if backend == "numpy" else 0.0)


def test_tanh_derivatives_match_closed_forms_and_draw_a_png(backend, tmp_path):
    _needs_module("matplotlib")
    out = tmp_path / "tanh.png"
    worst = _load("tanh_derivatives").main(["--backend", backend, "--out", str(out)])
    assert worst < (1e-12 if pg.get_default_dtype() == pg.numpy.float64 else 1e-5)
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and out.stat().st_size > 10_000


def test_committed_tanh_figure_exists():
    png = ROOT / "docs" / "images" / "tanh_derivatives.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_newton_hvp_matches_scikit_learn_on_numpy(restore_backend):
    _needs_module("sklearn")
    accuracy, distance = _load("newton_hvp").main(["--backend", "numpy"])
    assert accuracy >= 0.95
    assert distance < 1e-4


def test_newton_hvp_runs_on_each_backend(backend):
    _needs_module("sklearn")
    accuracy, _ = _load("newton_hvp").main(["--backend", backend, "--steps", "2"])
    assert accuracy >= 0.9


def test_numpy_unchanged_gradient_matches_finite_differences(backend):
    error = _load("numpy_unchanged").main(["--backend", backend, "--steps", "20"])
    assert error < (1e-6 if pg.get_default_dtype() == pg.numpy.float64 else 5e-2)


def test_tape_training_separates_the_moons_on_numpy(restore_backend):
    _needs_module("sklearn")
    assert _load("tape_training").main(["--backend", "numpy"]) >= 0.9


def test_tape_training_with_accumulated_gradients(restore_backend):
    _needs_module("sklearn")
    assert _load("tape_training").main(["--backend", "numpy", "--accumulate", "2"]) >= 0.9


def test_tape_training_runs_on_each_backend(backend):
    _needs_module("sklearn")
    accuracy = _load("tape_training").main(["--backend", backend, "--epochs", "2",
                                            "--batch-size", "250"])
    assert 0.5 < accuracy <= 1.0


def test_dask_out_of_core_runs_small_on_a_local_cluster(restore_backend, capsys):
    _needs("dask")
    _needs_module("distributed")
    _needs_module("tqdm")
    out = _load("dask_out_of_core").main(["--gib", "0.05", "--steps", "2", "--features", "10",
                                          "--chunk-mib", "8"])
    assert out["error"] < 1e-10 and out["losses"][1] < out["losses"][0]
    assert out["peak"] < out["limit"] and not out["restarted"]
    assert "peak worker memory" in capsys.readouterr().out


def test_minpy_tutorial_runs_on_each_backend(backend, capsys):
    _load("minpy_autograd_tutorial").main(["--backend", backend])
    assert "d_foo(4) = 8.0" in capsys.readouterr().out


def test_mxnet_tutorial_runs_on_each_backend(backend, capsys):
    _load("mxnet_autograd_tutorial").main(["--backend", backend])
    assert "x.grad (dy/dx = 4x)" in capsys.readouterr().out


@pytest.mark.parametrize("name", sorted(p.stem for p in EXAMPLES.glob("*.py")))
def test_every_example_takes_backend(name, capsys):
    with pytest.raises(SystemExit) as done:
        _load(name).main(["--help"])
    assert done.value.code == 0 and "--backend" in capsys.readouterr().out


def test_dask_out_of_core_runs_the_same_program_in_memory_on_another_backend(restore_backend,
                                                                             capsys):
    _needs("dask")
    _needs_module("distributed")
    _needs_module("tqdm")
    out = _load("dask_out_of_core").main(["--backend", "numpy", "--gib", "0.01", "--steps", "2",
                                          "--features", "10", "--chunk-mib", "2", "--workers",
                                          "1"])
    assert pg.get_backend().name == "numpy"
    assert out["error"] < 1e-10 and out["losses"][1] < out["losses"][0]
    assert "held whole on numpy" in capsys.readouterr().out


def _git_status() -> str | None:
    """``git status --porcelain`` of the checkout, or None where this is no git checkout."""
    try:
        done = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"],
                              cwd=ROOT, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def test_an_example_run_as_the_readme_says_leaves_the_source_tree_alone(tmp_path):
    _needs_module("matplotlib")
    before = _git_status()
    if before is None:
        pytest.skip("not a git checkout (or no git): nothing to compare")
    committed = ROOT / "docs" / "images" / "tanh_derivatives.png"
    stamp = committed.stat().st_mtime_ns   # (git sees no change when the same bytes are written)
    env = {**os.environ, "TMPDIR": str(tmp_path)}   # the default output folder, for this test
    done = subprocess.run([sys.executable, str(EXAMPLES / "tanh_derivatives.py"),
                           "--backend", "numpy"], capture_output=True, text=True, timeout=300,
                          cwd=ROOT, env=env)
    assert done.returncode == 0, done.stderr
    figure = tmp_path / "polygrad-examples" / "tanh_derivatives.png"
    assert f"figure written to {figure}" in done.stdout and figure.exists()
    assert _git_status() == before and committed.stat().st_mtime_ns == stamp


def test_benchmarks_write_outside_the_source_tree_unless_told(tmp_path):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        spec = importlib.util.spec_from_file_location("_bench_run", ROOT / "benchmarks" / "run.py")
        run = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(run)
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    default = Path(run.parse([]).results).resolve()
    assert ROOT not in default.parents, default
    assert run.parse(["--out", str(tmp_path)]).results == str(tmp_path)
    assert Path(run.parse(["--readme"]).results) == ROOT / "benchmarks" / "results"
    with pytest.raises(SystemExit, match="record the run with --out benchmarks/results"):
        run.main(["--readme", "--out", str(tmp_path)])


def test_an_example_runs_as_a_script(tmp_path):
    _needs_module("matplotlib")
    out = tmp_path / "t.png"
    done = subprocess.run([sys.executable, str(EXAMPLES / "tanh_derivatives.py"),
                           "--backend", "numpy", "--output", str(out)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "order 4: max |autodiff - closed form|" in done.stdout and out.exists()


def _readme_example() -> str:
    text = (ROOT / "README.md").read_text()
    block = re.search(r"## Ten lines.*?```python\n(.*?)```", text, re.S)
    assert block, "README.md has no '## Ten lines' section with a python block"
    return block.group(1)


def test_readme_ten_line_example_runs(restore_backend, capsys):
    code = _readme_example()
    assert len(code.strip().splitlines()) <= 12
    if _available("cuda"):
        _needs("torch")              # no GPU here: the same lines on torch's CPU device
        code = code.replace('"cuda"', '"torch"')
    exec(compile(code, "README.md", "exec"), {})
    assert capsys.readouterr().out.strip()
