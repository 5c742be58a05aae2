"""``pg.debug_nans``: the first primitive whose value or derivative is NaN or inf raises, naming
itself, which of forward / VJP / JVP it was, and the line of user code that called it."""

from __future__ import annotations

import asyncio
import re
import threading

import numpy
import pytest

import polygrad as pg
import polygrad.numpy as np
from polygrad import _debug
from polygrad._reverse import ReverseTrace

pytestmark = [pytest.mark.usefixtures("numpy_backend"),
              pytest.mark.filterwarnings("ignore::RuntimeWarning")]

HERE = __file__


def _line(marker: str) -> int:
    """The line number of the line of this file that ends with ``# <marker>``."""
    with open(HERE) as f:
        for number, text in enumerate(f, start=1):
            if text.rstrip().endswith(f"# {marker}"):
                return number
    raise LookupError(marker)


def _site(marker: str) -> str:
    return re.escape(f"at {HERE}:{_line(marker)} in ")


@pytest.fixture(autouse=True)
def _process_default_restored():
    yield
    pg.debug_nans(False)
    assert not _debug.ON, "debug mode left its checking kernels installed"


def sqrt_of_sine(x):
    return np.sqrt(np.sin(x))  # sqrt-of-sine


# -- off: NaN and inf propagate as in NumPy --------------------------------------------------------
def test_off_by_default_nan_and_inf_propagate():
    assert numpy.isnan(float(np.log(np.asarray(-1.0))))
    assert float(pg.grad(np.sqrt)(0.0)) == numpy.inf


def test_off_the_fast_path_kernels_are_the_backends_own():
    np.sin(np.ones(2))
    kernels = np.sin.primitive.kernels
    assert kernels and not any(hasattr(k, "_pg_raw") for k in kernels.values())
    assert not hasattr(ReverseTrace.process, "_pg_raw")


# -- forward, VJP, JVP -----------------------------------------------------------------------------
def test_a_nan_forward_value_names_the_primitive_and_the_users_line():
    with pg.debug_nans():
        with pytest.raises(FloatingPointError,
                           match=r"the forward value of sqrt contains nan \(its inputs were "
                           r"finite\); sqrt was called " + _site("sqrt-of-sine")):
            sqrt_of_sine(np.asarray([1.0, -1.0]))


def test_an_inf_forward_value_is_caught_too():
    with pg.debug_nans():
        with pytest.raises(FloatingPointError, match=r"forward value of divide contains inf"):
            np.asarray(1.0) / np.asarray(0.0)


def test_a_nan_coming_from_the_users_data_is_reported_as_such():
    with pg.debug_nans():
        with pytest.raises(FloatingPointError, match=r"forward value of add contains nan \(an "
                           r"input already contained nan: it did not come from a polygrad "
                           r"primitive"):
            np.asarray([numpy.nan]) + 1.0


def test_an_infinite_vjp_names_the_primitive_and_the_forward_line():
    # sin(0) = 0 is fine forward; d sqrt(y)/dy = 1 / (2 sqrt(y)) is infinite at 0
    with pg.debug_nans():
        with pytest.raises(FloatingPointError,
                           match=r"the derivative \(VJP\) of sqrt with respect to its argument 0 "
                           r"contains inf \(the cotangent it received was finite\); sqrt was "
                           r"called " + _site("sqrt-of-sine")):
            pg.grad(sqrt_of_sine)(0.0)


def test_an_infinite_jvp_names_the_primitive_and_the_line():
    with pg.debug_nans():
        with pytest.raises(FloatingPointError,
                           match=r"the derivative \(JVP\) of sqrt with respect to its argument 0 "
                           r"contains inf .*; sqrt was called " + _site("sqrt-of-sine")):
            pg.jvp(sqrt_of_sine, (0.0,), (1.0,))


def test_the_tape_backward_names_the_line_recorded_under_record():
    x = np.asarray([1.0, 0.0])
    x.attach_grad()
    with pg.debug_nans():
        with pg.record():
            y = np.sum(np.sqrt(x))  # taped-sqrt
        with pytest.raises(FloatingPointError,
                           match=r"VJP\) of sqrt .* contains inf.*called " + _site("taped-sqrt")):
            y.backward()


def test_a_second_derivative_points_into_the_first_derivative_rule():
    def f(x):
        return np.sqrt(x) ** 3  # second-order
    # f'(x) = 3/2 sqrt(x) is fine at 0 only as a limit: its rule computes 3 sqrt(x)² · 1/(2 sqrt x)
    with pg.debug_nans():
        with pytest.raises(FloatingPointError, match=r"VJP\) of sqrt .* contains nan.*"
                           + _site("second-order")):
            pg.grad(pg.grad(f))(0.0)


def test_a_derivative_of_a_derivative_rule_says_which_rule_it_ran_in():
    # (x^1.5)' = 1.5 x^0.5 is finite at 0; its derivative 0.75 x^-0.5 is not. The inf comes from
    # the pow inside pow's own VJP rule, and the message says so.
    with pg.debug_nans():
        with pytest.raises(FloatingPointError,
                           match=r"VJP\) of pow .* contains inf .*; pow was called inside the "
                           r"VJP of pow, which was called " + _site("pow-line")):
            pg.grad(pg.grad(lambda x: x ** 1.5))(0.0)  # pow-line


def test_forward_over_reverse_names_the_rule_it_happened_in():
    with pg.debug_nans():
        with pytest.raises(FloatingPointError) as info:
            pg.hvp(lambda x: np.sum(np.exp(x) * 0.0 + np.sqrt(x + 1.0)))(  # hvp-line
                np.asarray([-1.0]), np.asarray([1.0]))
    assert "sqrt" in str(info.value) and f"{HERE}:{_line('hvp-line')}" in str(info.value)


def test_cotangents_that_add_up_to_inf_are_caught_where_they_meet():
    # each use of x sends back 1e308 (finite); together they overflow to inf
    with pg.debug_nans():
        with pytest.raises(FloatingPointError, match=r"adding up the cotangents from the "
                           r"several uses of an input gives inf"):
            pg.grad(lambda x: 1e308 * x + 1e308 * x)(1e-10)


# -- no false alarms -------------------------------------------------------------------------------
@pytest.mark.parametrize("fun,x", [
    (np.abs, 0.0),                                                        # sign(0) = 0
    (lambda x: np.linalg.vector_norm(x), numpy.zeros(3)),                 # safe norm at 0
    (lambda x: np.sum(np.where(x > 0, np.log(np.where(x > 0, x, 1.0)), 0.0)),
     numpy.asarray([-1.0, 2.0])),                                         # the double where
    (lambda x: x ** 2, 0.0),
    (lambda x: np.prod(x), numpy.asarray([0.0, 2.0, 3.0])),
    (lambda x: pg.numpy.maximum(x, 0.0), 0.0),
])
def test_safe_rules_raise_nothing_at_their_special_points(fun, x):
    with pg.debug_nans():
        pg.grad(fun)(np.asarray(x))
        pg.grad(pg.grad(lambda y: np.sum(fun(y))))(np.asarray(x))
        pg.jvp(fun, (np.asarray(x),), (np.ones_like(np.asarray(x)),))


def test_integer_and_boolean_results_are_not_checked():
    with pg.debug_nans():
        assert np.isnan(np.asarray([numpy.nan])).tolist() == [True]
        assert (np.asarray([1, 2]) // np.asarray([1, 1])).tolist() == [1, 2]


def test_finite_code_gives_the_same_values_in_debug_mode():
    f = lambda x: np.sum(np.tanh(x) * np.exp(x))  # noqa: E731
    x = np.linspace(-1.0, 1.0, 5)
    expected = pg.grad(f)(x).asnumpy()
    with pg.debug_nans():
        numpy.testing.assert_array_equal(pg.grad(f)(x).asnumpy(), expected)
        numpy.testing.assert_array_equal(pg.hvp(f)(x, x).asnumpy(), pg.hvp(f)(x, x).asnumpy())


# -- switching it on and off -----------------------------------------------------------------------
def test_the_with_block_is_local_to_the_block():
    with pg.debug_nans():
        with pytest.raises(FloatingPointError):
            np.log(np.asarray(-1.0))
    assert numpy.isnan(float(np.log(np.asarray(-1.0))))
    assert not _debug.ON


def test_the_statement_form_sets_the_process_wide_default():
    pg.debug_nans(True)
    with pytest.raises(FloatingPointError):
        np.log(np.asarray(-1.0))
    pg.debug_nans(False)
    assert numpy.isnan(float(np.log(np.asarray(-1.0))))


def test_a_with_block_can_turn_it_off_locally():
    pg.debug_nans(True)
    with pg.debug_nans(False):
        assert numpy.isnan(float(np.log(np.asarray(-1.0))))
    with pytest.raises(FloatingPointError):
        np.log(np.asarray(-1.0))


def test_a_with_block_given_true_is_local_too():
    with pg.debug_nans(True):
        assert _debug.enabled()
    assert not _debug.enabled() and not _debug.ON


def test_a_flag_that_is_not_a_bool_is_refused():
    with pytest.raises(TypeError, match=r"polygrad\.debug_nans: expected True, False or nothing"):
        pg.debug_nans("yes")


def test_another_thread_is_not_in_debug_mode_while_this_one_is():
    seen = {}

    def other():
        seen["value"] = float(np.log(np.asarray(-1.0)))   # no error: debug mode is not on here

    with pg.debug_nans():
        t = threading.Thread(target=other)
        t.start()
        t.join()
    assert numpy.isnan(seen["value"])


def test_asyncio_tasks_each_have_their_own_setting():
    async def checked():
        with pg.debug_nans():
            await asyncio.sleep(0)
            try:
                np.log(np.asarray(-1.0))
            except FloatingPointError:
                return "raised"
            return "silent"

    async def unchecked():
        await asyncio.sleep(0)
        return "nan" if numpy.isnan(float(np.log(np.asarray(-1.0)))) else "?"

    async def main():
        return await asyncio.gather(checked(), unchecked())

    assert asyncio.run(main()) == ["raised", "nan"]


def test_debug_mode_swaps_nothing_in():
    # a flag read where values are made and nodes recorded, not methods or kernels replaced
    np.sin(np.ones(2))
    raw = dict(np.sin.primitive.kernels)
    process = ReverseTrace.__dict__["process"]
    with pg.debug_nans():
        np.sin(np.ones(2))
        assert np.sin.primitive.kernels == raw
        assert ReverseTrace.__dict__["process"] is process
        with pytest.raises(FloatingPointError, match="forward value of log .* called at .*"
                                                     "test_debug_nans.py"):
            pg.grad(lambda x: np.sum(np.log(np.sin(x))))(np.asarray([-1.0]))
    assert np.sin.primitive.kernels == raw
    assert ReverseTrace.__dict__["process"] is process


def test_a_primitive_first_used_in_debug_mode_is_checked_and_unwrapped_afterwards():
    from polygrad.extend import defvjp, primitive

    p = primitive("test_debug_first_use", lambda xp: lambda x: xp.log(x))
    defvjp(p, lambda g, ans, x: g / x)
    with pg.debug_nans():
        with pytest.raises(FloatingPointError, match="test_debug_first_use"):
            p(np.asarray(-1.0))
    assert not any(hasattr(k, "_pg_raw") for k in p.kernels.values())


def test_other_backends_are_checked_too(backend):
    with pg.debug_nans():
        with pytest.raises(FloatingPointError, match="forward value of log contains nan"):
            np.log(np.asarray([-1.0]))
        with pytest.raises(FloatingPointError, match=r"VJP\) of sqrt"):
            pg.grad(lambda x: np.sum(np.sqrt(x)))(np.zeros(2))
