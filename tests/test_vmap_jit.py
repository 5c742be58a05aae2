"""``pg.jit(pg.vmap(pg.grad(f)))`` on the JAX backend is one ``jax.jit`` program: polygrad's
Python (the batching, reverse and forward traces) runs once, while JAX traces, every kernel it
calls sees JAX tracers, and later calls run no polygrad code; the result equals
``jax.jit(jax.vmap(jax.grad(f)))``."""

from __future__ import annotations

import numpy
import pytest

import polygrad as pg
import polygrad.numpy as np
import polygrad.special as special
from polygrad._primitive import _registry

jax = pytest.importorskip("jax", reason="jax is not installed")


def _loss(xp, logsumexp, params, x, y):
    w1, b1, w2, b2 = params
    z = xp.tanh(x @ w1 + b1) @ w2 + b2
    return logsumexp(z) - xp.sum(z * y)


def _problem(rng):
    params = [rng.standard_normal((6, 5)) / 3, 0.1 * rng.standard_normal(5),
              rng.standard_normal((5, 3)) / 3, 0.1 * rng.standard_normal(3)]
    x = rng.standard_normal((7, 6))
    y = numpy.eye(3)[rng.integers(0, 3, 7)]
    return params, x, y


def test_jit_of_vmap_of_grad_is_one_jax_program(monkeypatch, rng):
    params, x, y = _problem(rng)
    seen = []   # for each kernel polygrad calls: whether its arrays are JAX tracers
    calls = []
    with pg.use_backend("jax"):
        backend = pg.get_backend()
    # every kernel made afresh through a spy (the kernel caches of the JAX backend emptied for
    # the test and restored after it): the fast paths call cached kernels themselves, so the
    # kernels, not one dispatch function, are what is watched
    saved = {p: p.resolved.pop(backend) for p in _registry.values() if backend in p.resolved}
    make = type(backend).kernel

    def spying(self, prim):
        kernel = make(self, prim)

        def spy(*natives, **p):
            seen.append(all(isinstance(n, jax.core.Tracer) for n in natives
                            if hasattr(n, "shape")))
            return kernel(*natives, **p)
        return spy
    monkeypatch.setattr(type(backend), "kernel", spying)
    try:
        _run_twice(params, x, y, seen, calls)
    finally:
        for p in _registry.values():
            p.resolved.pop(backend, None)
        for p, kernel in saved.items():
            p.resolved[backend] = kernel


def _run_twice(params, x, y, seen, calls):
    import jax.numpy as jnp
    from jax.scipy.special import logsumexp

    def loss(ps, xi, yi):
        calls.append(1)
        return _loss(np, special.logsumexp, ps, xi, yi)
    with pg.use_backend("jax"):
        ps, px, py = [np.asarray(p) for p in params], np.asarray(x), np.asarray(y)
        f = pg.jit(pg.vmap(pg.grad(loss), in_axes=(None, 0, 0)))
        seen.clear()
        first = f(ps, px, py)
        assert len(calls) == 1 and seen and all(seen), "every kernel ran inside jax.jit's trace"
        seen.clear()
        again = f(ps, px, py)
        assert len(calls) == 1 and not seen, "the second call ran no polygrad Python"
        assert f.cache_size() == 1
    want = jax.jit(jax.vmap(jax.grad(lambda ps, xi, yi: _loss(jnp, logsumexp, ps, xi, yi)),
                            in_axes=(None, 0, 0)))([jnp.asarray(p) for p in params],
                                                   jnp.asarray(x), jnp.asarray(y))
    for got, got2, w in zip(first, again, want):
        numpy.testing.assert_allclose(numpy.asarray(got.native), numpy.asarray(w), rtol=1e-5,
                                      atol=1e-6)
        numpy.testing.assert_array_equal(numpy.asarray(got2.native), numpy.asarray(got.native))
