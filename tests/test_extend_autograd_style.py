"""polygrad.extend in HIPS autograd's convention: ``@primitive`` on a function of plain arrays,
curried ``defvjp`` makers, ``defjvp``, ``argnums``; the values against NumPy and the derivatives
against finite differences and autograd itself, on every backend."""

from __future__ import annotations

import numpy as onp
import pytest

import polygrad as pg
import polygrad.numpy as np
from polygrad.extend import defjvp, defvjp, primitive
from polygrad.testing import check_grads


@primitive
def logsumexp(x):
    """autograd's tutorial primitive, word for word but for the import: raw NumPy inside."""
    max_x = onp.max(x)
    return max_x + onp.log(onp.sum(onp.exp(x - max_x)))


def logsumexp_vjp(ans, x):
    x_shape = x.shape
    return lambda g: np.full(x_shape, g) * np.exp(x - np.full(x_shape, ans))


defvjp(logsumexp, logsumexp_vjp)
defjvp(logsumexp, lambda g, ans, x: np.sum(g * np.exp(x - ans)))


def test_an_autograd_primitive_runs_on_plain_arrays_and_differentiates(backend):
    x = np.asarray([0.5, -1.0, 2.0], dtype=np.float64)
    expected = onp.log(onp.sum(onp.exp([0.5, -1.0, 2.0])))
    assert float(logsumexp(x)) == pytest.approx(expected)
    g = pg.grad(logsumexp)(x)
    assert g.backend == backend.name
    onp.testing.assert_allclose(g.asnumpy(), onp.exp([0.5, -1.0, 2.0]) / onp.exp(expected))


def test_an_autograd_primitive_passes_check_grads(numpy_backend):
    check_grads(logsumexp, modes=("fwd", "rev"), order=2)(np.asarray([0.5, -1.0, 2.0]))


def test_the_same_program_gives_autogrands_gradient(numpy_backend):
    autograd = pytest.importorskip("autograd", reason="HIPS autograd is the oracle")
    from autograd.extend import defvjp as a_defvjp
    from autograd.extend import primitive as a_primitive
    import autograd.numpy as anp

    a_lse = a_primitive(lambda x: onp.max(x) + onp.log(onp.sum(onp.exp(x - onp.max(x)))))
    a_defvjp(a_lse, lambda ans, x: lambda g: anp.full(x.shape, g) * anp.exp(x - ans))
    x = onp.array([0.3, 1.7, -0.4])
    loss = lambda f, n: lambda x: f(n.tanh(x) * 2.0) ** 2
    onp.testing.assert_allclose(pg.grad(loss(logsumexp, np))(x).asnumpy(),
                                autograd.grad(loss(a_lse, anp))(x), rtol=1e-12)


def test_keyword_parameters_and_argnums(numpy_backend):
    @primitive
    def scaled_sum(x, y, axis=0):
        return onp.sum(x * y, axis=axis)

    defvjp(scaled_sum, lambda ans, x, y, axis=0: lambda g: np.expand_dims(g, axis) * y,
           argnums=(0,))
    x, y = np.asarray([[1.0, 2.0], [3.0, 4.0]]), np.asarray([[5.0, 6.0], [7.0, 8.0]])
    onp.testing.assert_allclose(scaled_sum(x, y, axis=1).asnumpy(), [17.0, 53.0])
    g = pg.grad(lambda x: np.sum(scaled_sum(x, y, axis=1)))(x)
    onp.testing.assert_allclose(g.asnumpy(), y.asnumpy())
    with pytest.raises(pg.DifferentiationError, match="argument 1"):
        pg.grad(lambda y: np.sum(scaled_sum(x, y, axis=1)))(y)


def test_extend_rejects_what_is_not_a_primitive():
    with pytest.raises(TypeError, match="polygrad.extend.defvjp: expected a primitive"):
        defvjp(lambda x: x, lambda ans, x: lambda g: g)
