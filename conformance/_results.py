"""Results of the checks (one per check, gathered per case) and the host-side helpers the checks
share: pairings, relative errors, random directions.

Uses polygrad's public API and NumPy on the host.
"""

from __future__ import annotations

import math
import traceback
from dataclasses import dataclass, field
from typing import Any

import numpy

import polygrad as pg

__all__ = ["CheckResult", "CaseResult", "WIDE"]

#: the double-precision dtype of each floating dtype (the references' precision)
WIDE = {"float16": "float64", "float32": "float64", "complex64": "complex128", "float64": "float64",
        "complex128": "complex128"}


@dataclass
class CheckResult:
    check: str
    ok: bool
    err: float = 0.0
    tol: float = 0.0
    message: str = ""


@dataclass
class CaseResult:
    spec: str
    case: str
    dtype: str
    backend: str
    checks: list = field(default_factory=list)
    skipped: str = ""

    def add(self, check: str, err: float, tol: float, message: str = "") -> None:
        ok = bool(err <= tol) if not math.isnan(err) else False
        self.checks.append(CheckResult(check, ok, float(err), float(tol), message))

    def fail(self, check: str, message: str) -> None:
        self.checks.append(CheckResult(check, False, math.inf, 0.0, message))

    @property
    def failures(self) -> list:
        return [c for c in self.checks if not c.ok]

    @property
    def worst(self) -> CheckResult | None:
        finite = [c for c in self.checks if c.tol > 0]
        return max(finite, key=lambda c: c.err, default=None)


# -- host helpers -------------------------------------------------------------------------------
def _leaves(obj: Any) -> list:
    if isinstance(obj, (tuple, list)):
        return [leaf for item in obj for leaf in _leaves(item)]
    if isinstance(obj, dict):
        return [leaf for k in sorted(obj) for leaf in _leaves(obj[k])]
    return [obj]


def _host(a: Any) -> numpy.ndarray:
    if isinstance(a, pg.Array):
        return numpy.asarray(a.asnumpy())
    return numpy.asarray(a)


def _pair(a: Any, b: Any) -> float:
    """⟨a, b⟩ = Re Σ a·b (unconjugated), in double precision on the host."""
    a = numpy.asarray(a, dtype=complex)
    b = numpy.asarray(b, dtype=complex)
    return float(numpy.sum(a * b).real)


def _absdot(a: Any, b: Any) -> float:
    return float(numpy.sum(numpy.abs(numpy.asarray(a, dtype=complex))
                           * numpy.abs(numpy.asarray(b, dtype=complex))))


def _inf(a: Any) -> float:
    a = numpy.asarray(a)
    return float(numpy.max(numpy.abs(a))) if a.size else 0.0


def _rel_arrays(got: numpy.ndarray, want: numpy.ndarray, floor: float = 0.0) -> float:
    """max |got − want| / max(max |want|, floor) (NaN and inf must sit at the same places)."""
    got = numpy.asarray(got, dtype=complex if numpy.iscomplexobj(got) or
                        numpy.iscomplexobj(want) else float)
    want = numpy.asarray(want, dtype=got.dtype)
    if got.shape != want.shape:
        return math.inf
    if not got.size:
        return 0.0
    bad_g, bad_w = ~numpy.isfinite(got), ~numpy.isfinite(want)
    if (bad_g != bad_w).any():
        return math.inf
    if bad_w.any():
        same = (numpy.isnan(got) == numpy.isnan(want)) & ((got == want) | numpy.isnan(want))
        if not same[bad_w].all():
            return math.inf
        got, want = got[~bad_w], want[~bad_w]
        if not got.size:
            return 0.0
    scale = max(_inf(want), floor)
    diff = _inf(got - want)
    if scale == 0.0:
        return 0.0 if diff == 0.0 else diff / 1e-300
    return diff / scale


def _random_like(rng: Any, shape: tuple, kind: str) -> numpy.ndarray:
    vals = rng.standard_normal(shape)
    if kind == "c":
        vals = vals + 1j * rng.standard_normal(shape)
    return vals


def _by_value(x: numpy.ndarray) -> numpy.ndarray:
    """A direction constant on equal values of ``x`` (keeps ties tied)."""
    x = numpy.real(x)
    return numpy.cos(3.0 * x + 1.0) + 0.5 * numpy.sin(7.0 * x)


def _exc(exc: BaseException) -> str:
    tb = traceback.extract_tb(exc.__traceback__)
    where = f" at {tb[-1].filename.rsplit('/', 1)[-1]}:{tb[-1].lineno}" if tb else ""
    return f"{type(exc).__name__}: {str(exc)[:300]}{where}"
