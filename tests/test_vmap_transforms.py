"""pg.vmap composed with the other transforms (grad, jvp, vjp, hessian, checkpoint, custom rules,
jit, the tape), its in_axes/out_axes trees, and its errors."""

from __future__ import annotations

import numpy
import pytest

import polygrad as pg
import polygrad.numpy as np


def _f(r):
    return np.sum(np.sin(r) ** 2 * r)


def _df(r):   # d/dr sum(sin(r)^2 r)
    return 2 * numpy.sin(r) * numpy.cos(r) * r + numpy.sin(r) ** 2


@pytest.fixture
def x(backend):
    return pg.asarray(numpy.random.default_rng(0).uniform(0.1, 1.0, (3, 4)))


def _rows(fun, x):
    return numpy.stack([fun(pg.asarray(r)).asnumpy() for r in x.asnumpy()])


def close(a, b):
    numpy.testing.assert_allclose(numpy.asarray(a.asnumpy() if hasattr(a, "asnumpy") else a),
                                  b, rtol=1e-6, atol=1e-6)


def test_vmap_grad_value_and_grad(x):
    close(pg.vmap(pg.grad(_f))(x), _df(x.asnumpy()))
    value, g = pg.vmap(pg.value_and_grad(_f))(x)
    close(value, _rows(_f, x))
    close(g, _df(x.asnumpy()))


def test_grad_of_vmap(x):
    close(pg.grad(lambda x: np.sum(pg.vmap(_f)(x)))(x), _df(x.asnumpy()))


def test_jvp_vjp_inside_and_outside(x):
    t = pg.asarray(numpy.ones((3, 4)))
    inside = pg.vmap(lambda r, s: pg.jvp(_f, (r,), (s,))[1])(x, t)
    outside = pg.jvp(pg.vmap(_f), (x,), (t,))[1]
    close(inside, _df(x.asnumpy()).sum(axis=1))
    close(outside, _df(x.asnumpy()).sum(axis=1))
    g = pg.vmap(lambda r: pg.vjp(_f, r)[1](pg.asarray(1.0, dtype=r.dtype))[0])(x)
    close(g, _df(x.asnumpy()))


def test_hessian_in_vmap_and_nested_vmap(x):
    h = pg.vmap(pg.hessian(_f))(x)
    close(h, _rows(pg.hessian(_f), x))
    outer = pg.vmap(pg.vmap(lambda a, b: a * b, in_axes=(0, None)), in_axes=(None, 0))(
        x[0], x[1:])
    close(outer, x.asnumpy()[1:, None, :] * x.asnumpy()[0][None, :, None])


def test_checkpoint_custom_vjp_custom_jvp(x):
    close(pg.vmap(pg.grad(pg.checkpoint(_f)))(x), _df(x.asnumpy()))

    @pg.custom_vjp
    def s(r):
        return np.sin(r)
    s.defvjp(lambda r: (np.sin(r), r), lambda r, g: (g * 2 * np.cos(r),))   # doubled: ours
    close(pg.vmap(pg.grad(lambda r: np.sum(s(r))))(x), 2 * numpy.cos(x.asnumpy()))

    @pg.custom_jvp
    def c(r):
        return np.cos(r)
    c.defjvp(lambda primals, tangents: (np.cos(primals[0]), -3 * tangents[0]))
    close(pg.vmap(pg.grad(lambda r: np.sum(c(r))))(x), -3 * numpy.ones((3, 4)))


def test_jit_of_vmap(x):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # numpy has no compiler: pg.jit says so and runs eagerly
        close(pg.jit(pg.vmap(pg.grad(_f)))(x), _df(x.asnumpy()))


def test_tape_inside_vmap(x):
    def per_example(r):
        w = pg.asarray(numpy.arange(4.0), dtype=r.dtype)
        w.attach_grad()
        with pg.record():
            y = np.sum(w * r ** 2)
        y.backward()
        return w.grad
    close(pg.vmap(per_example)(x), x.asnumpy() ** 2)


def test_in_axes_out_axes_trees(x):
    out = pg.vmap(lambda d: {"s": d["a"] * d["b"], "t": d["b"]},
                  in_axes=({"a": 1, "b": None},), out_axes={"s": 1, "t": None})(
        {"a": x, "b": 3.0})
    close(out["s"], 3.0 * x.asnumpy())
    assert out["t"] == 3.0
    out = pg.vmap(lambda a: a * 2, in_axes=None, axis_size=5)(pg.asarray([1.0, 2.0]))
    close(out, numpy.full((5, 2), [2.0, 4.0]))
    pair = pg.vmap(lambda a: (a, np.sum(a)), out_axes=(-1, 0))(x)
    close(pair[0], x.asnumpy().T)


def test_cond_with_a_batched_predicate(x):
    out = pg.vmap(lambda r: pg.cond(np.sum(r) > 2.0, lambda a: a, lambda a: -a, r))(x)
    xs = x.asnumpy()
    close(out, numpy.where(xs.sum(axis=1, keepdims=True) > 2.0, xs, -xs))


def test_errors(x):
    def branchy(r):
        if np.sum(r) > 1:
            return r
        return -r
    with pytest.raises(pg.BatchingError, match=r"np\.where.*pg\.cond"):
        pg.vmap(branchy)(x)
    with pytest.raises(pg.BatchingError, match="random.normal.*outside vmap"):
        pg.vmap(lambda r: r + np.random.normal(size=4))(x)
    with pytest.raises(ValueError, match="different sizes: 3 and 2"):
        pg.vmap(lambda a, b: a + b)(x, pg.asarray(numpy.ones((2, 4))))
    with pytest.raises(ValueError, match="in_axes has 1 entries but the function was called "
                                         "with 2"):
        pg.vmap(lambda a, b: a + b, in_axes=(0,))(x, x)
    with pytest.raises(ValueError, match="no argument is batched"):
        pg.vmap(lambda a: a, in_axes=None)(x)
    with pytest.raises(ValueError, match="axis 2 for an argument of shape"):
        pg.vmap(lambda a: a, in_axes=2)(x)
    with pytest.raises(ValueError, match="out_axes is None for an output that varies"):
        pg.vmap(lambda a: a, out_axes=None)(x)
    with pytest.raises(pg.BatchingError, match="output whose shape depends on the values"):
        pg.vmap(np.nonzero)(x)


def test_a_primitive_without_a_rule_loops_with_one_warning(numpy_backend):
    from polygrad.extend import defvjp, primitive

    cube = primitive("vmap_test_cube", lambda xp: (lambda r: r * r * r))
    defvjp(cube, lambda g, ans, r: g * 3 * r ** 2)
    xs = pg.asarray(numpy.arange(6.0).reshape(3, 2))
    with pytest.warns(RuntimeWarning, match="'vmap_test_cube' has no batching rule"):
        out = pg.vmap(cube)(xs)
    close(out, numpy.arange(6.0).reshape(3, 2) ** 3)
    from polygrad.extend import defbatch

    defbatch(cube, lambda size, args, batched: cube(args[0]))
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        close(pg.vmap(pg.grad(lambda r: np.sum(cube(r))))(xs),
              3 * numpy.arange(6.0).reshape(3, 2) ** 2)
