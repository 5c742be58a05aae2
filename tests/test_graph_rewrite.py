"""The rewriting passes of ``polygrad._graph``: ``masks`` (the ReLU backward pass as a product
with a mask made in the forward pass) and ``simplify`` (elementwise algebra: fused rules lowered,
power-of-two scales carried, commuted operands shared).

Each is checked against the program without it, bit for bit (``assert_array_equal`` also takes
-0.0 and 0.0 as equal, the one difference ``simplify`` documents), and on NaN, infinities and
exact ties where they matter.
"""

from __future__ import annotations

import warnings

import numpy
import pytest

import polygrad as pg
import polygrad.numpy as np
import polygrad.special as special
from polygrad._graph import Var, masks, optimize
from polygrad.extend import JitWarning

WITHOUT_MASKS = ("fold", "cse", "dce", "reuse")


def run(graph, *args):
    out = graph(*args)
    return [numpy.asarray(o.asnumpy()) for o in (out if isinstance(out, (list, tuple)) else [out])]


def same(got, want):
    for a, b in zip(got, want):
        assert a.dtype == b.dtype and a.shape == b.shape
        numpy.testing.assert_array_equal(a, b)


def mlp_loss(ps, x, y):
    h = x
    for i in range(0, len(ps) - 2, 2):
        h = np.maximum(h @ ps[i] + ps[i + 1], 0.0)
    z = h @ ps[-2] + ps[-1]
    return -np.sum(y * special.log_softmax(z, axis=1)) / x.shape[0]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_masks_keep_an_mlp_gradient_bit_for_bit(numpy_backend, dtype):
    rng = numpy.random.default_rng(1)
    sizes = (6, 8, 8, 3)
    ps = []
    for m, n in zip(sizes[:-1], sizes[1:]):
        ps += [np.asarray(rng.standard_normal((m, n)).astype(dtype)),
               np.asarray(rng.standard_normal(n).astype(dtype))]
    x = rng.standard_normal((5, 6)).astype(dtype)
    x[0] = 0.0   # exact ties at the first layer's ReLU (where its bias is 0 too)
    ps[1] = np.asarray(numpy.where(numpy.arange(8) < 3, 0.0, ps[1].asnumpy()).astype(dtype))
    x, y = np.asarray(x), np.asarray(numpy.eye(3, dtype=dtype)[[0, 2, 1, 1, 0]])
    graph = pg.make_graph(pg.grad(mlp_loss))(ps, x, y)
    with_masks = optimize(graph)
    names = [e.prim.name for e in with_masks.eqns]
    assert "select_extremum" not in names and names.count("extremum_weight") == 2
    in_place = [e.prim.name for e in with_masks.eqns if e.inplace is not None]
    assert in_place.count("maximum") == 2   # x is dead after the forward pass's maximum
    same(run(with_masks, ps, x, y), run(optimize(graph, WITHOUT_MASKS), ps, x, y))
    same(run(with_masks, ps, x, y), [numpy.asarray(g.asnumpy())
                                     for g in pg.grad(mlp_loss)(ps, x, y)])


@pytest.mark.parametrize("larger", [True, False])
def test_masks_on_ties_nan_and_infinities(numpy_backend, larger):
    extremum = np.maximum if larger else np.minimum
    x = np.asarray([-2.0, 0.0, 0.0, numpy.nan, numpy.inf, -numpy.inf, 3.0, -0.0])
    other = np.asarray([1.0, 0.0, -1.0, 0.0, numpy.inf, 0.0, numpy.nan, 0.0])
    g = np.asarray([1.5, -2.0, 3.0, 4.0, 5.0, -6.0, 7.0, numpy.inf])

    def f(x, other, g):   # the cotangent g through maximum(x, other) and maximum(x, 0.5)
        return pg.vjp(lambda x, o: extremum(x, o) + extremum(x * 1.0, 0.0), x, other)[1](g)
    graph = pg.make_graph(f)(x, other, g)
    done = masks(optimize(graph, ("dce",)))
    assert [e.prim.name for e in done.eqns].count("extremum_weight") == 3
    with numpy.errstate(invalid="ignore"):   # inf * 0 where a weight is 0, as in the kernel
        same(run(optimize(done, ("reuse",)), x, other, g), run(graph, x, other, g))
        same(run(optimize(graph), x, other, g), run(graph, x, other, g))


def test_masks_leave_other_backends_alone():
    pytest.importorskip("array_api_strict", reason="array_api_strict is not installed")
    with pg.use_backend("strict"):
        x = np.asarray([1.0, -1.0])
        graph = pg.make_graph(pg.grad(lambda x: np.sum(np.maximum(x, 0.0))))(x)
        assert [e.prim.name for e in masks(graph).eqns] == [e.prim.name for e in graph.eqns]


def test_jit_runs_the_masked_program(numpy_backend):
    x = np.asarray(numpy.linspace(-1, 1, 9).reshape(3, 3))
    with warnings.catch_warnings():
        warnings.simplefilter("error", JitWarning)
        step = pg.jit(pg.grad(lambda w: np.sum(np.maximum(x @ w, 0.0) ** 2)))
        w = np.asarray(numpy.eye(3))
        for _ in range(2):
            same([step(w).asnumpy()], [pg.grad(lambda w: np.sum(
                np.maximum(x @ w, 0.0) ** 2))(w).asnumpy()])


# -- one _split for make_graph and pg.jit ---------------------------------------------------------
def test_make_graph_of_arrays_on_two_backends_says_so():
    pytest.importorskip("array_api_strict", reason="array_api_strict is not installed")
    from polygrad._trace import MixedBackendError

    with pg.use_backend("strict"):
        b = np.ones(3)
    a = np.ones(3)
    with pytest.raises(MixedBackendError, match=r"polygrad.make_graph: its arguments live on two "
                       r"backends or devices, 'numpy:cpu' and 'strict:cpu'"):
        pg.make_graph(lambda a, b: a + b)(a, b)
    with pytest.raises(MixedBackendError, match="polygrad.numpy.add: its arguments live on two"):
        pg.jit(lambda a, b: a + b)(a, b)   # (run eagerly, which says so)


# -- simplify -------------------------------------------------------------------------------------
def _nested(f, order):
    for _ in range(order):
        f = pg.elementwise_grad(f)
    return f


def _points(backend_name, dtype="float64"):
    x = numpy.concatenate([numpy.linspace(-4, 4, 41), [0.0, -0.0, 1e-300, -25.0, 30.0]])
    return np.asarray(x.astype(dtype))


def host_bits(out):
    return [numpy.asarray(o.asnumpy() if hasattr(o, "asnumpy") else o)
            for o in (out if isinstance(out, (list, tuple)) else [out])]


@pytest.mark.parametrize("order", [1, 2, 3, 4, 5])
def test_simplify_keeps_derivatives_of_tanh_bit_for_bit(backend, order):
    f = _nested(np.tanh, order)
    x = _points(backend)
    graph = pg.make_graph(f)(x)
    before = optimize(graph, ("fold", "cse", "dce", "reuse"))
    after = optimize(graph)
    same(host_bits(after(x)), host_bits(before(x)))
    same(host_bits(after(x)), host_bits(f(x)))   # and the eager derivative
    assert passes(after) <= passes(before)


def passes(graph):
    """The passes over the array a program makes: one per kernel, except the fused tanh rules,
    which make one per product or difference inside them."""
    n = 0
    for e in graph.eqns:
        arrays = sum(1 for v in e.invars if type(v) is Var)
        if e.prim.name == "tanh_backward":
            n += 2 + (arrays == 2)
        elif e.prim.name == "tanh_backward_dy":
            n += arrays
        else:
            n += 1
    return n


def test_simplify_shortens_the_fourth_derivative_of_tanh(numpy_backend):
    graph = pg.make_graph(_nested(np.tanh, 4))(np.ones(7))
    before = optimize(graph, ("fold", "cse", "dce", "reuse"))
    after = optimize(graph)
    # tanh's fused rules lowered to products and differences, the factors -2 carried, and
    # t (1 - t t) shared: 13 one-pass kernels where there were 15 calls making 23 passes
    assert [e.prim.name for e in before.eqns].count("tanh_backward_dy") == 8
    assert {e.prim.name for e in after.eqns} == {"tanh", "multiply", "subtract", "add"}
    assert len(after.eqns) == passes(after) == 13 and passes(before) == 23


def test_simplify_carries_powers_of_two_and_shares_commuted_operands(numpy_backend):
    def h(x, y):
        a = (x * 2.0) * (y * -4.0)     # one product, the factor -8 carried
        b = (y * x) * 0.5              # the same product, commuted
        c = np.negative(-(x * 1.0))    # no pass at all
        d = (2.0 / (x * 4.0)) / (y / 0.25) - c / 8.0
        return a + b, c * 3.0, np.sin(a), d
    x, y = np.asarray([0.5, -1.5, 3.0, 0.5]), np.asarray([2.0, 0.25, -0.0, 7.0])
    graph = pg.make_graph(h)(x, y)
    after = optimize(graph)
    names = [e.prim.name for e in after.eqns]
    assert len(after.eqns) < len(graph.eqns) and "negative" not in names and \
        names.count("divide") == 2   # 2 / x and that by y: the factors 4, 4 and 8 carried
    assert sum(1 for e in after.eqns if e.prim.name == "multiply" and
               all(type(v) is Var for v in e.invars)) == 1   # x * y once
    with numpy.errstate(divide="ignore"):   # (by y's -0.0: -inf, both ways)
        same(host_bits(after(x, y)), host_bits(h(x, y)))


def test_simplify_leaves_integers_broadcasts_and_other_scalars_as_written(numpy_backend):
    def h(i, x, row):
        return i * 2 - i, (x * 3.0) * 3.0 + row, (x + 1.0) * 0.5
    i = np.asarray([1, 2, 3])
    x, row = np.asarray([[1.0, 2.0], [3.0, 4.0]]), np.asarray([0.5, -0.5])
    graph = pg.make_graph(h)(i, x, row)
    after = optimize(graph)
    same(host_bits(after(i, x, row)), host_bits(h(i, x, row)))
    assert [e.prim.name for e in after.eqns if e.invars[0] is graph.inputs[0]] == \
        ["multiply"]   # integers untouched


# -- pg.jit's fast path for calls with concrete Arrays only ----------------------------------------
_SCALE = None


def _scaled_sum(x):
    return np.sum(x * _SCALE)


def test_the_fast_path_serves_each_signature_and_reads_closures_at_each_call(numpy_backend):
    global _SCALE
    _SCALE = np.asarray([1.0, 2.0])
    f = pg.jit(_scaled_sum)
    a, b = np.asarray([1.0, 1.0]), np.asarray([[1.0, 1.0]])
    assert float(f(a)) == 3.0 and float(f(a)) == 3.0
    assert float(f(b)) == 3.0 and f.trace_count() == 2
    _SCALE = np.asarray([10.0, 20.0])   # a rebound global: read again, same program
    assert float(f(a)) == 30.0 and float(f(b)) == 30.0 and f.trace_count() == 2
    _SCALE = np.asarray([1.0, 2.0, 3.0])   # another closed-over shape: another program
    assert float(f(np.ones(3))) == 6.0 and f.trace_count() == 3
    assert float(f(np.ones(3, dtype="float32"))) == 6.0 and f.trace_count() == 4


def test_the_fast_path_writes_an_in_place_update_back(numpy_backend):
    def bump(x):
        x[0] = x[0] + 1.0
        return x * 2.0
    f = pg.jit(bump)
    x = np.asarray([1.0, 5.0])
    for k in range(3):
        out = f(x)
        assert x.tolist() == [2.0 + k, 5.0] and out.tolist() == [4.0 + 2 * k, 10.0]
    assert f.trace_count() == 1


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_simplify_through_pg_jit_bit_for_bit(numpy_backend, dtype):
    f = _nested(np.tanh, 4)
    x = _points("numpy", dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error", JitWarning)
        jitted = pg.jit(f)
        first, second = jitted(x), jitted(x)   # (the first call's results come from the trace)
    assert second.dtype == x.dtype
    same(host_bits(first), host_bits(f(x)))
    same(host_bits(second), host_bits(f(x)))
