"""The solve family of the linalg extension: solve, inv, pinv, with their rules.

Imports the core, the namespace's category modules and ``_linalg_helpers``.
"""

from __future__ import annotations

from .._primitive import defbatch, defjvp, defvjp, primitive
from .._batching import solve_rule, trailing_rule
from . import _elementwise as ew
from . import _manipulation as mp
from ._helpers import EMPTY, as_array, bind
from ._linalg_helpers import _eye, _from_adjoint, _matrix, _mH, _mT
from ._linear_algebra import matmul

__all__ = ["inv", "pinv", "solve"]


def _cotangent_of(x, c):
    """``c`` as the cotangent of ``x``: its real part when ``x`` is real (the pairing is
    Re Σ c·t), as when a real matrix meets a complex right-hand side."""
    return ew.real(c) if c.dtype.kind == "c" and x.dtype.kind != "c" else c


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


# -- solve, inv -------------------------------------------------------------------------------
_solve = primitive("linalg_solve", lambda xp: xp.linalg.solve)
defbatch(_solve, solve_rule(_solve))   # pg.vmap
# X = A⁻¹B: dX = A⁻¹(dB − dA X); B̄ = A⁻ᵀ X̄, Ā = −B̄ Xᵀ (holomorphic: right for complex too)
defvjp(_solve, lambda g, ans, a, b: _cotangent_of(a, -matmul(solve(_mT(a), g), _mT(ans))),
       lambda g, ans, a, b: _cotangent_of(b, solve(_mT(a), g)))
defjvp(_solve, lambda t, ans, a, b: -solve(a, matmul(t, ans)), lambda t, ans, a, b: solve(a, t))


def solve(a, b):
    """Solve ``a @ x = b`` for ``x`` (``b`` 1-D: a vector; otherwise a stack of matrices).

    Batch axes broadcast. A singular ``a`` is an error of the backend (NumPy raises
    ``LinAlgError``); derivatives need ``a`` invertible too.
    """
    x1, x2 = a, b
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


def inv(a):
    """The inverse of a (stack of) square matrices, as ``solve(x, I)``.

    A singular ``x`` is an error of the backend (NumPy raises ``LinAlgError``).
    """
    x = _matrix(a, "inv", square=True)
    return bind(_solve, (x, mp.broadcast_to(_eye(x), x.shape)), EMPTY)


# -- pinv ---------------------------------------------------------------------------------------
def _pinv_jvp(t, ans, x, rtol):
    # d A⁺ = −A⁺ dA A⁺ + A⁺A⁺ᴴ dAᴴ (I − A A⁺) + (I − A⁺A) dAᴴ A⁺ᴴ A⁺ (rank locally constant)
    p = ans
    z = matmul(matmul(p, _mH(p)), _mH(t))
    w = matmul(_mH(t), matmul(_mH(p), p))
    return (-matmul(p, matmul(t, p)) + z - matmul(matmul(z, x), p)
            + w - matmul(p, matmul(x, w)))


def _pinv_adjoint(g, ans, x, rtol):
    # the Hermitian adjoint of the JVP, term by term
    p = ans
    z = matmul(_mH(g), matmul(p, _mH(p)))
    w = matmul(matmul(_mH(p), p), _mH(g))
    return (-matmul(_mH(p), matmul(g, _mH(p))) + z - matmul(x, matmul(p, z))
            + w - matmul(matmul(w, p), x))


_pinv = primitive("linalg_pinv", lambda xp: lambda x, rtol: xp.linalg.pinv(x, rtol=rtol))
defbatch(_pinv, trailing_rule(_pinv))   # pg.vmap
defvjp(_pinv, _from_adjoint(_pinv_adjoint), lambda g, ans, x, rtol: None)
defjvp(_pinv, _pinv_jvp, lambda t, ans, x, rtol: None)


def pinv(a, rcond=None, hermitian: bool = False, *, rtol=None):
    """The Moore–Penrose pseudo-inverse; singular values ≤ ``rtol · max(S)`` count as zero
    (default ``rtol = max(M, N) · eps``).

    The derivative is the closed form for a matrix of locally constant rank, exact at every
    full-rank matrix and at rank-deficient ones whose perturbations keep the rank (it is not
    continuous where the rank changes). ``rtol`` has derivative zero.
    """
    if rcond is not None:   # NumPy's older name for rtol
        if rtol is not None:
            raise TypeError("polygrad.numpy.linalg.pinv: give rcond or rtol, not both")
        rtol = rcond
    return bind(_pinv, (_matrix(a, "pinv"), rtol), EMPTY)


pinv.primitive = _pinv
