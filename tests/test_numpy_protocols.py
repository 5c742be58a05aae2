"""NumPy's dispatch protocols on concrete polygrad arrays (issue 17 item 6): NumPy's functions
and ufuncs called on Arrays run polygrad's function of the same name and stay on the arrays'
backend (an Array out, a torch array stays torch), with NumPy's values, as NumPy's documentation
of each call gives them; called from SciPy's or NumPy's own code on concrete arrays they give
NumPy's result on the host values (SciPy's optimizers hand what they get to compiled code),
and a traced array never takes that path."""

from __future__ import annotations

import numpy
import pytest

import polygrad as pg
import polygrad.numpy as np

pytestmark = pytest.mark.usefixtures("backend")

R = numpy.random.default_rng(23)
M = R.standard_normal((3, 4))
V = R.standard_normal(4)
S = M @ M.T + numpy.eye(3)

# (id, call on NumPy's module and the arrays (polygrad's or NumPy's), the arrays)
CALLS = [
    ("sin", lambda m, a: m.sin(a), (M,)),
    ("exp(a) * 2", lambda m, a: m.exp(a) * 2.0, (M,)),
    ("add(a, 1.5)", lambda m, a: m.add(a, 1.5), (M,)),
    ("maximum(a, 0.0)", lambda m, a: m.maximum(a, 0.0), (M,)),
    ("multiply(a, v)", lambda m, a, v: m.multiply(a, v), (M, V)),
    ("negative", lambda m, a: m.negative(a), (M,)),
    ("add.reduce", lambda m, a: m.add.reduce(a), (M,)),
    ("add.reduce axis=1", lambda m, a: m.add.reduce(a, axis=1), (M,)),
    ("add.accumulate", lambda m, a: m.add.accumulate(a), (M,)),
    ("maximum.reduce", lambda m, a: m.maximum.reduce(a, axis=1), (M,)),
    ("sum(a, axis=0)", lambda m, a: m.sum(a, axis=0), (M,)),
    ("sum(a)", lambda m, a: m.sum(a), (M,)),
    ("mean(a, 1)", lambda m, a: m.mean(a, 1), (M,)),
    ("std(a, ddof=1)", lambda m, a: m.std(a, ddof=1), (M,)),
    ("max(a, axis=1, keepdims)", lambda m, a: m.max(a, axis=1, keepdims=True), (M,)),
    ("cumsum(a, axis=1)", lambda m, a: m.cumsum(a, axis=1), (M,)),
    ("concatenate([a, a])", lambda m, a: m.concatenate([a, a]), (M,)),
    ("concatenate axis=1", lambda m, a: m.concatenate([a, a], axis=1), (M,)),
    ("stack([v, v])", lambda m, v: m.stack([v, v]), (V,)),
    ("reshape(a, (4, 3))", lambda m, a: m.reshape(a, (4, 3)), (M,)),
    ("transpose", lambda m, a: m.transpose(a), (M,)),
    ("clip(a, -0.5, 0.5)", lambda m, a: m.clip(a, -0.5, 0.5), (M,)),
    ("where(a > 0, a, 0)", lambda m, a: m.where(a > 0, a, 0.0), (M,)),
    ("dot(a, v)", lambda m, a, v: m.dot(a, v), (M, V)),
    ("matmul(a, a.T)", lambda m, a: m.matmul(a, a.T), (M,)),
    ("outer(v, v)", lambda m, v: m.outer(v, v), (V,)),
    ("linalg.norm", lambda m, a: m.linalg.norm(a), (M,)),
    ("linalg.solve", lambda m, s, a: m.linalg.solve(s, a), (S, M)),
    ("linalg.det", lambda m, s: m.linalg.det(s), (S,)),
    ("atleast_1d", lambda m, v: m.atleast_1d(v), (V,)),
]


def _on_backend(a):
    try:
        return np.asarray(a, dtype=np.float64)
    except (TypeError, ValueError):   # a backend without float64
        return np.asarray(a)


def _close(ours, theirs, float32):
    rtol, atol = (1e-4, 1e-5) if float32 else (1e-10, 1e-12)
    numpy.testing.assert_allclose(ours.asnumpy(), theirs, rtol=rtol, atol=atol)


@pytest.mark.parametrize("call, inputs", [pytest.param(c, i, id=n) for n, c, i in CALLS])
def test_numpy_function_on_concrete_arrays_runs_polygrads_on_their_backend(call, inputs):
    arrays = [_on_backend(a) for a in inputs]
    out = call(numpy, *arrays)
    assert type(out) is np.Array                       # not a NumPy array
    assert out.backend == arrays[0].backend            # on the arrays' backend
    theirs = call(numpy, *inputs)
    assert out.shape == numpy.shape(theirs)
    _close(out, theirs, arrays[0].dtype == np.float32)


def test_numpy_function_polygrad_lacks_raises_naming_it_on_concrete_arrays():
    x = _on_backend(M)
    with pytest.raises(TypeError, match=r"numpy\.isnat has no polygrad equivalent.*asnumpy"):
        numpy.isnat(x)
    with pytest.raises(TypeError, match=r"numpy\.may_share_memory has no polygrad equivalent"):
        numpy.may_share_memory(x, x)


# code whose module is SciPy's (or NumPy's): the caller's frame decides
_SCIPY_CODE = {"__name__": "scipy.optimize._pretend"}
exec(compile("def from_scipy(call, *args):\n    return call(*args)\n", "<scipy>", "exec"),
     _SCIPY_CODE)


def test_numpy_function_from_scipys_code_gives_numpys_result_on_concrete_arrays():
    x = _on_backend(M)
    out = _SCIPY_CODE["from_scipy"](numpy.atleast_1d, x)
    assert isinstance(out, numpy.ndarray)
    numpy.testing.assert_allclose(out, x.asnumpy())
    out = _SCIPY_CODE["from_scipy"](numpy.sin, x)
    assert isinstance(out, numpy.ndarray)
    numpy.testing.assert_allclose(out, numpy.sin(x.asnumpy()))
    out = _SCIPY_CODE["from_scipy"](numpy.linalg.norm, x)
    assert isinstance(out, numpy.floating)
    # the same call from user code stays polygrad's
    assert type(numpy.atleast_1d(x)) is np.Array


def test_a_traced_array_never_takes_the_host_path_from_scipys_code():
    x = _on_backend(M)
    seen = []

    def f(x):
        out = _SCIPY_CODE["from_scipy"](numpy.sin, x)
        seen.append(type(out))
        return np.sum(out)
    g = pg.grad(f)(x)
    assert seen == [np.Array]
    _close(g, numpy.cos(M), x.dtype == np.float32)


@pytest.mark.parametrize("method", ["L-BFGS-B", "BFGS", "CG", "trust-constr"])
def test_scipy_minimize_with_polygrad_gradients(method):
    optimize = pytest.importorskip("scipy.optimize", reason="SciPy's optimizer is the client")
    target = numpy.array([0.5, -1.0, 2.0])

    def f(x):
        return np.sum((x - target) ** 2) + 0.1 * np.sum(x ** 4)
    r = optimize.minimize(pg.value_and_grad(f), numpy.zeros(3), jac=True, method=method)
    assert r.success, r.message
    ref = optimize.minimize(lambda x: numpy.sum((x - target) ** 2) + 0.1 * numpy.sum(x ** 4),
                            numpy.zeros(3), method="BFGS").x
    numpy.testing.assert_allclose(r.x, ref, atol=1e-4)
