"""``pg.jit``: compiled and eager results agree (the seed tutorials, every example's loss), in
every order of ``grad`` and ``jit``; value-dependent control flow raises an error naming the line;
the cache; NumPy's replay (polygrad's own compiler); torch's ``torch.compile`` path and its
fallbacks.

JAX and torch tests skip, saying why, where the library is not installed. Most torch tests replace
``torch.compile`` by the identity, so that they check polygrad's tracing without spending seconds
in TorchInductor; one test runs the real compiler.
"""

from __future__ import annotations

import importlib.util
import inspect
import warnings
from pathlib import Path

import numpy
import pytest

import polygrad as pg
import polygrad.numpy as np
from polygrad import _jit
from polygrad.extend import JitWarning

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"_jit_example_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


minpy = _load("minpy_autograd_tutorial")
mxnet = _load("mxnet_autograd_tutorial")
train_mlp = _load("train_mlp")
newton_hvp = _load("newton_hvp")
tanh_derivatives = _load("tanh_derivatives")
tape_training = _load("tape_training")


@pytest.fixture(params=["numpy", "strict", "jax"])
def compiled(request):
    """The JAX backend (compiled through jax.jit), NumPy and array-api-strict (traced to a
    program that replays the backend's kernels); falling back to eager is an error."""
    module = {"strict": "array_api_strict"}.get(request.param, request.param)
    pytest.importorskip(module, reason=f"{module} is not installed")
    with pg.use_backend(request.param) as backend, warnings.catch_warnings():
        warnings.simplefilter("error", JitWarning)
        yield backend


@pytest.fixture
def jax_backend():
    pytest.importorskip("jax", reason="jax is not installed")
    with pg.use_backend("jax") as backend:
        yield backend


@pytest.fixture
def torch_backend(monkeypatch):
    """The torch backend, with torch.compile the identity (the traced graph runs as it is)."""
    torch = pytest.importorskip("torch", reason="torch is not installed")
    monkeypatch.setattr(torch, "compile", lambda graph, **kwargs: graph)
    with pg.use_backend("torch") as backend:
        yield backend


def f64(values):
    return np.asarray(values, dtype=np.float64)


def assert_same(compiled_out, eager_out, scale=1.0):
    """Two pytrees of arrays agree leaf by leaf, in structure, shape, dtype and (to the dtype's
    rounding, times ``scale``) value."""
    got, structure = pg._util.tree_flatten(compiled_out)
    want, want_structure = pg._util.tree_flatten(eager_out)
    assert structure == want_structure
    for a, b in zip(got, want):
        rtol, atol = 1e-9, 1e-12
        if isinstance(b, pg.Array):
            assert isinstance(a, pg.Array) and a.backend == b.backend
            assert a.shape == b.shape and a.dtype == b.dtype
            if b.dtype == np.float32:
                rtol, atol = 1e-4, 1e-6
        numpy.testing.assert_allclose(numpy.asarray(a, dtype=numpy.float64),
                                      numpy.asarray(b, dtype=numpy.float64),
                                      rtol=rtol * scale, atol=atol * scale)


# -- the seed tutorials ----------------------------------------------------------------------------
def test_minpy_derivatives_of_every_order_agree_compiled(compiled):
    x = np.linspace(-10.0, 10.0, 50, dtype=np.float64)
    for fn in (minpy.foo, minpy.d_foo, minpy.d_2_foo, minpy.d_3_foo):
        assert_same(pg.jit(fn)(x), fn(x))
    assert_same(pg.jit(minpy.d_foo)(4), minpy.d_foo(4))   # a Python int: static, as eagerly


def test_minpy_grad_with_argnum_list_agrees_compiled(compiled):
    args = (f64(2.0), f64(3.0), f64(4.0))
    grad_bar = pg.grad(minpy.bar, argnum=[0, 1, 2])
    assert_same(pg.jit(grad_bar)(*args), grad_bar(*args))
    assert [float(g) for g in pg.jit(grad_bar)(*args)] == [3.0, 6.0, -1.0]


def test_minpy_simple_net_loss_and_gradients_agree_compiled(compiled):
    np.random.seed(0)
    net = minpy.SimpleNet(20, 3)
    x, y = minpy.make_data(30, 20, 3)
    w, b = net.params["w"], net.params["b"]
    step = pg.grad_and_loss(minpy.make_loss_func(net), argnum=[0, 1])
    eager = step(w, b, x, y)
    assert_same(pg.jit(step)(w, b, x, y), eager)


def test_mxnet_f_and_its_gradient_agree_compiled(compiled):
    x = f64([[1.0, 2.0], [3.0, 4.0]])
    assert_same(pg.jit(mxnet.f)(x), mxnet.f(x))
    assert_same(pg.jit(pg.grad(mxnet.f))(x), 4 * x)


# -- the examples' loss functions ------------------------------------------------------------------
def _mlp_problem():
    np.random.seed(1)
    params = train_mlp.init_params([8, 16, 4])
    x = np.random.randn(32, 8)
    onehot = np.astype(np.random.randint(0, 4, size=32)[:, None] == np.arange(4)[None, :],
                       x.dtype)
    return params, x, onehot


def test_train_mlp_value_and_grad_agree_compiled(compiled):
    params, x, onehot = _mlp_problem()
    step = pg.value_and_grad(train_mlp.loss)
    assert_same(pg.jit(step)(params, x, onehot), step(params, x, onehot))


def test_newton_hvp_objective_gradient_and_hvp_agree_compiled(compiled):
    np.random.seed(2)
    x, y = np.random.randn(40, 5), np.astype(np.random.rand(40) > 0.5, np.float64)
    theta, v = np.random.randn(6), np.random.randn(6)
    lam = 1e-3   # a Python float: static
    grad = pg.grad(newton_hvp.objective)
    assert_same(pg.jit(grad)(theta, x, y, lam), grad(theta, x, y, lam))
    hvp = pg.hvp(lambda th, x, y: newton_hvp.objective(th, x, y, lam))
    assert_same(pg.jit(hvp)(theta, x, y, v), hvp(theta, x, y, v))


def test_tanh_fourth_derivative_agrees_compiled(compiled):
    x = np.linspace(-3.0, 3.0, 40, dtype=np.float64)
    fourth = tanh_derivatives.derivatives(np.tanh, 4)[-1]
    assert_same(pg.jit(fourth)(x), fourth(x))
    assert_same(pg.jit(fourth)(x), tanh_derivatives.closed_forms(x)[-1])


def test_tape_training_loss_gradient_agrees_compiled(compiled):
    np.random.seed(3)
    params = [np.random.randn(2, 8), np.zeros(8), np.random.randn(8, 1), np.zeros(1)]
    x, y = np.random.randn(20, 2), np.astype(np.random.rand(20) > 0.5, np.float64)
    grad = pg.grad(lambda ps, x, y: tape_training.loss_fn(tape_training.net(ps, x), y))
    assert_same(pg.jit(grad)(params, x, y), grad(params, x, y))


# -- jit and the differential operators, in either order -------------------------------------------
def test_grad_of_jit_equals_jit_of_grad(jax_backend):
    params, x, onehot = _mlp_problem()
    inside = pg.jit(pg.grad(train_mlp.loss))(params, x, onehot)
    outside = pg.grad(pg.jit(train_mlp.loss))(params, x, onehot)
    assert_same(inside, outside)
    assert_same(outside, pg.grad(train_mlp.loss)(params, x, onehot))


def test_jvp_hessian_and_jacobian_inside_and_outside_jit_agree(jax_backend):
    def f(x):
        return np.sum(np.sin(x) * x ** 2)
    x, t = f64([0.3, -1.2, 2.0]), f64([1.0, 0.5, -2.0])
    assert_same(pg.jit(pg.hessian(f))(x), pg.hessian(f)(x))
    assert_same(pg.jit(pg.jacobian(np.sin))(x), pg.jacobian(np.sin)(x))
    assert_same(pg.jit(lambda x, t: pg.jvp(f, (x,), (t,)))(x, t), pg.jvp(f, (x,), (t,)))
    assert_same(pg.jvp(pg.jit(f), (x,), (t,)), pg.jvp(f, (x,), (t,)))


def test_jit_called_inside_grad_differentiates_closed_over_tracers(jax_backend):
    x0 = f64([1.0, 2.0])
    g = pg.grad(lambda w: np.sum(pg.jit(lambda x: x * w)(x0) ** 2))(f64(3.0))
    assert float(g) == pytest.approx(2 * 3.0 * (1.0 + 4.0))


def test_inplace_assignment_inside_jit_is_a_functional_update(jax_backend):
    def f(x):
        y = x * 1.0
        y[0] = 10.0 * y[1]
        return np.sum(y ** 2)
    x = f64([1.0, 2.0, 3.0])
    assert float(pg.jit(f)(x)) == 400.0 + 4.0 + 9.0
    assert x.tolist() == [1.0, 2.0, 3.0]
    assert_same(pg.jit(pg.grad(f))(x), pg.grad(f)(x))
    assert pg.jit(pg.grad(f))(x).tolist() == [0.0, 2 * 20.0 * 10.0 + 4.0, 6.0]


def sgd(params, grads, lr):
    """MXNet's in-place update, compiled."""
    for p, g in zip(params, grads):
        p[...] = p - lr * g


@pytest.mark.parametrize("name", ["jax", "torch"])
def test_assigning_into_an_argument_updates_the_callers_array_as_eagerly(name, monkeypatch):
    library = pytest.importorskip(name, reason=f"{name} is not installed")
    if name == "torch":
        monkeypatch.setattr(library, "compile", lambda graph, **kwargs: graph)
    with pg.use_backend(name):
        params, grads = [f64([1.0, 2.0]), f64(3.0)], [f64([0.5, 0.5]), f64(1.0)]
        step = pg.jit(sgd)
        step(params, grads, 0.1)
        step(params, grads, 0.1)
        assert params[0].tolist() == pytest.approx([0.9, 1.9]) and float(params[1]) == 2.8
        assert step.cache_size() == 1


def test_pytrees_of_arguments_and_outputs_keep_their_structure(jax_backend):
    def f(tree, scale):
        return {"sum": tree["a"] * scale + tree["b"][0], "rest": (tree["b"][1], None, scale)}
    tree = {"a": f64([1.0, 2.0]), "b": [f64(3.0), f64([4.0])]}
    out = pg.jit(f)(tree, 2.0)
    assert_same(out, f(tree, 2.0))
    assert out["rest"][1] is None and out["rest"][2] == 2.0 and type(out["rest"][2]) is float


def test_native_and_host_arrays_are_taken_as_arrays(jax_backend):
    import jax.numpy as jnp

    out = pg.jit(lambda a, b: a * b)(jnp.asarray([1.0, 2.0]), numpy.asarray([3.0, 4.0]))
    assert isinstance(out, pg.Array) and out.backend == "jax" and out.tolist() == [3.0, 8.0]


# -- clear limits ----------------------------------------------------------------------------------
def _line_of(fun, text):
    lines, start = inspect.getsourcelines(fun)
    return f"{__file__}:{start + next(i for i, line in enumerate(lines) if text in line)}"


def branch_on_value(x):
    if np.sum(x) > 0:
        return x
    return -x


def float_of_value(x):
    return x * float(x[0])


def item_of_value(x):
    scale = x[1].item()
    return x * scale


@pytest.mark.parametrize("fun, text", [(branch_on_value, "if np.sum(x) > 0"),
                                       (float_of_value, "float(x[0])"),
                                       (item_of_value, ".item()")])
def test_reading_a_traced_value_names_the_line_and_the_remedies(jax_backend, fun, text):
    with pytest.raises(pg.ConcretizationError) as info:
        pg.jit(fun)(f64([1.0, 2.0]))
    message = str(info.value)
    assert _line_of(fun, text) in message and text in message
    assert "static_argnums" in message and "np.where" in message and "pg.cond" in message
    assert isinstance(info.value, TypeError)


def test_value_error_inside_grad_inside_jit_names_the_line(jax_backend):
    with pytest.raises(pg.ConcretizationError, match="if np.sum"):
        pg.jit(pg.grad(lambda x: np.sum(branch_on_value(x))))(f64([1.0, 2.0]))


def test_the_tutorials_while_loop_on_values_is_refused_with_its_line(jax_backend):
    with pytest.raises(pg.ConcretizationError) as info:
        pg.jit(pg.grad(mxnet.doubling))(f64([0.1, 0.2]))
    lines, start = inspect.getsourcelines(mxnet.doubling)
    line = start + next(i for i, text in enumerate(lines) if "while" in text)
    assert f"mxnet_autograd_tutorial.py:{line}" in str(info.value)


def test_static_argnums_makes_python_control_flow_on_an_argument_work(jax_backend):
    def f(x, n):
        for _ in range(n):
            x = np.sin(x)
        return x if n > 2 else -x
    jitted = pg.jit(f, static_argnums=1)
    x = f64([0.5, 1.0])
    for n in (1, 3):
        assert_same(jitted(x, n), f(x, n))
    with pytest.raises(pg.ConcretizationError):
        pg.jit(f)(x, np.asarray(3))   # an array argument is traced


def test_random_numbers_inside_jit_are_refused_and_the_stream_survives(jax_backend):
    with pytest.raises(TypeError, match="random"):
        pg.jit(lambda x: x + np.random.randn(2))(f64([1.0, 2.0]))
    np.random.seed(0)
    assert np.random.randn(2).shape == (2,)


# -- the cache -------------------------------------------------------------------------------------
def test_compiled_versions_are_cached_by_shape_dtype_and_static_values(jax_backend):
    jitted = pg.jit(lambda x, s: x * s)
    x = f64([1.0, 2.0])
    jitted(x, 2.0)
    jitted(x + 1.0, 2.0)
    assert jitted.cache_size() == 1
    jitted(f64([1.0, 2.0, 3.0]), 2.0)
    jitted(np.asarray([1.0, 2.0], dtype=np.float32), 2.0)
    jitted(x, 3.0)
    jitted(x, 3)   # an int is another static value than the float 3.0
    assert jitted.cache_size() == 5


def test_an_unhashable_static_argument_is_refused_by_name(jax_backend):
    with pytest.raises(TypeError, match="hashable"):
        pg.jit(lambda x, opts: x, static_argnums=1)(f64(1.0), [1, 2])
    with pytest.raises(ValueError, match="out of range"):
        pg.jit(lambda x: x, static_argnums=3)(f64(1.0))


# -- backends without a compiler: polygrad's replay ------------------------------------------------
def test_numpy_traces_once_and_reading_a_value_names_the_line(numpy_backend):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(pg.ConcretizationError) as info:
            pg.jit(branch_on_value)(f64([-1.0, -2.0]))
        assert _line_of(branch_on_value, "if np.sum(x) > 0") in str(info.value)
        calls = []

        def f(x):
            calls.append(1)
            return np.sum(np.tanh(x) ** 2)
        jitted = pg.jit(pg.grad(f))
        for v in ([0.5, 1.0], [2.0, -1.0], [0.0, 3.0]):
            x = f64(v)
            numpy.testing.assert_allclose(numpy.asarray(jitted(x)),
                                          numpy.asarray(pg.grad(f)(x)), rtol=1e-12)
        assert jitted.trace_count() == 1 and len(calls) == 1 + 3   # traced once; 3 oracles


# -- torch -----------------------------------------------------------------------------------------
def test_torch_traces_to_a_graph_and_agrees(torch_backend):
    params, x, onehot = _mlp_problem()
    step = pg.value_and_grad(train_mlp.loss)
    jitted = pg.jit(step)
    assert_same(jitted(params, x, onehot), step(params, x, onehot))
    assert_same(jitted(params, x, onehot), step(params, x, onehot))
    assert jitted.cache_size() == 1


def test_torch_reading_a_traced_value_names_the_line(torch_backend):
    with pytest.raises(pg.ConcretizationError) as info:
        pg.jit(branch_on_value)(np.asarray([1.0, 2.0]))
    assert _line_of(branch_on_value, "if np.sum(x) > 0") in str(info.value)


def test_torch_falls_back_to_eager_with_a_warning_when_tracing_fails(torch_backend, monkeypatch):
    from polygrad_backends.torch_compiler import TorchCompiler

    def refuse(self, fun, natives):
        raise RuntimeError("cannot trace this")
    monkeypatch.setattr(TorchCompiler, "compile", refuse)
    jitted = pg.jit(lambda x: np.sin(x) * 2)
    x = np.asarray([0.5, 1.0])
    with pytest.warns(JitWarning, match="running it eagerly"):
        assert_same(jitted(x), np.sin(x) * 2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert_same(jitted(x), np.sin(x) * 2)   # the entry stays eager, without warning again


def test_torch_runs_the_traced_graph_with_a_warning_when_torch_compile_fails(torch_backend,
                                                                          monkeypatch):
    import torch

    def broken(graph, **kwargs):
        def run(*args):
            raise RuntimeError("no C++ compiler")
        return run
    monkeypatch.setattr(torch, "compile", broken)
    x = np.asarray([0.5, 1.0])
    with pytest.warns(JitWarning, match="torch.compile failed"):
        assert_same(pg.jit(pg.grad(lambda x: np.sum(np.sin(x))))(x), np.cos(x))


def test_torch_compile_compiles_or_falls_back_and_agrees():
    """The real TorchInductor (a few seconds on a CPU)."""
    pytest.importorskip("torch", reason="torch is not installed")
    with pg.use_backend("torch"):
        x = np.asarray([[0.5, -1.0], [2.0, 0.25]])
        grad = pg.grad(lambda x: np.sum(np.tanh(x @ x) ** 2))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", JitWarning)
            got = pg.jit(grad)(x)
        mine = [w for w in caught if issubclass(w.category, JitWarning)]
        assert all("torch.compile failed" in str(w.message) for w in mine)
        assert_same(got, grad(x))


# -- arrays the function closes over ---------------------------------------------------------------
@pytest.fixture(params=["numpy", "torch", "jax", "strict", "dask"])
def every_backend(request, monkeypatch):
    """Every backend: compiled on JAX and torch (torch.compile the identity), replayed
    elsewhere; falling back to eager is an error."""
    name = request.param
    module = {"strict": "array_api_strict", "dask": "dask.array"}.get(name, name)
    library = pytest.importorskip(module, reason=f"{module} is not installed")
    if name == "torch":
        monkeypatch.setattr(library, "compile", lambda graph, **kwargs: graph)
    with pg.use_backend(name) as backend, warnings.catch_warnings():
        warnings.simplefilter("error", JitWarning)
        yield backend


def arr(values):
    return np.asarray(values, dtype=np.float64 if pg.get_backend().supports_float64 else None)


_GLOBAL_W = None


def _dot_global_w(x):
    return np.sum(x * _GLOBAL_W)


def test_an_assignment_into_a_closed_over_array_is_seen_by_the_compiled_function(every_backend):
    w, x = arr([1.0, 2.0]), arr([1.0, 1.0])
    f = pg.jit(lambda x: np.sum(x * w))
    assert float(f(x)) == 3.0
    w[:] = arr([10.0, 20.0])
    assert float(f(x)) == 30.0 == float(np.sum(x * w))
    w += 1.0
    assert float(f(x)) == 32.0
    assert f.cache_size() == 1


def test_a_rebound_global_and_dict_entry_are_read_at_each_call(every_backend):
    global _GLOBAL_W
    x = arr([1.0, 1.0])
    _GLOBAL_W = arr([1.0, 2.0])
    f = pg.jit(_dot_global_w)
    assert float(f(x)) == 3.0
    _GLOBAL_W = arr([5.0, 5.0])
    assert float(f(x)) == 10.0
    params = {"w": arr([1.0, 2.0])}
    g = pg.jit(lambda x: np.sum(x * params["w"]))
    assert float(g(x)) == 3.0
    params["w"] = arr([3.0, 4.0])
    assert float(g(x)) == 7.0


def test_jit_of_grad_with_captured_data_follows_the_data(every_backend):
    rng = numpy.random.default_rng(0)
    data = {"x": arr(rng.standard_normal((6, 3))), "y": arr(rng.standard_normal(6))}

    def loss(w):
        return np.mean((data["x"] @ w - data["y"]) ** 2)
    step = pg.jit(pg.grad(loss))
    w = arr([0.1, -0.2, 0.3])
    assert_same(step(w), pg.grad(loss)(w))
    data["x"][0, 0] = 5.0
    data["y"] = arr(rng.standard_normal(6))
    assert_same(step(w), pg.grad(loss)(w))
    xs, ys = (numpy.asarray(v, dtype=numpy.float64) for v in (data["x"], data["y"]))
    numpy.testing.assert_allclose(numpy.asarray(step(w), dtype=numpy.float64),
                                  2 * xs.T @ (xs @ numpy.asarray(w, dtype=float) - ys) / 6,
                                  rtol=1e-4)


def test_an_assignment_inside_into_a_closed_over_array_happens_as_eagerly(every_backend):
    w = arr([1.0, 2.0])

    def f(x):
        w[0] = x[0] * 3.0
        return x + w
    x = arr([2.0, 0.0])
    assert pg.jit(f)(x).tolist() == [8.0, 2.0]
    assert w.tolist() == [6.0, 2.0]


@pytest.mark.parametrize("name", ["jax", "torch"])
def test_a_function_closing_over_arrays_is_compiled_once(name, monkeypatch):
    library = pytest.importorskip(name, reason=f"{name} is not installed")
    if name == "torch":
        monkeypatch.setattr(library, "compile", lambda graph, **kwargs: graph)
    with pg.use_backend(name), warnings.catch_warnings():
        warnings.simplefilter("error", JitWarning)   # no eager fallback
        data = {"x": f64([[1.0, 2.0], [3.0, 4.0]]), "y": f64([1.0, -1.0])}
        calls = []

        def loss(w):
            calls.append(1)
            return np.sum((data["x"] @ w - data["y"]) ** 2)
        step = pg.jit(pg.grad(loss))
        w = f64([0.5, 0.25])
        for _ in range(3):
            assert_same(step(w), pg.grad(loss)(w))
        assert len(calls) == 1 + 3 and step.cache_size() == 1   # traced once; 3 eager oracles


class _Net:
    def __init__(self):
        self.params = {"w": arr([1.0, 2.0])}

    def __call__(self, x):
        return np.sum(x * self.params["w"])

    def loss(self, x, scale=None):
        return self(x) * (1.0 if scale is None else scale)


def test_arrays_held_by_objects_methods_partials_and_defaults_are_inputs(every_backend):
    import functools

    net, x = _Net(), arr([1.0, 1.0])
    scale = arr(2.0)
    for f, factor in [(pg.jit(net), 1.0), (pg.jit(net.loss), 1.0),
                      (pg.jit(functools.partial(net.loss, scale=scale)), 2.0),
                      (pg.jit(lambda x, s=scale: net(x) * s), 2.0)]:
        net.params["w"][...] = arr([1.0, 2.0])
        scale[...] = 2.0
        assert float(f(x)) == 3.0 * factor
        net.params["w"][...] = arr([10.0, 20.0])
        assert float(f(x)) == 30.0 * factor
        scale[...] = 3.0
        assert float(f(x)) == 30.0 * factor * (1.5 if factor == 2.0 else 1.0)


def test_torch_says_which_array_it_could_not_find_and_runs_eagerly(torch_backend, monkeypatch):
    import types

    hidden = types.ModuleType("hidden")   # modules are not searched
    hidden.w = np.asarray([1.0, 2.0])
    monkeypatch.setattr(_jit, "_warned", set())
    f = pg.jit(lambda x: x * hidden.w)
    with pytest.warns(JitWarning, match="neither an argument nor held by an Array"):
        assert f(np.asarray([3.0, 3.0])).tolist() == [3.0, 6.0]
