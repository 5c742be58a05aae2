"""``compute`` and ``persist``: asking a lazy backend (dask) for values; eager backends return
their arrays as they are. Imports util, array and reverse (for the error class).
"""

from __future__ import annotations

from typing import Any

from ._array import Array, native_of
from ._reverse import DifferentiationError
from ._util import tree_flatten, tree_unflatten

__all__ = ["compute", "persist"]


def _check_not_traced(x: Array, fn: str) -> None:
    trace = x._trace
    if trace is not None and trace.active:
        raise DifferentiationError(
            f"polygrad.{fn}: the array is being differentiated ({trace.describe()}); its value "
            f"would lose its derivative. Call {fn} on the results of grad / vjp / backward")


def _by_backend(leaves: list, hook: str, fn: str) -> list:
    """``leaves`` with their Arrays replaced by what each backend's ``hook`` made of them,
    one call per backend (so that dask computes shared parts of the graph once)."""
    groups: dict[Any, list[int]] = {}
    for i, leaf in enumerate(leaves):
        if type(leaf) is Array:
            _check_not_traced(leaf, fn)
            groups.setdefault(leaf._backend, []).append(i)
    out = list(leaves)
    for backend, where in groups.items():
        natives = [native_of(leaves[i]) for i in where]
        done = getattr(backend, hook)(natives)
        for i, before, after in zip(where, natives, done):
            if after is not before:
                out[i] = Array(after, backend)
    return out


def compute(*args: Any) -> tuple:
    """Compute lazy arrays in one pass; a tuple with one result per argument (as ``dask.compute``).

    Arguments may be Arrays or nested lists, tuples and dicts of them (other leaves pass through).
    On the dask backend the whole graph runs once, so work the results share (reading the data)
    is done once; each result is an Array on the same backend whose value is now held in memory
    (``asnumpy()``, ``float()`` cost nothing more). On eager backends the arrays come back as
    they are.

    Examples
    --------
    >>> import polygrad as pg, polygrad.numpy as np
    >>> x = np.asarray([1.0, 2.0])
    >>> loss, g = pg.compute(np.sum(x ** 2), pg.grad(lambda x: np.sum(x ** 2))(x))
    >>> float(loss), g.tolist()
    (5.0, [2.0, 4.0])
    """
    leaves, structure = tree_flatten(args)
    return tree_unflatten(structure, _by_backend(leaves, "compute", "compute"))


def persist(x: Array) -> Array:
    """``x`` computed and kept in memory (a dask cluster's workers); ``x`` itself elsewhere."""
    return _by_backend([x], "persist", "Array.persist")[0]
