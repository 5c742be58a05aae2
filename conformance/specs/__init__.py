"""The shipped spec table, one module per section of the standard (plus NumPy's conveniences).

Imports the table modules.
"""

from __future__ import annotations

import importlib

__all__ = ["builtin_specs", "declared_nondiff", "MODULES"]

#: the table's modules, in report order
MODULES = ("elementwise", "statistics", "manipulation", "indexing", "linalg", "fft", "sorting",
           "special", "numpy_more", "scipy_linalg")


def builtin_specs() -> list:
    """Every shipped row (a fresh list; rows are built on each call)."""
    rows = []
    for name in MODULES:
        module = importlib.import_module(f"polygrad_conformance.specs.{name}")
        for spec in module.specs():
            if spec.category == "other":
                spec.category = name
            rows.append(spec)
    return rows


def declared_nondiff() -> list:
    """Public names that need no derivative check, with reasons (see ``declared.py``)."""
    from polygrad_conformance.specs.declared import declared

    return declared()
