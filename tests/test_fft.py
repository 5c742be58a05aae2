"""``polygrad.numpy.fft``: values against numpy.fft, derivatives by finite differences to second
order, the Hermitian weighting of rfft/irfft's VJPs, and jax.grad / jax.jvp as an oracle."""

from __future__ import annotations

import numpy
import pytest

import polygrad as pg
import polygrad.numpy as np
from polygrad.extend import defjvp, defvjp, primitive
from polygrad.testing import check_grads

pytestmark = pytest.mark.usefixtures("numpy_backend")

NORMS = ["backward", "ortho", "forward"]
# (function, input is real)
ONE_D = [("fft", False), ("ifft", False), ("rfft", True), ("irfft", False), ("hfft", False),
         ("ihfft", True)]
N_D = [("fftn", False), ("ifftn", False), ("rfftn", True), ("irfftn", False), ("fft2", False),
       ("ifft2", False), ("rfft2", True), ("irfft2", False)]


def signal(rng, shape, real):
    x = rng.standard_normal(shape)
    return x if real else x + 1j * rng.standard_normal(shape)


def close(actual, expected, rtol=1e-10, atol=1e-12):
    numpy.testing.assert_allclose(numpy.asarray(actual), numpy.asarray(expected), rtol=rtol,
                                  atol=atol)


@pytest.fixture
def jax64():
    """JAX with 64-bit types, switched on only inside the test."""
    jax = pytest.importorskip("jax")
    with jax.enable_x64(True):
        yield jax


# -- values ----------------------------------------------------------------------------------
@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("n", [None, 1, 4, 5, 9])
@pytest.mark.parametrize("axis", [-1, 0])
@pytest.mark.parametrize("name,real", ONE_D)
def test_one_dimensional_transforms_match_numpy(rng, name, real, n, axis, norm):
    x = signal(rng, (6, 5), real)
    expected = getattr(numpy.fft, name)(x, n=n, axis=axis, norm=norm)
    actual = getattr(np.fft, name)(np.asarray(x), n=n, axis=axis, norm=norm)
    assert actual.shape == expected.shape and actual.dtype == expected.dtype
    close(actual, expected)


ND_PLANS = [(None, None), (None, (0, 2)), ((3, 8), (2, 0)), ((4, -1), (1, 2)),
            ((2, 3, 5), (0, 1, 2))]
TWO_D_PLANS = [(None, (-2, -1)), ((3, 8), (2, 0)), ((4, -1), (1, 2))]


@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("name,real,s,axes",
                         [(f, r, s, a) for f, r in N_D for s, a in
                          (TWO_D_PLANS if f.endswith("2") else ND_PLANS)])
def test_multi_dimensional_transforms_match_numpy(rng, name, real, s, axes, norm):
    x = signal(rng, (3, 4, 6), real)
    numpy_s = s
    if s is not None and s[-1] == -1 and name.startswith("irfft"):
        # -1 keeps the whole input along the last axis: the output has the default length
        # 2 (m - 1) (NumPy instead takes -1 there as the output length m and trims the input)
        numpy_s = list(s[:-1]) + [2 * (x.shape[axes[-1]] - 1)]
    expected = getattr(numpy.fft, name)(x, s=numpy_s, axes=axes, norm=norm)
    actual = getattr(np.fft, name)(np.asarray(x), s=s, axes=axes, norm=norm)
    assert actual.shape == expected.shape
    close(actual, expected)


def test_transforms_keep_single_precision(rng):
    x = np.asarray(rng.standard_normal((4, 6)), dtype=np.float32)
    assert np.fft.fft(x).dtype == np.complex64
    assert np.fft.rfftn(x).dtype == np.complex64
    assert np.fft.irfft(np.fft.rfft(x)).dtype == np.float32
    assert np.fft.hfft(np.fft.ifft(x)).dtype == np.float32
    close(np.fft.irfft(np.fft.rfft(x), n=6), x.asnumpy(), rtol=1e-5, atol=1e-5)


def test_integer_input_is_transformed_in_the_default_float_dtype():
    close(np.fft.fft(np.arange(4)), numpy.fft.fft(numpy.arange(4)))
    assert np.fft.fft(np.arange(4)).dtype == np.complex128


def test_round_trips_invert_each_other(rng):
    x = np.asarray(rng.standard_normal((4, 7)))
    close(np.fft.irfftn(np.fft.rfftn(x), s=x.shape), x)
    close(np.fft.ifft(np.fft.fft(x, norm="ortho"), norm="ortho"), x)
    close(np.fft.ihfft(np.fft.hfft(np.fft.ihfft(x), n=7)), np.fft.ihfft(x))


@pytest.mark.parametrize("n", [1, 4, 7])
@pytest.mark.parametrize("d", [1.0, 0.25])
def test_fftfreq_and_rfftfreq_match_numpy(n, d):
    close(np.fft.fftfreq(n, d=d), numpy.fft.fftfreq(n, d=d))
    close(np.fft.rfftfreq(n, d=d), numpy.fft.rfftfreq(n, d=d))
    assert np.fft.fftfreq(n).dtype == np.float64
    assert np.fft.rfftfreq(n, dtype=np.float32).dtype == np.float32


@pytest.mark.parametrize("axes", [None, 0, (1,), (0, 1), (-1, 0)])
def test_fftshift_and_ifftshift_match_numpy(rng, axes):
    x = rng.standard_normal((5, 4))
    close(np.fft.fftshift(np.asarray(x), axes=axes), numpy.fft.fftshift(x, axes=axes))
    close(np.fft.ifftshift(np.asarray(x), axes=axes), numpy.fft.ifftshift(x, axes=axes))
    close(np.fft.ifftshift(np.fft.fftshift(np.asarray(x), axes=axes), axes=axes), x)


@pytest.mark.parametrize("call,error", [
    (lambda z: np.fft.fft(z, n=0), ValueError),
    (lambda z: np.fft.fft(z, axis=2), ValueError),
    (lambda z: np.fft.fftn(z, axes=(0, -2)), ValueError),
    (lambda z: np.fft.fftn(z, s=(2, 3), axes=(0,)), ValueError),
    (lambda z: np.fft.fft(z, norm="unitary"), ValueError),
    (lambda z: np.fft.irfft(z[:, :1]), ValueError),
    (lambda z: np.fft.rfft(z), TypeError),
    (lambda z: np.fft.ihfft(z), TypeError),
])
def test_invalid_arguments_raise_naming_the_function(call, error):
    z = np.asarray(numpy.ones((2, 3)) + 1j)
    with pytest.raises(error, match="polygrad.numpy.fft"):
        call(z)


# -- derivatives -----------------------------------------------------------------------------
@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("n", [None, 1, 2, 4, 7])
@pytest.mark.parametrize("name,real", ONE_D)
def test_one_dimensional_transforms_pass_check_grads(rng, name, real, n, norm):
    x = np.asarray(signal(rng, (3, 4), real))
    check_grads(lambda x: getattr(np.fft, name)(x, n=n, norm=norm), order=2)(x)


@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("s,axes", [(None, None), (None, (2, 0)), ((3, 5), (0, 2)),
                                    ((4, 2), (2, 1))])
@pytest.mark.parametrize("name,real", N_D)
def test_multi_dimensional_transforms_pass_check_grads(rng, name, real, s, axes, norm):
    x = np.asarray(signal(rng, (2, 3, 4), real))
    if name.endswith("2") and axes is None:
        axes = (-2, -1)
    check_grads(lambda x: getattr(np.fft, name)(x, s=s, axes=axes, norm=norm), order=2)(x)


@pytest.mark.parametrize("name,real", ONE_D + N_D)
def test_real_valued_losses_of_transforms_pass_check_grads(rng, name, real):
    # a nonlinear loss makes the second-order check exercise the transforms' own rules
    x = np.asarray(signal(rng, (3, 4), real))
    f = getattr(np.fft, name)

    def loss(x):
        y = f(x)
        return np.sum(np.abs(y) ** 2 * np.cos(np.real(y))) if y.dtype.kind == "c" else \
            np.sum(y ** 3)
    check_grads(loss, order=2)(x)


def test_real_input_to_complex_transform_gets_a_real_gradient(rng):
    x = np.asarray(rng.standard_normal(6))
    g = pg.grad(lambda x: np.sum(np.abs(np.fft.fft(x, n=8)) ** 2))(x)
    assert g.dtype == np.float64
    check_grads(lambda x: np.fft.ifftn(x, s=(5,)), order=2)(x)


def test_single_precision_transforms_pass_check_grads(rng):
    x = np.asarray(rng.standard_normal((3, 4)), dtype=np.float32)
    z = np.asarray(signal(rng, (3, 4), False), dtype=np.complex64)
    check_grads(lambda x: np.fft.rfft2(x, norm="ortho"), order=2)(x)
    check_grads(lambda z: np.fft.irfftn(z, axes=(1, 0)), order=2)(z)


def test_shifts_pass_check_grads(rng):
    z = np.asarray(signal(rng, (3, 4), False))
    check_grads(lambda z: np.fft.fftshift(z) * np.fft.ifftshift(z, axes=1), order=2)(z)


def test_fft_jacobian_is_the_dft_matrix(rng):
    # under the unconjugated-transpose convention the Jacobian of a C-linear map is its matrix
    z = np.asarray(signal(rng, 5, False))
    close(pg.jacobian(np.fft.fft)(z), numpy.fft.fft(numpy.eye(5)))
    close(pg.jacobian(lambda z: np.fft.ifft(z, norm="ortho"))(z),
          numpy.fft.ifft(numpy.eye(5), norm="ortho", axis=0))


def test_rfft_and_irfft_cotangents_carry_the_hermitian_weights():
    # rfft keeps frequencies 0..n/2 of fft: its transpose is Re(fft(g padded)) (here jax's
    # values); irfft counts frequencies 1..n/2-1 twice, 0 and n/2 once
    _, pull = pg.vjp(np.fft.rfft, np.asarray([0.0, 1.0, 2.0, 3.0]))
    close(pull(np.ones(3, dtype=np.complex128))[0], [3.0, 0.0, 1.0, 0.0])
    _, pull = pg.vjp(np.fft.irfft, np.ones(3, dtype=np.complex128))
    close(pull(np.asarray([0.0, 1.0, 2.0, 3.0]))[0], [1.5, -1 - 1j, -0.5])
    _, pull = pg.vjp(lambda z: np.fft.irfft(z, n=5), np.ones(3, dtype=np.complex128))
    g = numpy.arange(5.0)
    close(pull(np.asarray(g))[0], numpy.array([1, 2, 2]) * numpy.conj(numpy.fft.rfft(g)) / 5)


_unweighted_rfft = primitive("test_fft_unweighted_rfft", lambda xp: lambda x: xp.fft.rfft(x))
# wrong: the transpose of rfft without the Hermitian weights
defvjp(_unweighted_rfft, lambda g, ans, x: np.fft.irfft(np.conj(g), n=x.shape[-1],
                                                         norm="forward"))
defjvp(_unweighted_rfft, lambda t, ans, x: _unweighted_rfft(t))


def test_check_grads_fails_on_rfft_rule_without_hermitian_weights(rng):
    x = np.asarray(rng.standard_normal(6))
    with pytest.raises(AssertionError, match="reverse-mode derivative of order 1"):
        check_grads(_unweighted_rfft)(x)


def test_transforms_and_their_derivatives_on_every_backend(backend, rng):
    x = rng.standard_normal((3, 4))
    z = x + 1j * rng.standard_normal((3, 4))
    xs, zs = np.asarray(x, dtype=np.float64), np.asarray(z, dtype=np.complex128)
    close(np.fft.rfft(xs, n=6).asnumpy(), numpy.fft.rfft(x, n=6))
    close(np.fft.irfftn(zs, s=(2, 5), axes=(1, 0)).asnumpy(),
          numpy.fft.irfftn(z, s=(2, 5), axes=(1, 0)))
    close(np.fft.fftshift(np.fft.fftfreq(5)).asnumpy(), numpy.fft.fftshift(numpy.fft.fftfreq(5)),
          rtol=1e-6)
    assert np.fft.fft(np.asarray(x, dtype=np.float32)).dtype == np.complex64
    for f, a in [(np.fft.fft, zs), (np.fft.rfft, xs), (np.fft.irfft, zs)]:
        check_grads(f, order=2)(a)
    for f, a in [(np.fft.hfft, zs), (np.fft.ihfft, xs), (np.fft.rfft2, xs), (np.fft.ifftn, xs)]:
        check_grads(f, order=1)(a)


# -- jax as the oracle -----------------------------------------------------------------------
CASES = [
    ("rfft", True, lambda m, x: m.sum(m.abs(m.fft.rfft(x, n=8, norm="ortho")) ** 2
                                      * m.arange(5.0))),
    ("irfft", False, lambda m, z: m.sum(m.sin(m.fft.irfft(z, n=7)))),
    ("irfft_even", False, lambda m, z: m.sum(m.sin(m.fft.irfft(z, n=6, norm="forward")))),
    ("hfft", False, lambda m, z: m.sum(m.fft.hfft(z, n=9, axis=0) ** 2)),
    ("ihfft", True, lambda m, x: m.sum(m.real(m.fft.ihfft(x, n=4)) * m.imag(m.fft.ihfft(x)))),
    ("fftn", False, lambda m, z: m.sum(m.abs(m.fft.fftn(z, s=(4, 4), axes=(0, 1))))),
    ("ifft2", False, lambda m, z: m.sum(m.real(m.fft.ifft2(z) * m.conj(z)))),
    ("irfftn", False, lambda m, z: m.sum(m.cos(m.fft.irfftn(z, s=(2, 6), axes=(1, 0))))),
    ("rfft2", True, lambda m, x: m.sum(m.abs(m.fft.rfft2(x)) ** 3)),
    ("shift", False, lambda m, z: m.sum(m.abs(m.fft.fftshift(m.fft.fft(z)) - z) ** 2)),
]


@pytest.mark.parametrize("name,real,f", CASES, ids=[c[0] for c in CASES])
def test_gradients_match_jax(jax64, rng, name, real, f):
    import jax.numpy as jnp

    x = signal(rng, (3, 5), real)
    close(pg.grad(lambda x: f(np, x))(np.asarray(x)),
          jax64.grad(lambda x: f(jnp, x))(jnp.asarray(x)), rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("name,real", [("fft", False), ("rfft", True), ("irfft", False),
                                       ("hfft", False), ("ihfft", True)])
def test_vjp_and_jvp_match_jax(jax64, rng, name, real):
    import jax.numpy as jnp

    x, t = signal(rng, (2, 6), real), signal(rng, (2, 6), real)
    ours, theirs = getattr(np.fft, name), getattr(jnp.fft, name)
    y, pull = pg.vjp(lambda x: ours(x, n=5, norm="ortho"), np.asarray(x))
    g = signal(rng, y.shape, y.dtype.kind != "c")
    _, jax_pull = jax64.vjp(lambda x: theirs(x, n=5, norm="ortho"), jnp.asarray(x))
    close(pull(np.asarray(g))[0], jax_pull(jnp.asarray(g))[0])
    close(pg.jvp(lambda x: ours(x, n=5), (np.asarray(x),), (np.asarray(t),))[1],
          jax64.jvp(lambda x: theirs(x, n=5), (jnp.asarray(x),), (jnp.asarray(t),))[1])
