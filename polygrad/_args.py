"""Checking and describing the inputs of the differential operators, for clear errors.

Imports util and convert.
"""

from __future__ import annotations

from typing import Any

from ._array import Array
from ._convert import asarray
from ._util import describe, tree_flatten, tree_map

__all__ = ["diff_leaf", "describe_input", "leaf_path", "check_callable", "check_argnum",
           "shape_tree"]


def diff_leaf(x: Any, fname: str, where: Any) -> Array:
    """A differentiable input: a floating Array (Python numbers get the default float dtype).

    ``where`` says which input it is: a string, or ``(fun, argnum, tree, leaf index)`` put into
    words only for an error.
    """
    if type(x) is not Array:
        if isinstance(x, bool) or not (isinstance(x, (int, float, complex)) or hasattr(x, "shape")
                                       or hasattr(x, "__array__")):
            raise TypeError(f"polygrad.{fname}: cannot differentiate with respect to "
                            f"{describe_input(where)}, a {describe(x)}; expected an Array, a "
                            f"native array or a Python float (nested in lists, tuples or dicts)")
        x = asarray(float(x) if isinstance(x, int) else x)
    dtype = x.dtype
    if not dtype.is_floating:
        raise TypeError(f"polygrad.{fname}: cannot differentiate with respect to "
                        f"{describe_input(where)}, an array of dtype {dtype}; derivatives need a "
                        f"floating dtype: pass np.asarray(x, dtype=np.float64) or "
                        f"x.astype(np.float64), or leave it out of argnum")
    return x


def describe_input(where: Any) -> str:
    """``argument 1 (params), at ['w']``: an input of the differentiated function, in words."""
    if isinstance(where, str):
        return where
    fun, n, tree, k = where
    if n is None:   # jvp: ``tree`` is the tuple of all the arguments
        for n, item in enumerate(tree):  # noqa: B007
            size = len(tree_flatten(item)[0])
            if k < size:
                tree = item
                break
            k -= size
    text = f"argument {n}"
    try:
        import inspect

        names = [p.name for p in inspect.signature(fun).parameters.values()
                 if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        if n < len(names):
            text += f" ({names[n]})"
    except (TypeError, ValueError):   # builtins and other callables without a signature
        pass
    path = leaf_path(tree, k)
    return text + (f", at {path}" if path else "")


def leaf_path(tree: Any, k: int) -> str:
    """The index path (``[1]['w']``) of leaf number ``k`` in the order of ``tree_flatten``."""
    return _walk(tree, [k]) or ""


def _walk(node: Any, count: list) -> str | None:
    """The path to the leaf where ``count[0]``, decremented at each leaf, goes below 0."""
    if isinstance(node, (list, tuple)):
        items = enumerate(node)
    elif type(node) is dict:
        items = node.items()
    else:
        count[0] -= 1
        return "" if count[0] < 0 else None
    for key, child in items:
        found = _walk(child, count)
        if found is not None:
            return f"[{key!r}]{found}"
    return None


def check_callable(fname: str, fun: Any) -> None:
    if not callable(fun):
        raise TypeError(f"polygrad.{fname}: expected a callable to differentiate (a function "
                        f"of arrays), got {describe(fun)}")


def check_argnum(fname: str, argnum: Any, nargs: int) -> tuple[int, ...]:
    if not isinstance(argnum, (int, list, tuple)):
        raise TypeError(f"polygrad.{fname}: argnum must be an int or a list/tuple of ints, "
                        f"got {argnum!r}")
    nums = (argnum,) if isinstance(argnum, int) else tuple(argnum)
    for n in nums:
        if not isinstance(n, int) or isinstance(n, bool):
            raise TypeError(f"polygrad.{fname}: argnum must be an int or a list/tuple of ints, "
                            f"got {argnum!r}")
        if not -nargs <= n < nargs:
            raise ValueError(f"polygrad.{fname}: argnum {n} is out of range for a call with "
                             f"{nargs} positional argument(s)")
    normal = tuple(n % nargs for n in nums)
    if len(set(normal)) != len(normal):
        raise ValueError(f"polygrad.{fname}: argnum {argnum!r} names an argument twice")
    return normal


def shape_tree(tree: Any) -> str:
    """A structure with each array leaf replaced by its shape, for error messages."""
    return repr(tree_map(lambda x: _Shape(x.shape) if hasattr(x, "shape") else x, tree))


class _Shape(tuple):
    def __repr__(self) -> str:
        return f"<shape {tuple(self)}>"
