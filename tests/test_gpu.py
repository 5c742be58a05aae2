"""The accelerator backends, ``torch:cuda`` (``cuda``) and ``jax:gpu``, on a machine with a GPU.

Each test runs once per accelerator and skips, saying why, where it cannot be used (no GPU, a
CPU-only build, the library not installed): on a machine without a GPU every test here skips.
``scripts/gpu_check.sh`` runs this file on a GPU machine (see docs/gpu.md); the last tests run
that script here and check that, without a GPU, it says so and fails. The oracle is the same
program on the NumPy backend, in the same dtype.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import numpy
import pytest

import polygrad as pg
import polygrad.numpy as np

ACCELERATORS = ("cuda", "jax:gpu")
TOL = {"float32": dict(rtol=2e-5, atol=1e-6), "float64": dict(rtol=1e-12, atol=1e-12)}


@pytest.fixture(params=ACCELERATORS)
def gpu(request):
    """Each accelerator current in turn (context-local), or a skip that says why not."""
    try:
        context = pg.use_backend(request.param)
        backend = context.__enter__()
    except pg.BackendUnavailable as exc:
        pytest.skip(f"{request.param} cannot be used here: {exc}")
    try:
        yield backend
    finally:
        context.__exit__(None, None, None)


def _loss(w, x, labels):
    h = np.tanh(x @ w)
    logits = h - np.max(h, axis=1, keepdims=True)
    logp = logits - np.log(np.sum(np.exp(logits), axis=1, keepdims=True))
    return -np.mean(logp[np.arange(labels.shape[0]), labels]) + 0.1 * np.sum(w[1:, ::-1] ** 2)


def _data(dtype):
    rng = numpy.random.default_rng(0)
    return (rng.normal(size=(6, 4)).astype(dtype), rng.normal(size=(8, 6)).astype(dtype),
            numpy.array([0, 3, 1, 1, 2, 0, 3, 2]))


def _on(spec, dtype):
    with pg.use_backend(spec):
        w, x, labels = (np.asarray(a) for a in _data(dtype))
        loss, g = pg.value_and_grad(_loss)(w, x, labels)
        return loss, g


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_value_and_grad_on_the_gpu_match_numpy_and_stay_on_the_device(gpu, dtype):
    loss, g = _on(gpu.spec, dtype)
    want_loss, want_g = _on("numpy", dtype)
    assert g.backend == gpu.name and g.device == gpu.device and g.dtype == dtype
    assert "cuda" in str(g.native.device).lower() or "gpu" in str(g.native.device).lower()
    numpy.testing.assert_allclose(float(loss), float(want_loss), **TOL[dtype])
    numpy.testing.assert_allclose(g.asnumpy(), want_g.asnumpy(), **TOL[dtype])


def test_python_floats_get_the_accelerators_float32_default(gpu):
    x = np.asarray([1.0, 2.0])
    assert x.dtype == np.float32 and x.device == gpu.device
    assert pg.grad(lambda x: np.sum(x ** 3))(x).tolist() == [3.0, 12.0]


def test_host_data_is_copied_to_the_device_and_read_only_stays_read_only(gpu):
    host = numpy.arange(3.0)
    x = np.asarray(host)
    x[0] = 9.0
    assert host.tolist() == [0.0, 1.0, 2.0] and x.tolist() == [9.0, 1.0, 2.0]
    host.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        np.asarray(host)[0] = 9.0


def test_arrays_move_between_host_and_device_by_to_backend(gpu):
    with pg.use_backend("numpy"):
        host = np.asarray([1.0, 2.0, 3.0])
    x = host.to_backend(gpu.spec)
    assert (x.backend, x.device) == (gpu.name, gpu.device) and x.tolist() == [1.0, 2.0, 3.0]
    back = (x * 2.0).to_backend("numpy")
    assert back.backend == "numpy" and back.tolist() == [2.0, 4.0, 6.0]


def test_a_cpu_array_and_a_gpu_array_in_one_operation_raise_naming_both(gpu):
    cpu_spec = "torch" if gpu.name == "torch" else "jax:cpu"
    with pg.use_backend(cpu_spec):
        a = np.asarray([1.0, 2.0])
    b = np.asarray([1.0, 2.0])
    with pytest.raises(pg.MixedBackendError, match="gpu|cuda"):
        a + b


def test_seeded_random_numbers_are_made_on_the_device(gpu):
    np.random.seed(0)
    first = np.random.randn(4)
    np.random.seed(0)
    assert first.device == gpu.device and np.random.randn(4).tolist() == first.tolist()


def test_jit_of_grad_on_the_gpu_matches_eager(gpu):
    w, x, labels = (np.asarray(a) for a in _data("float32"))
    eager = pg.grad(_loss)(w, x, labels)
    compiled = pg.jit(pg.grad(_loss))(w, x, labels)
    assert compiled.device == gpu.device
    numpy.testing.assert_allclose(compiled.asnumpy(), eager.asnumpy(), rtol=1e-5, atol=1e-6)


def test_second_order_derivatives_on_the_gpu(gpu):
    x = np.asarray([0.3, -1.2, 2.0], dtype="float64")
    h = pg.hessian(lambda x: np.sum(np.sin(x) * x ** 2))(x)
    t = x.asnumpy()
    want = numpy.diag(2 * numpy.sin(t) + 4 * t * numpy.cos(t) - t ** 2 * numpy.sin(t))
    numpy.testing.assert_allclose(h.asnumpy(), want, rtol=1e-12, atol=1e-12)


# -- scripts/gpu_check.sh where there is no GPU -------------------------------------------------
ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "gpu_check.sh"


def _gpu_check(tmp_path: Path, path: str) -> subprocess.CompletedProcess:
    if shutil.which("bash") is None:
        pytest.skip("no bash here to run scripts/gpu_check.sh")
    env = {**os.environ, "OUT": str(tmp_path / "out"), "PATH": path, "TMPDIR": str(tmp_path)}
    return subprocess.run(["bash", str(SCRIPT)], capture_output=True, text=True, env=env,
                          timeout=120)


def test_gpu_check_says_no_gpu_was_found_and_exits_non_zero(tmp_path):
    smi = shutil.which("nvidia-smi")
    if smi and subprocess.run([smi, "-L"], capture_output=True, text=True).stdout.startswith(
            "GPU "):
        pytest.skip("this machine has an NVIDIA GPU: gpu_check.sh would run its checks")
    done = _gpu_check(tmp_path, os.environ["PATH"])
    assert done.returncode == 3, done.stdout + done.stderr
    assert "gpu_check: no NVIDIA GPU found" in done.stderr
    summary = tmp_path / "out" / "gpu_check_summary.md"
    assert "none found" in summary.read_text() and "Nothing was checked" in summary.read_text()


def test_gpu_check_says_why_when_the_driver_does_not_answer(tmp_path):
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "nvidia-smi").write_text(
        "#!/bin/sh\necho \"NVIDIA-SMI has failed because it couldn't communicate with the "
        "NVIDIA driver.\"\nexit 9\n")
    (fake / "nvidia-smi").chmod(0o755)
    done = _gpu_check(tmp_path, f"{fake}{os.pathsep}{os.environ['PATH']}")
    assert done.returncode == 3, done.stdout + done.stderr
    assert ("no NVIDIA GPU found: nvidia-smi failed: NVIDIA-SMI has failed because it couldn't "
            "communicate with the NVIDIA driver") in done.stderr
