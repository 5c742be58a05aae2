"""NumPy's calculus and signal routines: gradient, trapezoid, convolve, correlate, interp.

Compositions of the standard's functions, differentiable to any order without rules of their
own. Imports the core, the namespace's category modules (utility, searching and sorting at call
time), the compat helpers and ``_compat_shape`` (pad).
"""

from __future__ import annotations

import builtins
from typing import Any

from . import _elementwise as ew
from . import _manipulation as mp
from . import _statistics as st
from ._compat_helpers import _along, _floating, _indices
from ._compat_shape import pad
from ._helpers import Array, as_array
from ._indexing import take
from ._linear_algebra import matmul
from ._utility import diff
from ._searching import searchsorted
from ._sorting import argsort

__all__ = ["gradient", "trapezoid", "convolve", "correlate", "interp"]


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

    x, xp, fp = _floating(as_array(x)), as_array(xp), as_array(fp)
    if xp.ndim != 1 or fp.ndim != 1 or xp.shape != fp.shape or xp.shape[0] == 0:
        raise ValueError("polygrad.numpy.interp: xp and fp must be 1-D, non-empty and of the "
                         "same length")
    if period is not None:
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
