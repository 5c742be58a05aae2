"""Complex numbers under JAX's convention: VJPs are unconjugated transposes of the JVP.

For holomorphic f, ``vjp(f, z)[1](g) = g f'(z)``; for a real-valued f of z = x + iy,
``grad(f)(z) = ∂f/∂x - i ∂f/∂y``. Covers the elementwise rules (holomorphic and not), reductions,
matmul and broadcasting with complex arrays, ``check_grads`` on complex functions (and its failing
on wrong complex rules), and jax.grad / jax.vjp / jax.jvp as the oracle.
"""

from __future__ import annotations

import warnings

import numpy
import pytest

import polygrad as pg
import polygrad.numpy as np
from polygrad.extend import defjvp, defvjp, primitive
from polygrad.testing import check_grads

pytestmark = pytest.mark.usefixtures("numpy_backend")

# points away from every branch cut of the inverse functions (which lie on the axes)
POINTS = [0.3 + 0.8j, -0.4 - 0.3j, -2.0 + 0.1j, 1.5 - 0.3j, -0.7 + 0.2j, -3.0 - 0.5j]


def cplx(rng, *shape):
    return np.asarray(rng.standard_normal(shape) + 1j * rng.standard_normal(shape))


def close(actual, expected, rtol=1e-10, atol=1e-12):
    numpy.testing.assert_allclose(numpy.asarray(actual), numpy.asarray(expected), rtol=rtol,
                                  atol=atol)


@pytest.fixture
def jax64():
    """JAX with 64-bit types, switched on only inside the test (the oracle runs in double)."""
    jax = pytest.importorskip("jax")
    with jax.enable_x64(True):
        yield jax


# -- the convention ----------------------------------------------------------------------------
def test_grad_of_abs_squared_is_twice_the_conjugate_as_in_jax(jax64):
    import jax.numpy as jnp

    expected = jax64.grad(lambda z: jnp.abs(z) ** 2)(1 + 2j)
    assert complex(expected) == 2 - 4j
    assert complex(pg.grad(lambda z: np.abs(z) ** 2)(1 + 2j)) == pytest.approx(2 - 4j)


def test_grad_of_real_function_is_df_dx_minus_i_df_dy():
    def f(z):
        return np.real(z) ** 3 * np.imag(z) + np.imag(z) ** 2

    z0 = 0.7 - 1.3j
    h = 1e-6
    dfdx = (float(f(np.asarray(z0 + h))) - float(f(np.asarray(z0 - h)))) / (2 * h)
    dfdy = (float(f(np.asarray(z0 + 1j * h))) - float(f(np.asarray(z0 - 1j * h)))) / (2 * h)
    assert complex(pg.grad(f)(z0)) == pytest.approx(dfdx - 1j * dfdy, rel=1e-8)


def test_vjp_of_holomorphic_function_is_cotangent_times_derivative(rng):
    z, g = cplx(rng, 5), cplx(rng, 5)
    close(pg.vjp(np.sin, z)[1](g)[0], g.asnumpy() * numpy.cos(z.asnumpy()))
    close(pg.vjp(np.exp, z)[1](g)[0], g.asnumpy() * numpy.exp(z.asnumpy()))


def test_jvp_of_holomorphic_function_is_derivative_times_tangent(rng):
    z, t = cplx(rng, 5), cplx(rng, 5)
    close(pg.jvp(np.log, (z,), (t,))[1], t.asnumpy() / z.asnumpy())


def test_complex_gradient_has_the_input_dtype():
    z = np.asarray([1 + 1j, 2 - 1j], dtype=np.complex64)
    assert pg.grad(lambda z: np.sum(np.abs(z) ** 2))(z).dtype == np.complex64


# -- non-holomorphic rules -----------------------------------------------------------------------
def test_cotangents_of_real_imag_and_conj():
    z, g = np.asarray(0.5 - 2j), np.asarray(1.5 + 0.25j)
    assert complex(pg.vjp(np.real, z)[1](np.asarray(2.0))[0]) == 2.0
    assert complex(pg.vjp(np.imag, z)[1](np.asarray(2.0))[0]) == -2j
    assert complex(pg.vjp(np.conj, z)[1](g)[0]) == 1.5 - 0.25j
    assert complex(pg.grad(np.imag)(z)) == -1j
    assert complex(pg.grad(np.real)(z)) == 1.0


def test_tangents_of_real_imag_and_conj():
    z, t = np.asarray(0.5 - 2j), np.asarray(1.5 + 0.25j)
    assert float(pg.jvp(np.real, (z,), (t,))[1]) == 1.5
    assert float(pg.jvp(np.imag, (z,), (t,))[1]) == 0.25
    assert complex(pg.jvp(np.conj, (z,), (t,))[1]) == 1.5 - 0.25j


def test_grad_of_abs_is_unit_direction_and_zero_at_zero():
    z = np.asarray([3 + 4j, 0j])
    close(pg.grad(lambda z: np.sum(np.abs(z)))(z), [0.6 - 0.8j, 0])


# array-api-compat's sign computes z/|z| and then replaces the 0/0 at z = 0, warning on the way
@pytest.mark.filterwarnings("ignore:invalid value encountered in divide:RuntimeWarning")
def test_sign_of_complex_has_its_true_derivative_and_zero_at_zero():
    # JAX takes sign's derivative as 0 everywhere; z/|z| does change with z, so polygrad
    # differentiates it (as PyTorch's sgn does)
    z, t = np.asarray([3 + 4j, 0j]), np.asarray([1j, 1.0 + 0j])
    # d(z/|z|) along t = i z: the unit vector turns, i z/|z| per unit of angle / |z|
    close(pg.jvp(np.sign, (z,), (t * z,))[1], [1j * (3 + 4j) / 5, 0])
    check_grads(np.sign, order=2)(np.asarray(POINTS))


def test_real_input_rules_are_unchanged():
    x = np.asarray([-2.0, 0.0, 3.0])
    close(pg.grad(lambda x: np.sum(np.abs(x)))(x), [-1, 0, 1])
    close(pg.grad(lambda x: np.sum(np.sign(x)))(x), [0, 0, 0])
    close(pg.grad(lambda x: np.sum(np.real(x) + 2 * np.conj(x) + np.imag(x)))(x), [3, 3, 3])
    check_grads(lambda x: np.abs(x) * np.conj(x) + np.real(x), order=2)(np.asarray([-2.0, 3.0]))


HOLOMORPHIC = [np.sin, np.cos, np.tan, np.sinh, np.cosh, np.tanh, np.exp, np.expm1, np.log,
               np.log1p, np.log2, np.log10, np.sqrt, np.square, np.reciprocal, np.asin, np.acos,
               np.atan, np.asinh, np.acosh, np.atanh, np.negative, np.positive]


@pytest.mark.parametrize("f", HOLOMORPHIC, ids=lambda f: f.__name__)
def test_holomorphic_elementwise_rules_pass_check_grads(f):
    check_grads(f, order=2)(np.asarray(POINTS))


@pytest.mark.parametrize("f", [np.abs, np.real, np.imag, np.conj, np.sign,
                               lambda z: np.abs(z) ** 2, lambda z: np.conj(z) * np.sin(z),
                               lambda z: np.real(z) * np.imag(z) + np.abs(np.exp(z))],
                         ids=["abs", "real", "imag", "conj", "sign", "abs2", "conj_sin",
                              "mixed"])
def test_non_holomorphic_elementwise_rules_pass_check_grads(f):
    check_grads(f, order=2)(np.asarray(POINTS))


def test_acosh_derivative_is_right_left_of_the_imaginary_axis():
    # 1/sqrt(z²-1) has the wrong sign there; 1/(sqrt(z-1) sqrt(z+1)) is the principal branch's
    z = -2.0 + 0.1j
    expected = 1 / (numpy.sqrt(z - 1) * numpy.sqrt(z + 1))
    assert complex(pg.vjp(np.acosh, z)[1](np.asarray(1 + 0j))[0]) == pytest.approx(expected)
    assert (1 / numpy.sqrt(z * z - 1)).real == pytest.approx(-expected.real)


def test_binary_holomorphic_rules_pass_check_grads(rng):
    a, b = cplx(rng, 3), cplx(rng, 3)
    check_grads(lambda a, b: a * b - a / b + a ** b, order=2)(a, b)


# -- reductions, matmul, broadcasting ---------------------------------------------------------
@pytest.mark.parametrize("f", [
    lambda a, b: np.matmul(a, b),
    lambda a, b: np.tensordot(a, b, axes=1),
    lambda a, b: np.sum(a, axis=0) * np.prod(b, axis=1)[:2, None],
    lambda a, b: np.mean(a, axis=1, keepdims=True) + np.vecdot(a, b[:, 0][None, :]),
    lambda a, b: a[:, :, None] * b[None, :, :] / (b + 3.0),
], ids=["matmul", "tensordot", "sum_prod", "mean_vecdot", "broadcast"])
def test_complex_linear_algebra_reductions_and_broadcasting_pass_check_grads(rng, f):
    check_grads(f, order=2)(cplx(rng, 3, 4), cplx(rng, 4, 2))


def test_where_routes_complex_derivatives_to_the_chosen_branch(rng):
    a, b = cplx(rng, 4), cplx(rng, 4)
    check_grads(lambda a, b: np.where(np.real(a) > 0, a * b, np.conj(b)), order=2)(a, b)


def test_complex_rules_on_every_backend(backend):
    z = np.asarray(POINTS, dtype=np.complex128)
    check_grads(lambda z: np.abs(z) * np.sign(z) + np.conj(z) * np.real(z) + np.imag(z)
                + np.acosh(z) * np.sqrt(z), order=2)(z)
    assert complex(pg.grad(lambda z: np.abs(z) ** 2)(np.asarray(1 + 2j))) == pytest.approx(2 - 4j)


# -- jax as the oracle -----------------------------------------------------------------------
def _real_valued_cases(m):
    return [
        lambda z, w: m.sum(m.abs(m.matmul(z, w)) ** 2),
        lambda z, w: m.sum(m.real(m.exp(z) * m.conj(z))) + m.sum(m.imag(w ** 3)),
        lambda z, w: m.real(m.prod(w)) + m.imag(m.mean(m.sin(z))),
        lambda z, w: m.sum(m.abs(m.sqrt(z + 4.0))) * m.real(m.log(w[0, 0] + 5.0)),
        lambda z, w: m.sum(m.abs(z[:, :, None] - w[None, :, :])),
    ]


@pytest.mark.parametrize("k", range(5))
def test_grad_of_real_valued_function_of_complex_input_matches_jax(jax64, rng, k):
    import jax.numpy as jnp

    z, w = rng.standard_normal((2, 3)) + 1j * rng.standard_normal((2, 3)), \
        rng.standard_normal((3, 2)) + 1j * rng.standard_normal((3, 2))
    expected = jax64.grad(_real_valued_cases(jnp)[k], argnums=(0, 1))(jnp.asarray(z),
                                                                        jnp.asarray(w))
    actual = pg.grad(_real_valued_cases(np)[k], argnum=(0, 1))(np.asarray(z), np.asarray(w))
    for a, e in zip(actual, expected):
        close(a, e)


def test_vjp_and_jvp_of_complex_functions_match_jax(jax64, rng):
    import jax.numpy as jnp

    def f(m):
        return lambda z: m.conj(z) * m.tan(z) + m.abs(z) * m.sign(m.real(z))

    z, g, t = (rng.standard_normal(4) + 1j * rng.standard_normal(4) for _ in range(3))
    close(pg.vjp(f(np), np.asarray(z))[1](np.asarray(g))[0],
          jax64.vjp(f(jnp), jnp.asarray(z))[1](jnp.asarray(g))[0])
    close(pg.jvp(f(np), (np.asarray(z),), (np.asarray(t),))[1],
          jax64.jvp(f(jnp), (jnp.asarray(z),), (jnp.asarray(t),))[1])


def test_real_input_through_complex_arithmetic_gets_a_real_gradient():
    x = np.asarray([0.5, -1.0, 2.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")   # no ComplexWarning: the real part is taken, not cast
        g = pg.grad(lambda x: np.sum(np.abs(x * (1 + 2j)) ** 2))(x)
        g2 = pg.grad(lambda x: np.sum(np.imag(np.exp(1j * np.astype(x, np.complex128)))))(x)
        check_grads(lambda x: np.exp(x * (1 + 2j)) + np.conj(x * 1j), order=2)(x)
    assert g.dtype == np.float64
    close(g, [5.0, -10.0, 20.0])
    close(g2, numpy.cos(x.asnumpy()))


# -- check_grads on complex functions, and on wrong complex rules --------------------------------
_bad_conj = primitive("test_complex_bad_conj", lambda xp: xp.conj)
# wrong: treats conj as holomorphic with derivative 1
defvjp(_bad_conj, lambda g, ans, x: g)
defjvp(_bad_conj, lambda t, ans, x: t)

_bad_abs = primitive("test_complex_bad_abs", lambda xp: xp.abs)
# wrong: the real-variable rule g·sign(x), missing the conjugation of sign(z)
defvjp(_bad_abs, lambda g, ans, x: g * np.sign(x))
defjvp(_bad_abs, lambda t, ans, x: np.real(t * np.sign(x)))

_bad_copy = primitive("test_complex_bad_copy", lambda xp: lambda x: x)
# identity whose VJP wrongly conjugates: right on real arrays, wrong on complex ones
defvjp(_bad_copy, lambda g, ans, x: np.conj(g))
defjvp(_bad_copy, lambda t, ans, x: t)

_square_via_bad_copy = primitive("test_complex_square_via_bad_copy", lambda xp: lambda x: x * x)
# right values, but the rule goes through _bad_copy: only its derivative (order 2) is wrong
defvjp(_square_via_bad_copy, lambda g, ans, x: 2 * g * _bad_copy(x))
defjvp(_square_via_bad_copy, lambda t, ans, x: 2 * t * x)


@pytest.mark.parametrize("prim", [_bad_conj, _bad_abs], ids=["conj", "abs"])
def test_check_grads_fails_on_a_holomorphic_rule_for_a_non_holomorphic_function(prim):
    z = np.asarray(POINTS)
    with pytest.raises(AssertionError, match="reverse-mode derivative of order 1"):
        check_grads(prim, modes=("rev",))(z)
    with pytest.raises(AssertionError, match="forward-mode derivative of order 1"):
        check_grads(prim, modes=("fwd",))(z)


def test_check_grads_fails_on_a_wrong_conjugation_in_the_reverse_rule():
    with pytest.raises(AssertionError, match="reverse-mode derivative of order 1"):
        check_grads(_bad_copy)(np.asarray(POINTS))
    check_grads(_bad_copy)(np.asarray([0.3, -1.2]))   # the same rule is right for real input


def test_check_grads_fails_on_a_complex_rule_wrong_only_at_second_order():
    z = np.asarray(POINTS)
    check_grads(_square_via_bad_copy, order=1)(z)
    with pytest.raises(AssertionError, match="reverse-mode derivative of order 2"):
        check_grads(_square_via_bad_copy, order=2)(z)
