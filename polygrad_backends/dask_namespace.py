"""The dask backend's Array API namespace: array-api-compat's ``dask.array`` with ``linalg``,
``fft`` and ``reshape`` that always work, lazily.

Dask's own ``linalg`` covers a few tall-and-skinny or square-chunked cases, and its ``fft`` needs
every transformed axis in one chunk. Here each ``linalg`` function runs NumPy's (array-api-compat's)
function with ``dask.array.apply_gufunc``: the matrix axes are gathered into one chunk, a stack of
matrices stays chunked along its batch axes, and the batches run in parallel. Each ``fft``
function first gathers its axes into one chunk. So one matrix (or one signal) must fit in a
worker's memory. Imports Dask, NumPy and array-api-compat; imported by ``DaskBackend.load``.
"""

from __future__ import annotations

from typing import Any

import array_api_compat.dask.array as dxp
import array_api_compat.numpy as nxp
import dask.array as da
import numpy

__all__ = ["namespace", "DaskNamespace"]


def _dtypes(fn: Any, *args: Any, **kw: Any) -> list:
    """The output dtypes of ``fn`` on arrays of ``args``' dtypes (tried on 2×2 identities)."""
    samples = [numpy.eye(2, dtype=a.dtype) if a.ndim > 1 else numpy.ones(2, dtype=a.dtype)
               for a in args]
    out = fn(*samples, **kw)
    return [numpy.asarray(o).dtype for o in (out if isinstance(out, tuple) else (out,))]


def _gufunc(fn: Any, signature: str, *args: Any, sizes: dict | None = None, **kw: Any) -> Any:
    """``fn`` (NumPy, broadcasting over leading axes) applied lazily over the batch chunks."""
    dtypes = _dtypes(fn, *args, **kw)
    return da.apply_gufunc(fn, signature, *args, output_dtypes=dtypes if len(dtypes) > 1
                           else dtypes[0], output_sizes=sizes, allow_rechunk=True, **kw)


def _k(x: Any) -> dict:
    return {"k": min(x.shape[-2], x.shape[-1])}


class Linalg:
    """``linalg`` functions as lazy generalized ufuncs over NumPy's (one matrix per chunk)."""

    def __getattr__(self, name: str) -> Any:
        return getattr(dxp.linalg, name)

    def cholesky(self, x, /, *, upper=False):
        return _gufunc(nxp.linalg.cholesky, "(m,m)->(m,m)", x, upper=upper)

    def det(self, x, /):
        return _gufunc(nxp.linalg.det, "(m,m)->()", x)

    def slogdet(self, x, /):
        return nxp.linalg.SlogdetResult(*_gufunc(nxp.linalg.slogdet, "(m,m)->(),()", x))

    def inv(self, x, /):
        return _gufunc(nxp.linalg.inv, "(m,m)->(m,m)", x)

    def solve(self, x1, x2, /):
        if x2.ndim == 1:
            return _gufunc(nxp.linalg.solve, "(m,m),(m)->(m)", x1, x2)
        return _gufunc(nxp.linalg.solve, "(m,m),(m,n)->(m,n)", x1, x2)

    def eigh(self, x, /):
        return nxp.linalg.EighResult(*_gufunc(nxp.linalg.eigh, "(m,m)->(m),(m,m)", x))

    def eig(self, x, /):
        return tuple(_gufunc(numpy.linalg.eig, "(m,m)->(m),(m,m)", x))

    def svd(self, x, /, *, full_matrices=True):
        sig = "(m,n)->(m,m),(k),(n,n)" if full_matrices else "(m,n)->(m,k),(k),(k,n)"
        return nxp.linalg.SVDResult(*_gufunc(nxp.linalg.svd, sig, x, sizes=_k(x),
                                             full_matrices=full_matrices))

    def svdvals(self, x, /):
        return _gufunc(nxp.linalg.svdvals, "(m,n)->(k)", x, sizes=_k(x))

    def qr(self, x, /, *, mode="reduced"):
        sig = "(m,n)->(m,k),(k,n)" if mode == "reduced" else "(m,n)->(m,m),(m,n)"
        return nxp.linalg.QRResult(*_gufunc(nxp.linalg.qr, sig, x, sizes=_k(x), mode=mode))

    def pinv(self, x, /, *, rtol=None):
        return _gufunc(nxp.linalg.pinv, "(m,n)->(n,m)", x, rtol=rtol)

    def matrix_rank(self, x, /, *, rtol=None):
        return _gufunc(nxp.linalg.matrix_rank, "(m,n)->()", x, rtol=rtol)


def _one_chunk(x: Any, axes: Any) -> Any:
    axes = range(x.ndim) if axes is None else axes
    return x.rechunk({a % x.ndim: -1 for a in axes})


class FFT:
    """``fft`` functions with their axes gathered into one chunk first (Dask's requirement)."""

    def __getattr__(self, name: str) -> Any:
        return getattr(dxp.fft, name)

    def fftn(self, x, /, *, s=None, axes=None, norm="backward"):
        return dxp.fft.fftn(_one_chunk(x, axes), s=s, axes=axes, norm=norm)

    def ifftn(self, x, /, *, s=None, axes=None, norm="backward"):
        return dxp.fft.ifftn(_one_chunk(x, axes), s=s, axes=axes, norm=norm)

    def rfftn(self, x, /, *, s=None, axes=None, norm="backward"):
        return dxp.fft.rfftn(_one_chunk(x, axes), s=s, axes=axes, norm=norm)

    def irfftn(self, x, /, *, s=None, axes=None, norm="backward"):
        return dxp.fft.irfftn(_one_chunk(x, axes), s=s, axes=axes, norm=norm)


class DaskNamespace:
    """array-api-compat's ``dask.array`` namespace with the ``linalg`` and ``fft`` above, and a
    ``reshape`` that always works."""

    __name__ = "polygrad_backends.dask_namespace"
    linalg = Linalg()
    fft = FFT()

    @staticmethod
    def reshape(x, /, shape, *, copy=None):
        try:
            return dxp.reshape(x, shape, copy=copy)
        except NotImplementedError:   # dask only merges or splits axes evenly: merge all, split
            return dxp.reshape(dxp.reshape(x, (-1,)), shape, copy=copy)

    def __getattr__(self, name: str) -> Any:
        value = getattr(dxp, name)
        setattr(self, name, value)   # cached: later lookups are plain attribute reads
        return value


def namespace() -> DaskNamespace:
    return DaskNamespace()
