"""The core layer (``polygrad._ops``) under the namespace: the namespace's ``astype``, ``concat``,
``stack`` and ``where`` bind the core's Primitive objects (one definition, one set of rules),
and the core's own joins and casts (``asarray`` of nested lists holding Arrays, ``pg.cond``'s
selection, ``pg.scan``'s stacked outputs) promote and differentiate as the namespace's do."""

from __future__ import annotations

import numpy

import polygrad as pg
import polygrad.numpy as np
from polygrad import _ops
from polygrad.testing import check_grads


def test_the_namespace_binds_the_core_primitives():
    assert np.astype.primitive is _ops.astype_p
    assert np.concat.primitive is _ops.concat_p
    assert np.where.primitive is _ops.where_p


def test_asarray_of_nested_lists_holding_arrays(backend):
    a = np.asarray([1.0, 2.0], dtype="float32")
    out = np.asarray([[a, [3, 4.5]], [a * 2, a]])
    assert out.dtype == np.float32 and out.backend == a.backend
    numpy.testing.assert_allclose(numpy.asarray(out.tolist()),
                                  [[[1, 2], [3, 4.5]], [[2, 4], [1, 2]]])
    assert np.asarray([a, a], dtype="float64").dtype == np.float64
    x0 = np.asarray([0.5, -1.5], dtype="float64")
    check_grads(lambda x: np.sum(np.asarray([x, 2.0 * x, [1.0, 3.0]]) ** 2), modes=["rev"],
                order=1)(x0)


def test_cond_and_scan_promote_like_the_namespace(backend):
    x = np.asarray([1.0, 2.0], dtype="float32")
    # inside vmap each example chooses: both branches run and where selects
    both = pg.vmap(lambda p, v: pg.cond(p > 0, lambda v: v, lambda v: 2 * v, v))
    out = both(np.asarray([1.0, -1.0]), np.stack([x, x]))
    assert out.dtype == np.float32 and out.tolist() == [[1.0, 2.0], [2.0, 4.0]]

    def f(c, v):
        return c + v, (v * c, 1)
    carry, (ys, ones) = pg.scan(f, np.asarray(0.0, dtype="float32"), x)
    assert ys.dtype == np.float32 and ys.tolist() == [0.0, 2.0]
    assert ones.tolist() == [1, 1]
