"""NumPy's NaN-ignoring reductions: nanmax, nanmin, nanprod, nanvar, nanstd, nanquantile, ...

Compositions of the standard's functions (NaN entries get a zero derivative), differentiable
to any order without rules of their own. Imports the core, the namespace's category modules
and the compat helpers.
"""

from __future__ import annotations

import math
from typing import Any

from .._backend import use_backend
from . import _elementwise as ew
from . import _manipulation as mp
from . import _statistics as st
from ._compat_helpers import _floating
from ._compat_reductions import cumprod, cumsum, nanmean
from ._creation import asarray
from ._data_types import astype
from ._helpers import Array, as_array
from ._indexing import take_along_axis
from ._searching import argmax, argmin
from ._utility import all as all_
from ._sorting import sort

__all__ = ["nanmax", "nanmin", "nanargmax", "nanargmin", "nanprod", "nancumsum", "nancumprod",
           "nanvar", "nanstd", "nanmedian", "nanquantile", "nanpercentile"]


def _no_out(name: str, out: Any) -> None:
    if out is not None:
        raise TypeError(f"polygrad.numpy.{name}: out= is not supported (polygrad arrays are "
                        f"values; use the result)")


def _filled(a: Array, value: float) -> Array:
    return ew.where(ew.isnan(a), value, a) if a.dtype.is_floating else a


def _all_nan(a: Array, axis: Any, keepdims: bool) -> Array:
    return all_(ew.isnan(a), axis=axis, keepdims=keepdims)


def _nan_extremum(name: str, a: Any, axis: Any, out: Any, keepdims: bool, fill: float,
                  reduce) -> Any:
    _no_out(name, out)
    a = as_array(a)
    if not a.dtype.is_floating:
        return reduce(a, axis=axis, keepdims=keepdims)
    m = reduce(_filled(a, fill), axis=axis, keepdims=keepdims)
    return ew.where(_all_nan(a, axis, keepdims), math.nan, m)


def nanmax(a: Any, axis: Any = None, out: Any = None, keepdims: bool = False) -> Any:
    """The maximum over ``axis`` ignoring NaN (NaN for an all-NaN slice)."""
    return _nan_extremum("nanmax", a, axis, out, keepdims, -math.inf, st.max)


def nanmin(a: Any, axis: Any = None, out: Any = None, keepdims: bool = False) -> Any:
    """The minimum over ``axis`` ignoring NaN (NaN for an all-NaN slice)."""
    return _nan_extremum("nanmin", a, axis, out, keepdims, math.inf, st.min)


def _nan_arg(name: str, a: Any, axis: Any, out: Any, keepdims: bool, fill: float, arg) -> Any:
    _no_out(name, out)
    a = as_array(a)
    if a.dtype.is_floating and a.size and bool(st.max(astype(_all_nan(a, axis, False), "int8"),
                                                      axis=None) > 0):
        raise ValueError(f"polygrad.numpy.{name}: All-NaN slice encountered")
    return arg(_filled(a, fill), axis=axis, keepdims=keepdims)


def nanargmax(a: Any, axis: Any = None, out: Any = None, *, keepdims: bool = False) -> Any:
    """The index of the maximum ignoring NaN; an all-NaN slice raises ValueError."""
    return _nan_arg("nanargmax", a, axis, out, keepdims, -math.inf, argmax)


def nanargmin(a: Any, axis: Any = None, out: Any = None, *, keepdims: bool = False) -> Any:
    """The index of the minimum ignoring NaN; an all-NaN slice raises ValueError."""
    return _nan_arg("nanargmin", a, axis, out, keepdims, math.inf, argmin)


def nanprod(a: Any, axis: Any = None, dtype: Any = None, out: Any = None,
            keepdims: bool = False) -> Any:
    """The product over ``axis`` treating NaN as one."""
    _no_out("nanprod", out)
    return st.prod(_filled(as_array(a), 1.0), axis=axis, dtype=dtype, keepdims=keepdims)


def nancumsum(a: Any, axis: Any = None, dtype: Any = None, out: Any = None) -> Any:
    """The cumulative sum treating NaN as zero."""
    _no_out("nancumsum", out)
    return cumsum(_filled(as_array(a), 0.0), axis, dtype)


def nancumprod(a: Any, axis: Any = None, dtype: Any = None, out: Any = None) -> Any:
    """The cumulative product treating NaN as one."""
    _no_out("nancumprod", out)
    return cumprod(_filled(as_array(a), 1.0), axis, dtype)


def nanvar(a: Any, axis: Any = None, dtype: Any = None, out: Any = None, ddof: float = 0,
           keepdims: bool = False, *, mean: Any = None, correction: Any = None) -> Any:
    """The variance over ``axis`` of the entries that are not NaN, with ``ddof`` (or
    ``correction``) degrees of freedom removed."""
    _no_out("nanvar", out)
    if correction is not None:
        ddof = correction
    a = _floating(as_array(a))
    present = astype(ew.logical_not(ew.isnan(a)), a.real.dtype if a.dtype.kind == "c"
                     else a.dtype)
    count = st.sum(present, axis=axis, keepdims=True)
    centre = nanmean(a, axis=axis, keepdims=True) if mean is None else as_array(mean)
    dev = _filled(a - centre, 0.0)
    sq = ew.real(dev * ew.conj(dev)) if a.dtype.kind == "c" else dev * dev
    var = st.sum(sq, axis=axis, keepdims=True) / ew.maximum(count - ddof, 0.0)
    if not keepdims:
        var = mp.squeeze(var, axis=st.normalize_axis(axis, a.ndim, "nanvar"))
    return var if dtype is None else astype(var, dtype)


def nanstd(a: Any, axis: Any = None, dtype: Any = None, out: Any = None, ddof: float = 0,
           keepdims: bool = False, *, mean: Any = None, correction: Any = None) -> Any:
    """The standard deviation over ``axis`` ignoring NaN (see ``nanvar``)."""
    return ew.sqrt(nanvar(a, axis, dtype, out, ddof, keepdims, mean=mean,
                          correction=correction))


def _nan_quantile(name: str, a: Any, q: Any, axis: Any, method: str,
                  keepdims: bool) -> Array:
    """The quantiles ``q`` over ``axis`` of the non-NaN entries of ``a``, each slice its own
    count; q's axes first in the result."""
    a = _floating(as_array(a))
    if method not in ("linear", "lower", "higher", "nearest", "midpoint"):
        raise ValueError(f"polygrad.numpy.{name}: method {method!r} is not supported")
    axes = st.normalize_axis(axis, a.ndim, name)
    if type(q) is not Array:
        with use_backend(a._backend):
            q = asarray(q, dtype=a.dtype)
    kept = [d for d in range(a.ndim) if d not in axes]
    x = mp.permute_dims(a, tuple(kept + list(axes)))
    x = mp.reshape(x, tuple(a.shape[d] for d in kept) + (math.prod(a.shape[d] for d in axes),))

    s = sort(_filled(x, math.inf), axis=-1)       # NaN (as inf) sorts last
    count = st.sum(astype(ew.logical_not(ew.isnan(x)), a.dtype), axis=-1)
    qb = mp.reshape(q, q.shape + (1,) * count.ndim)
    pos = qb * ew.maximum(count - 1, 0.0)
    lo = ew.floor(pos)
    hi = ew.minimum(lo + 1, ew.maximum(count - 1, 0.0))
    sb = mp.broadcast_to(s, pos.shape + (s.shape[-1],))

    def at(i):
        idx = mp.expand_dims(astype(i, "int64"), axis=-1)
        return mp.squeeze(take_along_axis(sb, idx, axis=-1), axis=-1)

    if method == "linear":
        v_lo = at(lo)
        out = v_lo + (pos - lo) * (at(hi) - v_lo)
    elif method == "midpoint":
        out = (at(lo) + at(ew.where(pos == lo, lo, hi))) * 0.5
    else:
        out = at({"lower": lo, "higher": ew.ceil(pos), "nearest": ew.round(pos)}[method])
    out = ew.where(count == 0, math.nan, out)
    if keepdims:
        out = mp.reshape(out, q.shape + st.keep_shape(a.shape, axes))
    return out


def nanquantile(a: Any, q: Any, axis: Any = None, out: Any = None,
                overwrite_input: bool = False, method: str = "linear",
                keepdims: bool = False, *, weights: Any = None) -> Any:
    """The ``q``-th quantiles (0 ≤ q ≤ 1) over ``axis`` ignoring NaN; differentiable in ``a``."""
    _no_out("nanquantile", out)
    if weights is not None:
        raise TypeError("polygrad.numpy.nanquantile: weights= is not supported")
    return _nan_quantile("nanquantile", a, q, axis, method, keepdims)


def nanpercentile(a: Any, q: Any, axis: Any = None, out: Any = None,
                  overwrite_input: bool = False, method: str = "linear",
                  keepdims: bool = False, *, weights: Any = None) -> Any:
    """The ``q``-th percentiles (0 ≤ q ≤ 100) over ``axis`` ignoring NaN."""
    q = q / 100 if type(q) is Array or isinstance(q, (int, float)) else [v / 100 for v in q]
    return nanquantile(a, q, axis, out, overwrite_input, method, keepdims, weights=weights)


def nanmedian(a: Any, axis: Any = None, out: Any = None, overwrite_input: bool = False,
              keepdims: bool = False) -> Any:
    """The median over ``axis`` ignoring NaN."""
    _no_out("nanmedian", out)
    return _nan_quantile("nanmedian", a, 0.5, axis, "linear", keepdims)

