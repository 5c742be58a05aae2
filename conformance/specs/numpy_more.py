"""Spec rows of NumPy's functions beyond the standard and the autograd-era conveniences
(issue 17): elementwise extras (cbrt, fmod, ...), NaN-ignoring reductions, array building and
selection, statistics, polynomials, products and NumPy's extra ``linalg`` functions.

Each is a composition of primitives, so each row names the primitives it exercises. Imports
polygrad.numpy, NumPy (references) and the suite's spec types.
"""

from __future__ import annotations

import numpy

import polygrad.numpy as np
from polygrad_conformance.specs._helpers import A, Case, Spec


# NumPy's matvec and vecmat arrived in 2.2; the oracle is written out for older NumPy
def _numpy_matvec(x1, x2):
    return numpy.matmul(x1, x2[..., None])[..., 0]


def _numpy_vecmat(x1, x2):
    return numpy.matmul(numpy.conj(x1)[..., None, :], x2)[..., 0, :]


__all__ = ["specs"]

_FC = ("float", "complex")


def _odd(rng, shape, c):
    """(2k+1) ± 0.3: divided by ``_near2`` it stays at least 0.1 away from an integer."""
    return 2 * rng.integers(-3, 3, shape) + 1 + rng.uniform(-0.3, 0.3, shape)


def _near2(rng, shape, c):
    return rng.uniform(1.9, 2.1, shape) * rng.choice([-1.0, 1.0], shape)


def _with_nans(rng, shape, c):
    """Real values with about a quarter NaN, never a whole row NaN."""
    vals = rng.uniform(-2.0, 2.0, shape)
    if vals.size:
        mask = rng.uniform(size=shape) < 0.25
        mask.reshape(-1, shape[-1] if shape else 1)[:, 0] = False
        vals[mask] = numpy.nan
    return vals


def _sorted_x(rng, shape, c):
    return numpy.linspace(-1.0, 1.0, shape[0]) + rng.uniform(-0.05, 0.05, shape)


def _phases(rng, shape, c):
    """Angles that jump by about ±2π now and then (for unwrap), steps < π otherwise."""
    steps = rng.uniform(-1.0, 1.0, shape) + 2 * numpy.pi * rng.choice([-1, 0, 0, 1], shape)
    return numpy.cumsum(steps, axis=-1)


def _elementwise() -> list:
    cat = "numpy_elementwise"
    return [
        Spec("cbrt", np.cbrt, numpy.cbrt, [Case(A((2, 3), "nonzero")), Case(A((), "nonzero")),
                                           Case(A((0,)))],
             primitives=("abs", "pow", "sign"), category=cat),
        Spec("fmod", np.fmod, numpy.fmod, [Case(A((5,), _odd), A((5,), _near2)),
                                           Case(A((2, 3), _odd), A((3,), _near2)),
                                           Case(A((0, 3), _odd), A((3,), _near2))],
             primitives=("remainder", "where"), category=cat),
        Spec("float_power", np.float_power, numpy.float_power,
             [Case(A((2, 3), "positive"), A((3,))), Case(A((), "positive"), A(()))],
             primitives=("pow", "astype"), category=cat, keep_precision=False),
        Spec("heaviside", np.heaviside, numpy.heaviside,
             [Case(A((5,), values=[-1.5, 0.0, 2.0, 0.0, -0.2], diff=False), A((5,)))],
             primitives=("where",), category=cat),
        Spec("ldexp", np.ldexp, numpy.ldexp,
             [Case(A((2, 3)), A((3,), "shift", dtype="int64"))],
             primitives=("multiply", "pow"), category=cat),
        Spec("modf", np.modf, numpy.modf, [Case(A((2, 3), "fractional"))],
             primitives=("trunc", "subtract"), category=cat),
        Spec("frexp", lambda x: np.frexp(x)[0], lambda x: numpy.frexp(x)[0],
             [Case(A((2, 3), "nonzero"))], primitives=("divide", "log2"), category=cat),
        Spec("around", lambda x, **kw: np.around(x * 10.0, **kw),
             lambda x, **kw: numpy.around(x * 10.0, **kw), [Case(A((2, 3), "fractional"))],
             primitives=("round",), category=cat, nondiff=True),
        Spec("unwrap", np.unwrap, numpy.unwrap, [Case(A((6,), _phases)),
                                                 Case(A((2, 5), _phases), axis=1)],
             primitives=("remainder", "cumulative_sum"), category=cat),
        Spec("i0", np.i0, numpy.i0, [Case(A((2, 3))), Case(A((4,), values=[0.0, 3.0, -7.5, 12.0]))],
             primitives=("exp", "sum"), category=cat),
        Spec("vdot", np.vdot, numpy.vdot, [Case(A((2, 3)), A((6,))), Case(A((4,)), A((4,)))],
             dtypes=_FC, primitives=("conj", "sum"), category=cat),
        Spec("matvec", np.matvec, _numpy_matvec, [Case(A((2, 3, 4)), A((4,))),
                                                 Case(A((3, 3)), A((2, 3)))],
             dtypes=_FC, primitives=("matmul",), category=cat),
        Spec("vecmat", np.vecmat, _numpy_vecmat, [Case(A((3,)), A((2, 3, 4))),
                                                 Case(A((2, 3)), A((3, 3)))],
             dtypes=_FC, primitives=("matmul", "conj"), category=cat),
    ]


def _nan_reductions() -> list:
    cat = "numpy_nan"
    grid = [Case(A((3, 4), _with_nans)), Case(A((3, 4), _with_nans), axis=1),
            Case(A((3, 4), _with_nans), axis=0, keepdims=True)]
    rows = []
    for name, prims in [("nanmax", ("max", "where")), ("nanmin", ("min", "where")),
                        ("nanprod", ("prod", "where")), ("nanvar", ("sum", "where")),
                        ("nanstd", ("sum", "sqrt")), ("nanmedian", ("sort", "getitem"))]:
        rows.append(Spec(name, getattr(np, name), getattr(numpy, name), grid,
                         primitives=prims, category=cat))
    rows += [
        Spec("nancumsum", np.nancumsum, numpy.nancumsum,
             [Case(A((3, 4), _with_nans), axis=1), Case(A((5,), _with_nans))],
             primitives=("cumulative_sum", "where"), category=cat),
        Spec("nancumprod", np.nancumprod, numpy.nancumprod,
             [Case(A((3, 4), _with_nans), axis=1)], primitives=("cumulative_prod", "where"),
             category=cat),
        Spec("nanquantile", lambda a, **kw: np.nanquantile(a, [0.3, 0.8], **kw),
             lambda a, **kw: numpy.nanquantile(a, [0.3, 0.8], **kw),
             [Case(A((3, 5), _with_nans), axis=1), Case(A((3, 5), _with_nans))],
             primitives=("sort", "getitem"), category=cat),
        Spec("nanpercentile", lambda a, **kw: np.nanpercentile(a, 40.0, **kw),
             lambda a, **kw: numpy.nanpercentile(a, 40.0, **kw),
             [Case(A((3, 5), _with_nans), axis=0)], primitives=("sort", "getitem"),
             category=cat),
        Spec("nanvar-ddof", lambda a: np.nanvar(a, 1, ddof=1),
             lambda a: numpy.nanvar(a, 1, ddof=1), [Case(A((3, 4), _with_nans))],
             primitives=("sum", "where"), category=cat, covers=("nanvar",)),
    ]
    return rows


def _building() -> list:
    cat = "numpy_building"
    return [
        Spec("block", lambda a, b, c: np.block([[a, b], [c]]),
             lambda a, b, c: numpy.block([[a, b], [c]]), [Case(A((2, 2)), A((2, 3)), A((1, 5)))],
             dtypes=_FC, primitives=("concat",), category=cat),
        Spec("row_stack", lambda a, b: np.row_stack((a, b)),
             lambda a, b: numpy.vstack((a, b)), [Case(A((3,)), A((3,))), Case(A((2, 3)), A((3,)))],
             primitives=("concat",), category=cat),
        Spec("vander", np.vander, numpy.vander, [Case(A((4,))), Case(A((3,)), N=5,
                                                                      increasing=True)],
             primitives=("pow", "concat"), category=cat),
        Spec("diagflat", np.diagflat, numpy.diagflat, [Case(A((2, 2))), Case(A((3,)), k=-1)],
             primitives=("getitem",), category=cat),
        Spec("resize", np.resize, numpy.resize, [Case(A((2, 3)), new_shape=(4, 4)),
                                                 Case(A((3,)), new_shape=2)],
             primitives=("concat", "reshape"), category=cat),
        Spec("r_", lambda a, b: np.r_[a, 0.5, b], lambda a, b: numpy.r_[a, 0.5, b],
             [Case(A((3,)), A((2,)))], primitives=("concat",), category=cat),
        Spec("c_", lambda a, b: np.c_[a, b], lambda a, b: numpy.c_[a, b],
             [Case(A((3,)), A((3, 2)))], primitives=("concat", "permute_dims"), category=cat),
        Spec("choose", lambda a, b, c: np.choose(np.asarray([0, 2, 1, 0]), [a, b, c]),
             lambda a, b, c: numpy.choose([0, 2, 1, 0], [a, b, c]),
             [Case(A((4,)), A((4,)), A(()))], primitives=("getitem",), category=cat),
        Spec("compress", lambda a: np.compress([True, False, True], a, axis=1),
             lambda a: numpy.compress([True, False, True], a, axis=1), [Case(A((2, 3)))],
             primitives=("getitem",), category=cat),
        Spec("extract", lambda a: np.extract(np.asarray([[True, False, True], [False] * 3]), a),
             lambda a: numpy.extract([[True, False, True], [False] * 3], a), [Case(A((2, 3)))],
             primitives=("getitem",), category=cat),
        Spec("select", lambda a, b: np.select([a > 0, b > 0], [a * 2.0, b], 0.5),
             lambda a, b: numpy.select([a > 0, b > 0], [a * 2.0, b], 0.5),
             [Case(A((2, 3), "nonzero"), A((3,), "nonzero"))], primitives=("where",),
             category=cat),
        Spec("piecewise", lambda x: np.piecewise(x, [x < 0, x >= 0], [lambda v: v * v,
                                                                       lambda v: 3.0 * v]),
             lambda x: numpy.piecewise(x, [x < 0, x >= 0], [lambda v: v * v, lambda v: 3.0 * v]),
             [Case(A((5,), "nonzero"))], primitives=("setitem", "getitem"),
             category=cat, order=1),
        Spec("delete", lambda a: np.delete(a, [0, 2], axis=1),
             lambda a: numpy.delete(a, [0, 2], axis=1), [Case(A((2, 4)))],
             primitives=("getitem",), category=cat),
        Spec("insert", lambda a, v: np.insert(a, 1, v, axis=0),
             lambda a, v: numpy.insert(a, 1, v, axis=0), [Case(A((3, 2)), A((2,)))],
             primitives=("concat",), category=cat),
        Spec("ediff1d", lambda a: np.ediff1d(a, to_begin=[0.0]),
             lambda a: numpy.ediff1d(a, to_begin=[0.0]), [Case(A((2, 3)))],
             primitives=("subtract", "concat"), category=cat),
        Spec("apply_along_axis", lambda a: np.apply_along_axis(lambda v: v * v[0], 1, a),
             lambda a: numpy.apply_along_axis(lambda v: v * v[0], 1, a), [Case(A((2, 3)))],
             primitives=("multiply", "concat"), category=cat),
    ]


def _statistics() -> list:
    cat = "numpy_statistics"
    return [
        Spec("cov", np.cov, numpy.cov, [Case(A((3, 5))), Case(A((5,)), A((5,))),
                                        Case(A((5, 2)), rowvar=False, ddof=0)],
             dtypes=_FC, primitives=("matmul", "sum"), category=cat),
        Spec("cov-weights", lambda m, f: np.cov(m, aweights=f),
             lambda m, f: numpy.cov(m, aweights=f), [Case(A((2, 5)), A((5,), "positive"))],
             primitives=("matmul", "sum"), category=cat, covers=("cov",)),
        Spec("corrcoef", np.corrcoef, numpy.corrcoef, [Case(A((3, 5))), Case(A((4,)), A((4,)))],
             primitives=("matmul", "sqrt", "clip"), category=cat),
        Spec("histogram-weights",
             lambda w: np.histogram(np.asarray([0.1, 0.5, 0.4, 0.9, 0.35]), 3, weights=w)[0],
             lambda w: numpy.histogram([0.1, 0.5, 0.4, 0.9, 0.35], 3, weights=w)[0],
             [Case(A((5,)))], primitives=("where", "sum"), category=cat,
             covers=("histogram",)),
        Spec("bincount-weights", lambda w: np.bincount(np.asarray([0, 2, 2, 1, 4]), w),
             lambda w: numpy.bincount([0, 2, 2, 1, 4], w), [Case(A((5,)))],
             primitives=("where", "sum"), category=cat, covers=("bincount",)),
        Spec("kaiser", lambda b: np.kaiser(6, b), lambda b: numpy.kaiser(6, b),
             [Case(A((), "positive"))], primitives=("exp", "sqrt"), category=cat),
    ]


def _polynomials() -> list:
    cat = "numpy_polynomials"
    return [
        Spec("polyval", np.polyval, numpy.polyval, [Case(A((4,)), A((2, 3))),
                                                    Case(A((3,)), A(()))],
             dtypes=_FC, primitives=("multiply", "add"), category=cat),
        Spec("polyadd", np.polyadd, numpy.polyadd, [Case(A((4,)), A((2,)))],
             primitives=("add", "concat"), category=cat),
        Spec("polysub", np.polysub, numpy.polysub, [Case(A((2,)), A((3,)))],
             primitives=("subtract", "concat"), category=cat),
        Spec("polymul", np.polymul, numpy.polymul, [Case(A((3,)), A((2,)))],
             primitives=("multiply", "sum"), category=cat),
        Spec("polyder", np.polyder, numpy.polyder, [Case(A((4,))), Case(A((5,)), m=2)],
             primitives=("multiply",), category=cat),
        Spec("polyint", np.polyint, numpy.polyint,
             [Case(A((3,))), Case(A((3,)), m=2, k=[1.0, 2.0])],
             primitives=("divide", "concat"), category=cat),
        Spec("polydiv", np.polydiv, numpy.polydiv, [Case(A((4,)), A((2,), "nonzero"))],
             primitives=("divide", "multiply", "subtract"), category=cat),
        Spec("polyfit", lambda x, y: np.polyfit(x, y, 2), lambda x, y: numpy.polyfit(x, y, 2),
             [Case(A((6,), _sorted_x), A((6,)))], primitives=("linalg_svd", "matmul"),
             category=cat, tol=10.0),
        Spec("poly", np.poly, numpy.poly, [Case(A((3,)))], primitives=("multiply", "sum"),
             category=cat),
    ]


def _linalg() -> list:
    cat = "numpy_linalg"
    return [
        Spec("linalg.lstsq", lambda a, b: np.linalg.lstsq(a, b)[0],
             lambda a, b: numpy.linalg.lstsq(a, b)[0],
             [Case(A((5, 3), "fullrank"), A((5,))), Case(A((4, 2), "fullrank"), A((4, 3)))],
             primitives=("linalg_svd", "matmul"), category=cat, tol=10.0),
        Spec("linalg.lstsq-residuals", lambda a, b: np.linalg.lstsq(a, b)[1],
             lambda a, b: numpy.linalg.lstsq(a, b)[1], [Case(A((5, 3), "fullrank"), A((5,)))],
             primitives=("linalg_svd", "matmul"), category=cat, tol=10.0,
             covers=("linalg.lstsq",)),
        Spec("linalg.cond", np.linalg.cond, numpy.linalg.cond,
             [Case(A((3, 3), "wellcond")), Case(A((3, 3), "wellcond"), p="fro")],
             primitives=("linalg_svd",), category=cat, tol=10.0),
        Spec("linalg.multi_dot", lambda a, b, c: np.linalg.multi_dot([a, b, c]),
             lambda a, b, c: numpy.linalg.multi_dot([a, b, c]),
             [Case(A((3,)), A((3, 4)), A((4, 2))), Case(A((2, 3)), A((3, 3)), A((3,)))],
             dtypes=_FC, primitives=("matmul",), category=cat),
        Spec("linalg.tensorinv", lambda a: np.linalg.tensorinv(a, 1),
             lambda a: numpy.linalg.tensorinv(a, 1), [Case(A((4, 2, 2), "wellcond"))],
             primitives=("linalg_solve",), category=cat, tol=10.0),
        Spec("linalg.tensorsolve", np.linalg.tensorsolve, numpy.linalg.tensorsolve,
             [Case(A((2, 3, 6), "wellcond"), A((2, 3)))],
             primitives=("linalg_solve",), category=cat, tol=10.0),
    ]


def specs() -> list:
    return _elementwise() + _nan_reductions() + _building() + _statistics() + _polynomials() \
        + _linalg()
