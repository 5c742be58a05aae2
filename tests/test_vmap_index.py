"""pg.vmap of indexing by index arrays that differ per example (the derivatives of sort,
partition, median, quantile and interp make them): one gather / scatter over the batch, equal to
a Python loop of unbatched calls, on every backend; and the clear errors where it does not batch."""

from __future__ import annotations

import numpy
import pytest

import polygrad as pg
import polygrad.numpy as np

B = 3


def _loop(fun, arrays, in_axes):
    outs = []
    for i in range(B):
        args = [a if ax is None else np.asarray(numpy.take(a, i, axis=ax))
                for a, ax in zip(arrays, in_axes)]
        outs.append(fun(*args).asnumpy())
    return numpy.stack(outs)


def _check(fun, arrays, in_axes):
    want = _loop(fun, arrays, in_axes)
    got = pg.vmap(fun, in_axes=in_axes)(*[a if ax is None else np.asarray(a)
                                          for a, ax in zip(arrays, in_axes)])
    assert got.shape == want.shape
    numpy.testing.assert_allclose(got.asnumpy(), want, rtol=1e-9, atol=1e-12)


# (id, function of one example, builds (arrays, in_axes) from rng)
GATHERS = [
    ("scalar_index", lambda i, a: a[i],
     lambda r: ([r.integers(0, 4, (B,)), r.standard_normal((4, 5))], (0, None))),
    ("scalar_index_both_batched", lambda i, a: a[:, i],
     lambda r: ([r.integers(0, 5, (B,)), r.standard_normal((B, 4, 5))], (0, 0))),
    ("index_batched_only", lambda i, a: a[i],
     lambda r: ([r.integers(0, 4, (B, 2)), r.standard_normal((4, 5))], (0, None))),
    ("index_after_slice", lambda i, a: a[:, i],
     lambda r: ([r.integers(0, 5, (B, 2, 2)), r.standard_normal((4, 5))], (0, None))),
    ("both_batched", lambda i, a: a[:, i] * 2.0,
     lambda r: ([r.integers(0, 5, (2,)), r.standard_normal((B, 4, 5))], (None, 0))),
    ("both_batched_axis1", lambda i, a: a[1:, i],
     lambda r: ([r.integers(0, 5, (2, B)), r.standard_normal((4, 5, B))], (1, 2))),
    ("separated_arrays", lambda i, j, a: a[i, :, j],
     lambda r: ([r.integers(0, 3, (B, 2)), r.integers(0, 4, (2,)),
                 r.standard_normal((B, 3, 2, 4))], (0, None, 0))),
    ("with_int", lambda i, a: a[1, i],
     lambda r: ([r.integers(0, 5, (B, 3)), r.standard_normal((4, 5))], (0, None))),
    ("take_along_axis", lambda i, a: np.take_along_axis(a, i, axis=1),
     lambda r: ([r.integers(0, 5, (B, 4, 3)), r.standard_normal((B, 4, 5))], (0, 0))),
]


@pytest.mark.parametrize("case", GATHERS, ids=[c[0] for c in GATHERS])
def test_gather_by_per_example_index_arrays_equals_the_loop(backend, case, rng):
    _, fun, make = case
    arrays, in_axes = make(rng)
    arrays = [a.astype("int64") if a.dtype.kind == "i" else a for a in arrays]
    arrays = [np.asarray(a) if ax is None else a for a, ax in zip(arrays, in_axes)]
    _check(fun, arrays, in_axes)


GRADS = [
    ("sort", lambda x: np.sum(np.sort(x, axis=-1) ** 2 * np.arange(5.0))),
    ("sort_axis0", lambda x: np.sum(np.sort(x, axis=0) ** 3)),
    ("partition", lambda x: np.sum(np.partition(x, 2, axis=1) ** 2 * np.arange(5.0))),
    ("median", lambda x: np.sum(np.median(x, axis=1) ** 2)),
    ("quantile", lambda x: np.sum(np.quantile(x, 0.3, axis=0) ** 2)),
    ("nanpercentile", lambda x: np.sum(np.nanpercentile(x, 70.0, axis=1) ** 2)),
    ("interp", lambda x: np.sum(np.interp(np.asarray([0.1, 0.5, 2.5]), np.arange(5.0),
                                          x[0]) ** 2)),
]


@pytest.mark.parametrize("case", GRADS, ids=[c[0] for c in GRADS])
@pytest.mark.parametrize("in_axis", [0, 2])
def test_vmap_of_grad_through_a_per_example_permutation_equals_the_loop(backend, case, in_axis,
                                                                        rng):
    _, f, = case
    x = rng.standard_normal((B, 4, 5))
    x = numpy.moveaxis(x, 0, in_axis)
    _check(pg.grad(f), [x], (in_axis,))


def test_vmap_of_grad_of_a_per_example_element_scatters_per_example(backend):
    g = pg.vmap(pg.grad(lambda a, i: a[i] * 2.0), in_axes=(None, 0))
    got = g(np.arange(4.0), np.asarray(numpy.asarray([0, 2, 2]))).asnumpy()
    numpy.testing.assert_array_equal(got, 2.0 * numpy.eye(4)[[0, 2, 2]])


def test_jacobian_of_sort_is_batched_over_the_rows(numpy_backend, rng):
    x = np.asarray(rng.standard_normal(6))
    jac = pg.jacrev(np.sort)(x).asnumpy()
    perm = numpy.argsort(x.asnumpy())
    numpy.testing.assert_array_equal(jac, numpy.eye(6)[perm])


def test_setitem_at_a_per_example_index_says_what_to_write(numpy_backend):
    def f(i, x):
        y = x * 1.0
        y[i] = 0.0
        return y
    with pytest.raises(pg.BatchingError, match="np.where"):
        pg.vmap(f, in_axes=(0, None))(np.asarray([0, 2]), np.arange(4.0))


def test_a_shared_array_indexed_per_example_inside_grad_is_gathered(numpy_backend):
    a = np.arange(5.0)

    def f(i):
        return pg.grad(lambda s: np.sum(s * a[i]))(1.0)
    # a does not vary over the batch; i does: one gather (a broadcast over the batch)
    numpy.testing.assert_allclose(pg.vmap(f)(np.asarray([1, 3])).asnumpy(), [1.0, 3.0])

    def g(i):
        return pg.grad(lambda s: np.sum((s * a)[i]))(np.asarray(1.0))
    numpy.testing.assert_allclose(pg.vmap(g)(np.asarray([[1], [3]])).asnumpy(), [1.0, 3.0])
