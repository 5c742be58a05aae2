"""Spec rows of indexing (``x[key]``, ``x[key] = v``, the scatter-add behind the VJP of integer
indexing, take, take_along_axis), data types (astype, stop_gradient) and the creation functions
that HIPS autograd differentiates (full, linspace, array).

Imports polygrad, polygrad.numpy, NumPy (references) and the suite's spec types.
"""

from __future__ import annotations

import numpy

import polygrad as pg
import polygrad.numpy as np
from polygrad_conformance.specs._helpers import A, Case, Spec

__all__ = ["specs"]

_FC = ("float", "complex")

#: keys into a (3, 4) array: basic (negative step, None, Ellipsis), integer arrays (repeated,
#: 2-D, beside a slice or an int) and a boolean mask
_KEYS = {
    "slices": (slice(1, None), slice(None, None, -2)),
    "ellipsis-newaxis": (Ellipsis, None, 0),
    "negative-int": -1,
    "repeated-ints": ([0, 2, 0],),
    "2d-ints": ([[0, 1], [2, 0]], slice(None)),
    "ints-after-slice": (slice(None), [3, 0, 3]),
    "int-and-ints": (1, [0, 2, 2]),
    "mask": ([[True, False, True, False], [False, False, True, True],
              [True, True, False, False]],),
    "empty-slice": (slice(2, 2),),
    "rows": ([2, 0],),
}


def _key(name):
    return _KEYS[name]


def _np_key(key):
    if isinstance(key, tuple):
        return tuple(numpy.asarray(k) if isinstance(k, list) else k for k in key)
    return key


def _getitem(x, key):
    return x[_key(key)]


def _getitem_ref(x, key):
    return x[_np_key(_key(key))]


def _setitem(x, v, key):
    y = x * 1.0
    y[_key(key)] = v
    return y


def _setitem_ref(x, v, key):
    y = x.copy()
    y[_np_key(_key(key))] = v
    return y


def _scatter_add(v, key):
    """The transpose of ``x[key]`` applied to ``v``: the scatter-add primitive."""
    zeros = np.zeros((3, 4), dtype=v.dtype)
    return pg.vjp(lambda y: y[_key(key)], zeros)[1](v)[0]


def _scatter_add_ref(v, key):
    out = numpy.zeros((3, 4), dtype=v.dtype)
    numpy.add.at(out, _np_key(_key(key)), v)
    return out


def _take_cases() -> list:
    return [Case(A((3, 4)), A((3,), values=[2, 0, 2], dtype="int64"), axis=1),
            Case(A((5,)), A((2, 2), values=[[4, 0], [1, 1]], dtype="int64")),
            Case(A((3, 4)), A((2,), values=[-1, 0], dtype="int64"), axis=0)]


def _take_along_cases() -> list:
    idx = [[0, 3, 3], [1, 0, 2], [2, 2, 1]]
    return [Case(A((3, 4)), A((3, 3), values=idx, dtype="int64"), axis=1),
            Case(A((3, 4)), A((2, 4), values=[[0, 2, 1, 0], [2, 2, 0, 1]], dtype="int64"),
                 axis=0)]


def _astype_wide(x):
    """To double precision where the backend has it (else a copy in the same dtype)."""
    if not pg.get_backend().supports_float64:
        return np.astype(x, x.dtype)
    wide = {"float32": np.float64, "float64": np.float64, "complex64": np.complex128,
            "complex128": np.complex128}[x.dtype.name]
    return np.astype(x, wide)


def _astype_complex(x):
    return np.astype(x, np.complex64 if x.dtype == np.float32 else np.complex128)


def _indexing() -> list:
    cases = [Case(A((3, 4)), key=k, id=k) for k in _KEYS]
    set_cases = [
        Case(A((3, 4)), A((2,)), key="slices", id="slices"),
        Case(A((3, 4)), A(()), key="mask", id="mask,scalar"),
        Case(A((3, 4)), A((2, 4)), key="rows", id="rows"),
        Case(A((3, 4)), A((4,)), key="negative-int", id="negative-int"),
    ]
    scatter = [Case(A((3, 4)), key="repeated-ints", id="repeated-ints"),
               Case(A((2, 2, 4)), key="2d-ints", id="2d-ints"),
               Case(A((3, 3)), key="ints-after-slice", id="ints-after-slice"),
               Case(A((3,)), key="int-and-ints", id="int-and-ints")]
    return [
        Spec("getitem", _getitem, _getitem_ref, cases, dtypes=_FC, category="indexing"),
        Spec("setitem", _setitem, _setitem_ref, set_cases, dtypes=_FC, category="indexing",
             primitives=("setitem",)),
        Spec("scatter_add", _scatter_add, _scatter_add_ref, scatter, dtypes=_FC,
             category="indexing"),
        Spec("take", lambda x, i, **kw: np.take(x, i, **kw),
             lambda x, i, **kw: numpy.take(x, i, **kw), _take_cases(), dtypes=_FC,
             primitives=("getitem",), category="indexing"),
        Spec("take_along_axis", lambda x, i, **kw: np.take_along_axis(x, i, **kw),
             lambda x, i, **kw: numpy.take_along_axis(x, i, **kw), _take_along_cases(),
             dtypes=_FC, primitives=("getitem",), category="indexing"),
    ]


def _data_types() -> list:
    frac = [Case(A((5,), "fractional")), Case(A((2, 3), "fractional")), Case(A(()))]
    return [
        Spec("astype", _astype_wide, lambda x: x, [Case(A((5,))), Case(A((2, 3))), Case(A(()))],
             dtypes=_FC, keep_precision=False, category="data types"),
        Spec("astype.complex", _astype_complex, lambda x: x.astype(complex),
             [Case(A((4,))), Case(A((2, 2)))], primitives=("astype",), category="data types"),
        Spec("astype_discrete", lambda x: np.astype(x, np.int64),
             lambda x: x.astype(numpy.int64), frac, nondiff=True, category="data types"),
        Spec("stop_gradient", np.stop_gradient, lambda x: x,
             [Case(A((4,))), Case(A(()))], dtypes=_FC, nondiff=True, category="data types"),
        # polygrad's own type promotion: an operand of another dtype is cast (a differentiable
        # astype) before the kernel, and the derivative comes back in the input's dtype
        Spec("promotion", lambda x, k: x * k + k, lambda x, k: x * k + k, [
            Case(A((3,)), A((3,), dtype="int64")), Case(A((2, 3)), A((3,), dtype="float64")),
            Case(A(()), A((2,), dtype="int8")), Case(A((3,)), A((3,), dtype="bool"))],
            dtypes=_FC, keep_precision=False, primitives=("multiply", "add", "astype"),
            category="data types"),
    ]


def _creation() -> list:
    """HIPS autograd differentiates these with respect to their values."""
    return [
        Spec("full", lambda c, **kw: np.full((2, 3), c, **kw),
             lambda c, **kw: numpy.full((2, 3), c, **kw), [Case(A(()))], dtypes=_FC,
             category="creation"),
        Spec("linspace", lambda a, b, **kw: np.linspace(a, b, 5, **kw),
             lambda a, b, **kw: numpy.linspace(a, b, 5, **kw), [
                 Case(A(()), A(())), Case(A(()), A(()), endpoint=False),
                 Case(A((2,)), A((2,)))], category="creation"),
        Spec("array", lambda a, b: np.array([a, b * 2.0]),
             lambda a, b: numpy.array([a, b * 2.0]), [Case(A(()), A(())), Case(A((3,)), A((3,)))],
             dtypes=_FC, category="creation"),
        Spec("asarray.nested", lambda a, b: np.asarray([[a, b], (b * a, 1.0)]),
             lambda a, b: numpy.asarray([[a, b], (b * a, 1.0)]),
             [Case(A(()), A(()))], dtypes=_FC, primitives=("concat",),
             category="creation"),
        Spec("asarray", lambda x: np.asarray(x), lambda x: x, [Case(A((3,))), Case(A(()))],
             dtypes=_FC, category="creation"),
    ]


def specs() -> list:
    return _indexing() + _data_types() + _creation()
