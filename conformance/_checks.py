"""The checks of one (row, case, dtype) on one backend: the tolerances, the dtypes a case runs
in, its inputs, the value checks against NumPy; the derivative checks are in ``_derivatives``.

Uses only polygrad's public API (``polygrad``, ``polygrad.numpy``) and NumPy on the host.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy

import polygrad as pg
import polygrad.numpy as pnp
from polygrad.extend import primitives
from polygrad_conformance._derivatives import check_derivatives
from polygrad_conformance._results import (
    WIDE,
    CaseResult,
    CheckResult,
    _exc,
    _host,
    _leaves,
    _rel_arrays,
)
from polygrad_conformance._spec import Case, Spec, make_inputs, seed_for

__all__ = ["TOLERANCES", "Tol", "CheckResult", "CaseResult", "run_case", "dtypes_for"]


@dataclass(frozen=True)
class Tol:
    """Tolerances of one dtype; every error is relative (see docs/conformance.md)."""

    value: float        #: forward values against NumPy in float64
    eps: float          #: central-difference step
    first: float        #: first-order dot-product tests
    second: float       #: higher-order dot-product tests (0: not run)
    floor: float        #: share of Σ|v|·|f(x)| below which a derivative counts as zero
    ref: float          #: single precision: derivatives against NumPy's float64 ones (second
                        #: order: 10 times this)


#: per dtype name; a row or case may scale them (``tol=``), a backend only with a written reason
TOLERANCES = {
    "float64": Tol(value=1e-12, eps=1e-5, first=1e-6, second=1e-5, floor=1e-4, ref=0.0),
    "complex128": Tol(value=1e-12, eps=1e-5, first=1e-6, second=1e-5, floor=1e-4, ref=0.0),
    "float32": Tol(value=2e-5, eps=2e-3, first=2e-2, second=0.0, floor=3e-2, ref=2e-4),
    "complex64": Tol(value=2e-5, eps=2e-3, first=2e-2, second=0.0, floor=3e-2, ref=2e-4),
    # half precision (unit roundoff 2**-11): finite differences are coarse there, so the check
    # that matters is ``ref``, the derivatives against NumPy's float64 ones at the same inputs
    "float16": Tol(value=4e-3, eps=6e-2, first=1e-1, second=0.0, floor=1e-1, ref=2e-2),
}

#: the rows that also run in float16 (not a dtype of the standard) outside the full grid, on
#: backends that have it: one or more per family of element-wise functions, reductions, matmul
HALF_SMOKE = frozenset({
    "add", "subtract", "multiply", "divide", "pow", "negative", "abs", "square", "sqrt",
    "exp", "expm1", "log", "log1p", "sin", "cos", "tan", "asin", "atan", "tanh", "sinh",
    "atan2", "hypot", "logaddexp", "maximum", "minimum", "floor", "sign", "where", "sum",
    "mean", "prod", "max", "cumulative_sum", "matmul"})

_FAMILIES = ("float", "complex", "int", "bool")


def dtypes_for(spec: Spec, case: Case, backend: Any, full: bool) -> list[str]:
    """The dtype names a case runs in on ``backend``."""
    families = [f for f in (case.dtypes or spec.dtypes) if f in _FAMILIES]
    names = [d for d in (case.dtypes or ()) if d not in _FAMILIES]
    f64 = bool(getattr(backend, "supports_float64", True))
    cplx = bool(getattr(backend, "supports_complex", True))
    half = (full or spec.name in HALF_SMOKE) and _has_float16(backend)
    out = []
    for fam in families:
        if fam == "float":
            out += (["float64"] if f64 else []) + ["float32"] + (["float16"] if half else [])
        elif fam == "complex" and cplx:
            out += (["complex128"] if f64 else []) + (["complex64"] if full or not f64 else [])
        elif fam == "int":
            out += ["int64"] + (["int32"] if full else [])
        elif fam == "bool":
            out += ["bool"]
    if names:
        row = dtypes_for(spec, Case(), backend, full)
        out += [d for d in names if d in row and d not in out]
    return out


def _has_float16(backend: Any) -> bool:
    """Whether the backend's library has float16 (array-api-strict has none)."""
    try:
        backend.native_dtype(pnp.float16)
    except (TypeError, KeyError):
        return False
    return True


# -- the case runner ----------------------------------------------------------------------------
class _Setup:
    """Inputs of a case: host values and the Arrays made from them on a backend."""

    def __init__(self, spec: Spec, case: Case, dtype: str) -> None:
        rng = numpy.random.default_rng(seed_for(spec.name, case.id))
        self.dtype = dtype
        self.complex = dtype.startswith("complex")
        self.args = case.args
        host = []
        for arg in case.args:
            vals = make_inputs(arg, rng, self.complex and arg.dtype is None)
            if arg.dtype is None:
                vals = numpy.asarray(vals).astype(dtype)   # rounded to the dtype under test
            host.append(vals)
        self.host = host
        self.diff_idx = [i for i, a in enumerate(case.args) if a.differentiated]
        self.rng = rng

    def wide(self) -> list:
        """The inputs as NumPy float64 / complex128 (the reference's inputs)."""
        out = []
        for a, h in zip(self.args, self.host):
            out.append(h.astype(WIDE[self.dtype]) if a.dtype is None and h.dtype.kind in "fc"
                       else h)
        return out

    def family(self) -> str:
        return {"f": "float", "c": "complex", "i": "int", "u": "int", "b": "bool"}[
            numpy.dtype(self.dtype).kind]

    def arrays(self, host: Sequence, dtype: str | None = None) -> list:
        out = []
        for a, h in zip(self.args, host):
            if a.dtype == "py":
                out.append(h)
                continue
            name = (dtype or self.dtype) if a.dtype is None else a.dtype
            out.append(pnp.asarray(numpy.asarray(h).astype(name), dtype=getattr(pnp, name)))
        return out


def run_case(spec: Spec, case: Case, dtype: str, backend: Any, *, order: int | None = None,
             full: bool = False) -> CaseResult:
    """Run every check of one case in one dtype on ``backend`` (a polygrad Backend).

    ``order`` caps the derivative order. Outside the ``full`` grid, rows of compositions (not
    named after a primitive) stop at first order: their second order is that of their
    primitives, each checked in its own row.
    """
    result = CaseResult(spec.name, case.id, dtype, backend.spec)
    setup = _Setup(spec, case, dtype)
    tol = TOLERANCES.get(dtype)
    with pg.use_backend(backend):
        xs = setup.arrays(setup.host)
        try:
            out = spec.fn(*xs, **case.kwargs)
        except Exception as exc:   # noqa: BLE001 - reported as the check's failure
            result.fail("value", f"{spec.name} raised {_exc(exc)}")
            return result
        _check_values(spec, case, setup, xs, out, result, tol)
        if spec.nondiff or not setup.diff_idx or (
                spec.diff_dtypes is not None and setup.family() not in spec.diff_dtypes):
            return result
        depth = case.order if case.order is not None else spec.order
        if not full and spec.name not in primitives():
            depth = min(depth, 1)
        if order is not None:
            depth = min(depth, order)
        if depth >= 1:
            check_derivatives(spec, case, setup, xs, out, result, tol, depth, full)
    return result


_BITS = {"float16": 16, "float32": 32, "complex64": 32}   # the precision of a floating dtype


def _check_values(spec: Spec, case: Case, setup: _Setup, xs: list, out: Any,
                  result: CaseResult, tol: Tol | None) -> None:
    leaves = _leaves(out)
    backend_name = pg.get_backend().name
    device = next((x.device for x in xs if isinstance(x, pg.Array)), None)
    problems = []
    for i, leaf in enumerate(leaves):
        if not isinstance(leaf, pg.Array):
            problems.append(f"output {i} is a {type(leaf).__name__}, not a polygrad Array")
            continue
        if leaf.backend != backend_name or (device is not None and leaf.device != device):
            problems.append(f"output {i} is on {leaf.backend}:{leaf.device}, the inputs on "
                            f"{backend_name}:{device}")
        kind = leaf.dtype.kind
        if spec.keep_precision and kind in "fc" and setup.dtype[0] in "fc":
            bits = _BITS.get(setup.dtype, 64)
            got = _BITS.get(leaf.dtype.name, 64)
            if got != bits:
                problems.append(f"output {i} has dtype {leaf.dtype.name} for {setup.dtype} "
                                f"inputs")
    if problems:
        result.fail("output-meta", "; ".join(problems))
    if spec.ref is None:
        return
    if tol is None:   # integer and boolean inputs: exact values
        _exact_values(spec, case, setup, leaves, result)
        return
    missing = [m for m in spec.needs if not _importable(m)]
    if missing:
        result.skipped = f"the reference needs {', '.join(missing)}"
        return
    want = _reference(spec, case, setup, leaves, result)
    if want is None:
        return
    worst = 0.0
    msg = ""
    for i, (g, w) in enumerate(zip(leaves, want)):
        if not isinstance(g, pg.Array):
            continue
        g, w = _host(g), numpy.asarray(w)
        if g.shape != w.shape:
            result.fail("value", f"output {i} has shape {g.shape}, NumPy's {w.shape}")
            return
        if g.dtype.kind in "biu" or w.dtype.kind in "biu":
            err = 0.0 if numpy.array_equal(g, w) else math.inf
        else:
            err = _rel_arrays(g, w)
        if err > worst:
            worst, msg = err, f"output {i}: max |Δ| / max |NumPy| = {err:.3g}"
    result.add("value", worst, tol.value * spec.tol * case.tol, msg)


def _reference(spec: Spec, case: Case, setup: _Setup, leaves: list, result: CaseResult
               ) -> list | None:
    """The NumPy reference's outputs, or None after failing ``result`` (it raised, or it has
    another number of outputs)."""
    try:
        want = _leaves(spec.ref(*setup.wide(), **case.kwargs))
    except Exception as exc:  # noqa: BLE001
        result.fail("value", f"the NumPy reference raised {_exc(exc)}")
        return None
    if len(want) != len(leaves):
        result.fail("value", f"{len(leaves)} outputs, the NumPy reference has {len(want)}")
        return None
    return want


def _exact_values(spec: Spec, case: Case, setup: _Setup, leaves: list, result: CaseResult
                  ) -> None:
    want = _reference(spec, case, setup, leaves, result)
    if want is None:
        return
    for i, (g, w) in enumerate(zip(leaves, want)):
        g, w = _host(g), numpy.asarray(w)
        if g.shape != w.shape or not numpy.array_equal(g, w, equal_nan=g.dtype.kind in "fc"):
            result.fail("value", f"output {i} differs from NumPy's: {g!r} vs {w!r}"[:400])
            return
    result.add("value", 0.0, 0.0)


def _importable(name: str) -> bool:
    from importlib.util import find_spec

    return find_spec(name) is not None
