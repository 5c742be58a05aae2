"""Matrix helpers shared by the linalg modules, and the diagonal and trace their rules use.

Imports the core and the namespace's category modules.
"""

from __future__ import annotations

from .._backend import use_backend
from . import _creation as cr
from . import _elementwise as ew
from . import _manipulation as mp
from . import _statistics as st
from ._helpers import as_array
from ._linear_algebra import matrix_transpose

__all__ = ["diagonal", "trace"]

_mT = matrix_transpose


def _matrix(x, fname: str, square: bool = False):
    x = as_array(x)
    if x.ndim < 2 or (square and x.shape[-1] != x.shape[-2]):
        what = "a (stack of) square matrices" if square else "at least 2 dimensions"
        raise ValueError(f"polygrad.numpy.linalg.{fname}: needs {what}, got shape {x.shape}")
    return x


def _eye(x):
    """The identity matching x's last axis, in x's dtype, on x's backend."""
    with use_backend(x._backend):
        return cr.eye(x.shape[-1], dtype=x.dtype)


def _rows(v):   # (..., k) -> (..., 1, k): scales column j by v_j
    return mp.expand_dims(v, axis=-2)


def _cols(v):   # (..., k) -> (..., k, 1): scales row i by v_i
    return mp.expand_dims(v, axis=-1)


def _conj(x):
    """The complex conjugate of a complex array; a real one unchanged."""
    return ew.conj(x) if x.dtype.kind == "c" else x


def _mH(x):
    """The conjugate transpose of the last two axes (the transpose of a real stack)."""
    return _conj(matrix_transpose(x))


def _from_adjoint(adjoint):
    """A VJP in JAX's convention from ``adjoint``, the Hermitian adjoint of the JVP (the
    textbook form, with ``ᴴ`` where the real formulas have ``ᵀ``, under ⟨a, b⟩ = Re Σ conj(a)·b).

    JAX's VJP is the transpose under ⟨c, t⟩ = Re Σ c·t, so ``vjp(g) = conj(adjoint(conj(g)))``;
    for real arrays both are the same map.
    """
    def vjp(g, ans, *args, **params):
        g = tuple(_conj(c) for c in g) if isinstance(g, (tuple, list)) else _conj(g)
        out = adjoint(g, ans, *args, **params)
        return tuple(_conj(c) for c in out) if isinstance(out, tuple) else _conj(out)
    return vjp


# -- diagonal, trace ----------------------------------------------------------------------------
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
