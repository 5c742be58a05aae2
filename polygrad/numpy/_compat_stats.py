"""NumPy's statistics and counting beyond the standard: cov, corrcoef, histogram, histogram2d,
histogramdd, histogram_bin_edges, bincount, digitize, and the window functions.

cov, corrcoef and the windows compose differentiable functions; the counts are integer arrays
on the argument's backend (weighted counts are differentiable in the weights). Bin edges are
NumPy's own, computed on the host from the data's values. Imports the core, the namespace's
category modules and the compat helpers.
"""

from __future__ import annotations

import builtins
import math
from typing import Any

from .._backend import get_default_dtype, use_backend
from . import _elementwise as ew
from . import _manipulation as mp
from . import _statistics as st
from ._compat_helpers import _floating
from ._creation import arange, asarray, ones
from ._data_types import astype
from ._helpers import Array, as_array
from ._searching import searchsorted
from ._compat_shape import atleast_2d
from ._compat_products import diagonal
from ._compat_ufuncs import i0

__all__ = ["cov", "corrcoef", "histogram", "histogram_bin_edges", "histogram2d", "histogramdd",
           "bincount", "digitize", "bartlett", "blackman", "hamming", "hanning", "kaiser"]


def _host(x: Array) -> Any:
    """NumPy copy of ``x``'s values (the derivative, if any, is not followed)."""
    # function-level: the package itself: complete only after every section module
    from . import stop_gradient

    return stop_gradient(x).asnumpy()


def cov(m: Any, y: Any = None, rowvar: bool = True, bias: bool = False, ddof: Any = None,
        fweights: Any = None, aweights: Any = None, *, dtype: Any = None) -> Any:
    """The covariance matrix of the variables in the rows (columns without ``rowvar``) of
    ``m`` (and ``y``), with frequency and analytic weights; differentiable."""

    x = _floating(as_array(m))
    if x.ndim > 2:
        raise ValueError("polygrad.numpy.cov: m has more than 2 dimensions")
    x = atleast_2d(x)
    if not rowvar and x.shape[0] != 1:
        x = mp.permute_dims(x, (1, 0))
    if y is not None:
        y = atleast_2d(_floating(as_array(y)))
        if not rowvar and y.shape[0] != 1:
            y = mp.permute_dims(y, (1, 0))
        x = mp.concat([x, astype(y, x.dtype) if y.dtype != x.dtype else y], axis=0)
    if dtype is not None:
        x = astype(x, dtype)
    if ddof is None:
        ddof = 0 if bias else 1
    w = None
    if fweights is not None:
        w = astype(as_array(fweights), x.real.dtype if x.dtype.kind == "c" else x.dtype)
    if aweights is not None:
        aw = astype(as_array(aweights), x.real.dtype if x.dtype.kind == "c" else x.dtype)
        w = aw if w is None else w * aw
    n = x.shape[1]
    if w is None:
        avg = st.mean(x, axis=1)
        fact = float(n - ddof)
    else:
        w_sum = st.sum(w)
        avg = st.sum(x * w, axis=1) / w_sum
        if ddof == 0:
            fact = w_sum
        elif aweights is None:
            fact = w_sum - ddof
        else:
            fact = w_sum - ddof * st.sum(w * aw) / w_sum
    fact = max(fact, 0.0) if isinstance(fact, float) else ew.maximum(fact, 0.0)
    x = x - mp.expand_dims(avg, axis=1)
    xt = mp.permute_dims(x * w if w is not None else x, (1, 0))
    c = (x @ ew.conj(xt)) / fact
    ones_at = tuple(d for d in range(c.ndim) if c.shape[d] == 1)
    return mp.squeeze(c, axis=ones_at) if ones_at else c


def corrcoef(x: Any, y: Any = None, rowvar: bool = True, *, dtype: Any = None) -> Any:
    """Pearson correlation coefficients (``cov`` normalised by the standard deviations)."""
    c = cov(x, y, rowvar, dtype=dtype)
    if c.ndim == 0:
        return c / c

    d = ew.sqrt(ew.real(diagonal(c)))
    c = c / mp.expand_dims(d, axis=1) / mp.expand_dims(d, axis=0)
    if c.dtype.kind == "c":
        return ew.clip(ew.real(c), -1, 1) + 1j * ew.clip(ew.imag(c), -1, 1)
    return ew.clip(c, -1, 1)


def _edges(a: Array, bins: Any, range: Any, weights: Any) -> Array:  # noqa: A002
    """NumPy's bin edges for ``a`` (host computation), on ``a``'s backend."""
    # function-level: numpy is loaded on first use, not at import time
    import numpy

    if isinstance(bins, Array):
        return _floating(bins)
    # NumPy reads the weights only for their shape (its estimators refuse weighted data), so
    # zeros of that shape stand in: the weights may then vary per example inside vmap
    host_w = None if weights is None else numpy.zeros(as_array(weights).shape)
    edges = numpy.histogram_bin_edges(_host(a), bins, range, host_w)
    with use_backend(a._backend):
        dtype = a.dtype if a.dtype.is_floating else get_default_dtype(a._backend)
        return asarray(edges, dtype=dtype)


def _bin_index(a: Array, edges: Array) -> Array:
    """The bin of each element of 1-D ``a`` (-1 or nbins when outside; the last bin closed)."""
    n = edges.shape[0] - 1
    idx = searchsorted(edges, astype(a, edges.dtype), side="right") - 1
    return ew.where(a == edges[-1], n - 1, idx)


def _count(idx: Array, n: int, weights: Any, like: Array) -> Array:
    """How many (or the total weight of the) entries of ``idx`` equal each of ``range(n)``."""
    with use_backend(like._backend):
        bins = arange(n)
    hit = mp.expand_dims(idx, axis=-1) == bins
    if weights is None:
        return st.sum(astype(hit, "int64"), axis=0)
    w = mp.expand_dims(mp.reshape(as_array(weights), (-1,)), axis=-1)
    return st.sum(ew.where(hit, w, 0.0 * w), axis=0)


def histogram(a: Any, bins: Any = 10, range: Any = None, density: Any = None,  # noqa: A002
              weights: Any = None) -> tuple:
    """``(counts, bin_edges)`` of the values of ``a``; NumPy's edges (``bins`` an int, a
    sequence of edges or a method name such as ``'auto'``); differentiable in ``weights``."""
    a = mp.reshape(as_array(a), (-1,))
    edges = _edges(a, bins, range, weights)
    hist = _count(_bin_index(a, edges), edges.shape[0] - 1, weights, a)
    if density:
        hist = _floating(hist)
        hist = hist / st.sum(hist) / (edges[1:] - edges[:-1])
    return hist, edges


def histogram_bin_edges(a: Any, bins: Any = 10, range: Any = None,  # noqa: A002
                        weights: Any = None) -> Any:
    """NumPy's bin edges for ``a`` (see ``histogram``)."""
    return _edges(mp.reshape(as_array(a), (-1,)), bins, range, weights)


def histogramdd(sample: Any, bins: Any = 10, range: Any = None,  # noqa: A002
                density: Any = None, weights: Any = None) -> tuple:
    """``(counts, [edges per dimension])`` of the D-dimensional points in ``sample`` (an (N, D)
    array or a sequence of D 1-D arrays)."""
    if isinstance(sample, (list, tuple)):
        sample = mp.stack([as_array(s) for s in sample], axis=-1)
    sample = as_array(sample)
    if sample.ndim == 1:
        sample = mp.reshape(sample, (-1, 1))
    n, d = sample.shape
    per_bins = bins if isinstance(bins, (list, tuple)) else [bins] * d
    per_range = range if range is not None else [None] * d
    edges, flat = [], None
    for k in builtins.range(d):
        col = sample[:, k]
        e = _edges(col, per_bins[k], per_range[k], None)
        nb = e.shape[0] - 1
        idx = _bin_index(col, e)
        inside = (idx >= 0) & (idx < nb)
        edges.append(e)
        flat_k = ew.where(inside, idx, -1)
        flat = flat_k if flat is None else ew.where((flat < 0) | (flat_k < 0), -1,
                                                   flat * nb + flat_k)
    shape = tuple(e.shape[0] - 1 for e in edges)
    hist = _floating(mp.reshape(_count(flat, math.prod(shape), weights, sample), shape))
    if density:   # (NumPy's multi-dimensional counts are floats even without weights)
        hist = hist / st.sum(hist)
        for k, e in enumerate(edges):
            width = e[1:] - e[:-1]
            hist = hist / mp.reshape(width, tuple(-1 if j == k else 1 for j in
                                                  builtins.range(d)))
    return hist, edges



def histogram2d(x: Any, y: Any, bins: Any = 10, range: Any = None,  # noqa: A002
                density: Any = None, weights: Any = None) -> tuple:
    """``(counts, x_edges, y_edges)`` of the points ``(x[i], y[i])``."""
    if isinstance(bins, (int, Array)) or (isinstance(bins, (list, tuple)) and len(bins) != 2):
        bins = [bins, bins]
    hist, edges = histogramdd([x, y], bins, range, density, weights)
    return hist, edges[0], edges[1]


def bincount(x: Any, /, weights: Any = None, minlength: int = 0) -> Any:
    """The number of occurrences (or total weight) of each value in the non-negative
    integer array ``x``; differentiable in ``weights``."""
    x = as_array(x)
    if x.ndim != 1 or x.dtype.kind not in "iub":
        raise ValueError("polygrad.numpy.bincount: x must be a 1-D array of non-negative "
                         "integers")
    if x.size and bool(st.min(x) < 0):
        raise ValueError("polygrad.numpy.bincount: x must not contain negative values")
    n = max(int(st.max(x)) + 1 if x.size else 0, minlength)
    return _count(x, n, weights, x)


def digitize(x: Any, bins: Any, right: bool = False) -> Any:
    """The index of the bin of ``bins`` (monotonic) each element of ``x`` falls in."""
    bins = as_array(bins)
    x = as_array(x)
    if bins.ndim != 1:
        raise ValueError("polygrad.numpy.digitize: bins must be one-dimensional")
    step = bins[1:] - bins[:-1] if bins.shape[0] > 1 else None
    increasing = step is None or bool(st.min(step) >= 0)
    if not increasing and not bool(st.max(step) <= 0):
        raise ValueError("polygrad.numpy.digitize: bins must be monotonically increasing or "
                         "decreasing")
    if increasing:
        return searchsorted(bins, x, side="left" if right else "right")
    n = bins.shape[0]
    return n - searchsorted(mp.flip(bins, axis=0), x, side="left" if right else "right")


# -- window functions -----------------------------------------------------------------------------
def _window_n(M: int) -> Array | None:  # noqa: N803
    """``arange(1 - M, M, 2)`` as floats, or None when M < 2 (the window is trivial)."""
    if M < 2:
        return None
    return astype(arange(1 - M, M, 2), get_default_dtype())


def _trivial(M: int) -> Array:  # noqa: N803
    return ones((max(M, 0),))


def bartlett(M: int) -> Any:  # noqa: N803
    """The triangular window of ``M`` points."""
    n = _window_n(M)
    if n is None:
        return _trivial(M)
    return ew.where(n <= 0, 1 + n / (M - 1), 1 - n / (M - 1))


def _cosine_window(M: int, coefficients: tuple) -> Any:  # noqa: N803
    n = _window_n(M)
    if n is None:
        return _trivial(M)
    out = coefficients[0] + n * 0.0
    for k, c in enumerate(coefficients[1:], start=1):
        out = out + c * ew.cos(k * math.pi * n / (M - 1))
    return out


def blackman(M: int) -> Any:  # noqa: N803
    """The Blackman window of ``M`` points."""
    return _cosine_window(M, (0.42, 0.5, 0.08))


def hamming(M: int) -> Any:  # noqa: N803
    """The Hamming window of ``M`` points."""
    return _cosine_window(M, (0.54, 0.46))


def hanning(M: int) -> Any:  # noqa: N803
    """The Hann window of ``M`` points."""
    return _cosine_window(M, (0.5, 0.5))


def kaiser(M: int, beta: Any) -> Any:  # noqa: N803
    """The Kaiser window of ``M`` points with shape parameter ``beta`` (differentiable in an
    Array ``beta``)."""

    if M < 2:
        return _trivial(M)
    beta = _floating(beta) if isinstance(beta, Array) else float(beta)
    n = astype(arange(0, M), beta.dtype if isinstance(beta, Array) else get_default_dtype())
    alpha = (M - 1) / 2.0
    return i0(beta * ew.sqrt(1 - ((n - alpha) / alpha) ** 2)) / i0(beta + n[:1] * 0.0)
