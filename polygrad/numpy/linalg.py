"""The ``linalg`` extension of the Array API standard, each function differentiable to any order.

Decompositions (cholesky, eigh, eig, svd, qr) and solve, det, slogdet, pinv are primitives with
their rules beside them, written with polygrad's own functions; the rest composes them. Complex
derivatives follow JAX's convention (see ``polygrad.testing``): solve, inv, det, slogdet and eig
have them; cholesky, eigh, svd, qr and pinv run forward on complex input but differentiate real
input only. Imports the core and the namespace's category modules.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

from .._backend import use_backend
from .._primitive import defjvp, defvjp, nondiff, primitive
from .._reverse import DifferentiationError
from . import _creation as cr
from . import _elementwise as ew
from . import _manipulation as mp
from . import _statistics as st
from ._data_types import astype
from ._helpers import EMPTY, Array, as_array, bind
from ._linear_algebra import matmul, matrix_transpose, tensordot, vecdot

__all__ = ["cholesky", "cross", "det", "diagonal", "eig", "eigh", "eigvals", "eigvalsh", "inv",
           "matmul", "matrix_norm", "matrix_power", "matrix_rank", "matrix_transpose", "norm",
           "outer", "pinv", "qr", "slogdet", "solve", "svd", "svdvals", "tensordot", "trace",
           "vecdot", "vector_norm", "EigResult", "EighResult", "QRResult", "SlogdetResult",
           "SVDResult"]


class EighResult(NamedTuple):
    """eigh's result: ascending eigenvalues and unit eigenvectors (columns)."""

    eigenvalues: Any
    eigenvectors: Any


class EigResult(NamedTuple):
    """eig's result: complex eigenvalues and unit eigenvectors (columns)."""

    eigenvalues: Any
    eigenvectors: Any


class QRResult(NamedTuple):
    """qr's result: Q with orthonormal columns, R upper triangular."""

    Q: Any
    R: Any


class SlogdetResult(NamedTuple):
    """slogdet's result: the sign and log of the absolute determinant."""

    sign: Any
    logabsdet: Any


class SVDResult(NamedTuple):
    """svd's result: x = U diag(S) Vh, singular values S descending."""

    U: Any
    S: Any
    Vh: Any


# -- helpers shared by the rules ----------------------------------------------------------------
_mT = matrix_transpose


def _matrix(x, fname: str, square: bool = False):
    x = as_array(x)
    if x.ndim < 2 or (square and x.shape[-1] != x.shape[-2]):
        what = "a (stack of) square matrices" if square else "at least 2 dimensions"
        raise ValueError(f"polygrad.numpy.linalg.{fname}: needs {what}, got shape {x.shape}")
    return x


def _sym(x):
    return (x + _mT(x)) * 0.5


def _eye(x):
    """The identity matching x's last axis, in x's dtype, on x's backend."""
    with use_backend(x._backend):
        return cr.eye(x.shape[-1], dtype=x.dtype)


def _diag(v):
    """A stack of diagonal matrices with ``v`` (..., k) on the diagonal."""
    return mp.expand_dims(v, axis=-1) * _eye(v)


def _rows(v):   # (..., k) -> (..., 1, k): scales column j by v_j
    return mp.expand_dims(v, axis=-2)


def _cols(v):   # (..., k) -> (..., k, 1): scales row i by v_i
    return mp.expand_dims(v, axis=-1)


def _masked_reciprocal(d):
    """1 / d, and 0 where d == 0 (exact ties, zero singular values: see the docstrings)."""
    zero = ew.equal(d, 0)
    return ew.where(zero, 0.0, 1.0 / ew.where(zero, 1.0, d))


def _first_cols(x, k: int):
    return x if x.shape[-1] == k else x[..., :, :k]


def _first_rows(x, k: int):
    return x if x.shape[-2] == k else x[..., :k, :]


def _as(t, like):
    """``t`` in ``like``'s dtype (a real tangent meeting complex factors)."""
    return t if t.dtype == like.dtype else astype(t, like.dtype)


def _right_solve(x, r):
    """x r⁻¹, by solving rᵀ yᵀ = xᵀ."""
    return _mT(solve(_mT(r), _mT(x)))


def _cotangent_of(x, c):
    """``c`` as the cotangent of ``x``: its real part when ``x`` is real (the pairing is
    Re Σ c·t), as when a real matrix meets a complex right-hand side."""
    return ew.real(c) if c.dtype.kind == "c" and x.dtype.kind != "c" else c


def _real_only(fname: str, rule):
    """``rule`` guarded against complex arguments, whose linalg derivatives are not there yet."""
    def checked(g, ans, *args, **params):
        for a in args:
            if type(a) is Array and a.dtype.kind == "c":
                raise DifferentiationError(
                    f"polygrad.numpy.linalg.{fname}: derivatives for complex inputs are not "
                    f"implemented yet (only real floating inputs are differentiable)")
        return rule(g, ans, *args, **params)
    return checked


def _batch_shape(fname: str, *shapes) -> tuple:
    n = max(len(s) for s in shapes)
    out = [1] * n
    for s in shapes:
        for i, d in enumerate((1,) * (n - len(s)) + tuple(s)):
            if d != out[i] and d != 1 and out[i] != 1:
                raise ValueError(f"polygrad.numpy.linalg.{fname}: batch shapes "
                                 f"{' and '.join(str(tuple(t)) for t in shapes)} do not broadcast")
            out[i] = d if out[i] == 1 else out[i]
    return tuple(out)


def _conj_native(xp, x):
    return xp.conj(x) if xp.isdtype(x.dtype, "complex floating") else x


def _hermitian_part(xp, x):
    """(x + xᴴ) / 2 on native arrays: what cholesky and eigh factor (see their docstrings)."""
    return (x + _conj_native(xp, xp.matrix_transpose(x))) / 2


# -- solve, inv, det, slogdet -------------------------------------------------------------------
_solve = primitive("linalg_solve", lambda xp: xp.linalg.solve)
# X = A⁻¹B: dX = A⁻¹(dB − dA X); B̄ = A⁻ᵀ X̄, Ā = −B̄ Xᵀ (holomorphic: right for complex too)
defvjp(_solve, lambda g, ans, a, b: _cotangent_of(a, -matmul(solve(_mT(a), g), _mT(ans))),
       lambda g, ans, a, b: _cotangent_of(b, solve(_mT(a), g)))
defjvp(_solve, lambda t, ans, a, b: -solve(a, matmul(t, ans)), lambda t, ans, a, b: solve(a, t))


def solve(x1, x2, /):
    """Solve ``x1 @ x = x2`` for ``x`` (``x2`` 1-D: a vector; otherwise a stack of matrices).

    Batch axes broadcast. A singular ``x1`` is an error of the backend (NumPy raises
    ``LinAlgError``); derivatives need ``x1`` invertible too.
    """
    x1 = _matrix(x1, "solve", square=True)
    x2 = as_array(x2)
    vector = x2.ndim == 1
    b = mp.expand_dims(x2, axis=-1) if vector else x2
    if b.ndim < 2 or b.shape[-2] != x1.shape[-1]:
        raise ValueError(f"polygrad.numpy.linalg.solve: x2 of shape {x2.shape} does not match "
                         f"x1 of shape {x1.shape}")
    batch = _batch_shape("solve", x1.shape[:-2], b.shape[:-2])
    if x1.shape[:-2] != batch:
        x1 = mp.broadcast_to(x1, batch + x1.shape[-2:])
    if b.shape[:-2] != batch:
        b = mp.broadcast_to(b, batch + b.shape[-2:])
    out = bind(_solve, (x1, b), EMPTY)
    return mp.squeeze(out, axis=-1) if vector else out


solve.primitive = _solve


def inv(x, /):
    """The inverse of a (stack of) square matrices, as ``solve(x, I)``.

    A singular ``x`` is an error of the backend (NumPy raises ``LinAlgError``).
    """
    x = _matrix(x, "inv", square=True)
    return bind(_solve, (x, mp.broadcast_to(_eye(x), x.shape)), EMPTY)


_det = primitive("linalg_det", lambda xp: xp.linalg.det)
# d det A = det A · tr(A⁻¹ dA), so Ā = ḡ det A · A⁻ᵀ (holomorphic: right for complex too)
defvjp(_det, lambda g, ans, x: _cols(_cols(g * ans)) * _mT(inv(x)))
defjvp(_det, lambda t, ans, x: ans * trace(solve(x, t)))


def det(x, /):
    """The determinant of a (stack of) square matrices.

    Its derivative ``det(x) x⁻ᵀ`` goes through ``solve``: at a singular ``x`` it is not finite
    (NumPy raises ``LinAlgError``), although the adjugate exists there.
    """
    return bind(_det, (_matrix(x, "det", square=True),), EMPTY)


det.primitive = _det


def _slogdet_jvp(t, ans, x):
    # with τ = tr(A⁻¹ dA) = d log det A: d log|det A| = Re τ and d sign = sign · i Im τ
    tau = trace(solve(x, t))
    if x.dtype.kind != "c":
        return None, tau
    return ans[0] * (1j * ew.imag(tau)), ew.real(tau)


def _slogdet_vjp(g, ans, x):
    # the transpose of the JVP under ⟨c, t⟩ = Re Σ c·t
    gsign, glog = g
    if x.dtype.kind != "c":
        return _cols(_cols(glog)) * _mT(inv(x))
    coef = ew.real(glog) + 1j * ew.imag(gsign * ans[0])
    return _cols(_cols(coef)) * _mT(inv(x))


_slogdet = primitive("linalg_slogdet", lambda xp: lambda x: tuple(xp.linalg.slogdet(x)),
                     multiple_results=True)
defvjp(_slogdet, _slogdet_vjp)
defjvp(_slogdet, _slogdet_jvp)


def slogdet(x, /):
    """``SlogdetResult(sign, logabsdet)`` of a (stack of) square matrices.

    For real ``x`` the sign has derivative zero; for complex ``x`` it is the phase of the
    determinant and moves with it. At a singular ``x`` (sign 0, logabsdet −inf) the derivative
    does not exist (NumPy raises ``LinAlgError`` from ``solve``).
    """
    return SlogdetResult(*bind(_slogdet, (_matrix(x, "slogdet", square=True),), EMPTY))


slogdet.primitive = _slogdet


# -- cholesky -----------------------------------------------------------------------------------
def _phi(x):
    """The lower triangle of x with its diagonal halved."""
    return cr.tril(x, k=-1) + 0.5 * (x * _eye(x))


def _cholesky_jvp(t, ans, x):
    # A = L Lᵀ: L⁻¹ dA L⁻ᵀ = L⁻¹dL + (L⁻¹dL)ᵀ with L⁻¹dL lower, so dL = L Φ(L⁻¹ dA L⁻ᵀ)
    l = ans
    return matmul(l, _phi(solve(l, _mT(solve(l, _sym(t))))))


def _cholesky_vjp(g, ans, x):
    # the adjoint of the JVP: Ā = sym(L⁻ᵀ Φ(Lᵀ L̄) L⁻¹)
    l = ans
    m = _phi(matmul(_mT(l), g))
    return _sym(solve(_mT(l), _mT(solve(_mT(l), _mT(m)))))


_cholesky = primitive("linalg_cholesky",
                      lambda xp: lambda x: xp.linalg.cholesky(_hermitian_part(xp, x)))
defvjp(_cholesky, _real_only("cholesky", _cholesky_vjp))
defjvp(_cholesky, _real_only("cholesky", _cholesky_jvp))


def cholesky(x, /, *, upper: bool = False):
    """The Cholesky factor of a (stack of) symmetric positive-definite matrices.

    ``x`` is read as ``(x + xᴴ) / 2`` (equal to ``x`` when it is symmetric), so the derivative
    is defined for every perturbation and the gradient is symmetric. ``upper=True`` returns
    ``Lᴴ``. A matrix that is not positive definite is an error of the backend (NumPy raises
    ``LinAlgError``); derivatives are not finite as ``x`` approaches singularity.
    """
    x = _matrix(x, "cholesky", square=True)
    l = bind(_cholesky, (x,), EMPTY)
    if not upper:
        return l
    return ew.conj(_mT(l)) if l.dtype.kind == "c" else _mT(l)


cholesky.primitive = _cholesky


# -- eigh, eigvalsh -----------------------------------------------------------------------------
def _eigh_pairs(w):
    """F[..., i, j] = 1 / (w_j − w_i); 0 on the diagonal and wherever w_i == w_j exactly."""
    return _masked_reciprocal(_rows(w) - _cols(w))


def _eigh_jvp(t, ans, x):
    # Vᵀ dA V = dΛ + (Ω Λ − Λ Ω) with Ω = Vᵀ dV antisymmetric
    w, v = ans
    m = matmul(_mT(v), matmul(_sym(t), v))
    return diagonal(m), matmul(v, _eigh_pairs(w) * m)


def _eigh_vjp(g, ans, x):
    gw, gv = g
    w, v = ans
    inner = _diag(gw) + _eigh_pairs(w) * matmul(_mT(v), gv)
    return _sym(matmul(v, matmul(inner, _mT(v))))


_eigh = primitive("linalg_eigh",
                  lambda xp: lambda x: tuple(xp.linalg.eigh(_hermitian_part(xp, x))),
                  multiple_results=True)
defvjp(_eigh, _real_only("eigh", _eigh_vjp))
defjvp(_eigh, _real_only("eigh", _eigh_jvp))


def eigh(x, /):
    """``EighResult(eigenvalues, eigenvectors)`` of a (stack of) symmetric matrices.

    ``x`` is read as ``(x + xᴴ) / 2``. Eigenvalues ascend; each eigenvector's sign is the
    backend's choice, so only sign-invariant functions of them (``v * v``, ``v vᵀ``) have
    meaningful derivatives. The eigenvector derivative has terms ``1 / (λj − λi)``: where two
    eigenvalues are exactly equal it does not exist, and polygrad takes those terms as 0. Then
    functions of the eigenvalues alone (``eigvalsh``, ``trace``-like sums) still have exact
    derivatives, but functions of the eigenvectors get the derivative with rotations inside the
    repeated eigenspace ignored (for ``V f(Λ) Vᵀ`` that is not the true derivative at the tie);
    near-ties give large but finite values.
    """
    return EighResult(*bind(_eigh, (_matrix(x, "eigh", square=True),), EMPTY))


eigh.primitive = _eigh


def eigvalsh(x, /):
    """The ascending eigenvalues of a (stack of) symmetric matrices (through ``eigh``).

    Their derivative ``V diag(ḡ) Vᵀ`` is exact even at repeated eigenvalues (see ``eigh``).
    """
    return eigh(x).eigenvalues


# -- svd, svdvals -------------------------------------------------------------------------------
def _svd_pairs(s):
    """F[..., i, j] = 1 / (s_j² − s_i²); 0 on the diagonal and on exact ties."""
    return _masked_reciprocal((_rows(s) - _cols(s)) * (_rows(s) + _cols(s)))


def _complement_tangent(u1, u2, du1):
    """Tangent of the extra columns ``u2`` (orthonormal complement of ``u1``, defined up to a
    rotation): the smallest one that keeps ``[u1 u2]`` orthogonal, ``−u1 du1ᵀ u2``."""
    return -matmul(u1, matmul(_mT(du1), u2))


def _complement_cotangent(u1, u2, gu2):
    """The adjoint of ``_complement_tangent``: what ``gu2`` adds to ``u1``'s cotangent."""
    return -matmul(u2, matmul(_mT(gu2), u1))


def _svd_jvp(t, ans, x, full_matrices):
    # A = U S Vᵀ; dP = Uᵀ dA V gives dS = diag(dP), Uᵀ dU = F∘(dP S + S dPᵀ),
    # Vᵀ dV = F∘(S dP + dPᵀ S), plus the parts outside span(U), span(V) for non-square A
    u, s, vh = ans
    m, n = x.shape[-2:]
    k = min(m, n)
    u1, vh1 = _first_cols(u, k), _first_rows(vh, k)
    v1 = _mT(vh1)
    dp = matmul(_mT(u1), matmul(t, v1))
    f = _svd_pairs(s)
    du = matmul(u1, f * (dp * _rows(s) + _cols(s) * _mT(dp)))
    dv = matmul(v1, f * (_cols(s) * dp + _mT(dp) * _rows(s)))
    if m > k:
        du = du + (matmul(t, v1) - matmul(u1, dp)) * _rows(_masked_reciprocal(s))
        if full_matrices:
            du = mp.concat([du, _complement_tangent(u1, u[..., :, k:], du)], axis=-1)
    if n > k:
        dv = dv + (matmul(_mT(t), u1) - matmul(v1, _mT(dp))) * _rows(_masked_reciprocal(s))
        if full_matrices:
            dv = mp.concat([dv, _complement_tangent(v1, _mT(vh[..., k:, :]), dv)], axis=-1)
    return du, diagonal(dp), _mT(dv)


def _svd_vjp(g, ans, x, full_matrices):
    gu, gs, gvh = g
    u, s, vh = ans
    m, n = x.shape[-2:]
    k = min(m, n)
    u1, vh1 = _first_cols(u, k), _first_rows(vh, k)
    gu1, gv1 = _first_cols(gu, k), _mT(_first_rows(gvh, k))
    v1 = _mT(vh1)
    if full_matrices and m > k:
        gu1 = gu1 + _complement_cotangent(u1, u[..., :, k:], gu[..., :, k:])
    if full_matrices and n > k:
        gv1 = gv1 + _complement_cotangent(v1, _mT(vh[..., k:, :]), _mT(gvh[..., k:, :]))
    f = _svd_pairs(s)
    pu, pv = matmul(_mT(u1), gu1), matmul(_mT(v1), gv1)
    inner = (_diag(gs) + (f * (pu - _mT(pu))) * _rows(s) + _cols(s) * (f * (pv - _mT(pv))))
    ga = matmul(u1, matmul(inner, vh1))
    if m > k:
        ga = ga + matmul((gu1 - matmul(u1, pu)) * _rows(_masked_reciprocal(s)), vh1)
    if n > k:
        ga = ga + matmul(u1 * _rows(_masked_reciprocal(s)), _mT(gv1) - matmul(_mT(pv), vh1))
    return ga


_svd = primitive("linalg_svd", lambda xp: lambda x, full_matrices: tuple(
    xp.linalg.svd(x, full_matrices=full_matrices)), multiple_results=True)
defvjp(_svd, _real_only("svd", _svd_vjp))
defjvp(_svd, _real_only("svd", _svd_jvp))


def svd(x, /, *, full_matrices: bool = True):
    """``SVDResult(U, S, Vh)`` with ``x = U[..., :k] diag(S) Vh[..., :k, :]``, S descending.

    Signs of singular-vector pairs are the backend's choice: differentiate sign-invariant
    functions of them. The singular-vector derivative has terms ``1 / (sj² − si²)`` and
    ``1 / si``: at exactly repeated singular values (or two zeros) and at zero singular values
    of a non-square matrix it does not exist, and polygrad takes those terms as 0 — so ``S``
    alone (``svdvals``, norms) keeps exact derivatives there (a subgradient for norms at zero).
    With ``full_matrices=True`` the columns beyond ``min(M, N)`` span a complement defined up to
    a rotation; their derivative is the smallest change keeping ``U`` orthogonal, right for
    functions invariant under that rotation (such as the projector ``U2 U2ᵀ``).
    """
    x = _matrix(x, "svd")
    return SVDResult(*bind(_svd, (x,), {"full_matrices": bool(full_matrices)}))


svd.primitive = _svd


def svdvals(x, /):
    """The singular values of a (stack of) matrices, descending (through ``svd``)."""
    return svd(x, full_matrices=False).S


# -- qr -----------------------------------------------------------------------------------------
def _qr_square_jvp(q, r, t):
    # A = QR (m ≥ n): C = Qᵀ dA R⁻¹ = QᵀdQ + dR R⁻¹ with QᵀdQ antisymmetric and dR R⁻¹ upper,
    # so dR R⁻¹ = ψ(C) = triu(C) + tril(C, −1)ᵀ and dQ = dA R⁻¹ − Q ψ(C)
    ar = _right_solve(t, r)
    c = matmul(_mT(q), ar)
    psi = cr.triu(c) + _mT(cr.tril(c, k=-1))
    return ar - matmul(q, psi), matmul(psi, r)


def _qr_square_vjp(q, r, gq, gr):
    # the adjoint: Ā = (Q̄ + Q ψ*(M)) R⁻ᵀ with M = R̄ Rᵀ − Qᵀ Q̄, ψ*(M) = triu(M) + tril(Mᵀ, −1)
    m = matmul(gr, _mT(r)) - matmul(_mT(q), gq)
    psi = cr.triu(m) + cr.tril(_mT(m), k=-1)
    return _mT(solve(r, _mT(gq + matmul(q, psi))))


def _qr_jvp(t, ans, x, mode):
    q, r = ans
    m, n = x.shape[-2:]
    if m < n:   # A = [X Y] with X square: X = QR₁, R₂ = Qᵀ Y
        dq, dr1 = _qr_square_jvp(q, r[..., :, :m], t[..., :, :m])
        dr2 = matmul(_mT(dq), x[..., :, m:]) + matmul(_mT(q), t[..., :, m:])
        return dq, mp.concat([dr1, dr2], axis=-1)
    if mode == "complete" and m > n:
        q1 = q[..., :, :n]
        dq1, dr1 = _qr_square_jvp(q1, r[..., :n, :], t)
        dq = mp.concat([dq1, _complement_tangent(q1, q[..., :, n:], dq1)], axis=-1)
        return dq, mp.concat([dr1, cr.zeros_like(r[..., n:, :])], axis=-2)
    return _qr_square_jvp(q, r, t)


def _qr_vjp(g, ans, x, mode):
    gq, gr = g
    q, r = ans
    m, n = x.shape[-2:]
    if m < n:
        y, gr2 = x[..., :, m:], gr[..., :, m:]
        gx = _qr_square_vjp(q, r[..., :, :m], gq + matmul(y, _mT(gr2)), gr[..., :, :m])
        return mp.concat([gx, matmul(q, gr2)], axis=-1)
    if mode == "complete" and m > n:
        q1 = q[..., :, :n]
        gq1 = gq[..., :, :n] + _complement_cotangent(q1, q[..., :, n:], gq[..., :, n:])
        return _qr_square_vjp(q1, r[..., :n, :], gq1, gr[..., :n, :])
    return _qr_square_vjp(q, r, gq, gr)


_qr = primitive("linalg_qr", lambda xp: lambda x, mode: tuple(xp.linalg.qr(x, mode=mode)),
                multiple_results=True)
defvjp(_qr, _real_only("qr", _qr_vjp))
defjvp(_qr, _real_only("qr", _qr_jvp))


def qr(x, /, *, mode: str = "reduced"):
    """``QRResult(Q, R)`` of a (stack of) matrices; ``mode`` is ``'reduced'`` or ``'complete'``.

    Signs follow the backend (NumPy's Householder QR may give negative diagonals in R); they are
    locally constant, so the derivative is that of the backend's factorization. It needs the
    leading ``min(M, N)`` columns to have full rank (otherwise it is not finite). In complete
    mode the extra columns of Q are defined up to a rotation; their derivative is the smallest
    change keeping Q orthogonal (see ``svd``).
    """
    if mode not in ("reduced", "complete"):
        raise ValueError(f"polygrad.numpy.linalg.qr: mode must be 'reduced' or 'complete', got "
                         f"{mode!r}")
    return QRResult(*bind(_qr, (_matrix(x, "qr"),), {"mode": mode}))


qr.primitive = _qr


# -- pinv, matrix_rank --------------------------------------------------------------------------
def _pinv_jvp(t, ans, x, rtol):
    # d A⁺ = −A⁺ dA A⁺ + A⁺A⁺ᵀ dAᵀ (I − A A⁺) + (I − A⁺A) dAᵀ A⁺ᵀ A⁺ (rank locally constant)
    p = ans
    z = matmul(matmul(p, _mT(p)), _mT(t))
    w = matmul(_mT(t), matmul(_mT(p), p))
    return (-matmul(p, matmul(t, p)) + z - matmul(matmul(z, x), p)
            + w - matmul(p, matmul(x, w)))


def _pinv_vjp(g, ans, x, rtol):
    p = ans
    z = matmul(_mT(g), matmul(p, _mT(p)))
    w = matmul(matmul(_mT(p), p), _mT(g))
    return (-matmul(_mT(p), matmul(g, _mT(p))) + z - matmul(x, matmul(p, z))
            + w - matmul(matmul(w, p), x))


_pinv = primitive("linalg_pinv", lambda xp: lambda x, rtol: xp.linalg.pinv(x, rtol=rtol))
defvjp(_pinv, _real_only("pinv", _pinv_vjp), lambda g, ans, x, rtol: None)
defjvp(_pinv, _real_only("pinv", _pinv_jvp), lambda t, ans, x, rtol: None)


def pinv(x, /, *, rtol=None):
    """The Moore–Penrose pseudo-inverse; singular values ≤ ``rtol · max(S)`` count as zero
    (default ``rtol = max(M, N) · eps``).

    The derivative is the closed form for a matrix of locally constant rank, exact at every
    full-rank matrix and at rank-deficient ones whose perturbations keep the rank (it is not
    continuous where the rank changes). ``rtol`` has derivative zero.
    """
    return bind(_pinv, (_matrix(x, "pinv"), rtol), EMPTY)


pinv.primitive = _pinv

_matrix_rank = nondiff(primitive("linalg_matrix_rank", lambda xp: lambda x, rtol:
                                 xp.linalg.matrix_rank(x, rtol=rtol)))


def matrix_rank(x, /, *, rtol=None):
    """The number of singular values above ``rtol · max(S)`` (an integer: not differentiable)."""
    return bind(_matrix_rank, (_matrix(x, "matrix_rank"), rtol), EMPTY)


matrix_rank.primitive = _matrix_rank


# -- eig, eigvals --------------------------------------------------------------------------------
def _unit_columns_tangent(v, dv):
    """``dv`` less the part that would change the norms of ``v``'s (unit) columns."""
    return dv - v * _rows(ew.real(st.sum(ew.conj(v) * dv, axis=-2)))


def _unit_columns_cotangent(v, gv):
    """The transpose of ``_unit_columns_tangent`` under ⟨c, t⟩ = Re Σ c·t."""
    return gv - ew.conj(v) * _rows(ew.real(st.sum(gv * v, axis=-2)))


def _eig_jvp(t, ans, x):
    # A V = V Λ: V⁻¹ dA V = dΛ + (Ω Λ − Λ Ω) with Ω = V⁻¹ dV, then columns kept of unit norm
    w, v = ans
    m = solve(v, matmul(_as(t, v), v))
    return diagonal(m), _unit_columns_tangent(v, matmul(v, _eigh_pairs(w) * m))


def _eig_vjp(g, ans, x):
    # the transpose of the JVP under ⟨c, t⟩ = Re Σ c·t: Ā = V⁻ᵀ (diag(λ̄) + F∘(Vᵀ V̄')) Vᵀ
    gw, gv = g
    w, v = ans
    inner = _diag(gw) + _eigh_pairs(w) * matmul(_mT(v), _unit_columns_cotangent(v, gv))
    ga = solve(_mT(v), matmul(inner, _mT(v)))
    return ga if x.dtype.kind == "c" else ew.real(ga)


def _eig_kernel(xp):
    def eig(x):
        w, v = xp.linalg.eig(x)
        ctype = xp.complex64 if x.dtype in (xp.float32, xp.complex64) else xp.complex128
        return xp.astype(w, ctype), xp.astype(v, ctype)
    return eig


_eig = primitive("linalg_eig", _eig_kernel, multiple_results=True)
defvjp(_eig, _eig_vjp)
defjvp(_eig, _eig_jvp)


def eig(x, /):
    """``EigResult(eigenvalues, eigenvectors)`` of a (stack of) general square matrices
    (NumPy's name; eigenvectors have unit norm and a phase chosen by the backend).

    The results are always complex (complex128 for float64 input), whatever the values, so
    the dtype never depends on them. Derivatives (real or complex ``x``) follow JAX's complex
    convention and need a diagonalizable ``x``; the eigenvector derivative has terms
    ``1 / (λj − λi)``, taken as 0 at exactly repeated eigenvalues (see ``eigh``), and keeps each
    column of unit norm but leaves its phase to the backend: differentiate phase-invariant
    functions of the eigenvectors (``abs(v)``, ``v conj(v)ᵀ``).
    """
    return EigResult(*bind(_eig, (_matrix(x, "eig", square=True),), EMPTY))


eig.primitive = _eig


def eigvals(x, /):
    """The (complex) eigenvalues of a (stack of) general square matrices; see ``eig``."""
    return eig(x).eigenvalues


# -- compositions: diagonal, trace, outer, cross, matrix_power ------------------------------------
def diagonal(x, /, *, offset: int = 0):
    """The ``offset``-th diagonal of the last two axes (> 0 above the main diagonal)."""
    x = _matrix(x, "diagonal")
    m, n = x.shape[-2:]
    k = max(0, min(m + min(offset, 0), n - max(offset, 0)))
    with use_backend(x._backend):
        rows = cr.arange(max(-offset, 0), max(-offset, 0) + k)
        cols = cr.arange(max(offset, 0), max(offset, 0) + k)
    return x[..., rows, cols]


def trace(x, /, *, offset: int = 0, dtype=None):
    """The sum along the ``offset``-th diagonal of the last two axes."""
    return st.sum(diagonal(x, offset=offset), axis=-1, dtype=dtype)


def outer(x1, x2, /):
    """The outer product of two vectors."""
    x1, x2 = as_array(x1), as_array(x2)
    if x1.ndim != 1 or x2.ndim != 1:
        raise ValueError(f"polygrad.numpy.linalg.outer: needs two 1-D arrays, got shapes "
                         f"{x1.shape} and {x2.shape}")
    return mp.reshape(x1, (-1, 1)) * mp.reshape(x2, (1, -1))


def cross(x1, x2, /, *, axis: int = -1):
    """The cross product of 3-vectors along ``axis`` (counted from the end), batch axes
    broadcasting."""
    x1, x2 = as_array(x1), as_array(x2)
    if axis >= 0:
        if x1.ndim != x2.ndim:
            raise ValueError("polygrad.numpy.linalg.cross: axis must be negative when x1 and "
                             "x2 have different numbers of dimensions")
        axis -= x1.ndim
    if not -min(x1.ndim, x2.ndim) <= axis <= -1 or x1.shape[axis] != 3 or x2.shape[axis] != 3:
        raise ValueError(f"polygrad.numpy.linalg.cross: axis {axis} must have length 3 in both "
                         f"inputs, got shapes {x1.shape} and {x2.shape}")
    x1, x2 = mp.broadcast_arrays(x1, x2)
    ax = x1.ndim + axis
    a = [x1[(slice(None),) * ax + (i,)] for i in range(3)]
    b = [x2[(slice(None),) * ax + (i,)] for i in range(3)]
    return mp.stack([a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2],
                     a[0] * b[1] - a[1] * b[0]], axis=ax)


def matrix_power(x, n: int, /):
    """``x`` raised to the integer power ``n`` by repeated squaring (``n < 0``: of ``inv(x)``;
    ``n == 0``: the identity, derivative zero)."""
    x = _matrix(x, "matrix_power", square=True)
    if not isinstance(n, int) or isinstance(n, bool):
        raise TypeError(f"polygrad.numpy.linalg.matrix_power: n must be an int, got {n!r}")
    if n == 0:
        return mp.broadcast_to(_eye(x), x.shape)
    if n < 0:
        x, n = inv(x), -n
    result = None
    while True:
        if n & 1:
            result = x if result is None else matmul(result, x)
        n >>= 1
        if not n:
            return result
        x = matmul(x, x)


# -- norms --------------------------------------------------------------------------------------
def vector_norm(x, /, *, axis=None, keepdims: bool = False, ord: float = 2):  # noqa: A002
    """The vector ``ord``-norm over ``axis`` (all axes flattened when None).

    Its derivative at the zero vector is taken as zero (a subgradient), never NaN.
    """
    x = as_array(x)
    a = ew.abs(x)
    if ord == 2:
        sq = st.sum(a * a, axis=axis, keepdims=keepdims)
        # sqrt has an infinite derivative at 0; use the zero subgradient there
        safe = ew.where(ew.equal(sq, 0), 1.0, sq)
        return ew.where(ew.equal(sq, 0), 0.0, ew.sqrt(safe))
    if ord == math.inf:
        return st.max(a, axis=axis, keepdims=keepdims)
    if ord == -math.inf:
        return st.min(a, axis=axis, keepdims=keepdims)
    if ord == 0:
        return st.sum(ew.where(ew.not_equal(x, 0), 1.0, 0.0), axis=axis, keepdims=keepdims)
    if ord == 1:
        return st.sum(a, axis=axis, keepdims=keepdims)
    return st.sum(a ** ord, axis=axis, keepdims=keepdims) ** (1.0 / ord)


def _keep_matrix_axes(y, keepdims: bool):
    return mp.reshape(y, y.shape + (1, 1)) if keepdims else y


def matrix_norm(x, /, *, keepdims: bool = False, ord="fro"):  # noqa: A002
    """The matrix norm over the last two axes: ``'fro'``, ``'nuc'`` (sum of singular values),
    ``2``/``-2`` (largest/smallest singular value), ``1``/``-1`` (max/min column sum of
    ``|x|``), ``inf``/``-inf`` (max/min row sum).

    Derivatives: the Frobenius norm's is zero at the zero matrix; ties in a max/min share the
    derivative evenly; the singular-value norms follow ``svd`` (a subgradient at ties).
    """
    x = _matrix(x, "matrix_norm")
    if ord is None or ord == "fro":
        return vector_norm(x, axis=(-2, -1), keepdims=keepdims)
    if ord in ("nuc", 2, -2):
        s = svdvals(x)
        reduce = st.sum if ord == "nuc" else st.max if ord == 2 else st.min
        return _keep_matrix_axes(reduce(s, axis=-1), keepdims)
    if ord in (1, -1, math.inf, -math.inf):
        lines = st.sum(ew.abs(x), axis=-2 if ord in (1, -1) else -1)
        reduce = st.max if ord > 0 else st.min
        return _keep_matrix_axes(reduce(lines, axis=-1), keepdims)
    raise ValueError(f"polygrad.numpy.linalg.matrix_norm: unsupported ord {ord!r}; expected "
                     f"'fro', 'nuc', 1, -1, 2, -2, inf or -inf")


def norm(x, ord=None, axis=None, keepdims: bool = False):  # noqa: A002
    """NumPy's ``linalg.norm``: a vector norm (1-D input or an int ``axis``), a matrix norm (2-D
    input or a pair of axes), or with ``ord=None`` and ``axis=None`` the 2-norm of all elements.
    """
    x = as_array(x)
    if axis is None:
        if ord is None:
            return vector_norm(x, keepdims=keepdims)
        if x.ndim not in (1, 2):
            raise ValueError(f"polygrad.numpy.linalg.norm: with ord={ord!r} and axis=None the "
                             f"input must be 1-D or 2-D, got shape {x.shape}")
        axis = tuple(range(x.ndim))
    if isinstance(axis, int) or len(axis) == 1:
        if isinstance(ord, str):
            raise ValueError(f"polygrad.numpy.linalg.norm: ord {ord!r} is for matrices")
        axis = axis if isinstance(axis, int) else axis[0]
        return vector_norm(x, axis=axis, keepdims=keepdims, ord=2 if ord is None else ord)
    if len(axis) != 2:
        raise ValueError(f"polygrad.numpy.linalg.norm: axis must be an int or a pair, got {axis}")
    axes = tuple(a % x.ndim for a in axis)
    if axes[0] == axes[1]:
        raise ValueError(f"polygrad.numpy.linalg.norm: axis {axis} repeats an axis")
    y = matrix_norm(mp.moveaxis(x, axes, (-2, -1)), ord="fro" if ord is None else ord)
    return mp.reshape(y, st.keep_shape(x.shape, axes)) if keepdims else y
