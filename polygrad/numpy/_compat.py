"""NumPy conveniences used by autograd / MinPy-style code, composed from the standard's functions.

Every function here is a composition of primitives, so it is differentiable to any order without
rules of its own. Imports the namespace's category modules (sorting and cumulative sums at call
time).
"""

from __future__ import annotations

import builtins
import math
from typing import Any

from .._backend import use_backend
from .._convert import asarray as _asarray
from . import _elementwise as ew
from . import _manipulation as mp
from . import _statistics as st
from ._creation import asarray, eye, full, zeros
from ._data_types import astype, finfo
from ._helpers import Array, as_array
from ._indexing import take
from ._linear_algebra import matmul, tensordot
from ._utility import any as any_

__all__ = [
    # aliases and elementwise conveniences
    "array", "power", "absolute", "fabs", "true_divide", "mod", "conjugate", "arccos", "arcsin",
    "arctan", "arctan2", "arccosh", "arcsinh", "arctanh", "fmax", "fmin", "logaddexp2", "exp2",
    "sinc", "rad2deg", "degrees", "deg2rad", "radians", "nan_to_num", "angle", "real_if_close",
    "newaxis",
    # reductions and scans
    "amax", "amin", "ptp", "average", "nansum", "nanmean", "cumsum", "cumprod", "median",
    "quantile", "percentile", "partition",
    # shape and movement
    "transpose", "swapaxes", "ravel", "rollaxis", "atleast_1d", "atleast_2d", "atleast_3d",
    "flipud", "fliplr", "rot90", "pad",
    # joining and splitting
    "concatenate", "hstack", "vstack", "column_stack", "dstack", "append", "split",
    "array_split", "vsplit", "hsplit", "dsplit",
    # products
    "dot", "inner", "outer", "einsum", "kron", "cross", "diag", "diagonal", "trace",
    # calculus and signals
    "gradient", "trapezoid", "convolve", "correlate", "interp",
]

newaxis = None


def _indices(values: Any, like: Array) -> Array:
    """An int64 index array on ``like``'s backend (index arithmetic is done on the host)."""
    return _asarray(list(values), dtype="int64", backend=like._backend)


def _along(axis: int, ndim: int, key: Any) -> tuple:
    return (slice(None),) * (axis % ndim) + (key,)


def _floating(x: Array) -> Array:
    """``x`` itself if it is floating, else cast to the backend's default float dtype."""
    if x.dtype.is_floating:
        return x
    from .._backend import get_default_dtype

    return astype(x, get_default_dtype(x._backend))


# -- aliases and elementwise conveniences --------------------------------------------------------
def array(obj: Any, dtype: Any = None, copy: bool = True) -> Any:
    """NumPy's ``array``: a new Array with a copy of ``obj``'s values."""
    return asarray(obj, dtype=dtype, copy=copy)


power = ew.pow
absolute = ew.abs
fabs = ew.abs
true_divide = ew.divide
mod = ew.remainder
conjugate = ew.conj
arccos = ew.acos
arcsin = ew.asin
arctan = ew.atan
arctan2 = ew.atan2
arccosh = ew.acosh
arcsinh = ew.asinh
arctanh = ew.atanh


def fmax(x1: Any, x2: Any, /) -> Any:
    """Elementwise maximum that ignores NaN (NaN only where both are NaN)."""
    x1, x2 = as_array(x1), as_array(x2)
    return ew.where(ew.isnan(x2), x1, ew.where(ew.isnan(x1), x2, ew.maximum(x1, x2)))


def fmin(x1: Any, x2: Any, /) -> Any:
    """Elementwise minimum that ignores NaN (NaN only where both are NaN)."""
    x1, x2 = as_array(x1), as_array(x2)
    return ew.where(ew.isnan(x2), x1, ew.where(ew.isnan(x1), x2, ew.minimum(x1, x2)))


_LN2 = math.log(2.0)


def logaddexp2(x1: Any, x2: Any, /) -> Any:
    """log2(2**x1 + 2**x2) without overflow (``logaddexp`` in base 2)."""
    return ew.logaddexp(as_array(x1) * _LN2, as_array(x2) * _LN2) / _LN2


def exp2(x: Any, /) -> Any:
    """2**x."""
    x = _floating(as_array(x))
    with use_backend(x._backend):   # an array base: pow's rules then need no scalar promotion
        two = asarray(2.0, dtype=x.dtype)
    return ew.pow(two, x)


# sinc(x) = sin(πx)/(πx) = Σₖ (-1)ᵏ (πx)²ᵏ / (2k+1)!; the series (to (πx)¹²) is used for |πx| < 1/2,
# where the quotient's derivatives lose digits to cancellation; truncation error < 1e-16 there
_SINC_SERIES = [(-1) ** k / math.factorial(2 * k + 1) for k in range(7)]


def sinc(x: Any, /) -> Any:
    """sin(πx)/(πx), with sinc(0) = 1; smooth (and accurately differentiable) through 0."""
    y = math.pi * _floating(as_array(x))
    near = ew.less(ew.abs(y), 0.5)
    y2 = y * y
    series = _SINC_SERIES[-1]
    for c in reversed(_SINC_SERIES[:-1]):
        series = series * y2 + c
    safe = ew.where(near, 1.0, y)   # no 0/0, even in the branch not taken
    return ew.where(near, series, ew.sin(safe) / safe)


def rad2deg(x: Any, /) -> Any:
    """Radians to degrees."""
    return as_array(x) * (180.0 / math.pi)


def deg2rad(x: Any, /) -> Any:
    """Degrees to radians."""
    return as_array(x) * (math.pi / 180.0)


degrees = rad2deg
radians = deg2rad


def nan_to_num(x: Any, copy: bool = True, nan: float = 0.0, posinf: float | None = None,
               neginf: float | None = None) -> Any:
    """Replace NaN by ``nan`` and ±inf by ``posinf``/``neginf`` (default: the dtype's extremes)."""
    x = as_array(x)
    kind = x.dtype.kind
    if kind == "c":
        parts = [nan_to_num(p, nan=nan, posinf=posinf, neginf=neginf)
                 for p in (ew.real(x), ew.imag(x))]
        return parts[0] + 1j * parts[1]
    if kind != "f":
        return x
    info = finfo(x.dtype)
    big = info.max if posinf is None else posinf
    small = info.min if neginf is None else neginf
    x = ew.where(ew.isnan(x), nan, x)
    x = ew.where(ew.logical_and(ew.isinf(x), ew.greater(x, 0)), big, x)
    return ew.where(ew.isinf(x), small, x)


def angle(z: Any, deg: bool = False) -> Any:
    """The argument of complex ``z`` (radians, or degrees when ``deg``); 0 or π for reals."""
    z = _floating(as_array(z))
    if z.dtype.kind == "c":
        out = ew.atan2(ew.imag(z), ew.real(z))
    else:
        # locally constant in a real z: zero derivative (and none of atan2's 0/0 at z = 0)
        out = astype(ew.where(ew.signbit(z), math.pi, 0.0), z.dtype)
        out = ew.where(ew.isnan(z), z, out)
    return rad2deg(out) if deg else out


def real_if_close(a: Any, tol: float = 100) -> Any:
    """The real part of complex ``a`` if every imaginary part is below ``tol`` machine epsilons
    (``tol`` > 1) or ``tol`` itself; else ``a``. Reads the values, like NumPy's."""
    a = as_array(a)
    if a.dtype.kind != "c":
        return a
    limit = tol * finfo(a.dtype).eps if tol > 1 else tol
    if a.size == 0 or bool(st.max(ew.abs(ew.imag(a))) < limit):
        return ew.real(a)
    return a


# -- reductions and scans -------------------------------------------------------------------------
def amax(a: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """NumPy's ``amax``: ``max`` with positional ``axis``."""
    return st.max(a, axis=axis, keepdims=keepdims)


def amin(a: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """NumPy's ``amin``: ``min`` with positional ``axis``."""
    return st.min(a, axis=axis, keepdims=keepdims)


def ptp(a: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """Peak to peak: ``max - min`` over ``axis``."""
    a = as_array(a)
    return st.max(a, axis=axis, keepdims=keepdims) - st.min(a, axis=axis, keepdims=keepdims)


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


def nansum(a: Any, axis: Any = None, dtype: Any = None, keepdims: bool = False) -> Any:
    """Sum over ``axis`` treating NaN as zero (NaN entries get a zero derivative)."""
    a = as_array(a)
    if a.dtype.is_floating:
        a = ew.where(ew.isnan(a), 0.0, a)
    return st.sum(a, axis=axis, dtype=dtype, keepdims=keepdims)


def nanmean(a: Any, axis: Any = None, dtype: Any = None, keepdims: bool = False) -> Any:
    """Mean over ``axis`` of the entries that are not NaN (NaN where all are)."""
    a = _floating(as_array(a))
    present = astype(ew.logical_not(ew.isnan(a)), a.dtype)
    return (nansum(a, axis=axis, dtype=dtype, keepdims=keepdims)
            / st.sum(present, axis=axis, keepdims=keepdims))


def _scan(name: str, a: Any, axis: int | None, dtype: Any) -> Any:
    scan = getattr(st, name)
    a = as_array(a)
    if axis is None:
        a, axis = mp.reshape(a, (-1,)), 0
    return scan(a, axis=axis, dtype=dtype)


def cumsum(a: Any, axis: int | None = None, dtype: Any = None) -> Any:
    """Cumulative sum along ``axis`` (of the flattened array when None)."""
    return _scan("cumulative_sum", a, axis, dtype)


def cumprod(a: Any, axis: int | None = None, dtype: Any = None) -> Any:
    """Cumulative product along ``axis`` (of the flattened array when None)."""
    return _scan("cumulative_prod", a, axis, dtype)


def _sort(x: Any, axis: int) -> Any:
    from ._sorting import sort

    return sort(x, axis=axis)


def partition(a: Any, kth: Any, axis: int | None = -1) -> Any:
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


def quantile(a: Any, q: Any, axis: Any = None, *, method: str = "linear",
             keepdims: bool = False) -> Any:
    """The ``q``-th quantiles (0 ≤ q ≤ 1) over ``axis``; q's axes come first in the result.

    Differentiable in ``a`` (and in ``q`` for the linear method); NaN in a slice gives NaN.
    """
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


def percentile(a: Any, q: Any, axis: Any = None, *, method: str = "linear",
               keepdims: bool = False) -> Any:
    """The ``q``-th percentiles (0 ≤ q ≤ 100) over ``axis``; see ``quantile``."""
    if type(q) is Array:
        q = q / 100
    else:
        q = q / 100 if isinstance(q, (int, float)) else [v / 100 for v in q]
    return quantile(a, q, axis, method=method, keepdims=keepdims)


def median(a: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """The median over ``axis`` (the mean of the two middle values for an even count)."""
    return quantile(a, 0.5, axis, keepdims=keepdims)


# -- shape and movement ---------------------------------------------------------------------------
def transpose(a: Any, axes: Any = None) -> Any:
    """Reverse (or permute by ``axes``) the axes of ``a``."""
    a = as_array(a)
    return mp.permute_dims(a, tuple(range(a.ndim))[::-1] if axes is None else tuple(axes))


def swapaxes(a: Any, axis1: int, axis2: int) -> Any:
    """Interchange two axes of ``a``."""
    a = as_array(a)
    order = list(range(a.ndim))
    order[axis1], order[axis2] = order[axis2], order[axis1]
    return mp.permute_dims(a, tuple(order))


def ravel(a: Any) -> Any:
    """``a`` flattened to 1-D."""
    return mp.reshape(as_array(a), (-1,))


def rollaxis(a: Any, axis: int, start: int = 0) -> Any:
    """Move ``axis`` to before position ``start`` (NumPy's older ``moveaxis``)."""
    a = as_array(a)
    n = a.ndim
    axis = mp._norm_axis(axis, n, "rollaxis")
    if not -n <= start <= n:
        raise ValueError(f"polygrad.numpy.rollaxis: start {start} is out of range for an "
                         f"array with {n} dimension(s)")
    start %= n + 1
    if axis < start:
        start -= 1
    order = [d for d in range(n) if d != axis]
    order.insert(start, axis)
    return mp.permute_dims(a, tuple(order))


def _atleast(arys: tuple, fix) -> Any:
    out = tuple(fix(as_array(a)) for a in arys)
    return out[0] if len(out) == 1 else out


def atleast_1d(*arys: Any) -> Any:
    """Each input with at least one dimension (one array, or a tuple for several)."""
    return _atleast(arys, lambda a: mp.reshape(a, (1,)) if a.ndim == 0 else a)


def atleast_2d(*arys: Any) -> Any:
    """Each input with at least two dimensions (a 1-D array becomes a row)."""
    return _atleast(arys, lambda a: mp.reshape(a, (1,) * (2 - a.ndim) + a.shape)
                    if a.ndim < 2 else a)


def _to_3d(a: Array) -> Array:
    if a.ndim == 0:
        return mp.reshape(a, (1, 1, 1))
    if a.ndim == 1:
        return mp.reshape(a, (1, a.shape[0], 1))
    if a.ndim == 2:
        return mp.reshape(a, a.shape + (1,))
    return a


def atleast_3d(*arys: Any) -> Any:
    """Each input with at least three dimensions: (n,) → (1, n, 1), (m, n) → (m, n, 1)."""
    return _atleast(arys, _to_3d)


def flipud(m: Any) -> Any:
    """Reverse the order along axis 0."""
    return mp.flip(as_array(m), axis=0)


def fliplr(m: Any) -> Any:
    """Reverse the order along axis 1."""
    m = as_array(m)
    if m.ndim < 2:
        raise ValueError("polygrad.numpy.fliplr: needs at least 2 dimensions")
    return mp.flip(m, axis=1)


def rot90(m: Any, k: int = 1, axes: tuple[int, int] = (0, 1)) -> Any:
    """Rotate by 90° ``k`` times in the plane of ``axes`` (from the first toward the second)."""
    m = as_array(m)
    a0, a1 = (mp._norm_axis(a, m.ndim, "rot90") for a in axes)
    if a0 == a1:
        raise ValueError("polygrad.numpy.rot90: the two axes must differ")
    k %= 4
    if k == 0:
        return m
    if k == 2:
        return mp.flip(m, axis=(a0, a1))
    if k == 1:
        return swapaxes(mp.flip(m, axis=a1), a0, a1)
    return mp.flip(swapaxes(m, a0, a1), axis=a1)


def _pad_pairs(width: Any, ndim: int, what: str) -> list:
    """NumPy's forms of a per-axis (before, after) spec: x, (x,), (b, a), ((b, a), ...)."""
    if type(width) is not Array and hasattr(width, "tolist"):   # a NumPy array of numbers
        width = width.tolist()
    if not isinstance(width, (list, tuple)):
        return [(width, width)] * ndim
    width = list(width)
    if builtins.all(not isinstance(w, (list, tuple)) for w in width):
        if len(width) == 1:
            return [(width[0], width[0])] * ndim
        if len(width) == 2:
            return [tuple(width)] * ndim
    pairs = [tuple(w) if isinstance(w, (list, tuple)) else (w,) for w in width]
    pairs = [p * 2 if len(p) == 1 else p for p in pairs]
    if len(pairs) == 1:
        pairs = pairs * ndim
    if len(pairs) != ndim or builtins.any(len(p) != 2 for p in pairs):
        raise ValueError(f"polygrad.numpy.pad: {what} {width!r} does not fit an array with "
                         f"{ndim} dimension(s)")
    return pairs


def _source_index(i: int, n: int, mode: str) -> int:
    """The position in an axis of length ``n`` that padded position ``i`` copies."""
    if mode == "edge":
        return builtins.min(builtins.max(i, 0), n - 1)
    if mode == "wrap":
        return i % n
    if mode == "reflect":
        if n == 1:
            return 0
        j = i % (2 * n - 2)
        return j if j < n else 2 * n - 2 - j
    j = i % (2 * n)   # symmetric: the edge itself is repeated
    return j if j < n else 2 * n - 1 - j


_PAD_MODES = ("constant", "edge", "reflect", "symmetric", "wrap")


def pad(array: Any, pad_width: Any, mode: str = "constant", **kwargs: Any) -> Any:
    """Pad ``array``; ``mode`` is constant (``constant_values``), edge, reflect, symmetric or wrap.

    Constant padding concatenates blocks; the other modes gather source positions, so the
    derivative of a padded element flows back to the element it copies.
    """
    x = as_array(array)
    if mode not in _PAD_MODES:
        raise NotImplementedError(f"polygrad.numpy.pad: mode {mode!r} is not supported; "
                                  f"use one of {', '.join(_PAD_MODES)}")
    if kwargs.get("reflect_type", "even") != "even":
        raise NotImplementedError("polygrad.numpy.pad: only reflect_type='even' is supported")
    pairs = _pad_pairs(pad_width, x.ndim, "pad_width")
    if builtins.any(int(w) < 0 for p in pairs for w in p):
        raise ValueError("polygrad.numpy.pad: pad_width must not be negative")
    values = _pad_pairs(kwargs.get("constant_values", 0), x.ndim, "constant_values")
    for ax, ((before, after), (v0, v1)) in enumerate(zip(pairs, values)):
        before, after = int(before), int(after)
        if before == after == 0:
            continue
        n = x.shape[ax]
        if mode == "constant":
            x = mp.concat([_block(x, ax, before, v0), x, _block(x, ax, after, v1)], axis=ax)
            continue
        if n == 0:
            raise ValueError(f"polygrad.numpy.pad: cannot pad an empty axis in mode {mode!r}")
        index = [_source_index(i, n, mode) for i in range(-before, n + after)]
        x = take(x, _indices(index, x), axis=ax)
    return x


def _block(x: Array, axis: int, length: int, value: Any) -> Array:
    shape = x.shape[:axis] + (length,) + x.shape[axis + 1:]
    if type(value) is Array:   # an Array fill value is differentiable
        return mp.broadcast_to(astype(value, x.dtype), shape)
    with use_backend(x._backend):
        return full(shape, value, dtype=x.dtype)


# -- joining and splitting ------------------------------------------------------------------------
def concatenate(arrays: Any, axis: int | None = 0) -> Any:
    """NumPy's name for ``concat``."""
    return mp.concat([as_array(a) for a in arrays], axis=axis)


def _tuple(arrays: Any, fix) -> list:
    out = [fix(as_array(a)) for a in arrays]
    if not out:
        raise ValueError("polygrad.numpy: need at least one array to join")
    return out


def hstack(tup: Any) -> Any:
    """Join along axis 1 (axis 0 for 1-D inputs)."""
    arrays = _tuple(tup, atleast_1d)
    return mp.concat(arrays, axis=0 if arrays[0].ndim == 1 else 1)


def vstack(tup: Any) -> Any:
    """Join along axis 0, 1-D inputs becoming rows."""
    return mp.concat(_tuple(tup, atleast_2d), axis=0)


def dstack(tup: Any) -> Any:
    """Join along axis 2 (inputs made at least 3-D as by ``atleast_3d``)."""
    return mp.concat(_tuple(tup, atleast_3d), axis=2)


def column_stack(tup: Any) -> Any:
    """Join 1-D inputs as columns (2-D inputs as they are) along axis 1."""
    return mp.concat(_tuple(tup, lambda a: mp.reshape(a, (-1, 1)) if a.ndim < 2 else a), axis=1)


def append(arr: Any, values: Any, axis: int | None = None) -> Any:
    """``values`` appended to ``arr`` along ``axis`` (both flattened when None)."""
    arr, values = as_array(arr), as_array(values)
    if axis is None:
        return mp.concat([mp.reshape(arr, (-1,)), mp.reshape(values, (-1,))], axis=0)
    return mp.concat([arr, values], axis=axis)


def _split_at(a: Array, bounds: list, axis: int) -> list:
    n = a.shape[axis]
    edges = [0] + [builtins.min(builtins.max(b, 0), n) for b in bounds] + [n]
    return [a[_along(axis, a.ndim, slice(lo, builtins.max(lo, hi)))]
            for lo, hi in zip(edges[:-1], edges[1:])]


def array_split(ary: Any, indices_or_sections: Any, axis: int = 0) -> list:
    """Split into ``sections`` nearly equal parts (the first ones one longer), or at indices."""
    a = as_array(ary)
    axis = mp._norm_axis(axis, a.ndim, "array_split")
    if isinstance(indices_or_sections, int):
        k = indices_or_sections
        if k <= 0:
            raise ValueError("polygrad.numpy.array_split: the number of sections must be > 0")
        size, extra = divmod(a.shape[axis], k)
        bounds, at = [], 0
        for i in range(k - 1):
            at += size + (1 if i < extra else 0)
            bounds.append(at)
        return _split_at(a, bounds, axis)
    n = a.shape[axis]
    return _split_at(a, [i + n if i < 0 else i for i in indices_or_sections], axis)


def split(ary: Any, indices_or_sections: Any, axis: int = 0) -> list:
    """Split into ``sections`` equal parts (an error if they cannot be equal), or at indices."""
    a = as_array(ary)
    if isinstance(indices_or_sections, int):
        n = a.shape[mp._norm_axis(axis, a.ndim, "split")]
        if indices_or_sections <= 0 or n % indices_or_sections:
            raise ValueError(f"polygrad.numpy.split: an axis of length {n} does not split into "
                             f"{indices_or_sections} equal sections")
    return array_split(a, indices_or_sections, axis)


def hsplit(ary: Any, indices_or_sections: Any) -> list:
    """``split`` along axis 1 (axis 0 for 1-D arrays)."""
    a = as_array(ary)
    if a.ndim == 0:
        raise ValueError("polygrad.numpy.hsplit: needs at least 1 dimension")
    return split(a, indices_or_sections, 1 if a.ndim > 1 else 0)


def vsplit(ary: Any, indices_or_sections: Any) -> list:
    """``split`` along axis 0 of an array with at least 2 dimensions."""
    a = as_array(ary)
    if a.ndim < 2:
        raise ValueError("polygrad.numpy.vsplit: needs at least 2 dimensions")
    return split(a, indices_or_sections, 0)


def dsplit(ary: Any, indices_or_sections: Any) -> list:
    """``split`` along axis 2 of an array with at least 3 dimensions."""
    a = as_array(ary)
    if a.ndim < 3:
        raise ValueError("polygrad.numpy.dsplit: needs at least 3 dimensions")
    return split(a, indices_or_sections, 2)


# -- products -----------------------------------------------------------------------------------
def dot(a: Any, b: Any) -> Any:
    """NumPy's ``dot``: matmul for 1-D and 2-D operands, a product for 0-d, and the sum over the
    last axis of ``a`` and the second-to-last of ``b`` otherwise."""
    a, b = as_array(a), as_array(b)
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    if a.ndim <= 2 and b.ndim <= 2:
        return matmul(a, b)
    return tensordot(a, b, axes=((a.ndim - 1,), (builtins.max(b.ndim - 2, 0),)))


def inner(a: Any, b: Any) -> Any:
    """NumPy's ``inner``: the sum over the last axes of ``a`` and ``b``."""
    a, b = as_array(a), as_array(b)
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    return tensordot(a, b, axes=((a.ndim - 1,), (b.ndim - 1,)))


def outer(a: Any, b: Any) -> Any:
    """The outer product of two vectors (inputs are flattened)."""
    return mp.reshape(as_array(a), (-1, 1)) * mp.reshape(as_array(b), (1, -1))


def kron(a: Any, b: Any) -> Any:
    """The Kronecker product: blocks ``a[i, j] * b``, for any number of dimensions."""
    a, b = as_array(a), as_array(b)
    n = builtins.max(a.ndim, b.ndim)
    sa = (1,) * (n - a.ndim) + a.shape
    sb = (1,) * (n - b.ndim) + b.shape
    # interleave the axes: a on even positions, b on odd ones, then merge each pair
    a = mp.reshape(a, tuple(d for s in sa for d in (s, 1)))
    b = mp.reshape(b, tuple(d for s in sb for d in (1, s)))
    return mp.reshape(a * b, tuple(p * q for p, q in zip(sa, sb)))


def cross(a: Any, b: Any, axisa: int = -1, axisb: int = -1, axisc: int = -1,
          axis: int | None = None) -> Any:
    """The cross product of 3-vectors (or 2-vectors, whose z components are taken as 0)."""
    if axis is not None:
        axisa = axisb = axisc = axis
    a = mp.moveaxis(as_array(a), axisa, -1)
    b = mp.moveaxis(as_array(b), axisb, -1)
    if a.shape[-1] not in (2, 3) or b.shape[-1] not in (2, 3):
        raise ValueError("polygrad.numpy.cross: vectors must have 2 or 3 components")
    if a.shape[-1] == 2 and b.shape[-1] == 2:
        return a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]
    a0, a1, a2 = _components(a)
    b0, b1, b2 = _components(b)
    out = mp.stack(mp.broadcast_arrays(a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0),
                   axis=-1)
    return mp.moveaxis(out, -1, axisc)


def _components(v: Array) -> tuple:
    """x, y, z of 3-vectors along the last axis; a 2-vector's z is 0."""
    x, y = v[..., 0], v[..., 1]
    return x, y, (v[..., 2] if v.shape[-1] == 3 else 0.0 * x)


def _diagonal_index(n: int, m: int, offset: int) -> tuple[range, range]:
    if offset >= 0:
        length = builtins.max(0, builtins.min(n, m - offset))
        return range(length), range(offset, offset + length)
    length = builtins.max(0, builtins.min(n + offset, m))
    return range(-offset, -offset + length), range(length)


def diagonal(a: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Any:
    """The ``offset`` diagonal of the planes (axis1, axis2), as the last axis of the result."""
    a = as_array(a)
    if a.ndim < 2:
        raise ValueError("polygrad.numpy.diagonal: needs at least 2 dimensions")
    a = mp.moveaxis(a, (axis1, axis2), (-2, -1))
    rows, cols = _diagonal_index(a.shape[-2], a.shape[-1], offset)
    return a[..., _indices(rows, a), _indices(cols, a)]


def diag(v: Any, k: int = 0) -> Any:
    """A 2-D array with 1-D ``v`` on its ``k``-th diagonal, or the ``k``-th diagonal of 2-D
    ``v``."""
    v = as_array(v)
    if v.ndim == 2:
        return diagonal(v, k)
    if v.ndim != 1:
        raise ValueError("polygrad.numpy.diag: input must be 1-D or 2-D")
    n = v.shape[0] + abs(k)
    with use_backend(v._backend):
        pad_ = zeros((abs(k),), dtype=v.dtype)
        mask = ew.not_equal(eye(n, k=k), 0)
    # out[i, j] = w[j] on the diagonal j = i + k, where w is v shifted into column position
    w = mp.concat([pad_, v] if k >= 0 else [v, pad_], axis=0)
    return ew.where(mask, mp.reshape(w, (1, n)), 0.0)


def trace(a: Any, offset: int = 0, axis1: int = 0, axis2: int = 1, dtype: Any = None) -> Any:
    """The sum along the ``offset`` diagonal of the planes (axis1, axis2)."""
    return st.sum(diagonal(a, offset, axis1, axis2), axis=-1, dtype=dtype)


# -- einsum: labels parsed on the host, then diagonals, sums, tensordot/matmul and a permute ---
_ELLIPSIS_LABELS = "".join(chr(0x2460 + i) for i in range(64))   # never valid user labels


def _interleaved(args: tuple) -> tuple[str, tuple]:
    """einsum(op0, sublist0, op1, sublist1, ..., [out]) → a subscripts string and operands."""
    def letters(sub):
        out = []
        for s in sub:
            if s is Ellipsis:
                out.append("...")
            elif isinstance(s, int) and 0 <= s < 52:
                out.append(chr(ord("a") + s) if s < 26 else chr(ord("A") + s - 26))
            else:
                raise ValueError(f"polygrad.numpy.einsum: sublist entries must be ints in "
                                 f"[0, 52) or Ellipsis, got {s!r}")
        return "".join(out)

    ops, subs = args[0::2], args[1::2]
    out = None
    if len(args) % 2:
        ops, subs, out = args[:-1][0::2], args[:-1][1::2], args[-1]
    spec = ",".join(letters(s) for s in subs)
    return (spec if out is None else spec + "->" + letters(out)), ops


def _parse_einsum(subscripts: str, ndims: list[int]) -> tuple[list[str], str]:
    spec = subscripts.replace(" ", "")
    lhs, arrow, out = spec.partition("->")
    terms = lhs.split(",")
    if len(terms) != len(ndims):
        raise ValueError(f"polygrad.numpy.einsum: {len(terms)} operand subscript(s) in "
                         f"{subscripts!r} for {len(ndims)} operand(s)")
    n_ell = []
    for term, nd in zip(terms, ndims):
        named = len(term) - (3 if "..." in term else 0)
        if not (named <= nd if "..." in term else named == nd):
            raise ValueError(f"polygrad.numpy.einsum: subscripts {term!r} do not fit an "
                             f"operand with {nd} dimension(s)")
        n_ell.append(nd - named if "..." in term else 0)
    width = builtins.max(n_ell, default=0)
    ell = _ELLIPSIS_LABELS[:width]
    inputs = [t.replace("...", ell[width - k:]) for t, k in zip(terms, n_ell)]
    for t in terms + [out]:
        bad = set(t.replace("...", "")) - set("abcdefghijklmnopqrstuvwxyz"
                                              "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        if bad:
            raise ValueError(f"polygrad.numpy.einsum: invalid subscript(s) {sorted(bad)} in "
                             f"{subscripts!r}")
    if not arrow:
        counts = "".join(terms)
        out = ell + "".join(sorted(c for c in set(counts) if c != "." and counts.count(c) == 1))
    elif "..." in out:
        out = out.replace("...", ell)
    elif width:
        raise ValueError("polygrad.numpy.einsum: operands have broadcast ('...') dimensions but "
                         "the output subscripts have no '...'")
    if len(set(out)) != len(out) or not set(out) <= set("".join(inputs)):
        raise ValueError(f"polygrad.numpy.einsum: output subscripts of {subscripts!r} must be "
                         f"distinct and appear in the inputs")
    return inputs, out


def _take_diagonals(x: Array, labels: str) -> tuple[Array, str]:
    """Replace each repeated label by one axis holding the diagonal ('ii' → 'i')."""
    while len(set(labels)) != len(labels):
        c = next(c for c in labels if labels.count(c) > 1)
        p = labels.index(c)
        q = labels.index(c, p + 1)
        x = mp.moveaxis(x, (p, q), (-2, -1))
        labels = "".join(lab for i, lab in enumerate(labels) if i not in (p, q)) + c
        if x.shape[-2] != x.shape[-1]:
            raise ValueError(f"polygrad.numpy.einsum: repeated subscript {c!r} on axes of "
                             f"lengths {x.shape[-2]} and {x.shape[-1]}")
        x = diagonal(x, 0, -2, -1)
    return x, labels


def _sum_labels(x: Array, labels: str, drop: set) -> tuple[Array, str]:
    axes = tuple(i for i, c in enumerate(labels) if c in drop)
    if not axes:
        return x, labels
    return st.sum(x, axis=axes), "".join(c for c in labels if c not in drop)


def _contract(a: Array, la: str, b: Array, lb: str, keep: set) -> tuple[Array, str]:
    """Contract two operands over their shared labels not in ``keep``; shared labels in
    ``keep`` are batch axes (matmul), the others free axes."""
    shared = [c for c in la if c in lb]
    batch = [c for c in shared if c in keep]
    summed = [c for c in shared if c not in keep]
    if not batch:
        out = tensordot(a, b, axes=(tuple(la.index(c) for c in summed),
                                    tuple(lb.index(c) for c in summed)))
        return out, "".join(c for c in la if c not in shared) + "".join(
            c for c in lb if c not in shared)
    free_a = [c for c in la if c not in shared]
    free_b = [c for c in lb if c not in shared]
    size = dict(zip(la, a.shape)) | dict(zip(lb, b.shape))

    def prod(cs):
        return math.prod(size[c] for c in cs)

    a = mp.permute_dims(a, tuple(la.index(c) for c in batch + free_a + summed))
    b = mp.permute_dims(b, tuple(lb.index(c) for c in batch + summed + free_b))
    a = mp.reshape(a, (prod(batch), prod(free_a), prod(summed)))
    b = mp.reshape(b, (prod(batch), prod(summed), prod(free_b)))
    out = mp.reshape(matmul(a, b), tuple(size[c] for c in batch + free_a + free_b))
    return out, "".join(batch + free_a + free_b)


def einsum(*operands: Any, optimize: Any = False, dtype: Any = None) -> Any:
    """Einstein summation: ``einsum("ij,jk->ik", a, b)``; implicit outputs (``"ij,jk"``),
    ``...`` broadcasting, repeated labels (diagonals) and the interleaved form
    ``einsum(a, [0, 1], b, [1, 2], [0, 2])``. Built from diagonals, sums, tensordot and matmul,
    contracting left to right (``optimize`` is accepted and ignored).

    Examples
    --------
    >>> import polygrad.numpy as np
    >>> np.einsum("ii", np.asarray([[1.0, 2.0], [3.0, 4.0]])).tolist()
    5.0
    """
    if not operands:
        raise ValueError("polygrad.numpy.einsum: needs subscripts and operands")
    if isinstance(operands[0], str):
        subscripts, ops = operands[0], operands[1:]
    else:
        subscripts, ops = _interleaved(operands)
    ops = [as_array(o) if dtype is None else astype(as_array(o), dtype) for o in ops]
    inputs, out = _parse_einsum(subscripts, [o.ndim for o in ops])
    ops, inputs = map(list, zip(*(_take_diagonals(o, t) for o, t in zip(ops, inputs))))
    _broadcast_labels(ops, inputs)
    for i in range(len(ops)):
        elsewhere = set(out).union(*(t for j, t in enumerate(inputs) if j != i))
        ops[i], inputs[i] = _sum_labels(ops[i], inputs[i], set(inputs[i]) - elsewhere)
    x, labels = ops[0], inputs[0]
    for i in range(1, len(ops)):
        keep = set(out).union(*inputs[i + 1:])
        x, labels = _sum_labels(x, labels, set(labels) - keep - set(inputs[i]))
        x, labels = _contract(x, labels, ops[i], inputs[i], keep)
    x, labels = _sum_labels(x, labels, set(labels) - set(out))
    return mp.permute_dims(x, tuple(labels.index(c) for c in out)) if labels != out else x


def _broadcast_labels(ops: list, inputs: list) -> None:
    """Broadcast length-1 axes to the length the same label has elsewhere (``...`` axes)."""
    size: dict[str, int] = {}
    for o, t in zip(ops, inputs):
        for c, d in zip(t, o.shape):
            if size.get(c, 1) not in (1, d) and d != 1:
                raise ValueError(f"polygrad.numpy.einsum: subscript {c!r} has lengths "
                                 f"{size[c]} and {d}")
            if c not in size or size[c] == 1:
                size[c] = d
    for i, (o, t) in enumerate(zip(ops, inputs)):
        want = tuple(size[c] for c in t)
        if o.shape != want:
            ops[i] = mp.broadcast_to(o, want)


# -- calculus and signals -------------------------------------------------------------------------
def _along_shape(v: Array, axis: int, ndim: int) -> Array:
    """A 1-D ``v`` shaped to broadcast along ``axis`` of an ``ndim``-dimensional array."""
    return mp.reshape(v, (v.shape[0],) + (1,) * (ndim - axis - 1))


def _gradient_axis(f: Array, axis: int, h: Any, edge_order: int) -> Array:
    n, nd = f.shape[axis], f.ndim

    def s(lo, hi=None):
        return f[_along(axis, nd, slice(lo, hi))]

    if type(h) is not Array or h.ndim == 0:   # uniform spacing
        mid = (s(2) - s(None, -2)) / (2.0 * h)
        if edge_order == 1:
            first, last = (s(1, 2) - s(0, 1)) / h, (s(-1) - s(-2, -1)) / h
        else:
            first = (-1.5 * s(0, 1) + 2.0 * s(1, 2) - 0.5 * s(2, 3)) / h
            last = (0.5 * s(-3, -2) - 2.0 * s(-2, -1) + 1.5 * s(-1)) / h
        return mp.concat([first, mid, last], axis=axis)
    if h.ndim != 1 or h.shape[0] != n:
        raise ValueError(f"polygrad.numpy.gradient: coordinates of shape {h.shape} do not match "
                         f"an axis of length {n}")
    dx = h[1:] - h[:-1]
    h1, h2 = _along_shape(dx[:-1], axis, nd), _along_shape(dx[1:], axis, nd)
    # second-order differences on a non-uniform grid, from the Taylor expansions at x_i
    mid = (-h2 / (h1 * (h1 + h2)) * s(None, -2) + (h2 - h1) / (h1 * h2) * s(1, -1)
           + h1 / (h2 * (h1 + h2)) * s(2))
    if edge_order == 1:
        first, last = (s(1, 2) - s(0, 1)) / dx[0], (s(-1) - s(-2, -1)) / dx[-1]
    else:
        a, b = dx[0], dx[1]
        first = (-(2 * a + b) / (a * (a + b)) * s(0, 1) + (a + b) / (a * b) * s(1, 2)
                 - a / (b * (a + b)) * s(2, 3))
        a, b = dx[-2], dx[-1]
        last = (b / (a * (a + b)) * s(-3, -2) - (a + b) / (a * b) * s(-2, -1)
                + (2 * b + a) / (b * (a + b)) * s(-1))
    return mp.concat([first, mid, last], axis=axis)


def gradient(f: Any, *varargs: Any, axis: Any = None, edge_order: int = 1) -> Any:
    """Second-order central differences inside, one-sided (order ``edge_order``) at the ends.

    ``varargs``: nothing (spacing 1), one spacing for every axis, or one per axis, each a
    scalar or the 1-D coordinates. Returns one array for one axis, else a tuple.
    """
    f = _floating(as_array(f))
    axes = st.normalize_axis(axis, f.ndim, "gradient")
    if axis is not None and not isinstance(axis, int):
        axes = tuple(a % f.ndim for a in axis)
    if edge_order not in (1, 2):
        raise ValueError("polygrad.numpy.gradient: edge_order must be 1 or 2")
    if not varargs:
        spacing = [1.0] * len(axes)
    elif len(varargs) == 1 and not (type(varargs[0]) is Array and varargs[0].ndim == 1):
        spacing = list(varargs) * len(axes)
    elif len(varargs) == len(axes):
        spacing = list(varargs)
    else:
        raise TypeError(f"polygrad.numpy.gradient: {len(varargs)} spacing argument(s) for "
                        f"{len(axes)} axis/axes")
    out = []
    for ax, h in zip(axes, spacing):
        if f.shape[ax] < edge_order + 1:
            raise ValueError("polygrad.numpy.gradient: an axis needs at least edge_order + 1 "
                             "points")
        if isinstance(h, (list, tuple)) or (type(h) is Array and h.ndim == 1):
            h = _floating(as_array(h))
        out.append(_gradient_axis(f, ax, h, edge_order))
    return out[0] if len(out) == 1 else tuple(out)


def trapezoid(y: Any, x: Any = None, dx: float = 1.0, axis: int = -1) -> Any:
    """∫ y dx along ``axis`` by the trapezoidal rule (sample points ``x``, or spacing ``dx``)."""
    from ._utility import diff

    y = as_array(y)
    axis %= y.ndim
    if x is None:
        d = dx
    else:
        x = as_array(x)
        d = _along_shape(diff(x), axis, y.ndim) if x.ndim == 1 else diff(x, axis=axis)
    lo = y[_along(axis, y.ndim, slice(None, -1))]
    hi = y[_along(axis, y.ndim, slice(1, None))]
    return st.sum(d * (lo + hi) * 0.5, axis=axis)


def _correlate_full(a: Array, v: Array) -> Array:
    """full[j] = Σᵢ a[j + i - (m - 1)] v[i], j = 0 .. n + m - 2 (a zero-padded)."""
    n, m = a.shape[0], v.shape[0]
    padded = pad(a, (m - 1, m - 1))
    length = n + m - 1
    windows = take(padded, mp.reshape(
        _indices([j + i for j in range(length) for i in range(m)], a), (length, m)))
    return matmul(windows, v)


def _mode_slice(full_: Array, n: int, m: int, mode: str) -> Array:
    if mode == "full":
        return full_
    if mode == "valid":
        return full_[builtins.min(n, m) - 1:builtins.max(n, m)]
    if mode == "same":
        start = (builtins.min(n, m) - 1) // 2
        return full_[start:start + builtins.max(n, m)]
    raise ValueError(f"polygrad.numpy: mode must be 'full', 'same' or 'valid', got {mode!r}")


def _signals(a: Any, v: Any, fname: str) -> tuple[Array, Array]:
    a, v = as_array(a), as_array(v)
    if a.ndim != 1 or v.ndim != 1:
        raise ValueError(f"polygrad.numpy.{fname}: both inputs must be 1-D")
    if a.shape[0] == 0 or v.shape[0] == 0:
        raise ValueError(f"polygrad.numpy.{fname}: inputs cannot be empty")
    return a, v


def correlate(a: Any, v: Any, mode: str = "valid") -> Any:
    """Cross-correlation of two 1-D sequences: c[k] = Σₙ a[n + k] conj(v[n])."""
    a, v = _signals(a, v, "correlate")
    if v.dtype.kind == "c":
        v = ew.conj(v)
    return _mode_slice(_correlate_full(a, v), a.shape[0], v.shape[0], mode)


def convolve(a: Any, v: Any, mode: str = "full") -> Any:
    """Discrete linear convolution of two 1-D sequences: c[k] = Σₙ a[n] v[k - n]."""
    a, v = _signals(a, v, "convolve")
    return _mode_slice(_correlate_full(a, mp.flip(v)), a.shape[0], v.shape[0], mode)


def interp(x: Any, xp: Any, fp: Any, left: Any = None, right: Any = None,
           period: Any = None) -> Any:
    """Piecewise-linear interpolation of (xp, fp) at ``x``; differentiable in x, xp and fp."""
    from ._searching import searchsorted

    x, xp, fp = _floating(as_array(x)), as_array(xp), as_array(fp)
    if xp.ndim != 1 or fp.ndim != 1 or xp.shape != fp.shape or xp.shape[0] == 0:
        raise ValueError("polygrad.numpy.interp: xp and fp must be 1-D, non-empty and of the "
                         "same length")
    if period is not None:
        from ._sorting import argsort

        xp = ew.remainder(xp, period)
        order = argsort(xp)
        xp, fp = take(xp, order), take(fp, order)
        xp = mp.concat([xp[-1:] - period, xp, xp[:1] + period], axis=0)
        fp = mp.concat([fp[-1:], fp, fp[:1]], axis=0)
        x = ew.remainder(x, period)
        left = right = None
    n = xp.shape[0]
    if n == 1:
        out = fp[0] + 0.0 * x
    else:
        hi = ew.clip(searchsorted(xp, x, side="right"), 1, n - 1)
        lo = hi - 1
        x0, x1, f0, f1 = take(xp, lo), take(xp, hi), take(fp, lo), take(fp, hi)
        out = f0 + (x - x0) * ((f1 - f0) / (x1 - x0))
    out = ew.where(ew.less(x, xp[0]), fp[0] if left is None else left, out)
    return ew.where(ew.greater(x, xp[-1]), fp[-1] if right is None else right, out)
