"""Small helpers shared by the core: nested-structure flattening and error wording.

Imports only the standard library.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["tree_flatten", "tree_unflatten", "tree_map", "describe"]


def tree_flatten(tree: Any) -> tuple[list, Any]:
    """Flatten nested lists, tuples and dicts into (leaves, structure)."""
    leaves: list = []
    return leaves, _flatten(tree, leaves)


def _flatten(tree: Any, leaves: list) -> Any:
    kind = type(tree)
    if kind is tuple or kind is list or isinstance(tree, tuple):   # named tuples too
        return (kind, [_flatten(item, leaves) for item in tree])
    if kind is dict:
        keys = list(tree)
        return (dict, keys, [_flatten(tree[k], leaves) for k in keys])
    leaves.append(tree)
    return None


def tree_unflatten(structure: Any, leaves: list) -> Any:
    """Inverse of :func:`tree_flatten`."""
    it = iter(leaves)
    return _unflatten(structure, it)


def _unflatten(structure: Any, it) -> Any:
    if structure is None:
        return next(it)
    if structure[0] is dict:
        _, keys, children = structure
        return {k: _unflatten(c, it) for k, c in zip(keys, children)}
    kind, children = structure
    items = [_unflatten(c, it) for c in children]
    if kind is tuple or kind is list:
        return kind(items)
    return kind(*items) if hasattr(kind, "_fields") else kind(items)


def tree_map(fn: Callable, tree: Any) -> Any:
    leaves, structure = tree_flatten(tree)
    return tree_unflatten(structure, [fn(leaf) for leaf in leaves])


def describe(obj: Any) -> str:
    """A short description of an object for error messages."""
    dtype = getattr(obj, "dtype", None)
    shape = getattr(obj, "shape", None)
    if dtype is not None and shape is not None:
        return f"{type(obj).__name__} of dtype {dtype} and shape {tuple(shape)}"
    if isinstance(obj, (tuple, list)):
        items = ", ".join(describe(item) for item in obj[:3]) + (", ..." if len(obj) > 3 else "")
        return f"{type(obj).__name__} of {len(obj)} ({items})"
    text = f"{type(obj).__name__} {obj!r}"
    return text if len(text) <= 120 else text[:117] + "..."
