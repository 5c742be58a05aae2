"""The four autograd-style programs in examples/ (Gaussian process with SciPy's optimizer,
Gaussian mixture with adam, black-box VI with norm and multivariate_normal, neural ODE with
odeint): each runs on numpy, torch and jax, and in float64 the backends agree to 1e-6 relative
(the numpy run is the oracle for the others)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

import polygrad as pg

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
PROGRAMS = {   # script: arguments that keep the test short (the full runs are in nox -s examples)
    "gaussian_process": [],
    "gaussian_mixture": ["--iters", "60"],
    "black_box_vi": ["--iters", "60"],
    "neural_ode": ["--iters", "2"],
}


_NUMPY: dict[str, float] = {}   # the oracle runs, once per program


def _run(name: str, backend: str) -> float:
    spec = importlib.util.spec_from_file_location(f"_program_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    before = pg.get_backend()
    try:
        return module.main(["--backend", backend, *PROGRAMS[name]])
    finally:   # the programs set the process-wide backend and default dtype: put them back
        pg.set_backend(before)
        pg.set_default_dtype(None)


@pytest.mark.parametrize("name", sorted(PROGRAMS))
@pytest.mark.parametrize("backend", ["torch", "jax"])
def test_the_program_gives_numpys_objective_on_another_backend(name, backend, capsys):
    pytest.importorskip("scipy", reason="the programs use SciPy")
    try:
        with pg.use_backend(backend):
            pass
    except pg.BackendUnavailable as exc:
        pytest.skip(f"backend {backend} not installed/available: {exc}")
    if name not in _NUMPY:
        _NUMPY[name] = _run(name, "numpy")
    expected = _NUMPY[name]
    got = _run(name, backend)
    assert got == pytest.approx(expected, rel=1e-6)
    assert "final objective" in capsys.readouterr().out
