"""Decompositions of the linalg extension: cholesky, eigh, eig, svd, qr, with their rules.

Imports the core, the namespace's category modules, ``_linalg_helpers`` and ``_linalg_solve``.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from .._batching import trailing_rule
from .._primitive import defbatch, defjvp, defvjp, primitive
from . import _creation as cr
from . import _elementwise as ew
from . import _manipulation as mp
from . import _statistics as st
from ._data_types import astype
from ._helpers import EMPTY, bind
from ._linalg_helpers import (_cols, _eye, _from_adjoint, _matrix, _mH, _mT, _rows,
                              diagonal)
from ._linalg_solve import solve
from ._linear_algebra import matmul

__all__ = ["cholesky", "eig", "eigh", "eigvals", "eigvalsh", "qr", "svd", "svdvals", "EigResult",
           "EighResult", "QRResult", "SVDResult"]


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


class SVDResult(NamedTuple):
    """svd's result: x = U diag(S) Vh, singular values S descending."""

    U: Any
    S: Any
    Vh: Any


# -- helpers of the decompositions' rules -------------------------------------------------------
def _herm(x):
    """The Hermitian part (x + xᴴ) / 2 (the symmetric part of a real x)."""
    return (x + _mH(x)) * 0.5


def _imaginary_diagonal(m):
    """The imaginary part of m's diagonal, as a real vector (..., k)."""
    return ew.imag(diagonal(m))


def _diag(v):
    """A stack of diagonal matrices with ``v`` (..., k) on the diagonal."""
    return mp.expand_dims(v, axis=-1) * _eye(v)


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


def _conj_native(xp, x):
    return xp.conj(x) if xp.isdtype(x.dtype, "complex floating") else x


def _hermitian_part(xp, x):
    """(x + xᴴ) / 2 on native arrays: what cholesky and eigh factor (see their docstrings)."""
    return (x + _conj_native(xp, xp.matrix_transpose(x))) / 2


# -- cholesky -----------------------------------------------------------------------------------
def _phi(x):
    """The lower triangle of x with its diagonal halved."""
    return cr.tril(x, k=-1) + 0.5 * (x * _eye(x))


def _cholesky_jvp(t, ans, x):
    # A = L Lᴴ: L⁻¹ dA L⁻ᴴ = L⁻¹dL + (L⁻¹dL)ᴴ with L⁻¹dL lower (and a real diagonal, as L's),
    # so dL = L Φ(L⁻¹ dA L⁻ᴴ); dA is the Hermitian part of the tangent
    l = ans
    return matmul(l, _phi(solve(l, _mH(solve(l, _herm(t))))))


def _cholesky_adjoint(g, ans, x):
    # the Hermitian adjoint of the JVP: Ā = herm(L⁻ᴴ Φ(Lᴴ L̄) L⁻¹)
    l = ans
    m = _phi(matmul(_mH(l), g))
    return _herm(solve(_mH(l), _mH(solve(_mH(l), _mH(m)))))


_cholesky = primitive("linalg_cholesky",
                      lambda xp: lambda x: xp.linalg.cholesky(_hermitian_part(xp, x)))
defbatch(_cholesky, trailing_rule(_cholesky))   # pg.vmap
defvjp(_cholesky, _from_adjoint(_cholesky_adjoint))
defjvp(_cholesky, _cholesky_jvp)


def cholesky(a, /, *, upper: bool = False):
    """The Cholesky factor of a (stack of) symmetric positive-definite matrices.

    ``x`` is read as ``(x + xᴴ) / 2`` (equal to ``x`` when it is symmetric), so the derivative
    is defined for every perturbation and the gradient is symmetric. ``upper=True`` returns
    ``Lᴴ``. A matrix that is not positive definite is an error of the backend (NumPy raises
    ``LinAlgError``); derivatives are not finite as ``x`` approaches singularity. Complex
    (Hermitian) ``x`` is differentiable too, in JAX's convention (see ``docs/functional.md``).
    """
    x = _matrix(a, "cholesky", square=True)
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
    # Vᴴ dA V = dΛ + (Ω Λ − Λ Ω) with Ω = Vᴴ dV anti-Hermitian; Ω's diagonal (each column's
    # phase, free for complex V) is taken as 0
    w, v = ans
    m = matmul(_mH(v), matmul(_herm(t), v))
    dw = ew.real(diagonal(m)) if m.dtype.kind == "c" else diagonal(m)
    return dw, matmul(v, _eigh_pairs(w) * m)


def _eigh_adjoint(g, ans, x):
    gw, gv = g
    w, v = ans
    inner = _as(_diag(gw), v) + _eigh_pairs(w) * matmul(_mH(v), gv)
    return _herm(matmul(v, matmul(inner, _mH(v))))


_eigh = primitive("linalg_eigh",
                  lambda xp: lambda x: tuple(xp.linalg.eigh(_hermitian_part(xp, x))),
                  multiple_results=True)
defbatch(_eigh, trailing_rule(_eigh))   # pg.vmap
defvjp(_eigh, _from_adjoint(_eigh_adjoint))
defjvp(_eigh, _eigh_jvp)


def _uplo(a, uplo: str, fname: str):
    """NumPy's ``UPLO`` is checked, then both triangles are read, symmetrised (as JAX): the
    same values for a Hermitian ``a``, and a derivative defined in every direction."""
    if uplo not in ("L", "U"):
        raise ValueError(f"polygrad.numpy.linalg.{fname}: UPLO must be 'L' or 'U', got {uplo!r}")
    return a


def eigh(a, UPLO: str = "L"):  # noqa: N803
    """``EighResult(eigenvalues, eigenvectors)`` of a (stack of) symmetric matrices.

    ``x`` is read as ``(x + xᴴ) / 2``. Eigenvalues ascend; each eigenvector's sign (its phase, for
    complex ``x``) is the backend's choice, so only sign-invariant functions of them (``v *
    conj(v)``, ``v vᴴ``) have meaningful derivatives (polygrad's eigenvector tangent has ``Vᴴ dV``
    with a zero diagonal). The eigenvector derivative has terms ``1 / (λj − λi)``: where two
    eigenvalues are exactly equal it does not exist, and polygrad takes those terms as 0. Then
    functions of the eigenvalues alone (``eigvalsh``, ``trace``-like sums) still have exact
    derivatives, but functions of the eigenvectors get the derivative with rotations inside the
    repeated eigenspace ignored (for ``V f(Λ) Vᵀ`` that is not the true derivative at the tie);
    near-ties give large but finite values.
    """
    x = _uplo(a, UPLO, "eigh")
    return EighResult(*bind(_eigh, (_matrix(x, "eigh", square=True),), EMPTY))


eigh.primitive = _eigh


def eigvalsh(a, UPLO: str = "L"):  # noqa: N803
    """The ascending eigenvalues of a (stack of) symmetric matrices (through ``eigh``).

    Their derivative ``V diag(ḡ) Vᵀ`` is exact even at repeated eigenvalues (see ``eigh``).
    """
    x = _uplo(a, UPLO, "eigvalsh")
    return eigh(x).eigenvalues


# -- svd, svdvals -------------------------------------------------------------------------------
def _svd_pairs(s):
    """F[..., i, j] = 1 / (s_j² − s_i²); 0 on the diagonal and on exact ties."""
    return _masked_reciprocal((_rows(s) - _cols(s)) * (_rows(s) + _cols(s)))


def _complement_tangent(u1, u2, du1):
    """Tangent of the extra columns ``u2`` (orthonormal complement of ``u1``, defined up to a
    rotation): the smallest one that keeps ``[u1 u2]`` unitary, ``−u1 du1ᴴ u2``."""
    return -matmul(u1, matmul(_mH(du1), u2))


def _complement_cotangent(u1, u2, gu2):
    """The Hermitian adjoint of ``_complement_tangent``: what ``gu2`` adds to ``u1``'s."""
    return -matmul(u2, matmul(_mH(gu2), u1))


def _svd_jvp(t, ans, x, full_matrices):
    # A = U S Vᴴ; dP = Uᴴ dA V gives dS = Re diag(dP), Uᴴ dU = F∘(dP S + S dPᴴ),
    # Vᴴ dV = F∘(S dP + dPᴴ S) off the diagonal, plus the parts outside span(U), span(V) for
    # non-square A. For complex A, Im diag(dP) = S (Im diag(UᴴdU) − Im diag(VᴴdV)) only fixes
    # the difference of the two phase rotations: polygrad puts it all on U (VᴴdV's diagonal is 0)
    u, s, vh = ans
    m, n = x.shape[-2:]
    k = min(m, n)
    u1, vh1 = _first_cols(u, k), _first_rows(vh, k)
    v1 = _mH(vh1)
    dp = matmul(_mH(u1), matmul(t, v1))
    f = _svd_pairs(s)
    du = matmul(u1, f * (dp * _rows(s) + _cols(s) * _mH(dp)))
    dv = matmul(v1, f * (_cols(s) * dp + _mH(dp) * _rows(s)))
    ds = diagonal(dp)
    if dp.dtype.kind == "c":
        du = du + u1 * _rows(1j * (_imaginary_diagonal(dp) * _masked_reciprocal(s)))
        ds = ew.real(ds)
    if m > k:
        du = du + (matmul(t, v1) - matmul(u1, dp)) * _rows(_masked_reciprocal(s))
        if full_matrices:
            du = mp.concat([du, _complement_tangent(u1, u[..., :, k:], du)], axis=-1)
    if n > k:
        dv = dv + (matmul(_mH(t), u1) - matmul(v1, _mH(dp))) * _rows(_masked_reciprocal(s))
        if full_matrices:
            dv = mp.concat([dv, _complement_tangent(v1, _mH(vh[..., k:, :]), dv)], axis=-1)
    return du, ds, _mH(dv)


def _svd_adjoint(g, ans, x, full_matrices):
    gu, gs, gvh = g
    u, s, vh = ans
    m, n = x.shape[-2:]
    k = min(m, n)
    u1, vh1 = _first_cols(u, k), _first_rows(vh, k)
    gu1, gv1 = _first_cols(gu, k), _mH(_first_rows(gvh, k))
    v1 = _mH(vh1)
    if full_matrices and m > k:
        gu1 = gu1 + _complement_cotangent(u1, u[..., :, k:], gu[..., :, k:])
    if full_matrices and n > k:
        gv1 = gv1 + _complement_cotangent(v1, _mH(vh[..., k:, :]), _mH(gvh[..., k:, :]))
    f = _svd_pairs(s)
    pu, pv = matmul(_mH(u1), gu1), matmul(_mH(v1), gv1)
    inner = (_as(_diag(gs), pu) + (f * (pu - _mH(pu))) * _rows(s)
             + _cols(s) * (f * (pv - _mH(pv))))
    if pu.dtype.kind == "c":   # the adjoint of the phase term of U's tangent
        inner = inner + _diag(1j * (_imaginary_diagonal(pu) * _masked_reciprocal(s)))
    ga = matmul(u1, matmul(inner, vh1))
    if m > k:
        ga = ga + matmul((gu1 - matmul(u1, pu)) * _rows(_masked_reciprocal(s)), vh1)
    if n > k:
        ga = ga + matmul(u1 * _rows(_masked_reciprocal(s)), _mH(gv1) - matmul(_mH(pv), vh1))
    return ga


_svd = primitive("linalg_svd", lambda xp: lambda x, full_matrices: tuple(
    xp.linalg.svd(x, full_matrices=full_matrices)), multiple_results=True)
defbatch(_svd, trailing_rule(_svd))   # pg.vmap
defvjp(_svd, _from_adjoint(_svd_adjoint))
defjvp(_svd, _svd_jvp)


def svd(a, full_matrices: bool = True, compute_uv: bool = True, hermitian: bool = False):
    """``SVDResult(U, S, Vh)`` with ``x = U[..., :k] diag(S) Vh[..., :k, :]``, S descending.

    Signs (phases, for complex ``x``) of singular-vector pairs are the backend's choice:
    differentiate functions invariant to them (``U S² Vh``, projectors ``U Uᴴ``). For complex ``x``
    the derivative fixes only the difference of a pair's phase changes; polygrad's puts it on ``U``
    (``Vᴴ dV`` has a zero diagonal). The singular-vector derivative has terms ``1 / (sj² − si²)``
    and ``1 / si``: at exactly repeated singular values (or two zeros) and at zero singular values
    of a non-square matrix it does not exist, and polygrad takes those terms as 0 — so ``S`` alone
    (``svdvals``, norms) keeps exact derivatives there (a subgradient for norms at zero). With
    ``full_matrices=True`` the columns beyond ``min(M, N)`` span a complement defined up to a
    rotation; their derivative is the smallest change keeping ``U`` orthogonal, right for functions
    invariant under that rotation (such as the projector ``U2 U2ᵀ``).
    """
    if not compute_uv:
        return svdvals(a)
    x = _matrix(a, "svd")
    return SVDResult(*bind(_svd, (x,), {"full_matrices": bool(full_matrices)}))


svd.primitive = _svd


def svdvals(x, /):
    """The singular values of a (stack of) matrices, descending (through ``svd``)."""
    return svd(x, full_matrices=False).S


# -- qr -----------------------------------------------------------------------------------------
def _real_diagonal(c):
    """c with the imaginary part of its diagonal removed (c itself when real)."""
    if c.dtype.kind != "c":
        return c
    return c - _diag(1j * _imaginary_diagonal(c))


def _qr_square_jvp(q, r, t):
    # A = QR (m ≥ n): C = Qᴴ dA R⁻¹ = QᴴdQ + dR R⁻¹ with QᴴdQ anti-Hermitian and dR R⁻¹ upper
    # with a real diagonal (R's diagonal is real, as LAPACK's), so
    # dR R⁻¹ = ψ(C) = triu(C, 1) + tril(C, −1)ᴴ + Re diag(C) and dQ = dA R⁻¹ − Q ψ(C)
    ar = _right_solve(t, r)
    c = matmul(_mH(q), ar)
    psi = _real_diagonal(cr.triu(c) + _mH(cr.tril(c, k=-1)))
    return ar - matmul(q, psi), matmul(psi, r)


def _qr_square_adjoint(q, r, gq, gr):
    # Ā = (Q̄ + Q ψ*(M)) R⁻ᴴ with M = R̄ Rᴴ − Qᴴ Q̄, ψ*(M) = triu(M, 1) + tril(Mᴴ, −1) + Re diag M
    m = matmul(gr, _mH(r)) - matmul(_mH(q), gq)
    psi = _real_diagonal(cr.triu(m) + cr.tril(_mH(m), k=-1))
    return _mH(solve(r, _mH(gq + matmul(q, psi))))


def _qr_jvp(t, ans, x, mode):
    q, r = ans
    m, n = x.shape[-2:]
    if m < n:   # A = [X Y] with X square: X = QR₁, R₂ = Qᵀ Y
        dq, dr1 = _qr_square_jvp(q, r[..., :, :m], t[..., :, :m])
        dr2 = matmul(_mH(dq), x[..., :, m:]) + matmul(_mH(q), t[..., :, m:])
        return dq, mp.concat([dr1, dr2], axis=-1)
    if mode == "complete" and m > n:
        q1 = q[..., :, :n]
        dq1, dr1 = _qr_square_jvp(q1, r[..., :n, :], t)
        dq = mp.concat([dq1, _complement_tangent(q1, q[..., :, n:], dq1)], axis=-1)
        return dq, mp.concat([dr1, cr.zeros_like(r[..., n:, :])], axis=-2)
    return _qr_square_jvp(q, r, t)


def _qr_adjoint(g, ans, x, mode):
    gq, gr = g
    q, r = ans
    m, n = x.shape[-2:]
    if m < n:
        y, gr2 = x[..., :, m:], gr[..., :, m:]
        gx = _qr_square_adjoint(q, r[..., :, :m], gq + matmul(y, _mH(gr2)), gr[..., :, :m])
        return mp.concat([gx, matmul(q, gr2)], axis=-1)
    if mode == "complete" and m > n:
        q1 = q[..., :, :n]
        gq1 = gq[..., :, :n] + _complement_cotangent(q1, q[..., :, n:], gq[..., :, n:])
        return _qr_square_adjoint(q1, r[..., :n, :], gq1, gr[..., :n, :])
    return _qr_square_adjoint(q, r, gq, gr)


_qr = primitive("linalg_qr", lambda xp: lambda x, mode: tuple(xp.linalg.qr(x, mode=mode)),
                multiple_results=True)
defbatch(_qr, trailing_rule(_qr))   # pg.vmap
defvjp(_qr, _from_adjoint(_qr_adjoint))
defjvp(_qr, _qr_jvp)


def qr(a, mode: str = "reduced"):
    """``QRResult(Q, R)`` of a (stack of) matrices; ``mode`` is ``'reduced'`` or ``'complete'``.

    Signs follow the backend (NumPy's Householder QR may give negative diagonals in R); they are
    locally constant, so the derivative is that of the backend's factorization. For complex
    ``x`` the derivative takes R's diagonal to stay real, as LAPACK's (and every built-in
    backend's) Householder QR returns it. It needs the
    leading ``min(M, N)`` columns to have full rank (otherwise it is not finite). In complete
    mode the extra columns of Q are defined up to a rotation; their derivative is the smallest
    change keeping Q orthogonal (see ``svd``).
    """
    if mode not in ("reduced", "complete"):
        raise ValueError(f"polygrad.numpy.linalg.qr: mode must be 'reduced' or 'complete', got "
                         f"{mode!r}")
    return QRResult(*bind(_qr, (_matrix(a, "qr"),), {"mode": mode}))


qr.primitive = _qr


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
defbatch(_eig, trailing_rule(_eig))   # pg.vmap
defvjp(_eig, _eig_vjp)
defjvp(_eig, _eig_jvp)


def eig(a):
    """``EigResult(eigenvalues, eigenvectors)`` of a (stack of) general square matrices
    (NumPy's name; eigenvectors have unit norm and a phase chosen by the backend).

    The results are always complex (complex128 for float64 input), whatever the values, so
    the dtype never depends on them. Derivatives (real or complex ``x``) follow JAX's complex
    convention and need a diagonalizable ``x``; the eigenvector derivative has terms
    ``1 / (λj − λi)``, taken as 0 at exactly repeated eigenvalues (see ``eigh``), and keeps each
    column of unit norm but leaves its phase to the backend: differentiate phase-invariant
    functions of the eigenvectors (``abs(v)``, ``v conj(v)ᵀ``).
    """
    return EigResult(*bind(_eig, (_matrix(a, "eig", square=True),), EMPTY))


eig.primitive = _eig


def eigvals(a):
    """The (complex) eigenvalues of a (stack of) general square matrices; see ``eig``."""
    return eig(a).eigenvalues
