"""NumPy conveniences (polygrad/numpy/_compat.py): values against NumPy, derivatives against finite
differences (both modes, second order) and against HIPS autograd, and NumPy's error cases."""

from __future__ import annotations

import math
import pathlib
import warnings

import numpy
import pytest

import polygrad as pg
import polygrad.numpy as np
from polygrad.testing import check_grads

pytestmark = pytest.mark.usefixtures("numpy_backend")

# the NumPy names HIPS autograd differentiates, which polygrad.numpy must provide and differentiate
TARGETS = pathlib.Path(__file__).resolve().parent / "data" / "autograd-numpy-names.txt"
EXTRA = ("cumsum cumprod nansum nanmean median percentile quantile average ptp diff gradient "
         "trapezoid convolve correlate interp einsum kron pad").split()

R = numpy.random.default_rng(7)
A = R.standard_normal((3, 4))
B = R.standard_normal((4, 5))
C = R.standard_normal((2, 3, 3))
D = R.standard_normal((2, 3, 4))
V = R.standard_normal(5)
W = R.standard_normal(3)
XS = numpy.cumsum(R.random(4)) + 0.1          # strictly increasing coordinates
XP = numpy.sort(R.standard_normal(6))
FP = R.standard_normal(6)
NANS = A.copy()
NANS[0, 1], NANS[2, 2], NANS[1, 0] = numpy.nan, numpy.inf, -numpy.inf


def _host(x):
    if isinstance(x, (list, tuple)):
        return type(x)(_host(v) for v in x)
    return x.asnumpy() if isinstance(x, pg.Array) else numpy.asarray(x)


def _pg(x):
    """NumPy arrays (also inside lists) become Arrays; numbers and index lists stay."""
    if isinstance(x, numpy.ndarray):
        return np.asarray(x)
    if isinstance(x, list) and any(isinstance(v, numpy.ndarray) for v in x):
        return [_pg(v) for v in x]
    return x


def _assert_same(ours, want):
    if isinstance(want, (list, tuple)):
        assert isinstance(ours, (list, tuple)) and len(ours) == len(want)
        for o, w in zip(ours, want):
            _assert_same(o, w)
        return
    got = _host(ours)
    assert got.shape == numpy.shape(want)
    numpy.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-13)


# (id, function name, positional args (NumPy arrays become Arrays), keyword args)
VALUE_CASES = [
    ("true_divide", "true_divide", (A, 2.5), {}),
    ("mod", "mod", (A, 0.7), {}),
    ("fabs", "fabs", (A,), {}),
    ("conjugate", "conjugate", (A,), {}),
    ("fmax-nan", "fmax", (NANS, numpy.where(A > 0, numpy.nan, -A)), {}),
    ("fmin-scalar", "fmin", (NANS, 0.5), {}),
    ("logaddexp2", "logaddexp2", (A, B[:3, :4] * 40), {}),
    ("exp2", "exp2", (A * 10,), {}),
    ("sinc", "sinc", (numpy.array([0.0, 1e-9, -0.1, 0.159, 0.16, 0.5, 1.0, 2.5, -3.3]),), {}),
    ("sinc-0d", "sinc", (numpy.array(0.25),), {}),
    ("rad2deg", "rad2deg", (A,), {}),
    ("degrees", "degrees", (A,), {}),
    ("deg2rad", "deg2rad", (A * 90,), {}),
    ("radians", "radians", (A * 90,), {}),
    ("nan_to_num", "nan_to_num", (NANS,), {}),
    ("nan_to_num-values", "nan_to_num", (NANS,), {"nan": 1.0, "posinf": 2.0, "neginf": -3.0}),
    ("angle-real", "angle", (numpy.array([-1.0, 0.0, -0.0, 2.0, numpy.nan]),), {}),
    ("angle-complex-deg", "angle", (numpy.array([1 + 1j, -1j, -2.0 + 0j]),), {"deg": True}),
    ("real_if_close", "real_if_close", (numpy.array([1 + 1e-16j, 2.0]),), {}),
    ("real_if_close-kept", "real_if_close", (numpy.array([1 + 1e-3j]),), {}),
    ("amax", "amax", (A, 0), {}),
    ("amin-keepdims", "amin", (A, -1), {"keepdims": True}),
    ("ptp", "ptp", (A,), {}),
    ("ptp-axis", "ptp", (D, (0, 2)), {}),
    ("average", "average", (A,), {}),
    ("average-1d-weights", "average", (A, 1, B[0, :4]), {}),
    ("average-full-weights", "average", (A, None, A ** 2), {}),
    ("average-returned", "average", (A, 0), {"returned": True}),
    ("average-returned-w", "average", (A, -1, B[0, :4]), {"returned": True}),
    ("nansum", "nansum", (NANS[:, :2], 0), {}),
    ("nanmean", "nanmean", (NANS[:, :2], 1), {"keepdims": True}),
    ("cumsum", "cumsum", (A,), {}),
    ("cumsum-axis", "cumsum", (A, -2), {}),
    ("cumprod", "cumprod", (A, 1), {}),
    ("cumprod-flat", "cumprod", (A,), {}),
    ("median", "median", (A,), {}),
    ("median-axis", "median", (A, 0), {}),
    ("median-keepdims", "median", (A, -1), {"keepdims": True}),
    ("median-nan", "median", (NANS, 1), {}),
    ("quantile", "quantile", (A, 0.3), {}),
    ("quantile-vector", "quantile", (A, [0.0, 0.25, 0.5, 1.0], 1), {}),
    ("quantile-axes", "quantile", (D, [0.1, 0.7], (2, 0)), {"keepdims": True}),
    ("percentile", "percentile", (A, [10, 90], 0), {}),
    ("partition", "partition", (V, 2), {}),
    ("rollaxis", "rollaxis", (D, -1, 1), {}),
    ("rollaxis-end", "rollaxis", (D, 0, 3), {}),
    ("atleast_1d", "atleast_1d", (numpy.array(1.5),), {}),
    ("atleast_2d", "atleast_2d", (V,), {}),
    ("atleast_3d-1d", "atleast_3d", (V,), {}),
    ("atleast_3d-2d", "atleast_3d", (A,), {}),
    ("atleast_1d-many", "atleast_1d", (numpy.array(1.0), V), {}),
    ("flipud", "flipud", (A,), {}),
    ("fliplr", "fliplr", (A,), {}),
    ("rot90", "rot90", (A,), {}),
    ("rot90-k", "rot90", (D, -1, (2, 0)), {}),
    ("rot90-2", "rot90", (D, 2, (1, 2)), {}),
    ("hstack-1d", "hstack", ([V, V],), {}),
    ("hstack", "hstack", ([A, A[:, :1]],), {}),
    ("vstack", "vstack", ([V, V],), {}),
    ("dstack", "dstack", ([A, A],), {}),
    ("column_stack", "column_stack", ([W, A],), {}),
    ("append", "append", (A, V), {}),
    ("append-axis", "append", (A, A, 0), {}),
    ("split", "split", (A, 2, 1), {}),
    ("split-indices", "split", (A, [1, -1, 9], 1), {}),
    ("array_split", "array_split", (numpy.arange(10.0), 3), {}),
    ("hsplit", "hsplit", (A, 2), {}),
    ("vsplit", "vsplit", (A, 3), {}),
    ("dsplit", "dsplit", (D, [1]), {}),
    ("kron", "kron", (A, C), {}),
    ("kron-1d", "kron", (V, A), {}),
    ("cross", "cross", (D[:, :, :3], C), {}),
    ("cross-axis", "cross", (C.T, C[::-1].T), {"axis": 0}),
    ("cross-2d3d", "cross", (C[..., :2], C), {}),
    ("cross-2d", "cross", (C[..., :2], C[..., 1:]), {}),
    ("diag-1d", "diag", (V, -2), {}),
    ("diag-2d", "diag", (A, 1), {}),
    ("diagonal", "diagonal", (D, 1, 2, 0), {}),
    ("diagonal-negative", "diagonal", (D, -1, -1, -2), {}),
    ("trace", "trace", (C,), {}),
    ("trace-axes", "trace", (D, 1, 1, 2), {}),
    ("gradient", "gradient", (A,), {}),
    ("gradient-order2", "gradient", (A, 0.5), {"edge_order": 2}),
    ("gradient-coords", "gradient", (A, XS), {"axis": 1}),
    ("gradient-coords2", "gradient", (A, XS), {"axis": -1, "edge_order": 2}),
    ("gradient-mixed", "gradient", (A, 2.0, XS), {}),
    ("trapezoid", "trapezoid", (A,), {}),
    ("trapezoid-x", "trapezoid", (A, XS), {}),
    ("trapezoid-dx", "trapezoid", (A,), {"dx": 0.3, "axis": 0}),
    ("interp", "interp", (A * 2, XP, FP), {}),
    ("interp-left-right", "interp", (A * 2, XP, FP, -9.0, 9.0), {}),
    ("interp-at-nodes", "interp", (XP, XP, FP), {}),
    ("interp-period", "interp", (A * 2, XP, FP), {"period": 3.0}),
    ("interp-one-point", "interp", (A, XP[:1], FP[:1]), {}),
]


@pytest.mark.parametrize("name,fname,args,kwargs", VALUE_CASES, ids=[c[0] for c in VALUE_CASES])
def test_values_match_numpy(name, fname, args, kwargs):
    ours = getattr(np, fname)(*[_pg(a) for a in args], **kwargs)
    with numpy.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)   # NumPy's 2-vector cross
        want = getattr(numpy, fname)(*args, **kwargs)
    _assert_same(ours, want)


def test_every_main_namespace_target_name_exists():
    names = [line.strip() for line in TARGETS.read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    missing = [n for n in names + EXTRA if "." not in n and not hasattr(np, n)]
    assert not missing


@pytest.mark.parametrize("alias,target", [("true_divide", "divide"), ("mod", "remainder"),
                                          ("fabs", "abs"), ("conjugate", "conj"),
                                          ("degrees", "rad2deg"), ("radians", "deg2rad")])
def test_aliases_are_the_same_function(alias, target):
    assert getattr(np, alias) is getattr(np, target)


def test_sinc_is_accurate_and_smooth_through_zero():
    mpmath = pytest.importorskip("mpmath")

    xs = [0.0, 1e-8, 0.01, 0.1, 0.158, 0.16, 0.3, 0.7, 2.2]
    d1 = pg.elementwise_grad(np.sinc)
    d2 = pg.elementwise_grad(d1)
    for x in xs:
        def ref(k, x=x):
            return float(mpmath.diff(lambda t: mpmath.sinc(mpmath.pi * t), mpmath.mpf(x), k))
        assert float(np.sinc(x)) == pytest.approx(ref(0), rel=1e-15, abs=1e-16)
        assert float(d1(x)) == pytest.approx(ref(1), rel=1e-13, abs=1e-14)
        assert float(d2(x)) == pytest.approx(ref(2), rel=1e-12, abs=1e-13)


# -- einsum ---------------------------------------------------------------------------------------
EINSUM_CASES = [
    ("ij,jk->ik", (A, B)), ("ij,jk", (A, B)), ("ij->ji", (A,)), ("ji", (A,)),
    ("bij,bjk->bik", (C, D)), ("bij,bjk->bki", (C, D)), ("...ij,...jk->...ik", (C, D)),
    ("...ii->...i", (C,)), ("bii", (C,)), ("ii->i", (C[0],)), ("i,j", (V, W)), ("i,i", (V, V)),
    ("ij,jk,k->i", (A, B, V)), ("ij->", (A,)), (",ij->ij", (numpy.array(2.0), A)),
    ("iij->j", (numpy.arange(18.0).reshape(3, 3, 2),)), ("ij,ij,ij->i", (A, A, A)),
    ("...i,...i", (R.standard_normal((2, 1, 3)), R.standard_normal((4, 3)))),
    ("i...->...", (D,)), ("aB", (A,)), ("bij,jk->bik", (C, B[:3])),
    ("ij,jk->ik", (numpy.zeros((0, 4)), B)), ("ij,jk->ik", (A[:, :0], B[:0])),
]


@pytest.mark.parametrize("spec,args", EINSUM_CASES, ids=[c[0] for c in EINSUM_CASES])
def test_einsum_matches_numpy(spec, args):
    _assert_same(np.einsum(spec, *[np.asarray(a) for a in args]), numpy.einsum(spec, *args))


def test_einsum_interleaved_form():
    ours = np.einsum(np.asarray(A), [0, 1], np.asarray(B), [1, 2], [0, 2])
    _assert_same(ours, numpy.einsum(A, [0, 1], B, [1, 2], [0, 2]))
    ours = np.einsum(np.asarray(C), [Ellipsis, 0, 0])
    _assert_same(ours, numpy.einsum(C, [Ellipsis, 0, 0]))


@pytest.mark.parametrize("spec,shapes,match", [
    ("ij,jk->ik", [(3, 4), (5, 6)], "lengths"),
    ("ij,j", [(3, 4)], "operand"),
    ("ijk", [(3, 4)], "do not fit"),
    ("ij->k", [(3, 4)], "appear in the inputs"),
    ("ii->i", [(3, 4)], "repeated subscript"),
    ("...ij->i", [(2, 3, 4)], "no '...'"),
    ("i1", [(3, 4)], "invalid"),
])
def test_einsum_rejects_malformed_subscripts(spec, shapes, match):
    with pytest.raises(ValueError, match=match):
        np.einsum(spec, *[np.ones(s) for s in shapes])


# -- pad ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("mode", ["constant", "edge", "reflect", "symmetric", "wrap"])
@pytest.mark.parametrize("width", [2, (1, 3), ((0, 2), (5, 1)), [[7, 8]]])
def test_pad_matches_numpy(mode, width):
    _assert_same(np.pad(np.asarray(A), width, mode), numpy.pad(A, width, mode))
    _assert_same(np.pad(np.asarray(V[:1]), 3, mode), numpy.pad(V[:1], 3, mode))


def test_pad_constant_values_per_axis_and_size_zero():
    cv = ((1.0, 2.0), (3.0, 4.0))
    _assert_same(np.pad(np.asarray(A), 1, constant_values=cv), numpy.pad(A, 1, constant_values=cv))
    _assert_same(np.pad(np.zeros((0, 2)), 1), numpy.pad(numpy.zeros((0, 2)), 1))
    _assert_same(np.pad(np.asarray(1.0), 2), numpy.pad(1.0, 2))


def test_pad_rejects_unsupported_modes_and_empty_axes():
    with pytest.raises(NotImplementedError, match="linear_ramp"):
        np.pad(np.asarray(A), 1, "linear_ramp")
    with pytest.raises(ValueError, match="empty axis"):
        np.pad(np.zeros((0, 2)), 1, "edge")
    with pytest.raises(ValueError, match="negative"):
        np.pad(np.asarray(A), -1)


def test_pad_fill_value_array_is_differentiable():
    g = pg.grad(lambda c: np.sum(np.pad(np.asarray(A), 1, constant_values=c)))(np.asarray(2.0))
    assert float(g) == (5 * 6 - 3 * 4)


# -- convolve / correlate -------------------------------------------------------------------------
@pytest.mark.parametrize("n,m", [(5, 3), (3, 5), (4, 4), (1, 3), (6, 1)])
@pytest.mark.parametrize("mode", ["full", "same", "valid"])
def test_convolve_and_correlate_match_numpy(n, m, mode):
    a, v = R.standard_normal(n), R.standard_normal(m)
    _assert_same(np.convolve(np.asarray(a), np.asarray(v), mode), numpy.convolve(a, v, mode))
    _assert_same(np.correlate(np.asarray(a), np.asarray(v), mode), numpy.correlate(a, v, mode))


def test_convolve_rejects_bad_inputs():
    with pytest.raises(ValueError, match="1-D"):
        np.convolve(np.asarray(A), np.asarray(V))
    with pytest.raises(ValueError, match="empty"):
        np.correlate(np.zeros(0), np.asarray(V))
    with pytest.raises(ValueError, match="mode"):
        np.convolve(np.asarray(V), np.asarray(V), "wide")


# -- quantiles ------------------------------------------------------------------------------------
@pytest.mark.parametrize("method", ["linear", "lower", "higher", "nearest", "midpoint"])
@pytest.mark.parametrize("q", [0.3, 0.5, [0.0, 0.25, 0.6, 1.0]])
@pytest.mark.parametrize("axis", [None, 0, -1, (0, 2)])
def test_quantile_methods_match_numpy(method, q, axis):
    for keepdims in (False, True):
        ours = np.quantile(np.asarray(D), q, axis, method=method, keepdims=keepdims)
        _assert_same(ours, numpy.quantile(D, q, axis, method=method, keepdims=keepdims))


def test_quantile_errors():
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        np.quantile(np.asarray(A), 1.5)
    with pytest.raises(ValueError, match="method"):
        np.quantile(np.asarray(A), 0.5, method="weibull")
    with pytest.raises(ValueError, match="empty"):
        np.median(np.zeros((0,)))


# -- shape errors ---------------------------------------------------------------------------------
def test_split_errors_follow_numpy():
    with pytest.raises(ValueError, match="equal"):
        np.split(np.asarray(A), 3, axis=1)
    with pytest.raises(ValueError, match="2 dimensions"):
        np.vsplit(np.asarray(V), 2)
    with pytest.raises(ValueError, match="3 dimensions"):
        np.dsplit(np.asarray(A), 2)
    with pytest.raises(ValueError, match="2 or 3"):
        np.cross(np.asarray(A), np.asarray(A))
    with pytest.raises(ValueError, match="1-D or 2-D"):
        np.diag(np.asarray(D))


# -- derivatives ----------------------------------------------------------------------------------
def _a(x):
    return np.asarray(numpy.asarray(x, dtype=float))


GRAD_CASES = [
    ("fmax", lambda x, y: np.fmax(x, y), (A, B[:3, :4])),
    ("fmin-broadcast", lambda x, y: np.fmin(x, y), (A, V[:4])),
    ("logaddexp2", np.logaddexp2, (A, B[:3, :4])),
    ("exp2", np.exp2, (A,)),
    ("sinc", np.sinc, (numpy.array([0.0, 1e-3, 0.159, 0.16, 0.4, 1.3, -2.2]),)),
    ("sinc-0d", np.sinc, (numpy.array(0.0),)),
    ("degrees", np.degrees, (A,)),
    ("nan_to_num", np.nan_to_num, (A,)),
    ("amax", lambda x: np.amax(x, -1), (A,)),
    ("ptp", lambda x: np.ptp(x, 0), (A,)),
    ("average-weights", lambda x, w: np.average(x, 1, w), (A, numpy.array([1.0, 2.0, .5, 1.5]))),
    ("average-returned", lambda x, w: np.average(x, 0, w, returned=True)[1],
     (A, A ** 2 + 1)),
    ("nansum", lambda x: np.nansum(x, 1), (A,)),
    ("nanmean", lambda x: np.nanmean(x, -2), (A,)),
    ("cumsum", np.cumsum, (A,)),
    ("cumprod", lambda x: np.cumprod(x, -1), (A,)),
    ("median", lambda x: np.median(x, 0), (A,)),
    ("quantile", lambda x: np.quantile(x, [0.3, 0.6], axis=1), (A,)),
    ("quantile-in-q", lambda q: np.quantile(np.asarray(A), q, axis=-1), (numpy.array(
        [0.3, 0.55]),)),
    ("percentile-0d", lambda x: np.percentile(x, 33.0), (A,)),
    ("partition", lambda x: np.partition(x, 1) * np.arange(5.0), (V,)),
    ("rollaxis", lambda x: np.rollaxis(x, 2), (D,)),
    ("atleast_3d", np.atleast_3d, (V,)),
    ("rot90", lambda x: np.rot90(x, 3), (A,)),
    ("flipud", np.flipud, (A,)),
    ("pad-reflect", lambda x: np.pad(x, ((2, 5), (1, 0)), "reflect"), (A,)),
    ("pad-symmetric", lambda x: np.pad(x, 4, "symmetric"), (A,)),
    ("pad-wrap", lambda x: np.pad(x, 3, "wrap"), (A,)),
    ("pad-edge", lambda x: np.pad(x, 3, "edge"), (A,)),
    ("pad-constant", lambda x: np.pad(x, 3, constant_values=2.0), (A,)),
    ("column_stack", lambda x, v: np.column_stack([v[:3], x]), (A, V)),
    ("dstack", lambda x: np.dstack([x, 2 * x]), (A,)),
    ("append", lambda x, v: np.append(x, v), (A, V)),
    ("array_split", lambda x: np.array_split(x, 3, axis=1)[1], (A,)),
    ("hsplit", lambda x: np.hsplit(x, [1])[1], (A,)),
    ("kron", np.kron, (A, C)),
    ("cross", np.cross, (D[:, :, :3], C)),
    ("cross-2d", lambda x, y: np.cross(x, y), (C[..., :2], C)),
    ("diag", lambda x: np.diag(x, -2), (V,)),
    ("diag-2d", lambda x: np.diag(x, 1), (A,)),
    ("diagonal", lambda x: np.diagonal(x, -1, 2, 0), (D,)),
    ("trace", lambda x: np.trace(x, 0, 1, 2), (C,)),
    ("einsum", lambda x, y: np.einsum("ij,jk->ik", x, y), (A, B)),
    ("einsum-batch", lambda x, y: np.einsum("bij,bjk->bki", x, y), (C, D)),
    ("einsum-diagonal", lambda x: np.einsum("...ii->...i", x), (C,)),
    ("einsum-three", lambda x, y, v: np.einsum("ij,jk,k", x, y, v), (A, B, V)),
    ("einsum-broadcast", lambda x, y: np.einsum("...i,...i", x, y),
     (R.standard_normal((2, 1, 3)), R.standard_normal((4, 3)))),
    ("einsum-0d", lambda s, x: np.einsum(",ij->j", s, x), (numpy.array(1.5), A)),
    ("gradient", lambda x: np.gradient(x, 0.3, edge_order=2)[1], (A,)),
    ("gradient-coords", lambda x, c: np.gradient(x, c, axis=0, edge_order=2),
     (A, numpy.array([0.0, 0.4, 1.1]))),
    ("gradient-coords-order1", lambda x, c: np.gradient(x, c, axis=-1), (A, XS)),
    ("trapezoid", lambda y, x: np.trapezoid(y, x), (A, XS)),
    ("trapezoid-2d-x", lambda y, x: np.trapezoid(y, x, axis=0), (A, numpy.cumsum(
        R.random((3, 4)), axis=0))),
    ("convolve", lambda a, v: np.convolve(a, v, "same"), (V, A[0])),
    ("correlate", lambda a, v: np.correlate(a, v, "full"), (V, A[0])),
    ("interp", np.interp, (numpy.array([-0.5, 0.2, 0.7, 3.0]), numpy.array([-1.0, 0.0, .5, 1.]),
                           numpy.array([1.0, 2.0, -1.0, 0.5]))),
    ("interp-0d", lambda x, f: np.interp(x, np.asarray(XP), f), (numpy.array(0.1), FP)),
    ("size-0-kron", np.kron, (numpy.zeros((0, 2)), A)),
    ("size-0-einsum", lambda x, y: np.einsum("ij,jk->ik", x, y), (numpy.zeros((0, 4)), B)),
    ("size-0-pad", lambda x: np.pad(x, 1, "constant"), (numpy.zeros((0, 3)),)),
]


@pytest.mark.parametrize("name,fun,args", GRAD_CASES, ids=[c[0] for c in GRAD_CASES])
def test_derivatives_match_finite_differences_to_second_order(name, fun, args):
    check_grads(fun, order=2)(*[_a(a) for a in args])


def test_nan_entries_get_zero_derivative_in_nan_reductions():
    x = np.asarray([1.0, numpy.nan, 3.0])
    assert pg.grad(np.nansum)(x).tolist() == [1.0, 0.0, 1.0]
    assert pg.grad(np.nanmean)(x).tolist() == [0.5, 0.0, 0.5]


def test_angle_of_reals_has_zero_derivative_everywhere():
    g = pg.grad(lambda x: np.sum(np.angle(x)))(np.asarray([-1.0, 0.0, 2.0]))
    assert g.tolist() == [0.0, 0.0, 0.0]


# -- against HIPS autograd ------------------------------------------------------------------------
AUTOGRAD_CASES = [
    ("einsum", lambda m, x: m.einsum("ij,kj->ik", m.sin(x), x)),
    ("kron", lambda m, x: m.kron(m.tanh(x), x[:2])),
    ("trace", lambda m, x: m.trace(m.exp(x))),
    ("diag", lambda m, x: m.diag(m.sin(x[:, 0]), 1)),
    ("cumsum", lambda m, x: m.cumsum(m.sin(x)) ** 2),
    ("rot90", lambda m, x: m.rot90(x ** 3, 3) * x.T),
    ("sinc", lambda m, x: m.sinc(x)),
    ("logaddexp2", lambda m, x: m.logaddexp2(x, 0.3 * x ** 2)),
    ("fmax", lambda m, x: m.fmax(x, 0.5) ** 2),
    ("cross", lambda m, x: m.cross(x[:, :3], m.cos(x[:, 1:]))),
    ("split", lambda m, x: m.split(x, 2, axis=1)[1] ** 2),
    ("pad", lambda m, x: m.pad(x, ((1, 2), (0, 3)), "constant") ** 2),
    ("dstack", lambda m, x: m.dstack([x, x ** 2]) ** 2),
    ("nan_to_num", lambda m, x: m.nan_to_num(m.log(x))),
    ("exp2", lambda m, x: m.exp2(x)),
    ("atleast_3d", lambda m, x: m.atleast_3d(x[0]) ** 2),
    ("rollaxis", lambda m, x: m.rollaxis(x[None] ** 2, 2) * 3.0),
]


@pytest.mark.parametrize("name,expr", AUTOGRAD_CASES, ids=[c[0] for c in AUTOGRAD_CASES])
def test_gradients_agree_with_hips_autograd(name, expr):
    autograd = pytest.importorskip("autograd")
    import autograd.numpy as anp

    x = numpy.abs(R.standard_normal((3, 4))) + 0.1
    want = autograd.grad(lambda v: anp.sum(expr(anp, v)))(x)
    got = pg.grad(lambda v: np.sum(expr(np, v)))(np.asarray(x))
    numpy.testing.assert_allclose(got.asnumpy(), want, rtol=1e-12, atol=1e-14)
    assert math.isfinite(float(np.sum(got)))
