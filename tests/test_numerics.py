"""Numerically safe rules at their special points, as written down in docs/reliability.md."""

from __future__ import annotations

import numpy
import pytest

import polygrad as pg
import polygrad.numpy as np
import polygrad.special as special
from polygrad.testing import check_grads

pytestmark = [pytest.mark.usefixtures("numpy_backend"),
              pytest.mark.filterwarnings("ignore::RuntimeWarning")]

inf = numpy.inf


def values(x):
    return numpy.asarray(x.asnumpy() if hasattr(x, "asnumpy") else x, dtype=float).tolist()


# -- logsumexp and the softmax family with -inf ----------------------------------------------------
def test_logsumexp_of_all_minus_inf_is_minus_inf_with_a_zero_derivative():
    x = np.asarray([-inf, -inf])
    assert float(special.logsumexp(x)) == -inf
    assert values(pg.grad(special.logsumexp)(x)) == [0.0, 0.0]
    _, t = pg.jvp(special.logsumexp, (x,), (np.ones(2),))
    assert float(t) == 0.0


def test_logsumexp_entries_of_minus_inf_get_weight_zero():
    x = np.asarray([0.0, -inf, numpy.log(3.0)])
    assert values(pg.grad(special.logsumexp)(x)) == pytest.approx([0.25, 0.0, 0.75])
    assert values(pg.hessian(special.logsumexp)(np.asarray([0.0, -inf]))) == [[0.0, 0.0],
                                                                              [0.0, 0.0]]


def test_logsumexp_of_large_entries_neither_overflows_nor_loses_its_gradient():
    x = np.asarray([1000.0, 1000.0])
    assert float(special.logsumexp(x)) == pytest.approx(1000.0 + numpy.log(2.0))
    assert values(pg.grad(special.logsumexp)(x)) == pytest.approx([0.5, 0.5], rel=1e-12)


def test_log_softmax_with_a_masked_entry_has_finite_derivatives_elsewhere():
    x = np.asarray([1.0, -inf, 2.0])
    out = special.log_softmax(x)
    assert values(out)[1] == -inf and numpy.isfinite(values(out)[0])
    g = pg.grad(lambda x: np.sum(np.where(np.isfinite(x), special.log_softmax(x), 0.0)))(x)
    assert numpy.all(numpy.isfinite(values(g))) and values(g)[1] == 0.0


def test_softmax_gives_masked_entries_zero_probability_and_zero_derivative():
    x = np.asarray([0.0, -inf, 1.0])
    assert values(special.softmax(x))[1] == 0.0
    g = pg.grad(lambda x: np.sum(special.softmax(x) * np.asarray([1.0, 2.0, 3.0])))(x)
    assert numpy.all(numpy.isfinite(values(g))) and values(g)[1] == 0.0


def test_log_softmax_of_a_slice_of_only_minus_inf_is_nan_as_in_jax():
    # softmax is 0/0 there: documented, not hidden
    assert numpy.all(numpy.isnan(values(special.log_softmax(np.asarray([-inf, -inf])))))


# -- sqrt, abs, vector_norm at 0 -------------------------------------------------------------------
def test_sqrt_has_an_infinite_derivative_at_zero_as_numpy_and_jax():
    assert float(pg.grad(np.sqrt)(0.0)) == inf
    assert float(pg.jvp(np.sqrt, (0.0,), (1.0,))[1]) == inf


def test_abs_has_derivative_zero_at_zero_at_every_order():
    assert float(pg.grad(np.abs)(0.0)) == 0.0
    assert float(pg.grad(pg.grad(np.abs))(0.0)) == 0.0
    assert float(pg.jvp(np.abs, (0.0,), (1.0,))[1]) == 0.0
    assert values(pg.grad(np.abs)(np.asarray([-2.0, 3.0]))) == [-1.0, 1.0]


@pytest.mark.parametrize("ord", [2, 1, inf])
def test_vector_norm_has_derivative_zero_at_the_zero_vector(ord):
    f = lambda x: np.linalg.vector_norm(x, ord=ord)  # noqa: E731
    assert values(pg.grad(f)(np.zeros(3))) == [0.0, 0.0, 0.0]
    assert float(pg.jvp(f, (np.zeros(3),), (np.ones(3),))[1]) == 0.0


def test_vector_norm_second_derivative_at_zero_is_finite():
    h = pg.hessian(lambda x: np.linalg.vector_norm(x))(np.zeros(2))
    assert values(h) == [[0.0, 0.0], [0.0, 0.0]]


def test_vector_norm_away_from_zero_is_the_unit_vector():
    assert values(pg.grad(np.linalg.vector_norm)(np.asarray([3.0, 4.0]))) == pytest.approx(
        [0.6, 0.8])


def test_std_of_equal_values_has_derivative_zero():
    # sqrt(var) at var = 0: the zero subgradient (as PyTorch), never NaN
    x = np.ones((2, 3))
    assert values(pg.grad(lambda x: np.sum(np.std(x, axis=1)))(x)) == [[0.0] * 3] * 2
    assert values(pg.jvp(np.std, (np.ones(3),), (np.asarray([1.0, 2.0, 3.0]),))[1]) == 0.0
    assert float(np.std(np.asarray([1.0, 3.0]))) == 1.0


# -- where with NaN in the branch not taken --------------------------------------------------------
def test_where_keeps_a_nan_value_out_but_not_a_nan_derivative():
    x = np.asarray([-1.0, 4.0])
    naive = lambda x: np.sum(np.where(x > 0, np.sqrt(x), 0.0))  # noqa: E731
    assert numpy.isfinite(float(naive(x)))                      # the value is fine ...
    g = values(pg.grad(naive)(x))
    assert numpy.isnan(g[0]) and g[1] == 0.25                   # ... its derivative is not


def test_the_double_where_pattern_gives_clean_derivatives():
    x = np.asarray([-1.0, 4.0])

    def safe(x):
        positive = x > 0
        return np.sum(np.where(positive, np.sqrt(np.where(positive, x, 1.0)), 0.0))
    assert values(pg.grad(safe)(x)) == [0.0, 0.25]
    assert values(pg.grad(pg.grad(safe))(x)) == [0.0, pytest.approx(-1 / 32)]


# -- prod and cumulative_prod with zeros -----------------------------------------------------------
@pytest.mark.parametrize("x,expected", [
    ([0.0, 2.0, 3.0], [6.0, 0.0, 0.0]),     # one zero: the product of the others
    ([0.0, 0.0, 3.0], [0.0, 0.0, 0.0]),     # two zeros: every partial product has a zero
    ([2.0, 3.0, 4.0], [12.0, 8.0, 6.0]),
])
def test_prod_gradient_is_exact_with_zeros(x, expected):
    assert values(pg.grad(np.prod)(np.asarray(x))) == expected
    t = pg.jvp(np.prod, (np.asarray(x),), (np.asarray([1.0, 1.0, 1.0]),))[1]
    assert float(t) == sum(expected)


def test_prod_second_derivative_is_exact_with_zeros():
    h = pg.hessian(np.prod)(np.asarray([0.0, 0.0, 3.0]))
    assert values(h) == [[0.0, 3.0, 0.0], [3.0, 0.0, 0.0], [0.0, 0.0, 0.0]]


def test_prod_along_an_axis_with_zeros():
    g = pg.grad(lambda x: np.sum(np.prod(x, axis=0)))(np.asarray([[0.0, 1.0], [0.0, 2.0]]))
    assert values(g) == [[0.0, 2.0], [0.0, 1.0]]


def test_cumulative_prod_jacobian_is_exact_with_zeros():
    j = pg.jacobian(np.cumulative_prod)(np.asarray([2.0, 0.0, 3.0]))
    assert values(j) == [[1.0, 0.0, 0.0], [0.0, 2.0, 0.0], [0.0, 6.0, 0.0]]
    h = pg.hessian(lambda x: np.sum(np.cumulative_prod(x)))(np.asarray([0.0, 2.0, 3.0]))
    assert values(h) == [[0.0, 4.0, 2.0], [4.0, 0.0, 0.0], [2.0, 0.0, 0.0]]


# -- pow with a zero base --------------------------------------------------------------------------
def test_zero_to_the_x_has_derivative_zero_in_x():
    assert float(pg.grad(lambda y: np.asarray(0.0) ** y)(2.0)) == 0.0
    assert float(pg.grad(lambda y: 0.0 ** y)(2.0)) == 0.0
    assert float(pg.jvp(lambda y: np.asarray(0.0) ** y, (1.5,), (1.0,))[1]) == 0.0


def test_x_squared_at_zero_has_derivative_zero():
    assert float(pg.grad(lambda x: x ** 2)(0.0)) == 0.0
    assert float(pg.grad(pg.grad(lambda x: x ** 2))(0.0)) == 2.0


def test_x_to_the_half_at_zero_has_an_infinite_derivative():
    assert float(pg.grad(lambda x: x ** 0.5)(0.0)) == inf


@pytest.mark.parametrize("exponent", [0, 0.0, "array"])
def test_regression_x_to_the_zero_at_zero_has_derivative_zero_not_nan(exponent):
    # x**0 is the constant 1; the rule used to compute 0 * 0**-1 = 0 * inf = nan (as JAX still
    # does); torch gives 0, and so does polygrad now
    e = np.asarray(0.0) if exponent == "array" else exponent
    assert float(pg.grad(lambda x: x ** e)(0.0)) == 0.0
    assert float(pg.jvp(lambda x: x ** e, (0.0,), (1.0,))[1]) == 0.0


def test_regression_second_derivative_of_x_to_the_one_at_zero_is_zero():
    assert float(pg.grad(pg.grad(lambda x: x ** 1.0))(0.0)) == 0.0
    assert float(pg.grad(lambda x: x ** 1.0)(0.0)) == 1.0


def test_pow_matches_torch_at_a_zero_base():
    torch = pytest.importorskip("torch")
    for e in (0.0, 1.0, 2.0, 0.5, 3.0):
        x = torch.tensor(0.0, dtype=torch.float64, requires_grad=True)
        (x ** e).backward()
        assert float(pg.grad(lambda x, e=e: x ** e)(0.0)) == float(x.grad), e


# -- maximum / minimum: ties share the derivative, a NaN never leaks into the other operand --------
X1, X2 = [1.0, 2.0, 3.0, -1.5], [2.0, 2.0, 1.0, -1.5]   # two ties


@pytest.mark.parametrize("name", ["maximum", "minimum"])
def test_maximum_and_minimum_split_ties_evenly_as_torch(name):
    torch = pytest.importorskip("torch")
    w = [1.0, 2.0, 3.0, 4.0]
    ours = pg.grad(lambda a, b: np.sum(getattr(np, name)(a, b) * np.asarray(w)), argnum=[0, 1])(
        np.asarray(X1), np.asarray(X2))
    a = torch.tensor(X1, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(X2, dtype=torch.float64, requires_grad=True)
    theirs = torch.autograd.grad((getattr(torch, name)(a, b) * torch.tensor(w, dtype=torch.float64)
                                  ).sum(), (a, b))
    for g, t in zip(ours, theirs):
        assert values(g) == t.tolist()
    assert values(ours[0]) == ([0.0, 1.0, 3.0, 2.0] if name == "maximum" else [1.0, 1.0, 0.0, 2.0])


@pytest.mark.parametrize("name", ["maximum", "minimum", "fmax", "fmin"])
def test_extrema_of_two_match_finite_differences_away_from_ties(name):
    fn = getattr(np, name)
    x1 = np.asarray([[0.3, -1.2, 2.0], [0.7, 0.1, -0.4]])
    x2 = np.asarray([0.5, -2.0, 2.5])
    check_grads(lambda a, b: fn(a, b) ** 2, order=2)(x1, x2)
    check_grads(lambda a: fn(a, 0.25) * a, order=2)(x1)


@pytest.mark.parametrize("name", ["maximum", "minimum"])
def test_a_nan_operand_gives_zero_not_nan_derivatives(name):
    # maximum(x, nan) is nan: neither operand gets a derivative (JAX does the same)
    fn = getattr(np, name)
    g1, g2 = pg.grad(lambda a, b: np.sum(fn(a, b)), argnum=[0, 1])(
        np.asarray([1.0, numpy.nan]), np.asarray([numpy.nan, numpy.nan]))
    assert values(g1) == [0.0, 0.0] and values(g2) == [0.0, 0.0]


@pytest.mark.parametrize("name", ["fmax", "fmin"])
def test_fmax_derivative_goes_to_the_operand_it_takes_past_a_nan(name):
    fn = getattr(np, name)
    nan = numpy.nan
    a, b = np.asarray([1.0, nan, 2.0, nan]), np.asarray([nan, 3.0, 2.0, nan])
    g1, g2 = pg.grad(lambda a, b: np.sum(fn(a, b)), argnum=[0, 1])(a, b)
    assert values(g1) == [1.0, 0.0, 0.5, 1.0] and values(g2) == [0.0, 1.0, 0.5, 0.0]
    _, t = pg.jvp(lambda a: fn(a, b), (a,), (np.ones_like(a),))
    assert values(t) == [1.0, 0.0, 0.5, 1.0]


@pytest.mark.parametrize("name", ["maximum", "minimum", "fmax", "fmin"])
def test_extrema_of_two_keep_float32_derivatives(name):
    fn = getattr(np, name)
    x = np.asarray([1.0, -2.0, 0.0], dtype=np.float32)
    assert pg.grad(lambda x: np.sum(fn(x, 0.0)))(x).dtype == np.float32
    assert pg.jvp(lambda x: fn(x, x * 2), (x,), (np.ones_like(x),))[1].dtype == np.float32
