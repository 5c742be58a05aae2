"""Nested containers of arrays ("pytrees"): flatten, rebuild, map, and ravel into one vector.

A tree is a leaf, or a list, tuple (named tuples included) or dict of trees; ``None`` is a leaf.
``ravel`` is autograd's ``misc.flatten`` and JAX's ``flatten_util.ravel_pytree``: its vector and
its ``unravel`` are built from polygrad functions, so both differentiate.

Imports the core's tree helpers and ``polygrad.numpy``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import numpy as np
from ._array import Array
from ._backend import use_backend
from ._convert import asarray
from ._dtypes import result_type
from ._util import tree_flatten, tree_unflatten

__all__ = ["flatten", "unflatten", "map", "leaves", "ravel", "TreeDef"]


class TreeDef:
    """The structure of a tree without its leaves (what :func:`flatten` returns beside them)."""

    __slots__ = ("_structure", "num_leaves")

    def __init__(self, structure: Any, num_leaves: int) -> None:
        self._structure = structure
        self.num_leaves = num_leaves

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TreeDef) and self._structure == other._structure

    def __hash__(self) -> int:
        return hash(repr(self._structure))

    def __repr__(self) -> str:
        return f"TreeDef({_show(self._structure)}, num_leaves={self.num_leaves})"


def _show(structure: Any) -> str:
    if structure is None:
        return "*"
    if structure[0] is dict:
        _, keys, children = structure
        return "{" + ", ".join(f"{k!r}: {_show(c)}" for k, c in zip(keys, children)) + "}"
    kind, children = structure
    inner = ", ".join(_show(c) for c in children)
    if kind is list:
        return f"[{inner}]"
    if kind is tuple:
        return f"({inner},)" if len(children) == 1 else f"({inner})"
    return f"{kind.__name__}({inner})"


def flatten(tree: Any) -> tuple[list, TreeDef]:
    """Split a tree into its leaves (depth first, dicts in insertion order) and its structure.

    Examples
    --------
    >>> import polygrad.tree as tree
    >>> leaves, treedef = tree.flatten({"w": 1.0, "b": (2.0, 3.0)})
    >>> leaves
    [1.0, 2.0, 3.0]
    >>> tree.unflatten(treedef, [4.0, 5.0, 6.0])
    {'w': 4.0, 'b': (5.0, 6.0)}
    """
    leaves_, structure = tree_flatten(tree)
    return leaves_, TreeDef(structure, len(leaves_))


def unflatten(treedef: TreeDef, leaves: Any) -> Any:
    """Rebuild a tree of ``treedef``'s structure from ``leaves`` (inverse of :func:`flatten`)."""
    if not isinstance(treedef, TreeDef):
        raise TypeError(f"polygrad.tree.unflatten: treedef must be what polygrad.tree.flatten "
                        f"returned, got {type(treedef).__name__}")
    leaves = list(leaves)
    if len(leaves) != treedef.num_leaves:
        raise ValueError(f"polygrad.tree.unflatten: the structure {treedef} has "
                         f"{treedef.num_leaves} leaves, got {len(leaves)}")
    return tree_unflatten(treedef._structure, leaves)


def leaves(tree: Any) -> list:
    """The leaves of a tree, in :func:`flatten`'s order."""
    return tree_flatten(tree)[0]


def map(f: Callable, tree: Any, *rest: Any) -> Any:  # noqa: A001  (JAX's and the issue's name)
    """Apply ``f`` leaf by leaf to one or more trees of the same structure.

    Examples
    --------
    >>> import polygrad.tree as tree
    >>> tree.map(lambda a, b: a + b, {"x": 1, "y": [2, 3]}, {"x": 10, "y": [20, 30]})
    {'x': 11, 'y': [22, 33]}
    """
    first, treedef = flatten(tree)
    others = []
    for i, other in enumerate(rest, 1):
        its_leaves, its_def = flatten(other)
        if its_def != treedef:
            raise ValueError(f"polygrad.tree.map: tree {i} has the structure {its_def}, "
                             f"but tree 0 has {treedef}")
        others.append(its_leaves)
    return unflatten(treedef, [f(*args) for args in zip(first, *others)])


def _as_arrays(leaves_: list) -> list:
    """The leaves as Arrays; Python numbers take the Arrays' backend and promoted dtype (they are
    weak, as in NumPy's promotion), so a float64 tree with a ``0.4`` in it stays float64."""
    given = [leaf for leaf in leaves_ if isinstance(leaf, Array)]
    if not given:
        return [asarray(leaf) for leaf in leaves_]
    dtype = result_type(*(a.dtype for a in given))
    with use_backend(given[0]._backend):
        return [leaf if isinstance(leaf, Array) else
                asarray(leaf, dtype=dtype) if isinstance(leaf, (int, float, complex)) and
                not isinstance(leaf, bool) else asarray(leaf) for leaf in leaves_]


def ravel(tree: Any) -> tuple[Array, Callable[[Any], Any]]:
    """Concatenate every leaf of ``tree``, raveled, into one vector; return it and ``unravel``.

    The vector has the leaves' common dtype (NumPy's promotion); ``unravel(v)`` splits a vector of
    that length back into the tree, each leaf with its own shape and dtype. Both are
    differentiable. Leaves may be Arrays, native arrays or Python numbers; an empty tree gives a
    vector of length 0 in the default float dtype.

    Examples
    --------
    >>> import polygrad.numpy as np, polygrad.tree as tree
    >>> v, unravel = tree.ravel({"w": np.ones((2, 2)), "b": np.zeros(3)})
    >>> v.shape
    (7,)
    >>> unravel(2 * v)["w"].tolist()
    [[2.0, 2.0], [2.0, 2.0]]
    """
    leaves_, treedef = flatten(tree)
    arrays = _as_arrays(leaves_)
    shapes = [a.shape for a in arrays]
    dtypes = [a.dtype for a in arrays]
    sizes = [a.size for a in arrays]
    if not arrays:
        vector = np.zeros(0)
    else:
        dtype = result_type(*dtypes)
        vector = np.concat([np.reshape(np.astype(a, dtype) if a.dtype != dtype else a, (-1,))
                            for a in arrays])
    total = sum(sizes)

    def unravel(v: Any) -> Any:
        v = asarray(v)
        if v.ndim != 1 or v.shape[0] != total:
            raise ValueError(f"polygrad.tree.ravel's unravel: expected a vector of length "
                             f"{total}, got shape {tuple(v.shape)}")
        out, start = [], 0
        for shape, dtype, size in zip(shapes, dtypes, sizes):
            piece = np.reshape(v[start:start + size], shape)
            out.append(np.astype(piece, dtype) if piece.dtype != dtype else piece)
            start += size
        return unflatten(treedef, out)

    return vector, unravel
