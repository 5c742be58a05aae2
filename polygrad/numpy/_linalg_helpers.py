"""Matrix helpers shared by the linalg modules, and the diagonal and trace their rules use.

Imports the core and the namespace's category modules.
"""

from __future__ import annotations

from .._backend import use_backend
from .._reverse import DifferentiationError
from . import _creation as cr
from . import _manipulation as mp
from . import _statistics as st
from ._helpers import Array, as_array
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
