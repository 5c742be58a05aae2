"""Code written for NumPy runs on polygrad.numpy unchanged (issue 17): each call form below is
taken from NumPy's documentation of the function; its value must equal NumPy's on every
backend (numpy, torch, jax, strict), and where it is differentiable its derivatives pass
``check_grads`` (forward and reverse mode, against central differences).

Also: NumPy's scalar types as casts, ``numpy.ndarray``'s methods on ``Array`` (the list is
computed from the installed NumPy, less a checked-in list of exclusions with reasons), and
NumPy's dispatch protocols (``numpy.sin(x)`` and ``scipy.special.expit(x)`` on a polygrad
array being differentiated run polygrad's functions; on a concrete one NumPy's own).
"""

from __future__ import annotations

import numpy
import pytest

import polygrad as pg
import polygrad.numpy as np
from polygrad.testing import check_grads

pytestmark = pytest.mark.usefixtures("backend")

R = numpy.random.default_rng(17)
X = R.standard_normal(5)
M = R.standard_normal((3, 4))
S = M @ M.T + numpy.eye(3)                     # symmetric positive definite
A3 = R.standard_normal((2, 3, 4))
B3 = R.standard_normal((3, 4, 2))
COL = R.standard_normal((3, 1, 2))


def _on_backend(a):
    """A float64 Array (where the backend has float64) with ``a``'s values."""
    try:
        return np.asarray(a, dtype=np.float64)
    except (TypeError, ValueError):
        return np.asarray(a)


def _host(v):
    if isinstance(v, (tuple, list)):
        return [_host(e) for e in v]
    return numpy.asarray(v.asnumpy() if isinstance(v, np.Array) else v)


def _close(ours, theirs, float32: bool):
    ours, theirs = _host(ours), _host(theirs)
    if isinstance(theirs, list):
        assert len(ours) == len(theirs)
        for o, t in zip(ours, theirs):
            _close(o, t, float32)
        return
    assert ours.shape == theirs.shape
    rtol, atol = (1e-4, 1e-5) if float32 else (1e-10, 1e-12)
    numpy.testing.assert_allclose(ours, theirs, rtol=rtol, atol=atol)


# (id, the call on a module ``m`` (polygrad.numpy or numpy) and arrays, the inputs,
#  differentiable in the inputs)
CALLS = [
    ("sum(x, 0)", lambda m, x: m.sum(x, 0), (M,), True),
    ("mean(M, 1)", lambda m, x: m.mean(x, 1), (M,), True),
    ("max(x, 0)", lambda m, x: m.max(x, 0), (M,), True),
    ("min(x, 1, None, True)", lambda m, x: m.min(x, 1, None, True), (M,), True),
    ("prod(x, 1)", lambda m, x: m.prod(x, 1), (M,), True),
    ("stack([x, x], 1)", lambda m, x: m.stack([x, x], 1), (M,), True),
    ("concatenate([x, x], 1)", lambda m, x: m.concatenate([x, x], 1), (M,), True),
    ("round(x, 2)", lambda m, x: m.round(x, 2), (M,), False),
    ("around-style round(x, -1)", lambda m, x: m.round(x * 100, -1), (M,), False),
    ("fft.fft(x, 16)", lambda m, x: m.fft.fft(x, 16), (X,), True),
    ("fft.rfft(x, 8, 0)", lambda m, x: m.fft.rfft(x, 8, 0), (M,), True),
    ("tensordot(a, b, 2)", lambda m, a, b: m.tensordot(a, b, 2), (A3, B3), True),
    ("linalg.eigh(a, 'U').eigenvalues", lambda m, a: m.linalg.eigh(a, "U")[0], (S,), True),
    ("linalg.eigvalsh(a, 'L')", lambda m, a: m.linalg.eigvalsh(a, "L"), (S,), True),
    ("squeeze(a)", lambda m, a: m.squeeze(a), (COL,), True),
    ("tile(x, 2)", lambda m, x: m.tile(x, 2), (M,), True),
    ("tile(x, (2, 1))", lambda m, x: m.tile(x, (2, 1)), (M,), True),
    ("std(x, ddof=1)", lambda m, x: m.std(x, ddof=1), (M,), True),
    ("var(x, ddof=1)", lambda m, x: m.var(x, ddof=1), (M,), True),
    ("var(x, 0, None, None, 1)", lambda m, x: m.var(x, 0, None, None, 1), (M,), True),
    ("std(x, axis=1, keepdims=True)", lambda m, x: m.std(x, axis=1, keepdims=True), (M,), True),
    # NumPy 2.4 wants a_max too (NumPy 1.17 to 2.0 took a_min alone): polygrad takes both
    ("clip(a, a_min=0)", lambda m, a: m.clip(a, a_min=0) if m is np else m.clip(a, 0, None),
     (M,), True),
    ("clip(a, -0.5, 0.5)", lambda m, a: m.clip(a, -0.5, 0.5), (M,), True),
    ("clip(a, max=0.5)", lambda m, a: m.clip(a, max=0.5), (M,), True),
    ("moveaxis(a, source=0, destination=1)",
     lambda m, a: m.moveaxis(a, source=0, destination=1), (A3,), True),
    ("repeat(a, repeats=2, axis=0)", lambda m, a: m.repeat(a, repeats=2, axis=0), (M,), True),
    ("linalg.svd(a, compute_uv=False)", lambda m, a: m.linalg.svd(a, compute_uv=False), (M,),
     True),
    ("cumsum(x)", lambda m, x: m.cumsum(x), (M,), True),
    ("diff(x, 2)", lambda m, x: m.diff(x, 2), (X,), True),
    ("sort(x, None)", lambda m, x: m.sort(x, None), (M,), True),
    ("argsort(x, 0)", lambda m, x: m.argsort(x, 0), (M,), False),
    ("argmax(x, 1)", lambda m, x: m.argmax(x, 1), (M,), False),
    ("take(x, [0, 2], 1)", lambda m, x: m.take(x, [0, 2], 1), (M,), True),
    ("take(x, [5, -7], mode='wrap')", lambda m, x: m.take(x, [5, -7], mode="wrap"), (X,), True),
    ("roll(x, 1, 0)", lambda m, x: m.roll(x, 1, 0), (M,), True),
    ("flip(x, 1)", lambda m, x: m.flip(x, 1), (M,), True),
    ("expand_dims(x, 0)", lambda m, x: m.expand_dims(x, 0), (M,), True),
    ("reshape(x, (2, -1), order='F')", lambda m, x: m.reshape(x, (2, -1), order="F"), (M,),
     True),
    ("ravel(x, 'F')", lambda m, x: m.ravel(x, "F"), (M,), True),
    ("transpose(x)", lambda m, x: m.transpose(x), (A3,), True),
    ("permute_dims(x)", lambda m, x: m.permute_dims(x), (A3,), True),
    ("linspace(0, x, 4, axis=1)", lambda m, x: m.linspace(0.0, x, 4, axis=1), (X,), True),
    ("tril(x, -1)", lambda m, x: m.tril(x, -1), (M,), True),
    ("trace(x, 1)", lambda m, x: m.trace(x, 1), (M,), True),
    ("where(x > 0, x, 0)", lambda m, x: m.where(x > 0, x, 0.0), (M,), True),
    ("linalg.det(a)", lambda m, a: m.linalg.det(a), (S,), True),
    ("linalg.solve(a, b)", lambda m, a, b: m.linalg.solve(a, b), (S, M), True),
    ("linalg.matrix_power(a, 3)", lambda m, a: m.linalg.matrix_power(a, 3), (S,), True),
    ("linalg.pinv(a, 1e-10)", lambda m, a: m.linalg.pinv(a, 1e-10), (M,), True),
    ("median(x, 0)", lambda m, x: m.median(x, 0), (M,), True),
    ("percentile(x, 30, 1)", lambda m, x: m.percentile(x, 30, 1), (M,), True),
    ("dot(a, b)", lambda m, a, b: m.dot(a, b), (M, M.T), True),
]


@pytest.mark.parametrize("call,inputs,differentiable",
                         [pytest.param(f, i, d, id=name) for name, f, i, d in CALLS])
def test_call_form_gives_numpys_value_and_derivative(call, inputs, differentiable):
    args = [_on_backend(a) for a in inputs]
    float32 = args[0].dtype == np.float32
    _close(call(np, *args), call(numpy, *inputs), float32)
    if differentiable and not float32:
        check_grads(lambda *a: call(np, *a), order=1)(*args)


@pytest.mark.parametrize("call,theirs", [
    (lambda: np.ones((2, 2), float), numpy.ones((2, 2), float)),
    (lambda: np.zeros(3, "float32"), numpy.zeros(3, "float32")),
    (lambda: np.full((2,), 3, "int32"), numpy.full((2,), 3, "int32")),
    (lambda: np.eye(3, 4, 1, "float32"), numpy.eye(3, 4, 1, "float32")),
    (lambda: np.arange(2, 10, 3), numpy.arange(2, 10, 3)),
    (lambda: np.zeros_like(np.ones((2, 3), dtype="int32"), "float32", "K", True, (4,)),
     numpy.zeros_like(numpy.ones((2, 3), dtype="int32"), "float32", "K", True, (4,))),
    (lambda: np.array([1, 2], "float32", ndmin=3), numpy.array([1, 2], "float32", ndmin=3)),
])
def test_creation_call_form_gives_numpys_dtype_and_values(call, theirs):
    ours = call()
    assert ours.dtype == theirs.dtype.name and ours.shape == theirs.shape
    numpy.testing.assert_array_equal(ours.asnumpy(), theirs)


def test_where_with_the_condition_alone_is_nonzero():
    ours = np.where(np.asarray([[0, 1], [2, 0]]))
    theirs = numpy.where(numpy.array([[0, 1], [2, 0]]))
    assert [o.tolist() for o in ours] == [t.tolist() for t in theirs]


def test_linspace_with_retstep_returns_numpys_step():
    values, step = np.linspace(0.0, 1.0, 5, retstep=True)
    assert step == numpy.linspace(0.0, 1.0, 5, retstep=True)[1]
    assert values.shape == (5,)


def test_out_argument_writes_into_the_array_and_returns_it():
    out = np.zeros((4,), dtype=np.float64) if _has_float64() else np.zeros((4,))
    m = _on_backend(M)
    res = np.sum(m, 0, None, out)
    assert res is out
    _close(out, M.sum(0), out.dtype == np.float32)


def _has_float64() -> bool:
    try:
        np.asarray([1.0], dtype=np.float64)
    except (TypeError, ValueError):
        return False
    return True


# -- scalar types and dtypes ---------------------------------------------------------------------
def test_scalar_types_cast_as_numpys_and_stay_the_standards_dtypes():
    assert np.float32(1.5).dtype == np.float32 and float(np.float32(1.5)) == 1.5
    assert np.int64(3).dtype == np.int64 and int(np.int64(3)) == 3
    assert np.float32().shape == () and float(np.float32()) == 0.0
    x = np.asarray([1.0, 2.5])
    assert x.dtype == np.float32 or x.dtype == np.float64
    if _has_float64():
        y = np.float64(np.asarray([1.0, 2.5], dtype=np.float32))
        assert type(y) is np.Array and y.dtype == np.float64 and y.backend == x.backend
    assert np.int32(np.asarray([1.7, -2.7])).tolist() == [1, -2]
    assert np.dtype("float32") == np.float32 and np.dtype(np.float32) is np.float32
    assert np.dtype(float) == np.float64 and np.dtype(numpy.dtype("int16")) == np.int16
    assert isinstance(x, np.ndarray)


def test_floating_scalar_type_casts_are_differentiable():
    if not _has_float64():
        pytest.skip("this backend has no float64 for the finite differences")
    x = np.asarray([0.3, -1.2], dtype=np.float64)
    check_grads(lambda x: np.float64(x) * np.float64(x), order=2)(x)
    g = pg.grad(lambda x: np.sum(np.float32(x)))(x)
    assert g.dtype == np.float64 and g.tolist() == [1.0, 1.0]


# -- numpy.ndarray's methods ---------------------------------------------------------------------
#: ndarray methods and attributes polygrad's Array does not have, each with the reason
NOT_ARRAY_METHODS = {
    "base": "views of memory: polygrad arrays expose no memory layout",
    "byteswap": "byte order of memory",
    "choose": "rarely used; index a stacked array instead (np.stack(choices)[a, ...])",
    "ctypes": "a C pointer to memory",
    "data": "a buffer of memory",
    "dump": "file I/O: x.asnumpy().dump(...)",
    "dumps": "pickling to bytes: pickle the host copy, x.asnumpy()",
    "flags": "memory layout flags",
    "flat": "an assignable flat iterator over memory; read with x.ravel()",
    "getfield": "structured dtypes",
    "resize": "changes the shape in place; write x = np.reshape(...) or np.resize",
    "setfield": "structured dtypes",
    "setflags": "memory layout flags",
    "strides": "memory layout",
    "tobytes": "raw memory bytes: x.asnumpy().tobytes()",
    "tofile": "file I/O: x.asnumpy().tofile(...)",
    "view": "reinterprets memory as another dtype",
}
ARRAY_METHODS = sorted(n for n in dir(numpy.ndarray) if not n.startswith("_") and
                       n not in NOT_ARRAY_METHODS)


@pytest.mark.skipif(numpy.lib.NumpyVersion(numpy.__version__) < "2.4.0",
                    reason="the exclusion list describes NumPy 2.4's ndarray (older ones also "
                           "have itemset, ptp, newbyteorder, tostring)")
@pytest.mark.parametrize("name", ARRAY_METHODS)
def test_array_has_ndarrays_method(name):
    assert hasattr(np.Array, name)


def test_every_excluded_method_is_still_one_of_numpys():
    assert set(NOT_ARRAY_METHODS) <= set(dir(numpy.ndarray))


# (method call on an array ``a``, the array) → the same as NumPy's method on the same values
METHOD_CALLS = [
    ("argmax", lambda a: a.argmax(), M), ("argmax(1)", lambda a: a.argmax(1), M),
    ("argmin(0)", lambda a: a.argmin(0), M), ("cumsum(0)", lambda a: a.cumsum(0), M),
    ("cumprod(1)", lambda a: a.cumprod(1), M), ("round(1)", lambda a: a.round(1), M),
    ("all()", lambda a: (a > -10).all(), M), ("any(0)", lambda a: (a > 1).any(0), M),
    ("conj()", lambda a: a.conj(), M), ("conjugate()", lambda a: a.conjugate(), M),
    ("real", lambda a: a.real, M), ("imag", lambda a: a.imag, M),
    ("swapaxes(0, 2)", lambda a: a.swapaxes(0, 2), A3), ("copy()", lambda a: a.copy(), M),
    ("flatten()", lambda a: a.flatten(), M), ("ravel('F')", lambda a: a.ravel("F"), M),
    ("squeeze()", lambda a: a.squeeze(), COL), ("clip(-0.5, 0.5)", lambda a: a.clip(-.5, .5), M),
    ("dot(a.T)", lambda a: a.dot(a.T), M), ("sum(0)", lambda a: a.sum(0), M),
    ("mean(1)", lambda a: a.mean(1), M), ("std(ddof=1)", lambda a: a.std(ddof=1), M),
    ("var(0)", lambda a: a.var(0), M), ("max(1)", lambda a: a.max(1), M),
    ("min()", lambda a: a.min(), M), ("prod(0)", lambda a: a.prod(0), M),
    ("reshape(4, 3)", lambda a: a.reshape(4, 3), M),
    ("reshape((4, 3))", lambda a: a.reshape((4, 3)), M),
    ("transpose(1, 0, 2)", lambda a: a.transpose(1, 0, 2), A3),
    ("transpose()", lambda a: a.transpose(), A3), ("T", lambda a: a.T, M),
    ("nonzero()", lambda a: (a > 0).nonzero(), M), ("trace()", lambda a: a.trace(), M),
    ("diagonal(1)", lambda a: a.diagonal(1), M), ("repeat(2, 1)", lambda a: a.repeat(2, 1), M),
    ("take([0, 2], 1)", lambda a: a.take([0, 2], 1), M),
    ("compress([True, False, True], 1)", lambda a: a.compress([True, False, True], 1), M),
    ("argsort(0)", lambda a: a.argsort(0), M),
    ("searchsorted(0.1)", lambda a: a.searchsorted(0.1), numpy.sort(X)),
    ("item() of one element", lambda a: a[1, 2].item(), M),
    ("tolist()", lambda a: a.tolist(), M),
    ("nbytes", lambda a: a.astype("float64").nbytes, M),
    ("itemsize", lambda a: a.astype("float32").itemsize, M),
]


@pytest.mark.parametrize("call,values", [pytest.param(c, v, id=n) for n, c, v in METHOD_CALLS])
def test_array_method_gives_numpys_value(call, values):
    a = _on_backend(values)
    _close(call(a), call(values), a.dtype == np.float32)


def test_in_place_methods_update_the_array_as_numpys():
    for method, args in (("sort", ()), ("sort", (0,)), ("fill", (2.5,)), ("partition", (1,)),
                         ("put", ([0, 5], [9.0, -9.0]))):
        ours, theirs = _on_backend(M), M.copy()
        assert getattr(ours, method)(*args) is None
        getattr(theirs, method)(*args)
        if method == "partition":   # any partition is valid: compare the kth element
            assert ours[:, 1].tolist() == pytest.approx(theirs[:, 1].tolist())
        else:
            _close(ours, theirs, ours.dtype == np.float32)


def test_in_place_sort_differentiates_as_sort():
    if not _has_float64():
        pytest.skip("this backend has no float64 for the finite differences")

    def f(x):
        y = x * 1.0
        y.sort()
        return y * np.asarray([1.0, 10.0, 100.0], dtype=np.float64)
    check_grads(f, order=1)(np.asarray([3.0, 1.0, 2.0], dtype=np.float64))


# -- NumPy's protocols -----------------------------------------------------------------------------
PROTOCOL_CALLS = [
    ("numpy.sin(x)", lambda x: numpy.sin(x)),
    ("numpy.exp(x) * 2", lambda x: numpy.exp(x) * 2.0),
    ("numpy.sum(x, axis=0)", lambda x: numpy.sum(x, axis=0)),
    ("numpy.mean(x, 1)", lambda x: numpy.mean(x, 1)),
    ("numpy.concatenate([x, x])", lambda x: numpy.concatenate([x, x])),
    ("numpy.linalg.norm(x)", lambda x: numpy.linalg.norm(x)),
    ("numpy.add.reduce(x)", lambda x: numpy.add.reduce(x)),
    ("numpy.maximum(x, 0.0)", lambda x: numpy.maximum(x, 0.0)),
    ("numpy.tanh(x) + numpy.ones(4)", lambda x: numpy.tanh(x) + numpy.ones(4)),
]


def _traced_type(call, x):
    seen = []

    def f(x):
        out = call(x)
        seen.append((type(out), out.backend))
        return np.sum(out)
    pg.grad(f)(x)
    return seen[0]


@pytest.mark.parametrize("call", [pytest.param(c, id=n) for n, c in PROTOCOL_CALLS])
def test_numpy_function_on_a_differentiated_array_runs_polygrads(call):
    x = _on_backend(M)
    assert _traced_type(call, x) == (np.Array, x.backend)
    if x.dtype == np.float64:   # (check_grads' finite differences see NumPy's results)
        check_grads(lambda x: np.asarray(call(x), dtype=x.dtype), order=1)(x)


@pytest.mark.parametrize("call", [pytest.param(c, id=n) for n, c in PROTOCOL_CALLS])
def test_numpy_function_on_a_concrete_array_runs_polygrads(call):
    # on concrete arrays too (tests/test_numpy_protocols.py: the calls from NumPy's
    # documentation, and SciPy's own code, which gets NumPy's results)
    x = _on_backend(M)
    out = call(x)
    assert (type(out), out.backend) == (np.Array, x.backend)
    _close(out, call(M), x.dtype == np.float32)


def test_scipy_ufunc_on_an_array_runs_polygrads():
    special = pytest.importorskip("scipy.special", reason="SciPy gives the ufuncs")
    x = _on_backend(M)
    for name in ("expit", "gammaln", "erf"):
        def call(x, name=name):
            return getattr(special, name)(x * x + 0.5 if name == "gammaln" else x)
        assert _traced_type(call, x) == (np.Array, x.backend)
        _close(call(x), call(M), x.dtype == np.float32)
    if x.dtype == np.float64:
        check_grads(lambda x: np.asarray(special.expit(x), dtype=x.dtype), order=1)(x)


def test_numpy_function_polygrad_lacks_raises_naming_it_when_differentiated():
    x = _on_backend(M)
    # (ufuncs and functions polygrad leaves out on purpose: polygrad/numpy/_omitted.py)
    with pytest.raises(TypeError, match=r"numpy\.isnat has no polygrad equivalent.*asnumpy"):
        pg.grad(lambda x: np.sum(x * numpy.isnat(x)))(x)
    with pytest.raises(TypeError, match=r"numpy\.may_share_memory has no polygrad equivalent"):
        pg.grad(lambda x: np.sum(x) * numpy.may_share_memory(x, x))(x)
    with pytest.raises(TypeError, match=r"numpy\.sin on a polygrad Array.*where"):
        pg.grad(lambda x: np.sum(numpy.sin(x, where=x > 0)))(x)
