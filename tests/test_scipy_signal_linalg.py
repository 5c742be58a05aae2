"""polygrad.scipy.signal, .linalg and .integrate: values against SciPy on every backend (every
mode, boundary, trans and triangle), derivatives against finite differences."""

from __future__ import annotations

import numpy
import pytest

import polygrad.numpy as np
from polygrad.scipy import integrate, linalg, signal
from polygrad.testing import check_grads

scipy_signal = pytest.importorskip("scipy.signal", reason="SciPy is the oracle")
scipy_linalg = pytest.importorskip("scipy.linalg", reason="SciPy is the oracle")
scipy_integrate = pytest.importorskip("scipy.integrate", reason="SciPy is the oracle")

R = numpy.random.default_rng(11)
SHAPES = [((7,), (3,)), ((3,), (7,)), ((5, 6), (2, 3)), ((2, 3), (4, 5)), ((4, 5, 3), (2, 2, 2))]


def _comparable(s1, s2):
    return all(a >= b for a, b in zip(s1, s2)) or all(b >= a for a, b in zip(s1, s2))


@pytest.mark.parametrize("s1, s2", SHAPES, ids=[f"{a}x{b}" for a, b in SHAPES])
@pytest.mark.parametrize("name", ["convolve", "correlate", "fftconvolve"])
def test_nd_convolutions_equal_scipys_in_every_mode(backend, name, s1, s2):
    a, b = R.normal(size=s1), R.normal(size=s2)
    for mode in ("full", "same", "valid"):
        if mode == "valid" and not _comparable(s1, s2):
            continue
        got = getattr(signal, name)(np.asarray(a, dtype=np.float64),
                                    np.asarray(b, dtype=np.float64), mode=mode)
        expected = getattr(scipy_signal, name)(a, b, mode=mode)
        assert got.shape == expected.shape, (mode, got.shape, expected.shape)
        numpy.testing.assert_allclose(got.asnumpy(), expected, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name", ["convolve2d", "correlate2d"])
@pytest.mark.parametrize("boundary", ["fill", "wrap", "symm"])
def test_2d_convolutions_equal_scipys_with_each_boundary(backend, name, boundary):
    for s1, s2 in (((5, 6), (2, 3)), ((6, 6), (4, 2)), ((2, 3), (4, 5))):
        a, b = R.normal(size=s1), R.normal(size=s2)
        for mode in ("full", "same", "valid"):
            got = getattr(signal, name)(np.asarray(a, dtype=np.float64),
                                        np.asarray(b, dtype=np.float64), mode=mode,
                                        boundary=boundary, fillvalue=0.5)
            expected = getattr(scipy_signal, name)(a, b, mode=mode, boundary=boundary,
                                                   fillvalue=0.5)
            numpy.testing.assert_allclose(got.asnumpy(), expected, rtol=1e-9, atol=1e-12)


def test_complex_and_integer_convolutions_equal_scipys(numpy_backend):
    x = R.normal(size=5) + 1j * R.normal(size=5)
    k = R.normal(size=3) + 1j * R.normal(size=3)
    for name in ("convolve", "correlate", "fftconvolve"):
        for mode in ("full", "same", "valid"):
            for a, b in ((x, k), (k, x)):
                numpy.testing.assert_allclose(
                    getattr(signal, name)(np.asarray(a), np.asarray(b), mode=mode).asnumpy(),
                    getattr(scipy_signal, name)(a, b, mode=mode), rtol=1e-9)
    got = signal.convolve(np.asarray([1, 2, 3]), np.asarray([0, 1, 2]))
    assert got.tolist() == scipy_signal.convolve([1, 2, 3], [0, 1, 2]).tolist()


@pytest.mark.parametrize("name", ["convolve", "correlate", "fftconvolve"])
def test_convolutions_differentiate_in_both_inputs(numpy_backend, name):
    f = getattr(signal, name)
    check_grads(lambda a, b: np.sum(np.sin(f(a, b, mode="same"))), modes=("fwd", "rev"),
                order=2)(np.asarray(R.normal(size=(4, 3))), np.asarray(R.normal(size=(2, 2))))


def test_convolve2d_differentiates_with_a_boundary(numpy_backend):
    check_grads(lambda a, b: np.sum(signal.convolve2d(a, b, boundary="symm") ** 2), order=2)(
        np.asarray(R.normal(size=(3, 4))), np.asarray(R.normal(size=(2, 2))))


def test_signal_rejects_bad_modes_and_shapes():
    with pytest.raises(ValueError, match="signal.convolve: mode must be"):
        signal.convolve(np.ones(3), np.ones(2), mode="middle")
    with pytest.raises(ValueError, match="same number of dimensions"):
        signal.convolve(np.ones(3), np.ones((2, 2)))
    with pytest.raises(ValueError, match="'valid' mode one input must be at least as large"):
        signal.convolve(np.ones((3, 1)), np.ones((1, 3)), mode="valid")


A = R.normal(size=(4, 4))
SPD = A @ A.T + 4 * numpy.eye(4)
RHS = R.normal(size=(4, 2))


def test_linalg_values_equal_scipys(backend):
    a, spd, rhs = (np.asarray(v, dtype=np.float64) for v in (A, SPD, RHS))
    for lower in (False, True):
        numpy.testing.assert_allclose(linalg.cholesky(spd, lower=lower).asnumpy(),
                                      scipy_linalg.cholesky(SPD, lower=lower), rtol=1e-10)
        numpy.testing.assert_allclose(
            linalg.cho_solve(linalg.cho_factor(spd, lower=lower), rhs).asnumpy(),
            scipy_linalg.cho_solve(scipy_linalg.cho_factor(SPD, lower=lower), RHS), rtol=1e-9)
        for trans in (0, 1, 2, "N", "T", "C"):
            for unit in (False, True):
                numpy.testing.assert_allclose(
                    linalg.solve_triangular(a, rhs, trans=trans, lower=lower,
                                            unit_diagonal=unit).asnumpy(),
                    scipy_linalg.solve_triangular(A, RHS, trans=trans, lower=lower,
                                                  unit_diagonal=unit), rtol=1e-9)
        numpy.testing.assert_allclose(linalg.eigh(a, lower=lower, eigvals_only=True).asnumpy(),
                                      scipy_linalg.eigh(A, lower=lower, eigvals_only=True),
                                      rtol=1e-9)
    numpy.testing.assert_allclose(linalg.solve(a, rhs[:, 0], transposed=True).asnumpy(),
                                  scipy_linalg.solve(A, RHS[:, 0], transposed=True), rtol=1e-9)
    numpy.testing.assert_allclose(linalg.inv(a).asnumpy(), scipy_linalg.inv(A), rtol=1e-9)
    numpy.testing.assert_allclose(float(linalg.det(a)), scipy_linalg.det(A), rtol=1e-9)
    blocks = ([[1.0, 2.0]], 3.0, [[4.0, 5.0], [6.0, 7.0]])
    numpy.testing.assert_allclose(linalg.block_diag(*map(np.asarray, blocks)).asnumpy(),
                                  scipy_linalg.block_diag(*blocks))


def test_triangular_solves_ignore_the_other_triangle_and_differentiate(numpy_backend):
    a = np.asarray(A + 5 * numpy.eye(4))
    check_grads(lambda a, b: np.sum(linalg.solve_triangular(a, b, lower=True, trans="T")),
                order=2)(a, np.asarray(RHS))
    upper_grad = __import__("polygrad").grad(
        lambda a: np.sum(linalg.solve_triangular(a, np.asarray(RHS), lower=True)))(a)
    assert numpy.all(numpy.triu(upper_grad.asnumpy(), 1) == 0)


def test_cholesky_and_cho_solve_differentiate(numpy_backend):
    def f(s, b):
        s = (s + np.matrix_transpose(s)) / 2
        return np.sum(linalg.cho_solve(linalg.cho_factor(s), b)) + np.sum(linalg.cholesky(s))

    check_grads(f, modes=("fwd", "rev"), order=2)(np.asarray(SPD), np.asarray(RHS))


def test_trapezoid_equals_scipys_and_differentiates(backend):
    y, x = R.normal(size=(3, 6)), numpy.sort(R.normal(size=6))
    got = integrate.trapezoid(np.asarray(y, dtype=np.float64), np.asarray(x, dtype=np.float64))
    numpy.testing.assert_allclose(got.asnumpy(), scipy_integrate.trapezoid(y, x), rtol=1e-10)
    if backend.name == "numpy":
        check_grads(lambda y, x: np.sum(integrate.trapezoid(y, x, axis=0)), order=2)(
            np.asarray(y), np.asarray(R.normal(size=3)))
