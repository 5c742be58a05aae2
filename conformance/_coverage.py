"""Which registered primitives and public names have a conformance spec (or are declared
non-differentiable), for the coverage test and the report.

Imports polygrad's public API and the suite's own modules.
"""

from __future__ import annotations

from typing import Any

import polygrad.numpy as pnp
import polygrad.special as special
from polygrad.extend import primitives
from polygrad_conformance import _names

__all__ = ["resolve", "Coverage", "standard_names"]


def resolve(name: str) -> Any:
    """The object a public name stands for: ``"exp"``, ``"linalg.inv"``, ``"special.erf"``."""
    obj: Any = special if name.startswith("special.") else pnp
    for part in name.removeprefix("special.").split("."):
        if not hasattr(obj, part):
            return None
        obj = getattr(obj, part)
    return obj


def standard_names() -> list[str]:
    """The standard's names: from array-api-strict where installed, else the shipped list."""
    try:
        import array_api_strict as strict
    except ImportError:
        main, la, ft = _names.STANDARD, _names.STANDARD_LINALG, _names.STANDARD_FFT
    else:
        main = [n for n in strict.__all__ if n not in _names.STRICT_OWN]
        la, ft = strict.linalg.__all__, strict.fft.__all__
    return list(main) + [f"linalg.{n}" for n in la] + [f"fft.{n}" for n in ft]


class Coverage:
    """The spec table's coverage of primitives and public names."""

    def __init__(self, specs: dict, declared: list) -> None:
        self.specs = specs
        self.declared = {d.name: d.reason for d in declared}
        self.prims = primitives()
        covered = set(specs)
        for spec in specs.values():
            covered.update(spec.covers)
        self.covered_names = covered
        self.covered_objects = {id(o) for o in (resolve(n) for n in covered) if o is not None}
        self.covered_objects |= {id(spec.fn) for spec in specs.values()}
        # a primitive's own row is named after it (or lists it in ``covers``)
        self.row_prims = covered

    def primitive_status(self, name: str) -> str | None:
        """None when covered, else why not."""
        if name in self.row_prims:
            return None
        if self.prims[name].nondiff:
            return None   # declared non-differentiable where it is defined
        return "no spec row named after it (or listing it in covers)"

    def name_status(self, name: str) -> str | None:
        if name in self.covered_names or name in self.declared:
            return None
        obj = resolve(name)
        if obj is None:
            return "polygrad.numpy has no such name"
        if id(obj) in self.covered_objects:
            return None   # an alias of a covered function
        prim = getattr(obj, "primitive", None)
        if prim is not None and getattr(prim, "nondiff", False):
            return None   # the public function of a primitive declared non-differentiable
        return "no spec row and not declared non-differentiable"

    def missing_primitives(self) -> dict[str, str]:
        out = {n: self.primitive_status(n) for n in sorted(self.prims)}
        return {n: why for n, why in out.items() if why}

    def missing_names(self, names: list[str]) -> dict[str, str]:
        out = {n: self.name_status(n) for n in names}
        return {n: why for n, why in out.items() if why}

    def unknown_primitives(self) -> dict[str, list[str]]:
        """Rows that name primitives which are not registered (typos)."""
        out: dict[str, list[str]] = {}
        for spec in self.specs.values():
            bad = [p for p in spec.primitives if p not in self.prims]
            if bad:
                out[spec.name] = bad
        return out
