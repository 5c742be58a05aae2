"""``pg.jit(dynamic_axes=...)``: one traced program serves every size of the marked axes.

On the replay compiler (numpy, array-api-strict, Dask; ``compiler="replay"`` on JAX and torch) the
trace count stays 1 across batch sizes and the values equal eager ones; comparisons on a size are
guards (a size that fails one gets its own program); a program that depends on a size otherwise
than through shapes (a Python loop over ``range(n)``) is detected and traced once per size, with a
warning. On torch the replay program goes to ``torch.compile(dynamic=True)`` (replaced by a
recorder here, so that no test spends seconds in TorchInductor); on JAX a warning says that
``jax.jit`` retraces per shape.
"""

from __future__ import annotations

import warnings

import numpy
import pytest

import polygrad as pg
import polygrad.numpy as np
import polygrad.special as special
from polygrad.extend import JitWarning

REPLAY = ["numpy", "strict", "dask"]


def _module(name):
    return {"strict": "array_api_strict"}.get(name, name)


@pytest.fixture(params=REPLAY)
def replay(request):
    """A backend whose pg.jit is the replay compiler; any JitWarning is an error."""
    pytest.importorskip(_module(request.param), reason=f"{request.param} is not installed")
    with pg.use_backend(request.param) as backend, warnings.catch_warnings():
        warnings.simplefilter("error", JitWarning)
        yield backend


def loss(params, x, y):
    """Mean softmax cross-entropy of a small ReLU MLP: the mean reads the batch size."""
    w1, b1, w2, b2 = params
    h = np.maximum(x @ w1 + b1, 0.0)
    z = h @ w2 + b2
    return -np.mean(np.sum(special.log_softmax(z, axis=1) * y, axis=1))


def _problem(n, seed=0):
    rng = numpy.random.default_rng(seed)
    params = [np.asarray(rng.standard_normal(s)) for s in [(5, 7), (7,), (7, 3), (3,)]]
    x = np.asarray(rng.standard_normal((n, 5)))
    y = np.asarray(numpy.eye(3)[rng.integers(0, 3, n)])
    return params, x, y


def _assert_same(got, want):
    for p, q in zip(got, want):
        numpy.testing.assert_allclose(p.asnumpy(), q.asnumpy(), rtol=1e-12, atol=1e-13)



def test_one_trace_serves_every_batch_size(replay):
    step = pg.jit(pg.grad(loss), dynamic_axes={1: 0, 2: 0})
    for n in [8, 5, 8, 1, 13]:
        params, x, y = _problem(n, seed=n)
        _assert_same(step(params, x, y), pg.grad(loss)(params, x, y))
        assert step.trace_count() == 1, n


def test_the_program_reads_the_size_from_its_input(replay):
    pg.jit(lambda x: np.sum(x) / x.shape[0], dynamic_axes={0: 0})(np.ones((4, 3)))
    from polygrad._compiler import replay_compiler
    graph = replay_compiler(replay).last
    assert "[s0,3]" in str(graph)
    assert "s0 = " in graph.source() and "divide" in str(graph)


def test_dynamic_axes_of_every_array_in_a_pytree_argument(replay):
    f = pg.jit(lambda batch: np.sum(batch["x"] * batch["w"][:, None]) / batch["x"].shape[0],
               dynamic_axes={0: 0})
    for n in [6, 2, 9]:
        batch = {"x": np.asarray(numpy.arange(3.0 * n).reshape(n, 3)),
                 "w": np.asarray(numpy.linspace(0, 1, n))}
        want = numpy.sum(numpy.arange(3.0 * n).reshape(n, 3) * numpy.linspace(0, 1, n)[:, None]) / n
        assert abs(float(f(batch)) - want) < 1e-12
    assert f.trace_count() == 1


def test_axes_of_different_sizes_are_different_sizes(replay):
    f = pg.jit(lambda a, b: np.sum(a) * b.shape[0] + np.sum(b) * a.shape[0],
               dynamic_axes={0: 0, 1: 0})
    for n, m in [(4, 6), (3, 7), (5, 2)]:
        a, b = numpy.arange(float(n)), numpy.arange(float(m)) ** 2
        got = float(f(np.asarray(a), np.asarray(b)))
        assert abs(got - (a.sum() * m + b.sum() * n)) < 1e-9
    assert f.trace_count() == 1
    f(np.ones(4), np.ones(4))   # equal sizes: one size, so another program
    assert f.trace_count() == 2


def test_a_comparison_on_a_size_is_a_guard(replay):
    def f(x):
        n = x.shape[0]
        return np.sum(x) * 2.0 if n > 4 else np.sum(x) * 3.0

    g = pg.jit(f, dynamic_axes={0: 0})
    assert float(g(np.ones(6))) == 12.0
    assert float(g(np.ones(9))) == 18.0
    assert g.trace_count() == 1
    assert float(g(np.ones(3))) == 9.0   # the guard n > 4 fails: a program for this size
    assert g.trace_count() == 2


def test_a_python_loop_over_the_size_is_caught_and_traced_per_size(replay):
    def f(x):
        total = 0.0
        for i in range(x.shape[0]):   # unrolls to n primitives: not one program for all n
            total = total + x[i] * (i + 1)
        return total

    warnings.simplefilter("ignore", JitWarning)
    with pytest.warns(JitWarning, match="depends on the sizes of its dynamic axes"):
        g = pg.jit(f, dynamic_axes={0: 0})
        assert float(g(np.ones(3))) == 6.0
    assert float(g(np.ones(4))) == 10.0   # right, from its own program
    assert float(g(np.ones(2))) == 3.0


def test_a_size_fixed_with_int_gets_its_own_program(replay):
    g = pg.jit(lambda x: np.sum(x) + float(int(x.shape[0])), dynamic_axes={0: 0})
    warnings.simplefilter("ignore", JitWarning)
    assert float(g(np.ones(3))) == 6.0
    assert float(g(np.ones(5))) == 10.0


def test_bad_dynamic_axes_name_the_argument():
    with pytest.raises(TypeError, match="dynamic_axes must be a dict"):
        pg.jit(lambda x: x, dynamic_axes=[0])
    with pytest.raises(TypeError, match="an axis"):
        pg.jit(lambda x: x, dynamic_axes={0: "batch"})
    with pytest.raises(ValueError, match="static_argnums and in dynamic_axes"):
        pg.jit(lambda x, n: x, static_argnums=1, dynamic_axes={1: 0})
    with pytest.raises(ValueError, match="axis 2 of argument 0"):
        pg.jit(lambda x: x, dynamic_axes={0: 2})(np.ones((2, 3)))
    with pytest.raises(ValueError, match="names argument 3"):
        pg.jit(lambda x: x, dynamic_axes={3: 0})(np.ones((2, 3)))


def test_replay_on_jax_serves_every_size():
    pytest.importorskip("jax", reason="jax is not installed")
    with pg.use_backend("jax"):
        step = pg.jit(pg.grad(loss), dynamic_axes={1: 0, 2: 0}, compiler="replay")
        for n in [4, 6]:
            params, x, y = _problem(n, seed=n)
            _assert_same(step(params, x, y), pg.grad(loss)(params, x, y))
        assert step.trace_count() == 1


def test_jax_jit_retraces_per_shape_and_says_so():
    pytest.importorskip("jax", reason="jax is not installed")
    with pg.use_backend("jax"):
        f = pg.jit(lambda x: np.sum(x * 2.0), dynamic_axes={0: 0})
        with pytest.warns(JitWarning, match="one program per shape"):
            f(np.ones(3))
        assert float(f(np.ones(4))) == 8.0
        assert f.trace_count() == 2


def test_torch_hands_the_replay_program_to_torch_compile_dynamic(monkeypatch):
    torch = pytest.importorskip("torch", reason="torch is not installed")
    seen = []

    def fake_compile(fn, **kwargs):
        seen.append(kwargs)
        return fn
    monkeypatch.setattr(torch, "compile", fake_compile)
    with pg.use_backend("torch"), warnings.catch_warnings():
        warnings.simplefilter("error", JitWarning)
        step = pg.jit(pg.grad(loss), dynamic_axes={1: 0, 2: 0})
        for n in [6, 4, 9]:
            params, x, y = _problem(n, seed=n)
            _assert_same(step(params, x, y), pg.grad(loss)(params, x, y))
        assert step.trace_count() == 1
    assert seen == [{"dynamic": True}]


def test_sizes_carry_their_expression_and_record_guards():
    from polygrad._sizes import Sizes, SymFloat, SymInt, current, evaluate

    n = SymInt(6, "s0")
    values = {"s0": 11}
    for got, want in [(n * 784, 11 * 784), (abs(n - 9) * 2 + 1, 5), (n // 4, 2), (n % 4, 3),
                      (1 * n, 11), (3 - n, -8), (-n, -11)]:
        assert isinstance(got, SymInt) and evaluate(got.expr, values) == want, got
    q = 1 / n
    assert isinstance(q, SymFloat) and evaluate(q.expr, values) == 1 / 11
    sizes = Sizes({"s0": 6})
    token = current.set(sizes)
    try:
        assert n > 4 and not n == 3 and n * 2 == n + n
        assert int(n) == 6
    finally:
        current.reset(token)
    # the same expression is the same size; different ones are compared, and that is a guard
    assert sizes.guards == ["(s0 > 4)", "not (s0 == 3)", "((s0 * 2) == (s0 + s0))", "(s0 == 6)"]
