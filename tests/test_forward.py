"""Forward mode on the NumPy backend: ``jvp`` against closed forms, reverse mode and central
differences; structures, broadcasting of tangents, errors."""

from __future__ import annotations

import numpy
import pytest

import polygrad as pg
import polygrad.numpy as np
from polygrad.extend import defjvp, defvjp, primitive

pytestmark = pytest.mark.usefixtures("numpy_backend")

# 2x with a VJP but no JVP rule
doubled_without_jvp = primitive("test_forward_no_jvp", lambda xp: lambda x: 2 * x)
defvjp(doubled_without_jvp, lambda g, ans, x: 2 * g)

# 2x whose JVP rule returns a tangent of shape () whatever the output's shape
doubled_wrong_jvp_shape = primitive("test_forward_wrong_shape_jvp", lambda xp: lambda x: 2 * x)
defvjp(doubled_wrong_jvp_shape, lambda g, ans, x: 2 * g)
defjvp(doubled_wrong_jvp_shape, lambda t, ans, x: np.sum(t))


def test_jvp_of_sin_is_cos_times_tangent():
    out, t = pg.jvp(np.sin, (np.asarray([0.0, 1.0]),), (np.asarray([3.0, 2.0]),))
    numpy.testing.assert_allclose(out.asnumpy(), numpy.sin([0.0, 1.0]))
    numpy.testing.assert_allclose(t.asnumpy(), [3.0, 2.0 * numpy.cos(1.0)], rtol=1e-14)


def test_jvp_of_two_arguments_adds_both_contributions():
    # d(x y) = y dx + x dy
    out, t = pg.jvp(lambda x, y: x * y, (2.0, 5.0), (1.0, 10.0))
    assert float(out) == 10.0 and float(t) == 25.0


def test_jvp_equals_jacobian_times_tangent_from_reverse_mode(rng):
    a = rng.standard_normal((3, 4))
    x, u = rng.standard_normal(4), rng.standard_normal(4)

    def f(x):
        return np.tanh(np.asarray(a) @ x) * np.sum(x ** 2)
    _, t = pg.jvp(f, (np.asarray(x),), (np.asarray(u),))
    jac = pg.jacobian(f)(np.asarray(x)).asnumpy()
    numpy.testing.assert_allclose(t.asnumpy(), jac @ u, rtol=1e-12)


def test_jvp_matches_a_central_difference(rng):
    x, u = rng.uniform(0.5, 2.0, (2, 3)), rng.standard_normal((2, 3))

    def f(x):
        return np.log(x) * np.max(x, axis=1, keepdims=True) / np.sum(x, axis=0)
    eps = 1e-6
    numeric = (f(np.asarray(x + eps * u)).asnumpy() - f(np.asarray(x - eps * u)).asnumpy()) / (
        2 * eps)
    _, t = pg.jvp(f, (np.asarray(x),), (np.asarray(u),))
    numpy.testing.assert_allclose(t.asnumpy(), numeric, rtol=1e-6, atol=1e-8)


def test_jvp_with_nested_primals_and_tangents():
    out, t = pg.jvp(lambda d: d["a"] * d["b"][0], ({"a": 2.0, "b": [3.0]},),
                    ({"a": 1.0, "b": [0.5]},))
    assert float(out) == 6.0 and float(t) == 3.0 + 1.0


def test_jvp_of_structured_output_gives_structured_tangents():
    out, t = pg.jvp(lambda x: {"sq": x ** 2, "pair": (x, 2.0 * x)}, (3.0,), (1.0,))
    assert float(out["sq"]) == 9.0
    assert float(t["sq"]) == 6.0 and [float(v) for v in t["pair"]] == [1.0, 2.0]


def test_tangent_of_an_output_that_ignores_the_input_is_zero():
    out, t = pg.jvp(lambda x: np.ones(2), (1.0,), (1.0,))
    assert t.tolist() == [0.0, 0.0]


def test_tangent_is_broadcast_to_the_output_shape():
    out, t = pg.jvp(lambda x: x + np.zeros((2, 3)), (np.ones(3),), (np.asarray([1.0, 2.0, 3.0]),))
    assert out.shape == (2, 3) and t.shape == (2, 3)
    assert t.tolist() == [[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]]


def test_python_number_primals_and_tangents_get_the_default_float():
    out, t = pg.jvp(lambda x: x ** 2, (3,), (1,))
    assert out.dtype == np.float64 and t.dtype == np.float64 and float(t) == 6.0


def test_tangent_takes_the_dtype_of_its_primal():
    x = np.asarray([1.0, 2.0], dtype=np.float32)
    _, t = pg.jvp(lambda x: x * 3.0, (x,), (numpy.ones(2),))   # a float64 host tangent
    assert t.dtype == np.float32


def test_tangent_of_wrong_shape_is_an_error():
    with pytest.raises(ValueError, match=r"\(3,\).*\(2,\)"):
        pg.jvp(np.sin, (np.ones(2),), (np.ones(3),))


def test_tangents_of_wrong_structure_are_an_error():
    with pytest.raises(ValueError, match="structure"):
        pg.jvp(lambda a, b: a * b, (1.0, 2.0), (1.0,))


def test_integer_primal_array_is_refused():
    with pytest.raises(TypeError, match="int64"):
        pg.jvp(lambda x: x * 2, (np.asarray([1, 2]),), (np.asarray([1, 1]),))


def test_primitive_without_a_jvp_rule_raises_naming_it():
    with pytest.raises(pg.DifferentiationError, match="test_forward_no_jvp"):
        pg.jvp(doubled_without_jvp, (1.0,), (1.0,))


def test_jvp_rule_returning_a_tangent_of_the_wrong_shape_raises_naming_the_primitive():
    with pytest.raises(pg.DifferentiationError, match="test_forward_wrong_shape_jvp"):
        pg.jvp(doubled_wrong_jvp_shape, (np.ones(3),), (np.ones(3),))


def test_stop_gradient_zeroes_the_tangent():
    _, t = pg.jvp(lambda x: x * np.stop_gradient(x), (3.0,), (1.0,))
    assert float(t) == 3.0


def test_jvp_through_setitem_and_indexing(rng):
    def f(x):
        y = np.zeros(3)
        y[np.asarray([0, 2])] = x[1:] ** 2
        y[1] = x[0]
        return y * np.asarray([1.0, 2.0, 3.0])
    x, u = np.asarray([1.0, 2.0, 3.0]), np.asarray([1.0, 1.0, -1.0])
    _, t = pg.jvp(f, (x,), (u,))
    assert t.tolist() == [4.0, 2.0, -18.0]


def test_jvp_of_grad_is_the_second_derivative():
    _, t = pg.jvp(pg.grad(lambda x: x ** 4), (2.0,), (1.0,))
    assert float(t) == 48.0


def test_jvp_of_jvp_gives_a_mixed_second_derivative():
    # f(x, y) = x² y³ ; ∂²f/∂x∂y = 6 x y²
    def df_dx(x, y):
        return pg.jvp(lambda x: x ** 2 * y ** 3, (x,), (1.0,))[1]
    _, t = pg.jvp(lambda y: df_dx(2.0, y), (3.0,), (1.0,))
    assert float(t) == 6 * 2.0 * 3.0 ** 2


# -- tangents have their primal's dtype, as in JAX ------------------------------------------------
@pytest.mark.parametrize("tangent", [
    lambda: np.asarray([1, 2], dtype=np.int64),
    lambda: np.asarray([1.0, 2.0], dtype=np.float32),
    lambda: np.asarray([1.0, 2.0], dtype=np.complex128)],
    ids=["int64 Array", "float32 Array", "complex Array"])
def test_a_tangent_of_another_dtype_is_refused_naming_the_expected_dtype(tangent):
    x = np.asarray([1.0, 2.0], dtype=np.float64)
    with pytest.raises(TypeError, match=r"polygrad\.jvp: .*argument 0 \(x\).*has dtype "
                                        r"\w+.*expected float64"):
        pg.jvp(lambda x: 2 * x, (x,), (tangent(),))


def test_a_native_tangent_of_another_dtype_is_refused():
    torch = pytest.importorskip("torch", reason="a torch tensor is the native array here")
    with pg.use_backend("torch"):
        x = np.asarray([1.0, 2.0], dtype=np.float64)
    with pytest.raises(TypeError, match=r"polygrad\.jvp: .*has dtype float32.*expected float64"):
        pg.jvp(lambda x: 2 * x, (x,), (torch.ones(2, dtype=torch.float32),))


def test_host_tangents_take_the_primals_dtype():
    # host data (Python numbers, NumPy arrays) is converted, as a cotangent or head_grad is
    x = np.asarray([1.0, 2.0], dtype=np.float64)
    for host in (numpy.asarray([1.0, 1.0], dtype=numpy.float32), numpy.asarray([1, 1])):
        _, t = pg.jvp(lambda x: 2 * x, (x,), (host,))
        assert t.dtype == np.float64 and t.tolist() == [2.0, 2.0]


def test_python_numbers_as_tangents_take_the_primals_dtype():
    for tangent in (1, 1.0):
        _, t = pg.jvp(lambda x: x * x, (np.asarray(3.0, dtype=np.float32),), (tangent,))
        assert t.dtype == np.float32 and float(t) == 6.0
    _, t = pg.jvp(lambda x: x * x, (3.0,), (1,))
    assert float(t) == 6.0
