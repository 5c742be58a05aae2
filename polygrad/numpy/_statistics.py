"""Statistical functions of the Array API standard: sum, prod, mean, max, min, var, std, ...

Imports the core and the namespace helpers.
"""

from __future__ import annotations

import builtins

from .._batching import cumulative_rule, reduction_rule
from .._primitive import defbatch, defjvp, deflinear, defvjp, primitive
from .._array import native_of
from .._ops import expand_to, keep_shape, sum_p  # noqa: F401 (keep_shape: used as st.keep_shape)
from ._helpers import as_array, bind, into, weak_safe
from ._data_types import astype
from .._dtypes import int64, uint64
from ._info import __array_namespace_info__
from .._dtypes import by_name
from ._elementwise import equal, mask
from ._elementwise import conj, real
from .._backend import use_backend
from ._creation import full
from ._manipulation import concat
from ._manipulation import flip
from ._creation import zeros_like

__all__ = ["cumulative_prod", "cumulative_sum", "max", "mean", "min", "prod", "std", "sum", "var"]


def normalize_axis(axis, ndim: int, fname: str):
    """``axis`` as a sorted tuple of non-negative ints (None: every axis)."""
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    out = []
    for a in axes:
        if not -builtins.max(ndim, 1) <= a < builtins.max(ndim, 1):
            raise ValueError(f"polygrad.numpy.{fname}: axis {a} is out of range for an array "
                             f"with {ndim} dimension(s)")
        out.append(a % ndim if ndim else 0)
    if len(set(out)) != len(out):
        raise ValueError(f"polygrad.numpy.{fname}: axis {axis} repeats an axis")
    return tuple(sorted(out))


def _reduction(name: str):
    prim = primitive(name, lambda xp: (lambda x, axis, keepdims: getattr(xp, name)(
        x, axis=axis, keepdims=keepdims)))
    defbatch(prim, reduction_rule(prim))   # pg.vmap
    return prim


_sum = sum_p   # defined with its rule in the core (the core sums cotangents back)


def accumulated(out, x, dtype, fname: str):
    """``out`` (a sum or product of ``x``) in the dtype the standard gives it: ``dtype`` when
    given, else for a bool or integer ``x`` the default integer dtype of its signedness (the
    backends differ: torch keeps uint8, JAX keeps int8), else ``x``'s dtype."""
    if dtype is None:
        kind = x.dtype.kind
        if kind not in "biu":
            return out

        default = __array_namespace_info__().default_dtypes(device=x.device)["integral"]
        dtype = default if kind != "u" else (uint64 if default == int64 else default)
        if kind != "b" and x.dtype.itemsize > dtype.itemsize:
            return out
    if out.dtype == dtype:
        return out

    return astype(out, dtype)


def _sum_input(x, dtype):
    """``x`` cast to a floating or complex ``dtype`` before summing (a wider float sums more
    exactly); integer dtypes are applied to the result, wrapping around as NumPy does."""
    if dtype is not None and dtype != x.dtype and dtype.kind in "fc":
        return astype(x, dtype)
    return x


def sum(a, axis=None, dtype=None, out=None, keepdims: bool = False):  # noqa: A001
    """Sum of elements over ``axis`` (all axes when None); NumPy's signature.

    ``dtype`` is the result's dtype; by default a bool or integer array sums to the default
    integer dtype of its signedness (the standard's rule). ``out``: write the result into that
    Array and return it.
    """
    x = as_array(a)
    if dtype is not None:
        dtype = _dtype(dtype)
        x = _sum_input(x, dtype)
    axes = normalize_axis(axis, x.ndim, "sum")
    res = bind(_sum, (x,), {"axis": axes, "keepdims": keepdims})
    if dtype is not None:   # (without it every backend's sum already follows the standard)
        res = accumulated(res, x, dtype, "sum")
    return res if out is None else into(out, res, "sum")


def _dtype(dtype):
    return by_name(dtype)


sum.primitive = _sum


def _extremum_weights(ans, x, axis, keepdims):
    # the derivative is split evenly among tied extrema (as HIPS autograd); the weights are in
    # x's dtype, so a float32 tangent stays float32

    hit = mask(equal(x, expand_to(ans, x.shape, axis, keepdims)), x)
    return hit / expand_to(sum(hit, axis=axis, keepdims=True), x.shape, axis, True)


def _extremum(name: str):
    prim = _reduction(name)
    defvjp(prim, lambda g, ans, x, axis, keepdims:
           expand_to(g, x.shape, axis, keepdims) * _extremum_weights(ans, x, axis, keepdims))
    defjvp(prim, lambda t, ans, x, axis, keepdims:
           sum(t * _extremum_weights(ans, x, axis, keepdims), axis=axis, keepdims=keepdims))

    def fn(a, axis=None, out=None, keepdims: bool = False):
        x = as_array(a)
        axes = normalize_axis(axis, x.ndim, name)
        empty = [a for a in axes if x.shape[a] == 0]
        if empty:   # as NumPy: reducing a size-0 axis raises; keeping it gives an empty result
            raise ValueError(f"polygrad.numpy.{name}: axis {empty[0]} of the array of shape "
                             f"{x.shape} has size 0, and the {name}imum of no elements is "
                             f"undefined; reduce over non-empty axes only, or use a reduction "
                             f"with an identity (np.sum, np.prod)")
        res = bind(prim, (x,), {"axis": axes, "keepdims": keepdims})
        return res if out is None else into(out, res, name)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"{name.capitalize()}imum over ``axis``; ties share the derivative evenly."
    fn.primitive = prim
    return fn


max = _extremum("max")  # noqa: A001
min = _extremum("min")  # noqa: A001


def _prod_others(ans, x, axis, keepdims):
    """prod_{j≠i} x_j for each i without dividing by zero; its own derivative (the second
    derivative of prod) is exact while at most two elements of a reduced slice are zero."""
    # function-level: equal would shadow this module's own (or the builtin) equal
    from ._elementwise import equal, mask, where

    zero = equal(x, 0)
    nonzero = where(zero, 1.0, x)

    def total(v):
        return expand_to(sum(v, axis=axis, keepdims=True), x.shape, axis, True)

    p_nz = expand_to(prod(nonzero, axis=axis, keepdims=True), x.shape, axis, True)
    count = total(mask(zero, x))
    zeros_sum = total(where(zero, x, 0.0))   # 0 in value, but carries the zeros' derivatives
    # at a non-zero x_j: the zeros (if one) times the other non-zeros
    factor = where(equal(count, 0), 1.0, where(equal(count, 1), zeros_sum, 0.0))
    at_nonzero = factor * p_nz / nonzero
    # at a zero x_i: the non-zeros, times the other zero when there are two
    at_zero = where(equal(count, 1), p_nz,
                    where(equal(count, 2), (zeros_sum - x) * p_nz, 0.0))
    return where(zero, at_zero, at_nonzero)


_prod = _reduction("prod")
defvjp(_prod, lambda g, ans, x, axis, keepdims:
       expand_to(g, x.shape, axis, keepdims) * _prod_others(ans, x, axis, keepdims))
defjvp(_prod, lambda t, ans, x, axis, keepdims:
       sum(t * _prod_others(ans, x, axis, keepdims), axis=axis, keepdims=keepdims))


def prod(a, axis=None, dtype=None, out=None, keepdims: bool = False):
    """Product of elements over ``axis``; its derivative is exact where elements are zero.
    ``dtype`` and ``out`` as for :func:`sum`."""
    x = as_array(a)
    if dtype is not None:
        dtype = _dtype(dtype)
        x = _sum_input(x, dtype)
    axes = normalize_axis(axis, x.ndim, "prod")
    res = bind(_prod, (x,), {"axis": axes, "keepdims": keepdims})
    if dtype is not None:   # (without it every backend's prod already follows the standard)
        res = accumulated(res, x, dtype, "prod")
    return res if out is None else into(out, res, "prod")


prod.primitive = _prod


def _count(x, axes) -> int:
    n = 1
    shape = x.shape
    for a in axes:
        n *= shape[a]
    return n


def mean(a, axis=None, dtype=None, out=None, keepdims: bool = False):
    """Arithmetic mean over ``axis``; ``dtype``: the dtype to compute in (NumPy's signature)."""
    x = as_array(a)
    if dtype is not None:
        x = astype(x, _dtype(dtype))
    axes = normalize_axis(axis, x.ndim, "mean")
    res = sum(x, axis=axes, keepdims=keepdims) / _count(x, axes)
    return res if out is None else into(out, res, "mean")


def _correction(ddof, correction, fname: str):
    if ddof and correction:
        raise ValueError(f"polygrad.numpy.{fname}: ddof and correction are the same thing; give "
                         f"one of them")
    return correction or ddof


def var(a, axis=None, dtype=None, out=None, ddof=0, keepdims: bool = False, *,
        correction: float = 0.0):
    """Variance over ``axis`` with ``ddof`` (the standard's ``correction``) degrees of freedom
    removed; NumPy's signature."""
    correction = _correction(ddof, correction, "var")
    x = as_array(a)
    if dtype is not None:
        x = astype(x, _dtype(dtype))
    axes = normalize_axis(axis, x.ndim, "var")
    centered = x - mean(x, axis=axes, keepdims=True)
    if x.dtype.kind == "c":   # |x - mean|², a real variance

        squares = real(centered * conj(centered))
    else:
        squares = centered * centered
    res = sum(squares, axis=axes, keepdims=keepdims) / (_count(x, axes) - correction)
    return res if out is None else into(out, res, "var")


def std(a, axis=None, dtype=None, out=None, ddof=0, keepdims: bool = False, *,
        correction: float = 0.0):
    """Standard deviation over ``axis`` (``ddof`` as for :func:`var`). Where every value is the
    same (std 0) its derivative is taken as zero, a subgradient (as PyTorch and
    ``vector_norm``), never NaN."""
    # function-level: equal would shadow this module's own (or the builtin) equal
    from ._elementwise import equal, sqrt, where

    v = var(a, axis, dtype, None, ddof, keepdims, correction=correction)
    # sqrt has an infinite derivative at 0: take the square root of 1 there instead
    flat = equal(v, 0)
    res = where(flat, 0.0, sqrt(where(flat, 1.0, v)))
    return res if out is None else into(out, res, "std")


# -- cumulative sums and products ---------------------------------------------------------------
def _cumulative_axis(x, axis, fname: str) -> int:
    if x.ndim == 0:
        raise ValueError(f"polygrad.numpy.{fname}: needs an array with at least one dimension, "
                         f"got a 0-d array")
    if axis is None:
        if x.ndim > 1:
            raise ValueError(f"polygrad.numpy.{fname}: axis must be given for an array with "
                             f"{x.ndim} dimensions")
        return 0
    if not isinstance(axis, int):
        raise TypeError(f"polygrad.numpy.{fname}: axis must be an int or None, got {axis!r}")
    return normalize_axis(axis, x.ndim, fname)[0]


def _along(v, axis: int, start, stop):
    return v[(slice(None),) * axis + (slice(start, stop),)]


def _pad(v, axis: int, fill: float, at_end: bool = False):
    """``v`` with one slice of ``fill`` added along ``axis`` at the start (or end)."""

    # built from the shape, not from a slice of v, which is empty when v is (a length-1 axis
    # gives an empty exclusive product)
    shape = tuple(1 if i == axis else d for i, d in enumerate(v.shape))
    with use_backend(v._backend):
        edge = full(shape, fill, dtype=v.dtype)
    return concat([v, edge] if at_end else [edge, v], axis=axis)


def _cumulative(name: str):
    prim = primitive(name, lambda xp: lambda x, axis, include_initial: getattr(xp, name)(
        x, axis=axis, include_initial=include_initial))
    defbatch(prim, cumulative_rule(prim))   # pg.vmap
    return prim


def _cumulative_sum_vjp(g, ans, x, axis, include_initial):
    # d out_k / d x_i = 1 for i < k (include_initial) or i <= k: a reversed cumulative sum

    if include_initial:
        g = _along(g, axis, 1, None)
    return flip(cumulative_sum(flip(g, axis=axis), axis=axis), axis=axis)


_cumulative_sum = _cumulative("cumulative_sum")
deflinear(_cumulative_sum, _cumulative_sum_vjp)




def cumulative_sum(x, /, *, axis: int | None = None, dtype=None, out=None,
                   include_initial: bool = False):
    """Cumulative sum along ``axis`` (may be None only for 1-D ``x``); with
    ``include_initial`` the result starts with a zero. Linear, so differentiable to any order.

    Examples
    --------
    >>> import polygrad.numpy as np
    >>> np.cumulative_sum(np.asarray([1.0, 2.0, 3.0]), include_initial=True).tolist()
    [0.0, 1.0, 3.0, 6.0]
    """
    x = as_array(x)
    if dtype is not None:
        dtype = _dtype(dtype)
        x = _sum_input(x, dtype)
    axis = _cumulative_axis(x, axis, "cumulative_sum")
    res = bind(_cumulative_sum, (x,), {"axis": axis, "include_initial": include_initial})
    if dtype is not None or native_of(x).dtype not in weak_safe(x._backend):
        res = accumulated(res, x, dtype, "cumulative_sum")
    return res if out is None else into(out, res, "cumulative_sum")


cumulative_sum.primitive = _cumulative_sum


def _shifted(v, s: int, axis: int, reverse: bool):
    """``v`` moved ``s`` places along ``axis`` (towards the end, or the start when ``reverse``),
    zero-filled."""

    n = v.shape[axis]
    if reverse:
        return concat([_along(v, axis, s, None), zeros_like(_along(v, axis, 0, s))], axis=axis)
    return concat([zeros_like(_along(v, axis, 0, s)), _along(v, axis, 0, n - s)], axis=axis)


def _linear_recurrence(a, b, axis: int, reverse: bool = False):
    """h with h_k = a_k h_{k-1} + b_k along ``axis`` (h_{k+1} when ``reverse``), h = 0 before
    the start: a parallel prefix scan in log2(n) steps of multiplications and additions only,
    so it is exact at zeros and differentiates again to any order."""
    n = b.shape[axis]
    s = 1
    while s < n:
        # element k now maps h_{k-2s} to h_k: compose its map with that of element k-s
        b = b + a * _shifted(b, s, axis, reverse)
        if 2 * s < n:
            a = a * _shifted(a, s, axis, reverse)
        s *= 2
    return b


def _exclusive_prod(ans, axis, include_initial):
    """prod_{i<k} x_i for each k, read off the output (no division)."""
    if include_initial:
        return _along(ans, axis, 0, -1)
    return _pad(_along(ans, axis, 0, -1), axis, 1.0)


# With P_k = prod_{i<k} x_i, out_k = P_k x_k and
#   JVP: T_k = x_k T_{k-1} + P_k t_k;   VJP: dx_j = P_j S_j with S_j = g_j + x_{j+1} S_{j+1}.
def _cumulative_prod_jvp(t, ans, x, axis, include_initial):
    if x.shape[axis] == 0:
        return None
    tangent = _linear_recurrence(x, _exclusive_prod(ans, axis, include_initial) * t, axis)
    return _pad(tangent, axis, 0.0) if include_initial else tangent


def _cumulative_prod_vjp(g, ans, x, axis, include_initial):
    if x.shape[axis] == 0:
        return None
    if include_initial:
        g = _along(g, axis, 1, None)
    s = _linear_recurrence(_shifted(x, 1, axis, True), g, axis, reverse=True)
    return _exclusive_prod(ans, axis, include_initial) * s


_cumulative_prod = _cumulative("cumulative_prod")
defvjp(_cumulative_prod, _cumulative_prod_vjp)
defjvp(_cumulative_prod, _cumulative_prod_jvp)


def cumulative_prod(x, /, *, axis: int | None = None, dtype=None, out=None,
                    include_initial: bool = False):
    """Cumulative product along ``axis`` (may be None only for 1-D ``x``); with
    ``include_initial`` the result starts with a one. Its derivatives never divide by ``x``:
    they are exact at zeros, to any order.

    Examples
    --------
    >>> import polygrad as pg, polygrad.numpy as np
    >>> x = np.asarray([2.0, 0.0, 3.0])
    >>> np.cumulative_prod(x).tolist()
    [2.0, 0.0, 0.0]
    >>> pg.grad(lambda x: np.sum(np.cumulative_prod(x)))(x).tolist()
    [1.0, 8.0, 0.0]
    """
    x = as_array(x)
    if dtype is not None:
        dtype = _dtype(dtype)
        x = _sum_input(x, dtype)
    axis = _cumulative_axis(x, axis, "cumulative_prod")
    res = bind(_cumulative_prod, (x,), {"axis": axis, "include_initial": include_initial})
    if dtype is not None or native_of(x).dtype not in weak_safe(x._backend):
        res = accumulated(res, x, dtype, "cumulative_prod")
    return res if out is None else into(out, res, "cumulative_prod")


cumulative_prod.primitive = _cumulative_prod
