"""pg.vmap: every batched result equals a Python loop of unbatched calls (values and dtypes), on
every backend, with the batch axis in several positions and unbatched (None) arguments mixed in;
vmap composed with grad, jvp, vjp, hessian, checkpoint, custom rules and jit; its errors."""

from __future__ import annotations

import warnings

import numpy
import pytest

import polygrad as pg
import polygrad.numpy as np
import polygrad.special as special

B = 3


def _data(shape, kind, rng):
    if kind == "spd":   # a batch of symmetric positive definite matrices (last two axes)
        a = rng.standard_normal(shape)
        return a @ numpy.swapaxes(a, -1, -2) + shape[-1] * numpy.eye(shape[-1])
    if kind == "bool":
        return rng.standard_normal(shape) > 0
    if kind == "int":
        return rng.integers(0, 5, shape)
    if kind == "pos":
        return rng.uniform(0.5, 2.0, shape)
    return rng.standard_normal(shape)


def _example_shape(shape, ax):
    return shape[:ax] + shape[ax + 1:] if ax is not None else shape


# (id, function, [(shape of the batched argument with the batch axis where in_axes says, kind)],
#  in_axes); kinds: float (default), pos, spd, int, bool
CASES = [
    ("sin", np.sin, [((B, 4), "float")], 0),
    ("exp_axis1", np.exp, [((4, B), "float")], 1),
    ("abs_int", np.abs, [((B, 4), "int")], 0),
    ("isnan", np.isnan, [((B, 4), "float")], 0),
    ("floor", np.floor, [((B, 2, 3), "float")], 0),
    ("add_none", np.add, [((B, 4), "float"), ((4,), "float")], (0, None)),
    ("mul_bcast", np.multiply, [((B, 3, 1), "float"), ((4,), "float")], (0, None)),
    ("mul_both", lambda a, b: a * b, [((3, B), "float"), ((B, 3), "float")], (1, 0)),
    ("scalar_ex", lambda a, b: a * b + 1.0, [((B,), "float"), ((B, 2), "float")], 0),
    ("maximum", np.maximum, [((B, 4), "float"), ((B, 4), "float")], 0),
    ("atan2", np.arctan2, [((B, 4), "float"), ((4,), "float")], (0, None)),
    ("pow", lambda a, b: a ** b, [((B, 4), "pos"), ((B, 4), "float")], 0),
    ("where", lambda c, a, b: np.where(c, a, b),
     [((B, 4), "bool"), ((B, 4), "float"), ((4,), "float")], (0, 0, None)),
    ("clip", lambda x: np.clip(x, -0.5, 0.5), [((B, 5), "float")], 0),
    ("greater", lambda a, b: a > b, [((B, 4), "float"), ((4,), "float")], (0, None)),
    ("astype", lambda x: x.astype(np.float32), [((B, 4), "float")], 0),
    ("sum_all", np.sum, [((B, 3, 4), "float")], 0),
    ("sum_axis", lambda x: np.sum(x, axis=-1, keepdims=True), [((3, B, 4), "float")], 1),
    ("sum_axis0", lambda x: np.sum(x, axis=0), [((3, 4, B), "float")], 2),
    ("prod", lambda x: np.prod(x, axis=1), [((B, 3, 4), "float")], 0),
    ("max", lambda x: np.max(x, axis=0), [((B, 3, 4), "float")], 0),
    ("min_all", np.min, [((B, 3, 4), "float")], 0),
    ("mean_std", lambda x: np.mean(x) + np.std(x, axis=0), [((B, 3, 4), "float")], 0),
    ("argmax_none", np.argmax, [((B, 3, 4), "float")], 0),
    ("argmin_axis", lambda x: np.argmin(x, axis=1), [((B, 3, 4), "float")], 0),
    ("all_any", lambda x: np.logical_and(np.all(x, axis=0), np.any(x)), [((B, 3, 4), "bool")], 0),
    ("count_nonzero", lambda x: np.count_nonzero(x, axis=1), [((B, 3, 4), "bool")], 0),
    ("cumsum", lambda x: np.cumsum(x, axis=1), [((B, 3, 4), "float")], 0),
    ("cumprod", lambda x: np.cumprod(x, axis=0), [((B, 3, 4), "float")], 0),
    ("sort", lambda x: np.sort(x, axis=0), [((B, 3, 4), "float")], 0),
    ("argsort", lambda x: np.argsort(x), [((B, 3, 4), "float")], 0),
    ("flip", lambda x: np.flip(x, axis=1), [((B, 3, 4), "float")], 0),
    ("flip_all", np.flip, [((B, 3, 4), "float")], 0),
    ("roll", lambda x: np.roll(x, 1, axis=0), [((B, 3, 4), "float")], 0),
    ("roll_flat", lambda x: np.roll(x, 2), [((B, 3, 4), "float")], 0),
    ("concat", lambda a, b: np.concatenate([a, b], axis=0),
     [((B, 2, 4), "float"), ((3, 4), "float")], (0, None)),
    ("stack", lambda a, b: np.stack([a, b], axis=-1), [((B, 4), "float"), ((B, 4), "float")], 0),
    ("reshape", lambda x: np.reshape(x, (2, -1)), [((B, 3, 4), "float")], 0),
    ("transpose", lambda x: np.transpose(x), [((B, 3, 4), "float")], 0),
    ("moveaxis", lambda x: np.moveaxis(x, 0, -1), [((3, B, 4), "float")], 1),
    ("expand_squeeze", lambda x: np.squeeze(np.expand_dims(x, 0), axis=0),
     [((B, 3), "float")], 0),
    ("broadcast_to", lambda x: np.broadcast_to(x, (2, 3, 4)), [((B, 4), "float")], 0),
    ("vecvec", np.matmul, [((B, 4), "float"), ((4,), "float")], (0, None)),
    ("matvec", np.matmul, [((B, 3, 4), "float"), ((B, 4), "float")], 0),
    ("vecmat", np.matmul, [((4,), "float"), ((4, 3, B), "float")], (None, 2)),
    ("matmat", np.matmul, [((B, 3, 4), "float"), ((4, 2), "float")], (0, None)),
    ("matmat_both", lambda a, b: a @ b, [((B, 2, 3, 4), "float"), ((4, 2, B), "float")], (0, 2)),
    ("tensordot1", lambda a, b: np.tensordot(a, b, axes=1),
     [((B, 3, 4), "float"), ((4, 2), "float")], (0, None)),
    ("tensordot2", lambda a, b: np.tensordot(a, b, axes=1),
     [((3, 4), "float"), ((B, 4, 2), "float")], (None, 0)),
    ("tensordot_both", lambda a, b: np.tensordot(a, b, axes=([0, 2], [1, 0])),
     [((B, 3, 5, 4), "float"), ((4, B, 3, 2), "float")], (0, 1)),
    ("einsum", lambda a, b: np.einsum("ij,jk->ik", a, b),
     [((B, 3, 4), "float"), ((B, 4, 2), "float")], 0),
    ("outer", np.outer, [((B, 3), "float"), ((4,), "float")], (0, None)),
    ("solve_vec", np.linalg.solve, [((B, 3, 3), "spd"), ((B, 3), "float")], 0),
    ("solve_mat", np.linalg.solve, [((3, 3), "spd"), ((B, 3, 2), "float")], (None, 0)),
    ("inv", np.linalg.inv, [((B, 3, 3), "spd")], 0),
    ("det", np.linalg.det, [((B, 3, 3), "spd")], 0),
    ("slogdet", lambda x: np.linalg.slogdet(x)[1], [((B, 3, 3), "spd")], 0),
    ("cholesky", np.linalg.cholesky, [((B, 3, 3), "spd")], 0),
    ("eigh", lambda x: np.linalg.eigh(x)[0], [((B, 3, 3), "spd")], 0),
    ("svd", lambda x: np.linalg.svd(x)[1], [((B, 3, 4), "float")], 0),
    ("qr", lambda x: np.abs(np.linalg.qr(x)[1]), [((B, 4, 3), "float")], 0),
    ("pinv", np.linalg.pinv, [((B, 4, 3), "float")], 0),
    ("norm", np.linalg.norm, [((B, 3, 4), "float")], 0),
    ("tril", lambda x: np.tril(x, 1), [((B, 3, 4), "float")], 0),
    ("fft", lambda x: np.abs(np.fft.fft(x)), [((B, 8), "float")], 0),
    ("rfft_irfft", lambda x: np.fft.irfft(np.fft.rfft(x, axis=0), axis=0),
     [((B, 8, 2), "float")], 0),
    ("fft2", lambda x: np.real(np.fft.fft2(x)), [((4, B, 4), "float")], 1),
    ("getitem_basic", lambda x: x[1:, 0] * x[-1, ::2].sum(), [((B, 3, 4), "float")], 0),
    ("getitem_int_array", lambda x: x[np.asarray([2, 0, 0])], [((B, 3, 4), "float")], 0),
    ("getitem_bool", lambda x: x[numpy.asarray([True, False, True])], [((B, 3), "float")], 0),
    ("getitem_newaxis", lambda x: x[None, ..., 1], [((B, 3, 4), "float")], 0),
    ("setitem", lambda x, v: _setitem(x, v), [((B, 4), "float"), ((B, 2), "float")], 0),
    ("setitem_unbatched_target", lambda v: _setitem(np.zeros(4, dtype=v.dtype), v),
     [((B, 2), "float")], 0),
    ("logsumexp", lambda x: special.logsumexp(x, axis=-1), [((B, 3, 4), "float")], 0),
    ("log_softmax", lambda x: special.log_softmax(x, axis=0), [((B, 3, 4), "float")], 0),
    ("gammaln", special.gammaln, [((B, 4), "pos")], 0),
]


def _setitem(x, v):
    y = x * 1.0
    y[1:3] = v
    return y


def _loop(fun, arrays, in_axes):
    outs = []
    axes = in_axes if isinstance(in_axes, tuple) else (in_axes,) * len(arrays)
    for i in range(B):
        args = [pg.asarray(numpy.asarray(a if ax is None else numpy.take(a, i, axis=ax)))
                for a, ax in zip(arrays, axes)]
        outs.append(fun(*args))
    return outs


def _check(batched, loop):
    assert batched.shape == (B,) + loop[0].shape
    assert batched.dtype == loop[0].dtype
    expected = numpy.stack([o.asnumpy() for o in loop])
    tol = 1e-4 if batched.dtype in (np.float32, np.complex64) else 1e-9
    numpy.testing.assert_allclose(batched.asnumpy(), expected, rtol=tol, atol=tol)


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_vmap_equals_loop(backend, case):
    _, fun, specs, in_axes = case
    rng = numpy.random.default_rng(0)
    arrays = [_data(shape, kind, rng) for shape, kind in specs]
    if backend.name == "strict" and case[0] in ("getitem_bool",):
        pytest.skip("array-api-strict refuses a NumPy mask")
    with warnings.catch_warnings():
        warnings.simplefilter("error")   # no primitive falls back to the loop
        batched = pg.vmap(fun, in_axes=in_axes)(*[pg.asarray(a) for a in arrays])
    _check(batched, _loop(fun, arrays, in_axes))


GRAD_CASES = [c for c in CASES if all(kind in ("float", "pos", "spd") for _, kind in c[2])
              and c[0] not in ("isnan", "floor", "greater", "argmax_none", "argmin_axis",
                               "argsort", "astype", "sort")]


@pytest.mark.parametrize("case", GRAD_CASES, ids=[c[0] for c in GRAD_CASES])
def test_vmap_of_grad_equals_loop(backend, case):
    _, fun, specs, in_axes = case
    rng = numpy.random.default_rng(1)
    arrays = [_data(shape, kind, rng) for shape, kind in specs]
    axes = in_axes if isinstance(in_axes, tuple) else (in_axes,) * len(arrays)
    n = next(k for k, ax in enumerate(axes) if ax is not None)

    def scalar(*args):
        out = fun(*args)
        return np.sum(np.real(out) * np.cos(np.arange(out.size, dtype=out.dtype)
                                            .reshape(out.shape)))
    g = pg.grad(scalar, argnum=n)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        batched = pg.vmap(g, in_axes=in_axes)(*[pg.asarray(a) for a in arrays])
    _check(batched, _loop(g, arrays, in_axes))


_SHIPPED = """
import polygrad, polygrad.numpy, polygrad.special, polygrad.scipy.linalg, polygrad.scipy.special
import polygrad.scipy.stats, polygrad.scipy.integrate, polygrad.scipy.signal
from polygrad._primitive import primitives
print(sorted(name for name, prim in primitives().items() if prim.batch is None))
"""


def test_every_primitive_has_a_batching_rule():
    """The loop fallback is never the shipped path: each primitive polygrad registers (in a
    fresh process, so that the primitives other tests define do not count) has a rule."""
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", _SHIPPED], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]", f"primitives without a batching rule (pg.vmap loops over them): {out}"


@pytest.mark.parametrize("case", ["isin", "searchsorted_values", "searchsorted_sorted"])
def test_sets_and_searching(backend, case):
    rng = numpy.random.default_rng(2)
    if case == "isin":
        fun, arrays, in_axes = (lambda a, b: np.isin(a, b)), [rng.integers(0, 5, (B, 4)),
                                                             numpy.asarray([1, 3])], (0, None)
    elif case == "searchsorted_values":
        fun, arrays, in_axes = np.searchsorted, [numpy.arange(5.0), rng.uniform(0, 5, (B, 3))], \
            (None, 0)
    else:
        fun, arrays, in_axes = np.searchsorted, [numpy.sort(rng.uniform(0, 5, (B, 5))),
                                                 numpy.asarray([1.0, 2.5])], (0, None)
    batched = pg.vmap(fun, in_axes=in_axes)(*[pg.asarray(a) for a in arrays])
    _check(batched, _loop(fun, arrays, in_axes))
