"""Sorting functions of the Array API standard: sort (differentiable) and argsort (not).

``sort`` moves each element to its sorted position, so its derivative moves tangents the same
way (a gather by the sorting permutation) and cotangents back (the scatter that undoes it).
Imports the core and the namespace helpers.
"""

from __future__ import annotations

from .._backend import use_backend
from .._batching import along_axis_rule
from .._primitive import defbatch, defjvp, defvjp, nondiff, primitive
from ._helpers import as_array, bind

__all__ = ["argsort", "sort"]


def _check(x, axis: int, fname: str) -> int:
    """``axis`` made non-negative (a 0-d array sorts along its single implicit axis)."""
    if x.dtype.kind == "c":
        raise TypeError(f"polygrad.numpy.{fname}: complex arrays have no order; sort the real "
                        f"part or the absolute value instead")
    ndim = max(x.ndim, 1)
    if not -ndim <= axis < ndim:
        raise ValueError(f"polygrad.numpy.{fname}: axis {axis} is out of range for an array "
                         f"with {x.ndim} dimension(s)")
    return axis % ndim


_argsort = nondiff(primitive("argsort", lambda xp: lambda x, axis, descending, stable:
                             xp.argsort(x, axis=axis, descending=descending, stable=stable)))
defbatch(_argsort, along_axis_rule(_argsort))   # pg.vmap


def _flat_if_none(x, axis, order, fname: str):
    """NumPy's ``axis=None`` (the flattened array) and its ``order`` (structured arrays only)."""
    if order is not None:
        raise TypeError(f"polygrad.numpy.{fname}: order= sorts by fields of a structured array; "
                        f"polygrad has no structured dtypes")
    if axis is None:
        # function-level: cycle: _manipulation -> _indexing -> _sorting -> _manipulation
        from ._manipulation import reshape

        return reshape(x, (-1,)), -1
    return x, axis


def argsort(a, axis: int | None = -1, kind: str | None = None, order=None, *,
            descending: bool = False, stable: bool = True):
    """Indices that sort ``a`` along ``axis`` (flattened when None; not differentiable: integer
    output). NumPy's signature with the standard's ``descending``.

    With ``stable=True`` (the default) equal elements keep their relative order, also when
    ``descending``; every ``kind`` gives this stable order.

    Examples
    --------
    >>> import polygrad.numpy as np
    >>> np.argsort(np.asarray([3.0, 1.0, 2.0])).tolist()
    [1, 2, 0]
    """
    x, axis = _flat_if_none(as_array(a), axis, order, "argsort")
    axis = _check(x, axis, "argsort")
    if x.ndim == 0:
        # function-level: cycle: _creation imports this module (indirectly)
        from ._creation import zeros_like

        return zeros_like(x, dtype="int64")
    return bind(_argsort, (x,), {"axis": axis, "descending": descending, "stable": stable})


def _along_axis_key(idx, axis: int) -> tuple:
    """The index key that picks ``[..., idx[i, ..., j], ...]`` along ``axis``, others matched."""
    # function-level: cycle: _creation imports this module (indirectly)
    from ._creation import arange
    # function-level: cycle: _indexing -> _sorting -> _indexing
    from ._indexing import normalize_key
    # function-level: cycle: _manipulation -> _indexing -> _sorting -> _manipulation
    from ._manipulation import reshape

    shape = idx.shape
    key = []
    with use_backend(idx._backend):
        for d, n in enumerate(shape):
            if d == axis:
                key.append(idx)
            else:
                key.append(reshape(arange(n), tuple(n if e == d else 1 for e in range(len(shape)))))
    return normalize_key(tuple(key), idx._backend)


def _permutation(x, axis, descending, stable):
    return _along_axis_key(argsort(x, axis=axis, descending=descending, stable=stable), axis)


_sort = primitive("sort", lambda xp: lambda x, axis, descending, stable:
                  xp.sort(x, axis=axis, descending=descending, stable=stable))
defbatch(_sort, along_axis_rule(_sort))   # pg.vmap
# sort(x) = x[p] for the sorting permutation p, which is locally constant: the JVP gathers the
# tangent by p and the VJP scatters the cotangent back (both linear, so they differentiate again)
defvjp(_sort, lambda g, ans, x, axis, descending, stable: _scatter(
    g, x.shape, _permutation(x, axis, descending, stable)))
defjvp(_sort, lambda t, ans, x, axis, descending, stable: _gather(
    t, _permutation(x, axis, descending, stable)))


def _gather(t, key):
    # function-level: cycle: _indexing -> _sorting -> _indexing
    from ._indexing import getitem

    return getitem(t, key)


def _scatter(g, shape, key):
    # function-level: cycle: _indexing -> _sorting -> _indexing
    from ._indexing import scatter_add

    return scatter_add(g, shape=shape, key=key)


def sort(a, axis: int | None = -1, kind: str | None = None, order=None, *,
         descending: bool = False, stable: bool = True):
    """``a`` sorted along ``axis`` (flattened when None); differentiable (each element's
    derivative follows it). NumPy's signature with the standard's ``descending``; every
    ``kind`` sorts stably.

    At ties the derivative goes to the element that the stable order puts at each position.

    Examples
    --------
    >>> import polygrad as pg, polygrad.numpy as np
    >>> x = np.asarray([3.0, 1.0, 2.0])
    >>> np.sort(x, descending=True).tolist()
    [3.0, 2.0, 1.0]
    >>> pg.grad(lambda x: np.sort(x)[0])(x).tolist()
    [0.0, 1.0, 0.0]
    """
    x, axis = _flat_if_none(as_array(a), axis, order, "sort")
    axis = _check(x, axis, "sort")
    if x.ndim == 0:
        # function-level: cycle: _manipulation -> _indexing -> _sorting -> _manipulation
        from ._manipulation import reshape

        return reshape(x, ())
    return bind(_sort, (x,), {"axis": axis, "descending": descending, "stable": stable})


sort.primitive = _sort
argsort.primitive = _argsort
