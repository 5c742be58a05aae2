"""Tests of ``polygrad.numpy.linalg``: forward values against NumPy, derivatives against finite
differences (forward and reverse mode, to second order), gradients against torch.autograd and
jax.grad, and the documented behaviour at degenerate points."""

from __future__ import annotations

import math

import numpy
import pytest

import polygrad as pg
import polygrad.numpy as np
from polygrad.extend import primitives
from polygrad.numpy import linalg as la
from polygrad.testing import check_grads

STANDARD = ["cholesky", "cross", "det", "diagonal", "eig", "eigh", "eigvals", "eigvalsh", "inv",
            "matmul", "matrix_norm", "matrix_power", "matrix_rank", "matrix_transpose", "outer",
            "pinv", "qr", "slogdet", "solve", "svd", "svdvals", "tensordot", "trace", "vecdot",
            "vector_norm"]


def rand(*shape, seed=0):
    return numpy.random.default_rng(seed).standard_normal(shape)


def spd(*shape, seed=0):
    """A (batch of) n×n symmetric positive-definite matrices, ``shape = (*batch, n)``: well
    conditioned, with distinct eigenvalues."""
    a = rand(*shape, shape[-1], seed=seed)
    return a @ numpy.swapaxes(a, -1, -2) + shape[-1] * numpy.eye(shape[-1])


def arr(x):
    return np.asarray(x)


def mT(x):
    return np.matrix_transpose(x)


def close(actual, expected, rtol=1e-10, atol=1e-12):
    numpy.testing.assert_allclose(numpy.asarray(actual), expected, rtol=rtol, atol=atol)


# -- the namespace --------------------------------------------------------------------------------
def test_every_standard_linalg_function_is_exported():
    for name in STANDARD + ["norm"]:
        assert callable(getattr(la, name)), name
        assert name in la.__all__



def test_linalg_primitives_have_prefixed_names_and_do_not_shadow_the_main_namespace():
    ours = [la.cholesky, la.det, la.eig, la.eigh, la.matrix_rank, la.pinv, la.qr, la.slogdet,
            la.solve, la.svd]
    for fn in ours:
        assert fn.primitive.name.startswith("linalg_")
        assert primitives()[fn.primitive.name] is fn.primitive
    assert primitives()["matmul"] is np.matmul.primitive


def test_results_are_named_tuples():
    s = arr(spd(3))
    w, v = la.eigh(s)
    assert la.eigh(s).eigenvalues.shape == (3,) and v.shape == (3, 3)
    assert la.svd(s)._fields == ("U", "S", "Vh")
    assert la.qr(s)._fields == ("Q", "R")
    assert la.slogdet(s)._fields == ("sign", "logabsdet")
    assert la.eig(s)._fields == ("eigenvalues", "eigenvectors")
    assert isinstance(la.eigh(s), tuple)


# -- forward values -------------------------------------------------------------------------------
def test_decompositions_match_numpy_on_batches():
    a, s, b = rand(2, 3, 3), spd(2, 4, 4), rand(2, 5, 3)
    close(la.cholesky(arr(s)), numpy.linalg.cholesky(s))
    close(la.cholesky(arr(s), upper=True), numpy.swapaxes(numpy.linalg.cholesky(s), -1, -2))
    close(la.eigh(arr(s)).eigenvalues, numpy.linalg.eigh(s).eigenvalues)
    close(la.eigvalsh(arr(s)), numpy.linalg.eigvalsh(s))
    for full in (True, False):
        u, sv, vh = la.svd(arr(b), full_matrices=full)
        nu, ns, nvh = numpy.linalg.svd(b, full_matrices=full)
        assert u.shape == nu.shape and vh.shape == nvh.shape
        close(sv, ns)
        k = 3
        close(u[..., :, :k] @ (sv[..., :, None] * vh[..., :k, :]), b)
    close(la.svdvals(arr(b)), numpy.linalg.svd(b, compute_uv=False))
    for mode in ("reduced", "complete"):
        for x in (b, numpy.swapaxes(b, -1, -2)):
            q, r = la.qr(arr(x), mode=mode)
            nq, nr = numpy.linalg.qr(x, mode=mode)
            close(q, nq)
            close(r, nr)
    close(la.slogdet(arr(a)).logabsdet, numpy.linalg.slogdet(a).logabsdet)
    close(la.slogdet(arr(a)).sign, numpy.linalg.slogdet(a).sign)
    close(la.det(arr(a)), numpy.linalg.det(a))


def test_solve_inv_pinv_match_numpy_with_broadcasting():
    a, b = rand(2, 3, 3), rand(4, 1, 3, 2, seed=1)
    close(la.solve(arr(a), arr(b)), numpy.linalg.solve(a, b))
    v = rand(3, seed=2)
    close(la.solve(arr(a), arr(v)), numpy.linalg.solve(a, v[:, None])[..., 0])
    close(la.inv(arr(a)), numpy.linalg.inv(a))
    for x in (rand(4, 3), rand(3, 4), rand(2, 3, 3)):
        close(la.pinv(arr(x)), numpy.linalg.pinv(x), rtol=1e-9)
    low = rand(4, 2) @ rand(2, 3, seed=1)
    close(la.pinv(arr(low)), numpy.linalg.pinv(low), rtol=1e-8, atol=1e-10)
    assert int(la.matrix_rank(arr(low))) == 2
    assert la.matrix_rank(arr(numpy.stack([low, rand(4, 3)]))).tolist() == [2, 3]
    assert int(la.matrix_rank(arr(low), rtol=0.99)) <= 1


def test_compositions_match_numpy():
    x = rand(2, 3, 4)
    close(la.diagonal(arr(x), offset=1), numpy.diagonal(x, 1, -2, -1))
    close(la.diagonal(arr(x), offset=-2), numpy.diagonal(x, -2, -2, -1))
    assert la.diagonal(arr(x), offset=7).shape == (2, 0)
    close(la.trace(arr(x), offset=-1), numpy.trace(x, -1, -2, -1))
    assert la.trace(arr(numpy.arange(9).reshape(3, 3))).dtype == np.int64
    u, v = rand(3), rand(4, seed=1)
    close(la.outer(arr(u), arr(v)), numpy.outer(u, v))
    p, q = rand(2, 3, 5), rand(3, 5, seed=1)
    close(la.cross(arr(p), arr(q), axis=-2), numpy.cross(p, q, axis=-2))
    a = rand(2, 3, 3)
    for n in (0, 1, 2, 5, -1, -3):
        close(la.matrix_power(arr(a), n), numpy.linalg.matrix_power(a, n), rtol=1e-9)
    close(la.matmul(arr(a), arr(a)), a @ a)
    close(la.tensordot(arr(a), arr(a[0]), axes=1), numpy.tensordot(a, a[0], axes=1))
    close(la.vecdot(arr(a), arr(a), axis=0), numpy.sum(a * a, axis=0))
    close(la.matrix_transpose(arr(a)), numpy.swapaxes(a, -1, -2))


@pytest.mark.parametrize("ord", ["fro", "nuc", 1, -1, 2, -2, math.inf, -math.inf])
@pytest.mark.parametrize("keepdims", [False, True])
def test_matrix_norm_matches_numpy(ord, keepdims):
    x = rand(2, 3, 4)
    expected = numpy.linalg.norm(x, ord=ord, axis=(-2, -1), keepdims=keepdims)
    close(la.matrix_norm(arr(x), ord=ord, keepdims=keepdims), expected)


@pytest.mark.parametrize("ord, axis", [(None, None), (None, 1), (3, 0), (1, None), (math.inf, -1),
                                       ("nuc", (2, 0)), (None, (0, 1)), (-2, (1, 2))])
def test_numpy_norm_matches_numpy(ord, axis):
    x = rand(2, 3, 4)
    if axis is None and ord is not None:
        x = x[0]
    for keepdims in (False, True):
        expected = numpy.linalg.norm(x, ord=ord, axis=axis, keepdims=keepdims)
        close(la.norm(arr(x), ord=ord, axis=axis, keepdims=keepdims), expected)


def test_eig_forward_matches_numpy_and_is_always_complex():
    a = rand(2, 4, 4)
    w, v = la.eig(arr(a))
    assert w.dtype == np.complex128 and v.dtype == np.complex128
    nw = numpy.linalg.eigvals(a)
    close(numpy.sort_complex(w.asnumpy()), numpy.sort_complex(nw), rtol=1e-9)
    # A V = V diag(w)
    close(a @ v.asnumpy(), v.asnumpy() * w.asnumpy()[..., None, :], rtol=1e-9, atol=1e-10)
    # real eigenvalues still give a complex dtype: the dtype never depends on the values
    assert la.eigvals(arr(numpy.diag([1.0, 2.0]))).dtype == np.complex128
    assert la.eigvals(np.asarray(numpy.diag([1.0, 2.0]), dtype=np.float32)).dtype == np.complex64


def test_complex_hermitian_inputs_run_forward():
    c = rand(3, 3) + 1j * rand(3, 3, seed=1)
    h = c @ c.conj().T + numpy.eye(3)
    close(la.cholesky(arr(h)), numpy.linalg.cholesky(h))
    close(la.cholesky(arr(h), upper=True), numpy.linalg.cholesky(h).conj().T)
    close(la.eigvalsh(arr(h)), numpy.linalg.eigvalsh(h))
    close(la.solve(arr(h), arr(c)), numpy.linalg.solve(h, c))


def test_bad_inputs_raise_clear_errors():
    with pytest.raises(ValueError, match="square"):
        la.cholesky(arr(rand(3, 2)))
    with pytest.raises(ValueError, match="2 dimensions"):
        la.svd(arr(rand(3)))
    with pytest.raises(ValueError, match="mode"):
        la.qr(arr(rand(3, 3)), mode="r")
    with pytest.raises(ValueError, match="length 3"):
        la.cross(arr(rand(4)), arr(rand(4)))
    with pytest.raises(ValueError, match="1-D"):
        la.outer(arr(rand(2, 2)), arr(rand(2)))
    with pytest.raises(ValueError, match="ord"):
        la.matrix_norm(arr(rand(2, 2)), ord=3)
    with pytest.raises(ValueError, match="do not broadcast"):
        la.solve(arr(rand(2, 3, 3)), arr(rand(4, 3, 1)))


# -- derivatives against finite differences, forward and reverse, second order ------------------
def _sign_free_eigh(x):
    w, v = la.eigh(x)
    return w, v * v


def _sign_free_svd(full_matrices):
    def fun(x):
        u, s, vh = la.svd(x, full_matrices=full_matrices)
        k = min(x.shape[-2:])
        out = [s, u[..., :, :k] ** 2, vh[..., :k, :] ** 2, u[..., :, :k] @ vh[..., :k, :]]
        if full_matrices:   # the complement is defined up to a rotation: test its projector
            u2, v2 = u[..., :, k:], mT(vh[..., k:, :])
            out += [u2 @ mT(u2), v2 @ mT(v2)]
        return tuple(out)
    return fun


def _qr_parts(mode):
    def fun(x):
        q, r = la.qr(x, mode=mode)
        k = min(x.shape[-2:])
        if q.shape[-1] == k:
            return q, r
        q2 = q[..., :, k:]
        return q[..., :, :k], r, q2 @ mT(q2)
    return fun


GRAD_CASES = {
    "cholesky": (la.cholesky, [spd(2, 3)]),
    "cholesky_upper": (lambda x: la.cholesky(x, upper=True), [spd(3)]),
    "solve_matrix": (la.solve, [rand(2, 3, 3), rand(3, 2, seed=1)]),
    "solve_vector": (la.solve, [rand(3, 3), rand(3, seed=1)]),
    "inv": (la.inv, [rand(2, 3, 3)]),
    "det": (la.det, [rand(2, 3, 3)]),
    "slogdet": (lambda x: tuple(la.slogdet(x)), [rand(2, 3, 3)]),
    "eigh": (_sign_free_eigh, [spd(2, 3)]),
    "eigvalsh": (la.eigvalsh, [rand(3, 3)]),
    "svd_reduced_tall": (_sign_free_svd(False), [rand(2, 4, 3)]),
    "svd_reduced_wide": (_sign_free_svd(False), [rand(2, 3, 4)]),
    "svd_square": (_sign_free_svd(True), [rand(3, 3)]),
    "svd_full_tall": (_sign_free_svd(True), [rand(5, 3)]),
    "svd_full_wide": (_sign_free_svd(True), [rand(2, 5)]),
    "svdvals": (la.svdvals, [rand(2, 4, 3)]),
    "qr_tall": (_qr_parts("reduced"), [rand(2, 4, 3)]),
    "qr_square": (_qr_parts("reduced"), [rand(3, 3)]),
    "qr_wide": (_qr_parts("reduced"), [rand(2, 3, 5)]),
    "qr_complete_tall": (_qr_parts("complete"), [rand(5, 3)]),
    "pinv_tall": (la.pinv, [rand(2, 4, 3)]),
    "pinv_wide": (la.pinv, [rand(3, 4)]),
    "pinv_square": (la.pinv, [rand(3, 3)]),
    "pinv_constant_low_rank": (lambda b, c: la.pinv(b @ c), [rand(4, 2), rand(2, 3, seed=1)]),
    "matrix_power": (lambda x: (la.matrix_power(x, 3), la.matrix_power(x, -2),
                                la.matrix_power(x, 0)), [rand(2, 3, 3)]),
    "diagonal_trace": (lambda x: (la.diagonal(x, offset=1), la.trace(x, offset=-1)),
                       [rand(2, 3, 4)]),
    "outer": (la.outer, [rand(3), rand(2, seed=1)]),
    "cross": (lambda a, b: la.cross(a, b, axis=-2), [rand(2, 3, 4), rand(3, 1, seed=1)]),
    "norm": (lambda x: (la.norm(x), la.norm(x, ord=3, axis=0), la.norm(x, ord="nuc",
                                                                         axis=(1, 0))),
             [rand(3, 4)]),
}


@pytest.mark.parametrize("name", sorted(GRAD_CASES))
def test_derivatives_match_finite_differences_to_second_order(name):
    fun, args = GRAD_CASES[name]
    check_grads(fun, modes=("fwd", "rev"), order=2)(*[arr(a) for a in args])


def crand(*shape, seed=0):
    return rand(*shape, seed=seed) + 1j * rand(*shape, seed=seed + 100)


def _eig_phase_free(x):
    """Eigenvalues and functions of each eigenvector that do not see its phase."""
    w, v = la.eig(x)
    return w, np.abs(v) ** 2, v[..., :1, :] * np.conj(v[..., 1:2, :])


COMPLEX_CASES = {
    "solve": (la.solve, [crand(2, 3, 3), crand(3, 2, seed=1)]),
    "solve_real_matrix_complex_rhs": (la.solve, [rand(3, 3), crand(3, 2, seed=1)]),
    "inv": (la.inv, [crand(2, 3, 3)]),
    "det": (la.det, [crand(2, 3, 3)]),
    "slogdet": (lambda x: tuple(la.slogdet(x)), [crand(2, 3, 3)]),
    "eig": (_eig_phase_free, [crand(2, 3, 3)]),
    "matrix_power": (lambda x: la.matrix_power(x, -2), [crand(3, 3)]),
}


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("name", sorted(COMPLEX_CASES))
def test_complex_derivatives_match_finite_differences_to_second_order(name):
    fun, args = COMPLEX_CASES[name]
    check_grads(fun, modes=("fwd", "rev"), order=2)(*[arr(a) for a in args])


def test_eig_derivatives_of_real_matrices_match_finite_differences():
    # a real matrix with a complex-conjugate pair of eigenvalues; phase-invariant outputs
    x = arr(rand(2, 4, 4, seed=7))
    check_grads(_eig_phase_free, order=2)(x)
    w = la.eigvals(x)
    assert numpy.any(numpy.abs(w.asnumpy().imag) > 1e-3)


@pytest.mark.parametrize("ord", ["fro", "nuc", 1, -1, 2, -2, math.inf, -math.inf])
def test_matrix_norm_derivatives_match_finite_differences(ord):
    check_grads(lambda x: la.matrix_norm(x, ord=ord, keepdims=True), order=2)(arr(rand(2, 4, 3)))


@pytest.mark.parametrize("fun, x", [(la.cholesky, spd(3)), (_sign_free_eigh, spd(3)),
                                    (_sign_free_svd(True), rand(4, 3)),
                                    (_qr_parts("reduced"), rand(3, 4)), (la.pinv, rand(3, 4))],
                         ids=["cholesky", "eigh", "svd_full", "qr_wide", "pinv"])
def test_decompositions_differentiate_to_third_order(fun, x):
    check_grads(fun, modes=("fwd", "rev"), order=3)(arr(x))


def test_float32_derivatives_pass_with_float32_tolerances():
    x = np.asarray(spd(3), dtype=np.float32)
    check_grads(lambda a: la.eigvalsh(a), order=1)(x)
    assert pg.grad(lambda a: np.sum(la.cholesky(a)))(x).dtype == np.float32


def test_multi_output_primitives_work_with_jvp_and_vjp_of_tuples():
    s = arr(spd(3))
    t = arr(rand(3, 3, seed=3))
    (w, v), (dw, dv) = pg.jvp(lambda x: tuple(la.eigh(x)), (s,), (t,))
    tsym = (t.asnumpy() + t.asnumpy().T) / 2
    close(dw, numpy.einsum("ij,jk,ki->i", v.asnumpy().T, tsym, v.asnumpy()))
    # only the eigenvalues used: the eigenvector cotangent is zero-filled
    out, pull = pg.vjp(lambda x: la.eigh(x).eigenvalues, s)
    (g,) = pull(np.ones_like(out))
    close(g, numpy.eye(3), atol=1e-10)


def test_jvp_and_vjp_see_through_named_tuple_results():
    s, t = arr(spd(3)), arr(rand(3, 3, seed=3))
    _, tangent = pg.jvp(la.eigh, (s,), (t,))
    _, expected = pg.jvp(lambda x: tuple(la.eigh(x)), (s,), (t,))
    assert isinstance(tangent, la.EighResult)
    close(tangent.eigenvalues, expected[0].asnumpy())
    out, pull = pg.vjp(la.svd, arr(rand(3, 2)))
    (g,) = pull(la.SVDResult(np.zeros_like(out.U), np.ones_like(out.S), np.zeros_like(out.Vh)))
    u, _, vh = numpy.linalg.svd(rand(3, 2), full_matrices=False)
    close(g, u @ vh, rtol=1e-9)


def test_tape_records_decompositions():
    x = arr(spd(3))
    x.attach_grad()
    with pg.record():
        y = np.sum(la.cholesky(x)) + la.slogdet(x).logabsdet
    y.backward()
    expected = pg.grad(lambda a: np.sum(la.cholesky(a)) + la.slogdet(a).logabsdet)(arr(spd(3)))
    close(x.grad, expected.asnumpy())


# -- degenerate points: the documented choices ---------------------------------------------
def test_eigenvalue_gradients_are_exact_at_repeated_eigenvalues():
    a = numpy.diag([1.0, 1.0, 2.0])
    q = numpy.linalg.qr(rand(3, 3))[0]
    a = q @ a @ q.T
    # sum(w²) = ‖A‖_F² for symmetric A: gradient 2A; sum(w) = tr(A): gradient I
    close(pg.grad(lambda x: np.sum(la.eigvalsh(x) ** 2))(arr(a)), 2 * a, rtol=1e-9, atol=1e-12)
    close(pg.grad(lambda x: np.sum(la.eigvalsh(x)))(arr(numpy.eye(3))), numpy.eye(3))
    _, t = pg.jvp(lambda x: la.eigvalsh(x), (arr(numpy.eye(3)),), (arr(numpy.eye(3)),))
    close(t, numpy.ones(3))


def test_eigenvector_derivative_at_a_tie_is_finite_with_tie_terms_taken_as_zero():
    g = pg.grad(lambda x: np.sum(la.eigh(x).eigenvectors ** 2 * arr(rand(3, 3))))(
        arr(numpy.diag([1.0, 1.0, 2.0])))
    assert numpy.all(numpy.isfinite(g.asnumpy()))


def test_singular_value_gradients_are_exact_at_repeated_and_zero_singular_values():
    # orthonormal columns: every singular value is 1 (ties); a rank-deficient tall matrix: zeros
    q = numpy.linalg.qr(rand(5, 3))[0]
    low = rand(5, 2) @ rand(2, 3, seed=1)
    for a in (q, low, numpy.zeros((4, 3))):
        # sum(s²) = ‖A‖_F²: gradient 2A
        close(pg.grad(lambda x: np.sum(la.svdvals(x) ** 2))(arr(a)), 2 * a, rtol=1e-9,
              atol=1e-10)
        g = pg.grad(lambda x: la.matrix_norm(x, ord="nuc"))(arr(a))
        assert numpy.all(numpy.isfinite(g.asnumpy()))
    # the nuclear norm's gradient at full rank is U Vᵀ
    u, _, vh = numpy.linalg.svd(q, full_matrices=False)
    close(pg.grad(lambda x: la.matrix_norm(x, ord="nuc"))(arr(q)), u @ vh, rtol=1e-9)


def test_vector_norm_gradient_at_zero_is_zero():
    close(pg.grad(lambda x: la.vector_norm(x))(arr(numpy.zeros(3))), numpy.zeros(3))
    close(pg.grad(lambda x: la.matrix_norm(x))(arr(numpy.zeros((2, 2)))), numpy.zeros((2, 2)))


# -- oracles: the same expressions through torch.autograd and jax.grad ----------------------------
def _polygrad_loss(np_, la_, a, s, b, w):
    sym = (s + np_.matrix_transpose(s)) / 2
    vals, vecs = la_.eigh(sym)
    u, sv, vh = la_.svd(b, full_matrices=False)
    q, r = la_.qr(b)
    return (la_.slogdet(a)[1] + np_.sum(la_.inv(a) * w[:3, :3]) + np_.sum(la_.cholesky(sym))
            + np_.sum(vals ** 3) + np_.sum(vecs ** 2 * w[:3, :3])
            + np_.sum(sv ** 2 * w[0, :3]) + np_.sum(u ** 2 * w[:4, :3])
            + np_.sum(vh ** 2 * w[:3, :3]) + np_.sum(la_.pinv(b) * w[:3, :4])
            + np_.sum(r ** 2 * w[:3, :3]) + np_.sum(q ** 2 * w[:4, :3])
            + np_.sum(la_.solve(a, b[:3]) * w[:3, :3]) + la_.det(a))


def _inputs():
    return rand(3, 3), spd(3, seed=1), rand(4, 3, seed=2), rand(4, 4, seed=3)


def test_gradients_agree_with_torch_autograd():
    torch = pytest.importorskip("torch", reason="torch is the oracle for this test")
    a, s, b, w = _inputs()
    tensors = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (a, s, b)]
    torch_ns = type("ns", (), {"sum": staticmethod(torch.sum),
                               "matrix_transpose": staticmethod(lambda x: x.mT)})
    loss = _polygrad_loss(torch_ns, torch.linalg, *tensors, torch.tensor(w))
    loss.backward()
    ours = pg.grad(lambda a_, s_, b_: _polygrad_loss(np, la, a_, s_, b_, arr(w)),
                   argnum=[0, 1, 2])(arr(a), arr(s), arr(b))
    for g, t in zip(ours, tensors):
        close(g, t.grad.numpy(), rtol=1e-8, atol=1e-10)


def test_hessian_vector_product_agrees_with_torch():
    torch = pytest.importorskip("torch", reason="torch is the oracle for this test")
    s, v = spd(3, seed=4), rand(3, 3, seed=5)

    def f_torch(x):
        sym = (x + x.mT) / 2
        return (torch.sum(torch.linalg.eigvalsh(sym) ** 3) + torch.logdet(sym)
                + torch.sum(torch.linalg.svdvals(x) ** 3))

    def f_ours(x):
        sym = (x + mT(x)) / 2
        return (np.sum(la.eigvalsh(sym) ** 3) + la.slogdet(sym).logabsdet
                + np.sum(la.svdvals(x) ** 3))

    _, expected = torch.autograd.functional.hvp(
        f_torch, torch.tensor(s, dtype=torch.float64), torch.tensor(v, dtype=torch.float64))
    close(pg.hvp(f_ours)(arr(s), arr(v)), expected.numpy(), rtol=1e-8, atol=1e-10)


def test_gradients_agree_with_jax_grad():
    jax = pytest.importorskip("jax", reason="jax is the oracle for this test")
    jnp = jax.numpy
    a, s, b, w = _inputs()

    def loss(np_, la_, x, y):
        return (np_.sum(la_.matrix_power(x, 3) * w[:3, :3]) + la_.matrix_norm(y, ord="nuc")
                + la_.matrix_norm(y, ord=2) + np_.sum(la_.cross(x, y[:3]) * w[:3, :3])
                + la_.trace(x @ x, offset=1) + np_.sum(la_.outer(x[0], y[0]) ** 2)
                + np_.sum(la_.matrix_power(x, -2) * w[:3, :3]))

    with jax.enable_x64(True):
        expected = jax.jit(jax.grad(lambda x, y: loss(jnp, jnp.linalg, x, y), argnums=(0, 1)))(
            jnp.asarray(a), jnp.asarray(b[:, :3]))
        expected = [numpy.asarray(e) for e in expected]
    ours = pg.grad(lambda x, y: loss(np, la, x, y), argnum=[0, 1])(arr(a), arr(b[:, :3]))
    for g, e in zip(ours, expected):
        close(g, e, rtol=1e-8, atol=1e-10)


def test_eig_and_complex_gradients_agree_with_jax_grad():
    jax = pytest.importorskip("jax", reason="jax is the oracle for this test")
    jnp = jax.numpy
    a, z, w = rand(3, 3, seed=7), crand(3, 3, seed=8), crand(3, 3, seed=9)

    def real_loss(np_, eig, x, c):   # eigenvalues and phase-invariant eigenvector terms
        vals, vecs = eig(x)
        return (np_.sum(np_.real(vals) ** 2 + np_.imag(vals) ** 3)
                + np_.sum(np_.abs(vecs) ** 2 * c))

    def complex_loss(np_, la_, x):
        sign, logabs = la_.slogdet(x)
        return (np_.real(la_.det(x)) + logabs + np_.imag(sign)
                + np_.real(np_.sum(la_.inv(x) * w)) + np_.imag(np_.sum(la_.solve(x, w))))

    def jax_eig(x):   # JAX asks for an explicit opt-in to eigenvector derivatives
        w_, v_ = jax.lax.linalg.eig(x, compute_left_eigenvectors=False,
                                    enable_eigvec_derivs=True)
        return w_, v_

    with jax.enable_x64(True):
        expected_real = numpy.asarray(
            jax.jit(jax.grad(lambda x: real_loss(jnp, jax_eig, x, jnp.asarray(w.real))))(a))
        expected_complex = numpy.asarray(
            jax.jit(jax.grad(lambda x: complex_loss(jnp, jnp.linalg, x)))(jnp.asarray(z)))
    close(pg.grad(lambda x: real_loss(np, la.eig, x, arr(w.real)))(arr(a)), expected_real,
          rtol=1e-7,
          atol=1e-9)
    close(pg.grad(lambda x: complex_loss(np, la, x))(arr(z)), expected_complex, rtol=1e-8,
          atol=1e-10)


# -- det at and near singular matrices: the adjugate, not det · inv ----------------------------
def _leibniz_det(torch, a):
    """det as the polynomial Σ_σ sign σ ∏ a[i, σ(i)]: torch.autograd differentiates it exactly
    at any matrix, singular or not (the oracle of the tests below)."""
    import itertools

    n = a.shape[-1]
    total = 0
    for perm in itertools.permutations(range(n)):
        sign = numpy.linalg.det(numpy.eye(n)[list(perm)])
        term = sign
        for i, j in enumerate(perm):
            term = term * a[..., i, j]
        total = total + term
    return total


DET_POINTS = {
    # rows dependent (rank 2): det ≈ 6.7e-16 in floating point, the gradient is the adjugate
    "rank n-1": numpy.arange(1.0, 10.0).reshape(3, 3),
    # the case: a rank-2 matrix whose computed det is ≈ 6e-18
    "rank n-1 random": numpy.array([[0.3, -1.2, 0.7], [1.1, 0.4, -0.5], [0.0, 0.0, 0.0]])
    + numpy.outer([0.0, 0.0, 1.0], [0.3 * 2 - 1.1, -1.2 * 2 - 0.4, 0.7 * 2 + 0.5]),
    "near singular": numpy.arange(1.0, 10.0).reshape(3, 3) + 1e-9 * rand(3, 3, seed=7),
    "rank n-2": numpy.ones((3, 3)),
    "zero": numpy.zeros((3, 3)),
    "identity (repeated singular values)": numpy.eye(3),
    "orthogonal 4×4": numpy.linalg.qr(rand(4, 4, seed=8))[0],
    "regular 4×4": rand(4, 4, seed=9),
}


def _det_oracle(a):
    torch = pytest.importorskip("torch", reason="torch.autograd of Leibniz's formula: the oracle")
    t = torch.tensor(a, dtype=torch.float64)
    grad = torch.func.grad(lambda x: _leibniz_det(torch, x))(t).numpy()
    hess = torch.func.hessian(lambda x: _leibniz_det(torch, x))(t).numpy()
    return grad, hess


def _as64(a):
    if not pg.get_backend().supports_float64:
        pytest.skip(f"backend {pg.get_backend().name} has no float64")
    return np.asarray(a, dtype=np.float64)


@pytest.mark.parametrize("point", DET_POINTS)
def test_det_derivatives_are_exact_at_and_near_singular_matrices(backend, point):
    a = DET_POINTS[point]
    grad, hess = _det_oracle(a)
    x = _as64(a)
    n = a.shape[-1]
    scale = max(1.0, numpy.abs(hess).max())
    close(pg.grad(la.det)(x), grad, rtol=1e-9, atol=1e-12 * scale)
    close(pg.hessian(la.det)(x), hess, rtol=1e-9, atol=1e-12 * scale)
    # forward mode: the first derivative along E and jvp-of-grad (the Hessian applied to E)
    e = rand(n, n, seed=11)
    _, t = pg.jvp(la.det, (x,), (_as64(e),))
    close(t, numpy.sum(grad * e), rtol=1e-9, atol=1e-12 * scale)
    close(pg.hvp(la.det)(x, _as64(e)), numpy.einsum("ijkl,kl->ij", hess, e), rtol=1e-9,
          atol=1e-12 * scale)
    # forward over forward
    _, tt = pg.jvp(lambda y: pg.jvp(la.det, (y,), (_as64(e),))[1], (x,), (_as64(e),))
    close(tt, numpy.einsum("ij,ijkl,kl->", e, hess, e), rtol=1e-9, atol=1e-12 * scale)


def test_det_gradient_matches_torch_and_jax_at_a_singular_matrix(numpy_backend):
    a = DET_POINTS["rank n-1"]
    ours = pg.grad(la.det)(arr(a)).asnumpy()
    torch = pytest.importorskip("torch", reason="torch.func is an oracle")
    close(ours, torch.func.grad(torch.linalg.det)(torch.tensor(a)).numpy(), rtol=1e-8,
          atol=1e-12)
    jax = pytest.importorskip("jax", reason="jax.grad is an oracle")
    with jax.enable_x64(True):
        close(ours, numpy.asarray(jax.grad(jax.numpy.linalg.det)(jax.numpy.asarray(a))),
              rtol=1e-8, atol=1e-12)


def test_det_derivatives_of_stacks_and_complex_matrices_are_the_adjugate(numpy_backend):
    torch = pytest.importorskip("torch", reason="torch.autograd of Leibniz's formula: the oracle")
    stack = numpy.stack([DET_POINTS["rank n-1"], DET_POINTS["rank n-2"], rand(3, 3, seed=3)])
    expected = torch.func.grad(lambda x: _leibniz_det(torch, x).sum())(torch.tensor(stack))
    close(pg.grad(lambda x: np.sum(la.det(x)))(arr(stack)), expected.numpy(), atol=1e-12)
    c = DET_POINTS["rank n-1"] + 1j * numpy.outer([1.0, 2.0, 3.0], [0.5, -1.0, 2.0])
    # holomorphic: d det = tr(adj(A) dA) with adj from the complex Leibniz polynomial
    tc = torch.tensor(c)
    _, expected_t = torch.func.jvp(lambda x: _leibniz_det(torch, x), (tc,),
                                   (torch.ones_like(tc),))
    _, t = pg.jvp(la.det, (arr(c),), (arr(numpy.ones((3, 3), complex)),))
    close(t, expected_t.numpy(), atol=1e-12)
    check_grads(la.det, modes=("fwd", "rev"), order=2)(arr(c))


def test_det_derivative_is_checked_by_finite_differences_near_singular(numpy_backend):
    check_grads(la.det, modes=("fwd", "rev"), order=2)(arr(DET_POINTS["near singular"]))
    check_grads(la.det, modes=("fwd", "rev"), order=2)(arr(DET_POINTS["rank n-2"]))
