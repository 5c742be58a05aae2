"""NumPy's functions beyond the standard (issue 17), on every backend: values equal NumPy's,
results stay on the argument's (or the current) backend, and the differentiable ones
differentiate (their derivatives are checked against finite differences by the conformance
rows in ``conformance/specs/numpy_more.py``; a few are checked here with ``check_grads``)."""

from __future__ import annotations

import numpy
import pytest

import polygrad as pg
import polygrad.numpy as np
from polygrad.testing import check_grads

A = numpy.array([[3.0, -1.0, 2.5], [0.0, 7.0, -4.0]])
V = numpy.array([0.0, 2.0, 0.0, 1.0, 5.0, 0.0])
K = numpy.array([1, 5, 1, 4, 3, 4, 4])


def _same(actual, expected):
    """Values (and a tuple's parts) equal NumPy's; Arrays stay on the current backend."""
    if isinstance(expected, (tuple, list)):
        assert len(actual) == len(expected)
        for a, e in zip(actual, expected):
            _same(a, e)
        return
    if isinstance(expected, (bool, int, float)) and not isinstance(actual, pg.Array):
        assert actual == expected
        return
    assert isinstance(actual, pg.Array), type(actual)
    assert actual.backend == pg.get_backend().name
    got = actual.asnumpy()
    expected = numpy.asarray(expected)
    assert got.shape == expected.shape
    assert got.dtype.kind == expected.dtype.kind or {got.dtype.kind, expected.dtype.kind} <= \
        {"i", "u"}, (got.dtype, expected.dtype)
    numpy.testing.assert_allclose(got.astype(expected.dtype) if expected.dtype.kind != "b"
                                  else got, expected, rtol=1e-5, atol=1e-6, equal_nan=True)


def a():
    return np.asarray(A)


CASES = {
    # index helpers
    "r_": (lambda: np.r_[1:4, 0, np.asarray([5, 6])], lambda: numpy.r_[1:4, 0, [5, 6]]),
    "r_-complex-step": (lambda: np.r_[0:1:5j], lambda: numpy.r_[0:1:5j]),
    "c_": (lambda: np.c_[np.asarray([1.0, 2.0]), np.asarray([3.0, 4.0])],
           lambda: numpy.c_[[1.0, 2.0], [3.0, 4.0]]),
    "mgrid": (lambda: np.mgrid[0:3, 0:2], lambda: numpy.mgrid[0:3, 0:2]),
    "ogrid": (lambda: np.ogrid[0:3, 0:2], lambda: numpy.ogrid[0:3, 0:2]),
    "ix_": (lambda: np.ix_([0, 1], [2, 0]), lambda: numpy.ix_([0, 1], [2, 0])),
    "indices": (lambda: np.indices((2, 3)), lambda: numpy.indices((2, 3))),
    "triu_indices": (lambda: np.triu_indices(4, 1), lambda: numpy.triu_indices(4, 1)),
    "tril_indices": (lambda: np.tril_indices(3, 0, 4), lambda: numpy.tril_indices(3, 0, 4)),
    "triu_indices_from": (lambda: np.triu_indices_from(a()), lambda: numpy.triu_indices_from(A)),
    "diag_indices": (lambda: np.diag_indices(3), lambda: numpy.diag_indices(3)),
    "unravel_index": (lambda: np.unravel_index(np.asarray([22, 41, 37]), (7, 6)),
                      lambda: numpy.unravel_index([22, 41, 37], (7, 6))),
    "ravel_multi_index": (lambda: np.ravel_multi_index((np.asarray([3, 6]), np.asarray([4, 5])),
                                                       (7, 6)),
                          lambda: numpy.ravel_multi_index(([3, 6], [4, 5]), (7, 6))),
    "argwhere": (lambda: np.argwhere(a() > 0), lambda: numpy.argwhere(A > 0)),
    "flatnonzero": (lambda: np.flatnonzero(np.asarray(V)), lambda: numpy.flatnonzero(V)),
    # comparisons and predicates
    "allclose": (lambda: np.allclose(a(), a() + 1e-9), lambda: numpy.allclose(A, A + 1e-9)),
    "isclose": (lambda: np.isclose(a(), a() * 1.01), lambda: numpy.isclose(A, A * 1.01)),
    "array_equal": (lambda: np.array_equal(a(), a()), lambda: True),
    "array_equiv": (lambda: np.array_equiv(a()[0], a()[0][None]), lambda: True),
    "iscomplex": (lambda: np.iscomplex(np.asarray([1 + 1j, 2 + 0j])),
                  lambda: numpy.iscomplex([1 + 1j, 2 + 0j])),
    "isposinf": (lambda: np.isposinf(np.asarray([1.0, numpy.inf, -numpy.inf])),
                 lambda: numpy.isposinf([1.0, numpy.inf, -numpy.inf])),
    # integer and bit functions
    "gcd": (lambda: np.gcd(np.asarray([12, -18, 7]), np.asarray([8, 12, 0])),
            lambda: numpy.gcd([12, -18, 7], [8, 12, 0])),
    "lcm": (lambda: np.lcm(np.asarray([4, 6]), np.asarray([6, 10])),
            lambda: numpy.lcm([4, 6], [6, 10])),
    "bitwise_count": (lambda: np.bitwise_count(np.asarray([0, 7, 255])),
                      lambda: numpy.bitwise_count(numpy.array([0, 7, 255]))),
    "packbits": (lambda: np.packbits(np.asarray([[1, 0, 1], [0, 1, 1]], dtype="uint8"), axis=1),
                 lambda: numpy.packbits(numpy.array([[1, 0, 1], [0, 1, 1]], numpy.uint8),
                                        axis=1)),
    "unpackbits": (lambda: np.unpackbits(np.asarray([2, 255], dtype="uint8")),
                   lambda: numpy.unpackbits(numpy.array([2, 255], numpy.uint8))),
    "divmod": (lambda: np.divmod(a(), 2.0), lambda: numpy.divmod(A, 2.0)),
    "frexp": (lambda: np.frexp(a()), lambda: numpy.frexp(A)),
    "spacing": (lambda: np.spacing(np.asarray([1.0, -2.0])), lambda: numpy.spacing([1.0, -2.0])),
    "fix": (lambda: np.fix(a() / 2), lambda: numpy.fix(A / 2)),
    "around": (lambda: np.around(a() / 3, 2), lambda: numpy.around(A / 3, 2)),
    # sets, sorting, counting
    "unique": (lambda: np.unique(np.asarray(K), True, True, True),
               lambda: numpy.unique(K, True, True, True)),
    "intersect1d": (lambda: np.intersect1d(np.asarray(K), np.asarray([4, 9, 1]),
                                           return_indices=True),
                    lambda: numpy.intersect1d(K, [4, 9, 1], return_indices=True)),
    "union1d": (lambda: np.union1d(np.asarray(K), np.asarray([9, 0])),
                lambda: numpy.union1d(K, [9, 0])),
    "setdiff1d": (lambda: np.setdiff1d(np.asarray(K), np.asarray([4, 9])),
                  lambda: numpy.setdiff1d(K, [4, 9])),
    "setxor1d": (lambda: np.setxor1d(np.asarray(K), np.asarray([4, 9])),
                 lambda: numpy.setxor1d(K, [4, 9])),
    "lexsort": (lambda: np.lexsort((np.asarray(K), np.asarray(K[::-1]))),
                lambda: numpy.lexsort((K, K[::-1]))),
    "bincount": (lambda: np.bincount(np.asarray(K)), lambda: numpy.bincount(K)),
    "digitize": (lambda: np.digitize(np.asarray(V), np.asarray([0.5, 1.5, 3.0])),
                 lambda: numpy.digitize(V, [0.5, 1.5, 3.0])),
    "histogram": (lambda: np.histogram(np.asarray(V), 3), lambda: numpy.histogram(V, 3)),
    "histogram2d": (lambda: np.histogram2d(np.asarray(V), np.asarray(V[::-1]), 2),
                    lambda: numpy.histogram2d(V, V[::-1], 2)),
    "nanargmax": (lambda: np.nanargmax(np.asarray([1.0, numpy.nan, 3.0])),
                  lambda: numpy.nanargmax([1.0, numpy.nan, 3.0])),
    "trim_zeros": (lambda: np.trim_zeros(np.asarray(V)), lambda: numpy.trim_zeros(V)),
    "sort_complex": (lambda: np.sort_complex(np.asarray([3.0, 1.0, 2.0])),
                     lambda: numpy.sort_complex([3.0, 1.0, 2.0])),
    # creation
    "tri": (lambda: np.tri(3, 4, 1), lambda: numpy.tri(3, 4, 1)),
    "identity": (lambda: np.identity(3), lambda: numpy.identity(3)),
    "logspace": (lambda: np.logspace(0, 2, 5), lambda: numpy.logspace(0, 2, 5)),
    "geomspace": (lambda: np.geomspace(1, 1000, 4), lambda: numpy.geomspace(1, 1000, 4)),
    "fromfunction": (lambda: np.fromfunction(lambda i, j: i * 3 + j, (2, 3)),
                     lambda: numpy.fromfunction(lambda i, j: i * 3 + j, (2, 3))),
    "hanning": (lambda: np.hanning(5), lambda: numpy.hanning(5)),
    "roots": (lambda: np.sort(np.roots(np.asarray([1.0, -6.0, 11.0, -6.0]))),
              lambda: numpy.sort(numpy.roots([1.0, -6.0, 11.0, -6.0]))),
    "lstsq-rank": (lambda: np.linalg.lstsq(a().T, np.asarray([1.0, 2.0, 3.0]))[2],
                   lambda: int(numpy.linalg.lstsq(A.T, [1.0, 2.0, 3.0])[2])),
}


@pytest.mark.parametrize("name", list(CASES))
def test_values_equal_numpys_on_every_backend(backend, name):
    ours, theirs = CASES[name]
    _same(ours(), theirs())


def test_in_place_helpers_write_through_setitem_on_every_backend(backend):
    for ours, theirs in [
        (lambda x: np.put(x, [0, 4], [-1.0, -2.0]), lambda x: numpy.put(x, [0, 4], [-1.0, -2.0])),
        (lambda x: np.place(x, x > 2, [9.0]), lambda x: numpy.place(x, x > 2, [9.0])),
        (lambda x: np.putmask(x, x < 0, [7.0, 8.0]), lambda x: numpy.putmask(x, x < 0, [7.0, 8.0])),
        (lambda x: np.copyto(x, 5.0, where=x > 0), lambda x: numpy.copyto(x, 5.0, where=x > 0)),
        (lambda x: np.fill_diagonal(x, 0.5), lambda x: numpy.fill_diagonal(x, 0.5)),
        (lambda x: np.put_along_axis(x, np.asarray([[1], [2]]), 3.0, 1),
         lambda x: numpy.put_along_axis(x, numpy.array([[1], [2]]), 3.0, 1)),
    ]:
        x, y = np.asarray(A.copy()), A.copy()
        ours(x)
        theirs(y)
        _same(x, y)


def test_compositions_differentiate_on_every_backend(backend):
    x = np.asarray(numpy.array([0.7, -1.3, 2.2]))
    check_grads(lambda v: np.sum(np.cbrt(v) * np.i0(v)), modes=("rev",), order=1)(x)
    check_grads(lambda v: np.nanstd(np.r_[v, v * 2.0]), modes=("rev",), order=1)(x)
    check_grads(lambda v: np.sum(np.cov(np.c_[v, v * v, np.sin(v)])), modes=("rev",),
                order=1)(x)
    check_grads(lambda v: np.polyval(v, 0.3) + np.vdot(v, v), modes=("rev",), order=1)(x)


def test_count_of_new_names_is_stable():
    from polygrad.numpy._compat_more import __all__ as more

    assert len(more) == len(set(more)) >= 180
