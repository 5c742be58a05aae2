"""One (row, case, dtype) on a plugin's library-specific inputs (an ``InputStrategy``): the
values against the strategy's oracle, the mask carried through, and the first derivatives
(VJP and JVP) against the NumPy backend's on the same values.

Uses polygrad's public API and NumPy on the host.
"""

from __future__ import annotations

import math
from typing import Any

import numpy

import polygrad as pg
import polygrad.numpy as pnp
from polygrad_conformance._checks import TOLERANCES, _reference, _Setup
from polygrad_conformance._extras import InputStrategy
from polygrad_conformance._results import CaseResult, _exc, _leaves, _random_like
from polygrad_conformance._spec import Case, Spec

__all__ = ["run_strategy_case", "strategy_case_id"]


def strategy_case_id(case: Case, strategy: InputStrategy) -> str:
    return f"{case.id}@{strategy.name}"


def _unpack(strategy: InputStrategy, leaf: Any) -> tuple:
    values, mask = strategy.unpack(leaf.native if isinstance(leaf, pg.Array) else leaf)
    values = numpy.asarray(values)
    mask = numpy.zeros(values.shape, bool) if mask is None else \
        numpy.broadcast_to(numpy.asarray(mask, bool), values.shape)
    return values, mask


def _close(got: numpy.ndarray, want: numpy.ndarray, keep: numpy.ndarray) -> float:
    """max |Δ| / max |want| over the entries ``keep`` (exact for integers and booleans)."""
    got, want = numpy.asarray(got)[keep], numpy.asarray(want)[keep]
    if not got.size:
        return 0.0
    if got.dtype.kind in "biu" or want.dtype.kind in "biu":
        return 0.0 if numpy.array_equal(got, want) else math.inf
    got = got.astype(complex)
    want = want.astype(complex)
    bad_g, bad_w = ~numpy.isfinite(got), ~numpy.isfinite(want)
    if (bad_g != bad_w).any():
        return math.inf
    got, want = got[~bad_w], want[~bad_w]
    if not got.size:
        return 0.0
    scale = float(numpy.max(numpy.abs(want)))
    diff = float(numpy.max(numpy.abs(got - want)))
    return diff / scale if scale else (0.0 if diff == 0.0 else math.inf)


def _unbroadcast_mask(mask: numpy.ndarray, shape: tuple) -> numpy.ndarray:
    """The mask of a sum of ``mask``-shaped values back to ``shape``: masked where every
    contribution is (a masked sum skips masked entries)."""
    lead = mask.ndim - len(shape)
    if lead:
        mask = mask.all(axis=tuple(range(lead)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and mask.shape[i] != 1)
    return mask.all(axis=axes, keepdims=True) if axes else mask


def run_strategy_case(spec: Spec, case: Case, dtype: str, backend: Any,
                      strategy: InputStrategy) -> CaseResult:
    """Run the checks of one case in one dtype on ``backend``, its inputs made by ``strategy``."""
    result = CaseResult(spec.name, strategy_case_id(case, strategy), dtype, backend.spec)
    why = strategy.skip_reason(spec)
    if why:
        result.skipped = f"{strategy.name} inputs: {why}"
        return result
    setup = _Setup(spec, case, dtype)
    tol = TOLERANCES.get(dtype)
    with pg.use_backend(backend):
        xs, masks = [], []
        for a, h in zip(case.args, setup.host):
            if a.dtype == "py":
                xs.append(h)
                masks.append(None)
                continue
            name = dtype if a.dtype is None else a.dtype
            try:
                native = strategy.make(numpy.asarray(h).astype(name), setup.rng)
                x = pnp.asarray(native)
            except Exception as exc:  # noqa: BLE001 - reported as the check's failure
                result.fail("input", f"{strategy.name}: making the input raised {_exc(exc)}")
                return result
            xs.append(x)
            masks.append(_unpack(strategy, x)[1])
        try:
            out = spec.fn(*xs, **case.kwargs)
        except Exception as exc:  # noqa: BLE001
            result.fail("value", f"{spec.name} raised {_exc(exc)} on {strategy.name} inputs")
            return result
        leaves = _leaves(out)
        if not all(isinstance(leaf, pg.Array) for leaf in leaves):
            result.fail("output-meta", "an output is not a polygrad Array")
            return result
        got = [_unpack(strategy, leaf) for leaf in leaves]
        want = _oracle(spec, case, setup, strategy, masks, got, result)
        if want is None:
            return result
        out_masks = [m for _, m in want]
        worst, msg = 0.0, ""
        for i, ((gv, gm), (wv, wm)) in enumerate(zip(got, want)):
            if gv.shape != numpy.shape(wv):
                result.fail("value", f"output {i} has shape {gv.shape}, the oracle's "
                                     f"{numpy.shape(wv)}")
                return result
            if not numpy.array_equal(gm, wm):
                result.fail("mask", f"output {i}: mask {gm.astype(int).tolist()} where the "
                                    f"oracle carries {wm.astype(int).tolist()}"[:400])
            err = _close(gv, wv, ~wm)
            if err > worst:
                worst, msg = err, f"output {i}: max |Δ| / max |oracle| at unmasked entries"
        value_tol = (tol.value if tol else 0.0) * spec.tol * case.tol
        result.add("value", worst, value_tol, msg)
        if (spec.nondiff or tol is None or not setup.diff_idx or strategy.oracle != "filled"
                or (spec.diff_dtypes is not None and setup.family() not in spec.diff_dtypes)):
            return result
        _derivatives(spec, case, setup, strategy, xs, leaves, out_masks, result,
                     tol.first * spec.tol * case.tol)
    return result


def _oracle(spec: Spec, case: Case, setup: _Setup, strategy: InputStrategy, masks: list,
            got: list, result: CaseResult) -> list | None:
    if callable(strategy.oracle):
        try:
            return [(numpy.asarray(v), numpy.asarray(m, bool)) for v, m in
                    strategy.oracle(spec, case, setup.wide(), masks, dict(case.kwargs))]
        except Exception as exc:  # noqa: BLE001
            result.fail("value", f"the {strategy.name} oracle raised {_exc(exc)}")
            return None
    if spec.ref is None:
        result.skipped = f"{strategy.name} inputs: the row has no NumPy reference"
        return None
    want = _reference(spec, case, setup, [None] * len(got), result)
    if want is None:
        return None
    present = [m for m in masks if m is not None]
    try:
        shape = numpy.broadcast_shapes(*[m.shape for m in present]) if present else ()
    except ValueError:
        result.skipped = (f"{strategy.name} inputs: the input shapes do not broadcast "
                          f"together (not element-wise)")
        return None
    union = numpy.zeros(shape, bool)
    for m in present:
        union = union | m
    out = []
    for w in want:
        w = numpy.asarray(w)
        if w.shape != shape:
            result.skipped = (f"{strategy.name} inputs: output shape {w.shape} is not the "
                              f"inputs' broadcast shape {shape} (not element-wise)")
            return None
        out.append((w, union))
    return out


def _derivatives(spec: Spec, case: Case, setup: _Setup, strategy: InputStrategy, xs: list,
                 leaves: list, out_masks: list, result: CaseResult, tol: float) -> None:
    """VJP and JVP on the strategy's inputs against the NumPy backend's on their values."""
    float_out = [i for i, leaf in enumerate(leaves) if leaf.dtype.kind in "fc"]
    if not float_out:
        return
    idx = setup.diff_idx
    rng = numpy.random.default_rng(len(case.id) + 7)
    vs = [_random_like(rng, leaves[i].shape, leaves[i].dtype.kind).astype(leaves[i].dtype.name)
          for i in float_out]
    us = [_random_like(rng, setup.host[i].shape, "c" if setup.complex else "f")
          .astype(setup.dtype) for i in idx]

    def fun_on(args):
        def fun(*dx):
            a = list(args)
            for i, v in zip(idx, dx):
                a[i] = v
            got = _leaves(spec.fn(*a, **case.kwargs))
            return [got[i] for i in float_out]
        return fun

    try:
        # the cotangents carry the outputs' masks and the tangents the inputs' (``0 * a + v``:
        # the library's own arithmetic carries the mask): an absent entry pairs with nothing
        cot = pg.vjp(fun_on(xs), *[xs[i] for i in idx])[1](
            [0 * leaves[i] + pnp.asarray(v) for i, v in zip(float_out, vs)])
        tan = pg.jvp(fun_on(xs), [xs[i] for i in idx],
                     [0 * xs[i] + pnp.asarray(u) for i, u in zip(idx, us)])[1]
    except Exception as exc:  # noqa: BLE001
        result.fail("vjp", f"derivatives on {strategy.name} inputs raised {_exc(exc)}")
        return
    values = [_unpack(strategy, x)[0] if isinstance(x, pg.Array) else x for x in xs]

    def masks_of(i):
        return _unpack(strategy, xs[i])[1]
    with pg.use_backend("numpy"):
        dense = [pnp.asarray(v) if isinstance(x, pg.Array) else v for v, x in zip(values, xs)]
        # a masked output entry contributes nothing to a (masked) sum: zero cotangent there
        vs_kept = [pnp.asarray(numpy.where(out_masks[i], 0, v)) for i, v in zip(float_out, vs)]
        want_cot = pg.vjp(fun_on(dense), *[dense[i] for i in idx])[1](vs_kept)
        us_kept = [pnp.asarray(numpy.where(masks_of(i), 0, u)) for i, u in zip(idx, us)]
        want_tan = pg.jvp(fun_on(dense), [dense[i] for i in idx], us_kept)[1]
    worst, msg = 0.0, ""
    for k, (g, w) in enumerate(zip(_leaves(cot), _leaves(want_cot))):
        gv, gm = _unpack(strategy, g)
        wm = numpy.ones(gv.shape, bool)   # masked where every output's contribution is
        for i in float_out:
            wm = wm & _unbroadcast_mask(out_masks[i], gv.shape)
        if (gm & ~wm).any():
            result.fail("vjp-mask", f"cotangent of argument {idx[k]}: mask "
                                    f"{gm.astype(int).tolist()}, masked outside the output mask "
                                    f"{wm.astype(int).tolist()}"[:400])
        err = _close(gv, numpy.asarray(w.asnumpy()), ~wm)
        if err > worst:
            worst, msg = err, f"cotangent of argument {idx[k]} against NumPy's at unmasked entries"
    result.add("vjp-oracle", worst, tol, msg)
    worst, msg = 0.0, ""
    for k, (g, w) in enumerate(zip(_leaves(tan), _leaves(want_tan))):
        gv, gm = _unpack(strategy, g)
        wm = out_masks[float_out[k]]
        if (gm & ~wm).any():
            result.fail("jvp-mask", f"tangent of output {float_out[k]}: mask "
                                    f"{gm.astype(int).tolist()}, masked outside the output mask "
                                    f"{wm.astype(int).tolist()}"[:400])
        err = _close(gv, numpy.asarray(w.asnumpy()), ~wm)
        if err > worst:
            worst, msg = err, (f"tangent of output {float_out[k]} against NumPy's at unmasked "
                               f"entries")
    result.add("jvp-oracle", worst, tol, msg)
