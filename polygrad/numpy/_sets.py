"""Set functions of the Array API standard: unique_all, unique_counts, unique_inverse,
unique_values, isin.

Indices, inverse indices, counts and ``isin`` are integer or boolean and carry no derivative.
The unique ``values`` are differentiable: each is the common value of a group of equal elements,
and the group shares its derivative evenly (as tied extrema do in ``max``). Imports the core and
the namespace helpers.
"""

from __future__ import annotations

from typing import NamedTuple

from .._batching import isin_rule, value_dependent_rule
from .._array import Array
from .._backend import use_backend
from .._primitive import defbatch, defjvp, defvjp, nondiff, primitive
from ._helpers import as_array, bind
from ._manipulation import reshape
from ._data_types import astype
from ._indexing import take
from ._indexing import normalize_key, scatter_add

__all__ = ["isin", "unique_all", "unique_counts", "unique_inverse", "unique_values"]


class UniqueAllResult(NamedTuple):
    values: Array
    indices: Array
    inverse_indices: Array
    counts: Array


class UniqueCountsResult(NamedTuple):
    values: Array
    counts: Array


class UniqueInverseResult(NamedTuple):
    values: Array
    inverse_indices: Array


def _unique_all_composed(xp, x):
    """unique_all from unique_inverse and unique_counts, for namespaces without unique_all:
    a group's first index is where the group starts in a stable sort of the inverse indices."""
    values, inverse = xp.unique_inverse(x)
    counts = xp.unique_counts(x)[1]
    order = xp.argsort(xp.reshape(inverse, (-1,)), stable=True)
    starts = xp.cumulative_sum(counts, include_initial=True)[:-1]
    return values, xp.take(order, starts), inverse, counts


def _unique_all_kernel(xp):
    def unique_all(x):
        try:
            return tuple(xp.unique_all(x))
        except NotImplementedError:   # e.g. array-api-compat's torch namespace
            return _unique_all_composed(xp, x)
    return unique_all


_unique_all = nondiff(primitive("unique_all", _unique_all_kernel, multiple_results=True))
defbatch(_unique_all, value_dependent_rule("unique_all"))   # pg.vmap
_unique_counts = nondiff(primitive("unique_counts", lambda xp: lambda x: tuple(
    xp.unique_counts(x)), multiple_results=True))
defbatch(_unique_counts, value_dependent_rule("unique_counts"))   # pg.vmap
_unique_inverse = nondiff(primitive("unique_inverse", lambda xp: lambda x: tuple(
    xp.unique_inverse(x)), multiple_results=True))
defbatch(_unique_inverse, value_dependent_rule("unique_inverse"))   # pg.vmap


def _groups(x):
    """(inverse indices, flattened; counts) of ``x``'s groups of equal elements."""

    _, _, inverse, counts = bind(_unique_all, (x,), {})
    return reshape(inverse, (-1,)), counts


def _unique_values_vjp(g, ans, x):
    # each element of a group gets g_group / count_group

    inverse, counts = _groups(x)
    return reshape(take(g / astype(counts, g.dtype), inverse), x.shape)


def _unique_values_jvp(t, ans, x):
    # a group's tangent is the mean of its elements' tangents (the transpose of the VJP)

    inverse, counts = _groups(x)
    key = normalize_key((inverse,), inverse._backend)
    total = scatter_add(reshape(t, (-1,)), shape=ans.shape, key=key)
    return total / astype(counts, t.dtype)


_unique_values = primitive("unique_values")
defbatch(_unique_values, value_dependent_rule("unique_values"))   # pg.vmap
defvjp(_unique_values, _unique_values_vjp)
defjvp(_unique_values, _unique_values_jvp)


def _traced(x: Array) -> bool:
    trace = x._trace
    return trace is not None and trace.active


def unique_values(x):
    """The sorted unique elements of ``x`` (flattened); differentiable.

    The derivative of a value is shared evenly by the elements equal to it. NaNs are distinct.

    Examples
    --------
    >>> import polygrad as pg, polygrad.numpy as np
    >>> x = np.asarray([2.0, 1.0, 2.0])
    >>> np.unique_values(x).tolist()
    [1.0, 2.0]
    >>> pg.grad(lambda x: np.sum(np.unique_values(x) * np.asarray([1.0, 10.0])))(x).tolist()
    [5.0, 1.0, 5.0]
    """
    return bind(_unique_values, (as_array(x),), {})


def _values(x: Array, values: Array) -> Array:
    """The differentiable unique values when ``x`` is being differentiated."""
    return unique_values(x) if _traced(x) else values


def unique_all(x) -> UniqueAllResult:
    """Unique elements of ``x`` with the index of each one's first occurrence, the inverse
    indices (shaped like ``x``) and the counts; only ``values`` is differentiable."""
    x = as_array(x)
    values, indices, inverse, counts = bind(_unique_all, (x,), {})
    return UniqueAllResult(_values(x, values), indices, inverse, counts)


def unique_counts(x) -> UniqueCountsResult:
    """Unique elements of ``x`` and how often each occurs; only ``values`` is differentiable."""
    x = as_array(x)
    values, counts = bind(_unique_counts, (x,), {})
    return UniqueCountsResult(_values(x, values), counts)


def unique_inverse(x) -> UniqueInverseResult:
    """Unique elements of ``x`` and the inverse indices (shaped like ``x``) that rebuild it:
    ``values[inverse_indices]`` equals ``x``. Only ``values`` is differentiable."""
    x = as_array(x)
    values, inverse = bind(_unique_inverse, (x,), {})
    return UniqueInverseResult(_values(x, values), inverse)


def _isin_kernel(xp):
    def isin(x1, x2, invert):
        # invert by hand: array-api-strict 2.6 ignores its invert keyword
        out = xp.isin(x1, x2)
        return xp.logical_not(out) if invert else out
    return isin


_isin = nondiff(primitive("isin", _isin_kernel))
defbatch(_isin, isin_rule(_isin))   # pg.vmap


def isin(element, test_elements, assume_unique: bool = False, invert: bool = False):
    """Whether each of ``element`` is in ``test_elements`` (not differentiable: boolean
    output); NumPy's signature (``assume_unique``, a speed hint, has no effect).

    Either argument may be a Python int, which joins the other argument's backend.

    Examples
    --------
    >>> import polygrad.numpy as np
    >>> np.isin(np.asarray([1, 2, 3]), np.asarray([3, 1])).tolist()
    [True, False, True]
    """
    x1, x2 = element, test_elements
    if type(x1) is not Array and type(x2) is Array:
        with use_backend(x2._backend):
            x1 = as_array(x1)
    x1 = as_array(x1)
    if type(x2) is not Array:
        with use_backend(x1._backend):
            x2 = as_array(x2)
    return bind(_isin, (x1, x2), {"invert": invert})


unique_all.primitive = _unique_all
unique_counts.primitive = _unique_counts
unique_inverse.primitive = _unique_inverse
unique_values.primitive = _unique_values
isin.primitive = _isin
