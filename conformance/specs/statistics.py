"""Spec rows of the statistical functions (sum, prod, max, min, cumulative sums and products, mean,
var, std) and NumPy's reductions (amax, ptp, average, nansum, cumsum, median, quantile, ...).

Imports polygrad.numpy, NumPy (references) and the suite's spec types.
"""

from __future__ import annotations

import math

import numpy

import polygrad.numpy as np
from polygrad_conformance.specs._helpers import A, Case, Spec

__all__ = ["specs"]

_FC = ("float", "complex")


def _axis_grid(domain="real") -> list:
    """Axis None / int / negative / tuple, keepdims, a 0-d and a size-0 input."""
    return [
        Case(A((3, 4), domain)),
        Case(A((3, 4), domain), axis=0),
        Case(A((3, 4), domain), axis=-1, keepdims=True),
        Case(A((2, 3, 2), domain), axis=(0, -1)),
        Case(A((), domain)),
        Case(A((5,), domain), axis=0, keepdims=True, full=True),
    ]


def _size0() -> list:
    return [Case(A((0, 3)), axis=0, id="0x3,axis=0"), Case(A((2, 0)), id="2x0", full=True)]


def _ties(reduce):
    """Tied extrema share the derivative evenly (HIPS autograd's convention)."""
    x = [[1.0, 3.0, 3.0], [2.0, 2.0, -1.0]]

    def expected(x, v):
        hit = (x == reduce(x, axis=1, keepdims=True)).astype(float)
        return (v[:, None] * hit / hit.sum(axis=1, keepdims=True),)
    return Case(A((2, 3), values=x), axis=1, id="ties", tangent="by_value", order=1,
                vjp_ref=expected)


def _zeros_cases() -> list:
    x = [[1.5, 0.0, 2.0], [0.0, 0.0, 3.0], [1.0, -2.0, 0.5]]
    return [Case(A((3, 3), values=x), axis=-1, id="zeros,axis=-1"),
            Case(A((3, 3), values=x), id="zeros"),
            Case(A((3, 3), values=x), axis=0, keepdims=True, id="zeros,axis=0,keepdims",
                 full=True)]


def _cumulative(fn_name: str) -> list:
    return [
        Case(A((5,))),
        Case(A((3, 4)), axis=0),
        Case(A((3, 4)), axis=-1, include_initial=True),
        Case(A((2, 0)), axis=1),
        Case(A((4,), values=[2.0, 0.0, 3.0, 0.0]), id="zeros") if fn_name == "prod" else
        Case(A((1,)), id="one"),
        Case(A((4,), values=[2.0, 0.0, 3.0, -1.5]), include_initial=True, id="zero,initial")
        if fn_name == "prod" else Case(A((2, 3)), axis=1, include_initial=True),
    ]


def _cumulative_ref(op):
    def ref(x, axis=None, include_initial=False):
        ax = 0 if axis is None else axis
        out = op(x, axis=ax)
        if include_initial:
            shape = list(x.shape)
            shape[ax] = 1
            first = numpy.zeros(shape) if op is numpy.cumsum else numpy.ones(shape)
            out = numpy.concatenate([first.astype(out.dtype), out], axis=ax)
        return out
    return ref


def _var_ref(op):
    def ref(x, axis=None, correction=0.0, keepdims=False):
        return op(x, axis=axis, ddof=correction, keepdims=keepdims)
    return ref


def _stat_cases(domain="real") -> list:
    return [Case(A((3, 4), domain)), Case(A((3, 4), domain), axis=0),
            Case(A((2, 3, 2), domain), axis=(-1, 0), keepdims=True),
            Case(A((5,), domain), correction=1.0, id="5,correction=1"),
            Case(A((), domain))]


def specs() -> list:
    return _statistics() + calculus_specs()


def _statistics() -> list:
    maxmin = [c for c in _axis_grid("distinct")]
    return [
        Spec("sum", np.sum, numpy.sum, _axis_grid() + _size0(), dtypes=_FC),
        Spec("prod", np.prod, numpy.prod, _axis_grid() + _size0() + _zeros_cases(),
             dtypes=_FC),
        Spec("max", np.max, numpy.max, maxmin + [_ties(numpy.max)]),
        Spec("min", np.min, numpy.min, maxmin + [_ties(numpy.min)]),
        Spec("cumulative_sum", np.cumulative_sum, _cumulative_ref(numpy.cumsum),
             _cumulative("sum"), dtypes=_FC),
        Spec("cumulative_prod", np.cumulative_prod, _cumulative_ref(numpy.cumprod),
             _cumulative("prod"), dtypes=_FC),
        Spec("mean", np.mean, numpy.mean, _axis_grid(), dtypes=_FC, primitives=("sum",)),
        Spec("var", np.var, _var_ref(numpy.var), _stat_cases(), dtypes=_FC,
             primitives=("sum", "multiply", "real", "conj")),
        Spec("std", np.std, _var_ref(numpy.std), _stat_cases(), dtypes=_FC,
             primitives=("sum", "sqrt")),
        # NumPy's reductions (autograd names)
        Spec("amax", np.amax, numpy.amax, [Case(A((3, 4), "distinct"), axis=1),
                                           Case(A((3, 4), "distinct"))], primitives=("max",)),
        Spec("amin", np.amin, numpy.amin, [Case(A((3, 4), "distinct"), axis=0, keepdims=True),
                                           Case(A((3, 4), "distinct"))], primitives=("min",)),
        Spec("ptp", np.ptp, numpy.ptp, [Case(A((3, 4), "distinct"), axis=1),
                                        Case(A((3, 4), "distinct"))],
             primitives=("max", "min")),
        Spec("average", lambda a, w=None, **kw: np.average(a, weights=w, **kw),
             lambda a, w=None, **kw: numpy.average(a, weights=w, **kw), [
            Case(A((3, 4)), axis=1), Case(A((3, 4)), A((4,), "positive"), axis=-1),
            Case(A((5,)))], primitives=("sum", "multiply", "divide")),
        Spec("nansum", np.nansum, numpy.nansum, [
            Case(A((3, 4)), axis=0),
            Case(A((4,), values=[1.0, math.nan, 2.5, -1.0]), id="nan")],
            primitives=("sum", "where")),
        Spec("nanmean", np.nanmean, numpy.nanmean, [
            Case(A((3, 4)), axis=1),
            Case(A((4,), values=[1.0, math.nan, 2.5, -1.0]), id="nan")],
            primitives=("sum", "where")),
        Spec("cumsum", np.cumsum, numpy.cumsum, [Case(A((3, 4)), axis=1), Case(A((3, 4)))],
             dtypes=_FC, primitives=("cumulative_sum",)),
        Spec("cumprod", np.cumprod, numpy.cumprod, [
            Case(A((3, 4)), axis=0), Case(A((4,), values=[2.0, 0.0, 3.0, 1.5]), id="zero")],
            dtypes=_FC, primitives=("cumulative_prod",)),
        Spec("median", np.median, numpy.median, [
            Case(A((5,), "distinct")), Case(A((3, 4), "distinct"), axis=1),
            Case(A((2, 4), "distinct"), axis=0, keepdims=True)], primitives=("sort",)),
        Spec("quantile", np.quantile, numpy.quantile, [
            Case(A((7,), "distinct"), A((), dtype="py", values=0.3)),
            Case(A((3, 5), "distinct"), A((), dtype="py", values=0.75), axis=1)],
            primitives=("sort",)),
        Spec("percentile", np.percentile, numpy.percentile, [
            Case(A((7,), "distinct"), A((), dtype="py", values=40.0)),
            Case(A((3, 5), "distinct"), A((), dtype="py", values=90.0), axis=0)],
            primitives=("sort",)),
    ]


def _sorted_grid(rng, shape, c):
    """Increasing sample points, at least 0.5 apart."""
    return numpy.cumsum(rng.uniform(0.5, 1.0, shape)) - 1.0


def _inside(rng, shape, c):
    """Points inside the range of ``_sorted_grid`` (about [-0.5, 1.5] for 4 points)."""
    return rng.uniform(-0.3, 1.2, shape)


def _gradient(f, *spacing, **kw):
    out = np.gradient(f, *spacing, **kw)
    return tuple(out) if isinstance(out, (list, tuple)) else out


def _gradient_ref(f, *spacing, **kw):
    out = numpy.gradient(f, *spacing, **kw)
    return tuple(out) if isinstance(out, (list, tuple)) else out


def calculus_specs() -> list:
    """NumPy's calculus and signal conveniences (autograd names)."""
    cat = "calculus"
    return [
        Spec("gradient", _gradient, _gradient_ref, [
            Case(A((5,))), Case(A((3, 4))), Case(A((4, 5)), axis=1, edge_order=2),
            Case(A((5,)), A((), dtype="py", values=0.5), id="5,dx=0.5"),
            Case(A((5,)), A((5,), _sorted_grid), id="5,coordinates")],
            primitives=("getitem", "subtract", "divide"), category=cat),
        Spec("trapezoid", lambda y, x=None, **kw: np.trapezoid(y, x, **kw),
             lambda y, x=None, **kw: numpy.trapezoid(y, x, **kw), [
                 Case(A((5,))), Case(A((3, 4)), dx=0.5, axis=0),
                 Case(A((5,)), A((5,), _sorted_grid), id="5,x")],
             primitives=("getitem", "sum"), category=cat),
        Spec("convolve", np.convolve, numpy.convolve, [
            Case(A((5,)), A((3,))), Case(A((5,)), A((3,)), mode="same"),
            Case(A((4,)), A((4,)), mode="valid")], dtypes=_FC,
            primitives=("multiply", "sum"), category=cat),
        Spec("correlate", np.correlate, numpy.correlate, [
            Case(A((5,)), A((3,))), Case(A((5,)), A((3,)), mode="full"),
            Case(A((4,)), A((2,)), mode="same")], dtypes=_FC,
            primitives=("multiply", "sum", "conj"), category=cat),
        Spec("interp", np.interp, numpy.interp, [
            Case(A((3,), _inside), A((4,), _sorted_grid), A((4,))),
            Case(A((2, 2), _inside), A((4,), _sorted_grid), A((4,)))],
            primitives=("searchsorted", "getitem", "where"), category=cat),
    ]
