"""Every row × case × dtype of the spec table on the backend under test (``POLYGRAD_TEST_BACKEND``).

A test fails naming the row's primitives, the backend, the dtype, the case and each failing check
with its error and tolerance; a failure listed in the backend's known-failure file is an xfail.
"""

from __future__ import annotations

import pytest

from polygrad_conformance._checks import dtypes_for, run_case
from polygrad_conformance._session import session
from polygrad_conformance._strategies import run_strategy_case


def _params() -> list:
    state = session()
    if state.error or state.skip:
        return [pytest.param(None, None, None, None, id="backend-unavailable")]
    # dense NumPy-made inputs, then once more per input strategy of the backend's plugin
    strategies = [None] + list(state.extras.strategies if state.extras else ())
    params = []
    for strategy in strategies:
        tag = "" if strategy is None else f"@{strategy.name}"
        for name in sorted(state.specs):
            spec = state.specs[name]
            for case in spec.cases:
                if case.full and not state.full:
                    continue
                for dtype in dtypes_for(spec, case, state.backend, state.full):
                    params.append(pytest.param(spec, case, dtype, strategy,
                                               id=f"{name}|{case.id}{tag}|{dtype}"))
    i, n = state.shard
    return params[i::n]


def pytest_generate_tests(metafunc):
    if metafunc.function.__name__ == "test_conformance":
        metafunc.parametrize(("spec", "case", "dtype", "strategy"), _params())


def _describe(spec, result, checks) -> str:
    prims = ", ".join(spec.primitives) or "(a composition)"
    lines = [f"conformance failure: {spec.name} [primitives: {prims}] on backend "
             f"{result.backend}, dtype {result.dtype}, case {result.case}"]
    for c in checks:
        bound = f" > tolerance {c.tol:.3g}" if c.tol > 0 else ""
        err = f"error {c.err:.3g}{bound}: " if c.err != float("inf") else ""
        lines.append(f"  {c.check}: {err}{c.message}")
    return "\n".join(lines)


def test_conformance(spec, case, dtype, strategy):
    state = session()
    if state.error:
        pytest.fail(state.error, pytrace=False)
    if state.skip:
        pytest.skip(state.skip)
    if strategy is None:
        result = run_case(spec, case, dtype, state.backend, order=state.order,
                          full=state.full)
    else:
        result = run_strategy_case(spec, case, dtype, state.backend, strategy)
    state.known.loosen(result)
    known, unknown = state.known.split(result)
    status = "fail" if unknown else "xfail" if known else \
        "skip" if result.skipped and not result.checks else "pass"
    state.results.append((spec, result, status, [e for _, e in known]))
    if unknown:
        pytest.fail(_describe(spec, result, unknown), pytrace=False)
    if known:
        reasons = "; ".join(sorted({e.reason for _, e in known}))
        pytest.xfail(f"{spec.name} on {result.backend} ({dtype}): {reasons}")
    if status == "skip":
        pytest.skip(result.skipped)
