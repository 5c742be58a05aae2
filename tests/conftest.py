"""Shared fixtures of polygrad's own tests.

The default backend is whatever the core chose (``POLYGRAD_BACKEND`` or ``numpy``); nothing here
changes it globally. Tests of the core ask for the NumPy backend with the ``numpy_backend`` fixture
(``pytestmark = pytest.mark.usefixtures("numpy_backend")``); tests meant for every backend take the
``backend`` fixture or enter ``pg.use_backend`` themselves.
"""

from __future__ import annotations

import numpy
import pytest

import polygrad as pg

#: the backends the ``backend`` fixture tries, in order
ALL_BACKENDS = ("numpy", "torch", "jax", "strict")

#: relative and absolute tolerances for comparing values computed in a dtype with an oracle
TOLERANCES = {"float64": (1e-10, 1e-12), "float32": (1e-4, 1e-6)}


@pytest.fixture
def numpy_backend():
    """Run the test with the NumPy backend current (context-local, undone afterwards)."""
    with pg.use_backend("numpy") as backend:
        yield backend


@pytest.fixture(params=ALL_BACKENDS)
def backend(request):
    """Run the test once per backend; skip (saying why) where a backend cannot be loaded."""
    name = request.param
    try:
        context = pg.use_backend(name)
        chosen = context.__enter__()
    except pg.BackendUnavailable as exc:
        pytest.skip(f"backend {name} not installed/available: {exc}")
    try:
        yield chosen
    finally:
        context.__exit__(None, None, None)


@pytest.fixture
def rng():
    """A seeded NumPy generator for test data (values are made on the host, then converted)."""
    return numpy.random.default_rng(1234)


def tolerances(dtype) -> tuple[float, float]:
    """(rtol, atol) for results computed in ``dtype`` (a polygrad dtype or its name)."""
    return TOLERANCES[getattr(dtype, "name", str(dtype))]


def assert_close(actual, expected, dtype=None, scale: float = 1.0) -> None:
    """Compare a polygrad Array (or anything array-like) with an oracle, dtype-aware.

    The tolerance comes from ``dtype`` or else from ``actual``'s dtype; ``scale`` loosens it for
    results that went through many operations.
    """
    if dtype is None:
        dtype = getattr(actual, "dtype", "float64")
    rtol, atol = tolerances(dtype)
    numpy.testing.assert_allclose(numpy.asarray(actual, dtype=numpy.float64),
                                  numpy.asarray(expected, dtype=numpy.float64),
                                  rtol=rtol * scale, atol=atol * scale)


@pytest.fixture
def close():
    """The dtype-aware comparison :func:`assert_close`, as a fixture."""
    return assert_close


def require_float64(backend) -> None:
    """Skip the calling test on a backend without float64."""
    if not backend.supports_float64:
        pytest.skip(f"{backend.name} has no float64")


def skip_op_by_op_kernels(backend) -> None:
    """Skip a finite-difference check of ``polygrad.special``'s Array API kernels on strict,
    where they run op by op (tens of seconds per check). torch runs the same kernels (numpy and
    jax SciPy's), and the derivative rules are the same code on every backend."""
    if backend.name == "strict":
        pytest.skip(f"slow on {backend.name} (op-by-op kernels, tens of seconds per check); the "
                    f"same rules are checked on numpy, torch and jax")
