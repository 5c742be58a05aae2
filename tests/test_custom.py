"""pg.custom_vjp and pg.custom_jvp (JAX's semantics): the user's rule is the derivative (proved
with rules that differ on purpose from the function's own derivative), in every mode it covers,
to second order, on trees, with nondiff arguments and the tape, on every backend; misuse is a
clear error."""

from __future__ import annotations

import warnings

import numpy
import pytest

import polygrad as pg
import polygrad.numpy as np
from polygrad.testing import check_grads


def _scaled_identity(scale):
    """The identity function whose custom derivative is ``scale``: a rule we can recognise."""
    @pg.custom_vjp
    def f(x):
        return x

    f.defvjp(lambda x: (x, None), lambda res, g: (scale * g,))
    return f


def test_custom_vjp_value_is_the_function_and_gradient_is_bwd(backend):
    f = _scaled_identity(3.0)
    x = np.asarray([1.0, 2.0])
    numpy.testing.assert_allclose(f(x).asnumpy(), [1.0, 2.0])
    numpy.testing.assert_allclose(pg.grad(lambda x: np.sum(f(x) ** 2))(x).asnumpy(),
                                  [6.0, 12.0])   # 3 · 2x
    out, pull = pg.vjp(f, x)
    numpy.testing.assert_allclose(pull(np.ones(2))[0].asnumpy(), [3.0, 3.0])


def test_custom_vjp_residuals_and_second_order(numpy_backend):
    @pg.custom_vjp
    def sin(x):
        return np.sin(x)

    sin.defvjp(lambda x: (np.sin(x), np.cos(x)), lambda cos_x, g: (g * cos_x,))
    check_grads(sin, modes=("rev",), order=2)(np.asarray([0.3, -1.2]))
    assert float(pg.grad(pg.grad(sin))(0.3)) == pytest.approx(-numpy.sin(0.3))
    assert float(pg.hessian(sin)(0.3)) == pytest.approx(-numpy.sin(0.3))   # forward over reverse


def test_custom_vjp_on_trees_with_several_outputs_and_nondiff_arguments(numpy_backend):
    def fwd(n, p):
        return (p["a"] * n, p["b"] + 1.0), None

    def bwd(n, res, g):
        ga, gb = g
        return ({"a": 10.0 * ga, "b": None},)   # a deliberate rule; None: zero for b

    f = pg.custom_vjp(lambda n, p: (p["a"] * n, p["b"] + 1.0), nondiff_argnums=(0,))
    f.defvjp(fwd, bwd)
    g = pg.grad(lambda p: np.sum(f(2, p)[0]) + np.sum(f(2, p)[1]))(
        {"a": np.asarray([1.0, 2.0]), "b": np.asarray(3.0)})
    numpy.testing.assert_allclose(g["a"].asnumpy(), [10.0, 10.0])
    assert float(g["b"]) == 0.0


def test_custom_vjp_on_the_tape(backend):
    f = _scaled_identity(-2.0)
    x = np.asarray([1.0, 2.0])
    x.attach_grad()
    with pg.record():
        y = np.sum(f(x) * np.asarray([1.0, 5.0]))
    y.backward()
    numpy.testing.assert_allclose(x.grad.asnumpy(), [-2.0, -10.0])


def test_custom_vjp_cotangents_may_be_host_data(numpy_backend):
    f = pg.custom_vjp(lambda x: x)
    f.defvjp(lambda x: (x, None), lambda res, g: (numpy.full(2, 7.0),))
    numpy.testing.assert_allclose(pg.grad(lambda x: np.sum(f(x)))(np.zeros(2)).asnumpy(), [7, 7])


def test_custom_vjp_misuse_is_a_clear_error(numpy_backend):
    f = pg.custom_vjp(lambda x: x)
    with pytest.raises(TypeError, match="has no rule yet; call <lambda>.defvjp"):
        f(np.ones(2))
    f.defvjp(lambda x: (x, None), lambda res, g: (np.ones(3),))
    with pytest.raises(pg.DifferentiationError, match="cotangent of shape \\(3,\\) for an input "
                                                      "of shape \\(2,\\)"):
        pg.grad(lambda x: np.sum(f(x)))(np.ones(2))
    f.defvjp(lambda x: (x, None), lambda res, g: g)
    with pytest.raises(TypeError, match="bwd must return a tuple with one cotangent per"):
        pg.grad(lambda x: np.sum(f(x)))(np.ones(2))
    f.defvjp(lambda x: x, lambda res, g: (g,))
    with pytest.raises(TypeError, match="fwd must return a pair"):
        pg.grad(lambda x: np.sum(f(x)))(np.ones(2))
    f.defvjp(lambda x: (x, None), lambda res, g: (g,))
    with pytest.raises(pg.DifferentiationError, match="forward mode .* pg.custom_jvp"):
        pg.jvp(f, (np.ones(2),), (np.ones(2),))


def test_custom_vjp_closing_over_a_differentiated_array_raises(numpy_backend):
    def outer(w):
        f = pg.custom_vjp(lambda x: x * w)
        f.defvjp(lambda x: (x * w, None), lambda res, g: (g,))
        return f(np.asarray(3.0) + 0 * w)

    with pytest.raises(pg.DifferentiationError, match="closes over"):
        pg.grad(outer)(2.0)


def _doubled_jvp_exp():
    """exp, whose custom JVP is twice the true one: a rule we can recognise."""
    @pg.custom_jvp
    def f(x):
        return np.exp(x)

    @f.defjvp
    def f_jvp(primals, tangents):
        (x,), (t,) = primals, tangents
        return f(x), 2.0 * np.exp(x) * t
    return f


def test_custom_jvp_is_used_by_forward_and_transposed_by_reverse_mode(backend):
    f = _doubled_jvp_exp()
    x = np.asarray([0.0, 1.0])
    out, t = pg.jvp(f, (x,), (np.asarray([1.0, 0.5]),))
    numpy.testing.assert_allclose(out.asnumpy(), numpy.exp([0.0, 1.0]))
    numpy.testing.assert_allclose(t.asnumpy(), 2 * numpy.exp([0.0, 1.0]) * [1.0, 0.5])
    g = pg.grad(lambda x: np.sum(f(x) * np.asarray([1.0, 3.0])))(x)
    numpy.testing.assert_allclose(g.asnumpy(), 2 * numpy.exp([0.0, 1.0]) * [1.0, 3.0])


def test_custom_jvp_of_several_arguments_with_nondiff_to_second_order(numpy_backend):
    f = pg.custom_jvp(lambda k, x, y: x * y ** k, nondiff_argnums=(0,))

    @f.defjvp
    def rule(k, primals, tangents):
        (x, y), (tx, ty) = primals, tangents
        return f(k, x, y), tx * y ** k + x * k * y ** (k - 1) * ty

    check_grads(lambda x, y: f(3, x, y), modes=("fwd", "rev"), order=2)(
        np.asarray([0.5, 1.5]), np.asarray([1.2, -0.7]))


def test_custom_jvp_gives_a_stable_derivative_where_the_composition_is_nan(numpy_backend):
    @pg.custom_jvp
    def log1pexp(x):
        return np.log1p(np.exp(x))

    log1pexp.defjvp(lambda p, t: (log1pexp(p[0]), t[0] * (1 - 1 / (1 + np.exp(p[0])))))
    with numpy.errstate(over="ignore", invalid="ignore"):
        assert float(pg.grad(log1pexp)(1000.0)) == 1.0
        assert numpy.isnan(float(pg.grad(lambda x: np.log1p(np.exp(x)))(1000.0)))


def test_custom_rules_inside_jit(backend):
    f = _scaled_identity(4.0)
    jitted = pg.jit(pg.grad(lambda x: np.sum(f(x) ** 2)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # backends without a compiler run eagerly, and say so
        g = jitted(np.asarray([1.0, 2.0]))
    numpy.testing.assert_allclose(g.asnumpy(), [8.0, 16.0])


def test_fixed_point_and_its_implicit_derivative_match_the_closed_form(backend):
    def newton_sqrt(a):
        return lambda x: 0.5 * (x + a / x)

    def dist(x, y):
        return np.max(np.abs(x - y))

    a = np.asarray([2.0, 9.0], dtype=np.float64)
    x = pg.fixed_point(newton_sqrt, a, np.ones(2, dtype=np.float64), dist, 1e-12)
    numpy.testing.assert_allclose(x.asnumpy(), numpy.sqrt([2.0, 9.0]), rtol=1e-12)
    g = pg.grad(lambda a: np.sum(pg.fixed_point(newton_sqrt, a, np.ones(2, dtype=np.float64),
                                                dist, 1e-12)))(a)
    numpy.testing.assert_allclose(g.asnumpy(), 0.5 / numpy.sqrt([2.0, 9.0]), rtol=1e-10)


def test_fixed_point_agrees_with_autograd(numpy_backend):
    fixed_points = pytest.importorskip("autograd.misc.fixed_points", reason="autograd: oracle")
    anp = pytest.importorskip("autograd.numpy")
    autograd = pytest.importorskip("autograd")

    def step(np_):
        return lambda a: (lambda x: np_.tanh(a * x + 0.5))

    def dist(x, y):
        return abs(x - y)

    def ours(a):
        return pg.fixed_point(step(np), a, 0.1, dist, 1e-13)

    theirs = autograd.grad(lambda a: fixed_points.fixed_point(step(anp), a, 0.1, dist, 1e-13))
    assert float(pg.grad(ours)(0.7)) == pytest.approx(theirs(0.7), rel=1e-9)
    h = 1e-5   # second order: the derivative of the implicit rule, against its central difference
    fd = (float(pg.grad(ours)(0.7 + h)) - float(pg.grad(ours)(0.7 - h))) / (2 * h)
    assert float(pg.grad(pg.grad(ours))(0.7)) == pytest.approx(fd, rel=1e-5)
