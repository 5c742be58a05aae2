"""``pg.cond``, ``pg.fori_loop``, ``pg.scan``: values and derivatives (reverse and forward, to
second order) eagerly on NumPy and compiled on JAX, each checked against the same code written
with ``jax.lax`` and differentiated by ``jax.grad`` / ``jax.jvp``, and against finite
differences; lowered to ``jax.lax`` under ``pg.jit`` when nothing is differentiated.

The oracle tests skip, saying why, where JAX is not installed.
"""

from __future__ import annotations

import warnings

import numpy
import pytest

import polygrad as pg
import polygrad.numpy as np
from polygrad.extend import JitWarning
from polygrad.testing import check_grads


@pytest.fixture(params=["numpy", "jax"])
def backend_name(request):
    """NumPy (pg.jit runs eagerly) and JAX (pg.jit compiles)."""
    if request.param == "jax":
        pytest.importorskip("jax", reason="jax is not installed")
    with pg.use_backend(request.param), warnings.catch_warnings():
        warnings.simplefilter("ignore", JitWarning)
        yield request.param


@pytest.fixture
def jax():
    jax = pytest.importorskip("jax", reason="jax is not installed (it is the oracle)")
    with pg.use_backend("jax") as backend:
        backend.xp   # noqa: B018  (loading the backend turns on float64 in JAX)
    return jax


@pytest.fixture
def counting(monkeypatch):
    """Count the calls of the JAX compiler's lowerings: {"cond": n, "fori_loop": n, "scan": n}."""
    pytest.importorskip("jax", reason="jax is not installed")
    from polygrad_backends.jax_compiler import JaxCompiler

    calls = {"cond": 0, "fori_loop": 0, "scan": 0}

    def counter(name):
        real = getattr(JaxCompiler, name)

        def counted(*args):
            calls[name] += 1
            return real(*args)
        return staticmethod(counted)
    for name in calls:
        monkeypatch.setattr(JaxCompiler, name, counter(name))
    return calls


# -- one function per construct, written once for polygrad and once for JAX ------------------------
def branchy(xp, cond, x):
    y = cond(xp.sum(x) > 0, lambda x: xp.sin(x) * x, lambda x: xp.cos(x) + x ** 2, x)
    return xp.sum(y * x)


def looped(xp, fori_loop, x, n=4):
    return xp.sum(fori_loop(0, n, lambda i, y: xp.sin(y) * x + i, x))


def rnn(xp, scan, w, xs):
    def step(h, x):
        h = xp.tanh(w @ h + x)
        return h, xp.sum(h ** 2)
    h, ys = scan(step, xs[0] * 0.5, xs)
    return xp.sum(h) + xp.sum(ys)


def _polygrad(name):
    return {"branchy": lambda x: branchy(np, pg.cond, x),
            "looped": lambda x: looped(np, pg.fori_loop, x),
            "rnn": lambda w, xs: rnn(np, pg.scan, w, xs)}[name]


def _jax(jax, name):
    jnp, lax = jax.numpy, jax.lax
    return {"branchy": lambda x: branchy(jnp, lax.cond, x),
            "looped": lambda x: looped(jnp, lax.fori_loop, x),
            "rnn": lambda w, xs: rnn(jnp, lax.scan, w, xs)}[name]


ARGS = {"branchy": [([0.3, -0.2, 1.1],), ([-0.3, -0.2, 0.4],)],
        "looped": [([0.3, -0.7, 1.2],)],
        "rnn": [([[0.5, -0.3], [0.2, 0.8]], [[0.1, 0.2], [-0.4, 0.3], [0.7, -0.1]])]}
CASES = [(name, args) for name, several in ARGS.items() for args in several]


def _close(got, want):
    numpy.testing.assert_allclose(numpy.asarray(got, dtype=numpy.float64), numpy.asarray(want),
                                  rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name, args", CASES)
def test_values_and_gradients_match_jax_lax_compiled_and_eager(backend_name, jax, name, args):
    ours = _polygrad(name)
    theirs = _jax(jax, name)
    arrays = [np.asarray(a, dtype=np.float64) for a in args]
    host = [jax.numpy.asarray(numpy.asarray(a)) for a in args]
    argnums = tuple(range(len(args)))
    want = theirs(*host)
    want_grads = jax.grad(theirs, argnums=argnums)(*host)
    _close(pg.jit(ours)(*arrays), want)
    _close(ours(*arrays), want)
    for grads in (pg.jit(pg.grad(ours, argnum=list(argnums)))(*arrays),
                  pg.grad(pg.jit(ours), argnum=list(argnums))(*arrays),
                  pg.grad(ours, argnum=list(argnums))(*arrays)):
        for g, w in zip(grads, want_grads):
            _close(g, w)


@pytest.mark.parametrize("name, args", CASES)
def test_forward_mode_matches_jax_jvp_compiled_and_eager(backend_name, jax, name, args):
    ours, theirs = _polygrad(name), _jax(jax, name)
    arrays = [np.asarray(a, dtype=np.float64) for a in args]
    tangents = [np.ones_like(a) * 0.5 for a in arrays]
    host = [jax.numpy.asarray(numpy.asarray(a)) for a in args]
    _, want = jax.jvp(theirs, host, [jax.numpy.ones_like(h) * 0.5 for h in host])
    _close(pg.jit(lambda *a: pg.jvp(ours, a, tangents)[1])(*arrays), want)
    _close(pg.jvp(ours, arrays, tangents)[1], want)


@pytest.mark.parametrize("name", ["branchy", "looped"])
def test_hessians_match_jax_compiled(jax, name):
    x = [0.3, -0.7, 1.2]
    want = jax.hessian(_jax(jax, name))(jax.numpy.asarray(x))
    with pg.use_backend("jax"):
        _close(pg.jit(pg.hessian(_polygrad(name)))(np.asarray(x, dtype=np.float64)), want)


@pytest.mark.parametrize("name, args", CASES)
def test_derivatives_pass_finite_differences_to_second_order(numpy_backend, name, args):
    arrays = [np.asarray(a, dtype=np.float64) for a in args]
    check_grads(_polygrad(name), modes=("fwd", "rev"), order=2)(*arrays)


# -- lowering to jax.lax ---------------------------------------------------------------------------
def test_under_jit_without_derivatives_each_construct_is_lowered_to_lax(counting):
    with pg.use_backend("jax"):
        x = np.asarray([0.3, -0.7, 1.2], dtype=np.float64)
        pg.jit(_polygrad("branchy"))(x)
        pg.jit(_polygrad("looped"))(x)
        pg.jit(_polygrad("rnn"))(np.eye(3, dtype=np.float64), np.ones((5, 3), dtype=np.float64))
    assert counting == {"cond": 1, "fori_loop": 1, "scan": 1}


def test_under_jit_with_derivatives_the_constructs_run_as_python(counting):
    with pg.use_backend("jax"):
        x = np.asarray([0.3, -0.7, 1.2], dtype=np.float64)
        pg.jit(pg.grad(_polygrad("branchy")))(x)
        pg.jit(pg.grad(_polygrad("looped")))(x)
    assert counting == {"cond": 0, "fori_loop": 0, "scan": 0}


def test_a_lowered_loop_body_is_traced_once_not_once_per_step(jax_only):
    calls = []

    def body(i, y):
        calls.append(i)
        return y * 1.5

    out = pg.jit(lambda x: pg.fori_loop(0, 1000, body, x))(np.asarray(1.0, dtype=np.float64))
    assert float(out) == pytest.approx(1.5 ** 1000, rel=1e-12)
    assert len(calls) <= 2 and isinstance(calls[0], pg.Array)


@pytest.fixture
def jax_only():
    pytest.importorskip("jax", reason="jax is not installed")
    with pg.use_backend("jax") as backend:
        yield backend


def test_traced_loop_bounds_work_when_lowered(jax_only):
    f = pg.jit(lambda x, n: pg.fori_loop(0, n, lambda i, y: y + i, x))
    out = f(np.asarray(0.0), np.asarray(5))
    assert float(out) == 10.0 and out.dtype == np.float32   # the carry keeps its dtype
    assert float(f(np.asarray(0.0), np.asarray(3))) == 3.0
    assert f.cache_size() == 1   # one compiled program for every trip count


def test_traced_loop_bounds_under_a_derivative_are_refused(jax_only):
    f = pg.jit(pg.grad(lambda x, n: np.sum(pg.fori_loop(0, n, lambda i, y: y * x, x))))
    with pytest.raises(pg.ConcretizationError, match="Python ints"):
        f(np.asarray(2.0), np.asarray(3))


def test_cond_on_a_traced_predicate_selects_when_differentiated(jax_only):
    f = pg.jit(pg.grad(lambda x: pg.cond(x > 1.0, np.log, lambda x: x - 1.0, x)))
    assert float(f(np.asarray(4.0))) == pytest.approx(0.25)
    assert float(f(np.asarray(0.5))) == 1.0


# -- Python semantics and errors -------------------------------------------------------------------
def test_eager_cond_runs_only_the_chosen_branch(numpy_backend):
    ran = []
    out = pg.cond(np.asarray(False), lambda: ran.append("t") or 1, lambda: ran.append("f") or 2)
    assert out == 2 and ran == ["f"]
    assert pg.cond(True, lambda a, b: a + b, lambda a, b: a - b, 3, 4) == 7


def test_eager_fori_loop_passes_python_ints(numpy_backend):
    body = lambda i, acc: (acc[0] * 10 + i, acc[1] and type(i) is int)  # noqa: E731
    assert pg.fori_loop(2, 5, body, (0, True)) == (234, True)
    with pytest.raises(TypeError, match="structure"):
        pg.fori_loop(0, 2, lambda i, acc: acc + [i], [])


def test_scan_over_pytrees_with_none_and_length(backend_name):
    xs = {"a": np.asarray([1.0, 2.0, 3.0]), "b": [np.asarray([[1.0], [2.0], [3.0]])]}

    def step(c, x):
        return c + x["a"] * x["b"][0], {"prod": c * x["a"], "none": None}
    carry, ys = pg.jit(lambda xs: pg.scan(step, np.zeros(1), xs))(xs)
    assert carry.tolist() == [14.0] and ys["none"] is None
    assert ys["prod"].tolist() == [[0.0], [2.0], [15.0]]
    count, steps = pg.jit(lambda: pg.scan(lambda c, _: (c + 1.0, None), np.zeros(()), None,
                                          length=4))()
    assert float(count) == 4.0 and steps is None


def test_cond_branches_with_different_structures_are_refused(jax_only):
    f = pg.jit(lambda x: pg.cond(x > 0, lambda x: (x, x), lambda x: x, x))
    with pytest.raises(TypeError, match="structure"):
        f(np.asarray(1.0))


def test_scan_errors_name_the_problem(numpy_backend):
    with pytest.raises(ValueError, match="disagree"):
        pg.scan(lambda c, x: (c, x), 0.0, [np.zeros(2), np.zeros(3)])
    with pytest.raises(TypeError, match="pair"):
        pg.scan(lambda c, x: c, 0.0, np.zeros(2))
    with pytest.raises(TypeError, match="structure"):
        pg.scan(lambda c, x: ((c, c), x), 0.0, np.zeros(2))
    with pytest.raises(ValueError, match="length"):
        pg.scan(lambda c, x: (c, x), 0.0, None)


def test_torch_tracing_selects_and_unrolls(monkeypatch):
    torch = pytest.importorskip("torch", reason="torch is not installed")
    monkeypatch.setattr(torch, "compile", lambda graph, **kwargs: graph)
    with pg.use_backend("torch"):
        for name, args in CASES:
            arrays = [np.asarray(a, dtype=np.float64) for a in args]
            ours = _polygrad(name)
            _close(pg.jit(ours)(*arrays), ours(*arrays))
            for g, w in zip(pg.jit(pg.grad(ours, argnum=[0]))(*arrays),
                            pg.grad(ours, argnum=[0])(*arrays)):
                _close(g, w)
