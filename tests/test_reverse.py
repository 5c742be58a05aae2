"""Reverse mode on the NumPy backend: ``grad`` and ``vjp`` against closed forms and central
differences; arguments, dtypes, broadcasting, in-place updates, indexing, long chains."""

from __future__ import annotations

import time

import numpy
import pytest

import polygrad as pg
import polygrad.numpy as np
from polygrad.extend import defjvp, defvjp, primitive

pytestmark = pytest.mark.usefixtures("numpy_backend")

# 2x with a JVP but no VJP rule
doubled_without_vjp = primitive("test_reverse_no_vjp", lambda xp: lambda x: 2 * x)
defjvp(doubled_without_vjp, lambda t, ans, x: 2 * t)

# 2x whose VJP rule returns a cotangent of shape () whatever the argument's shape
doubled_wrong_vjp_shape = primitive("test_reverse_wrong_shape_vjp", lambda xp: lambda x: 2 * x)
defvjp(doubled_wrong_vjp_shape, lambda g, ans, x: np.sum(g))
defjvp(doubled_wrong_vjp_shape, lambda t, ans, x: 2 * t)


def numeric_grad(f, x, eps: float = 1e-6) -> numpy.ndarray:
    """Central differences of a scalar polygrad function ``f`` at host array ``x``."""
    x = numpy.asarray(x, dtype=numpy.float64)
    out = numpy.zeros_like(x)
    for i in numpy.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[i] += eps
        down[i] -= eps
        out[i] = (float(f(np.asarray(up))) - float(f(np.asarray(down)))) / (2 * eps)
    return out


# -- closed forms --------------------------------------------------------------------------------
def test_grad_of_square_at_4_is_8():
    assert float(pg.grad(lambda x: x ** 2)(4.0)) == 8.0


def test_grad_of_elementwise_expression_matches_closed_form(rng):
    x = rng.standard_normal(5)
    g = pg.grad(lambda x: np.sum(np.sin(x) * np.exp(x)))(np.asarray(x))
    numpy.testing.assert_allclose(g.asnumpy(), numpy.exp(x) * (numpy.sin(x) + numpy.cos(x)),
                                  rtol=1e-12)


def test_grad_of_quadratic_form_is_a_plus_a_transpose_times_x(rng):
    a, x = rng.standard_normal((4, 4)), rng.standard_normal(4)
    g = pg.grad(lambda x: x @ (np.asarray(a) @ x))(np.asarray(x))
    numpy.testing.assert_allclose(g.asnumpy(), (a + a.T) @ x, rtol=1e-12)


def test_grad_matches_central_differences_for_a_composite_function(rng):
    x = rng.uniform(0.5, 1.5, (2, 3))

    def f(x):
        return np.sum(np.log(x) * np.tanh(x @ np.ones((3, 3)))) / np.max(x)
    numpy.testing.assert_allclose(pg.grad(f)(np.asarray(x)).asnumpy(), numeric_grad(f, x),
                                  rtol=1e-6, atol=1e-8)


# -- argnum ------------------------------------------------------------------------------------
def _bar(a, b, c):
    return 3 * a + b ** 2 - c


def test_argnum_int_gives_one_gradient():
    assert float(pg.grad(_bar, argnum=1)(2.0, 3.0, 4.0)) == 6.0


@pytest.mark.parametrize("argnum", [[0, 1, 2], (0, 1, 2)])
def test_argnum_list_or_tuple_gives_a_tuple_in_that_order(argnum):
    grads = pg.grad(_bar, argnum=argnum)(2.0, 3.0, 4.0)
    assert isinstance(grads, tuple)
    assert [float(g) for g in grads] == [3.0, 6.0, -1.0]


def test_argnum_order_is_the_order_asked_for():
    grads = pg.grad(_bar, argnum=[2, 0])(2.0, 3.0, 4.0)
    assert [float(g) for g in grads] == [-1.0, 3.0]


def test_negative_argnum_counts_from_the_last_argument():
    assert float(pg.grad(_bar, argnum=-1)(2.0, 3.0, 4.0)) == -1.0
    assert [float(g) for g in pg.grad(_bar, argnum=(-3, -2))(2.0, 3.0, 4.0)] == [3.0, 6.0]


def test_single_element_argnum_list_still_gives_a_tuple():
    grads = pg.grad(_bar, argnum=[1])(2.0, 3.0, 4.0)
    assert isinstance(grads, tuple) and len(grads) == 1 and float(grads[0]) == 6.0


@pytest.mark.parametrize("argnum", [[0, 0], [1, -2], (2, -1)])
def test_argnum_naming_an_argument_twice_is_an_error(argnum):
    with pytest.raises(ValueError, match="twice"):
        pg.grad(_bar, argnum=argnum)(2.0, 3.0, 4.0)


@pytest.mark.parametrize("argnum", [3, -4, [0, 5]])
def test_argnum_out_of_range_is_an_error(argnum):
    with pytest.raises(ValueError, match="out of range"):
        pg.grad(_bar, argnum=argnum)(2.0, 3.0, 4.0)


def test_argnum_of_wrong_type_is_a_type_error():
    with pytest.raises(TypeError):
        pg.grad(_bar, argnum=1.0)(2.0, 3.0, 4.0)
    with pytest.raises(TypeError, match="argnum"):
        pg.grad(_bar, argnum=[0, "1"])(2.0, 3.0, 4.0)


def test_keyword_arguments_are_passed_through_but_not_differentiated():
    g = pg.grad(lambda x, *, scale: scale * x ** 2)(3.0, scale=np.asarray(5.0))
    assert float(g) == 30.0


# -- has_aux -------------------------------------------------------------------------------------
def test_has_aux_returns_gradient_and_the_aux_value_untraced():
    g, aux = pg.grad(lambda x: (x ** 2, {"doubled": x * 2, "tag": "t"}), has_aux=True)(3.0)
    assert float(g) == 6.0
    assert float(aux["doubled"]) == 6.0 and aux["tag"] == "t"
    assert aux["doubled"]._trace is None


def test_value_and_grad_with_has_aux_returns_value_aux_pair():
    (value, aux), g = pg.value_and_grad(lambda x: (np.sum(x ** 2), x + 1), has_aux=True)(
        np.asarray([1.0, 2.0]))
    assert float(value) == 5.0 and aux.tolist() == [2.0, 3.0] and g.tolist() == [2.0, 4.0]


def test_has_aux_function_not_returning_a_pair_is_a_type_error():
    with pytest.raises(TypeError, match="pair"):
        pg.grad(lambda x: x ** 2, has_aux=True)(3.0)


# -- argument structures and types -----------------------------------------------------------------
def test_gradient_of_nested_dict_list_tuple_argument_mirrors_its_structure():
    params = {"w": np.asarray([1.0, 2.0]), "layers": [(3.0, np.asarray([[1.0]])), 4.0]}

    def f(p):
        (a, m), c = p["layers"]
        return np.sum(p["w"] ** 2) * a + np.sum(m) * c
    g = pg.grad(f)(params)
    assert set(g) == {"w", "layers"}
    assert isinstance(g["layers"], list) and isinstance(g["layers"][0], tuple)
    assert g["w"].tolist() == [6.0, 12.0]                       # 2 w a
    assert float(g["layers"][0][0]) == 5.0                      # sum(w²)
    assert g["layers"][0][1].shape == (1, 1) and g["layers"][0][1].tolist() == [[4.0]]
    assert float(g["layers"][1]) == 1.0                         # sum(m)


def test_python_int_argument_is_promoted_to_the_default_float():
    g = pg.grad(lambda x: x ** 3)(2)
    assert g.dtype == np.float64 and float(g) == 12.0


def test_python_int_argument_follows_set_default_dtype():
    pg.set_default_dtype("float32")
    try:
        g = pg.grad(lambda x: x ** 3)(2)
    finally:
        pg.set_default_dtype(None)
    assert g.dtype == np.float32 and float(g) == 12.0


def test_native_numpy_argument_is_taken_as_an_array():
    g = pg.grad(lambda x: np.sum(x ** 2))(numpy.array([1.0, -2.0]))
    assert type(g) is pg.Array and g.tolist() == [2.0, -4.0]


@pytest.mark.parametrize("library", ["torch", "jax"])
def test_native_array_of_another_library_is_differentiated_on_its_own_backend(library):
    try:
        with pg.use_backend(library):
            pass
    except pg.BackendUnavailable as exc:
        pytest.skip(f"backend {library} not installed/available: {exc}")
    lib = pytest.importorskip(library)
    native = (lib.tensor([1.0, -2.0]) if library == "torch" else lib.numpy.asarray([1.0, -2.0]))
    g = pg.grad(lambda x: np.sum(x ** 2))(native)
    assert g.backend == library
    numpy.testing.assert_allclose(g.asnumpy(), [2.0, -4.0])


def test_gradient_dtype_follows_a_float32_input():
    x = np.asarray([1.0, 2.0], dtype=np.float32)
    g = pg.grad(lambda x: np.sum(x * np.asarray([3.0, 4.0])))(x)   # float64 constant mixed in
    assert g.dtype == np.float32 and g.tolist() == [3.0, 4.0]


@pytest.mark.parametrize("value,dtype", [(numpy.array([1, 2]), "int64"),
                                         (numpy.array([1, 2], dtype=numpy.int32), "int32"),
                                         (numpy.array([True, False]), "bool")])
def test_integer_or_bool_array_argument_is_refused_naming_argument_and_dtype(value, dtype):
    with pytest.raises(TypeError, match=rf"argument 1.*dtype {dtype}"):
        pg.grad(lambda a, b: a * b, argnum=1)(2.0, np.asarray(value))


def test_integer_array_nested_in_a_structure_is_refused():
    with pytest.raises(TypeError, match=r"argument 0.*int64"):
        pg.grad(lambda p: p[0] * 2.0)([np.asarray([1, 2])])


def test_python_bool_or_string_argument_is_refused():
    with pytest.raises(TypeError, match="bool"):
        pg.grad(lambda x: x * 2.0)(True)
    with pytest.raises(TypeError, match="str"):
        pg.grad(lambda x: x * 2.0)("2.0")


def test_non_differentiated_integer_arguments_are_fine():
    g = pg.grad(lambda x, idx: np.sum(x[idx]))(np.asarray([1.0, 2.0, 3.0]),
                                                np.asarray([2, 2]))
    assert g.tolist() == [0.0, 0.0, 2.0]


# -- outputs ---------------------------------------------------------------------------------------
def test_non_scalar_output_is_summed_first(rng):
    x = rng.standard_normal((2, 3))
    g = pg.grad(lambda x: x ** 3)(np.asarray(x))
    numpy.testing.assert_allclose(g.asnumpy(), 3 * x ** 2, rtol=1e-12)


def test_complex_output_is_refused():
    with pytest.raises(TypeError, match="complex"):
        pg.grad(lambda x: x * (1 + 2j))(1.0)


def test_integer_output_is_refused():
    with pytest.raises(TypeError, match="int64"):
        pg.grad(lambda x: np.asarray([1, 2]))(1.0)


def test_output_independent_of_the_input_gives_zero_gradient_of_input_shape():
    g = pg.grad(lambda x: np.sum(np.ones(3)))(np.asarray([[1.0, 2.0]]))
    assert g.shape == (1, 2) and g.tolist() == [[0.0, 0.0]]
    assert float(pg.grad(lambda x: 3.0)(2.0)) == 0.0


def test_nan_and_inf_propagate_as_in_numpy():
    with numpy.errstate(divide="ignore", invalid="ignore"):
        assert float(pg.grad(np.sqrt)(0.0)) == numpy.inf
        assert float(pg.grad(np.log)(0.0)) == numpy.inf
        assert numpy.isnan(float(pg.grad(np.sin)(float("nan"))))


# -- vjp -------------------------------------------------------------------------------------------
def test_vjp_pulls_back_a_cotangent_through_a_jacobian(rng):
    x = rng.standard_normal(3)
    v = rng.standard_normal(2)
    a = rng.standard_normal((2, 3))
    out, f_vjp = pg.vjp(lambda x: np.asarray(a) @ np.sin(x), np.asarray(x))
    numpy.testing.assert_allclose(out.asnumpy(), a @ numpy.sin(x), rtol=1e-12)
    (cot,) = f_vjp(np.asarray(v))
    numpy.testing.assert_allclose(cot.asnumpy(), numpy.cos(x) * (a.T @ v), rtol=1e-12)


def test_vjp_function_may_be_called_repeatedly():
    _, f_vjp = pg.vjp(lambda x: x ** 2, np.asarray([1.0, 2.0]))
    assert f_vjp(np.asarray([1.0, 1.0]))[0].tolist() == [2.0, 4.0]
    assert f_vjp(np.asarray([0.0, 3.0]))[0].tolist() == [0.0, 12.0]


def test_vjp_with_structured_output_and_several_primals():
    _, f_vjp = pg.vjp(lambda a, b: (a * b, [a + b]), 2.0, 3.0)
    da, db = f_vjp((np.asarray(1.0), [np.asarray(10.0)]))
    assert (float(da), float(db)) == (13.0, 12.0)


def test_vjp_cotangent_of_wrong_shape_is_an_error():
    _, f_vjp = pg.vjp(lambda x: x * 2.0, np.ones(3))
    with pytest.raises(ValueError, match=r"shape \(2,\).*\(3,\)"):
        f_vjp(np.ones(2))


def test_vjp_cotangent_of_wrong_structure_is_an_error():
    _, f_vjp = pg.vjp(lambda a: (a, a), 1.0)
    with pytest.raises(ValueError, match="structured"):
        f_vjp(np.asarray(1.0))


def test_primitive_without_a_vjp_rule_raises_naming_it():
    with pytest.raises(pg.DifferentiationError, match="test_reverse_no_vjp"):
        pg.grad(doubled_without_vjp)(1.0)


def test_vjp_rule_returning_a_cotangent_of_the_wrong_shape_raises_naming_the_primitive():
    with pytest.raises(pg.DifferentiationError, match="test_reverse_wrong_shape_vjp"):
        pg.grad(lambda x: np.sum(doubled_wrong_vjp_shape(x) * np.sin(x)))(np.ones(3))


# -- broadcasting is undone by the core ------------------------------------------------------------
@pytest.mark.parametrize("x_shape,y_shape", [((3,), (2, 3)), ((2, 1), (2, 3)), ((), (4,)),
                                             ((1, 3), (2, 1)), ((4, 1, 3), (2, 1))])
def test_gradients_have_the_shapes_of_broadcast_inputs(rng, x_shape, y_shape):
    x, y = rng.standard_normal(x_shape), rng.standard_normal(y_shape)
    gx, gy = pg.grad(lambda x, y: np.sum(np.sin(x * y) + x / (2.0 + y ** 2)), argnum=[0, 1])(
        np.asarray(x), np.asarray(y))
    assert gx.shape == x_shape and gy.shape == y_shape
    numpy.testing.assert_allclose(
        gx.asnumpy(), numeric_grad(lambda x: np.sum(np.sin(x * y) + x / (2.0 + y ** 2)), x),
        rtol=1e-6, atol=1e-8)
    numpy.testing.assert_allclose(
        gy.asnumpy(), numeric_grad(lambda y: np.sum(np.sin(x * y) + x / (2.0 + y ** 2)), y),
        rtol=1e-6, atol=1e-8)


def test_python_scalar_input_broadcast_against_a_vector_gets_a_scalar_gradient():
    g = pg.grad(lambda s: np.sum(s * np.asarray([1.0, 2.0, 3.0])))(2.0)
    assert g.shape == () and float(g) == 6.0


# -- in-place updates inside differentiated code ---------------------------------------------------
def test_setitem_into_a_fresh_array_inside_grad_matches_central_differences():
    def f(x):
        y = np.zeros(4)
        y[0] = x[1] * 2.0
        y[1:3] = x[:2] ** 2
        y[3] = np.sin(x[2])
        return np.sum(y * np.asarray([1.0, 2.0, 3.0, 4.0]))
    x = numpy.array([0.3, -1.2, 0.7])
    numpy.testing.assert_allclose(pg.grad(f)(np.asarray(x)).asnumpy(), numeric_grad(f, x),
                                  rtol=1e-6, atol=1e-8)


def test_setitem_overwriting_the_differentiated_input_cuts_the_overwritten_entries():
    def f(x):
        x[0] = 5.0
        return np.sum(x * x)
    x = np.asarray([1.0, 2.0])
    assert pg.grad(f)(x).tolist() == [0.0, 4.0]
    assert x.tolist() == [1.0, 2.0]   # the caller's array is left alone


def test_setitem_with_integer_and_boolean_keys_inside_grad_matches_central_differences():
    def f(x):
        y = x * 1.0
        y[np.asarray([0, 2])] = np.cos(x[np.asarray([1, 3])])
        y[y > 0.5] = y[y > 0.5] ** 2
        return np.sum(y ** 3)
    x = numpy.array([0.2, 0.9, -0.4, 1.3])
    numpy.testing.assert_allclose(pg.grad(f)(np.asarray(x)).asnumpy(), numeric_grad(f, x),
                                  rtol=1e-6, atol=1e-8)


def test_setitem_of_a_traced_value_into_a_concrete_array_is_differentiated():
    buffer = numpy.zeros(3)
    c = np.asarray(buffer)

    def f(x):
        c[1] = x
        return np.sum(c * 3.0)
    assert float(pg.grad(f)(1.5)) == 3.0
    assert buffer.tolist() == [0.0, 0.0, 0.0]   # no write into the host buffer while tracing


def test_inplace_operators_inside_grad_rebind_and_differentiate():
    def f(x, y):
        x += y          # x + y
        x *= y          # (x + y) y
        x /= 2.0
        return np.sum(x)
    gx, gy = pg.grad(f, argnum=[0, 1])(np.asarray([1.0, 2.0]), np.asarray([3.0, 4.0]))
    assert gx.tolist() == [1.5, 2.0]            # y / 2
    assert gy.tolist() == [3.5, 5.0]            # (x + 2y) / 2


# -- indexing --------------------------------------------------------------------------------------
@pytest.mark.parametrize("key", [1, slice(1, None), (slice(None), 0), (-1, -2),
                                 (Ellipsis, slice(None, None, 2)), (None, 1, slice(0, 2))])
def test_gradient_of_basic_indexing_puts_ones_where_selected(key):
    x = numpy.arange(12.0).reshape(3, 4)
    expected = numpy.zeros_like(x)
    expected[key] = 1.0
    g = pg.grad(lambda x: np.sum(x[key]))(np.asarray(x))
    numpy.testing.assert_array_equal(g.asnumpy(), expected)


def test_gradient_of_integer_array_indexing_accumulates_repeats():
    g = pg.grad(lambda x: np.sum(x[np.asarray([0, 0, 2, 0])] * np.asarray([1.0, 2.0, 3.0, 4.0])))(
        np.asarray([5.0, 6.0, 7.0]))
    assert g.tolist() == [7.0, 0.0, 3.0]


def test_gradient_of_two_integer_index_arrays_accumulates_repeats():
    x = np.zeros((2, 3))
    g = pg.grad(lambda x: np.sum(x[np.asarray([0, 1, 0]), np.asarray([2, 0, 2])]))(x)
    assert g.tolist() == [[0.0, 0.0, 2.0], [1.0, 0.0, 0.0]]


def test_gradient_of_list_index_matches_integer_array_index():
    g = pg.grad(lambda x: np.sum(x[[1, 1]] ** 2))(np.asarray([1.0, 2.0]))
    assert g.tolist() == [0.0, 8.0]


def test_gradient_of_boolean_mask_indexing_is_zero_where_masked_out():
    x = np.asarray([1.0, -2.0, 3.0, -4.0])
    g = pg.grad(lambda x: np.sum(x[x > 0] ** 2))(x)
    assert g.tolist() == [2.0, 0.0, 6.0, 0.0]


def test_second_derivative_through_integer_indexing():
    h = pg.hessian(lambda x: np.sum(x[np.asarray([0, 0, 1])] ** 3))(np.asarray([1.0, 2.0]))
    assert h.tolist() == [[12.0, 0.0], [0.0, 12.0]]


# -- stop_gradient ---------------------------------------------------------------------------------
def test_stop_gradient_keeps_the_value_and_zeroes_the_derivative():
    assert float(pg.grad(lambda x: x * np.stop_gradient(x))(3.0)) == 3.0
    assert float(pg.grad(lambda x: np.stop_gradient(x ** 2))(3.0)) == 0.0
    assert float(np.stop_gradient(np.asarray(4.0))) == 4.0


def test_stop_gradient_blocks_only_its_own_path():
    x = np.asarray([1.0, 2.0])
    g = pg.grad(lambda x: np.sum(x ** 2 + np.stop_gradient(x ** 3)))(x)
    assert g.tolist() == [2.0, 4.0]


def test_stop_gradient_also_blocks_higher_orders():
    # f = x² · sg(x): f' = 2x · x, f'' = 2x (the stopped factor is a constant)
    assert float(pg.grad(pg.grad(lambda x: x ** 2 * np.stop_gradient(x)))(3.0)) == 6.0


# -- long chains: the backward pass is iterative ---------------------------------------------------
def test_chain_of_100000_operations_differentiates_without_recursion_error():
    def f(x):
        for _ in range(100_000):
            x = x * 1.0000001
        return np.sum(x)
    start = time.perf_counter()
    g = pg.grad(f)(np.asarray([0.5]))
    elapsed = time.perf_counter() - start
    numpy.testing.assert_allclose(g.asnumpy(), [1.0000001 ** 100_000], rtol=1e-9)
    assert elapsed < 60, f"100,000-operation backward pass took {elapsed:.1f} s"


def test_deep_chain_of_alternating_sin_and_cos_matches_the_chain_rule():
    x0 = 0.3
    values, derivative = [x0], 1.0
    for k in range(30_000):
        v = values[-1]
        derivative *= numpy.cos(v) if k % 2 == 0 else -numpy.sin(v)
        values.append(numpy.sin(v) if k % 2 == 0 else numpy.cos(v))

    def f(x):
        for k in range(30_000):
            x = np.sin(x) if k % 2 == 0 else np.cos(x)
        return np.sum(x)
    g = pg.grad(f)(np.asarray([x0]))
    numpy.testing.assert_allclose(g.asnumpy(), [derivative], rtol=1e-9, atol=1e-300)


# -- the seed of grad: a unit cotangent, made only where a rule needs it ---------------------------
def _count_kernels(monkeypatch, names):
    """Wrap the NumPy kernels of ``names``; returns the dict counting their calls."""
    from polygrad._backend import get_backend
    from polygrad.extend import primitives

    backend = get_backend()
    calls = dict.fromkeys(names, 0)
    for name in names:
        prim = primitives()[name]
        kernel = prim.kernels.get(backend) or prim.resolve(backend)

        def counted(*args, _kernel=kernel, _name=name, **params):
            calls[_name] += 1
            return _kernel(*args, **params)
        monkeypatch.setitem(prim.kernels, backend, counted)
    return calls


def test_grad_of_a_unary_output_hands_its_derivative_over_without_a_product_with_ones(monkeypatch):
    x = numpy.linspace(-2.0, 2.0, 7)
    calls = _count_kernels(monkeypatch, ["multiply"])
    g = pg.elementwise_grad(np.tanh)(np.asarray(x))
    numpy.testing.assert_allclose(g.asnumpy(), 1 - numpy.tanh(x) ** 2, rtol=1e-15)
    assert calls == {"multiply": 0}   # 1 - tanh(x)², not ones * (1 - tanh(x)²)


@pytest.mark.parametrize("fun, expected", [
    (lambda x: x, lambda x: numpy.ones_like(x)),                       # the output is the input
    (lambda x: np.sum(np.sin(x)), lambda x: numpy.cos(x)),             # a non-unary output node
    (lambda x: np.negative(x), lambda x: -numpy.ones_like(x)),         # a scalar f'(x): broadcast
    (lambda x: np.exp(x) + 0.0 * x[0], lambda x: numpy.exp(x) + (numpy.arange(4) == 0) * 0.0),
])
def test_the_unit_seed_gives_the_same_gradient_as_a_seed_of_ones(fun, expected):
    x = numpy.array([0.3, -1.2, 2.0, 0.5])
    g = pg.grad(fun)(np.asarray(x))   # a non-scalar output is summed: seeded with ones
    numpy.testing.assert_allclose(g.asnumpy(), expected(x), rtol=1e-15)
    out, vjp_fn = pg.vjp(fun, np.asarray(x))
    (by_vjp,) = vjp_fn(np.ones_like(out))
    numpy.testing.assert_allclose(by_vjp.asnumpy(), g.asnumpy(), rtol=1e-15)


def test_fourth_derivative_of_tanh_through_the_unit_seed_matches_the_closed_form():
    x = numpy.linspace(-2.0, 2.0, 9)
    f = np.tanh
    for _ in range(4):
        f = pg.elementwise_grad(f)
    t = numpy.tanh(x)
    numpy.testing.assert_allclose(f(np.asarray(x)).asnumpy(), 8 * t * (1 - t * t) * (2 - 3 * t * t),
                                  rtol=1e-12, atol=1e-12)


def _tanh_derivative_polynomials(order):
    """P_k with d^k/dx^k tanh x = P_k(tanh x): P_0 = t, P_{k+1} = (1 - t²) P_k'."""
    from numpy.polynomial import Polynomial

    p, out = Polynomial([0.0, 1.0]), []
    for _ in range(order):
        p = Polynomial([1.0, 0.0, -1.0]) * p.deriv()
        out.append(p)
    return out


@pytest.mark.parametrize("dtype, rtol", [("float64", 1e-11), ("float32", 2e-4)])
def test_derivatives_of_tanh_to_the_seventh_match_their_polynomials_in_tanh(dtype, rtol):
    # each order seeds its grad at a tanh rule node whose rules have unit variants (the number 1
    # in the cotangent's place): orders past the fourth put numbers in every argument but one
    x = numpy.linspace(-1.5, 1.5, 11).astype(dtype)
    t = numpy.tanh(x.astype("float64"))
    f = np.tanh
    for k, p in enumerate(_tanh_derivative_polynomials(7), start=1):
        f = pg.elementwise_grad(f)
        got = f(np.asarray(x))
        assert str(got.dtype) == dtype, k
        numpy.testing.assert_allclose(got.asnumpy(), p(t), rtol=rtol, atol=rtol * abs(p(t)).max(),
                                      err_msg=f"derivative {k}")


def test_higher_derivatives_of_tanh_make_no_array_of_ones(monkeypatch):
    import polygrad._reverse as reverse   # the core seeds with its own ones_like (polygrad._ops)

    made = []
    real = reverse.ones_like
    monkeypatch.setattr(reverse, "ones_like", lambda *a, **k: made.append(1) or real(*a, **k))
    f = np.tanh
    for _ in range(4):
        f = pg.elementwise_grad(f)
    f(np.asarray(numpy.linspace(-1.0, 1.0, 5)))
    assert made == []
    # a node with a rule that has no unit variant still gets its seed of ones
    pg.elementwise_grad(lambda x: np.tanh(x) * x)(np.asarray(numpy.linspace(-1.0, 1.0, 5)))
    assert made == [1]


_UNIT_MUL = None


def _unit_mul():
    # x * y with unit rules, broadcasting: the shape of a test primitive with unit variants
    global _UNIT_MUL
    if _UNIT_MUL is None:
        from polygrad.extend import defvjp, primitive

        _UNIT_MUL = primitive("test_reverse_unit_mul", lambda xp: lambda x, y: x * y,
                              broadcasts=True)

        def first(g, ans, x, y):
            return g * y

        def second(g, ans, x, y):
            return g * x
        first.unit = lambda ans, x, y: np.broadcast_to(y, ans.shape)
        second.unit = lambda ans, x, y: np.broadcast_to(x, ans.shape)
        defvjp(_UNIT_MUL, first, second)
    return _UNIT_MUL


@pytest.mark.parametrize("xdtype", ["float64", "float32"])
def test_the_unit_seed_of_a_node_of_several_arguments_sums_broadcasts_and_keeps_dtypes(
        monkeypatch, xdtype):
    import polygrad._reverse as reverse   # the core seeds with its own ones_like (polygrad._ops)

    made = []
    real = reverse.ones_like
    monkeypatch.setattr(reverse, "ones_like", lambda *a, **k: made.append(1) or real(*a, **k))
    mul = _unit_mul()
    y = numpy.array([0.3, -1.2, 2.0])
    gx, gy = pg.grad(lambda x, y: mul(x, y), argnum=(0, 1))(
        np.asarray(numpy.asarray(0.7, dtype=xdtype)), np.asarray(y))
    assert gx.shape == () and str(gx.dtype) == xdtype
    numpy.testing.assert_allclose(float(gx), y.sum(), rtol=1e-6)
    numpy.testing.assert_allclose(gy.asnumpy(), numpy.full(3, 0.7), rtol=1e-6)
    # float64 throughout: the unit rules (summed to x's shape); a float32 x under a float64
    # output: the ordinary rules under a seed of ones, as before unit rules existed
    assert made == ([] if xdtype == "float64" else [1])
