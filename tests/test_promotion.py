"""Type promotion is polygrad's own: the same result dtype on every backend (docs/promotion.md).

The oracle for pairs of arrays is the standard's table as array-api-strict writes it down, and
NumPy 2 where the standard leaves the result unspecified (mixed kinds, uint64 with a signed
integer); for Python scalars it is NumPy 2 (NEP 50), with the backend's default float dtype
where a float meets an integer array.
"""

from __future__ import annotations

import itertools

import numpy
import pytest

import polygrad as pg
import polygrad.numpy as np
from polygrad import _dtypes

BACKENDS = ("numpy", "torch", "jax", "strict")
NAMES = [d.name for d in _dtypes.ALL]
PAIRS = list(itertools.product(NAMES, NAMES))


def _standard_table() -> dict:
    """{(a, b): result} for the pairs the standard specifies, from array-api-strict."""
    try:
        import array_api_strict as xp
        from array_api_strict._dtypes import _promotion_table
    except ImportError:   # pragma: no cover - strict is a test dependency
        return {}
    return {(a.__repr__().rpartition(".")[2], b.__repr__().rpartition(".")[2]):
            c.__repr__().rpartition(".")[2] for (a, b), c in _promotion_table.items()
            if a in xp.__array_namespace_info__().dtypes().values()}


STANDARD = _standard_table()


def expected(a: str, b: str) -> str:
    """The standard's result where it has one, else NumPy 2's."""
    return STANDARD.get((a, b)) or numpy.result_type(a, b).name


@pytest.fixture(params=BACKENDS)
def backend(request):
    try:
        with pg.use_backend(request.param) as chosen:
            yield chosen
    except pg.BackendUnavailable as exc:
        pytest.skip(f"backend {request.param} not available: {exc}")


def ones(name: str):
    return np.ones((2,), dtype=name)


def has(backend, name: str) -> bool:
    """Whether ``backend`` has the dtype (array-api-strict has no float16, not the standard's)."""
    try:
        backend.native_dtype(_dtypes.by_name(name))
    except TypeError:
        return False
    return True


def test_the_oracle_has_the_standards_table():
    if not STANDARD:
        pytest.skip("array-api-strict is not installed: no copy of the standard's table")
    assert STANDARD[("uint8", "int8")] == "int16"
    assert STANDARD[("float32", "complex128")] == "complex128"
    assert ("int64", "float32") not in STANDARD   # mixed kinds: unspecified by the standard


@pytest.mark.parametrize("a, b", PAIRS, ids=[f"{a}-{b}" for a, b in PAIRS])
def test_result_type_of_every_pair_is_the_standards(a, b):
    assert np.result_type(a, b) == expected(a, b)
    assert np.can_cast(a, b) == bool(numpy.can_cast(a, b))


def test_every_pair_gives_the_same_dtype_on_every_backend(backend):
    for a, b in PAIRS:
        if not (has(backend, a) and has(backend, b)):
            continue
        x1, x2 = ones(a), ones(b)
        op = np.logical_and if a == b == "bool" else np.multiply   # strict: numbers only
        assert op(x1, x2).dtype == expected(a, b), (backend.name, a, b)
        if a != "bool" or b != "bool":
            assert (x1 * x2).dtype == expected(a, b), (backend.name, a, b)


@pytest.mark.parametrize("a, b, result", [("int64", "float32", "float64"),
                                          ("int16", "float32", "float32"),
                                          ("uint8", "int8", "int16"),
                                          ("uint64", "int64", "float64"),
                                          ("bool", "int8", "int8"),
                                          ("float64", "complex64", "complex128")])
def test_mixed_pairs_where_backends_disagree(backend, a, b, result):
    # torch: int64 + float32 -> float32; array-api-strict refuses mixed kinds
    assert (ones(a) + ones(b)).dtype == result
    assert np.where(np.asarray([True, False]), ones(a), ones(b)).dtype == result
    assert np.concat([ones(a), ones(b)]).dtype == result
    assert np.matmul(ones(a), ones(b)).dtype == result


SCALARS = (True, 3, 2.5, 1j)


def scalar_expected(name: str, scalar, default: str) -> str:
    """NumPy 2's weak scalar result, with the backend's default float where a float or complex
    meets a bool or integer array."""
    out = numpy.result_type(numpy.ones(1, dtype=name), scalar)
    if numpy.dtype(name).kind in "biu" and out.kind in "fc":
        return default if out.kind == "f" else {"float32": "complex64",
                                                "float64": "complex128"}[default]
    return out.name


def test_python_scalars_are_weak_on_every_backend(backend):
    default = pg.get_default_dtype().name
    for name, scalar in itertools.product(NAMES, SCALARS):
        if not has(backend, name):
            continue
        want = scalar_expected(name, scalar, default)
        assert np.result_type(ones(name), scalar) == want, (name, scalar)
        if name == "bool" and type(scalar) is bool:
            continue   # the standard has no arithmetic on bools
        assert (ones(name) * scalar).dtype == want, (backend.name, name, scalar)
        assert (scalar * ones(name)).dtype == want, (backend.name, name, scalar)


def test_a_python_float_keeps_float32_and_an_int_keeps_int8(backend):
    assert (ones("float32") + 0.1).dtype == "float32"
    assert (ones("int8") + 100).dtype == "int8"
    assert np.fmax(ones("float32"), 0.5).dtype == "float32"
    assert np.logaddexp2(ones("float32"), 0.5).dtype == "float32"


def test_a_python_float_with_an_integer_array_gives_the_default_float(backend):
    pg.set_default_dtype("float64")
    try:
        assert (ones("int32") * 0.5).dtype == "float64"
        assert (ones("int32") / 2).dtype == "float64"
    finally:
        pg.set_default_dtype(None)
    assert (ones("int32") * 0.5).dtype == backend.default_float_dtype


@pytest.mark.parametrize("name", ["sin", "exp", "sqrt", "tanh", "log1p"])
def test_a_float_function_of_an_integer_or_bool_array_gives_the_default_float(backend, name):
    fun = getattr(np, name)
    assert fun(ones("int32")).dtype == backend.default_float_dtype
    assert fun(np.asarray([True, False])).dtype == backend.default_float_dtype
    pg.set_default_dtype("float64")
    try:
        assert fun(ones("int64")).dtype == "float64"
    finally:
        pg.set_default_dtype(None)
    assert np.abs(ones("int32")).dtype == "int32"   # not a float function: the dtype stays


def test_gradients_flow_through_promotion_in_each_inputs_dtype(backend):
    x = np.asarray([1.0, 2.0], dtype="float32")
    y = np.asarray([3.0, 4.0], dtype="float64")
    gx, gy = pg.grad(lambda x, y: np.sum(x * y), argnum=[0, 1])(x, y)
    assert (gx.dtype, gy.dtype) == ("float32", "float64")
    assert gx.tolist() == [3.0, 4.0] and gy.tolist() == [1.0, 2.0]
    _, t = pg.jvp(lambda x: x * y, (x,), (np.ones_like(x),))
    assert t.dtype == "float64" and t.tolist() == [3.0, 4.0]


def test_gradient_with_an_integer_operand_is_the_floats(backend):
    k = np.asarray([2, 3], dtype="int64")
    g = pg.grad(lambda x: np.sum(x * k))(np.asarray([1.0, 1.0], dtype="float32"))
    assert g.dtype == "float32" and g.tolist() == [2.0, 3.0]


def test_same_dtype_operands_are_not_cast():
    from polygrad.numpy._helpers import promoted

    x, y = np.ones(2), np.ones(2)
    a, b = promoted(x, y)
    assert a is x and b is y
    a, b = promoted(x, 2.0)
    assert a is x and b == 2.0


def test_result_type_needs_an_array_or_dtype():
    with pytest.raises(TypeError, match="at least one array or dtype"):
        np.result_type(1.0, 2)
