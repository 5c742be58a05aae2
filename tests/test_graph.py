"""``pg.make_graph``, the passes on its programs, and ``pg.jit``'s replay compiler.

The oracle of every program is the function run eagerly; tracing must never read a value.
Backends whose library is not installed skip, saying so.
"""

from __future__ import annotations

import importlib.util
import shutil
import warnings
from pathlib import Path

import numpy
import pytest

import polygrad as pg
import polygrad.numpy as np
from polygrad._graph import Var, cse, dce, fold, optimize, reuse
from polygrad.extend import JitWarning

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"_graph_example_{name}",
                                                  EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


minpy = _load("minpy_autograd_tutorial")


@pytest.fixture(params=["numpy", "strict", "torch", "jax", "dask"])
def backend(request):
    name = request.param
    module = {"strict": "array_api_strict", "dask": "dask.array"}.get(name, name)
    pytest.importorskip(module, reason=f"{module} is not installed")
    with pg.use_backend(name) as b, warnings.catch_warnings():
        warnings.simplefilter("error", JitWarning)   # no eager fallback
        yield b


def host(x):
    return numpy.asarray(x.asnumpy() if hasattr(x, "asnumpy") else x, dtype=numpy.float64)


def close(a, b):
    numpy.testing.assert_allclose(host(a), host(b), rtol=1e-6, atol=1e-12)


def f(x):
    return np.sum(np.sin(x) * 2.0)


def test_text_form_one_line_per_primitive(numpy_backend):
    g = pg.make_graph(f)(np.ones(3))
    assert str(g).splitlines() == [
        "{ lambda a:f64[3]. let",
        "    b:f64[3] = sin a",
        "    c:f64[3] = multiply b 2.0",
        "    d:f64[] = sum c axis=(0,) keepdims=False",
        "  in (d) }"]
    assert [e.prim.name for e in g.eqns] == ["sin", "multiply", "sum"]
    assert all(type(v) is Var for e in g.eqns for v in e.outvars)
    assert g.eqns[0].outvars[0].shape == (3,)


def test_a_derivative_program_shows_forward_and_backward(backend):
    x = np.asarray([0.1, 0.2, 0.3])
    g = pg.make_graph(pg.grad(f))(x)
    names = [e.prim.name for e in g.eqns]
    assert "sin" in names and "cos" in names   # forward and backward
    close(g(x), pg.grad(f)(x))
    close(optimize(g)(x), pg.grad(f)(x))
    assert "cos" in str(g) and g.to_dot().startswith("digraph polygrad {")


def test_simple_net_gradient_program_agrees_with_eager(backend):
    numpy.random.seed(0)
    np.random.seed(0)
    net = minpy.SimpleNet(20, 3)
    x, y = minpy.make_data(30, 20, 3)
    w, b = net.params["w"], net.params["b"]
    step = pg.grad_and_loss(minpy.make_loss_func(net), argnum=[0, 1])
    g = pg.make_graph(step)(w, b, x, y)
    want = step(w, b, x, y)
    for program in (g, optimize(g)):
        got = program(w, b, x, y)
        (gw, gb), loss = got
        (ww, wb), wloss = want
        close(gw, ww)
        close(gb, wb)
        close(loss, wloss)
    assert "equal" in str(g)   # the non-differentiable primitives of max's rule are recorded


def branch(x):
    if np.sum(x) > 0:
        return x
    return -x


def test_tracing_reads_no_value(numpy_backend):
    with pytest.raises(pg.ConcretizationError, match="polygrad.make_graph: branch reads the "
                       "value of a traced array") as info:
        pg.make_graph(branch)(np.ones(2))
    assert "if np.sum(x) > 0" in str(info.value)
    with pytest.raises(pg.ConcretizationError):
        pg.make_graph(lambda x: float(x) * x)(np.asarray(1.0))


def test_static_arguments_are_fixed(numpy_backend):
    g = pg.make_graph(lambda x, n: x ** n if n > 1 else x, static_argnums=1)(np.ones(2), 3)
    assert [e.prim.name for e in g.eqns] == ["pow"]
    close(g(np.asarray([2.0, 3.0]), 3), [8.0, 27.0])


# -- passes ----------------------------------------------------------------------------------------
def test_dce_drops_unused_primitives_and_keeps_the_results(backend):
    def h(x):
        np.exp(x)   # dead
        return np.sin(x)
    x = np.asarray([0.5, 1.5])
    g = pg.make_graph(h)(x)
    d = dce(g)
    assert [e.prim.name for e in g.eqns] == ["exp", "sin"]
    assert [e.prim.name for e in d.eqns] == ["sin"]
    close(d(x), h(x))


def test_cse_computes_a_repeated_expression_once(backend):
    def h(x):
        return np.sin(x * 2.0) + np.sin(x * 2.0)
    x = np.asarray([0.5, 1.5])
    g = pg.make_graph(h)(x)
    c = dce(cse(g))
    assert [e.prim.name for e in g.eqns].count("sin") == 2
    assert [e.prim.name for e in c.eqns].count("sin") == 1
    close(c(x), h(x))


def test_fold_computes_what_does_not_depend_on_the_inputs(backend):
    k = np.asarray([1.0, 2.0])

    def h(x):
        return x * np.exp(np.cos(k))
    x = np.asarray([0.5, 1.5])
    g = pg.make_graph(h)(x)
    # a value not depending on the inputs is computed while tracing: it never enters the program
    assert [e.prim.name for e in g.eqns] == ["multiply"]
    close(g(x), h(x))
    # a program made otherwise (here by hand) with primitives on constants only: fold runs them
    from polygrad._graph import Const, Eqn, Graph
    b = pg.get_backend()
    c1, c2 = Var((2,), g.eqns[0].outvars[0].dtype, None), Var((2,), g.inputs[0].dtype, None)
    native_k = k.native
    cos_p = pg.extend.primitives()["cos"]
    mul_p = pg.extend.primitives()["multiply"]
    hand = Graph(b, [g.inputs[0]], [Eqn(cos_p, [Const(native_k)], {}, [c1]),
                                    Eqn(mul_p, [g.inputs[0], c1], {}, [c2])], [c2])
    folded = fold(hand)
    assert [e.prim.name for e in folded.eqns] == ["multiply"]
    close(folded(x)[0], x * np.cos(k))
    close(hand(x)[0], x * np.cos(k))


def test_buffer_reuse_overwrites_dead_intermediates_only(numpy_backend):
    def h(x):
        a = np.exp(x)
        b = np.sin(a)        # a's last use: b may take a's buffer
        c = b * 3.0
        return c, np.reshape(c, (2, 2)), x   # c is an output (and viewed): never overwritten
    x = np.asarray([0.5, 1.5, 2.0, -1.0])
    before = x.asnumpy()
    g = reuse(pg.make_graph(h)(x))
    marked = [(e.prim.name, e.inplace is not None) for e in g.eqns]
    assert marked[:3] == [("exp", False), ("sin", True), ("multiply", True)]
    assert "out=" in g.source()
    for got, want in zip(g(x), h(x)):
        close(got, want)
    numpy.testing.assert_array_equal(x.asnumpy(), before)   # an input is never overwritten


def test_all_passes_on_a_hessian_vector_product(backend):
    def loss(w):
        return np.sum(np.tanh(w) ** 3) + np.sum(w * w)
    w, v = np.asarray([0.3, -0.7, 1.1]), np.asarray([1.0, 0.5, -2.0])
    hvp = pg.make_graph(lambda w, v: pg.hvp(loss)(w, v))(w, v)
    close(optimize(hvp)(w, v), pg.hvp(loss)(w, v))
    assert len(optimize(hvp).eqns) <= len(hvp.eqns)


def test_render_needs_graphviz(numpy_backend, tmp_path):
    g = pg.make_graph(f)(np.ones(3))
    if importlib.util.find_spec("graphviz") is None:
        with pytest.raises(ImportError, match="graphviz"):
            g.render(str(tmp_path / "g"))
        return
    if shutil.which("dot") is None:
        pytest.skip("Graphviz's dot program is not installed")
    assert Path(g.render(str(tmp_path / "g"))).exists()


# -- pg.jit's replay -------------------------------------------------------------------------------
def test_replay_on_every_backend_traces_once(backend):
    calls = []

    def loss(w, x):
        calls.append(1)
        return np.sum(np.tanh(x @ w) ** 2)
    step = pg.jit(pg.value_and_grad(loss), compiler="replay")
    x = np.asarray([[1.0, 2.0], [3.0, -1.0], [0.5, 0.5]])
    for s in (0.1, 0.2, -0.3):
        w = np.asarray([s, 2 * s])
        got, want = step(w, x), pg.value_and_grad(loss)(w, x)
        close(got[0], want[0])
        close(got[1], want[1])
    assert step.trace_count() == 1 and len(calls) == 1 + 3


def test_a_retrace_warning_names_the_argument_that_changed(numpy_backend):
    jitted = pg.jit(lambda x, y: x + y, retrace_warning=2)
    jitted(np.ones(1), np.ones(1))
    jitted(np.ones(2), np.ones(1))
    with pytest.warns(JitWarning, match=r"traced 3 times.*argument 0: float64\[2\] -> "
                      r"float64\[3\]"):
        jitted(np.ones(3), np.ones(1))
    assert jitted.trace_count() == 3
    with pytest.raises(ValueError, match="compiler must be None"):
        pg.jit(f, compiler="xla")


def test_print_graph_example(numpy_backend, tmp_path, capsys):
    error = _load("print_graph").main(["--out", str(tmp_path / "g")])
    assert error < 1e-12   # the optimised program's gradient against eager grad
    out = capsys.readouterr().out
    assert "= matmul" in out and "= log" in out and "after the passes" in out
    assert (tmp_path / "g.dot").read_text().startswith("digraph polygrad {")


def test_random_draws_are_never_frozen_into_a_program(numpy_backend):
    noisy = lambda x: x + np.random.randn(3)   # noqa: E731
    with pytest.raises(TypeError, match="draw the numbers outside"):
        pg.make_graph(noisy)(np.zeros(3))
    jitted = pg.jit(noisy)
    with pytest.warns(JitWarning, match="running it eagerly"):
        first = jitted(np.zeros(3)).asnumpy()
    assert not numpy.array_equal(first, jitted(np.zeros(3)).asnumpy())   # fresh draws, eagerly


def test_replay_traces_in_several_threads_at_once(numpy_backend):
    import threading

    results, errors = {}, []

    def work(k):
        try:
            with pg.use_backend("numpy"):
                jitted = pg.jit(pg.grad(lambda x: np.sum(np.sin(x * k) ** 2)))
                x = np.linspace(0.0, 1.0, 5)
                results[k] = (jitted(x).asnumpy(),
                              pg.grad(lambda x: np.sum(np.sin(x * k) ** 2))(x).asnumpy())
        except Exception as exc:   # noqa: BLE001   reported below
            errors.append(exc)
    threads = [threading.Thread(target=work, args=(float(k),)) for k in range(1, 5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    for got, want in results.values():
        numpy.testing.assert_allclose(got, want, rtol=1e-12)


def test_a_boolean_mask_of_a_traced_array_raises_instead_of_guessing_a_shape(numpy_backend):
    x = np.asarray([1.0, -2.0, 3.0])
    with pytest.raises(pg.ConcretizationError, match="boolean mask"):
        pg.make_graph(lambda x: np.mean(x[x > 0]))(x)
    with pytest.raises(pg.ConcretizationError, match="boolean mask"):
        pg.jit(lambda x: np.mean(x[x > 0]))(x)
    close(pg.jit(lambda x: np.sum(np.where(x > 0, x, 0.0)))(x), 4.0)
