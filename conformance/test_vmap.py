"""pg.vmap on every row of the spec table (issue 20): see ``_vmap.check_vmap``; and every
registered primitive has a batching rule (the per-example loop is never the shipped path)."""

from __future__ import annotations

import pytest

from polygrad_conformance._checks import dtypes_for
from polygrad_conformance._session import session
from polygrad_conformance._vmap import NOT_BATCHED, check_vmap


def _params() -> list:
    state = session()
    if state.error or state.skip:
        return [pytest.param(None, None, None, id="backend-unavailable")]
    params = []
    for name in sorted(state.specs):
        spec = state.specs[name]
        cases = [c for c in spec.cases if not c.full]
        if not cases:
            continue
        dtypes = dtypes_for(spec, cases[0], state.backend, state.full)
        if dtypes:
            params.append(pytest.param(spec, cases[0], dtypes[0], id=f"{name}|{cases[0].id}"))
    i, n = state.shard
    return params[i::n]


def pytest_generate_tests(metafunc):
    if metafunc.function.__name__ == "test_vmap":
        metafunc.parametrize(("spec", "case", "dtype"), _params())


def test_vmap(spec, case, dtype):
    state = session()
    if state.error:
        pytest.fail(state.error, pytrace=False)
    if state.skip:
        pytest.skip(state.skip)
    problem = check_vmap(spec, case, dtype, state.backend)
    if problem is not None and spec.name in NOT_BATCHED:
        pytest.xfail(f"{spec.name}: {NOT_BATCHED[spec.name]}")
    assert problem is None, f"{spec.name} on {state.backend.spec}, {dtype}: {problem}"


def test_every_primitive_has_a_batching_rule():
    state = session()
    if state.skip:
        pytest.skip(state.skip)
    from polygrad.extend import primitives

    missing = sorted(name for name, prim in primitives().items() if prim.batch is None)
    assert not missing, ("registered primitives without a batching rule (pg.vmap would loop "
                         "over the examples; give each one with polygrad.extend.defbatch): "
                         + ", ".join(missing))
