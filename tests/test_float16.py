"""float16 (``np.float16``, ``np.half``): NumPy's half precision on every backend that has it.

float16 is not a dtype of the Array API standard; NumPy, torch, JAX and dask have it, and
array-api-strict has none (there, asking for it raises a ``TypeError`` naming the backend and
the dtype). The oracles: NumPy's own float16 results for values, ``numpy.result_type`` for
promotion, and for derivatives the same derivative computed in float32 (polygrad computes a
float16 function's derivative in float16, as torch and JAX do: see docs/migration.md).
"""

from __future__ import annotations

import itertools

import numpy
import pytest

import polygrad as pg
import polygrad.numpy as np
from polygrad import _dtypes
from polygrad.testing import check_grads

HALF_BACKENDS = ("numpy", "torch", "jax", "dask")
RTOL = 4e-3   # four units in the last place of float16 (eps = 2**-10)

rng = numpy.random.default_rng(0)
X = rng.uniform(0.1, 0.9, (4, 8)).astype(numpy.float16)
Y = rng.uniform(0.2, 1.5, (4, 8)).astype(numpy.float16)

UNARY = ["sin", "cos", "tan", "exp", "expm1", "exp2", "log", "log1p", "log2", "log10", "sqrt",
         "cbrt", "square", "reciprocal", "tanh", "sinh", "cosh", "arctan", "arcsin", "arccos",
         "arcsinh", "arctanh", "abs", "fabs", "negative", "sign", "floor", "ceil", "rint",
         "trunc", "deg2rad", "sinc"]
BINARY = ["add", "subtract", "multiply", "divide", "power", "maximum", "minimum", "fmax",
          "arctan2", "hypot", "logaddexp", "logaddexp2", "fmod", "remainder", "copysign"]
REDUCTIONS = ["sum", "mean", "prod", "max", "min", "std", "var", "median", "average", "ptp",
              "nansum", "argmax"]


@pytest.fixture(params=HALF_BACKENDS)
def backend(request):
    try:
        with pg.use_backend(request.param) as chosen:
            yield chosen
    except pg.BackendUnavailable as exc:
        pytest.skip(f"backend {request.param} not available: {exc}")


def _same(got, want, rtol: float = RTOL) -> None:
    got_host = got.asnumpy()
    assert got_host.dtype == want.dtype, (got_host.dtype, want.dtype)
    wide = complex if want.dtype.kind == "c" else float
    numpy.testing.assert_allclose(got_host.astype(wide), want.astype(wide), rtol=rtol,
                                  atol=rtol * 1e-2)


def test_the_names_are_numpys():
    assert np.float16 is np.half is _dtypes.float16
    assert np.float16 == numpy.dtype("float16") and np.dtype("float16") is np.float16
    assert np.dtype(numpy.half) is np.float16 and np.dtype(numpy.dtype("e")) is np.float16
    info = np.finfo(np.float16)
    ref = numpy.finfo(numpy.float16)
    assert (info.bits, info.eps, info.max, info.min, info.smallest_normal, info.dtype) == (
        16, float(ref.eps), float(ref.max), float(ref.min), float(ref.smallest_normal),
        np.float16)
    assert np.issubdtype(np.float16, np.floating) and np.isdtype(np.float16, "real floating")


@pytest.mark.parametrize("a, b", list(itertools.product([d.name for d in _dtypes.ALL],
                                                        ["float16"])))
def test_promotion_with_float16_is_numpys(a, b):
    assert np.result_type(a, b) == numpy.result_type(a, b).name
    assert np.result_type(b, a) == numpy.result_type(b, a).name
    assert np.promote_types(a, b) == numpy.promote_types(a, b).name
    assert np.can_cast(a, b) == bool(numpy.can_cast(a, b))
    assert np.can_cast(b, a) == bool(numpy.can_cast(b, a))


def test_promotion_of_arrays_and_scalars_on_every_backend(backend):
    half = np.ones(3, dtype=np.float16)
    for d in _dtypes.ALL:
        other = np.ones(3, dtype=d)
        want = numpy.result_type(numpy.float16, d.name).name
        assert (half * other).dtype == want, d
        assert (other * half).dtype == want, d
    assert (half * 2).dtype == (half * 2.5).dtype == np.float16   # weak Python scalars
    assert (half * 1j).dtype == np.complex64                      # no complex32: as NumPy


def test_the_namespace_makes_float16_arrays(backend):
    assert np.ones(3, dtype=np.float16).dtype == np.float16
    assert np.zeros((2, 2), np.half).dtype == np.float16
    assert np.asarray(X).dtype == np.float16                 # host float16 data stays float16
    assert np.arange(4, dtype=np.float16).dtype == np.float16
    _same(np.linspace(0, 1, 5, dtype=np.float16), numpy.linspace(0, 1, 5, dtype=numpy.float16))
    assert np.asarray([1.0], dtype=np.float16).dtype == np.float16
    assert np.common_type(np.asarray(X)) is np.float16
    assert np.common_type(np.asarray(X), np.ones(2, dtype=np.float32)) is np.float32


def test_scalar_type_casts_and_is_differentiable(backend):
    x = np.asarray([1.25, 2.5], dtype=np.float32)
    h = np.float16(x)
    assert h.dtype == np.float16 and h.tolist() == [1.25, 2.5]
    assert np.float16(1.5).dtype == np.float16 and np.half(3).dtype == np.float16
    g = pg.grad(lambda v: np.sum(np.float16(v) * np.float16(v)))(x)
    assert g.dtype == np.float32 and g.tolist() == [2.5, 5.0]
    back = pg.grad(lambda v: np.sum(np.float32(v) ** 2))(np.asarray(X[0]))
    assert back.dtype == np.float16
    _same(back, (2 * X[0].astype(numpy.float32)).astype(numpy.float16))
    assert x.astype(np.float16).dtype == np.float16


@pytest.mark.parametrize("name", UNARY)
def test_unary_values_equal_numpys_float16(backend, name):
    _same(getattr(np, name)(np.asarray(X)), getattr(numpy, name)(X))


@pytest.mark.parametrize("name", BINARY)
def test_binary_values_equal_numpys_float16(backend, name):
    _same(getattr(np, name)(np.asarray(X), np.asarray(Y)), getattr(numpy, name)(X, Y))


@pytest.mark.parametrize("name", REDUCTIONS)
def test_reductions_equal_numpys_float16(backend, name):
    x = np.asarray(X)
    if name == "argmax":
        assert np.argmax(x, axis=1).tolist() == numpy.argmax(X, axis=1).tolist()
        return
    _same(getattr(np, name)(x, axis=1), getattr(numpy, name)(X, axis=1))
    _same(getattr(np, name)(x), numpy.asarray(getattr(numpy, name)(X)))


def test_scans_and_matmul_equal_numpys_float16(backend):
    x, y = np.asarray(X), np.asarray(Y)
    _same(np.cumsum(x, axis=1), numpy.cumsum(X, axis=1))
    _same(np.cumprod(x, axis=1), numpy.cumprod(X, axis=1))
    _same(x @ y.T, X @ Y.T)
    _same(np.sort(x, axis=1), numpy.sort(X, axis=1))
    _same(np.where(x > 0.5, x, y), numpy.where(X > 0.5, X, Y))


# -- derivatives: computed in float16, compared with the float32 derivative -----------------------
def _half_vs_single(fun, x_host, rtol: float = RTOL):
    g16 = pg.grad(fun)(np.asarray(x_host)).asnumpy()
    g32 = pg.grad(fun)(np.asarray(x_host, dtype=np.float32)).asnumpy()
    assert g16.dtype == numpy.float16 and g32.dtype == numpy.float32
    scale = numpy.max(numpy.abs(g32))
    numpy.testing.assert_allclose(g16.astype(float), g32.astype(float), rtol=rtol,
                                  atol=rtol * scale)
    return g16


GRAD_UNARY = ["sin", "cos", "tan", "exp", "expm1", "exp2", "log", "log1p", "sqrt", "cbrt",
              "square", "reciprocal", "tanh", "sinh", "arctan", "arcsin", "arctanh", "sinc"]
GRAD_BINARY = ["multiply", "divide", "power", "arctan2", "hypot", "logaddexp", "maximum"]
GRAD_REDUCTIONS = ["sum", "mean", "prod", "max", "std", "var", "cumsum"]


@pytest.mark.parametrize("name", GRAD_UNARY + GRAD_BINARY + GRAD_REDUCTIONS)
def test_derivatives_in_float16_match_float32(backend, name):
    f = getattr(np, name)
    if name in GRAD_BINARY:
        def fun(x):
            return np.sum(f(x, np.asarray(Y, dtype=x.dtype)))
    elif name in GRAD_REDUCTIONS:
        def fun(x):
            return np.sum(f(x, axis=1))
    else:
        def fun(x):
            return np.sum(f(x))
    _half_vs_single(fun, X)


def test_a_small_network_in_float16_matches_float32_and_torch(backend):
    # a composition: float16's rounding of the forward values (tanh near saturation here)
    # moves the derivative by a few percent of its size, in torch's float16 autograd as here
    def loss(x, lib=np):
        w = np.asarray(Y, dtype=x.dtype) if lib is np else lib.from_numpy(Y)
        return lib.sum(lib.tanh(lib.tanh(x @ w.T) @ w - 2.0) ** 2)

    g16 = _half_vs_single(loss, X, rtol=3e-2)
    torch = pytest.importorskip("torch")
    t = torch.from_numpy(X).requires_grad_()
    loss(t, torch).backward()
    ref = t.grad.numpy()
    assert ref.dtype == numpy.float16
    numpy.testing.assert_allclose(g16.astype(float), ref.astype(float), rtol=1e-2,
                                  atol=1e-2 * numpy.max(numpy.abs(ref.astype(float))))


@pytest.mark.parametrize("name", ["sin", "exp", "tanh", "arctan", "square"])
def test_check_grads_with_float16_tolerances(backend, name):
    x = np.asarray(rng.uniform(0.3, 0.7, 5).astype(numpy.float16))
    check_grads(getattr(np, name), order=2)(x)
    check_grads(lambda v: np.sum(v * np.sin(v)), order=2)(x)


def test_numpy_scalars_keep_their_shape_when_cast(backend):
    # regression: torch turned a NumPy scalar cast to another dtype into shape (1,)
    for d in (np.float16, np.float32, np.float64):
        assert np.asarray(numpy.float64(0.5), dtype=d).shape == ()
        assert np.asarray(numpy.float32(0.5), dtype=d).shape == ()
    # which made check_grads of a scalar function fail there in the default float32
    check_grads(lambda v: np.sum(np.sin(v)))(np.asarray([0.3, 0.5]))


# -- array-api-strict has no float16 ---------------------------------------------------------------
def test_strict_names_the_backend_and_the_dtype():
    try:
        context = pg.use_backend("strict")
        context.__enter__()
    except pg.BackendUnavailable as exc:
        pytest.skip(f"backend strict not available: {exc}")
    try:
        for make in (lambda: np.asarray([1.0], dtype=np.float16),
                     lambda: np.asarray(X),
                     lambda: np.ones(2, dtype=np.float16),
                     lambda: np.float16(1.0),
                     lambda: np.ones(2).astype(np.float16)):
            with pytest.raises(TypeError, match="'strict'.* has no float16"):
                make()
        assert "float16" not in np.__array_namespace_info__().dtypes()
    finally:
        context.__exit__(None, None, None)


def test_functions_that_built_float64_constants_keep_float16(backend):
    x = np.asarray(X)
    _same(np.ldexp(x, 2), numpy.ldexp(X, 2))
    _same(np.linspace(x[0, 0], x[0, 1], 5), numpy.linspace(X[0, 0], X[0, 1], 5))
    assert np.sort_complex(x[0]).dtype == numpy.sort_complex(X[0]).dtype   # complex128


def test_fft_of_float16_is_numpys_complex64(backend):
    # torch and JAX have no half transforms: float16 input is transformed in float32, as NumPy
    x = np.asarray(X)
    _same(np.fft.fft(x), numpy.fft.fft(X).astype(numpy.complex64))
    _same(np.fft.rfft(x), numpy.fft.rfft(X).astype(numpy.complex64))
    assert numpy.fft.fft(X).dtype == numpy.complex64
    g = pg.grad(lambda v: np.sum(np.abs(np.fft.rfft(v)) ** 2))(x)
    assert g.dtype == np.float16


def test_float16_as_the_default_float_dtype(backend):
    pg.set_default_dtype("float16")
    try:
        assert np.ones(2).dtype == np.asarray([1.5]).dtype == np.float16
        assert (np.arange(3) * 0.5).dtype == np.float16
        info = np.__array_namespace_info__().default_dtypes()
        assert (info["real floating"], info["complex floating"]) == (np.float16, np.complex64)
        assert pg.grad(lambda v: np.sum(v ** 2))(np.asarray([1.0, 2.0])).tolist() == [2.0, 4.0]
    finally:
        pg.set_default_dtype(None)
