"""Spec rows of the element-wise functions (the standard's section and NumPy's conveniences).

Imports polygrad.numpy, NumPy (references) and the suite's spec types.
"""

from __future__ import annotations

import math

import numpy

import polygrad.numpy as np
from polygrad.numpy import _elementwise as _ew  # the fused rule primitives
from polygrad_conformance.specs._helpers import (
    A,
    Case,
    Spec,
    binary_cases,
    binary_row,
    nondiff_row,
    unary_cases,
    unary_row,
)

__all__ = ["specs"]


def _quarter(rng, shape, c):
    """k + 1/4 (±0.05): never within 0.4 of a value of ``_three_quarters``."""
    return rng.integers(-3, 3, shape) + 0.25 + rng.uniform(-0.05, 0.05, shape)


def _three_quarters(rng, shape, c):
    return rng.integers(-3, 3, shape) + 0.75 + rng.uniform(-0.05, 0.05, shape)


def _odd(rng, shape, c):
    """(2k+1) ± 0.3: divided by ``_near2`` it stays at least 0.1 away from an integer."""
    return 2 * rng.integers(-3, 3, shape) + 1 + rng.uniform(-0.3, 0.3, shape)


def _near2(rng, shape, c):
    return rng.uniform(1.9, 2.1, shape) * rng.choice([-1.0, 1.0], shape)


def _lower(rng, shape, c):
    return rng.uniform(-1.3, -1.2, shape)


def _upper(rng, shape, c):
    return rng.uniform(1.6, 1.7, shape)


def _split_ties(a, b, v):
    return v * numpy.where(a == b, 0.5, numpy.where(a > b, 1.0, 0.0))


def _select_extremum_ref(g, x, other, larger):
    sign = 1.0 if larger else -1.0
    return _split_ties(sign * numpy.asarray(x), sign * numpy.asarray(other), g)


def _extremum_ties(fn, ref, name):
    """Ties share the derivative evenly: directions keep ties tied; the convention is checked."""
    x1 = [1.0, 2.0, 3.0, -1.0]
    x2 = [1.0, 0.5, 3.0, 2.0]
    sign = 1.0 if name == "maximum" else -1.0
    return Case(A((4,), values=x1), A((4,), values=x2), id="ties", tangent="by_value", order=1,
                vjp_ref=lambda a, b, v: (_split_ties(sign * a, sign * b, v),
                                         _split_ties(sign * b, sign * a, v)))


def _clip(x, *bounds, **kw):
    return np.clip(x, *bounds, **kw)


def _clip_ref(x, *bounds, min=None, max=None):  # noqa: A002
    lo, hi = (list(bounds) + [None, None])[:2]
    lo, hi = (lo if lo is not None else min), (hi if hi is not None else max)
    if lo is None:
        return numpy.minimum(x, hi)
    if hi is None:
        return numpy.maximum(x, lo)
    return numpy.clip(x, lo, hi)


def _unary_specs() -> list:
    rows = [
        unary_row("abs", np.abs, numpy.abs, "nonzero", extra=(
            Case(A((3,), values=[-1.5, 0.0, 2.0]), id="at-zero", order=1,
                 vjp_ref=lambda x, v: (v * numpy.sign(x),)),)),
        unary_row("acos", np.acos, numpy.arccos, "unit"),
        unary_row("acosh", np.acosh, numpy.arccosh, "gt1"),
        unary_row("asin", np.asin, numpy.arcsin, "unit"),
        unary_row("asinh", np.asinh, numpy.arcsinh, "small"),
        unary_row("atan", np.atan, numpy.arctan, "small"),
        unary_row("atanh", np.atanh, numpy.arctanh, "unit"),
        unary_row("conj", np.conj, numpy.conj),
        unary_row("cos", np.cos, numpy.cos),
        unary_row("cosh", np.cosh, numpy.cosh),
        unary_row("exp", np.exp, numpy.exp),
        unary_row("expm1", np.expm1, numpy.expm1),
        unary_row("imag", np.imag, numpy.imag),
        unary_row("log", np.log, numpy.log, "positive"),
        unary_row("log10", np.log10, numpy.log10, "positive"),
        unary_row("log1p", np.log1p, numpy.log1p, "small"),
        unary_row("log2", np.log2, numpy.log2, "positive"),
        unary_row("negative", np.negative, numpy.negative),
        unary_row("positive", np.positive, numpy.positive),
        unary_row("real", np.real, numpy.real),
        unary_row("reciprocal", np.reciprocal, numpy.reciprocal, "nonzero"),
        unary_row("sign", np.sign, _sign_ref, "nonzero"),
        unary_row("sin", np.sin, numpy.sin),
        unary_row("sinh", np.sinh, numpy.sinh),
        unary_row("sqrt", np.sqrt, numpy.sqrt, "positive"),
        unary_row("square", np.square, numpy.square),
        unary_row("tan", np.tan, numpy.tan, "small"),
        unary_row("tanh", np.tanh, numpy.tanh),
        # NumPy conveniences composed from primitives
        unary_row("exp2", np.exp2, numpy.exp2, primitives=("pow",)),
        unary_row("sinc", np.sinc, numpy.sinc, primitives=("sin", "divide", "where"),
                  complex_=False, extra=(Case(A((3,), values=[0.0, 0.1, -0.3]), id="at-zero"),)),
        unary_row("rad2deg", np.rad2deg, numpy.rad2deg, primitives=("multiply",),
                  complex_=False),
        unary_row("deg2rad", np.deg2rad, numpy.deg2rad, primitives=("multiply",),
                  complex_=False),
        Spec("angle", np.angle, numpy.angle, [
            Case(A((5,), "nonzero")), Case(A((2, 3), "nonzero"), kwargs={"deg": True})],
            dtypes=("float", "complex"), primitives=("atan2", "real", "imag"),
            category="elementwise"),
        Spec("real_if_close", np.real_if_close, numpy.real_if_close, [
            Case(A((4,))), Case(A((2, 2)), kwargs={"tol": 1e-3})],
            dtypes=("float", "complex"), primitives=("real",), category="elementwise"),
        Spec("nan_to_num", np.nan_to_num, numpy.nan_to_num, [
            Case(A((5,))),
            # the default fills are the dtype's extremes: NumPy's reference runs in float64
            Case(A((6,), values=[1.5, math.nan, math.inf, -math.inf, -2.0, 0.5]), id="nonfinite",
                 dtypes=("float64",)),
            Case(A((6,), values=[1.5, math.nan, math.inf, -math.inf, -2.0, 0.5]), id="fills",
                 kwargs={"nan": 1.0, "posinf": 9.0, "neginf": -9.0})],
            dtypes=("float",), primitives=("where", "isnan", "isinf"), category="elementwise"),
    ]
    return rows


def _sign_ref(x):
    if numpy.iscomplexobj(x):
        mag = numpy.abs(x)
        return numpy.where(mag == 0, 0, x / numpy.where(mag == 0, 1, mag))
    return numpy.sign(x)


def _binary_specs() -> list:
    rows = [
        binary_row("add", np.add, numpy.add),
        binary_row("subtract", np.subtract, numpy.subtract),
        binary_row("multiply", np.multiply, numpy.multiply),
        binary_row("divide", np.divide, numpy.divide, "real", "nonzero"),
        binary_row("pow", np.pow, numpy.power, "positive", "real", extra=(
            Case(A((3,), values=[0.0, 1.5, 0.0]), A((), dtype="py", values=2.0), id="zero-base",
                 order=1),
            Case(A((), dtype="py", values=2.0), A((4,)), id="scalar-base"),
            Case(A((3,), "nonzero"), A((), dtype="py", values=3.0), id="integer-exponent"),
        )),
        binary_row("atan2", np.atan2, numpy.arctan2, "nonzero", "nonzero", complex_=False),
        binary_row("hypot", np.hypot, numpy.hypot, "nonzero", "nonzero", complex_=False),
        binary_row("logaddexp", np.logaddexp, numpy.logaddexp, complex_=False),
        binary_row("maximum", np.maximum, numpy.maximum, _quarter, _three_quarters,
                   complex_=False, extra=(_extremum_ties(np.maximum, numpy.maximum, "maximum"),)),
        binary_row("minimum", np.minimum, numpy.minimum, _quarter, _three_quarters,
                   complex_=False, extra=(_extremum_ties(np.minimum, numpy.minimum, "minimum"),)),
        binary_row("copysign", np.copysign, numpy.copysign, "nonzero", "nonzero",
                   complex_=False),
        binary_row("nextafter", np.nextafter, numpy.nextafter, _quarter, _three_quarters,
                   complex_=False, scalar=False),
        binary_row("remainder", np.remainder, numpy.remainder, _odd, _near2, complex_=False),
        Spec("clip", _clip, _clip_ref, [
            Case(A((2, 3), _quarter), A((3,), _lower), A((), _upper)),
            Case(A((5,), _quarter), A((5,), _lower), A((5,), _upper)),
            Case(A((), _quarter), A((), _lower), A((), _upper)),
            Case(A((2, 3), _quarter), kwargs={"min": -1.25}, id="2x3,min"),
            Case(A((2, 3), _quarter), kwargs={"max": 1.65}, id="2x3,max"),
            Case(A((0, 2), _quarter), A((2,), _lower), A((2,), _upper)),
        ], category="elementwise"),
        # tanh's fused rule g (1 - y²), differentiated in both g and y (higher-order tanh)
        Spec("tanh_backward", _ew._tanh_bw, lambda g, y: g * (1 - y * y), [
            Case(A((2, 3)), A((2, 3), "unit")), Case(A(()), A((), "unit")),
            Case(A((0,)), A((0,), "unit")),
            # grad's seed of ones reaches the kernel as the number 1 (no product), others fold
            Case(A((), dtype="py", values=1.0), A((2, 3), "unit"), id="g-one"),
            Case(A((), dtype="py", values=-0.5), A((2, 3), "unit"), id="g-number")],
             category="elementwise"),
        Spec("tanh_backward_dy", _ew._tanh_dy, lambda c, g, y: -2 * c * g * y, [
            Case(A((2, 3)), A((2, 3)), A((2, 3), "unit")), Case(A(()), A(()), A((), "unit")),
            Case(A((), dtype="py", values=1.0), A((2, 3)), A((2, 3), "unit"), id="c-one"),
            Case(A((2, 3)), A((), dtype="py", values=1.0), A((2, 3), "unit"), id="g-one"),
            Case(A((2, 3)), A((2, 3)), A((), dtype="py", values=1.0), id="y-one"),
            Case(A((), dtype="py", values=1.0), A((), dtype="py", values=0.5), A((3,), "unit"),
                 id="numbers")],
             category="elementwise"),
        # the fused cotangent of maximum and minimum, checked as a primitive of its own (linear
        # in g; x and other only choose, so they are not differentiated)
        Spec("select_extremum", _ew._select, _select_extremum_ref, [
            Case(A((2, 3)), A((2, 3), diff=False), A((2, 3), diff=False), larger=True),
            Case(A((2, 3)), A((2, 3), diff=False), A((3,), diff=False), larger=False),
            Case(A((4,)), A((4,), diff=False), A((), dtype="py", values=0.0), larger=True),
            Case(A((4,)), A((4,), diff=False, values=[1.0, 0.0, -1.0, 0.0]),
                 A((4,), diff=False, values=[1.0, 1.0, -1.0, -0.0]), larger=False, id="ties"),
        ], category="elementwise"),
        Spec("where", np.where, numpy.where, [
            Case(A((2, 3), dtype="bool"), A((2, 3)), A((2, 3))),
            Case(A((2, 3), dtype="bool"), A((3,)), A((2, 1))),
            Case(A((4,), dtype="bool"), A((4,)), A((), dtype="py", values=0.5)),
            Case(A((), dtype="bool", values=True), A((3,)), A(())),
            Case(A((0,), dtype="bool"), A((0,)), A((0,))),
        ], dtypes=("float", "complex"), category="elementwise"),
        # NumPy conveniences composed from primitives
        binary_row("fmax", np.fmax, numpy.fmax, _quarter, _three_quarters, complex_=False,
                   primitives=("maximum", "where", "isnan"), extra=(
                       Case(A((3,), values=[1.0, math.nan, -0.5]),
                            A((3,), values=[math.nan, 2.0, 0.25]), id="nan"),)),
        binary_row("fmin", np.fmin, numpy.fmin, _quarter, _three_quarters, complex_=False,
                   primitives=("minimum", "where", "isnan")),
        binary_row("logaddexp2", np.logaddexp2, numpy.logaddexp2, complex_=False,
                   primitives=("logaddexp",)),
    ]
    return rows


def _nondiff_specs() -> list:
    compare = binary_cases("int", "int", scalar=True)
    halves = [0.5, 1.5, 2.5, -0.5, -1.5, 0.4, 0.6, -2.7]
    nonfinite = [[0.0, math.inf, -math.inf], [math.nan, 1.5, -2.0]]
    ints = [Case(A((), "int")), Case(A((5,), "int")), Case(A((2, 3), "int"))]
    pairs = binary_cases("int", "int", scalar=False)
    shifts = [Case(A((4,), "int"), A((4,), "shift")), Case(A((2, 3), "int"), A((3,), "shift"))]
    bools = [Case(A((4,), "bool"), A((4,), "bool")), Case(A((2, 3), "bool"), A((3,), "bool")),
             Case(A((), "bool"), A((), "bool"))]
    rounding = unary_cases("fractional", extra=(Case(A((8,), values=halves), id="halves"),))
    rows = [
        nondiff_row("ceil", np.ceil, numpy.ceil, rounding),
        nondiff_row("floor", np.floor, numpy.floor, rounding),
        nondiff_row("trunc", np.trunc, numpy.trunc, rounding),
        nondiff_row("round", np.round, numpy.round, rounding),
        nondiff_row("signbit", np.signbit, numpy.signbit, unary_cases("nonzero", extra=(
            Case(A((6,), values=[-1.0, 0.0, -0.0, 2.0, -math.inf, math.inf]), id="zeros"),))),
        nondiff_row("isfinite", np.isfinite, numpy.isfinite, [
            Case(A((2, 3), values=nonfinite), id="nonfinite"), Case(A((4,)))],
            dtypes=("float", "complex")),
        nondiff_row("isinf", np.isinf, numpy.isinf, [
            Case(A((2, 3), values=nonfinite), id="nonfinite"), Case(A((4,)))],
            dtypes=("float", "complex")),
        nondiff_row("isnan", np.isnan, numpy.isnan, [
            Case(A((2, 3), values=nonfinite), id="nonfinite"), Case(A((4,)))],
            dtypes=("float", "complex")),
        nondiff_row("equal", np.equal, numpy.equal, compare, dtypes=("float", "complex")),
        nondiff_row("not_equal", np.not_equal, numpy.not_equal, compare,
                    dtypes=("float", "complex")),
        nondiff_row("less", np.less, numpy.less, compare),
        nondiff_row("less_equal", np.less_equal, numpy.less_equal, compare),
        nondiff_row("greater", np.greater, numpy.greater, compare),
        nondiff_row("greater_equal", np.greater_equal, numpy.greater_equal, compare),
        nondiff_row("floor_divide", np.floor_divide, numpy.floor_divide, [
            Case(A((5,), _odd), A((5,), _near2)), Case(A((2, 3), _odd), A((3,), _near2)),
            Case(A((4,), "int"), A((4,), values=[1, 2, -3, 4]), dtypes=("int",), id="ints")],
            dtypes=("float",)),
        nondiff_row("logical_and", np.logical_and, numpy.logical_and, bools, dtypes=("bool",)),
        nondiff_row("logical_or", np.logical_or, numpy.logical_or, bools, dtypes=("bool",)),
        nondiff_row("logical_xor", np.logical_xor, numpy.logical_xor, bools, dtypes=("bool",)),
        nondiff_row("logical_not", np.logical_not, numpy.logical_not,
                    [Case(A((4,), "bool")), Case(A((), "bool"))], dtypes=("bool",)),
        nondiff_row("bitwise_and", np.bitwise_and, numpy.bitwise_and, pairs, dtypes=("int",)),
        nondiff_row("bitwise_or", np.bitwise_or, numpy.bitwise_or, pairs, dtypes=("int",)),
        nondiff_row("bitwise_xor", np.bitwise_xor, numpy.bitwise_xor, pairs, dtypes=("int",)),
        nondiff_row("bitwise_invert", np.bitwise_invert, numpy.invert, ints, dtypes=("int",)),
        nondiff_row("bitwise_left_shift", np.bitwise_left_shift, numpy.left_shift, shifts,
                    dtypes=("int",)),
        nondiff_row("bitwise_right_shift", np.bitwise_right_shift, numpy.right_shift, shifts,
                    dtypes=("int",)),
    ]
    return rows


def specs() -> list:
    return _unary_specs() + _binary_specs() + _nondiff_specs()
