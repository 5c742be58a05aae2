"""``polygrad.scipy.linalg``: SciPy's linear-algebra signatures (``lower=``, ``trans=``,
``(c, lower)`` factor tuples) over ``polygrad.numpy.linalg``, differentiable on every backend.

As in SciPy, the triangular solvers read only the named triangle of ``a``: the other entries
have no influence, so their derivative is zero. ``overwrite_*`` and ``check_finite`` are accepted
for compatibility and change nothing (polygrad never overwrites an input). Imports
``polygrad.numpy``.

``lu`` is a primitive (``linalg_lu``) whose kernel is SciPy's on NumPy (and array-api-strict,
through a host copy), ``torch.linalg.lu`` on torch and ``jax.scipy.linalg.lu`` on JAX; another
backend supplies ``Backend.kernels["linalg_lu"]``. ``expm`` is a composition (SciPy's Padé
approximant with scaling and squaring, written against the namespace), so it runs on every
backend and its derivatives are those of the approximant (as JAX's ``expm``). ``sqrtm`` and
``logm`` are primitives whose kernels are SciPy's on a host copy (NumPy, array-api-strict, JAX,
torch on the CPU; another backend or device supplies ``Backend.kernels["linalg_sqrtm"]`` /
``["linalg_logm"]``); their derivatives solve the Sylvester equation ``X dX + dX X = dA`` and the
inverse of exp's Fréchet derivative, written as n²×n² linear systems (exact, O(n⁶): meant for
the small matrices these functions are used on).
"""

from __future__ import annotations

import math
from typing import Any

from .. import numpy as np
from .._batching import max_over_batch, trailing_rule
from .._primitive import defbatch, defjvp, defvjp, primitive
from .._trace import bind
from ..numpy._compat_helpers import _floating

__all__ = ["cholesky", "cho_factor", "cho_solve", "solve_triangular", "solve", "inv", "det",
           "eigh", "block_diag", "lu", "lu_factor", "lu_solve", "expm", "sqrtm", "logm"]


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


# -- lu, lu_factor, lu_solve ---------------------------------------------------------------------
def _lu_kernel(xp: Any) -> Any:
    """(P, L, U) with a = P L U, P in a's dtype, from the library's LU (partial pivoting)."""
    name = getattr(xp, "__name__", "")
    if name == "array_api_compat.torch":
        import torch

        return lambda x: tuple(torch.linalg.lu(x))
    if name == "jax.numpy":
        import jax
        import jax.scipy.linalg

        def lu_jax(x):   # jax.scipy.linalg.lu factors one matrix: vmap over the stack
            if x.ndim == 2:
                return tuple(jax.scipy.linalg.lu(x))
            flat = jax.vmap(jax.scipy.linalg.lu)(x.reshape((-1,) + x.shape[-2:]))
            return tuple(m.reshape(x.shape[:-2] + m.shape[-2:]) for m in flat)
        return lu_jax
    if name in ("array_api_compat.numpy", "numpy", "array_api_strict"):
        import numpy
        import scipy.linalg

        def lu_host(x):
            host = numpy.asarray(x)
            p, l, u = scipy.linalg.lu(host)
            return tuple(xp.asarray(numpy.asarray(m, dtype=host.dtype)) for m in (p, l, u))
        return lu_host

    def missing(x):
        raise NotImplementedError(
            f"polygrad.scipy.linalg.lu: the backend's namespace {name or xp!r} has no LU kernel "
            f"polygrad knows; the backend must supply Backend.kernels['linalg_lu'] (a function "
            f"of a (stack of) matrices returning (P, L, U) with a = P @ L @ U)")
    return missing


_T = np.matrix_transpose


def _left(a, b):    # a⁻¹ b
    return np.linalg.solve(a, b)


def _right(b, a):   # b a⁻¹
    return _T(np.linalg.solve(_T(a), _T(b)))


def _lu_square_jvp(l, u, pt):
    # F = L⁻¹ pt U⁻¹ = L⁻¹dL + dU U⁻¹ (strictly lower + upper): dL = L tril(F, −1), dU = triu(F) U
    f = _right(_left(l, pt), u)
    return l @ np.tril(f, k=-1), np.triu(f) @ u


def _lu_square_vjp(l, u, gl, gu):
    # the transpose: p̄t = L⁻ᵀ (tril(Lᵀ L̄, −1) + triu(Ū Uᵀ)) U⁻ᵀ
    m = np.tril(_T(l) @ gl, k=-1) + np.triu(gu @ _T(u))
    return _right(_left(_T(l), m), _T(u))


def _lu_jvp(t, ans, x):
    # a = P L U, pt = Pᵀ da = dL U + L dU; the leading k×k blocks as a square LU, the rest
    # (rows of a tall L, columns of a wide U) from the remaining block rows/columns.
    # Holomorphic: plain transposes, complex too.
    p, l, u = ans
    m, n = x.shape[-2:]
    pt = _T(p) @ t
    if m >= n:
        dl1, du = _lu_square_jvp(l[..., :n, :], u, pt[..., :n, :])
        if m == n:
            return np.zeros_like(p), dl1, du
        dl2 = _right(pt[..., n:, :] - l[..., n:, :] @ du, u)
        return np.zeros_like(p), np.concat([dl1, dl2], axis=-2), du
    dl, du1 = _lu_square_jvp(l, u[..., :, :m], pt[..., :, :m])
    du2 = _left(l, pt[..., :, m:] - dl @ u[..., :, m:])
    return np.zeros_like(p), dl, np.concat([du1, du2], axis=-1)


def _lu_vjp(g, ans, x):
    _, gl, gu = g
    p, l, u = ans
    m, n = x.shape[-2:]
    if m >= n:
        if m == n:
            return p @ _lu_square_vjp(l, u, gl, gu)
        g_pt2 = _right(gl[..., n:, :], _T(u))                  # L̄₂ U⁻ᵀ
        gu = gu - _T(l[..., n:, :]) @ g_pt2
        g_pt1 = _lu_square_vjp(l[..., :n, :], u, gl[..., :n, :], gu)
        return p @ np.concat([g_pt1, g_pt2], axis=-2)
    g_pt2 = _left(_T(l), gu[..., :, m:])                       # L⁻ᵀ Ū₂
    gl = gl - g_pt2 @ _T(u[..., :, m:])
    g_pt1 = _lu_square_vjp(l, u[..., :, :m], gl, gu[..., :, :m])
    return p @ np.concat([g_pt1, g_pt2], axis=-1)


_lu = primitive("linalg_lu", _lu_kernel, multiple_results=True)
defbatch(_lu, trailing_rule(_lu))   # pg.vmap
defvjp(_lu, _lu_vjp)
defjvp(_lu, _lu_jvp)


def _as_floating(a: Any, fname: str) -> Any:
    a = np.asarray(a)
    if a.ndim < 2:
        raise ValueError(f"polygrad.scipy.linalg.{fname}: a must be a (stack of) matrices, got "
                         f"shape {a.shape}")
    return _floating(a)


def lu(a: Any, permute_l: bool = False, overwrite_a: bool = False, check_finite: bool = True,
       p_indices: bool = False) -> tuple:
    """LU decomposition with partial pivoting, as SciPy's: ``(p, l, u)`` with
    ``a = p @ l @ u``; ``(p @ l, u)`` with ``permute_l=True``; ``p`` as row indices (an integer
    array, ``a = l[p] @ u``) with ``p_indices=True``. ``l`` is unit lower triangular (M×K) and
    ``u`` upper (K×N), K = min(M, N); stacks of matrices are factored one by one.

    ``l`` and ``u`` are differentiable, for square and rectangular ``a`` (the pivoting is
    locally constant, so the derivative is that of the factorization with the pivots fixed; it
    needs the leading min(M, N) columns' factor ``u`` invertible); ``p`` has derivative zero.

    Examples
    --------
    >>> import polygrad.numpy as np
    >>> from polygrad.scipy.linalg import lu
    >>> p, l, u = lu(np.asarray([[1.0, 2.0], [3.0, 4.0]]))
    >>> p.tolist(), u.tolist()
    ([[0.0, 1.0], [1.0, 0.0]], [[3.0, 4.0], [0.0, 0.6666666666666667]])
    """
    x = _as_floating(a, "lu")
    p, l, u = bind(_lu, (x,), {})
    if permute_l:
        return p @ l, u
    if p_indices:
        p = np.argmax(np.real(p) if p.dtype.kind == "c" else p, axis=-1)
    return p, l, u


def _pivots_of(perm):
    """LAPACK's pivot indices (row i was swapped with row piv[i], in order) of the permutation
    with a[perm] = L U."""
    import numpy

    perm = numpy.asarray(perm)
    piv = numpy.empty(perm.shape, dtype=numpy.int32)
    for index in numpy.ndindex(perm.shape[:-1]):
        rows = list(range(perm.shape[-1]))
        where = {r: r for r in rows}
        for i, target in enumerate(perm[index]):
            j = where[target]
            piv[index + (i,)] = j
            rows[i], rows[j] = rows[j], rows[i]
            where[rows[i]], where[rows[j]] = i, j
    return piv


def _permutation_of(piv):
    import numpy

    piv = numpy.asarray(piv)
    perm = numpy.empty(piv.shape, dtype=numpy.int64)
    for index in numpy.ndindex(piv.shape[:-1]):
        rows = list(range(piv.shape[-1]))
        for i, j in enumerate(piv[index]):
            rows[i], rows[int(j)] = rows[int(j)], rows[i]
        perm[index] = rows
    return perm


def lu_factor(a: Any, overwrite_a: bool = False, check_finite: bool = True) -> tuple:
    """``(lu, piv)`` as SciPy's: ``lu`` holds ``u`` in its upper triangle and ``l``'s strict
    lower triangle (unit diagonal implied), ``piv`` LAPACK's pivot indices (0-based: row ``i``
    was interchanged with row ``piv[i]``). ``lu`` is differentiable; use it with
    :func:`lu_solve`.

    Examples
    --------
    >>> import polygrad.numpy as np
    >>> from polygrad.scipy.linalg import lu_factor
    >>> lu_, piv = lu_factor(np.asarray([[1.0, 2.0], [3.0, 4.0]]))
    >>> piv.tolist()
    [1, 1]
    """
    x = _as_floating(a, "lu_factor")
    p, l, u = bind(_lu, (x,), {})
    k = min(x.shape[-2:])
    combined = _pad_cols(np.tril(l, k=-1), x.shape[-1]) + _pad_rows(u, x.shape[-2])
    real_p = np.real(p) if p.dtype.kind == "c" else p
    piv = _pivots_of(_host(np.argmax(real_p, axis=-2)))[..., :k]   # a[perm] = L U
    return combined, np.asarray(piv, device=x.device)


def _host(x):
    import numpy

    return numpy.asarray(np.stop_gradient(x).tolist())


def _pad_cols(m, n):
    extra = n - m.shape[-1]
    if extra <= 0:
        return m
    return np.concat([m, np.zeros(m.shape[:-1] + (extra,), dtype=m.dtype)], axis=-1)


def _pad_rows(m, n):
    extra = n - m.shape[-2]
    if extra <= 0:
        return m
    return np.concat([m, np.zeros(m.shape[:-2] + (extra, m.shape[-1]), dtype=m.dtype)],
                     axis=-2)


def lu_solve(lu_and_piv: tuple, b: Any, trans: Any = 0, overwrite_b: bool = False,
             check_finite: bool = True) -> Any:
    """Solve ``a x = b`` (``trans=0``), ``aᵀ x = b`` (1) or ``aᴴ x = b`` (2) from
    :func:`lu_factor`'s ``(lu, piv)``; differentiable with respect to ``lu`` and ``b``."""
    try:
        packed, piv = lu_and_piv
    except (TypeError, ValueError):
        raise TypeError("polygrad.scipy.linalg.lu_solve: the first argument must be the pair "
                        "(lu, piv) that lu_factor returns") from None
    if trans not in (0, 1, 2) or isinstance(trans, bool):
        raise ValueError(f"polygrad.scipy.linalg.lu_solve: trans must be 0, 1 or 2 (as SciPy's), "
                         f"got {trans!r}")
    code = trans
    packed, b = np.asarray(packed), np.asarray(b)
    if packed.ndim != 2 or packed.shape[0] != packed.shape[1]:
        raise ValueError(f"polygrad.scipy.linalg.lu_solve: lu must be a square matrix, got "
                         f"shape {packed.shape}")
    n = packed.shape[0]
    if b.shape[0] != n:
        raise ValueError(f"polygrad.scipy.linalg.lu_solve: b has {b.shape[0]} rows, lu has {n}")
    perm = _permutation_of(_host(np.asarray(piv)))
    with_perm = np.asarray(perm, device=packed.device)
    # a = P L U with a[perm] = L U
    if code == 0:
        y = solve_triangular(packed, b[with_perm], lower=True, unit_diagonal=True)
        return solve_triangular(packed, y)
    y = solve_triangular(packed, b, trans=code)
    x = solve_triangular(packed, y, trans=code, lower=True, unit_diagonal=True)
    import numpy

    return x[np.asarray(numpy.argsort(perm), device=packed.device)]


# -- expm ---------------------------------------------------------------------------------------
# Al-Mohy & Higham (2009), as SciPy's: the lowest Padé degree m whose θ_m bounds the 1-norm,
# else degree 13 after scaling a by 2^-s, then s squarings.
_PADE = {
    3: (120.0, 60.0, 12.0, 1.0),
    5: (30240.0, 15120.0, 3360.0, 420.0, 30.0, 1.0),
    7: (17297280.0, 8648640.0, 1995840.0, 277200.0, 25200.0, 1512.0, 56.0, 1.0),
    9: (17643225600.0, 8821612800.0, 2075673600.0, 302702400.0, 30270240.0, 2162160.0,
        110880.0, 3960.0, 90.0, 1.0),
    13: (64764752532480000.0, 32382376266240000.0, 7771770303897600.0, 1187353796428800.0,
         129060195264000.0, 10559470521600.0, 670442572800.0, 33522128640.0, 1323241920.0,
         40840800.0, 960960.0, 16380.0, 182.0, 1.0),
}
_THETA = {3: 1.495585217958292e-2, 5: 2.539398330063230e-1, 7: 9.504178996162932e-1,
          9: 2.097847961257068e0, 13: 5.371920351148152e0}


def expm(A: Any) -> Any:  # noqa: N803
    """The matrix exponential of a (stack of) square matrices, as SciPy's (Padé approximation
    with scaling and squaring, the degree and scaling chosen from the 1-norm).

    A composition of matmul and solve, so it runs on every backend; its derivatives are those of
    the approximant, which agree with the exact Fréchet derivative to the approximation's
    accuracy (JAX's ``expm`` is differentiated the same way). The degree and scaling read the
    norm's value: they are locally constant.

    Examples
    --------
    >>> import polygrad.numpy as np
    >>> from polygrad.scipy.linalg import expm
    >>> expm(np.asarray([[0.0, 1.0], [0.0, 0.0]])).tolist()
    [[1.0, 1.0], [0.0, 1.0]]
    """
    a = _as_floating(A, "expm")
    if a.shape[-1] != a.shape[-2]:
        raise ValueError(f"polygrad.scipy.linalg.expm: A must be a (stack of) square matrices, "
                         f"got shape {a.shape}")
    n = a.shape[-1]
    if n == 0:
        return a
    # (inside vmap: the largest norm of the batch, so that every example takes one degree)
    norm = max_over_batch(np.stop_gradient(np.max(np.sum(np.abs(a), axis=-2))))
    eye = np.eye(n, dtype=a.dtype)
    for m in (3, 5, 7, 9):
        if norm <= _THETA[m]:
            u, v = _pade(a, eye, m)
            return _pade_solve(u, v)
    s = max(0, math.ceil(math.log2(norm / _THETA[13]))) if norm > 0 else 0
    a = a / (2.0 ** s)
    r = _pade_solve(*_pade13(a, eye))
    for _ in range(s):
        r = r @ r
    return r


def _pade(a, eye, m):
    b = _PADE[m]
    a2 = a @ a
    power = eye
    odd, even = b[1] * eye, b[0] * eye
    for j in range(1, m // 2 + 1):
        power = power @ a2
        odd = odd + b[2 * j + 1] * power
        even = even + b[2 * j] * power
    return a @ odd, even


def _pade13(a, eye):
    b = _PADE[13]
    a2 = a @ a
    a4 = a2 @ a2
    a6 = a4 @ a2
    u = a @ (a6 @ (b[13] * a6 + b[11] * a4 + b[9] * a2)
             + b[7] * a6 + b[5] * a4 + b[3] * a2 + b[1] * eye)
    v = (a6 @ (b[12] * a6 + b[10] * a4 + b[8] * a2)
         + b[6] * a6 + b[4] * a4 + b[2] * a2 + b[0] * eye)
    return u, v


def _pade_solve(u, v):
    return np.linalg.solve(v - u, v + u)


# -- sqrtm, logm ----------------------------------------------------------------------------------
def _host_matrix_function(fname: str, prim_name: str):
    """A kernel factory running ``scipy.linalg.<fname>`` matrix by matrix on a host copy; a
    real input keeps a real result, and one whose principal value is not real is an error."""
    def factory(xp: Any) -> Any:
        name = getattr(xp, "__name__", "")
        known = ("array_api_compat.numpy", "numpy", "array_api_strict", "array_api_compat.torch",
                 "jax.numpy")

        def kernel(x):
            if name not in known or (name == "array_api_compat.torch"
                                     and x.device.type != "cpu"):
                raise NotImplementedError(
                    f"polygrad.scipy.linalg.{fname}: the kernel runs SciPy on a host copy of "
                    f"NumPy, array-api-strict, JAX or CPU torch arrays, not on {name or xp!r} "
                    f"here; the backend must supply Backend.kernels[{prim_name!r}]")
            import numpy
            import scipy.linalg

            host = numpy.asarray(x.detach() if hasattr(x, "detach") else x)
            out = numpy.empty(host.shape, dtype=numpy.result_type(host.dtype, numpy.complex64))
            for index in numpy.ndindex(host.shape[:-2]):
                out[index] = getattr(scipy.linalg, fname)(host[index])
            if host.dtype.kind != "c":
                scale = max(float(numpy.abs(out).max(initial=0.0)), 1.0)
                if numpy.abs(out.imag).max(initial=0.0) > 1e3 * numpy.finfo(host.dtype).eps * scale:
                    raise ValueError(
                        f"polygrad.scipy.linalg.{fname}: this real matrix has no real principal "
                        f"{'square root' if fname == 'sqrtm' else 'logarithm'} (an eigenvalue "
                        f"on the closed negative real axis); pass it as a complex matrix")
                out = out.real
            return xp.asarray(numpy.ascontiguousarray(out.astype(host.dtype)))
        return kernel
    return factory


def _vec(m):
    return np.reshape(m, m.shape[:-2] + (m.shape[-1] * m.shape[-2],))


def _unvec(v, like):
    return np.reshape(v, like.shape)


def _left_right(x):
    """(Lk, Rk), n²×n² with vec(X E) = Lk vec(E) and vec(E X) = Rk vec(E) (row-major vec)."""
    n = x.shape[-1]
    eye = np.eye(n, dtype=x.dtype)
    lk = x[..., :, None, :, None] * eye[None, :, None, :]
    rk = eye[:, None, :, None] * np.matrix_transpose(x)[..., None, :, None, :]
    shape = x.shape[:-2] + (n * n, n * n)
    return np.reshape(lk, shape), np.reshape(rk, shape)


def _sylvester_system(x):
    """K with vec(X E + E X) = K vec(E): the derivative of E ↦ (X + E)² at X."""
    lk, rk = _left_right(x)
    return lk + rk


def _exp_frechet_system(l):
    """K with vec(L_exp(L, E)) = K vec(E), L_exp(L, E) = ∫₀¹ e^{sL} E e^{(1−s)L} ds: the
    upper-right block of expm([[Rk, I], [0, Lk]])."""
    lk, rk = _left_right(l)
    m = lk.shape[-1]
    eye = np.eye(m, dtype=l.dtype)
    zeros = np.zeros(lk.shape, dtype=l.dtype)
    big = np.concat([np.concat([rk, np.broadcast_to(eye, lk.shape)], axis=-1),
                     np.concat([zeros, lk], axis=-1)], axis=-2)
    return expm(big)[..., :m, m:]


def _solve_vec(k, e):
    return _unvec(np.linalg.solve(k, _vec(e)[..., None])[..., 0], e)


def _solve_vec_t(k, g):
    return _unvec(np.linalg.solve(np.matrix_transpose(k), _vec(g)[..., None])[..., 0], g)


_sqrtm = primitive("linalg_sqrtm", _host_matrix_function("sqrtm", "linalg_sqrtm"))
defbatch(_sqrtm, trailing_rule(_sqrtm))   # pg.vmap
# X² = A: X dX + dX X = dA; the VJP is the transpose (holomorphic: complex too)
defjvp(_sqrtm, lambda t, ans, x: _solve_vec(_sylvester_system(ans), t))
defvjp(_sqrtm, lambda g, ans, x: _solve_vec_t(_sylvester_system(ans), g))

_logm = primitive("linalg_logm", _host_matrix_function("logm", "linalg_logm"))
defbatch(_logm, trailing_rule(_logm))   # pg.vmap
# exp(L) = A: dA = L_exp(L, dL), so dL = L_exp(L, ·)⁻¹ dA
defjvp(_logm, lambda t, ans, x: _solve_vec(_exp_frechet_system(ans), t))
defvjp(_logm, lambda g, ans, x: _solve_vec_t(_exp_frechet_system(ans), g))


def _square(a: Any, fname: str) -> Any:
    x = _as_floating(a, fname)
    if x.shape[-1] != x.shape[-2]:
        raise ValueError(f"polygrad.scipy.linalg.{fname}: A must be a (stack of) square "
                         f"matrices, got shape {x.shape}")
    return x


def sqrtm(A: Any, disp: Any = None, blocksize: Any = None) -> Any:  # noqa: N803
    """The principal square root of a (stack of) square matrices, as SciPy's (``disp`` and
    ``blocksize`` are accepted and ignored). A real matrix gives a real root, and one without a
    real principal root (an eigenvalue on the negative real axis) is a ValueError: pass it as
    complex. The derivative solves ``X dX + dX X = dA`` (exact; needs no eigenvalue pair with
    λᵢ^½ + λⱼ^½ = 0, i.e. a singular A has none).

    Examples
    --------
    >>> import polygrad.numpy as np
    >>> from polygrad.scipy.linalg import sqrtm
    >>> sqrtm(np.asarray([[4.0, 0.0], [0.0, 9.0]])).tolist()
    [[2.0, 0.0], [0.0, 3.0]]
    """
    return bind(_sqrtm, (_square(A, "sqrtm"),), {})


def logm(A: Any, disp: Any = None) -> Any:  # noqa: N803
    """The principal logarithm of a (stack of) square matrices, as SciPy's (``disp`` is accepted
    and ignored). A real matrix gives a real logarithm, and one without a real principal
    logarithm is a ValueError: pass it as complex. The derivative inverts exp's Fréchet
    derivative at ``logm(A)`` (exact up to the accuracy of ``expm``).

    Examples
    --------
    >>> import polygrad.numpy as np
    >>> from polygrad.scipy.linalg import logm
    >>> logm(np.asarray([[1.0, 1.0], [0.0, 1.0]])).tolist()
    [[0.0, 1.0], [0.0, 0.0]]
    """
    return bind(_logm, (_square(A, "logm"),), {})
