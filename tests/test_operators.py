"""The differential operators on the NumPy backend: value_and_grad, grad_and_loss, jacobian,
hessian, hvp, checkpoint, and compositions of them to higher order, against closed forms."""

from __future__ import annotations

import numpy
import pytest

import polygrad as pg
import polygrad.numpy as np

pytestmark = pytest.mark.usefixtures("numpy_backend")


# -- value_and_grad, grad_and_loss, elementwise_grad -----------------------------------------------
def test_value_and_grad_returns_value_then_gradient():
    value, g = pg.value_and_grad(lambda x: np.sum(x ** 3))(np.asarray([1.0, 2.0]))
    assert float(value) == 9.0 and g.tolist() == [3.0, 12.0]
    assert value._trace is None and g._trace is None


def test_grad_and_loss_returns_gradient_then_loss_in_minpy_order():
    g, loss = pg.grad_and_loss(lambda a, b: a * b ** 2, argnum=[0, 1])(2.0, 3.0)
    assert [float(v) for v in g] == [9.0, 12.0] and float(loss) == 18.0


def test_value_of_a_non_scalar_output_is_returned_summed():
    value, g = pg.value_and_grad(lambda x: x * 2.0)(np.asarray([1.0, 2.0]))
    assert float(value) == 6.0 and g.tolist() == [2.0, 2.0]


def test_elementwise_grad_of_elementwise_function_is_the_derivative_pointwise():
    x = numpy.linspace(-2.0, 2.0, 7)
    g = pg.elementwise_grad(np.tanh)(np.asarray(x))
    numpy.testing.assert_allclose(g.asnumpy(), 1 - numpy.tanh(x) ** 2, rtol=1e-12)


def test_grad_of_a_non_callable_is_a_type_error():
    with pytest.raises(TypeError, match="callable"):
        pg.grad(3.0)(1.0)


# -- higher order ----------------------------------------------------------------------------------
def test_grad_of_grad_of_grad_of_a_cubic_is_constant_6():
    d3 = pg.grad(pg.grad(pg.grad(lambda x: x ** 3)))
    assert [float(d3(x)) for x in (-1.0, 0.5, 4.0)] == [6.0, 6.0, 6.0]


def test_fourth_derivative_of_sin_is_sin():
    d4 = pg.grad(pg.grad(pg.grad(pg.grad(np.sin))))
    numpy.testing.assert_allclose(float(d4(0.7)), numpy.sin(0.7), rtol=1e-12)


def test_higher_derivatives_over_a_vector_match_closed_forms():
    x = numpy.linspace(-10.0, 10.0, 200)
    foo = lambda x: x ** 2
    d1 = pg.grad(foo)
    d2 = pg.grad(d1)
    d3 = pg.grad(d2)
    numpy.testing.assert_allclose(d1(np.asarray(x)).asnumpy(), 2 * x, rtol=1e-14)
    numpy.testing.assert_allclose(d2(np.asarray(x)).asnumpy(), numpy.full(200, 2.0))
    numpy.testing.assert_array_equal(d3(np.asarray(x)).asnumpy(), numpy.zeros(200))


def test_jvp_of_grad_is_hessian_times_tangent(rng):
    a = rng.standard_normal((3, 3))
    a = a + a.T
    x, u = rng.standard_normal(3), rng.standard_normal(3)

    def f(x):
        return 0.5 * x @ (np.asarray(a) @ x) + np.sum(np.sin(x))
    _, t = pg.jvp(pg.grad(f), (np.asarray(x),), (np.asarray(u),))
    numpy.testing.assert_allclose(t.asnumpy(), a @ u - numpy.sin(x) * u, rtol=1e-12)


def test_grad_of_vjp_differentiates_the_pullback():
    # vjp of sin at x with cotangent v is v cos(x); d/dx sum of it is -v sin(x)
    x, v = numpy.array([0.3, 1.1]), numpy.array([2.0, -1.0])

    def pulled(x):
        return np.sum(pg.vjp(np.sin, x)[1](np.asarray(v))[0])
    g = pg.grad(pulled)(np.asarray(x))
    numpy.testing.assert_allclose(g.asnumpy(), -v * numpy.sin(x), rtol=1e-12)


def test_grad_of_vjp_with_respect_to_the_cotangent_is_the_jacobian_transpose_row():
    # d/dv ⟨u, Jᵀv⟩ = J u
    a = numpy.array([[1.0, 2.0, 0.0], [0.0, -1.0, 3.0]])
    x, u = numpy.array([0.1, 0.2, 0.3]), numpy.array([1.0, 0.0, 2.0])

    def along(v):
        (cot,) = pg.vjp(lambda x: np.asarray(a) @ x, np.asarray(x))[1](v)
        return np.sum(cot * np.asarray(u))
    g = pg.grad(along)(np.asarray([0.0, 0.0]))
    numpy.testing.assert_allclose(g.asnumpy(), a @ u)


# -- jacobian, hessian, hvp ------------------------------------------------------------------------
def test_jacobian_of_elementwise_function_is_diagonal():
    x = numpy.array([0.5, 1.0, 2.0])
    jac = pg.jacobian(np.exp)(np.asarray(x))
    numpy.testing.assert_allclose(jac.asnumpy(), numpy.diag(numpy.exp(x)), rtol=1e-14)


def test_jacobian_of_linear_map_is_its_matrix(rng):
    a = rng.standard_normal((2, 4))
    jac = pg.jacobian(lambda x: np.asarray(a) @ x)(np.asarray(rng.standard_normal(4)))
    numpy.testing.assert_allclose(jac.asnumpy(), a, rtol=1e-14)


def test_jacobian_shape_is_output_shape_then_input_shape():
    jac = pg.jacobian(lambda m: m @ m)(np.asarray([[1.0, 2.0], [3.0, 4.0]]))
    assert jac.shape == (2, 2, 2, 2)
    # d(M M)_ij / dM_kl = δ_ik M_lj + M_ik δ_jl
    m = numpy.array([[1.0, 2.0], [3.0, 4.0]])
    eye = numpy.eye(2)
    expected = (numpy.einsum("ik,lj->ijkl", eye, m) + numpy.einsum("ik,jl->ijkl", m, eye))
    numpy.testing.assert_allclose(jac.asnumpy(), expected)


def test_jacobian_with_respect_to_a_chosen_argument():
    jac = pg.jacobian(lambda a, b: a * b, argnum=1)(np.asarray([2.0, 3.0]),
                                                    np.asarray([1.0, 1.0]))
    assert jac.tolist() == [[2.0, 0.0], [0.0, 3.0]]


def test_hessian_of_quadratic_form_is_the_symmetric_part(rng):
    a = rng.standard_normal((3, 3))
    h = pg.hessian(lambda x: x @ (np.asarray(a) @ x))(np.asarray(rng.standard_normal(3)))
    numpy.testing.assert_allclose(h.asnumpy(), a + a.T, rtol=1e-12)


def test_hessian_of_a_coupled_function_matches_closed_form():
    # f = x0² x1 + sin(x1): H = [[2 x1, 2 x0], [2 x0, -sin x1]]
    x = numpy.array([0.7, -1.3])
    h = pg.hessian(lambda x: x[0] ** 2 * x[1] + np.sin(x[1]))(np.asarray(x))
    expected = [[2 * x[1], 2 * x[0]], [2 * x[0], -numpy.sin(x[1])]]
    numpy.testing.assert_allclose(h.asnumpy(), expected, rtol=1e-12)


def test_hvp_equals_hessian_times_vector(rng):
    x, v = rng.standard_normal(4), rng.standard_normal(4)

    def f(x):
        return np.sum(np.tanh(x) * x[::-1]) + np.sum(x) ** 3
    h = pg.hessian(f)(np.asarray(x)).asnumpy()
    hv = pg.hvp(f)(np.asarray(x), np.asarray(v))
    numpy.testing.assert_allclose(hv.asnumpy(), h @ v, rtol=1e-10)


def test_hvp_with_respect_to_a_later_argument():
    # f(a, x) = a · sum(x³): H_x = diag(6 a x)
    hv = pg.hvp(lambda a, x: a * np.sum(x ** 3), argnum=1)(2.0, np.asarray([1.0, 2.0]),
                                                             np.asarray([1.0, 1.0]))
    assert hv.tolist() == [12.0, 24.0]


# -- checkpoint ------------------------------------------------------------------------------------
def test_checkpoint_gives_the_same_gradient_and_recomputes_in_backward():
    calls = []

    def block(x):
        calls.append(1)
        return np.sin(np.sin(x)) * x

    x = np.asarray([0.5, 1.0, -2.0])
    plain = pg.grad(lambda x: np.sum(block(x) ** 2))(x)
    calls.clear()
    checked = pg.grad(lambda x: np.sum(pg.checkpoint(block)(x) ** 2))(x)
    numpy.testing.assert_allclose(checked.asnumpy(), plain.asnumpy(), rtol=1e-14)
    assert len(calls) == 2      # once forward, once again in the backward pass


def test_checkpoint_supports_second_order_and_several_arguments():
    block = pg.checkpoint(lambda a, b: a * b + np.sin(a))
    ga, gb = pg.grad(lambda a, b: block(a, b), argnum=[0, 1])(2.0, 3.0)
    numpy.testing.assert_allclose([float(ga), float(gb)], [3.0 + numpy.cos(2.0), 2.0])
    d2 = pg.grad(pg.grad(lambda a: block(a, 3.0)))(2.0)
    numpy.testing.assert_allclose(float(d2), -numpy.sin(2.0), rtol=1e-12)


def test_checkpoint_outside_reverse_mode_just_calls_the_function():
    block = pg.checkpoint(lambda x: x ** 2)
    assert float(block(np.asarray(3.0))) == 9.0
    _, t = pg.jvp(block, (3.0,), (1.0,))
    assert float(t) == 6.0


# -- jacobian and hessian over several argnums and pytrees, structured as JAX's -------------------
def _structure_and_leaves(tree):
    """(structure with leaves replaced by their shapes, [leaves as float64 NumPy])."""
    if isinstance(tree, (tuple, list)):
        parts = [_structure_and_leaves(t) for t in tree]
        return type(tree)(p[0] for p in parts), [x for p in parts for x in p[1]]
    if isinstance(tree, dict):
        parts = {k: _structure_and_leaves(tree[k]) for k in sorted(tree)}   # JAX's key order
        return {k: p[0] for k, p in parts.items()}, [x for p in parts.values() for x in p[1]]
    leaf = numpy.asarray(tree, dtype=numpy.float64)
    return leaf.shape, [leaf]


def _agree_with_jax(ours, theirs):
    s1, l1 = _structure_and_leaves(ours)
    s2, l2 = _structure_and_leaves(theirs)
    assert s1 == s2
    for a, b in zip(l1, l2):
        numpy.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def _jax_x64():
    jax = pytest.importorskip("jax", reason="jax.jacrev / jax.hessian are the oracle")
    return jax, jax.enable_x64(True)


def _f_two_args(np_, x, y):
    return {"p": x * y[:2] ** 2, "q": (np_.sum(x ** 3 * y[1:]), np_.tanh(y))}


def _f_dict(np_, d, c):
    return np_.sum(d["w"] ** 2 * d["b"][0]) + np_.sum(np_.sin(d["b"]) * c)


@pytest.mark.parametrize("argnum", [0, 1, (0, 1), (1, 0), [0]])
def test_jacobian_of_several_arguments_and_structured_outputs_is_structured_as_jax(argnum):
    jax, x64 = _jax_x64()
    x, y = numpy.array([0.3, -1.2]), numpy.array([0.5, 2.0, -0.7])
    ours = pg.jacobian(lambda a, b: _f_two_args(np, a, b), argnum=argnum)(
        np.asarray(x), np.asarray(y))
    with x64:
        theirs = jax.jacrev(lambda a, b: _f_two_args(jax.numpy, a, b),
                            argnums=tuple(argnum) if isinstance(argnum, list) else argnum)(
            jax.numpy.asarray(x), jax.numpy.asarray(y))
    _agree_with_jax(ours, theirs)


@pytest.mark.parametrize("argnum", [0, (0, 1)])
def test_hessian_of_dicts_and_several_arguments_is_structured_as_jax(argnum):
    jax, x64 = _jax_x64()
    d = {"w": numpy.array([[0.3, -1.2], [0.1, 0.4]]), "b": numpy.array([0.5, 2.0])}
    c = numpy.array([1.5, -0.5])
    ours = pg.hessian(lambda a, b: _f_dict(np, a, b), argnum=argnum)(
        {k: np.asarray(v) for k, v in d.items()}, np.asarray(c))
    with x64:
        theirs = jax.hessian(lambda a, b: _f_dict(jax.numpy, a, b), argnums=argnum)(
            {k: jax.numpy.asarray(v) for k, v in d.items()}, jax.numpy.asarray(c))
    _agree_with_jax(ours, theirs)


def test_jacobian_of_a_list_argument_and_of_a_constant_output():
    jac = pg.jacobian(lambda xs: xs[0] * xs[1])([np.asarray([1.0, 2.0]), np.asarray([3.0, 4.0])])
    assert isinstance(jac, list) and len(jac) == 2
    numpy.testing.assert_allclose(jac[0].asnumpy(), numpy.diag([3.0, 4.0]))
    numpy.testing.assert_allclose(jac[1].asnumpy(), numpy.diag([1.0, 2.0]))
    zero = pg.jacobian(lambda x: np.ones(3), argnum=(0,))(np.asarray([1.0, 2.0]))
    assert isinstance(zero, tuple) and zero[0].shape == (3, 2) and not zero[0].asnumpy().any()
