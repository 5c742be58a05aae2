"""The primitive registry: a primitive, its forward kernel, and its VJP and JVP rules.

Rules are written with polygrad's own functions, so they are themselves differentiable. A VJP
rule for argument ``i`` is ``rule(g, ans, *args, **params)`` and returns the cotangent of that
argument; a JVP rule is ``rule(t, ans, *args, **params)`` and returns the tangent of the output
due to argument ``i``. Broadcasting is undone by the core, never by a rule. Imports trace.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._trace import bind

__all__ = ["Primitive", "primitive", "defvjp", "defjvp", "deflinear", "defunary", "defbatch",
           "nondiff", "primitives"]

_registry: dict[str, Primitive] = {}


class Primitive:
    """An operation the core knows how to trace: a name, a kernel factory and its rules."""

    __slots__ = ("name", "kernel", "kernels", "vjps", "jvps", "nondiff", "multiple_results",
                 "broadcasts", "batch", "__weakref__")

    def __init__(self, name: str, kernel: Callable[[Any], Callable] | None = None, *,
                 nondiff: bool = False, multiple_results: bool = False,
                 broadcasts: bool = False) -> None:
        self.name = name
        self.kernel = kernel if kernel is not None else (lambda xp: getattr(xp, name))
        self.kernels: dict[Any, Callable] = {}   # backend -> resolved kernel
        self.vjps: tuple = ()
        self.jvps: tuple = ()
        self.nondiff = nondiff
        self.multiple_results = multiple_results
        self.broadcasts = broadcasts   # the core sums cotangents back to each argument's shape
        self.batch: Callable | None = None   # the batching rule (pg.vmap), see defbatch

    def resolve(self, backend: Any) -> Callable:
        kernel = backend.kernel(self)
        self.kernels[backend] = kernel
        return kernel

    def __call__(self, *args: Any, **params: Any) -> Any:
        return bind(self, args, params)

    def __repr__(self) -> str:
        return f"<polygrad primitive {self.name}>"


def primitive(name: str, kernel: Callable[[Any], Callable] | None = None, **flags: Any
              ) -> Primitive:
    """Register and return a new primitive.

    ``kernel`` is a factory ``kernel(xp) -> callable`` receiving the backend's Array API
    namespace; by default the function of the same name in that namespace is used.

    Examples
    --------
    >>> from polygrad.extend import primitive, defvjp, defjvp
    >>> import polygrad.numpy as np
    >>> cube = primitive("my_cube", lambda xp: (lambda x: x * x * x))
    >>> defvjp(cube, lambda g, ans, x: g * 3 * x**2)
    >>> defjvp(cube, lambda t, ans, x: t * 3 * x**2)
    >>> float(np.asarray(2.0) ** 3), float(__import__("polygrad").grad(cube)(2.0))
    (8.0, 12.0)
    """
    if name in _registry:
        raise ValueError(f"polygrad.extend.primitive: a primitive named {name!r} already exists")
    prim = Primitive(name, kernel, **flags)
    _registry[name] = prim
    return prim


def defvjp(prim: Primitive, *rules: Callable | None) -> None:
    """Set the VJP rule of each positional argument of ``prim`` (None: not differentiable)."""
    prim.vjps = tuple(rules)


def defjvp(prim: Primitive, *rules: Callable | None) -> None:
    """Set the JVP rule of each positional argument of ``prim`` (None: not differentiable)."""
    prim.jvps = tuple(rules)


def deflinear(prim: Primitive, *vjps: Callable | None) -> None:
    """``prim`` is linear in each positional argument: its JVP is ``prim`` of the tangent.

    This also covers multilinear functions (``multiply``, ``matmul``, ``tensordot``): the tangent
    due to argument ``i`` is the function with argument ``i`` replaced by its tangent.
    """
    def jvp_for(i: int) -> Callable:
        def jvp(t, ans, *args, **params):
            args = list(args)
            args[i] = t
            return prim(*args, **params)
        return jvp

    prim.vjps = tuple(vjps)
    prim.jvps = tuple(jvp_for(i) for i in range(len(vjps)))


def defunary(prim: Primitive, derivative: Callable) -> None:
    """A unary elementwise ``prim`` whose VJP and JVP share f′: ``derivative(ans, x) -> f′(x)``."""
    def vjp(g, ans, x):
        return g * derivative(ans, x)
    vjp.unit = derivative   # the rule for a cotangent of ones (the seed of grad): no product
    prim.vjps = (vjp,)
    prim.jvps = (lambda t, ans, x: t * derivative(ans, x),)


def defbatch(prim: Primitive, rule: Callable) -> None:
    """Set the batching rule of ``prim`` for ``pg.vmap``: ``rule(size, args, batched, **params)``.

    ``args`` are the arguments, those with ``batched[i]`` true carrying the batch (of ``size``
    examples) as their leading axis; the rule returns the batched output(s), batch axis leading.
    """
    prim.batch = rule


def nondiff(prim: Primitive) -> Primitive:
    """Declare ``prim`` non-differentiable: its output never carries a derivative (it is zero)."""
    prim.nondiff = True
    return prim


def primitives() -> dict[str, Primitive]:
    """The registry: every primitive by name (a copy; inspect, do not mutate)."""
    return dict(_registry)
