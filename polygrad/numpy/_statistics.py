"""Statistical functions of the Array API standard: sum, prod, mean, max, min, var, std, ...

Imports the core and the namespace helpers.
"""

from __future__ import annotations

import builtins

from .._primitive import defjvp, deflinear, defvjp, primitive
from ._helpers import as_array, bind

__all__ = ["max", "mean", "min", "prod", "std", "sum", "var"]


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


def keep_shape(shape: tuple, axes: tuple) -> tuple:
    return tuple(1 if i in axes else d for i, d in enumerate(shape))


def expand_to(g, shape: tuple, axes: tuple, keepdims: bool):
    """Undo a reduction's shape change: reshape ``g`` to keepdims form, broadcast to ``shape``."""
    from ._manipulation import broadcast_to, reshape

    if not keepdims:
        g = reshape(g, keep_shape(shape, axes))
    return broadcast_to(g, shape)


def _reduction(name: str):
    return primitive(name, lambda xp: (lambda x, axis, keepdims: getattr(xp, name)(
        x, axis=axis, keepdims=keepdims)))


_sum = _reduction("sum")
deflinear(_sum, lambda g, ans, x, axis, keepdims: expand_to(g, x.shape, axis, keepdims))


def sum(x, /, *, axis=None, dtype=None, keepdims: bool = False):  # noqa: A001
    """Sum of elements over ``axis`` (all axes when None)."""
    x = as_array(x)
    if dtype is not None:
        from ._data_types import astype

        x = astype(x, dtype)
    axes = normalize_axis(axis, x.ndim, "sum")
    return bind(_sum, (x,), {"axis": axes, "keepdims": keepdims})


sum.primitive = _sum


def _extremum_weights(ans, x, axis, keepdims):
    # the derivative is split evenly among tied extrema (as HIPS autograd)
    from ._elementwise import equal, where

    hit = where(equal(x, expand_to(ans, x.shape, axis, keepdims)), 1.0, 0.0)
    return hit / expand_to(sum(hit, axis=axis, keepdims=True), x.shape, axis, True)


def _extremum(name: str):
    prim = _reduction(name)
    defvjp(prim, lambda g, ans, x, axis, keepdims:
           expand_to(g, x.shape, axis, keepdims) * _extremum_weights(ans, x, axis, keepdims))
    defjvp(prim, lambda t, ans, x, axis, keepdims:
           sum(t * _extremum_weights(ans, x, axis, keepdims), axis=axis, keepdims=keepdims))

    def fn(x, /, *, axis=None, keepdims: bool = False):
        x = as_array(x)
        axes = normalize_axis(axis, x.ndim, name)
        if x.size == 0:
            raise ValueError(f"polygrad.numpy.{name}: zero-size array has no {name}imum")
        return bind(prim, (x,), {"axis": axes, "keepdims": keepdims})
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"{name.capitalize()}imum over ``axis``; ties share the derivative evenly."
    fn.primitive = prim
    return fn


max = _extremum("max")  # noqa: A001
min = _extremum("min")  # noqa: A001


def _prod_others(ans, x, axis, keepdims):
    """prod_{j≠i} x_j for each i without dividing by zero; its own derivative (the second
    derivative of prod) is exact while at most two elements of a reduced slice are zero."""
    from ._elementwise import equal, where

    zero = equal(x, 0)
    nonzero = where(zero, 1.0, x)

    def total(v):
        return expand_to(sum(v, axis=axis, keepdims=True), x.shape, axis, True)

    p_nz = expand_to(prod(nonzero, axis=axis, keepdims=True), x.shape, axis, True)
    count = total(where(zero, 1.0, 0.0))
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


def prod(x, /, *, axis=None, dtype=None, keepdims: bool = False):
    """Product of elements over ``axis``; its derivative is exact where elements are zero."""
    x = as_array(x)
    if dtype is not None:
        from ._data_types import astype

        x = astype(x, dtype)
    axes = normalize_axis(axis, x.ndim, "prod")
    return bind(_prod, (x,), {"axis": axes, "keepdims": keepdims})


prod.primitive = _prod


def _count(x, axes) -> int:
    n = 1
    shape = x.shape
    for a in axes:
        n *= shape[a]
    return n


def mean(x, /, *, axis=None, keepdims: bool = False):
    """Arithmetic mean over ``axis``."""
    x = as_array(x)
    axes = normalize_axis(axis, x.ndim, "mean")
    return sum(x, axis=axes, keepdims=keepdims) / _count(x, axes)


def var(x, /, *, axis=None, correction: float = 0.0, keepdims: bool = False):
    """Variance over ``axis`` with ``correction`` degrees of freedom removed."""
    x = as_array(x)
    axes = normalize_axis(axis, x.ndim, "var")
    centered = x - mean(x, axis=axes, keepdims=True)
    return sum(centered * centered, axis=axes, keepdims=keepdims) / (
        _count(x, axes) - correction)


def std(x, /, *, axis=None, correction: float = 0.0, keepdims: bool = False):
    """Standard deviation over ``axis``."""
    from ._elementwise import sqrt

    return sqrt(var(x, axis=axis, correction=correction, keepdims=keepdims))


