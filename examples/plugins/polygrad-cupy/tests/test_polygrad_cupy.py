"""Tests of the CuPy plugin: the first part runs anywhere, the rest needs CuPy and a GPU."""

from __future__ import annotations

import subprocess
import sys
from importlib.util import find_spec
from pathlib import Path

import numpy
import pytest

import polygrad as pg
import polygrad.numpy as np
from polygrad_cupy import CupyBackend

HAS_CUPY = find_spec("cupy") is not None


# -- anywhere ------------------------------------------------------------------------------------
def test_importing_the_plugin_does_not_import_cupy():
    code = "import sys, polygrad_cupy; print('cupy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=str(Path(__file__).parents[1]))
    assert out.stdout.strip() == "False", out.stderr


def test_device_specs_are_canonical():
    assert CupyBackend().device == CupyBackend("cuda").device == "cuda:0"
    assert CupyBackend("1").device == CupyBackend("cuda:1").device == "cuda:1"
    assert CupyBackend("1").spec == "cupy:cuda:1"


def test_capabilities_are_declared_without_importing_cupy():
    b = CupyBackend()
    assert (str(b.default_float_dtype), b.supports_float64, b.supports_complex) == \
        ("float32", True, True)


def test_the_plugin_supplies_every_required_hook():
    assert CupyBackend.missing_hooks() == []
    overridden = {h for h in pg.extend.Backend.hooks if h in vars(CupyBackend)}
    assert {"name", "load", "spec_for_native", "to_numpy", "kernel"} <= overridden


@pytest.mark.skipif(HAS_CUPY, reason="cupy is installed here: the missing-package path cannot run")
def test_without_cupy_the_probe_says_it_is_not_installed():
    ok, why = CupyBackend().probe()
    assert not ok and "'cupy' is not installed" in why


# -- with CuPy and a GPU -------------------------------------------------------------------------
def _gpu_backend():
    if not HAS_CUPY:
        pytest.skip("cupy is not installed")
    backend = CupyBackend()
    ok, why = backend.probe()
    if not ok:
        pytest.skip(f"no usable GPU for CuPy: {why}")
    return backend


@pytest.fixture
def cupy_backend():
    backend = _gpu_backend()
    with pg.use_backend(backend):
        yield backend


def test_grad_on_the_gpu_matches_numpy(cupy_backend):
    import cupy

    v = numpy.linspace(-2, 2, 7)
    g = pg.grad(lambda x: np.sum(np.tanh(x) ** 2))(np.asarray(v, dtype="float64"))
    assert isinstance(g.native, cupy.ndarray) and g.dtype == np.float64
    numpy.testing.assert_allclose(g.asnumpy(), 2 * numpy.tanh(v) / numpy.cosh(v) ** 2, rtol=1e-12)


def test_repeated_indices_accumulate_in_the_gradient(cupy_backend):
    x = np.asarray([1.0, 2.0, 3.0])
    g = pg.grad(lambda x: np.sum(x[np.asarray([0, 0, 2, 0])]))(x)
    assert g.tolist() == [3.0, 0.0, 1.0]


def test_asarray_wraps_a_cupy_array_without_copy(cupy_backend):
    import cupy

    if "cupy" not in {r["name"] for r in pg.backends() if r["status"] == "available"}:
        pytest.skip("polygrad-cupy is not installed, so no entry point tells pg.asarray who "
                    "owns CuPy arrays (pip install -e examples/plugins/polygrad-cupy)")

    c = cupy.arange(3.0)
    with pg.use_backend("numpy"):
        a = pg.asarray(c)
    assert a.backend == "cupy" and a.native is c


def test_to_backend_copies_to_numpy(cupy_backend):
    x = np.arange(4.0)
    y = x.to_backend("numpy")
    assert y.backend == "numpy" and y.tolist() == [0.0, 1.0, 2.0, 3.0]


def test_seeded_random_numbers_repeat(cupy_backend):
    np.random.seed(3)
    a = np.random.randn(5).tolist()
    np.random.seed(3)
    assert np.random.randn(5).tolist() == a
