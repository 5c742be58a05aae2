"""The spec table covers every registered primitive (polygrad's and plugins'), every function of
the Array API standard 2025.12 (main namespace, linalg, fft) and every NumPy name that HIPS
autograd differentiates, unless declared non-differentiable with a reason."""

from __future__ import annotations

import pytest

from polygrad_conformance import _names
from polygrad_conformance._coverage import Coverage, standard_names
from polygrad_conformance._session import session
from polygrad_conformance.specs import declared_nondiff


def _coverage() -> Coverage:
    state = session()
    if state.shard[0] != 0:
        pytest.skip("the coverage tests run in the first shard")
    if state.skip:
        pytest.skip(state.skip)
    cov = Coverage(state.specs or {}, declared_nondiff())
    prims = cov.missing_primitives()
    std = cov.missing_names(standard_names())
    ag = cov.missing_names(list(_names.AUTOGRAD))
    state.coverage = {
        "primitives": len(cov.prims), "rows": len(cov.specs),
        "missing_primitives": prims, "missing_standard": std, "missing_autograd": ag,
        "summary": f"{len(cov.specs)} rows; {len(cov.prims) - len(prims)}/{len(cov.prims)} "
                   f"primitives, {len(standard_names()) - len(std)}/{len(standard_names())} "
                   f"standard names, {len(_names.AUTOGRAD) - len(ag)}/{len(_names.AUTOGRAD)} "
                   f"autograd names covered",
    }
    return cov


def _listing(missing: dict) -> str:
    return "\n".join(f"  {name}: {why}" for name, why in missing.items())


def test_every_registered_primitive_has_a_spec():
    missing = _coverage().missing_primitives()
    assert not missing, ("registered primitives without a conformance spec (give each a "
                         "row, or ship one with polygrad_conformance.register_spec):\n"
                         + _listing(missing))


def test_every_standard_function_has_a_spec():
    missing = _coverage().missing_names(standard_names())
    assert not missing, ("Array API standard names without a conformance spec or a declared "
                         "reason:\n" + _listing(missing))


def test_every_autograd_name_has_a_spec():
    missing = _coverage().missing_names(list(_names.AUTOGRAD))
    assert not missing, ("NumPy names HIPS autograd differentiates without a conformance "
                         "spec:\n" + _listing(missing))


def test_rows_name_registered_primitives():
    unknown = _coverage().unknown_primitives()
    assert not unknown, f"rows naming primitives that are not registered: {unknown}"
