"""``holomorphic=True`` of grad, value_and_grad, jacobian and hessian, as JAX's: the complex
derivative of a holomorphic function of complex inputs, checked against jax (``holomorphic=True``)
and complex finite differences, on every backend; real inputs or outputs are a TypeError."""

from __future__ import annotations

import numpy
import pytest

import polygrad as pg
import polygrad.numpy as np

Z = numpy.asarray([0.3 + 0.8j, -1.1 + 0.2j, 0.5 - 0.7j])


def f(xp, z):
    return xp.sin(z) * xp.exp(z) + z ** 3 / (2.0 + z)


def g(xp, z):   # vector to vector, mixing elements
    return xp.sin(z) * z[::-1] + xp.sum(z ** 2)


@pytest.fixture
def jax64():
    jax = pytest.importorskip("jax", reason="jax (holomorphic=True) is the oracle")
    with jax.enable_x64(True):
        yield jax


def _complex(backend, z):
    if not backend.supports_complex or not backend.supports_float64:
        pytest.skip(f"backend {backend.name} has no complex128")
    return np.asarray(z, dtype=np.complex128)


def close(actual, expected, rtol=1e-10, atol=1e-12):
    numpy.testing.assert_allclose(numpy.asarray(actual), numpy.asarray(expected), rtol=rtol,
                                  atol=atol)


def test_holomorphic_derivatives_equal_jax(backend, jax64):
    import jax.numpy as jnp

    z = _complex(backend, Z)
    jz = jnp.asarray(Z)
    close(pg.grad(lambda x: np.sum(f(np, x)), holomorphic=True)(z),
          jax64.grad(lambda x: jnp.sum(f(jnp, x)), holomorphic=True)(jz))
    value, grad = pg.value_and_grad(lambda x: f(np, x)[1], holomorphic=True)(z)
    close(value, f(numpy, Z)[1])
    close(grad, jax64.grad(lambda x: f(jnp, x)[1], holomorphic=True)(jz))
    close(pg.jacobian(lambda x: g(np, x), holomorphic=True)(z),
          jax64.jacrev(lambda x: g(jnp, x), holomorphic=True)(jz))
    close(pg.hessian(lambda x: np.sum(f(np, x) * x), holomorphic=True)(z),
          jax64.hessian(lambda x: jnp.sum(f(jnp, x) * x), holomorphic=True)(jz), rtol=1e-9)


def test_holomorphic_grad_is_the_complex_derivative_by_finite_differences(numpy_backend):
    z0, h = 0.4 - 0.9j, 1e-6
    df = pg.grad(lambda x: f(np, x), holomorphic=True)(z0)
    for step in (h, 1j * h):   # the same quotient along both axes: f is holomorphic
        quotient = (f(numpy, z0 + step) - f(numpy, z0 - step)) / (2 * step)
        assert complex(df) == pytest.approx(quotient, rel=1e-8)
    second = pg.grad(pg.grad(lambda x: f(np, x), holomorphic=True), holomorphic=True)(z0)
    fd = (complex(pg.grad(lambda x: f(np, x), holomorphic=True)(z0 + h))
          - complex(pg.grad(lambda x: f(np, x), holomorphic=True)(z0 - h))) / (2 * h)
    assert complex(second) == pytest.approx(fd, rel=1e-7)


def test_holomorphic_grad_of_complex_linear_algebra(numpy_backend, jax64):
    import jax.numpy as jnp

    a = numpy.random.default_rng(0).standard_normal((3, 3, 2)) @ [1, 1j]
    ours = pg.grad(lambda x: np.linalg.det(x) + np.trace(np.linalg.inv(x)),
                   holomorphic=True)(np.asarray(a))
    theirs = jax64.grad(lambda x: jnp.linalg.det(x) + jnp.trace(jnp.linalg.inv(x)),
                        holomorphic=True)(jnp.asarray(a))
    close(ours, theirs, rtol=1e-9)


@pytest.mark.parametrize("make", [
    lambda: pg.grad(lambda z: z ** 2, holomorphic=True)(1.5),
    lambda: pg.grad(lambda z: z ** 2, holomorphic=True)(np.asarray([1.0, 2.0])),
    lambda: pg.jacobian(lambda z: z ** 2, holomorphic=True)(np.asarray([1.0, 2.0])),
    lambda: pg.hessian(lambda z: np.sum(z ** 3), holomorphic=True)(np.asarray([1.0])),
])
def test_holomorphic_needs_complex_inputs_as_in_jax(numpy_backend, make):
    with pytest.raises(TypeError, match="holomorphic=True needs complex inputs"):
        make()


@pytest.mark.parametrize("make", [
    lambda: pg.grad(lambda z: np.abs(z), holomorphic=True)(1j),
    lambda: pg.value_and_grad(lambda z: np.real(z), holomorphic=True)(1j),
    lambda: pg.jacobian(lambda z: np.abs(z), holomorphic=True)(np.asarray([1j, 2.0])),
])
def test_holomorphic_needs_complex_outputs_as_in_jax(numpy_backend, make):
    with pytest.raises(TypeError, match="holomorphic=True needs a function with complex outp"):
        make()


def test_without_holomorphic_a_complex_output_is_an_error_that_names_the_option(numpy_backend):
    with pytest.raises(TypeError, match="holomorphic=True"):
        pg.grad(lambda z: z ** 2)(1j)
