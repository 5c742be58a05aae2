"""Traces and ``bind``: nesting levels, no perturbation confusion, concrete fallback, backends."""

from __future__ import annotations

import threading

import numpy
import pytest

import polygrad as pg
import polygrad.numpy as np
from polygrad_backends.numpy_backend import NumpyBackend

pytestmark = pytest.mark.usefixtures("numpy_backend")


# -- nested traces never confuse their perturbations -------------------------------------------
def test_inner_grad_of_closure_does_not_differentiate_the_outer_variable():
    # d/dy (x + y) = 1 whatever x is, so the outer function is x * 1 and its derivative is 1
    assert float(pg.grad(lambda x: x * pg.grad(lambda y: x + y)(1.0))(2.0)) == 1.0


def test_inner_grad_that_depends_on_the_outer_variable_is_differentiated_once():
    # inner: d/dy (x y) = x, so the outer function is x * x, whose derivative at 3 is 6
    assert float(pg.grad(lambda x: x * pg.grad(lambda y: x * y)(1.0))(3.0)) == 6.0


def test_inner_grad_evaluated_at_the_outer_variable():
    # inner: d/dy x y² = 2 x y; at y = x this is 2 x², whose derivative at 2 is 8
    assert float(pg.grad(lambda x: pg.grad(lambda y: x * y * y)(x))(2.0)) == 8.0


def test_nested_jvp_keeps_tangents_apart():
    out, tangent = pg.jvp(lambda x: x * pg.jvp(lambda y: x + y, (1.0,), (1.0,))[1],
                          (2.0,), (1.0,))
    assert float(out) == 2.0 and float(tangent) == 1.0


def test_grad_of_jvp_inside_keeps_levels_apart():
    # inner: directional derivative of x y² along 1 at y = x is 2 x², derivative 4x at 3 = 12
    g = pg.grad(lambda x: pg.jvp(lambda y: x * y ** 2, (x,), (1.0,))[1])(3.0)
    assert float(g) == 12.0


def test_jvp_of_inner_grad_closure_is_not_confused():
    # inner: d/dy (x y)= x; outer function x * x; its tangent along 1 at 2 is 4
    _, tangent = pg.jvp(lambda x: x * pg.grad(lambda y: x * y)(1.0), (2.0,), (1.0,))
    assert float(tangent) == 4.0


def test_each_trace_gets_a_higher_level_than_the_one_it_is_nested_in():
    levels = []

    def inner(y):
        levels.append(y._trace.level)
        return y * y

    def outer(x):
        levels.append(x._trace.level)
        return pg.grad(inner)(x)
    pg.grad(outer)(1.0)
    assert levels[0] < levels[1]


# -- tracers and concrete values ---------------------------------------------------------------
def test_primitive_on_concrete_arrays_runs_without_a_trace():
    y = np.sin(np.asarray([0.0, 1.0]))
    assert y._trace is None
    numpy.testing.assert_allclose(y.asnumpy(), numpy.sin([0.0, 1.0]))


def test_tracer_leaked_out_of_grad_acts_as_its_value():
    leaked = []

    def f(x):
        leaked.append(x * 3.0)
        return x * x
    pg.grad(f)(2.0)
    after = leaked[0] + 1.0
    assert float(after) == 7.0
    assert float(pg.grad(lambda y: y * leaked[0])(5.0)) == 6.0


def test_tracer_leaked_out_of_an_inner_grad_acts_as_its_value_for_the_outer_one():
    # the leaked x * w is, once the inner grad has ended, x0 * w with w the outer tracer
    def outer(w):
        leaked = []

        def inner(x):
            leaked.append(x * w)
            return x * x
        pg.grad(inner)(np.asarray(2.0))
        return leaked[0] * w + np.sin(leaked[0])
    # d/dw (2 w² + sin(2 w)) = 4 w + 2 cos(2 w)
    assert float(pg.grad(outer)(np.asarray(3.0))) == pytest.approx(12.0 + 2 * numpy.cos(6.0))


def test_python_control_flow_sees_concrete_values_while_tracing():
    def f(x):   # a comparison, or the value read on purpose through stop_gradient
        assert (np.sum(x) > 0) == (float(pg.stop_gradient(np.sum(x))) > 0)
        return x ** 2 if np.sum(x) > 0 else -(x ** 3)
    assert float(pg.grad(f)(2.0)) == 4.0
    assert float(pg.grad(f)(-2.0)) == -12.0


def test_grads_in_several_threads_do_not_interfere():
    results = {}

    def work(k: int) -> None:
        values = []
        for _ in range(20):
            values.append(float(pg.grad(lambda x: x ** 3 * k)(2.0)))
        results[k] = values

    threads = [threading.Thread(target=work, args=(k,)) for k in range(1, 5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == {k: [12.0 * k] * 20 for k in range(1, 5)}


# -- arrays of two backends ----------------------------------------------------------------------
class _TwinBackend(NumpyBackend):
    """A second, separate NumPy backend: lets one process hold arrays of two backends."""

    name = "numpy_twin"


_twin = _TwinBackend()


def test_arrays_of_two_backends_in_one_operation_raise_naming_both():
    a = np.ones(2)
    with pg.use_backend(_twin):
        b = np.ones(2)
    assert b.backend == "numpy_twin"
    with pytest.raises(pg.MixedBackendError, match="add") as info:
        a + b
    assert "numpy:cpu" in str(info.value) and "numpy_twin:cpu" in str(info.value)


def test_mixed_backends_inside_grad_raise_naming_both():
    with pg.use_backend(_twin):
        b = np.ones(2)
    with pytest.raises(pg.MixedBackendError, match="numpy_twin:cpu"):
        pg.grad(lambda x: np.sum(x * b))(np.ones(2))


def test_python_scalars_combine_with_arrays_of_any_backend():
    with pg.use_backend(_twin):
        b = np.ones(2)
    assert (b * 2.0 + 1).tolist() == [3.0, 3.0]
    assert (b * 2.0).backend == "numpy_twin"


def test_unknown_backend_error_says_what_is_installed():
    with pytest.raises(pg.BackendUnavailable, match="numpy"):
        with pg.use_backend("no_such_backend_xyz"):
            pass


@pytest.mark.parametrize("other", ["torch", "jax", "strict"])
def test_arrays_of_numpy_and_another_installed_backend_do_not_mix(other):
    try:
        with pg.use_backend(other):
            b = np.ones(2)
    except pg.BackendUnavailable as exc:
        pytest.skip(f"backend {other} not installed/available: {exc}")
    with pytest.raises(pg.MixedBackendError) as info:
        np.ones(2) + b
    assert "numpy" in str(info.value) and other in str(info.value)
