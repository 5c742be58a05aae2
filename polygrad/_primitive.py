"""The primitive registry: a primitive, its forward kernel, and its VJP and JVP rules.

Rules are written with polygrad's own functions, so they are themselves differentiable. A VJP
rule for argument ``i`` is ``rule(g, ans, *args, **params)`` and returns the cotangent of that
argument; a JVP rule is ``rule(t, ans, *args, **params)`` and returns the tangent of the output
due to argument ``i``. Broadcasting is undone by the core, never by a rule. Imports optable,
trace.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._optable import OPS
from ._trace import bind

__all__ = ["Primitive", "primitive", "defvjp", "defjvp", "deflinear", "defunary", "defbatch",
           "nondiff", "primitives", "Variadic"]

_registry: dict[str, Primitive] = {}


class Primitive:
    """An operation the core knows how to trace: a name, a kernel factory and its rules.

    ``kernel_factory(xp)`` makes the kernel (the function on the backend's native arrays) from
    the backend's Array API namespace; a backend may override it (``Backend.kernels[name]``).
    ``resolved`` caches the kernel made for each backend (``_trace.apply_native``, the one place
    a kernel runs, fills it on first use). ``kernel`` and ``kernels`` are the old names of these
    two, kept as aliases for plugins written against them.
    """

    __slots__ = ("name", "kernel_factory", "resolved", "vjps", "jvps", "nondiff",
                 "multiple_results", "broadcasts", "batch", "__weakref__")

    def __init__(self, name: str, kernel: Callable[[Any], Callable] | None = None, *,
                 nondiff: bool = False, multiple_results: bool = False,
                 broadcasts: bool = False) -> None:
        self.name = name
        self.kernel_factory = kernel if kernel is not None else (lambda xp: getattr(xp, name))
        self.resolved: dict[Any, Callable] = {}   # backend -> its kernel, made on first use
        self.vjps: tuple = ()
        self.jvps: tuple = ()
        self.nondiff = nondiff
        self.multiple_results = multiple_results
        self.broadcasts = broadcasts   # the core sums cotangents back to each argument's shape
        self.batch: Callable | None = None   # the batching rule (pg.vmap), see defbatch

    def resolve(self, backend: Any) -> Callable:
        """Make (through ``backend``, which may override the factory) and cache the kernel."""
        kernel = backend.kernel(self)
        self.resolved[backend] = kernel
        return kernel

    @property
    def kernel(self) -> Callable[[Any], Callable]:
        """Alias of ``kernel_factory`` (the old name)."""
        return self.kernel_factory

    @property
    def kernels(self) -> dict[Any, Callable]:
        """Alias of ``resolved`` (the old name)."""
        return self.resolved

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


def defvjp(prim: Primitive, *rules: Callable | None | Variadic) -> None:
    """Set the VJP rule of each positional argument of ``prim`` (None: not differentiable), or
    one ``Variadic`` rule for a primitive of any number of arrays. The one way rules are set:
    the namespace's builders (``unary``, ``binary``) call it too."""
    prim.vjps = _rules(rules)


def defjvp(prim: Primitive, *rules: Callable | None | Variadic) -> None:
    """Set the JVP rule of each positional argument of ``prim`` (None: not differentiable), or
    one ``Variadic`` rule."""
    prim.jvps = _rules(rules)


def _rules(rules: tuple) -> Any:
    if len(rules) == 1 and isinstance(rules[0], Variadic):
        return rules[0]
    return tuple(rules)


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
    # OPS.multiply(g, d) is g * d without the operator's own call (Array.__mul__)
    def vjp(g, ans, x):
        return OPS.multiply(g, derivative(ans, x))
    vjp.unit = derivative   # the rule for a cotangent of ones (the seed of grad): no product
    prim.vjps = (vjp,)
    prim.jvps = (lambda t, ans, x: OPS.multiply(t, derivative(ans, x)),)


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
