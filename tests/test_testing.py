"""``polygrad.testing.check_grads`` passes on right derivatives and fails on wrong ones, at first
and at second order, in the mode that is wrong."""

from __future__ import annotations

import numpy
import pytest

import polygrad.numpy as np
from polygrad.extend import defjvp, defvjp, primitive
from polygrad.testing import check_grads

pytestmark = pytest.mark.usefixtures("numpy_backend")


def _sin_kernel(xp):
    return xp.sin


# sin with a VJP off by a factor of two (its JVP is right)
sin_bad_vjp = primitive("test_testing_sin_bad_vjp", _sin_kernel)
defvjp(sin_bad_vjp, lambda g, ans, x: g * 2.0 * np.cos(x))
defjvp(sin_bad_vjp, lambda t, ans, x: t * np.cos(x))

# sin with a JVP that uses sin for cos (its VJP is right)
sin_bad_jvp = primitive("test_testing_sin_bad_jvp", _sin_kernel)
defvjp(sin_bad_jvp, lambda g, ans, x: g * np.cos(x))
defjvp(sin_bad_jvp, lambda t, ans, x: t * np.sin(x))

# sin whose VJP has the right value but a zero derivative: right at order 1, wrong at order 2
sin_bad_vjp2 = primitive("test_testing_sin_bad_vjp_order2", _sin_kernel)
defvjp(sin_bad_vjp2, lambda g, ans, x: g * np.stop_gradient(np.cos(x)))
defjvp(sin_bad_vjp2, lambda t, ans, x: t * np.cos(x))

# the same, for the JVP
sin_bad_jvp2 = primitive("test_testing_sin_bad_jvp_order2", _sin_kernel)
defvjp(sin_bad_jvp2, lambda g, ans, x: g * np.cos(x))
defjvp(sin_bad_jvp2, lambda t, ans, x: t * np.stop_gradient(np.cos(x)))

# a right sin, built the same way: the checker must pass it, so failures above are the rules'
sin_good = primitive("test_testing_sin_good", _sin_kernel)
defvjp(sin_good, lambda g, ans, x: g * np.cos(x))
defjvp(sin_good, lambda t, ans, x: t * np.cos(x))

# x1 * x2 whose rule for the second argument is wrong (the first is right)
mul_bad_second = primitive("test_testing_mul_bad_second", lambda xp: xp.multiply,
                           broadcasts=True)
defvjp(mul_bad_second, lambda g, ans, x1, x2: g * x2, lambda g, ans, x1, x2: g * x2)
defjvp(mul_bad_second, lambda t, ans, x1, x2: t * x2, lambda t, ans, x1, x2: t * x2)

X = numpy.array([0.3, -1.2, 2.1])


# -- right derivatives pass ------------------------------------------------------------------------
@pytest.mark.parametrize("fun", [
    np.sin,
    sin_good,
    lambda x: np.sum(np.sin(x) * x),
    lambda x: np.exp(x) / (1.0 + x ** 2),
    lambda x: np.max(x) * np.mean(x ** 2),
    lambda x: np.reshape(x, (3, 1)) @ np.reshape(np.tanh(x), (1, 3)),
])
def test_check_grads_passes_on_right_derivatives_to_third_order(fun):
    check_grads(fun, order=3)(np.asarray(X))


def test_check_grads_passes_with_several_and_nested_arguments():
    def fun(a, params):
        return np.sum(a * params["w"]) + params["b"][0] ** 2
    check_grads(fun)(np.asarray(X), {"w": np.asarray([1.0, 2.0, 3.0]), "b": [0.5]})


def test_check_grads_passes_with_broadcasting_and_python_scalars():
    check_grads(lambda a, b: np.sin(a * b), order=2)(np.asarray([[0.1], [0.7]]), 1.5)


# -- wrong first-order rules fail ------------------------------------------------------------------
def test_wrong_vjp_fails_in_reverse_mode():
    with pytest.raises(AssertionError, match="reverse-mode derivative of order 1"):
        check_grads(sin_bad_vjp, modes=("rev",), order=1)(np.asarray(X))


def test_wrong_vjp_fails_with_default_modes():
    with pytest.raises(AssertionError, match="reverse"):
        check_grads(sin_bad_vjp)(np.asarray(X))


def test_wrong_vjp_is_not_seen_by_forward_mode_alone():
    check_grads(sin_bad_vjp, modes=("fwd",), order=2)(np.asarray(X))


def test_wrong_jvp_fails_in_forward_mode():
    with pytest.raises(AssertionError, match="forward-mode derivative of order 1"):
        check_grads(sin_bad_jvp, modes=("fwd",), order=1)(np.asarray(X))
    with pytest.raises(AssertionError, match="forward"):
        check_grads(sin_bad_jvp)(np.asarray(X))


def test_wrong_jvp_is_not_seen_by_reverse_mode_alone():
    check_grads(sin_bad_jvp, modes=("rev",), order=2)(np.asarray(X))


def test_wrong_rule_of_one_argument_fails():
    with pytest.raises(AssertionError, match="order 1"):
        check_grads(mul_bad_second, order=1)(np.asarray(X), np.asarray([1.5, -0.5, 2.0]))


def test_wrong_rule_inside_a_composition_fails():
    with pytest.raises(AssertionError):
        check_grads(lambda x: np.sum(sin_bad_vjp(x ** 2)), modes=("rev",), order=1)(
            np.asarray(X))


# -- right first order, wrong second order ---------------------------------------------------------
def test_vjp_with_wrong_derivative_passes_order_1_and_fails_order_2():
    check_grads(sin_bad_vjp2, order=1)(np.asarray(X))
    with pytest.raises(AssertionError, match="reverse-mode derivative of order 2"):
        check_grads(sin_bad_vjp2, modes=("rev",), order=2)(np.asarray(X))


def test_jvp_with_wrong_derivative_passes_order_1_and_fails_order_2():
    check_grads(sin_bad_jvp2, order=1)(np.asarray(X))
    with pytest.raises(AssertionError, match="forward-mode derivative of order 2"):
        check_grads(sin_bad_jvp2, modes=("fwd",), order=2)(np.asarray(X))


# -- the checker's own arguments -------------------------------------------------------------------
def test_unknown_mode_is_a_value_error():
    with pytest.raises(ValueError, match="modes"):
        check_grads(np.sin, modes=("backward",))


def test_order_zero_checks_nothing():
    check_grads(sin_bad_vjp, order=0)(np.asarray(X))
