"""Derivatives of ``polygrad.numpy.linalg`` at complex matrices.

polygrad follows JAX's convention (VJPs are unconjugated transposes of the JVP, so for a real
loss ``grad = ∂L/∂x − i ∂L/∂y``); torch.autograd returns the conjugate. Each real loss below is
written once against a namespace and checked three ways: finite differences along real and
imaginary perturbations at once (``check_grads``, forward and reverse, second order), jax.grad,
and the conjugate of torch.autograd's gradient. Singular vectors and eigenvectors are defined
only up to a phase per column (a unitary diagonal gauge), so their losses are gauge-invariant
(projectors ``u uᴴ``, ``abs(v)``, products ``U S² Vh``), as torch's documentation recommends.
"""

from __future__ import annotations

import numpy
import pytest

import polygrad as pg
import polygrad.numpy as np
from polygrad.testing import check_grads


def crand(*shape, seed=0):
    r = numpy.random.default_rng(seed)
    return r.standard_normal(shape) + 1j * r.standard_normal(shape)


def _herm(a):
    return a + a.mT.conj()


def _posdef(a):
    """A Hermitian positive-definite matrix made from ``a`` (a sum of two positive
    semi-definite ones, definite for a generic ``a``)."""
    return a @ a.mT.conj() + a.mT @ a.conj()


# name -> (shape, loss(la, a, w)) with w a complex weight array of the shape the loss needs
LOSSES = {
    "svdvals": ((4, 3), lambda la, a, w: (la.svdvals(a) ** 3).sum()),
    "nuclear norm": ((3, 4), lambda la, a, w: la.matrix_norm(a, ord="nuc")),
    "2-norm": ((4, 3), lambda la, a, w: la.matrix_norm(a, ord=2)),
    "svd U S² Vh": ((4, 3), lambda la, a, w: _svd_product(la, a, w)),
    "svd projectors": ((3, 4), lambda la, a, w: _svd_projectors(la, a, w)),
    "svd square": ((3, 3), lambda la, a, w: _svd_product(la, a, w)),
    "eigvalsh": ((3, 3), lambda la, a, w: (la.eigvalsh(_herm(a)) ** 3).sum()),
    "eigh projector": ((3, 3), lambda la, a, w: _eigh_projector(la, a, w)),
    "eigvals": ((3, 3), lambda la, a, w: (la.eigvals(a) ** 2 * w[0, :]).real.sum()),
    "eig abs(v)": ((3, 3), lambda la, a, w: (abs(la.eig(a)[1]) * w.real).sum()),
    "qr |R|², Q Qᴴ": ((4, 3), lambda la, a, w: _qr_loss(la, a, w)),
    "qr wide": ((3, 4), lambda la, a, w: _qr_loss(la, a, w)),
    "cholesky": ((3, 3), lambda la, a, w: (la.cholesky(_posdef(a)) * w).real.sum()),
    "inv": ((3, 3), lambda la, a, w: (la.inv(a) * w).real.sum()),
    "det": ((3, 3), lambda la, a, w: abs(la.det(a)) ** 2 + la.det(a).imag),
    "slogdet": ((3, 3), lambda la, a, w: la.slogdet(a)[1] + (la.slogdet(a)[0] * w[0, 0]).real),
    "solve": ((3, 3), lambda la, a, w: (la.solve(a, w) * w.conj()).real.sum()),
    "pinv": ((4, 3), lambda la, a, w: (la.pinv(a) * w.mT).real.sum()),
}


def _svd_product(la, a, w):
    u, s, vh = la.svd(a, full_matrices=False)
    return ((u * s ** 2) @ vh * w).real.sum()


def _svd_projectors(la, a, w):
    u, s, vh = la.svd(a, full_matrices=True)
    pu = u[:, :2] @ u[:, :2].mT.conj()
    pv = vh[1:, :].mT.conj() @ vh[1:, :]
    return (pu * w[:, :3]).real.sum() + (pv * (w.mT @ w)).imag.sum()


def _eigh_projector(la, a, w):
    _, v = la.eigh(_herm(a))
    p = v[:, 1:] @ v[:, 1:].mT.conj()
    return (p * w).real.sum()


def _qr_loss(la, a, w):
    q, r = la.qr(a)
    k = min(a.shape)
    p = q[:, :k - 1] @ q[:, :k - 1].mT.conj()
    return (abs(r) ** 2 * w[:k, :].real).sum() + (p * (w @ w.mT)).imag.sum()


def _inputs(name):
    shape, _ = LOSSES[name]
    return crand(*shape), crand(*shape, seed=1)


def _polygrad_loss(name, w):
    loss = LOSSES[name][1]
    return lambda a: loss(np.linalg, a, np.asarray(w, dtype=np.complex128))


@pytest.fixture
def jax64():
    jax = pytest.importorskip("jax", reason="jax.grad is the oracle for this test")
    with jax.enable_x64(True):
        yield jax


def _jax_grad(jax, name, a, w):
    import jax.numpy as jnp

    class linalg:   # jnp.linalg, with eig's eigenvector derivatives opted in (JAX's flag)
        def __getattr__(self, attr):
            return getattr(jnp.linalg, attr)

        @staticmethod
        def eig(x):
            return jax.lax.linalg.eig(x, compute_left_eigenvectors=False,
                                      enable_eigvec_derivs=True)

    return numpy.asarray(jax.grad(lambda x: LOSSES[name][1](linalg(), x, jnp.asarray(w)))(
        jnp.asarray(a)))


def _torch_grad(name, a, w):
    torch = pytest.importorskip("torch", reason="torch.autograd is the oracle for this test")
    x = torch.tensor(a, requires_grad=True)
    loss = LOSSES[name][1](torch.linalg, x, torch.tensor(w))
    (g,) = torch.autograd.grad(loss, x)
    return g.detach().numpy()


@pytest.mark.parametrize("name", list(LOSSES))
def test_complex_linalg_derivatives_match_finite_differences(numpy_backend, name):
    a, w = _inputs(name)
    check_grads(_polygrad_loss(name, w), order=2)(np.asarray(a))


@pytest.mark.parametrize("name", list(LOSSES))
def test_complex_linalg_gradients_match_jax_and_conjugated_torch(numpy_backend, jax64, name):
    if name == "svd projectors":
        pytest.skip("no oracle: JAX has no SVD JVP for full_matrices=True and torch ignores the "
                    "gradient of the complement columns (its docs); finite differences only")
    a, w = _inputs(name)
    ours = numpy.asarray(pg.grad(_polygrad_loss(name, w))(np.asarray(a)))
    numpy.testing.assert_allclose(ours, _jax_grad(jax64, name, a, w), rtol=1e-8, atol=1e-10)
    numpy.testing.assert_allclose(ours, numpy.conj(_torch_grad(name, a, w)), rtol=1e-8,
                                  atol=1e-10)


@pytest.mark.parametrize("name", ["svd U S² Vh", "eigh projector", "qr |R|², Q Qᴴ", "cholesky",
                                  "eig abs(v)", "slogdet"])
def test_complex_linalg_gradients_agree_on_every_backend(backend, name):
    if not backend.supports_float64:
        pytest.skip(f"backend {backend.name} has no float64")
    a, w = _inputs(name)
    with pg.use_backend("numpy"):
        expected = numpy.asarray(pg.grad(_polygrad_loss(name, w))(np.asarray(a)))
    ours = pg.grad(_polygrad_loss(name, w))(np.asarray(a, dtype=np.complex128))
    numpy.testing.assert_allclose(numpy.asarray(ours), expected, rtol=1e-8, atol=1e-10)


def test_batched_complex_svd_and_eigh_derivatives(numpy_backend):
    a = np.asarray(crand(2, 3, 3))
    check_grads(lambda x: np.sum(np.linalg.svdvals(x) ** 2 * np.asarray([1.0, 2.0, 3.0])),
                order=1)(a)
    check_grads(lambda x: np.linalg.eigh(x + np.conj(np.matrix_transpose(x))).eigenvalues,
                order=1)(a)


def test_a_gauge_dependent_loss_of_complex_singular_vectors_gets_polygrads_gauge(numpy_backend):
    # sum(real(U)) is not a function of the matrix alone (each column's phase is free); polygrad
    # differentiates the phase choice "VᴴdV has a zero diagonal" and says so in svd's docstring
    a = np.asarray(crand(3, 3))
    g = pg.grad(lambda x: np.sum(np.real(np.linalg.svd(x).U)))(a)
    assert numpy.all(numpy.isfinite(numpy.asarray(g)))
