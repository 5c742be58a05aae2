"""``polygrad.scipy.linalg``'s lu, lu_factor, lu_solve and expm: values equal SciPy's,
derivatives against finite differences (real and complex input), torch.autograd and jax.grad,
on every backend that has the kernels; a backend without an LU kernel gets an actionable error."""

from __future__ import annotations

import numpy
import pytest

import polygrad as pg
import polygrad.numpy as np
from polygrad.scipy import linalg as pl
from polygrad.testing import check_grads

scipy_linalg = pytest.importorskip("scipy.linalg", reason="SciPy is the oracle for the values")


def rand(*shape, seed=0):
    return numpy.random.default_rng(seed).standard_normal(shape)


def close(actual, expected, rtol=1e-12, atol=1e-13):
    numpy.testing.assert_allclose(numpy.asarray(actual), numpy.asarray(expected), rtol=rtol,
                                  atol=atol)


def _f64(backend, x):
    if not backend.supports_float64:
        pytest.skip(f"backend {backend.name} has no float64")
    return np.asarray(x, dtype=np.complex128 if numpy.iscomplexobj(x) else np.float64)


@pytest.fixture
def jax64():
    jax = pytest.importorskip("jax", reason="jax is the oracle for this test")
    with jax.enable_x64(True):
        yield jax


# -- values ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(4, 4), (3, 5), (5, 3), (2, 3, 3)])
def test_lu_values_equal_scipy(backend, shape):
    a = rand(*shape)
    x = _f64(backend, a)
    for ours, theirs in zip(pl.lu(x), scipy_linalg.lu(a)):
        close(ours, theirs)
    for ours, theirs in zip(pl.lu(x, permute_l=True), scipy_linalg.lu(a, permute_l=True)):
        close(ours, theirs)
    p = pl.lu(x, p_indices=True)[0]
    assert numpy.asarray(p).tolist() == scipy_linalg.lu(a, p_indices=True)[0].tolist()
    if len(shape) == 2:
        packed, piv = pl.lu_factor(x)
        expected, expected_piv = scipy_linalg.lu_factor(a)
        close(packed, expected)
        assert numpy.asarray(piv).tolist() == expected_piv.tolist()


@pytest.mark.parametrize("trans", [0, 1, 2])
def test_lu_solve_equals_scipy(backend, trans):
    a, b = rand(5, 5) + 1j * rand(5, 5, seed=1), rand(5, 2, seed=2)
    factor = pl.lu_factor(_f64(backend, a))
    close(pl.lu_solve(factor, _f64(backend, b), trans=trans),
          scipy_linalg.lu_solve(scipy_linalg.lu_factor(a), b, trans=trans), rtol=1e-11)


@pytest.mark.parametrize("scale", [1e-3, 0.2, 0.8, 1.8, 4.0, 30.0])
def test_expm_equals_scipy_for_every_pade_degree_and_scaling(backend, scale):
    a = rand(4, 4, seed=3) * scale
    close(pl.expm(_f64(backend, a)), scipy_linalg.expm(a), rtol=1e-12 * max(1.0, scale))
    c = a + 1j * rand(4, 4, seed=4) * scale
    close(pl.expm(_f64(backend, c)), scipy_linalg.expm(c), rtol=1e-12 * max(1.0, scale))


def test_expm_of_a_stack(numpy_backend):
    a = rand(2, 3, 3)
    close(pl.expm(np.asarray(a)), numpy.stack([scipy_linalg.expm(m) for m in a]))


# -- derivatives ----------------------------------------------------------------------------------
@pytest.mark.parametrize("complex_input", [False, True])
def test_lu_derivatives_match_finite_differences(numpy_backend, complex_input):
    a = rand(4, 4) + (1j * rand(4, 4, seed=1) if complex_input else 0)
    check_grads(lambda x: pl.lu(x)[1:], order=2)(np.asarray(a))
    b = rand(4, 2, seed=2)
    check_grads(lambda x, y: pl.lu_solve(pl.lu_factor(x), y), order=1)(np.asarray(a),
                                                                         np.asarray(b))


@pytest.mark.parametrize("scale", [0.05, 1.0, 10.0])
def test_expm_derivatives_match_finite_differences(numpy_backend, scale):
    check_grads(pl.expm, order=2)(np.asarray(rand(3, 3, seed=5) * scale))
    check_grads(pl.expm, order=1)(np.asarray((rand(3, 3) + 1j * rand(3, 3, seed=1)) * scale))


def test_lu_and_expm_gradients_match_torch_and_jax(backend, jax64):
    import jax.numpy as jnp
    import jax.scipy.linalg as jsl

    torch = pytest.importorskip("torch", reason="torch.autograd is an oracle")
    a, w = rand(4, 4, seed=6) * 2.0, rand(4, 4, seed=7)

    def loss(xp_lu, xp_expm, x, w):
        _, l, u = xp_lu(x)
        return ((l * w).sum() + (u * w).sum() + (xp_expm(x) * w).sum())

    ours = pg.grad(lambda x: loss(pl.lu, pl.expm, x, np.asarray(w)))(_f64(backend, a))
    theirs = jax64.grad(lambda x: loss(jsl.lu, jsl.expm, x, jnp.asarray(w)))(jnp.asarray(a))
    close(ours, theirs, rtol=1e-9, atol=1e-11)
    t = torch.tensor(a, requires_grad=True)
    loss(torch.linalg.lu, torch.linalg.matrix_exp, t, torch.tensor(w)).backward()
    close(ours, t.grad.numpy(), rtol=1e-9, atol=1e-11)


def test_complex_expm_gradient_matches_jax_convention(numpy_backend, jax64):
    import jax.numpy as jnp
    import jax.scipy.linalg as jsl

    c = rand(3, 3) + 1j * rand(3, 3, seed=1)
    ours = pg.grad(lambda x: np.sum(np.abs(pl.expm(x)) ** 2))(np.asarray(c))
    theirs = jax64.grad(lambda x: jnp.sum(jnp.abs(jsl.expm(x)) ** 2))(jnp.asarray(c))
    close(ours, theirs, rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize("shape", [(5, 3), (3, 5), (2, 4, 3)])
def test_lu_derivatives_of_rectangular_matrices_match_finite_differences(numpy_backend, shape):
    check_grads(lambda x: pl.lu(x)[1:], order=2)(np.asarray(rand(*shape)))
    check_grads(lambda x: pl.lu(x)[1:], order=1)(np.asarray(rand(*shape) + 1j * rand(*shape,
                                                                                  seed=1)))


def test_a_backend_without_an_lu_kernel_is_told_what_to_supply():
    try:
        context = pg.use_backend("dask")
        context.__enter__()
    except pg.BackendUnavailable as exc:
        pytest.skip(f"the dask backend is not available: {exc}")
    try:
        with pytest.raises(NotImplementedError, match=r"Backend.kernels\['linalg_lu'\]"):
            pl.lu(np.asarray(rand(3, 3)))
        with pytest.raises(NotImplementedError, match=r"Backend.kernels\['linalg_sqrtm'\]"):
            pl.sqrtm(np.asarray(_well_placed()))
        close(pl.expm(np.asarray(rand(3, 3))), scipy_linalg.expm(rand(3, 3)))
    finally:
        context.__exit__(None, None, None)


# -- sqrtm, logm ------------------------------------------------------------------------------
def _well_placed(seed=0):
    """A non-normal real matrix with eigenvalues well inside the right half-plane."""
    a = rand(3, 3, seed=seed)
    return a @ a.T + numpy.eye(3) + 0.4 * rand(3, 3, seed=seed + 1)


@pytest.mark.parametrize("fname", ["sqrtm", "logm"])
def test_sqrtm_and_logm_values_equal_scipy(backend, fname):
    ours, theirs = getattr(pl, fname), getattr(scipy_linalg, fname)
    a = _well_placed()
    close(ours(_f64(backend, a)), theirs(a), rtol=1e-11)
    c = a + 0.5j * rand(3, 3, seed=9)
    close(ours(_f64(backend, c)), theirs(c), rtol=1e-11)
    stack = numpy.stack([a, _well_placed(3)])
    close(ours(_f64(backend, stack)), numpy.stack([theirs(m) for m in stack]), rtol=1e-11)


@pytest.mark.parametrize("fname", ["sqrtm", "logm"])
def test_a_real_matrix_without_a_real_principal_value_is_an_error(numpy_backend, fname):
    with pytest.raises(ValueError, match="pass it as a complex matrix"):
        getattr(pl, fname)(np.asarray([[-1.0, 0.0], [0.0, 2.0]]))
    close(getattr(pl, fname)(np.asarray([[-1.0, 0.0], [0.0, 2.0]], dtype=np.complex128)),
          getattr(scipy_linalg, fname)(numpy.asarray([[-1.0, 0.0], [0.0, 2.0]], dtype=complex)))


@pytest.mark.parametrize("fname", ["sqrtm", "logm"])
def test_sqrtm_and_logm_derivatives_match_finite_differences(numpy_backend, fname):
    fun = getattr(pl, fname)
    check_grads(fun, order=2 if fname == "sqrtm" else 1)(np.asarray(_well_placed()))
    check_grads(fun, order=1)(np.asarray(_well_placed() + 0.5j * rand(3, 3, seed=9)))


def test_sqrtm_and_logm_derivatives_invert_square_and_expm(backend):
    # sqrtm(A)² = A and expm(logm(A)) = A: the derivative of each round trip is the identity,
    # checked against the independently differentiated matmul and expm
    a, t = _f64(backend, _well_placed()), _f64(backend, rand(3, 3, seed=11))
    _, d_square = pg.jvp(lambda x: pl.sqrtm(x) @ pl.sqrtm(x), (a,), (t,))
    close(d_square, t, rtol=1e-9, atol=1e-10)
    _, d_exp = pg.jvp(lambda x: pl.expm(pl.logm(x)), (a,), (t,))
    close(d_exp, t, rtol=1e-9, atol=1e-10)
    w = _f64(backend, rand(3, 3, seed=12))
    close(pg.grad(lambda x: np.sum(pl.expm(pl.logm(x)) * w))(a), w, rtol=1e-9, atol=1e-10)

