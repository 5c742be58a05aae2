"""The ``linalg`` extension of the Array API standard, each function differentiable to any order.

Decompositions (cholesky, eigh, eig, svd, qr) and solve, det, slogdet, pinv are primitives with
their rules beside them, written with polygrad's own functions; the rest composes them. Complex
derivatives follow JAX's convention (see ``polygrad.testing``): solve, inv, det, slogdet and eig
have them; cholesky, eigh, svd, qr and pinv run forward on complex input but differentiate real
input only. Holds matrix_rank, the compositions and the norms, and gathers the decompositions
(``_linalg_decompositions``), the solve family (``_linalg_solve``) and det / slogdet
(``_linalg_det``). Imports the core, the
namespace's category modules and the ``_linalg_*`` modules.
"""

from __future__ import annotations

import math

from .._primitive import defbatch, nondiff, primitive
from .._batching import trailing_rule
from . import _elementwise as ew
from . import _manipulation as mp
from . import _statistics as st
from ._helpers import EMPTY, as_array, bind
from ._linalg_decompositions import (
    EigResult,
    EighResult,
    QRResult,
    SVDResult,
    cholesky,
    eig,
    eigh,
    eigvals,
    eigvalsh,
    qr,
    svd,
    svdvals,
)
from ._linalg_helpers import _eye, _matrix, diagonal, trace
from ._linalg_det import SlogdetResult, det, slogdet
from ._linalg_solve import inv, pinv, solve
from . import _linear_algebra
from ._linear_algebra import matmul, matrix_transpose, vecdot
from ._linalg_more import LinAlgError, cond, lstsq, multi_dot, tensorinv, tensorsolve

__all__ = ["cholesky", "cross", "det", "diagonal", "eig", "eigh", "eigvals", "eigvalsh", "inv",
           "matmul", "matrix_norm", "matrix_power", "matrix_rank", "matrix_transpose", "norm",
           "outer", "pinv", "qr", "slogdet", "solve", "svd", "svdvals", "tensordot", "trace",
           "vecdot", "vector_norm", "EigResult", "EighResult", "QRResult", "SlogdetResult",
           "SVDResult",
           # NumPy's functions beyond the standard's extension
           "LinAlgError", "cond", "lstsq", "multi_dot", "tensorinv", "tensorsolve"]


# -- matrix_rank --------------------------------------------------------------------------------
_matrix_rank = nondiff(primitive("linalg_matrix_rank", lambda xp: lambda x, rtol:
                                 xp.linalg.matrix_rank(x, rtol=rtol)))
defbatch(_matrix_rank, trailing_rule(_matrix_rank))   # pg.vmap


def matrix_rank(A, tol=None, hermitian: bool = False, *, rtol=None):  # noqa: N803
    """The number of singular values above ``rtol · max(S)``, or above the absolute ``tol``
    (an integer: not differentiable). ``hermitian`` has no effect on the result."""
    x = _matrix(A, "matrix_rank")
    if tol is not None:
        if rtol is not None:
            raise TypeError("polygrad.numpy.linalg.matrix_rank: give tol or rtol, not both")
        # a count of a comparison: no derivative flows
        return st.sum(ew.greater(svdvals(x), tol), axis=-1)
    return bind(_matrix_rank, (x, rtol), EMPTY)


matrix_rank.primitive = _matrix_rank


def tensordot(x1, x2, /, *, axes=2):
    """``polygrad.numpy.tensordot`` with the signature of the standard (and of NumPy's
    ``linalg.tensordot``)."""
    return _linear_algebra.tensordot(x1, x2, axes)


tensordot.primitive = _linear_algebra.tensordot.primitive


# -- compositions: outer, cross, matrix_power ---------------------------------------------------
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


def matrix_power(a, n: int):
    """``x`` raised to the integer power ``n`` by repeated squaring (``n < 0``: of ``inv(x)``;
    ``n == 0``: the identity, derivative zero)."""
    x = _matrix(a, "matrix_power", square=True)
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
        return st.sum(ew.mask(ew.not_equal(x, 0), ew.real(a)), axis=axis, keepdims=keepdims)
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
