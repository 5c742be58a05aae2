"""det and slogdet of the linalg extension, and the adjugate behind det's derivatives.

det's derivative is the adjugate, computed from an SVD so that it stays exact at and near
singular matrices (``det(x) · inv(x)`` is not finite there, and is wrong near them). Imports the
core, the namespace's category modules and the other linalg modules.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from .._batching import trailing_rule
from .._primitive import defbatch, defjvp, defvjp, primitive
from . import _elementwise as ew
from . import _manipulation as mp
from . import _statistics as st
from ._helpers import EMPTY, bind
from ._linalg_decompositions import svd
from ._linalg_helpers import _cols, _eye, _matrix, _mT, _rows, diagonal, trace
from ._linalg_solve import inv, solve
from ._linear_algebra import matmul

__all__ = ["det", "slogdet", "SlogdetResult"]


class SlogdetResult(NamedTuple):
    """slogdet's result: the sign and log of the absolute determinant."""

    sign: Any
    logabsdet: Any


# -- the adjugate -------------------------------------------------------------------------------
# With x = U Σ Vh: adj(x) = adj(Vh) adj(Σ) adj(U) = c · Vhᴴ diag(p) Uᴴ, c = det U · det Vh,
# p_i = ∏_{j≠i} σ_j. Products of the other singular values are accurate however small σ_i is.
def _adjugate_kernel(xp):
    def conj_t(m):
        m = xp.matrix_transpose(m)
        return xp.conj(m) if xp.isdtype(m.dtype, "complex floating") else m

    def adjugate(x):
        u, s, vh = xp.linalg.svd(x, full_matrices=False)
        ones = xp.ones_like(s[..., :, None] * s[..., None, :])
        eye = xp.tril(xp.triu(ones))
        p = xp.prod(s[..., None, :] * (ones - eye) + eye, axis=-1)
        c = xp.linalg.det(u) * xp.linalg.det(vh)
        return c[..., None, None] * xp.matmul(conj_t(vh) * p[..., None, :], conj_t(u))
    return adjugate


def _conj(x):
    return ew.conj(x) if x.dtype.kind == "c" else x


def _frame(x):
    """(U, Vh, c, Q) at x: adj(x + E) = c Vhᴴ adj(Σ + Ẽ) Uᴴ with Ẽ = Uᴴ E Vhᴴ, and
    Q_ik = ∏_{j∉{i,k}} σ_j (i ≠ k; 0 on the diagonal), the second minors of Σ."""
    u, s, vh = svd(x, full_matrices=False)
    c = _cols(_cols(_det(u) * _det(vh)))
    eye = _eye(s)
    # keep[i, k, j] = 1 where j ∉ {i, k}: O(n³) memory, paid at second order only
    keep = (1.0 - mp.expand_dims(eye, axis=-2)) * (1.0 - mp.expand_dims(eye, axis=-3))
    q = st.prod(_rows(_rows(s)) * keep + (1.0 - keep), axis=-1) * (1.0 - eye)
    return u, vh, c, q


def _adjugate_of_diagonal_tangent(q, e):
    # d adj(Σ)[Ẽ]: diagonal Σ_{l≠i} Ẽ_ll Q_il, off the diagonal −Ẽ_ki Q_ik (Q is symmetric)
    return _cols(st.sum(q * _rows(diagonal(e)), axis=-1)) * _eye(e) - q * e


def _adjugate_jvp(t, ans, x):
    u, vh, c, q = _frame(x)
    uh, v = _conj(_mT(u)), _conj(_mT(vh))
    e = matmul(uh, matmul(t, v))
    return c * matmul(v, matmul(_adjugate_of_diagonal_tangent(q, e), uh))


def _adjugate_vjp(g, ans, x):
    # the transpose of the JVP under ⟨c, t⟩ = Σ c·t (holomorphic, as det's rules)
    u, vh, c, q = _frame(x)
    m = c * matmul(_conj(vh), matmul(g, _conj(u)))
    return matmul(_conj(u), matmul(_adjugate_of_diagonal_tangent(q, m), _conj(vh)))


_adjugate = primitive("linalg_adjugate", _adjugate_kernel)
defbatch(_adjugate, trailing_rule(_adjugate))   # pg.vmap
defvjp(_adjugate, _adjugate_vjp)
defjvp(_adjugate, _adjugate_jvp)


def _adj(x):
    return bind(_adjugate, (x,), EMPTY)


# -- det, slogdet ---------------------------------------------------------------------------------
_det_prim = primitive("linalg_det", lambda xp: xp.linalg.det)
defbatch(_det_prim, trailing_rule(_det_prim))   # pg.vmap
# d det A = tr(adj(A) dA), so Ā = ḡ adj(A)ᵀ (holomorphic: right for complex too)
defvjp(_det_prim, lambda g, ans, x: _cols(_cols(g)) * _mT(_adj(x)))
defjvp(_det_prim, lambda t, ans, x: trace(matmul(_adj(x), t)))


def _det(x):
    return bind(_det_prim, (x,), EMPTY)


def det(a):
    """The determinant of a (stack of) square matrices.

    Its derivative is the adjugate, ``tr(adj(x) dx)``, computed from an SVD of ``x``: exact at
    singular matrices and accurate near them (where ``det(x) x⁻¹`` is not), to every order
    (the second derivative uses the SVD's singular vectors as a fixed frame, so it is exact at
    repeated singular values too; a third derivative differentiates the SVD).
    """
    return _det(_matrix(a, "det", square=True))


det.primitive = _det_prim


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
defbatch(_slogdet, trailing_rule(_slogdet))   # pg.vmap
defvjp(_slogdet, _slogdet_vjp)
defjvp(_slogdet, _slogdet_jvp)


def slogdet(a):
    """``SlogdetResult(sign, logabsdet)`` of a (stack of) square matrices.

    For real ``x`` the sign has derivative zero; for complex ``x`` it is the phase of the
    determinant and moves with it. The derivative of logabsdet is ``x⁻ᵀ``, which grows without
    bound as ``x`` approaches a singular matrix; at a singular ``x`` (sign 0, logabsdet −inf) it
    does not exist (NumPy raises ``LinAlgError`` from ``solve``).
    """
    return SlogdetResult(*bind(_slogdet, (_matrix(a, "slogdet", square=True),), EMPTY))


slogdet.primitive = _slogdet
