"""Utility functions of the Array API standard: all, any, diff.

Imports the core and the namespace helpers.
"""

from __future__ import annotations

from .._primitive import defbatch, nondiff, primitive
from .._batching import reduction_rule
from ._helpers import as_array, bind, into
from ._manipulation import concat

__all__ = ["all", "any", "diff"]


def _logical_reduction(name: str):
    prim = nondiff(primitive(name, lambda xp: lambda x, axis, keepdims: getattr(xp, name)(
        x, axis=axis, keepdims=keepdims)))
    defbatch(prim, reduction_rule(prim))   # pg.vmap

    def fn(a, axis=None, out=None, keepdims: bool = False):
        if isinstance(axis, list):
            axis = tuple(axis)
        res = bind(prim, (as_array(a),), {"axis": axis, "keepdims": keepdims})
        return res if out is None else into(out, res, name)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"Whether {name} elements along ``axis`` are true."
    fn.primitive = prim
    return fn


all = _logical_reduction("all")  # noqa: A001
any = _logical_reduction("any")  # noqa: A001


def diff(a, n: int = 1, axis: int = -1, prepend=None, append=None):
    """The ``n``-th discrete difference along ``axis`` (a composition: differentiable)."""

    x = as_array(a)
    if x.ndim == 0:
        raise ValueError("polygrad.numpy.diff: needs an array with at least one dimension")
    if not -x.ndim <= axis < x.ndim:
        raise ValueError(f"polygrad.numpy.diff: axis {axis} is out of range for an array with "
                         f"{x.ndim} dimension(s)")
    axis = axis % x.ndim
    if prepend is not None or append is not None:
        parts = [p for p in (prepend, x, append) if p is not None]
        x = concat([as_array(p) for p in parts], axis=axis)
    for _ in range(n):
        hi = (slice(None),) * axis + (slice(1, None),)
        lo = (slice(None),) * axis + (slice(None, -1),)
        x = x[hi] - x[lo]
    return x
