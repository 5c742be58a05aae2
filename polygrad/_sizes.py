"""Sizes of dynamic axes while ``pg.jit`` traces (``dynamic_axes``): ints that know their name.

A :class:`SymInt` is an int of the size at this trace that also carries its expression in the
sizes' names (``s0``, ``(s0 * 784)``); arithmetic on it gives more of them (:class:`SymFloat`
for ``/``), and comparing it records a guard, so that the replay compiler's program computes
such values afresh from its inputs' shapes at each call and checks its guards first. Outside
such a trace none exist. Imports nothing of polygrad.
"""

from __future__ import annotations

import contextvars
import operator
from collections.abc import Callable
from typing import Any

__all__ = ["SymInt", "SymFloat", "SYMBOLIC", "Sizes", "current", "evaluate", "plain"]


class Sizes:
    """The dynamic sizes of a replay trace in progress: each symbol's value for this trace, and
    the guards (Python conditions on the symbols) that the traced program assumed."""

    __slots__ = ("values", "guards", "quiet", "trace")

    def __init__(self, values: dict[str, int]) -> None:
        self.values = values
        self.guards: list[str] = []
        self.quiet = 0   # > 0: comparisons made by this module's machinery record nothing
        self.trace: Any = None   # the GraphTrace recording


current: contextvars.ContextVar[Sizes | None] = contextvars.ContextVar("polygrad_sizes",
                                                                         default=None)
_EVAL: dict[str, Any] = {}


def evaluate(expr: str, values: dict[str, int]) -> Any:
    code = _EVAL.get(expr)
    if code is None:
        code = _EVAL[expr] = compile(expr, "<polygrad size>", "eval")
    return eval(code, _NAMES, values)   # noqa: S307 (expressions this module wrote)


_NAMES = {"__builtins__": {}, "abs": abs}


def _text(v: Any) -> str:
    return v.expr if isinstance(v, SYMBOLIC) else repr(v)


def _guard(a: Any, op: str, b: Any, result: bool) -> bool:
    """Record that the program assumes ``a op b`` is ``result``; returns ``result``."""
    now = current.get()
    if now is not None and not now.quiet:
        cond = f"({_text(a)} {op} {_text(b)})"
        now.guards.append(cond if result else f"not {cond}")
    return result


def _make(value: Any, expr: str) -> Any:
    if type(value) is bool:
        return value
    if type(value) is int:
        return SymInt(value, expr)
    if type(value) is float:
        return SymFloat(value, expr)
    return value   # complex: the verification trace catches a size that hides in it


def _arith(op: str, fn: Callable, reflected: bool = False) -> Callable:
    def method(self: Any, other: Any) -> Any:
        if type(other) not in (int, float, bool, SymInt, SymFloat):
            return NotImplemented
        a, b = (other, self) if reflected else (self, other)
        if type(a) is int and (a == 1 and op == "*" or a == 0 and op == "+"):
            return b   # 1 * n, 0 + n (math.prod, sums of sizes): n
        if type(b) is int and (b == 1 and op in ("*", "/", "//") or b == 0 and op in ("+", "-")):
            return a if op != "/" else _make(plain(a) / 1, f"({a.expr} / 1)")
        return _make(fn(plain(a), plain(b)), f"({_text(a)} {op} {_text(b)})")
    return method


def _compare(op: str, fn: Callable) -> Callable:
    def method(self: Any, other: Any) -> Any:
        if isinstance(other, SYMBOLIC):
            if current.get() is None:   # the passes, after tracing: same expression or not
                return fn(self.expr, other.expr) if op in ("==", "!=") else \
                    fn(plain(self), plain(other))
            if self.expr == other.expr:
                return fn(0, 0)
        elif type(other) not in (int, float, bool):
            return NotImplemented
        elif current.get() is None and op in ("==", "!="):
            return op == "!="   # a size is no fixed number
        return _guard(self, op, other, fn(plain(self), plain(other)))
    return method


def plain(v: Any) -> Any:
    if type(v) is SymInt:
        return int.__int__(v)
    if type(v) is SymFloat:
        return float.__float__(v)
    return v


def _sym_methods(cls: type) -> type:
    o = operator
    for name, sym, fn in [("add", "+", o.add), ("sub", "-", o.sub), ("mul", "*", o.mul),
                          ("truediv", "/", o.truediv), ("floordiv", "//", o.floordiv),
                          ("mod", "%", o.mod), ("pow", "**", o.pow)]:
        setattr(cls, f"__{name}__", _arith(sym, fn))
        setattr(cls, f"__r{name}__", _arith(sym, fn, reflected=True))
    for name, sym, fn in [("eq", "==", o.eq), ("ne", "!=", o.ne), ("lt", "<", o.lt),
                          ("le", "<=", o.le), ("gt", ">", o.gt), ("ge", ">=", o.ge)]:
        setattr(cls, f"__{name}__", _compare(sym, fn))
    return cls


class _Symbolic:
    """What SymInt and SymFloat share: a number that also carries its expression ``expr``."""

    expr: str

    def __new__(cls, value: Any, expr: str) -> Any:
        self = super().__new__(cls, value)  # type: ignore[call-arg]
        self.expr = expr
        return self

    def __neg__(self) -> Any:
        return _make(-plain(self), f"(-{self.expr})")

    def __pos__(self) -> Any:
        return self

    def __abs__(self) -> Any:
        return _make(abs(plain(self)), f"abs({self.expr})")

    def __bool__(self) -> bool:
        return _guard(self, "!=", 0, plain(self) != 0)

    def __repr__(self) -> str:
        return self.expr

    __str__ = __repr__


@_sym_methods
class SymInt(_Symbolic, int):
    """The size of a dynamic axis (or an int computed from sizes) while ``pg.jit`` traces with
    ``dynamic_axes``: an int of this call's value that also knows its expression in the sizes'
    names (``s0``, ``(s0 * 784)``), so that the program computes it afresh for each size.
    Comparing it (``if n > 1``, ``shape == (n, 3)``) records a guard that the program checks
    before each run; ``int(n)`` fixes the value (a guard ``s0 == 256``)."""

    __hash__ = int.__hash__

    def __int__(self) -> int:
        value = plain(self)
        _guard(self, "==", value, True)
        return value

    __index__ = __int__

    def __float__(self) -> float:
        return float(self.__int__())

    def __reduce__(self) -> Any:
        return (int, (plain(self),))


@_sym_methods
class SymFloat(_Symbolic, float):
    """A float computed from sizes of dynamic axes (``1 / s0``, see :class:`SymInt`)."""

    __hash__ = float.__hash__

    def __float__(self) -> float:
        value = plain(self)
        _guard(self, "==", value, True)
        return value

    def __int__(self) -> int:
        return int(self.__float__())

    def __reduce__(self) -> Any:
        return (float, (plain(self),))


SYMBOLIC = (SymInt, SymFloat)
