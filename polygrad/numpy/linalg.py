"""The ``linalg`` extension of the Array API standard (differentiable).

Imports the core and the namespace's category modules.
"""

from __future__ import annotations

import math

from . import _elementwise as ew
from . import _statistics as st
from ._helpers import as_array
from ._linear_algebra import matmul, matrix_transpose, tensordot, vecdot

__all__ = ["matmul", "matrix_transpose", "tensordot", "vecdot", "vector_norm", "norm"]


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


def norm(x, ord=None, axis=None, keepdims: bool = False):  # noqa: A002
    """NumPy's ``linalg.norm`` for vectors (and the Frobenius norm of matrices)."""
    x = as_array(x)
    if ord in (None, "fro", 2) and (axis is None or isinstance(axis, int) or ord in (None, "fro")):
        return vector_norm(x, axis=axis, keepdims=keepdims, ord=2)
    return vector_norm(x, axis=axis, keepdims=keepdims, ord=ord)
