"""``polygrad.extend``: define new primitives with their rules, and new backends.

Two conventions are accepted. polygrad's own: ``primitive(name, kernel)`` with a kernel factory
``kernel(xp)`` and rules ``rule(g, ans, *args)``. HIPS autograd's, so that a migrated program
keeps its primitives: ``@primitive`` on a function of plain arrays, ``defvjp(f, lambda ans, x:
lambda g: ...)`` (curried) and ``defjvp(f, lambda g, ans, x: ...)``.

Examples
--------
>>> import polygrad as pg, polygrad.numpy as np
>>> from polygrad.extend import primitive, defvjp, defjvp
>>> softplus = primitive("doc_softplus", lambda xp: lambda x: xp.log1p(xp.exp(x)))
>>> defvjp(softplus, lambda g, ans, x: g / (1 + np.exp(-x)))
>>> defjvp(softplus, lambda t, ans, x: t / (1 + np.exp(-x)))
>>> round(float(pg.grad(softplus)(0.0)), 3)
0.5
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable
from typing import Any

from . import _primitive
from ._backend import Backend, BackendUnavailable
from ._dtypes import DType
from ._dtypes import by_name as dtype
from ._indexkey import (flat_take, flip_negative_steps, index_positions, is_index_array,
                        masks_to_integers)
from ._compiler import Compiler, JitWarning
from ._primitive import Primitive, defbatch, deflinear, defunary, nondiff, primitives
from ._trace import bind

__all__ = ["Backend", "BackendUnavailable", "Compiler", "JitWarning", "Primitive", "primitive",
           "defvjp", "defjvp", "deflinear", "defunary", "defbatch", "nondiff", "primitives",
           "DType", "dtype", "default_kernel", "flat_take", "flip_negative_steps",
           "index_positions", "is_index_array", "masks_to_integers"]

_suffixes = itertools.count(2)


def primitive(name: str | Callable, kernel: Callable[[Any], Callable] | None = None,
              **flags: Any) -> Any:
    """Register a new primitive.

    ``primitive(name, kernel=None, **flags)`` returns a :class:`Primitive`; ``kernel(xp)`` gets
    the backend's Array API namespace and returns the function on its arrays (by default the
    namespace's function of the same name).

    ``@primitive`` on a function (autograd's form) returns a function that calls it on the
    arrays' values: NumPy arrays on the numpy backend; on another backend the values are copied
    to NumPy and the result back (so the function may use NumPy, as autograd primitives do).
    Its rules are set with this module's ``defvjp`` (autograd's curried makers) and ``defjvp``.

    Examples
    --------
    >>> import numpy, polygrad as pg, polygrad.numpy as np
    >>> from polygrad.extend import primitive, defvjp
    >>> @primitive
    ... def cube(x):                       # x is a NumPy array here, as in autograd
    ...     return numpy.power(x, 3)
    >>> defvjp(cube, lambda ans, x: lambda g: 3 * g * x ** 2)
    >>> float(pg.grad(cube)(2.0))
    12.0
    """
    if isinstance(name, str):
        return _primitive.primitive(name, kernel, **flags)
    if not callable(name) or kernel is not None or flags:
        raise TypeError("polygrad.extend.primitive: use primitive('name', kernel) or apply it "
                        "to a function, @primitive")
    return _wrap_plain_function(name)


def _wrap_plain_function(fun: Callable) -> Callable:
    base = f"{getattr(fun, '__module__', None) or 'user'}.{getattr(fun, '__qualname__', 'fun')}"
    name = base
    while name in primitives():
        name = f"{base}#{next(_suffixes)}"

    def kernel(xp: Any) -> Callable:
        def on_values(*args: Any, **params: Any) -> Any:
            try:
                import numpy
            except ImportError:   # pragma: no cover (NumPy is a dependency)
                return fun(*args, **params)
            arrays = [a for a in args if hasattr(a, "shape")]
            if all(isinstance(a, (numpy.ndarray, numpy.generic)) for a in arrays):
                return fun(*args, **params)
            host = [numpy.asarray(a) if hasattr(a, "shape") else a for a in args]
            out = fun(*host, **params)
            device = getattr(arrays[0], "device", None) if arrays else None
            try:
                return xp.asarray(out, device=device)
            except TypeError:
                return xp.asarray(out)
        return on_values

    prim = _primitive.primitive(name, kernel)

    @functools.wraps(fun)
    def wrapped(*args: Any, **params: Any) -> Any:
        return bind(prim, args, params)

    wrapped.primitive = prim          # type: ignore[attr-defined]
    wrapped.autograd_style = True     # type: ignore[attr-defined]
    return wrapped


def _target(fun: Any, what: str) -> tuple[Primitive, bool]:
    """The Primitive behind ``fun`` and whether it was made with ``@primitive`` (autograd's)."""
    if isinstance(fun, Primitive):
        return fun, False
    prim = getattr(fun, "primitive", None)
    if isinstance(prim, Primitive):
        return prim, bool(getattr(fun, "autograd_style", False))
    raise TypeError(f"polygrad.extend.{what}: expected a primitive (from primitive(...) or "
                    f"@primitive), got {type(fun).__name__}")


def _slots(rules: tuple, argnums: Any) -> tuple:
    if argnums is None:
        return rules
    if len(argnums) != len(rules):
        raise ValueError("polygrad.extend: argnums must name one argument per rule")
    out = [None] * (max(argnums) + 1)
    for i, rule in zip(argnums, rules):
        out[i] = rule
    return tuple(out)


def defvjp(fun: Any, *rules: Callable | None, argnums: Any = None) -> None:
    """Set the VJP rule of each positional argument (None: not differentiable).

    For a :class:`Primitive` a rule is ``rule(g, ans, *args, **params)``; for a function made with
    ``@primitive`` it is autograd's maker ``maker(ans, *args, **params)`` returning
    ``lambda g: ...``. ``argnums`` (autograd's keyword) says which arguments the rules are for.
    """
    prim, curried = _target(fun, "defvjp")
    if curried:
        rules = tuple(None if maker is None else _uncurry(maker) for maker in rules)
    _primitive.defvjp(prim, *_slots(rules, argnums))


def _uncurry(maker: Callable) -> Callable:
    def rule(g: Any, ans: Any, *args: Any, **params: Any) -> Any:
        return maker(ans, *args, **params)(g)
    return rule


def defjvp(fun: Any, *rules: Callable | None, argnums: Any = None) -> None:
    """Set the JVP rule of each positional argument: ``rule(t, ans, *args, **params)`` returns
    the output's tangent due to that argument (autograd's ``defjvp`` has the same order)."""
    prim, _ = _target(fun, "defjvp")
    _primitive.defjvp(prim, *_slots(rules, argnums))


def default_kernel(name: str, xp: Any) -> Callable:
    """The portable kernel of primitive ``name`` on namespace ``xp`` (what runs where a backend
    supplies no ``Backend.kernels[name]``): a backend's own kernel may fall back on it.

    Examples
    --------
    >>> import numpy
    >>> from polygrad.extend import default_kernel
    >>> float(default_kernel("log_softmax", numpy)(numpy.zeros(2), axis=(0,))[0]) < 0
    True
    """
    import importlib

    for module in ("polygrad.numpy", "polygrad.special"):   # (they register the primitives)
        importlib.import_module(module)
    prims = primitives()
    if name not in prims:
        raise KeyError(f"polygrad.extend.default_kernel: no primitive named {name!r}")
    return prims[name].kernel(xp)
