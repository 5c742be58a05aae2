"""Builders shared by the spec tables: standard shape grids for unary and binary functions.

Imports the suite's spec types only.
"""

from __future__ import annotations

from collections.abc import Callable

from polygrad_conformance._spec import Arg, Case, Spec

__all__ = ["A", "unary_cases", "binary_cases", "unary_row", "binary_row", "nondiff_row", "Case",
           "Spec", "Arg"]

A = Arg


def unary_cases(domain="real", *, extra: tuple = (), size0: bool = True) -> list:
    """0-d, a matrix, (optionally) a size-0 array, and in the full grid a vector."""
    cases = [Case(A((), domain)), Case(A((2, 3), domain)), Case(A((5,), domain), full=True)]
    if size0:
        cases.append(Case(A((0,), domain)))
    return cases + list(extra)


def binary_cases(d1="real", d2="real", *, extra: tuple = (), scalar: bool = True) -> list:
    """0-d, broadcasting pairs (both ways), size 0, a Python scalar operand, and in the full grid
    equal shapes and a 0-d operand beside a matrix."""
    cases = [Case(A((), d1), A((), d2)), Case(A((4,), d1), A((4,), d2), full=True),
             Case(A((2, 3), d1), A((3,), d2)), Case(A((2, 1), d1), A((1, 3), d2)),
             Case(A((), d1), A((2, 2), d2), full=True), Case(A((0, 3), d1), A((3,), d2))]
    if scalar:
        cases.append(Case(A((3,), d1), A((), d2, dtype="py")))
    return cases + list(extra)


def unary_row(name: str, fn: Callable, ref: Callable, domain="real", *, complex_: bool = True,
              category: str = "elementwise", extra: tuple = (), **kw) -> Spec:
    """A differentiable unary elementwise primitive row (``name`` is the primitive's name)."""
    dtypes = ("float", "complex") if complex_ else ("float",)
    return Spec(name, fn, ref, unary_cases(domain, extra=extra), dtypes=dtypes,
                category=category, **kw)


def binary_row(name: str, fn: Callable, ref: Callable, d1="real", d2="real", *,
               complex_: bool = True, category: str = "elementwise", extra: tuple = (),
               scalar: bool = True, **kw) -> Spec:
    """A differentiable binary elementwise (broadcasting) primitive row."""
    dtypes = ("float", "complex") if complex_ else ("float",)
    return Spec(name, fn, ref, binary_cases(d1, d2, extra=extra, scalar=scalar), dtypes=dtypes,
                category=category, **kw)


def nondiff_row(name: str, fn: Callable, ref: Callable, cases: list, dtypes=("float",),
                category: str = "elementwise", **kw) -> Spec:
    """A forward-only row (a non-differentiable primitive)."""
    return Spec(name, fn, ref, cases, dtypes=dtypes, nondiff=True, category=category, **kw)
