"""The polygrad Arrays a function can reach without its arguments (``pg.jit`` makes them inputs).

Imports array and reverse.
"""

from __future__ import annotations

import functools
import types
from typing import Any

from ._array import Array
from ._reverse import TAPE_LEAF

__all__ = ["closed_over", "LIMIT"]

#: the most objects one search visits; arrays beyond are not found
LIMIT = 10_000

# functions of these packages are searched through their closures only (a wrapper such as
# grad's holds the user's function there), and their objects not at all
_LIBRARIES = frozenset(("polygrad", "polygrad_backends", "jax", "jaxlib", "torch", "numpy",
                        "dask", "distributed", "array_api_strict", "array_api_compat", "scipy",
                        "functools", "builtins", "typing", "abc", "collections"))
_ATOMS = frozenset((str, bytes, int, float, complex, bool, type(None), type, types.ModuleType,
                    types.BuiltinFunctionType, types.CodeType, types.MethodWrapperType))
_codes: dict[types.CodeType, tuple[bool, tuple[str, ...]]] = {}


def closed_over(fun: Any, backend: Any) -> tuple[list[Array], bool]:
    """(the concrete Arrays of ``backend`` reachable from ``fun``, whether the search stopped
    at :data:`LIMIT`), in an order that depends only on the paths to them.

    Searched: closure variables, the globals the code names, defaults, ``__wrapped__`` and other
    function attributes, bound methods' ``self``, ``functools.partial``'s arguments, and the
    items, values and attributes (``__dict__``) of lists, tuples, dicts and objects among them.
    Not searched: modules, classes, and objects of array libraries and of polygrad.
    """
    found: list[Array] = []
    seen: set[int] = set()
    stack = [fun]
    budget = LIMIT
    while stack:
        obj = stack.pop()
        t = type(obj)
        if t in _ATOMS or id(obj) in seen:
            continue
        if not budget:
            return found, True
        budget -= 1
        seen.add(id(obj))
        if t is Array:
            if obj._backend is backend and (obj._trace is None or obj._trace is TAPE_LEAF):
                found.append(obj)
        elif t is types.FunctionType:
            _push_function(obj, stack)
        elif t is list or t is tuple:
            stack.extend(reversed(obj))
        elif t is dict:
            stack.extend(reversed(list(obj.values())))
        elif t is types.MethodType:
            stack.extend((obj.__func__, obj.__self__))
        elif t is functools.partial:
            stack.extend((obj.keywords, obj.args, obj.func))
        elif _package(t) not in _LIBRARIES:
            _push_object(obj, stack)
    return found, False


def _package(owner: Any) -> str:
    return (getattr(owner, "__module__", None) or "").partition(".")[0]


def _push_function(fn: types.FunctionType, stack: list) -> None:
    code = fn.__code__
    info = _codes.get(code)
    if info is None:   # (not __module__, which functools.wraps copies from the wrapped function)
        module = fn.__globals__.get("__name__") or ""
        info = _codes[code] = (module.partition(".")[0] in _LIBRARIES, _global_names(code))
    library, names = info
    if not library:
        scope = fn.__globals__
        stack.extend(scope[name] for name in reversed(names) if name in scope)
        stack.extend((fn.__dict__, fn.__kwdefaults__, fn.__defaults__))
    for cell in reversed(fn.__closure__ or ()):
        try:
            stack.append(cell.cell_contents)
        except ValueError:   # a cell not yet filled
            pass


def _global_names(code: types.CodeType) -> tuple[str, ...]:
    """The names a code object and the functions defined in it may load as globals."""
    more = [name for c in code.co_consts if isinstance(c, types.CodeType)
            for name in _global_names(c)]
    return tuple(dict.fromkeys(code.co_names + tuple(more)))


def _push_object(obj: Any, stack: list) -> None:
    call = next((k.__dict__["__call__"] for k in type(obj).__mro__ if "__call__" in k.__dict__),
                None)
    if type(call) is types.FunctionType:   # a callable object: its __call__'s globals
        stack.append(call)
    attributes = getattr(obj, "__dict__", None)
    if type(attributes) is dict:
        stack.append(attributes)
