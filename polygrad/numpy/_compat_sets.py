"""NumPy's set and ordering functions: unique, intersect1d, union1d, setdiff1d, setxor1d,
lexsort, argpartition, sort_complex.

Which elements are kept is decided by NumPy on a host copy of the values (so the results are
NumPy's, NaN handling included); the kept values are then taken from the argument, so they
stay on its backend and are differentiable. Indices and counts are int64 arrays on that
backend. Imports the core, the namespace's category modules and the compat helpers.
"""

from __future__ import annotations

from typing import Any

from . import _elementwise as ew
from . import _manipulation as mp
from ._compat_helpers import _indices
from ._data_types import astype
from ._helpers import Array, as_array
from ._indexing import take, take_along_axis
from ._sorting import argsort

__all__ = ["unique", "intersect1d", "union1d", "setdiff1d", "setxor1d", "lexsort",
           "argpartition", "sort_complex"]


def _host(x: Array) -> Any:
    # function-level: the package itself: complete only after every section module
    from . import stop_gradient

    return stop_gradient(x).asnumpy()


def _flat(a: Any) -> Array:
    return mp.reshape(as_array(a), (-1,))


def unique(ar: Any, return_index: bool = False, return_inverse: bool = False,
           return_counts: bool = False, axis: Any = None, *, equal_nan: bool = True,
           sorted: bool = True) -> Any:  # noqa: A002
    """The sorted unique elements (or sub-arrays along ``axis``) of ``ar``, optionally with
    the first index of each, the inverse indices and the counts (NumPy's ``unique``)."""
    # function-level: numpy is loaded on first use, not at import time
    import numpy

    a = as_array(ar)
    _, index, inverse, counts = numpy.unique(_host(a), True, True, True, axis=axis,
                                             equal_nan=equal_nan)
    src = _flat(a) if axis is None else a
    out = [take(src, _indices(index.tolist(), a), axis=0 if axis is None else axis)]
    if return_index:
        out.append(_indices(index.tolist(), a))
    if return_inverse:
        out.append(mp.reshape(_indices(inverse.reshape(-1).tolist(), a), inverse.shape))
    if return_counts:
        out.append(_indices(counts.tolist(), a))
    return out[0] if len(out) == 1 else tuple(out)


def intersect1d(ar1: Any, ar2: Any, assume_unique: bool = False,
                return_indices: bool = False) -> Any:
    """The sorted values present in both arrays (with their first indices in each)."""
    # function-level: numpy is loaded on first use, not at import time
    import numpy

    a1, a2 = _flat(ar1), _flat(ar2)
    values, i1, i2 = numpy.intersect1d(_host(a1), _host(a2), assume_unique, True)
    out = take(a1, _indices(i1.tolist(), a1), axis=0)
    if return_indices:
        return out, _indices(i1.tolist(), a1), _indices(i2.tolist(), a1)
    return out


def union1d(ar1: Any, ar2: Any) -> Any:
    """The sorted values present in either array."""
    a1, a2 = _flat(ar1), _flat(ar2)
    return unique(mp.concat([a1, astype(a2, a1.dtype) if a2.dtype != a1.dtype else a2]))


def _pick(both: Array, keep: Any) -> Array:
    return take(both, _indices(keep.tolist(), both), axis=0)


def setdiff1d(ar1: Any, ar2: Any, assume_unique: bool = False) -> Any:
    """The values of ``ar1`` not in ``ar2`` (sorted and unique unless ``assume_unique``)."""
    # function-level: numpy is loaded on first use, not at import time
    import numpy

    a1, a2 = _flat(ar1), _flat(ar2)
    h1 = _host(a1)
    if assume_unique:
        positions = numpy.nonzero(~numpy.isin(h1, _host(a2), assume_unique=True))[0]
    else:
        _, first = numpy.unique(h1, return_index=True)
        positions = first[~numpy.isin(h1[first], _host(a2))]
    return _pick(a1, positions)


def setxor1d(ar1: Any, ar2: Any, assume_unique: bool = False) -> Any:
    """The sorted values in exactly one of the two arrays."""
    # function-level: numpy is loaded on first use, not at import time
    import numpy

    a1, a2 = _flat(ar1), _flat(ar2)
    both = mp.concat([a1, astype(a2, a1.dtype) if a2.dtype != a1.dtype else a2])
    h1, h2 = _host(a1), _host(a2)
    if assume_unique:
        p1, p2 = numpy.arange(h1.size), numpy.arange(h2.size)
    else:
        p1, p2 = numpy.unique(h1, return_index=True)[1], numpy.unique(h2, return_index=True)[1]
    source = numpy.concatenate([p1, p2 + h1.size])
    values = _host(both)[source]
    order = numpy.argsort(values, kind="stable")
    values, source = values[order], source[order]
    single = numpy.ones(values.size, dtype=bool)
    if values.size > 1:
        same = values[1:] == values[:-1]
        single[1:] &= ~same
        single[:-1] &= ~same
    return _pick(both, source[single])


def lexsort(keys: Any, axis: int = -1) -> Any:
    """The indirect stable sort by several keys, the last key primary."""
    if isinstance(keys, Array):
        keys = [keys[i] for i in range(keys.shape[0])]
    keys = [as_array(k) for k in keys]
    if not keys:
        raise TypeError("polygrad.numpy.lexsort: need sequence of keys with len > 0")
    order = argsort(keys[0], axis=axis, stable=True)
    for key in keys[1:]:
        moved = take_along_axis(key, order, axis=axis)
        order = take_along_axis(order, argsort(moved, axis=axis, stable=True), axis=axis)
    return order


def argpartition(a: Any, kth: Any, axis: Any = -1, kind: str = "introselect",
                 order: Any = None) -> Any:
    """Indices that partition ``a`` around ``kth``: the full stable argsort, which satisfies
    the contract for every ``kth``."""
    a = as_array(a)
    if axis is None:
        a, axis = _flat(a), 0
    n = a.shape[axis]
    for k in (kth,) if isinstance(kth, int) else kth:
        if not -n <= k < n:
            raise ValueError(f"polygrad.numpy.argpartition: kth {k} is out of bounds for an "
                             f"axis of length {n}")
    return argsort(a, axis=axis, stable=True)


def sort_complex(a: Any) -> Any:
    """The elements sorted by real part, then imaginary part, as a complex array."""
    a = as_array(a)
    if a.dtype.kind != "c":
        a = astype(a, "complex64" if a.dtype in ("float32", "int8", "uint8", "int16",
                                                  "uint16") else "complex128")
    order = lexsort([ew.imag(a), ew.real(a)], axis=-1)
    return take_along_axis(a, order, axis=-1)
