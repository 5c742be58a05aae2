"""NumPy's reductions, scans and order statistics: amax, ptp, average, nansum, cumsum, quantile.

Compositions of the standard's functions, differentiable to any order without rules of their
own. Imports the core, the namespace's category modules (sorting at call time) and the compat
helpers.
"""

from __future__ import annotations

import builtins
import math
from typing import Any

from .._backend import use_backend
from . import _elementwise as ew
from . import _manipulation as mp
from . import _statistics as st
from ._compat_helpers import _floating
from ._creation import asarray, full
from ._data_types import astype
from ._helpers import Array, as_array, into
from ._indexing import take
from ._utility import any as any_
from ._sorting import sort

__all__ = [
    "amax", "amin", "ptp", "average", "nansum", "nanmean", "cumsum", "cumprod", "median",
    "quantile", "percentile", "partition",
]


# -- reductions and scans -------------------------------------------------------------------------
def amax(a: Any, axis: Any = None, out: Any = None, keepdims: bool = False) -> Any:
    """NumPy's ``amax``: ``max``."""
    return st.max(a, axis, out, keepdims)


def amin(a: Any, axis: Any = None, out: Any = None, keepdims: bool = False) -> Any:
    """NumPy's ``amin``: ``min``."""
    return st.min(a, axis, out, keepdims)


def ptp(a: Any, axis: Any = None, out: Any = None, keepdims: bool = False) -> Any:
    """Peak to peak: ``max - min`` over ``axis``."""
    a = as_array(a)
    res = st.max(a, axis=axis, keepdims=keepdims) - st.min(a, axis=axis, keepdims=keepdims)
    return into(out, res, "ptp")


def average(a: Any, axis: Any = None, weights: Any = None, returned: bool = False, *,
            keepdims: bool = False) -> Any:
    """Weighted mean over ``axis``; 1-D ``weights`` with an int ``axis`` weight that axis.
    With ``returned``, also the sum of the weights (broadcast to the result's shape)."""
    a = _floating(as_array(a))
    if weights is None:
        avg = st.mean(a, axis=axis, keepdims=keepdims)
        if not returned:
            return avg
        count = math.prod(a.shape[d] for d in st.normalize_axis(axis, a.ndim, "average"))
        with use_backend(a._backend):
            return avg, full(avg.shape, float(count), dtype=avg.dtype)
    w = as_array(weights)
    if w.shape != a.shape:
        if not isinstance(axis, int) or w.ndim != 1 or w.shape[0] != a.shape[axis]:
            raise ValueError(f"polygrad.numpy.average: weights of shape {w.shape} must have "
                             f"a's shape {a.shape}, or be 1-D along an int axis")
        shape = [1] * a.ndim
        shape[axis % a.ndim] = w.shape[0]
        w = mp.broadcast_to(mp.reshape(w, tuple(shape)), a.shape)
    total = st.sum(w, axis=axis, keepdims=keepdims)
    avg = st.sum(a * w, axis=axis, keepdims=keepdims) / total
    if returned:
        return avg, mp.broadcast_to(total, avg.shape)
    return avg


def nansum(a: Any, axis: Any = None, dtype: Any = None, out: Any = None,
           keepdims: bool = False) -> Any:
    """Sum over ``axis`` treating NaN as zero (NaN entries get a zero derivative)."""
    a = as_array(a)
    if a.dtype.is_floating:
        a = ew.where(ew.isnan(a), 0.0, a)
    return st.sum(a, axis, dtype, out, keepdims)


def nanmean(a: Any, axis: Any = None, dtype: Any = None, out: Any = None,
            keepdims: bool = False) -> Any:
    """Mean over ``axis`` of the entries that are not NaN (NaN where all are)."""
    a = _floating(as_array(a))
    present = astype(ew.logical_not(ew.isnan(a)), a.dtype)
    res = (nansum(a, axis=axis, dtype=dtype, keepdims=keepdims)
           / st.sum(present, axis=axis, keepdims=keepdims))
    return into(out, res, "nanmean")


def _scan(name: str, a: Any, axis: int | None, dtype: Any) -> Any:
    scan = getattr(st, name)
    a = as_array(a)
    if axis is None:
        a, axis = mp.reshape(a, (-1,)), 0
    return scan(a, axis=axis, dtype=dtype)


def cumsum(a: Any, axis: int | None = None, dtype: Any = None, out: Any = None) -> Any:
    """Cumulative sum along ``axis`` (of the flattened array when None)."""
    return into(out, _scan("cumulative_sum", a, axis, dtype), "cumsum")


def cumprod(a: Any, axis: int | None = None, dtype: Any = None, out: Any = None) -> Any:
    """Cumulative product along ``axis`` (of the flattened array when None)."""
    return into(out, _scan("cumulative_prod", a, axis, dtype), "cumprod")


def _sort(x: Any, axis: int) -> Any:
    return sort(x, axis=axis)


def partition(a: Any, kth: Any, axis: int | None = -1, kind: str = "introselect",
              order: Any = None) -> Any:
    """NumPy's ``partition``; returns the sorted array, which satisfies the contract for every
    ``kth`` (derivatives follow each element to its place)."""
    a = as_array(a)
    if axis is None:
        a, axis = mp.reshape(a, (-1,)), 0
    n = a.shape[axis]
    for k in (kth,) if isinstance(kth, int) else kth:
        if not -n <= k < n:
            raise ValueError(f"polygrad.numpy.partition: kth {k} is out of bounds for an axis "
                             f"of length {n}")
    return _sort(a, axis)


_QUANTILE_METHODS = ("linear", "lower", "higher", "nearest", "midpoint")


def _quantile_of_sorted(s: Array, q: Array, method: str) -> Array:
    """Quantiles ``q`` along the last axis of sorted ``s`` (q's axes replace that axis)."""
    n = s.shape[-1]
    pos = q * (n - 1)
    lo = ew.floor(pos)
    hi = ew.minimum(lo + 1, n - 1)

    def at(i):
        return take(s, astype(i, "int64"), axis=-1)

    if method == "linear":
        v_lo = at(lo)
        return v_lo + (pos - lo) * (at(hi) - v_lo)
    if method == "midpoint":
        return (at(lo) + at(ew.where(ew.equal(pos, lo), lo, hi))) * 0.5
    return at({"lower": lo, "higher": ew.ceil(pos), "nearest": ew.round(pos)}[method])


def quantile(a: Any, q: Any, axis: Any = None, out: Any = None, overwrite_input: bool = False,
             method: str = "linear", keepdims: bool = False) -> Any:
    """The ``q``-th quantiles (0 ≤ q ≤ 1) over ``axis``; q's axes come first in the result.

    Differentiable in ``a`` (and in ``q`` for the linear method); NaN in a slice gives NaN.
    ``overwrite_input`` has no effect (polygrad never overwrites an input).
    """
    if out is not None:
        return into(out, quantile(a, q, axis, method=method, keepdims=keepdims), "quantile")
    if method not in _QUANTILE_METHODS:
        raise ValueError(f"polygrad.numpy.quantile: method must be one of "
                         f"{', '.join(_QUANTILE_METHODS)}, got {method!r}")
    a = _floating(as_array(a))
    axes = st.normalize_axis(axis, a.ndim, "quantile")
    if type(q) is not Array:
        vals = [q] if isinstance(q, (int, float)) else list(q)
        if not builtins.all(0 <= v <= 1 for v in vals):
            raise ValueError("polygrad.numpy.quantile: q must be in [0, 1]")
        with use_backend(a._backend):
            q = asarray(q, dtype=a.dtype)
    # move the reduced axes last and merge them: the quantile is taken along one axis of n
    kept = [d for d in range(a.ndim) if d not in axes]
    x = mp.permute_dims(a, tuple(kept + list(axes)))
    x = mp.reshape(x, tuple(a.shape[d] for d in kept) + (math.prod(a.shape[d] for d in axes),))
    n = x.shape[-1]
    if n == 0:
        raise ValueError("polygrad.numpy.quantile: cannot take a quantile of an empty slice")
    out = _quantile_of_sorted(_sort(x, -1), q, method)
    has_nan = any_(ew.isnan(x), axis=-1)
    out = ew.where(mp.reshape(has_nan, has_nan.shape + (1,) * q.ndim), math.nan, out)
    # q's axes first, then the kept axes (with the reduced ones as length 1 under keepdims)
    nk = len(kept)
    out = mp.permute_dims(out, tuple(range(nk, out.ndim)) + tuple(range(nk)))
    if keepdims:
        out = mp.reshape(out, q.shape + st.keep_shape(a.shape, axes))
    return out


def percentile(a: Any, q: Any, axis: Any = None, out: Any = None,
               overwrite_input: bool = False, method: str = "linear",
               keepdims: bool = False) -> Any:
    """The ``q``-th percentiles (0 ≤ q ≤ 100) over ``axis``; see ``quantile``."""
    if type(q) is Array:
        q = q / 100
    else:
        q = q / 100 if isinstance(q, (int, float)) else [v / 100 for v in q]
    return quantile(a, q, axis, out, method=method, keepdims=keepdims)


def median(a: Any, axis: Any = None, out: Any = None, overwrite_input: bool = False,
           keepdims: bool = False) -> Any:
    """The median over ``axis`` (the mean of the two middle values for an even count)."""
    return quantile(a, 0.5, axis, out, keepdims=keepdims)
