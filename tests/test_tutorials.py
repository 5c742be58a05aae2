"""The two seed tutorials (MinPy autograd, MXNet autograd) on every installed backend.

The tutorial code is the shipped ``examples/*_tutorial.py``; the oracles here are independent:
closed forms, plain-Python arithmetic, and NumPy float64 central differences of a NumPy version of
the same loss. Each test runs once per backend (``backend`` fixture, conftest.py) and is skipped,
saying why, where that backend cannot be loaded. Tolerances follow the arrays' dtype (float32 on
torch and jax by default).
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import numpy
import pytest

import polygrad as pg
import polygrad.numpy as np

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
BACKENDS = ("numpy", "torch", "jax", "strict")


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"_tutorial_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


minpy = _load("minpy_autograd_tutorial")
mxnet = _load("mxnet_autograd_tutorial")

#: (rtol, atol) for gradients against central differences: the oracle's own error (float64
#: differences with step 1e-6) or the dtype's rounding, whichever is larger
FD_TOLERANCES = {"float64": (1e-6, 1e-8), "float32": (1e-3, 1e-5)}


# -- MinPy: a close look at autograd ---------------------------------------------------------------
def test_minpy_grad_of_x_squared_at_4_is_8(backend):
    assert minpy.foo(4) == 16
    g = minpy.d_foo(4)
    assert g.dtype == pg.get_default_dtype(backend)   # the int 4 became the default float
    assert float(g) == 8.0


def test_minpy_second_and_third_derivatives_at_a_point(backend):
    assert float(minpy.d_2_foo(4)) == 2.0
    assert float(minpy.d_3_foo(4)) == 0.0
    assert float(minpy.d_2_foo(-3.5)) == 2.0


def test_minpy_derivatives_over_linspace_match_closed_forms(backend, close):
    x = np.linspace(-10, 10, 200)
    host = numpy.linspace(-10.0, 10.0, 200)
    close(minpy.foo(x), host ** 2, x.dtype)
    for fn, expected in [(minpy.d_foo, 2 * host), (minpy.d_2_foo, numpy.full(200, 2.0)),
                         (minpy.d_3_foo, numpy.zeros(200))]:
        d = fn(x)
        assert d.shape == (200,) and d.dtype == x.dtype and d.backend == x.backend
        close(d, expected, x.dtype)


def test_minpy_gradient_of_a_float_vector_is_2x(backend):
    g = minpy.d_foo(np.array([1.0, 2.0, 3.0, 4.0]))
    assert g.tolist() == [2.0, 4.0, 6.0, 8.0]


def test_minpy_integer_vector_is_refused_with_its_dtype(backend):
    # the tutorial's np.array([1, 2, 3, 4]) is an integer array: polygrad asks for floats
    x = np.array([1, 2, 3, 4])
    with pytest.raises(TypeError, match=str(x.dtype)):
        minpy.d_foo(x)


def test_minpy_grad_of_bar_with_argnum_list_is_3_6_minus_1(backend):
    grads = pg.grad(minpy.bar, argnum=[0, 1, 2])(2, 3, 4)
    assert isinstance(grads, tuple)
    assert [float(g) for g in grads] == [3.0, 6.0, -1.0]


# -- MinPy: SimpleNet ------------------------------------------------------------------------------
def _numpy_loss(w, b, x, y):
    """The tutorial's affine → ReLU → softmax loss, in plain NumPy float64."""
    scores = numpy.maximum(0.0, x @ w + b)
    probs = numpy.exp(scores - scores.max(axis=1, keepdims=True))
    probs = probs / probs.sum(axis=1, keepdims=True)
    return -numpy.sum(numpy.log(probs) * y) / x.shape[0]


def _numpy_central_differences(f, a, eps=1e-6):
    out = numpy.zeros(a.shape)
    for i in numpy.ndindex(a.shape):
        up, down = a.copy(), a.copy()
        up[i] += eps
        down[i] -= eps
        out[i] = (f(up) - f(down)) / (2 * eps)
    return out


def _simple_net(batch_size=100, input_size=50, num_class=3):
    np.random.seed(0)
    net = minpy.SimpleNet(input_size, num_class)
    x, y = minpy.make_data(batch_size, input_size, num_class)
    return net, x, y


def _host(*arrays):
    return [numpy.asarray(a.asnumpy(), dtype=numpy.float64) for a in arrays]


def test_minpy_one_hot_labels_have_one_1_per_row(backend):
    _, x, y = _simple_net()
    assert x.shape == (100, 50) and y.shape == (100, 3)
    host = y.asnumpy()
    assert set(numpy.unique(host)) <= {0.0, 1.0}
    assert numpy.all(host.sum(axis=1) == 1.0)


def test_minpy_simple_net_loss_matches_numpy(backend, close):
    net, x, y = _simple_net()
    loss = net.loss(x, y)
    expected = _numpy_loss(*_host(net.params["w"], net.params["b"], x, y))
    close(float(loss), expected, loss.dtype, scale=10)


def test_minpy_simple_net_gradients_match_central_differences(backend):
    net, x, y = _simple_net()
    w, b = net.params["w"], net.params["b"]
    d_w, d_b = pg.grad(minpy.make_loss_func(net), argnum=[0, 1])(w, b, x, y)
    assert d_w.shape == (50, 3) and d_b.shape == (1, 1)   # b broadcast over the batch
    assert d_w.dtype == w.dtype and d_b.dtype == b.dtype
    hw, hb, hx, hy = _host(w, b, x, y)
    num_w = _numpy_central_differences(lambda w: _numpy_loss(w, hb, hx, hy), hw)
    num_b = _numpy_central_differences(lambda b: _numpy_loss(hw, b, hx, hy), hb)
    rtol, atol = FD_TOLERANCES[w.dtype.name]
    numpy.testing.assert_allclose(d_w.asnumpy(), num_w, rtol=rtol, atol=atol)
    numpy.testing.assert_allclose(d_b.asnumpy(), num_b, rtol=rtol, atol=atol)
    assert numpy.abs(num_w).max() > 1e-3   # the check is not vacuous


def test_minpy_grad_and_loss_gives_the_gradient_and_the_loss_at_once(backend, close):
    net, x, y = _simple_net()
    loss_func = minpy.make_loss_func(net)
    w, b = net.params["w"], net.params["b"]
    (d_w, d_b), loss = pg.grad_and_loss(loss_func, argnum=[0, 1])(w, b, x, y)
    d_w2, d_b2 = pg.grad(loss_func, argnum=[0, 1])(w, b, x, y)
    numpy.testing.assert_array_equal(d_w.asnumpy(), d_w2.asnumpy())
    numpy.testing.assert_array_equal(d_b.asnumpy(), d_b2.asnumpy())
    close(float(loss), _numpy_loss(*_host(w, b, x, y)), loss.dtype, scale=10)


def test_minpy_sgd_steps_lower_the_loss(backend):
    net, x, y = _simple_net()
    w, b, losses = minpy.sgd(minpy.make_loss_func(net), net.params["w"], net.params["b"],
                             x, y, steps=5)
    assert len(losses) == 5
    assert all(later < earlier for earlier, later in zip(losses, losses[1:])), losses
    assert w.shape == (50, 3) and b.shape == (1, 1)


def test_minpy_central_differences_helper_agrees_with_grad(backend):
    # the tutorial's own helper, on a smooth function where it is accurate in any dtype
    x = np.asarray([0.5, -1.0, 2.0])
    eps = 1e-6 if x.dtype == np.float64 else 1e-2
    numeric = minpy.central_differences(lambda x: np.sum(np.sin(x) * x), x, eps)
    rtol, atol = FD_TOLERANCES[x.dtype.name]
    numpy.testing.assert_allclose(pg.grad(lambda x: np.sum(np.sin(x) * x))(x).asnumpy(),
                                  numeric, rtol=rtol * 10, atol=atol * 10)


# -- MXNet: attach_grad / record / backward ------------------------------------------------------
def test_mxnet_backward_of_2x_squared_gives_4x(backend):
    x = np.asarray([[1.0, 2.0], [3.0, 4.0]])
    x.attach_grad()
    with pg.record():
        y = mxnet.f(x)
    assert y.tolist() == [[2.0, 8.0], [18.0, 32.0]]
    y.backward()
    assert x.grad.tolist() == [[4.0, 8.0], [12.0, 16.0]]
    assert x.grad.dtype == x.dtype and x.grad.backend == x.backend


def _expected_doubling_gradient(a: float, b: float) -> list[float]:
    k = 2.0
    while ((a * k) ** 2 + (b * k) ** 2) ** 0.5 < 1000:
        k *= 2
    return [k, 0.0] if a + b >= 0 else [0.0, k]


def test_mxnet_control_flow_through_the_tape_gives_8192_0(backend, close):
    x = np.asarray([0.09762704, 0.18568921])
    x.attach_grad()
    with pg.record():
        y = mxnet.doubling(x)
    y.backward()
    assert x.grad.tolist() == [8192.0, 0.0]
    close(float(y), 8192 * 0.09762704, y.dtype)


def test_mxnet_control_flow_through_grad_gives_8192_0(backend):
    g = pg.grad(mxnet.doubling)(np.asarray([0.09762704, 0.18568921]))
    assert g.tolist() == [8192.0, 0.0]


@pytest.mark.parametrize("values", [(-0.5, 0.3), (0.7, -0.2), (-0.01, -0.9), (0.9, 0.9)])
def test_mxnet_control_flow_picks_the_branch_by_the_sign_of_the_sum(backend, values):
    expected = _expected_doubling_gradient(*values)
    assert mxnet.doubling_gradient(values) == expected
    assert pg.grad(mxnet.doubling)(np.asarray(list(values))).tolist() == expected
    x = np.asarray(list(values))
    x.attach_grad()
    with pg.record():
        y = mxnet.doubling(x)
    y.backward()
    assert x.grad.tolist() == expected


# -- the scripts themselves ------------------------------------------------------------------------
@pytest.fixture
def global_backend_restored():
    """The scripts call ``pg.set_backend``; put the process-wide default back afterwards."""
    previous = pg.get_backend()
    yield
    pg.set_backend(previous)


def _require(name: str) -> None:
    try:
        with pg.use_backend(name):
            pass
    except pg.BackendUnavailable as exc:
        pytest.skip(f"backend {name} not installed/available: {exc}")


MINPY_LINES = ["foo(4) = 16", "d_foo(4) = 8.0", "d_2_foo(4) = 2.0  d_3_foo(4) = 0.0",
               "d_foo([1., 2., 3., 4.]) = [2. 4. 6. 8.]",
               "grad(bar, argnum=[0, 1, 2])(2, 3, 4) = [3.0, 6.0, -1.0]",
               "d_w shape (50, 3)  d_b shape (1, 1)", "same gradient as grad: True"]
MXNET_LINES = ["[12., 16.]]", "x.grad = [8192.    0.]", "pg.grad(doubling)(x) = [8192.    0.]"]


@pytest.mark.usefixtures("global_backend_restored")
@pytest.mark.parametrize("name", BACKENDS)
def test_minpy_main_prints_the_tutorials_results(name, capsys):
    _require(name)
    minpy.main(["--backend", name])
    out = capsys.readouterr().out
    assert f"backend: {name}" in out
    for line in MINPY_LINES:
        assert line in out


@pytest.mark.usefixtures("global_backend_restored")
@pytest.mark.parametrize("name", BACKENDS)
def test_mxnet_main_prints_the_tutorials_results(name, capsys):
    _require(name)
    mxnet.main(["--backend", name])
    out = capsys.readouterr().out
    assert f"backend: {name}" in out
    for line in MXNET_LINES:
        assert line in out


def _run_script(name: str, *args: str) -> str:
    env = dict(os.environ)
    env.pop("POLYGRAD_BACKEND", None)
    result = subprocess.run([sys.executable, str(EXAMPLES / name), *args], capture_output=True,
                            text=True, timeout=300, env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_mxnet_script_runs_as_a_program():
    out = _run_script("mxnet_autograd_tutorial.py", "--backend", "numpy")
    for line in MXNET_LINES:
        assert line in out


def test_minpy_script_runs_as_a_program_and_draws_the_derivative_plot(tmp_path):
    pytest.importorskip("matplotlib", reason="matplotlib is not installed: no plot to draw")
    path = tmp_path / "derivatives.png"
    out = _run_script("minpy_autograd_tutorial.py", "--backend", "numpy", "--plot", str(path))
    for line in MINPY_LINES:
        assert line in out
    assert f"saved to {path}" in out
    assert path.stat().st_size > 1000 and path.read_bytes()[:4] == b"\x89PNG"
