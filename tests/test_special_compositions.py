"""The polygrad.special functions built as compositions (gamma, beta, betaln, multigammaln,
entr, rel_entr, erfcinv, sinc, xlog1py): values against scipy.special on every backend,
derivatives against finite differences (both modes, second order)."""

from __future__ import annotations

import numpy
import pytest

import polygrad.numpy as np
import polygrad.special as special
from polygrad.testing import check_grads

scipy_special = pytest.importorskip("scipy.special", reason="SciPy is the oracle")

X = numpy.array([-2.5, -1.5, -0.5, 0.5, 1.0, 2.5, 7.3])
A = numpy.array([0.5, 2.0, 3.3])
B = numpy.array([1.5, 0.7, 2.0])
CASES = [
    ("gamma", (X,)),
    ("beta", (A, B)),
    ("beta", (numpy.array([-0.5, -1.5, 2.5]), B)),
    ("betaln", (A, B)),
    ("entr", (numpy.array([-1.0, 0.0, 0.3, 1.0, 2.0]),)),
    ("rel_entr", (numpy.array([0.0, 0.0, 0.5, 0.5, -1.0, 1.0]),
                  numpy.array([0.0, 1.0, 0.2, 0.0, 1.0, -1.0]))),
    ("erfcinv", (numpy.array([0.1, 0.5, 1.0, 1.7]),)),
    ("sinc", (X,)),
    ("xlog1py", (numpy.array([0.0, 0.0, 2.0, 1.5]), numpy.array([-1.0, 3.0, 1.0, -0.5]))),
]


@pytest.mark.parametrize("name, args", CASES, ids=[c[0] for c in CASES])
def test_values_equal_scipys(backend, name, args):
    got = getattr(special, name)(*[np.asarray(a, dtype=np.float64) for a in args])
    expected = (numpy.sinc(*args) if name == "sinc" else getattr(scipy_special, name)(*args))
    assert got.backend == backend.name
    numpy.testing.assert_allclose(got.asnumpy(), expected, rtol=1e-9)


def test_multigammaln_equals_scipys_and_checks_d(backend):
    got = special.multigammaln(np.asarray(A + 2.0, dtype=np.float64), 3)
    numpy.testing.assert_allclose(got.asnumpy(), scipy_special.multigammaln(A + 2.0, 3),
                                  rtol=1e-10)
    with pytest.raises(TypeError, match="multigammaln: d must be a positive int"):
        special.multigammaln(1.0, 0)


GRADS = [
    ("gamma", (numpy.array([-1.5, -0.5, 0.7, 2.5]),)),
    ("beta", (A, B)),
    ("betaln", (A, B)),
    ("entr", (numpy.array([0.3, 1.0, 2.0]),)),
    ("rel_entr", (numpy.array([0.5, 1.2]), numpy.array([0.2, 2.0]))),
    ("erfcinv", (numpy.array([0.3, 0.9, 1.7]),)),
    ("xlog1py", (numpy.array([0.5, 2.0]), numpy.array([1.0, -0.5]))),
]


@pytest.mark.parametrize("name, args", GRADS, ids=[g[0] for g in GRADS])
def test_derivatives_match_finite_differences(numpy_backend, name, args):
    f = getattr(special, name)
    check_grads(lambda *a: np.sum(f(*a)), modes=("fwd", "rev"), order=2)(
        *[np.asarray(a) for a in args])


def test_multigammaln_differentiates(numpy_backend):
    check_grads(lambda a: np.sum(special.multigammaln(a, 4)), order=2)(np.asarray([2.5, 3.1]))
