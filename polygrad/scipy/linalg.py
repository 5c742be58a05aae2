"""``polygrad.scipy.linalg``: SciPy's linear-algebra signatures (``lower=``, ``trans=``,
``(c, lower)`` factor tuples) over ``polygrad.numpy.linalg``, differentiable on every backend.

As in SciPy, the triangular solvers read only the named triangle of ``a``: the other entries
have no influence, so their derivative is zero. ``overwrite_*`` and ``check_finite`` are accepted
for compatibility and change nothing (polygrad never overwrites an input). Imports
``polygrad.numpy``.
"""

from __future__ import annotations

from typing import Any

from .. import numpy as np

__all__ = ["cholesky", "cho_factor", "cho_solve", "solve_triangular", "solve", "inv", "det",
           "eigh", "block_diag"]


def cholesky(a: Any, lower: bool = False, overwrite_a: bool = False,
             check_finite: bool = True) -> Any:
    """The Cholesky factor of a Hermitian positive-definite ``a``: upper ``U`` with
    ``a = Uᴴ U`` by default (SciPy's), lower ``L`` with ``a = L Lᴴ`` when ``lower=True``.

    Examples
    --------
    >>> import polygrad.numpy as np
    >>> from polygrad.scipy.linalg import cholesky
    >>> cholesky(np.asarray([[4.0, 2.0], [2.0, 2.0]])).tolist()
    [[2.0, 1.0], [0.0, 1.0]]
    """
    factor = np.linalg.cholesky(np.asarray(a))
    return factor if lower else np.conj(np.matrix_transpose(factor)) \
        if factor.dtype.kind == "c" else np.matrix_transpose(factor)


def cho_factor(a: Any, lower: bool = False, overwrite_a: bool = False,
               check_finite: bool = True) -> tuple[Any, bool]:
    """``(c, lower)`` for :func:`cho_solve`: the Cholesky factor and which triangle it is."""
    return cholesky(a, lower=lower), lower


def cho_solve(c_and_lower: tuple, b: Any, overwrite_b: bool = False,
              check_finite: bool = True) -> Any:
    """Solve ``a x = b`` given ``cho_factor(a)``: two triangular solves."""
    try:
        c, lower = c_and_lower
    except (TypeError, ValueError):
        raise TypeError("polygrad.scipy.linalg.cho_solve: the first argument must be the pair "
                        "(c, lower) that cho_factor returns") from None
    # a = L Lᴴ: solve L y = b, then Lᴴ x = y (with L = Uᴴ for an upper factor)
    y = solve_triangular(c, b, trans=0 if lower else 2, lower=lower)
    return solve_triangular(c, y, trans=2 if lower else 0, lower=lower)


def solve_triangular(a: Any, b: Any, trans: Any = 0, lower: bool = False,
                     unit_diagonal: bool = False, overwrite_b: bool = False,
                     check_finite: bool = True) -> Any:
    """Solve ``op(a) x = b`` for triangular ``a``, ``op`` the identity (``trans=0`` or ``'N'``),
    the transpose (``1``, ``'T'``) or the conjugate transpose (``2``, ``'C'``)."""
    codes = {0: 0, 1: 1, 2: 2, "N": 0, "T": 1, "C": 2}
    if trans not in codes:
        raise ValueError(f"polygrad.scipy.linalg.solve_triangular: trans must be 0, 1, 2, 'N', "
                         f"'T' or 'C', got {trans!r}")
    a, b = np.asarray(a), np.asarray(b)
    if a.ndim != 2 or a.shape[0] != a.shape[1]:
        raise ValueError(f"polygrad.scipy.linalg.solve_triangular: a must be a square matrix, "
                         f"got shape {a.shape}")
    t = np.tril(a) if lower else np.triu(a)
    if unit_diagonal:
        eye = np.eye(a.shape[0], dtype=a.dtype)
        t = t * (1 - eye) + eye
    code = codes[trans]
    if code:
        t = np.matrix_transpose(t)
        if code == 2 and t.dtype.kind == "c":
            t = np.conj(t)
    vector = b.ndim == 1
    x = np.linalg.solve(t, b[:, None] if vector else b)
    return x[:, 0] if vector else x


def solve(a: Any, b: Any, lower: bool = False, overwrite_a: bool = False,
          overwrite_b: bool = False, check_finite: bool = True, assume_a: str | None = None,
          transposed: bool = False) -> Any:
    """Solve ``a x = b`` (SciPy's signature; ``transposed=True`` solves ``aᵀ x = b``)."""
    a, b = np.asarray(a), np.asarray(b)
    if transposed:
        a = np.matrix_transpose(a)
    vector = b.ndim == 1
    x = np.linalg.solve(a, b[:, None] if vector else b)
    return x[:, 0] if vector else x


def inv(a: Any, overwrite_a: bool = False, check_finite: bool = True) -> Any:
    """The inverse of a square matrix."""
    return np.linalg.inv(a)


def det(a: Any, overwrite_a: bool = False, check_finite: bool = True) -> Any:
    """The determinant of a square matrix."""
    return np.linalg.det(a)


def eigh(a: Any, b: Any = None, *, lower: bool = True, eigvals_only: bool = False,
         overwrite_a: bool = False, overwrite_b: bool = False, type: int = 1,  # noqa: A002
         check_finite: bool = True, subset_by_index: Any = None, subset_by_value: Any = None,
         driver: Any = None) -> Any:
    """Eigenvalues (ascending) and eigenvectors of a Hermitian matrix, reading its ``lower``
    (default) or upper triangle, as SciPy's; ``(w, v)``, or ``w`` with ``eigvals_only=True``.
    The generalized problem (``b``) and the subsets are not supported."""
    if b is not None or subset_by_index is not None or subset_by_value is not None:
        raise NotImplementedError(
            "polygrad.scipy.linalg.eigh: the generalized problem (b) and eigenvalue subsets are "
            "not supported; solve the standard problem, e.g. with cholesky(b) and two "
            "triangular solves")
    a = np.asarray(a)
    part = np.tril(a, k=-1) if lower else np.triu(a, k=1)
    diagonal = np.real(np.diagonal(a)) if a.dtype.kind == "c" else np.diagonal(a)
    partner = np.conj(np.matrix_transpose(part)) if a.dtype.kind == "c" else \
        np.matrix_transpose(part)
    hermitian = part + partner + np.astype(np.diag(diagonal), a.dtype)
    w, v = np.linalg.eigh(hermitian)
    return w if eigvals_only else (w, v)


def block_diag(*arrs: Any) -> Any:
    """A block-diagonal matrix of the given 2-D (or smaller) arrays, as SciPy's.

    Examples
    --------
    >>> import polygrad.numpy as np
    >>> from polygrad.scipy.linalg import block_diag
    >>> block_diag(np.asarray([[1.0]]), np.asarray([[2.0, 3.0]])).tolist()
    [[1.0, 0.0, 0.0], [0.0, 2.0, 3.0]]
    """
    if not arrs:
        return np.zeros((1, 0))
    blocks = [np.asarray(a) for a in arrs]
    blocks = [b.reshape(1, -1) if b.ndim < 2 else b for b in blocks]
    if any(b.ndim != 2 for b in blocks):
        raise ValueError("polygrad.scipy.linalg.block_diag: arguments must have two or fewer "
                         "dimensions")
    dtype = np.result_type(*blocks)
    width = sum(b.shape[1] for b in blocks)
    rows, left = [], 0
    for b in blocks:
        right = width - left - b.shape[1]
        rows.append(np.concat([np.zeros((b.shape[0], left), dtype=dtype), np.astype(b, dtype),
                               np.zeros((b.shape[0], right), dtype=dtype)], axis=1))
        left += b.shape[1]
    return np.concat(rows, axis=0)
