"""pg.vmap of matmul where one side is a batch of vectors and the other is shared: one 2-D
matmul of the batch (the Jacobian's and Hessian's passes make these), equal to the loop on every
backend, with the vector on either side and the batch axis in either position."""

from __future__ import annotations

import numpy
import pytest

import polygrad as pg
import polygrad.numpy as np

B = 4

CASES = [   # (id, shape of one example of x1, shape of x2, which side is batched)
    ("vector_at_matrix", (5,), (5, 3), 0),
    ("matrix_at_vector", (3, 5), (5,), 1),
    ("vector_at_vector_left", (5,), (5,), 0),
    ("vector_at_vector_right", (5,), (5,), 1),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("axis", [0, -1])
def test_batched_vectors_times_a_shared_operand_equal_the_loop(backend, case, axis, rng):
    _, s1, s2, side = case
    shapes = [s1, s2]
    batch_shape = list(shapes[side])
    batch_shape.insert(len(batch_shape) if axis == -1 else 0, B)
    arrays = [rng.standard_normal(s) for s in shapes]
    arrays[side] = rng.standard_normal(batch_shape)
    in_axes = tuple(axis if i == side else None for i in range(2))
    got = pg.vmap(np.matmul, in_axes=in_axes)(*[np.asarray(a) for a in arrays])
    want = numpy.stack([numpy.matmul(*[numpy.take(a, k, axis=axis) if i == side else a
                                       for i, a in enumerate(arrays)]) for k in range(B)])
    assert got.shape == want.shape
    numpy.testing.assert_allclose(got.asnumpy(), want, rtol=1e-10, atol=1e-12)


def test_hessian_of_a_matmul_function_equals_the_closed_form(backend, rng):
    a = rng.standard_normal((6, 6))
    x = rng.standard_normal(6)
    pa = np.asarray(a)
    h = pg.hessian(lambda v: np.sum(np.tanh(pa @ v) ** 2))(np.asarray(x)).asnumpy()
    t = numpy.tanh(a @ x)
    # d²/dx² Σ tanh(Ax)² = Aᵀ diag(2 (1 - t²)(1 - 3 t²)) A
    want = a.T @ numpy.diag(2 * (1 - t * t) * (1 - 3 * t * t)) @ a
    numpy.testing.assert_allclose(h, want, rtol=1e-8, atol=1e-10)
