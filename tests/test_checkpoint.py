"""``pg.checkpoint``: the function's derivatives with respect to everything it reads — its
arguments and the arrays it closes over (tracers of the current or an outer derivative, arrays
with ``attach_grad()``) — with ``grad``, ``vjp``, the tape and to higher order, on every backend;
the forward pass still runs again in the backward pass; what cannot be supported raises.

Oracles: closed forms, and the same function without ``checkpoint`` checked against central
differences (``check_grads``).
"""

from __future__ import annotations

import numpy
import pytest

import polygrad as pg
import polygrad.numpy as np
from polygrad.testing import check_grads

from conftest import ALL_BACKENDS, assert_close


@pytest.fixture(params=ALL_BACKENDS + ("dask",))
def any_backend(request):
    """Each backend in turn, float64 where it has it; skipped, saying why, where unavailable."""
    if request.param == "dask":
        pytest.importorskip("dask.array", reason="the dask backend needs dask[array]")
    try:
        context = pg.use_backend(request.param)
        backend = context.__enter__()
    except pg.BackendUnavailable as exc:
        pytest.skip(f"backend {request.param} not installed/available: {exc}")
    try:
        yield backend
    finally:
        context.__exit__(None, None, None)


def arr(values):
    return np.asarray(values, dtype=np.float64 if pg.get_backend().supports_float64 else None)


# -- closures: the two examples --------------------------------------------------------
def test_a_closed_over_argument_tracer_gets_its_derivative(any_backend):
    # f(x) = x · x
    g = pg.grad(lambda x: pg.checkpoint(lambda y: y * x)(x))(arr(3.0))
    assert_close(g, 6.0)


def _mlp_closed_form(p, x):
    """d/dp of sum(tanh(tanh(x W1) W2)), backpropagated by hand in NumPy."""
    w1, w2, x = (numpy.asarray(v, dtype=numpy.float64) for v in (p["W1"], p["W2"], x))
    h = numpy.tanh(x @ w1)
    out = numpy.tanh(h @ w2)
    d_out = 1 - out ** 2
    d_h = (d_out @ w2.T) * (1 - h ** 2)
    return {"W1": x.T @ d_h, "W2": h.T @ d_out}


def _mlp_problem():
    rng = numpy.random.default_rng(7)
    p = {"W1": arr(rng.standard_normal((3, 4))), "W2": arr(rng.standard_normal((4, 2)))}
    return p, arr(rng.standard_normal((5, 3)))


def test_a_checkpointed_layer_gives_its_closed_over_weights_their_gradient(any_backend):
    p, x = _mlp_problem()

    def loss(p, x):
        h = np.tanh(x @ p["W1"])
        return np.sum(pg.checkpoint(lambda h: np.tanh(h @ p["W2"]))(h))
    g = pg.grad(loss)(p, x)
    want = _mlp_closed_form(p, x)
    assert_close(g["W2"], want["W2"])
    assert_close(g["W1"], want["W1"])


def test_the_tape_gives_closed_over_attach_grad_arrays_their_gradient(any_backend):
    p, x = _mlp_problem()
    for w in p.values():
        w.attach_grad()
    with pg.record():
        h = np.tanh(x @ p["W1"])
        y = np.sum(pg.checkpoint(lambda h: np.tanh(h @ p["W2"]))(h))
    y.backward()
    want = _mlp_closed_form(p, x)
    assert_close(p["W2"].grad, want["W2"])
    assert_close(p["W1"].grad, want["W1"])


def test_the_tape_with_an_attach_grad_argument_and_closure(any_backend):
    w, v = arr([0.5, -1.0]), arr([2.0, 3.0])
    w.attach_grad()
    v.attach_grad()
    with pg.record():
        y = np.sum(pg.checkpoint(lambda a: np.sin(a) * v)(w))
    y.backward()
    assert_close(w.grad, numpy.cos([0.5, -1.0]) * [2.0, 3.0])
    assert_close(v.grad, numpy.sin([0.5, -1.0]))


def test_vjp_through_a_closure(any_backend):
    x, w = arr([0.3, 1.2]), arr([2.0, -1.0])
    _, pull = pg.vjp(lambda x, w: pg.checkpoint(lambda y: np.exp(y) * w)(x), x, w)
    gx, gw = pull(arr([1.0, 10.0]))
    assert_close(gx, numpy.exp([0.3, 1.2]) * [2.0, -10.0])
    assert_close(gw, numpy.exp([0.3, 1.2]) * [1.0, 10.0])


# -- higher order --------------------------------------------------------------------------------
def test_grad_of_grad_through_a_closure(any_backend):
    # f(x) = x sin x: f'' = 2 cos x - x sin x
    f = lambda x: pg.checkpoint(lambda y: np.sin(y) * x)(x)  # noqa: E731
    assert_close(pg.grad(pg.grad(f))(arr(0.7)), 2 * numpy.cos(0.7) - 0.7 * numpy.sin(0.7))
    assert_close(pg.grad(pg.grad(pg.grad(f)))(arr(0.7)),
                 -3 * numpy.sin(0.7) - 0.7 * numpy.cos(0.7))


def test_mixed_partials_with_closures_from_the_outer_and_the_inner_derivative(any_backend):
    # f(w, x) = sin(x) w²: d/dw d/dx f = 2 w cos x, whichever derivative is inner
    def inner_x(w):
        return pg.grad(lambda x: pg.checkpoint(lambda y: np.sin(y) * w * w)(x))(arr(0.4))

    def inner_w(x):
        return pg.grad(lambda w: pg.checkpoint(lambda y: np.sin(y) * w * w)(x))(arr(1.5))
    assert_close(pg.grad(inner_x)(arr(1.5)), 2 * 1.5 * numpy.cos(0.4))
    assert_close(pg.grad(inner_w)(arr(0.4)), 2 * 1.5 * numpy.cos(0.4))


def test_hessian_vector_product_through_a_closure(any_backend):
    # f(x) = sum(x² · sin(x)) with the sin inside the checkpoint, x² closed over
    x, v = arr([0.3, -0.8]), arr([1.0, 2.0])
    f = lambda x: np.sum(pg.checkpoint(lambda y: np.sin(y) * x * x)(x))  # noqa: E731
    xs = numpy.asarray([0.3, -0.8])
    h = 2 * numpy.sin(xs) + 4 * xs * numpy.cos(xs) - xs ** 2 * numpy.sin(xs)
    assert_close(pg.hvp(f)(x, v), h * [1.0, 2.0])


def test_finite_differences_agree_to_second_order_with_closures(numpy_backend):
    def f(x, w):
        return np.sum(pg.checkpoint(lambda y: np.tanh(y @ w) * np.sum(w))(np.sin(x)))
    rng = numpy.random.default_rng(3)
    check_grads(f, modes=("rev",), order=2)(np.asarray(rng.standard_normal((2, 3))),
                                            np.asarray(rng.standard_normal((3, 2))))


# -- still a checkpoint; clear limits ------------------------------------------------------------
def test_the_forward_pass_still_runs_again_in_the_backward_pass(numpy_backend):
    calls = []
    w = np.asarray([1.0, 2.0])

    def block(y):
        calls.append(1)
        return np.sin(y) * w

    g = pg.grad(lambda x, w: np.sum(pg.checkpoint(lambda y: block(y) * w)(x)), argnum=[0, 1])
    gx, gw = g(np.asarray([0.5, 1.0]), w)
    assert len(calls) == 2
    numpy.testing.assert_allclose(gx.asnumpy(), numpy.cos([0.5, 1.0]) * [1.0, 2.0] * [1.0, 2.0])
    # the lambda's w is the tracer; block's w is the concrete array it closes over
    numpy.testing.assert_allclose(gw.asnumpy(), numpy.sin([0.5, 1.0]) * [1.0, 2.0])


def test_a_function_reading_other_arrays_when_recomputed_is_refused(numpy_backend):
    def f(a, b):
        seen = []

        def block(y):
            seen.append(1)
            return y * (a if len(seen) == 1 else b)
        return np.sum(pg.checkpoint(block)(a))
    with pytest.raises(pg.DifferentiationError, match="checkpoint.*did not read"):
        pg.grad(f, argnum=[0, 1])(np.asarray(1.0), np.asarray(2.0))


def test_writing_into_a_closed_over_tracer_is_refused(numpy_backend):
    def f(x):
        z = x * 1.0

        def block(y):
            z[...] = y
            return y * 2.0
        return pg.checkpoint(block)(x) + z
    with pytest.raises(pg.DifferentiationError, match="checkpoint.*writes into"):
        pg.grad(f)(np.asarray(1.0))


def test_nested_checkpoints_closing_over_the_same_array_to_second_order(numpy_backend):
    def f(x, w):
        layer = pg.checkpoint(lambda h: np.tanh(h * w))
        block = pg.checkpoint(lambda h: np.sin(layer(layer(h)) * w + 1.0))
        return np.sum(block(block(x)))
    check_grads(f, modes=("rev",), order=3)(np.asarray([0.3, -0.7]), np.asarray([1.1, 0.4]))
