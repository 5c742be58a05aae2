"""The derivative checks of one case: dot-product tests against central differences (to the row's
order), the derivatives' dtype, shape and device, conventions, and single precision against the
NumPy backend's float64 derivatives.

Uses polygrad's public API and NumPy on the host.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any


import polygrad as pg
import polygrad.numpy as pnp
from polygrad_conformance._results import (
    WIDE,
    CaseResult,
    _absdot,
    _by_value,
    _exc,
    _host,
    _inf,
    _leaves,
    _pair,
    _random_like,
    _rel_arrays,
)
from polygrad_conformance._spec import Case, Spec

if TYPE_CHECKING:
    from polygrad_conformance._checks import Tol, _Setup

__all__ = ["check_derivatives"]


class _Fun:
    """The row's function of its differentiated arguments, returning its floating outputs as a
    list (the other arguments held fixed)."""

    def __init__(self, spec: Spec, case: Case, xs: list, diff_idx: list, float_out: list
                 ) -> None:
        self.spec, self.case, self.xs, self.diff_idx = spec, case, list(xs), diff_idx
        self.float_out = float_out

    def __call__(self, *dx: Any) -> list:
        args = list(self.xs)
        for i, v in zip(self.diff_idx, dx):
            args[i] = v
        leaves = _leaves(self.spec.fn(*args, **self.case.kwargs))
        return [leaves[i] for i in self.float_out]


def check_derivatives(spec: Spec, case: Case, setup: _Setup, xs: list, out: Any,
                       result: CaseResult, tol: Tol, order: int, full: bool) -> None:
    leaves = _leaves(out)
    float_out = [i for i, leaf in enumerate(leaves)
                 if isinstance(leaf, pg.Array) and leaf.dtype.kind in "fc"]
    if not float_out:
        return
    rng = setup.rng
    dx = [xs[i] for i in setup.diff_idx]
    fun = _Fun(spec, case, xs, setup.diff_idx, float_out)
    outs = [leaves[i] for i in float_out]
    us = [(_by_value(setup.host[i]) if case.tangent == "by_value" else
           _random_like(rng, setup.host[i].shape, "c" if setup.complex else "f"))
          for i in setup.diff_idx]
    vs = [_random_like(rng, o.shape, o.dtype.kind) for o in outs]
    u_arr = [pnp.asarray(u.astype(x.dtype.name), dtype=x.dtype) for u, x in zip(us, dx)]
    v_arr = [pnp.asarray(v.astype(o.dtype.name), dtype=o.dtype) for v, o in zip(vs, outs)]
    scale = spec.tol * case.tol
    single = setup.dtype in ("float16", "float32", "complex64")

    cot = _guard(result, "vjp", lambda: pg.vjp(fun, *dx)[1](v_arr))
    tan = _guard(result, "jvp", lambda: pg.jvp(fun, dx, u_arr)[1])
    if cot is not None:
        _meta(result, "vjp-meta", cot, dx, "cotangent of argument")
    if tan is not None:
        _meta(result, "jvp-meta", tan, outs, "tangent of output")
    if case.vjp_ref is not None and cot is not None:
        want = case.vjp_ref(*setup.wide(), *vs)
        err = max((_rel_arrays(_host(c), w) for c, w in zip(cot, want)), default=0.0)
        result.add("convention", err, 10 * tol.value * scale,
                   "cotangent differs from the documented convention")
    tests = _DotTests(result, tol.eps, tol.first * scale, tol.second * scale, tol.floor, rng,
                      mixed=full)
    tests.run(fun, dx, us, vs, u_arr, v_arr, cot, tan, order)
    if single:
        _against_double(result, spec, case, setup, fun, (dx, us, u_arr), (vs, v_arr), cot, tan,
                        tol.ref * scale, order)


def _guard(result: CaseResult, check: str, thunk: Callable) -> Any:
    try:
        return thunk()
    except Exception as exc:  # noqa: BLE001
        result.fail(check, f"raised {_exc(exc)}")
        return None


def _meta(result: CaseResult, check: str, got: Sequence, like: Sequence, what: str) -> None:
    problems = []
    for i, (g, x) in enumerate(zip(got, like)):
        if not isinstance(g, pg.Array):
            problems.append(f"{what} {i} is a {type(g).__name__}, not an Array")
            continue
        if g.dtype != x.dtype:
            problems.append(f"{what} {i} has dtype {g.dtype.name}, expected {x.dtype.name}")
        if tuple(g.shape) != tuple(x.shape):
            problems.append(f"{what} {i} has shape {tuple(g.shape)}, expected {tuple(x.shape)}")
        if g.backend != x.backend or g.device != x.device:
            problems.append(f"{what} {i} is on {g.backend}:{g.device}, expected "
                            f"{x.backend}:{x.device}")
    if problems:
        result.fail(check, "; ".join(problems))
    else:
        result.add(check, 0.0, 0.0)


def _perturbed(xs: Sequence, us: Sequence, eps: float) -> tuple[list, list]:
    plus, minus = [], []
    for x, u in zip(xs, us):
        h = _host(x)
        name = x.dtype.name
        plus.append(pnp.asarray((h + eps * u).astype(name), dtype=x.dtype))
        minus.append(pnp.asarray((h - eps * u).astype(name), dtype=x.dtype))
    return plus, minus


@dataclass
class _DotTests:
    """⟨u, Jᵀv⟩ and ⟨v, J u⟩ against central differences of ⟨v, f(x ± εu)⟩, then the same for
    the derivative functions x ↦ Jᵀv and x ↦ J u, to ``order``. ``mixed``: also reverse over
    forward and forward over reverse (the full grid); otherwise each mode over itself."""

    result: CaseResult
    eps: float
    rtol: float
    rtol2: float
    floor: float
    rng: Any
    mixed: bool

    def run(self, fun: Callable, xs: list, us: list, vs: list, u_arr: list, v_arr: list,
            cot: Any, tan: Any, order: int, prefix: str = "") -> None:
        if cot is None and tan is None:
            return
        if not self._compare(fun, xs, us, vs, cot, tan, prefix):
            return
        if order <= 1 or self.rtol2 <= 0:
            return
        # the derivative functions, differentiated again (their rules are polygrad functions)
        inner = []
        if cot is not None:
            inner.append(("vjp", lambda *a: list(pg.vjp(fun, *a)[1](v_arr)), cot))
        if tan is not None:
            inner.append(("jvp", lambda *a: list(pg.jvp(fun, list(a), u_arr)[1]), tan))
        for name, g, g0 in inner:
            ws = [_random_like(self.rng, tuple(c.shape), c.dtype.kind) for c in g0]
            w_arr = [pnp.asarray(w.astype(c.dtype.name), dtype=c.dtype) for w, c in zip(ws, g0)]
            tag = prefix + name
            c2 = t2 = None
            if self.mixed or name == "vjp":
                c2 = _guard(self.result, f"vjp-of-{tag}",
                            lambda g=g, w_arr=w_arr: pg.vjp(g, *xs)[1](w_arr))
            if self.mixed or name == "jvp":
                t2 = _guard(self.result, f"jvp-of-{tag}", lambda g=g: pg.jvp(g, xs, u_arr)[1])
            self.run(g, xs, us, ws, u_arr, w_arr, c2, t2, order - 1, tag + "-")

    def _compare(self, fun: Callable, xs: list, us: list, vs: list, cot: Any, tan: Any,
                 prefix: str) -> bool:
        eps = self.eps
        try:
            f0 = fun(*xs)
            diffs = []
            for step in (eps, 2 * eps):
                plus, minus = _perturbed(xs, us, step)
                fp, fm = fun(*plus), fun(*minus)
                diffs.append(sum(_pair(v, (_host(p).astype(complex) - _host(m)) / (2 * step))
                                 for v, p, m in zip(vs, fp, fm)))
        except Exception as exc:  # noqa: BLE001
            self.result.fail(prefix + "finite-difference", f"raised {_exc(exc)}")
            return False
        # Richardson: the central differences at ε and 2ε give an O(ε⁴) estimate, and their
        # difference bounds its error; only the discrepancy beyond that bound counts
        numeric = (4 * diffs[0] - diffs[1]) / 3
        fd_error = 2 * abs(diffs[1] - diffs[0])
        fmag = sum(_absdot(v, _host(f)) for v, f in zip(vs, f0))
        label = prefix.rstrip("-")
        for mode, got, pairs in (("vjp", cot, us), ("jvp", tan, vs)):
            if got is None:
                continue
            analytic = sum(_pair(p, _host(g)) for p, g in zip(pairs, got))
            mag = sum(_absdot(p, _host(g)) for p, g in zip(pairs, got))
            denom = max(abs(numeric), mag, self.floor * fmag, 1e-300)
            gap = abs(analytic - numeric)
            err = gap / denom if math.isnan(gap) else max(gap - fd_error, 0.0) / denom
            self.result.add(f"{mode}-of-{label}" if label else mode, err,
                            self.rtol2 if prefix else self.rtol,
                            f"analytic {analytic:.12g}, central difference {numeric:.12g} "
                            f"(± {fd_error:.2g})")
        return True


def _against_double(result: CaseResult, spec: Spec, case: Case, setup: _Setup, fun: _Fun,
                    ins: tuple, cots: tuple, cot: Any, tan: Any, rtol: float, order: int
                    ) -> None:
    """Single-precision derivatives against the NumPy backend's float64 ones at the same
    (rounded) inputs and directions."""
    wide = WIDE[setup.dtype]
    dx, us, u_arr = ins
    vs, v_arr = cots
    try:
        with pg.use_backend("numpy"):
            xs64 = setup.arrays(setup.host, wide)
            dx64 = [xs64[i] for i in setup.diff_idx]
            out64 = _leaves(spec.fn(*xs64, **case.kwargs))
            outs64 = [out64[i] for i in fun.float_out]
            f64 = _Fun(spec, case, xs64, setup.diff_idx, fun.float_out)
            u64 = [pnp.asarray(u.astype(x.dtype.name).astype(WIDE[x.dtype.name]))
                   for u, x in zip(us, (setup.host[i] for i in setup.diff_idx))]
            v64 = [pnp.asarray(v.astype(_single(o.dtype.name, setup.dtype)).astype(o.dtype.name))
                   for v, o in zip(vs, outs64)]
            cot64 = pg.vjp(f64, *dx64)[1](v64)
            tan64 = pg.jvp(f64, dx64, u64)[1]
            hvp64 = None
            if order >= 2:
                hvp64 = pg.jvp(lambda *a: list(pg.vjp(f64, *a)[1](v64)), dx64, u64)[1]
            cot64 = [c.asnumpy() for c in cot64]
            tan64 = [t.asnumpy() for t in tan64]
            hvp64 = None if hvp64 is None else [h.asnumpy() for h in hvp64]
    except Exception as exc:  # noqa: BLE001
        result.fail("vs-float64", f"the float64 NumPy reference raised {_exc(exc)}")
        return
    for name, got, want in (("vjp-vs-float64", cot, cot64), ("jvp-vs-float64", tan, tan64)):
        if got is None:
            continue
        err = max((_rel_arrays(_host(g), w) for g, w in zip(got, want)), default=0.0)
        result.add(name, err, rtol, "max |Δ| / max |float64|")
    if hvp64 is not None and cot is not None:
        hvp = _guard(result, "hvp-vs-float64", lambda: pg.jvp(
            lambda *a: list(pg.vjp(fun, *a)[1](v_arr)), dx, u_arr)[1])
        if hvp is not None:
            # second derivatives that vanish are judged against the first derivatives' size
            floor = 1e-3 * max((_inf(c) for c in cot64), default=0.0)
            err = max((_rel_arrays(_host(g), w, floor) for g, w in zip(hvp, hvp64)),
                      default=0.0)
            result.add("hvp-vs-float64", err, rtol * 10, "max |Δ| / max |float64|")


def _single(name: str, dtype: str = "float32") -> str:
    """The dtype the directions were rounded to for an output of ``name`` when the case runs in
    ``dtype`` (float16 rows: their real outputs are float16)."""
    real = dtype if dtype in ("float16", "float32") else "float32"
    return {"float64": real, "complex128": "complex64"}.get(name, name)
