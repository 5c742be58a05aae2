"""NumPy's ``linalg`` functions beyond the standard's extension: lstsq, cond, multi_dot,
tensorinv, tensorsolve, and the ``LinAlgError`` exception.

Compositions of the extension's differentiable functions. Imports the core, the namespace's
category modules and the ``_linalg_*`` modules.
"""

from __future__ import annotations

import math
from typing import Any

from .._backend import use_backend
from .._batching import agreed, per_example
from . import _elementwise as ew
from . import _manipulation as mp
from . import _statistics as st
from ._compat_helpers import _floating
from ._creation import asarray
from ._data_types import finfo
from ._helpers import as_array
from ._linalg_decompositions import svdvals
from ._linalg_solve import inv, pinv, solve
from ._linear_algebra import matmul

__all__ = ["LinAlgError", "lstsq", "cond", "multi_dot", "tensorinv", "tensorsolve"]


class LinAlgError(ValueError):
    """NumPy's linear-algebra error (a ``ValueError``), for code that catches it."""


_LSTSQ = ("polygrad.numpy.linalg.lstsq gives residuals only where a has full column rank, and "
          "the examples' ranks differ; inside vmap solve with np.linalg.pinv(a) @ b and compute "
          "the residuals from it, or loop over the examples")


def lstsq(a: Any, b: Any, rcond: Any = None) -> tuple:
    """``(x, residuals, rank, s)``: the least-squares solution of ``a @ x ≈ b`` (through the
    pseudo-inverse, differentiable), the squared residual norms (empty unless ``a`` has full
    column rank and more rows than columns), the rank and the singular values of ``a``.

    Singular values below ``rcond · max(s)`` count as zero (default ``eps · max(M, N)``).
    """
    a, b = _floating(as_array(a)), _floating(as_array(b))
    if a.ndim != 2:
        raise LinAlgError(f"polygrad.numpy.linalg.lstsq: a must be 2-D, got shape {a.shape}")
    m, n = a.shape
    if b.shape[0] != m:
        raise LinAlgError(f"polygrad.numpy.linalg.lstsq: a has {m} rows, b has {b.shape[0]}")
    real = a.real.dtype if a.dtype.kind == "c" else a.dtype
    if rcond is None:
        rcond = finfo(real).eps * max(m, n)
    s = svdvals(a) if min(m, n) else asarray([], dtype=real, device=a.device)
    rank = st.sum(s > rcond * st.max(s)) if s.shape[0] else 0
    if per_example(rank):   # inside vmap: each example's rank, an int Array
        full = agreed(rank == n, _LSTSQ)
    else:
        rank = int(rank)
        full = rank == n
    x = matmul(pinv(a, rtol=rcond), b) if min(m, n) else (a[:0, :].mT @ b[:0]) * 0
    if full and m > n:
        r = b - matmul(a, x)
        residuals = st.sum(ew.real(r * ew.conj(r)), axis=0)
        if b.ndim == 1:
            residuals = mp.reshape(residuals, (1,))
    else:
        with use_backend(a._backend):
            residuals = asarray([], dtype=real)
    return x, residuals, rank, s


def cond(x: Any, p: Any = None) -> Any:
    """The condition number of ``x`` in the norm ``p`` (None or 2: the ratio of the largest
    to the smallest singular value; -2 its inverse)."""
    x = _floating(as_array(x))
    if p is None or p in (2, -2):
        s = svdvals(x)
        return s[..., 0] / s[..., -1] if p != -2 else s[..., -1] / s[..., 0]
    from .linalg import norm   # linalg imports this module (its public namespace re-exports cond)

    return norm(x, p, axis=(-2, -1)) * norm(inv(x), p, axis=(-2, -1))


def multi_dot(arrays: Any, *, out: Any = None) -> Any:
    """The product of two or more matrices in one call (a 1-D first argument is a row, a 1-D
    last argument a column, and the result drops those axes)."""
    if out is not None:
        raise TypeError("polygrad.numpy.linalg.multi_dot: out= is not supported")
    arrays = [as_array(a) for a in arrays]
    if len(arrays) < 2:
        raise ValueError("polygrad.numpy.linalg.multi_dot: expecting at least two arrays")
    first, last = arrays[0].ndim == 1, arrays[-1].ndim == 1
    if first:
        arrays[0] = mp.reshape(arrays[0], (1, -1))
    if last:
        arrays[-1] = mp.reshape(arrays[-1], (-1, 1))
    out_ = arrays[0]
    for a in arrays[1:]:
        out_ = matmul(out_, a)
    if first and last:
        return mp.reshape(out_, ())
    if first:
        return mp.reshape(out_, (out_.shape[-1],))
    if last:
        return mp.reshape(out_, (out_.shape[0],))
    return out_


def tensorinv(a: Any, ind: int = 2) -> Any:
    """The inverse of ``a`` for ``tensordot`` over its first ``ind`` axes."""
    a = as_array(a)
    if ind <= 0:
        raise ValueError("polygrad.numpy.linalg.tensorinv: ind must be a positive integer")
    old = a.shape
    rows = math.prod(old[:ind])
    return mp.reshape(inv(mp.reshape(a, (rows, -1))), old[ind:] + old[:ind])


def tensorsolve(a: Any, b: Any, axes: Any = None) -> Any:
    """The ``x`` with ``tensordot(a, x, x.ndim) == b``."""
    a, b = as_array(a), as_array(b)
    if axes is not None:
        rest = [d for d in range(a.ndim) if d not in [ax % a.ndim for ax in axes]]
        a = mp.permute_dims(a, tuple(rest + [ax % a.ndim for ax in axes]))
    old = a.shape[b.ndim:]
    n = math.prod(old)
    x = solve(mp.reshape(a, (-1, n)), mp.reshape(b, (-1, 1)))
    return mp.reshape(x, old)
