"""The replay compiler's first call: its kernels run, while tracing, on the caller's arrays (the
traced Python still sees no value), and their results are the call's results, so the program
does not run a second time. Values equal eager ones, including where stand-ins of ones would
be singular, and for outputs that are inputs."""

from __future__ import annotations

import warnings

import numpy
import pytest

import polygrad as pg
import polygrad.numpy as np
from polygrad import _graph
from polygrad.extend import JitWarning


@pytest.fixture(params=["numpy", "strict"])
def replay(request):
    module = {"strict": "array_api_strict"}.get(request.param, request.param)
    pytest.importorskip(module, reason=f"{module} is not installed")
    with pg.use_backend(request.param) as backend, warnings.catch_warnings():
        warnings.simplefilter("error", JitWarning)
        yield backend


def test_the_first_call_does_not_run_the_program(replay, monkeypatch):
    runs = []
    compile_flat = _graph.Graph.compile_flat

    def counted(self):
        run = compile_flat(self)

        def program(*natives):
            runs.append(1)
            return run(*natives)
        return program
    monkeypatch.setattr(_graph.Graph, "compile_flat", counted)
    f = pg.jit(pg.grad(lambda x: np.sum(np.tanh(x) ** 2)))
    x = np.asarray(numpy.linspace(-1.0, 1.0, 5))
    want = pg.grad(lambda x: np.sum(np.tanh(x) ** 2))(x)
    numpy.testing.assert_allclose(f(x).asnumpy(), want.asnumpy(), rtol=1e-12)
    assert runs == []          # computed while tracing
    numpy.testing.assert_allclose(f(x).asnumpy(), want.asnumpy(), rtol=1e-12)
    assert runs == [1]


def test_first_call_values_come_from_the_callers_arrays(replay):
    a = np.asarray([[2.0, 1.0], [1.0, 3.0]])   # a matrix of ones would be singular
    f = pg.jit(lambda a, b: (np.linalg.solve(a, b), a, b * 2.0))
    b = np.asarray([1.0, 2.0])
    x, same, twice = f(a, b)
    numpy.testing.assert_allclose(x.asnumpy(), numpy.linalg.solve(a.asnumpy(), b.asnumpy()))
    assert numpy.array_equal(same.asnumpy(), a.asnumpy())
    assert numpy.array_equal(twice.asnumpy(), [2.0, 4.0])
    x2, _, _ = f(a, np.asarray([0.0, 1.0]))
    numpy.testing.assert_allclose(x2.asnumpy(), numpy.linalg.solve(a.asnumpy(), [0.0, 1.0]))


def test_buffer_reuse_overwrites_a_matmul_result():
    from polygrad._graph import reuse

    with pg.use_backend("numpy"):
        def h(x, w, b):
            return np.maximum(x @ w + b, 0.0)   # the sum may take the product's buffer
        x = np.asarray(numpy.arange(6.0).reshape(2, 3) - 2.0)
        w = np.asarray(numpy.linspace(-1.0, 1.0, 12).reshape(3, 4))
        b = np.asarray(numpy.linspace(0.0, 0.3, 4))
        g = reuse(pg.make_graph(h)(x, w, b))
        assert [(e.prim.name, e.inplace is not None) for e in g.eqns] == [
            ("matmul", False), ("add", True), ("maximum", True)]
        numpy.testing.assert_allclose(g(x, w, b).asnumpy(), h(x, w, b).asnumpy())
        numpy.testing.assert_array_equal(x.asnumpy(), numpy.arange(6.0).reshape(2, 3) - 2.0)
