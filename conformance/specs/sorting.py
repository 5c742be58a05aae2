"""Spec rows of sorting, searching and set functions: sort (differentiable), unique_values
(differentiable, tied groups share the derivative), and the integer- or boolean-valued ones
(argsort, argmax, argmin, nonzero, count_nonzero, searchsorted, unique_*, isin, all, any) with
forward values only; NumPy's partition.

Imports polygrad.numpy, NumPy (references) and the suite's spec types.
"""

from __future__ import annotations

import numpy

import polygrad.numpy as np
from polygrad_conformance.specs._helpers import A, Case, Spec, nondiff_row

__all__ = ["specs"]


def _sort_ref(x, axis=-1, descending=False, stable=True):
    if x.ndim == 0:
        return x
    out = numpy.sort(x, axis=axis, kind="stable")
    return numpy.flip(out, axis=axis) if descending else out


def _argsort_ref(x, axis=-1, descending=False, stable=True):
    # stable in both directions: equal elements keep their order
    return numpy.argsort(-x if descending else x, axis=axis, kind="stable")


def _unique_groups(x, v):
    values, inverse, counts = numpy.unique(x, return_inverse=True, return_counts=True)
    return ((v / counts)[inverse.reshape(-1)].reshape(x.shape),)


def _searchsorted(x1, x2, **kw):
    return np.searchsorted(np.sort(x1), x2, **kw)


def _searchsorted_ref(x1, x2, side="left"):
    return numpy.searchsorted(numpy.sort(x1), x2, side=side)


def _count_nonzero_ref(x, axis=None, keepdims=False):
    out = numpy.count_nonzero(x, axis=axis, keepdims=keepdims)
    return numpy.asarray(out)


def _reduction_cases(domain) -> list:
    return [Case(A((3, 4), domain)), Case(A((3, 4), domain), axis=1),
            Case(A((3, 4), domain), axis=-2, keepdims=True), Case(A((), domain))]


def specs() -> list:
    dup = [[1.5, -0.5, 1.5, 2.0], [2.0, 0.25, 1.5, -0.5]]
    flags = [Case(A((3, 4), "bool")), Case(A((3, 4), "bool"), axis=0),
             Case(A((3, 4), "bool"), axis=(0, 1), keepdims=True), Case(A((0,), "bool"))]
    return [
        Spec("sort", np.sort, _sort_ref, [
            Case(A((6,), "distinct")), Case(A((3, 4), "distinct"), axis=0),
            Case(A((3, 4), "distinct"), descending=True), Case(A((), "distinct")),
            Case(A((0,), "distinct"))], category="sorting"),
        Spec("unique_values", np.unique_values, numpy.unique, [
            Case(A((5,), "distinct")), Case(A((2, 3), "distinct")),
            Case(A((2, 4), values=dup), id="ties", tangent="by_value",
                 vjp_ref=_unique_groups)], category="sets"),
        Spec("partition", lambda x, kth, **kw: np.partition(x, kth, **kw),
             lambda x, kth, **kw: numpy.sort(numpy.partition(x, kth, **kw),
                                             axis=kw.get("axis", -1)), [
                 Case(A((6,), "distinct"), kth=2), Case(A((3, 4), "distinct"), kth=1, axis=0)],
             primitives=("sort",), category="sorting"),
        nondiff_row("argsort", np.argsort, _argsort_ref, [
            Case(A((6,), "distinct")), Case(A((3, 4), "distinct"), axis=0),
            Case(A((5,), values=[2.0, 1.0, 2.0, 1.0, 3.0]), id="ties"),
            Case(A((5,), values=[2.0, 1.0, 2.0, 1.0, 3.0]), descending=True, id="ties,desc")],
            category="sorting"),
        nondiff_row("argmax", np.argmax, numpy.argmax, _reduction_cases("distinct") + [
            Case(A((4,), values=[1.0, 3.0, 3.0, 0.0]), id="ties")], category="searching"),
        nondiff_row("argmin", np.argmin, numpy.argmin, _reduction_cases("distinct") + [
            Case(A((4,), values=[1.0, -3.0, -3.0, 0.0]), id="ties")], category="searching"),
        nondiff_row("nonzero", np.nonzero, numpy.nonzero, [
            Case(A((2, 4), values=[[1.0, 0.0, 3.0, 0.0], [0.0, 0.0, 2.0, -1.0]]), id="2x4"),
            Case(A((5,), values=[0.0, 1.0, 0.0, 2.0, 0.0]), id="5")], category="searching"),
        nondiff_row("count_nonzero", np.count_nonzero, _count_nonzero_ref, [
            Case(A((2, 4), values=[[1.0, 0.0, 3.0, 0.0], [0.0, 0.0, 2.0, -1.0]]), id="2x4"),
            Case(A((2, 4), values=[[1.0, 0.0, 3.0, 0.0], [0.0, 0.0, 2.0, -1.0]]), axis=1,
                 id="2x4,axis=1"),
            Case(A((2, 4), values=[[1.0, 0.0, 3.0, 0.0], [0.0, 0.0, 2.0, -1.0]]), axis=0,
                 keepdims=True, id="2x4,axis=0,keepdims")], category="searching"),
        nondiff_row("searchsorted", _searchsorted, _searchsorted_ref, [
            Case(A((6,), "distinct"), A((4,), "distinct")),
            Case(A((6,), "int"), A((2, 3), "int"), side="right"),
            Case(A((5,), "distinct"), A((), dtype="py", values=0.3))], category="searching"),
        nondiff_row("unique_all", lambda x: tuple(np.unique_all(x)),
                    lambda x: tuple(numpy.unique_all(x)), [
                        Case(A((2, 4), values=dup), id="ties"), Case(A((5,), "distinct"))],
                    category="sets"),
        nondiff_row("unique_counts", lambda x: tuple(np.unique_counts(x)),
                    lambda x: tuple(numpy.unique_counts(x)), [
                        Case(A((2, 4), values=dup), id="ties"), Case(A((0,)))],
                    category="sets"),
        nondiff_row("unique_inverse", lambda x: tuple(np.unique_inverse(x)),
                    lambda x: tuple(numpy.unique_inverse(x)), [
                        Case(A((2, 4), values=dup), id="ties"), Case(A((3,), "distinct"))],
                    category="sets"),
        nondiff_row("isin", np.isin, numpy.isin, [
            Case(A((2, 4), "int"), A((5,), "int")),
            Case(A((6,), "int"), A((3,), "int"), invert=True)], dtypes=("int",),
            category="sets"),
        nondiff_row("all", np.all, numpy.all, flags, dtypes=("bool",), category="utility"),
        nondiff_row("any", np.any, numpy.any, flags, dtypes=("bool",), category="utility"),
    ]
