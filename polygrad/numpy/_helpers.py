"""Builders for namespace functions: each registers a primitive and returns its public function.

The public function runs the kernel directly when its inputs are concrete arrays of one backend
(the fast path) and otherwise goes through ``bind``. Imports the core only.
"""

from __future__ import annotations

from collections.abc import Callable

from .._array import Array
from .._primitive import Primitive, defjvp, defunary, defvjp, nondiff, primitive
from .._trace import bind

__all__ = ["unary", "binary", "EMPTY", "Variadic", "bind", "Array", "as_array"]

EMPTY: dict = {}
_PLAIN = (int, float)


def _publish(fn: Callable, prim: Primitive, doc: str | None) -> Callable:
    fn.__name__ = fn.__qualname__ = prim.name
    fn.__doc__ = doc or f"``{prim.name}`` of the Array API standard, differentiable."
    fn.primitive = prim
    return fn


def unary(name: str, derivative: Callable | None = None, *, doc: str | None = None,
          kernel: Callable | None = None) -> Callable:
    """A unary elementwise function; ``derivative(ans, x)`` is f′(x), None if non-differentiable."""
    prim = primitive(name, kernel)
    if derivative is None:
        nondiff(prim)
    else:
        defunary(prim, derivative)
    kernels = prim.kernels

    def fn(x, /):
        if type(x) is Array:
            t = x._trace
            if t is None:
                k = kernels.get(x._backend)
                if k is not None:
                    return Array(k(x._v), x._backend)
            elif t.active and not prim.nondiff:
                return t.process(prim, (x,), EMPTY)
        return bind(prim, (x,), EMPTY)
    return _publish(fn, prim, doc)


def binary(name: str, vjps: tuple | None = None, jvps: tuple | None = None, *,
           doc: str | None = None, kernel: Callable | None = None) -> Callable:
    """A binary elementwise function (broadcasting undone by the core); None: non-differentiable."""
    prim = primitive(name, kernel, broadcasts=True)
    if vjps is None:
        nondiff(prim)
    else:
        defvjp(prim, *vjps)
        defjvp(prim, *jvps)
    kernels = prim.kernels

    def fn(x1, x2, /):
        if type(x1) is Array:
            t1 = x1._trace
            t2 = type(x2)
            if t1 is None:
                backend = x1._backend
                if (t2 is Array and x2._trace is None and x2._backend is backend) or t2 in _PLAIN:
                    k = kernels.get(backend)
                    if k is not None:
                        return Array(k(x1._v, x2._v if t2 is Array else x2), backend)
            elif t2 in _PLAIN and t1.active and not prim.nondiff:
                return t1.process(prim, (x1, x2), EMPTY)
        elif type(x2) is Array and type(x1) in _PLAIN:   # 1 - x, 2 * x, ...
            t2 = x2._trace
            if t2 is None:
                k = kernels.get(x2._backend)
                if k is not None:
                    return Array(k(x1, x2._v), x2._backend)
            elif t2.active and not prim.nondiff:
                return t2.process(prim, (x1, x2), EMPTY)
        return bind(prim, (x1, x2), EMPTY)
    return _publish(fn, prim, doc)


class Variadic:
    """Rules of a primitive taking any number of arrays: ``rule(i, g_or_t, ans, *args, **p)``."""

    def __init__(self, rule: Callable) -> None:
        self.rule = rule
        self.cache: dict[int, Callable] = {}

    def __len__(self) -> int:
        return 1 << 30

    def __getitem__(self, i: int) -> Callable:
        fn = self.cache.get(i)
        if fn is None:
            rule = self.rule
            fn = self.cache[i] = lambda g, ans, *args, **params: rule(i, g, ans, *args, **params)
        return fn


def as_array(x):
    """``x`` itself if it is an Array, else ``asarray(x)`` on the current backend."""
    if type(x) is Array:
        return x
    from .._convert import asarray

    return asarray(x)
