"""pg.vmap of functions that read values on the host to choose something: where the choice can
be common to the batch (expm's Padé degree and scaling, i0's nodes, lstsq's residuals when every
example has full rank, polydiv's leading zeros when every example has them) the result equals a
Python loop of unbatched calls; where the examples' results would differ in shape, a clear
error names the fix."""

from __future__ import annotations

import numpy
import pytest
import scipy.linalg

import polygrad as pg
import polygrad.numpy as np
from polygrad.scipy.linalg import expm, logm


def _loop(fun, *batches):
    outs = [fun(*[np.asarray(b[i]) for b in batches]) for i in range(len(batches[0]))]
    return numpy.stack([o.asnumpy() for o in outs])


def test_expm_of_a_batch_of_very_different_norms_equals_the_loop_and_scipy(backend, rng):
    # one degree and scaling for the batch, chosen from its largest norm (30 x ...: degree 13
    # with squarings), keeps the small-norm examples (degree 3 alone) within rounding
    a = numpy.stack([s * rng.standard_normal((4, 4)) for s in (0.001, 0.05, 0.5, 2.0, 30.0)])
    got = pg.vmap(expm)(np.asarray(a)).asnumpy()
    loop = _loop(expm, a)
    for g, want, ref in zip(got, loop, (scipy.linalg.expm(m) for m in a)):
        scale = numpy.abs(want).max()
        assert numpy.abs(g - want).max() <= 1e-12 * scale
        assert numpy.abs(g - ref).max() <= 1e-10 * scale


def test_vmap_of_grad_of_expm_and_logm_equals_the_loop(backend, rng):
    a = numpy.stack([s * rng.standard_normal((3, 3)) for s in (0.01, 0.7, 6.0)])
    f = pg.grad(lambda m: np.sum(expm(m) ** 2))
    numpy.testing.assert_allclose(pg.vmap(f)(np.asarray(a)).asnumpy(), _loop(f, a),
                                  rtol=1e-10, atol=1e-12)
    spd = numpy.stack([numpy.eye(3) * s + 0.1 * rng.standard_normal((3, 3))
                       for s in (0.5, 1.0, 5.0)])
    h = pg.grad(lambda m: np.sum(logm(m) ** 2))
    numpy.testing.assert_allclose(pg.vmap(h)(np.asarray(spd)).asnumpy(), _loop(h, spd),
                                  rtol=1e-8, atol=1e-12)


def test_i0_of_a_batch_with_one_large_value_equals_the_loop(backend):
    x = numpy.asarray([[0.1, -0.5], [3.0, 40.0], [-2.0, 0.0]])
    numpy.testing.assert_allclose(pg.vmap(np.i0)(np.asarray(x)).asnumpy(), numpy.i0(x),
                                  rtol=1e-12)


def test_lstsq_inside_vmap_gives_each_examples_rank_and_residuals(numpy_backend, rng):
    a = rng.standard_normal((3, 5, 2))
    b = rng.standard_normal((3, 5))
    x, res, rank, s = pg.vmap(np.linalg.lstsq)(np.asarray(a), np.asarray(b))
    for i in range(3):
        want = numpy.linalg.lstsq(a[i], b[i], rcond=None)
        numpy.testing.assert_allclose(x.asnumpy()[i], want[0], rtol=1e-10)
        numpy.testing.assert_allclose(res.asnumpy()[i], want[1], rtol=1e-10)
        assert rank.asnumpy()[i] == want[2]


def test_lstsq_with_ranks_that_differ_between_examples_says_what_to_write(numpy_backend, rng):
    a = rng.standard_normal((2, 5, 2))
    a[1, :, 1] = a[1, :, 0]   # rank 1: no residuals
    with pytest.raises(pg.BatchingError, match=r"pinv\(a\) @ b"):
        pg.vmap(np.linalg.lstsq)(np.asarray(a), np.asarray(rng.standard_normal((2, 5))))


def test_polydiv_strips_the_zeros_every_example_has_and_refuses_a_mixed_batch(numpy_backend):
    u = numpy.asarray([[1.0, 3.0, 2.0, 5.0], [2.0, 1.0, 0.0, 4.0]])
    v = numpy.asarray([[1.0, 1.0], [1.0, 2.0]])
    q, r = pg.vmap(np.polydiv)(np.asarray(u), np.asarray(v))
    for i in range(2):
        wq, wr = numpy.polydiv(u[i], v[i])
        numpy.testing.assert_allclose(q.asnumpy()[i], wq)
        numpy.testing.assert_allclose(r.asnumpy()[i], wr)
    # by x² + 1: remainders x (two coefficients) and 1 (one, its leading zero dropped)
    mixed = numpy.asarray([[1.0, 1.0, 2.0, 1.0], [1.0, 1.0, 1.0, 2.0]])
    with pytest.raises(pg.BatchingError, match="polymul"):
        pg.vmap(np.polydiv, in_axes=(0, None))(np.asarray(mixed), np.asarray([1.0, 0.0, 1.0]))


def test_piecewise_with_per_example_conditions_selects_per_example(backend, rng):
    x = rng.standard_normal((3, 5))

    def f(v):
        return np.piecewise(v, [v < 0, v >= 0], [lambda t: t * t, lambda t: 3.0 * t])
    numpy.testing.assert_allclose(pg.vmap(f)(np.asarray(x)).asnumpy(),
                                  numpy.where(x < 0, x * x, 3.0 * x))
    g = pg.vmap(pg.grad(lambda v: np.sum(f(v))))(np.asarray(x)).asnumpy()
    numpy.testing.assert_allclose(g, numpy.where(x < 0, 2 * x, 3.0))


def test_histogram_weights_vary_per_example_with_fixed_data(backend, rng):
    data = np.asarray([0.1, 0.5, 0.4, 0.9, 0.35])
    w = rng.uniform(size=(3, 5))
    got = pg.vmap(lambda wt: np.histogram(data, 3, weights=wt)[0])(np.asarray(w)).asnumpy()
    want = numpy.stack([numpy.histogram(data.asnumpy(), 3, weights=wi)[0] for wi in w])
    numpy.testing.assert_allclose(got, want, rtol=1e-12)


def test_reading_a_per_example_value_is_a_batching_error_naming_the_fix(numpy_backend):
    with pytest.raises(pg.BatchingError, match="np.where"):
        pg.vmap(lambda v: float(np.sum(v)))(np.ones((2, 3)))
    with pytest.raises(pg.BatchingError, match="pg.cond"):
        pg.vmap(lambda v: np.histogram(v, 3)[0])(np.ones((2, 3)))


def test_a_host_callback_kernel_broadcasts_a_batched_first_argument_on_jax(rng):
    # JAX runs ive (not in jax.scipy.special) through jax.pure_callback, whose declared output
    # shape must be the broadcast of all the arguments' (the order batched, x shared here)
    import scipy.special

    import polygrad.special as special

    pytest.importorskip("jax", reason="jax is not installed")
    v = rng.uniform(0.0, 3.0, (2, 3))
    x = rng.uniform(0.5, 2.0, 3)
    with pg.use_backend("jax"):
        got = pg.vmap(special.ive, in_axes=(0, None))(np.asarray(v), np.asarray(x))
        numpy.testing.assert_allclose(got.asnumpy(), scipy.special.ive(v, x), rtol=1e-12)
        got = pg.jit(special.ive)(np.asarray(v), np.asarray(x))
        numpy.testing.assert_allclose(got.asnumpy(), scipy.special.ive(v, x), rtol=1e-12)
