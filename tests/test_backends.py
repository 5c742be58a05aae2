"""The built-in backends (numpy, torch, jax, strict) and the selection semantics of the design
contract (docs/dev/design.md, Backends).

Each test states the behaviour it protects; backends that cannot be loaded here are skipped with
the reason polygrad gives.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
import warnings

import numpy
import pytest

import polygrad as pg
import polygrad.numpy as np
from polygrad import _backend

SPECS = ("numpy", "torch", "jax", "strict", "strict:no_float64")
#: spec -> (default float dtype, float64 supported, complex supported)
CAPABILITIES = {"numpy": ("float64", True, True), "torch": ("float32", True, True),
                "jax": ("float32", True, True), "strict": ("float64", True, True),
                "strict:no_float64": ("float32", False, True)}
TOL = {"float32": dict(rtol=2e-5, atol=1e-6), "float64": dict(rtol=1e-12, atol=1e-12)}


def load(spec: str) -> _backend.Backend:
    try:
        return _backend.backend_for(spec)
    except pg.BackendUnavailable as exc:
        pytest.skip(f"backend {spec} is not available here: {exc}")


@pytest.fixture(params=SPECS)
def spec(request):
    """Each backend current in turn (context-local, undone afterwards)."""
    with pg.use_backend(load(request.param)):
        yield request.param


@pytest.fixture
def restore_global():
    """Tests of ``set_backend`` put the process-wide default back afterwards."""
    saved = _backend._global_backend
    yield
    _backend._global_backend = saved


def native_module(a: pg.Array) -> str:
    return type(a.native).__module__.partition(".")[0]


# -- capabilities ----------------------------------------------------------------------------------
def test_each_backend_states_its_default_float_dtype_and_capabilities(spec):
    b = pg.get_backend()
    assert (str(b.default_float_dtype), b.supports_float64, b.supports_complex) == \
        CAPABILITIES[spec]
    default = CAPABILITIES[spec][0]
    assert np.asarray([1.0, 2.0]).dtype == default
    assert np.zeros(2).dtype == np.ones((2, 2)).dtype == np.linspace(0, 1, 3).dtype == default
    assert np.arange(3).dtype == np.int64 and np.asarray([True]).dtype == np.bool
    assert float(pg.grad(lambda x: x * x)(3.0)) == 6.0


def test_set_default_dtype_overrides_every_backend(spec):
    pg.set_default_dtype("float32")
    try:
        assert np.asarray([1.0]).dtype == np.zeros(1).dtype == np.float32
    finally:
        pg.set_default_dtype(None)


def test_a_device_without_float64_refuses_it_clearly():
    with pg.use_backend(load("strict:no_float64")):
        with pytest.raises(TypeError, match="no float64"):
            np.zeros(2, dtype="float64")
        assert np.asarray([1.5]).device == "no_float64"


def test_backends_listing_reports_the_capabilities():
    rows = {r["name"]: r for r in pg.backends() if r["builtin"]}
    for name in ("numpy", "torch", "jax", "strict"):
        assert rows[name]["distribution"] == "polygrad"
        assert (rows[name]["default_float_dtype"], rows[name]["float64"],
                rows[name]["complex"]) == CAPABILITIES[name]


# -- specs, devices and what is unavailable --------------------------------------------------------
@pytest.mark.parametrize("spellings", [("torch", "torch:cpu"), ("jax", "jax:cpu"),
                                       ("strict", "strict:cpu"), ("numpy", "numpy:cpu")])
def test_one_backend_instance_per_device_whatever_the_spelling(spellings):
    first = load(spellings[0])
    assert all(_backend.backend_for(s) is first for s in spellings)


def test_cuda_without_a_gpu_is_unavailable_and_says_why():
    torch = pytest.importorskip("torch", reason="torch is not installed")
    if torch.cuda.is_available():
        pytest.skip("a CUDA GPU is present, so torch:cuda is available")
    for spec in ("cuda", "torch:cuda", "torch:cuda:1"):
        with pytest.raises(pg.BackendUnavailable, match="CUDA is not available") as info:
            pg.set_backend(spec)
        assert "numpy" in str(info.value).rpartition("Available backends:")[2]


def test_cuda_runs_on_the_gpu_when_there_is_one():
    torch = pytest.importorskip("torch", reason="torch is not installed")
    if not torch.cuda.is_available():
        pytest.skip("no CUDA GPU visible to torch")
    assert _backend.backend_for("cuda") is _backend.backend_for("torch:cuda:0")
    with pg.use_backend("cuda"):
        x = np.linspace(-1, 1, 5)
        g = pg.grad(lambda x: np.sum(x[np.asarray([0, 0, 4])] ** 2))(x)
        np.random.seed(0)
        r = np.random.randn(3)
    assert g.device == r.device == "cuda:0" and g.native.is_cuda
    assert g.tolist() == pytest.approx([-4.0, 0.0, 0.0, 0.0, 2.0])


def test_jax_gpu_without_a_gpu_is_unavailable_and_says_why():
    jax = pytest.importorskip("jax", reason="jax is not installed")
    try:
        jax.devices("gpu")
        pytest.skip("JAX sees a GPU here")
    except RuntimeError:
        pass
    with pytest.raises(pg.BackendUnavailable, match="JAX has no device 'gpu:0'"):
        pg.set_backend("jax:gpu")


def test_strict_devices_polygrad_cannot_use_are_refused_with_the_reason():
    load("strict")
    with pytest.raises(pg.BackendUnavailable, match="no int64"):
        pg.set_backend("strict:no_x64")
    with pytest.raises(pg.BackendUnavailable, match="no device 'nowhere'.*no_float64"):
        pg.set_backend("strict:nowhere")


def test_an_unknown_backend_lists_the_installed_ones():
    with pytest.raises(pg.BackendUnavailable, match="Did you mean 'torch'.*numpy"):
        pg.set_backend("torhc")


# -- selection semantics ---------------------------------------------------------------------------
def test_use_backend_is_local_to_a_thread(restore_global):
    load("torch")
    pg.set_backend("numpy")
    seen = {}
    ready = threading.Barrier(2)

    def work(spec):
        with pg.use_backend(spec):
            ready.wait(timeout=30)   # both threads are inside their own use_backend
            seen[spec] = np.ones(1).backend
            ready.wait(timeout=30)

    threads = [threading.Thread(target=work, args=(s,)) for s in ("torch", "numpy")]
    with pg.use_backend("torch"):
        other = threading.Thread(target=lambda: seen.setdefault("plain", np.ones(1).backend))
        other.start()
        other.join()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == {"torch": "torch", "numpy": "numpy", "plain": "numpy"}


def test_use_backend_is_local_to_an_asyncio_task():
    load("jax")

    async def work(spec, log):
        with pg.use_backend(spec):
            for _ in range(3):
                await asyncio.sleep(0)   # the other task runs in between
                log.append((spec, np.zeros(1).backend))

    async def main():
        log = []
        await asyncio.gather(work("jax", log), work("numpy", log))
        return log

    log = asyncio.run(main())
    assert len(log) == 6 and all(spec == got for spec, got in log)


def test_set_backend_is_global_and_seen_by_new_threads(restore_global):
    load("strict")
    pg.set_backend("strict")
    seen = []
    t = threading.Thread(target=lambda: seen.append(np.ones(1).backend))
    t.start()
    t.join()
    assert seen == ["strict"] and pg.get_backend().name == "strict"
    with pg.use_backend("numpy"):   # a context overrides the global default
        assert np.ones(1).backend == "numpy"


def test_creation_functions_use_the_current_backend(spec):
    made = [np.zeros(2), np.ones(2), np.empty(2), np.full(2, 3.0), np.arange(3), np.eye(2),
            np.linspace(0, 1, 3), np.asarray([1.0]), np.asarray(numpy.ones(2)),
            np.random.randn(2), np.random.randint(0, 3, size=2)]
    name = spec.partition(":")[0]
    assert {a.backend for a in made} == {name}
    assert {a.device for a in made} == {pg.get_backend().device}


def test_operations_run_on_the_backend_of_their_inputs(spec):
    x = np.asarray([0.5, 1.5])
    with pg.use_backend("numpy"):
        y = np.sin(x) * 2.0 + x
        g = pg.grad(lambda v: np.sum(v**2))(x)
    assert y.backend == g.backend == x.backend and y.device == x.device


def test_arrays_of_two_backends_in_one_operation_raise_naming_both():
    with pg.use_backend(load("torch")):
        t = np.ones(2)
    with pg.use_backend("numpy"):
        n = np.ones(2)
    with pytest.raises(pg.MixedBackendError, match=r"'torch:cpu'.*'numpy:cpu'|'numpy:cpu'.*'torch"):
        n + t
    with pytest.raises(pg.MixedBackendError, match="torch:cpu"):
        pg.grad(lambda v: np.sum(v * n))(t)


def test_arrays_of_two_devices_in_one_operation_raise_naming_both():
    with pg.use_backend(load("strict")):
        a = np.ones(2, dtype="float32")
    with pg.use_backend(load("strict:no_float64")):
        b = np.ones(2)
    with pytest.raises(pg.MixedBackendError, match="strict:cpu.*strict:no_float64"):
        a * b


def test_python_scalars_combine_with_every_backend(spec):
    x = np.asarray([1.0, 2.0])
    for y in (x + 1, 2 * x, x / 2.0, 1.0 - x, x**2, np.where(x > 1, 1.0, 0.0),
              np.where(x > 1, x, 0.0), np.maximum(x, 1.5)):
        assert y.dtype == x.dtype and y.backend == x.backend


# -- conversions -----------------------------------------------------------------------------------
def test_asarray_wraps_a_torch_tensor_without_copying():
    torch = pytest.importorskip("torch", reason="torch is not installed")
    t = torch.arange(3.0, requires_grad=True)
    with pg.use_backend("numpy"):
        a = pg.asarray(t)
    assert (a.backend, a.dtype, a.device) == ("torch", np.float32, "cpu")
    assert a.native.data_ptr() == t.data_ptr() and not a.native.requires_grad
    with torch.no_grad():
        t[0] = 7.0
    assert a.tolist() == [7.0, 1.0, 2.0]


def test_asarray_wraps_jax_and_strict_arrays_on_their_own_backend():
    jnp = pytest.importorskip("jax.numpy", reason="jax is not installed")
    strict = pytest.importorskip("array_api_strict", reason="array-api-strict is not installed")
    load("jax")
    j = jnp.arange(3)
    s = strict.ones(2, device=strict.Device("no_float64"))
    with pg.use_backend("numpy"):
        a, b = pg.asarray(j), pg.asarray(s)
    assert a.backend == "jax" and a.native is j
    assert (b.backend, b.device, b.dtype) == ("strict", "no_float64", np.float32)
    assert b.native is s


def test_host_data_goes_to_the_current_backend(spec):
    host = numpy.arange(6.0)[::-1]   # a NumPy view with a negative stride
    a = pg.asarray(host)
    assert a.backend == spec.partition(":")[0] and a.tolist() == host.tolist()


#: every built-in backend, for the rules on host memory (the same on each)
HOST_SPECS = SPECS + ("dask",)


@pytest.fixture(params=HOST_SPECS)
def host_spec(request):
    with pg.use_backend(load(request.param)):
        yield request.param


def _read_only(values):
    host = numpy.array(values)
    host.flags.writeable = False
    return host


def test_a_read_only_numpy_array_is_never_written_into_on_any_backend(host_spec):
    host = _read_only([0.0, 1.0, 2.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")   # (torch warned once, then wrote into it)
        x = np.asarray(host)
    with pytest.raises(ValueError, match=r"Array.__setitem__: assignment destination is "
                                         r"read-only.*np.asarray\(a, copy=True\)"):
        x[0] = 99.0
    with pytest.raises(ValueError, match="read-only"):
        x[1:][0] = 99.0   # a view indexed out of it is read-only too
    with pytest.raises(ValueError, match=r"Array.__iadd__: .*read-only"):
        x += 1.0
    assert host.tolist() == [0.0, 1.0, 2.0] and x.tolist() == [0.0, 1.0, 2.0]
    y = np.asarray(host, copy=True)   # a copy is the user's to write, as NumPy's
    y[0] = 99.0
    assert y.tolist()[0] == 99.0 and host.tolist() == [0.0, 1.0, 2.0]
    z = pg.asarray(_read_only([0.0, 1.0]), dtype="float32")   # a cast copies: writable
    z[0] = 5.0
    assert z.tolist() == [5.0, 1.0]


def test_host_arrays_are_shared_on_numpy_and_copied_on_every_other_backend(host_spec):
    host = numpy.arange(3.0)
    x = np.asarray(host)
    x[0] = 99.0
    host[1] = 55.0
    if host_spec == "numpy":   # the Array is the NumPy array: writes go both ways
        assert host.tolist() == [99.0, 55.0, 2.0] and x.tolist() == [99.0, 55.0, 2.0]
    else:
        assert host.tolist() == [0.0, 55.0, 2.0] and x.tolist() == [99.0, 1.0, 2.0]


def test_copy_false_shares_host_memory_where_the_library_can_and_keeps_read_only(host_spec):
    host = numpy.arange(3.0)
    try:
        x = np.asarray(host, copy=False)
    except ValueError as exc:   # dask cannot wrap host memory, no_float64 must narrow it
        assert host_spec in ("dask", "strict:no_float64"), exc
        return
    x[0] = 99.0   # asked to share: writes go through where the library shares (not jax)
    assert host.tolist()[0] == (0.0 if host_spec == "jax" else 99.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = np.asarray(_read_only([0.0, 1.0]), copy=False)
    with pytest.raises(ValueError, match="read-only"):
        y[0] = 5.0


def test_asnumpy_returns_a_copy_on_every_backend(host_spec):
    x = np.asarray([0.0, 1.0, 2.0])
    out = x.asnumpy()
    out[0] = 99.0   # writable, and not x's memory
    assert x.tolist() == [0.0, 1.0, 2.0]


def test_to_backend_copies(spec):
    x = np.asarray([1.0, 2.0, 3.0], dtype="float32")
    for target in ("numpy", "torch", "jax", "strict", "strict:no_float64"):
        y = x.to_backend(load(target))
        assert (y.backend, y.dtype) == (target.partition(":")[0], np.float32)
        assert y.tolist() == [1.0, 2.0, 3.0]
        if y._backend is not x._backend and y._backend.mutable:
            y[0] = 9.0
            assert x.tolist() == [1.0, 2.0, 3.0]   # a copy, never a view of x


def test_to_backend_goes_through_dlpack(monkeypatch):
    backend = load("torch")
    calls = []
    original = type(backend).from_dlpack
    monkeypatch.setattr(type(backend), "from_dlpack",
                        lambda self, obj: calls.append(type(obj)) or original(self, obj))
    with pg.use_backend("numpy"):
        y = np.arange(3.0).to_backend("torch")
    assert calls == [numpy.ndarray] and y.dtype == np.float64


def test_dlpack_hands_arrays_to_other_libraries(spec):
    x = np.asarray([1.0, 2.0], dtype="float32")
    assert numpy.from_dlpack(x).tolist() == [1.0, 2.0]
    torch = pytest.importorskip("torch", reason="torch is not installed")
    assert torch.from_dlpack(x).tolist() == [1.0, 2.0]


def test_writes_to_a_jax_array_rebind_and_leave_the_old_buffer_alone():
    with pg.use_backend(load("jax")):
        x = np.zeros(3)
        before = x.native
        x[1] = 5.0
        x += 1.0
    assert x.tolist() == [1.0, 6.0, 1.0] and before.tolist() == [0.0, 0.0, 0.0]


def test_loading_jax_enables_x64_but_keeps_polygrad_float32_default():
    jax = pytest.importorskip("jax", reason="jax is not installed")
    with pg.use_backend(load("jax")):
        x = np.asarray([1.0, 2.0])
        assert jax.config.jax_enable_x64
        assert x.dtype == (x * 2.0).dtype == np.exp(x).dtype == np.float32
        assert np.asarray([1.0], dtype="float64").dtype == np.float64
        assert np.asarray(2j).dtype == np.complex64


# -- the same program everywhere -------------------------------------------------------------------
def _program(w, x, labels):
    h = np.tanh(x @ w)
    logits = h - np.max(h, axis=1, keepdims=True)
    logp = logits - np.log(np.sum(np.exp(logits), axis=1, keepdims=True))
    return -np.mean(logp[np.arange(labels.shape[0]), labels]) + 0.1 * np.sum(w[1:, ::-1] ** 2)


def _run(spec, w, x, labels):
    with pg.use_backend(load(spec)):
        args = np.asarray(w), np.asarray(x), np.asarray(labels)
        loss, grad = pg.value_and_grad(_program)(*args)
        counts = np.sum(np.asarray(labels) == 1)
        return loss, grad, counts


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_the_same_program_gives_the_same_values_and_dtypes_everywhere(dtype):
    rng = numpy.random.default_rng(0)
    w = rng.normal(size=(4, 3)).astype(dtype)
    x = rng.normal(size=(5, 4)).astype(dtype)
    labels = numpy.array([0, 2, 1, 1, 0])
    ref_loss, ref_grad, ref_counts = _run("numpy", w, x, labels)
    assert (ref_loss.dtype, ref_grad.dtype, ref_counts.dtype) == (dtype, dtype, "int64")
    for spec in SPECS[1:]:
        if dtype == "float64" and not CAPABILITIES[spec][1]:
            continue
        loss, grad, counts = _run(spec, w, x, labels)
        assert (loss.dtype, grad.dtype, counts.dtype) == (dtype, dtype, "int64"), spec
        numpy.testing.assert_allclose(float(loss), float(ref_loss), **TOL[dtype])
        numpy.testing.assert_allclose(grad.asnumpy(), ref_grad.asnumpy(), **TOL[dtype])
        assert int(counts) == int(ref_counts) == 2


# -- indexing kernels against NumPy ----------------------------------------------------------------
_I, _J = numpy.array([0, 1, 1]), numpy.array([1, -1, 2])
_MASK = numpy.array([True, False, True])
KEYS = [(0,), (slice(5, None),), (slice(None, None, -1), 1), (_I,), (_I, None, _J),
        (slice(None), _I, None, _J), (slice(None), _I, _J), (None, _I, _J), (_I, slice(None), _J),
        (0, slice(None), _J), (slice(None), 0, _J), (Ellipsis, 0, _J),
        (numpy.array([True, False]),),
        (slice(None), _MASK), (Ellipsis, numpy.array([[0, 1], [2, 3]])), (1, _MASK, 2),
        (_I[:, None], slice(1, 3), _J[None, :2]), (slice(10, 20),), (slice(-10, 1, 2),),
        (slice(None, -10, -1),), (Ellipsis, None, 0), (None, 1, slice(1, 3), None), ()]
X = numpy.arange(2 * 3 * 4 * 5, dtype="float32").reshape(2, 3, 4, 5)


@pytest.mark.parametrize("key", KEYS, ids=[str(i) for i in range(len(KEYS))])
def test_indexing_its_gradient_and_assignment_match_numpy(spec, key):
    x = np.asarray(X)
    assert x[key].tolist() == X[key].tolist()
    w = numpy.random.default_rng(1).normal(size=X[key].shape).astype("float32")
    expected = numpy.zeros_like(X)
    numpy.add.at(expected, key, w)   # repeated positions accumulate
    g = pg.grad(lambda x: np.sum(x[key] * np.asarray(w)))(x)
    numpy.testing.assert_allclose(g.asnumpy(), expected, rtol=1e-6)
    for value in (-1.0, w):
        y = np.asarray(X.copy())
        y[key] = value if isinstance(value, float) else np.asarray(value)
        want = X.copy()
        want[key] = value
        assert y.tolist() == want.tolist()


def test_setitem_inside_grad_is_a_functional_update_on_every_backend(spec):
    def f(x):
        y = x * 1.0
        y[np.asarray([0, 2])] = x[np.asarray([1, 1])] ** 2
        return np.sum(y)

    g = pg.grad(f)(np.asarray([1.0, 2.0, 3.0]))
    assert g.tolist() == [0.0, 1.0 + 2 * 2 * 2.0, 0.0]


def test_imag_of_a_real_array_is_zeros_of_its_dtype_on_every_backend(spec):
    x = np.asarray([1.5, -2.0], dtype="float32")
    out = np.imag(x)
    assert out.dtype == "float32" and out.tolist() == [0.0, 0.0]
    assert pg.grad(lambda x: np.sum(np.imag(x) + np.real(x)))(x).tolist() == [1.0, 1.0]


def test_angle_of_a_negative_float64_is_pi_exactly_on_every_backend(spec):
    if not CAPABILITIES[spec][1]:
        pytest.skip(f"{spec} has no float64")
    out = np.angle(np.asarray([-1.0, 2.0], dtype="float64"))
    assert out.dtype == "float64" and out.tolist() == [numpy.pi, 0.0]


# -- random numbers --------------------------------------------------------------------------------
def _draws():
    return [np.random.randn(4), np.random.rand(3), np.random.normal(1.0, 2.0, size=(2,)),
            np.random.uniform(-1, 1, size=3), np.random.randint(0, 10, size=5),
            np.random.permutation(6), np.random.choice(5, size=3, replace=False),
            np.random.choice(4, size=6, p=[0.1, 0.2, 0.3, 0.4])]


def test_seeded_random_numbers_are_deterministic_per_backend(spec):
    np.random.seed(42)
    first = [a.tolist() for a in _draws()]
    np.random.seed(42)
    assert [a.tolist() for a in _draws()] == first
    np.random.seed(43)
    assert [a.tolist() for a in _draws()] != first


def test_random_numbers_have_the_right_dtypes_shapes_and_ranges(spec):
    default = CAPABILITIES[spec][0]
    np.random.seed(0)
    n, u, i, p, c = (np.random.randn(2, 3), np.random.uniform(2.0, 3.0, size=1000),
                     np.random.randint(5, 8, size=100), np.random.permutation(10),
                     np.random.choice(10, size=10, replace=False))
    assert (n.shape, n.dtype, u.dtype, i.dtype) == ((2, 3), default, default, np.int64)
    assert 2.0 <= float(np.min(u)) and float(np.max(u)) < 3.0
    assert set(i.tolist()) <= {5, 6, 7}
    assert sorted(p.tolist()) == sorted(c.tolist()) == list(range(10))
    assert np.random.randn(2, dtype="float32").dtype == np.float32


# -- the listing and its command line --------------------------------------------------------------
def _python(code: str) -> str:
    """Run ``code`` in a fresh interpreter with polygrad's defaults (no POLYGRAD_* settings)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("POLYGRAD_")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, env=env)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_listing_backends_imports_no_array_library():
    out = _python("import sys, polygrad as pg\nrows = pg.backends()\n"
                  "print(sorted(m for m in ('numpy', 'torch', 'jax', 'array_api_strict', 'dask') "
                  "if m in sys.modules), sorted(r['name'] for r in rows))")
    # every built-in entry point is listed, installed or not (dask: "unavailable" without it)
    assert out.strip() == "[] ['dask', 'jax', 'numpy', 'strict', 'torch']"


def test_python_m_polygrad_backends_prints_the_table():
    out = subprocess.run([sys.executable, "-m", "polygrad.backends"], capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0 and not out.stderr, out.stderr
    header, *lines = out.stdout.splitlines()
    assert header.split()[:4] == ["name", "distribution", "version", "status"]
    rows = {line.split()[0]: line.split() for line in lines if line and line[0] != "("}
    assert rows["numpy"][1:5] == ["polygrad", pg.__version__, "available", "cpu"]
    assert rows["torch"][5:8] == ["float32", "yes", "yes"]


def test_the_listing_says_why_cuda_is_unavailable_without_importing_torch():
    from importlib.metadata import PackageNotFoundError, version

    try:
        version("torch")
    except PackageNotFoundError:
        pytest.skip("torch is not installed")
    if not version("torch").endswith("+cpu"):
        pytest.skip(f"torch {version('torch')} is not a CPU-only build")
    out = _python("import sys, polygrad as pg\n"
                  "acc = {a['spec']: a for r in pg.backends() for a in r['accelerators']}\n"
                  "print('torch' in sys.modules, acc['torch:cuda']['status'], "
                  "acc['torch:cuda']['reason'], sep='|')")
    imported, status, reason = out.strip().split("|")
    assert (imported, status) == ("False", "unavailable")
    assert reason == f"CUDA is not available: torch {version('torch')} was built without CUDA"


def test_the_load_listing_probes_the_accelerators():
    out = subprocess.run([sys.executable, "-m", "polygrad.backends", "--load"],
                         capture_output=True, text=True, timeout=300)
    rows = {line.split()[0]: line for line in out.stdout.splitlines() if line[:1].isalpha()}
    torch = pytest.importorskip("torch")
    expected = "available" if torch.cuda.is_available() else "unavailable"
    assert rows["torch:cuda"].split()[3] == expected
    if expected == "unavailable":
        assert "CUDA is not available" in rows["torch:cuda"]


def test_python_m_polygrad_backends_load_lists_devices():
    out = subprocess.run([sys.executable, "-m", "polygrad.backends", "--load"],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    strict = next(line for line in out.stdout.splitlines() if line.startswith("strict "))
    assert "cpu,device1,device2,no_float64" in strict


def test_pg_backends_stays_callable_once_the_module_is_imported():
    out = _python("import polygrad as pg\nfirst = pg.backends()\n"
                  "import polygrad.backends as mod\nfrom polygrad import backends\n"
                  "assert pg.backends is mod is backends\n"
                  "assert [r['name'] for r in pg.backends()] == [r['name'] for r in first]\n"
                  "print(type(pg.backends).__name__, backends(load=False)[0]['name'])")
    assert out.split() == ["_CallableModule", "dask"]


@pytest.mark.parametrize("target", ["torch", "strict", "jax"])
def test_to_backend_copies_even_as_the_first_use_of_the_target(target):
    load(target)   # skips, with the reason, where the target cannot be loaded here
    out = _python("import polygrad.numpy as np\nx = np.arange(3.0)\n"
                  f"y = x.to_backend({target!r})\n"
                  f"if {target!r} != 'jax':\n"
                  "    y[0] = 9.0\n"
                  f"print({target!r}, y.backend, x.tolist(), y.dtype)")
    assert out.splitlines() == [f"{target} {target} [0.0, 1.0, 2.0] float64"]
