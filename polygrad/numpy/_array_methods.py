"""Installs the standard's operators on ``polygrad.Array`` (NumPy's methods are in the class's
mixin, ``polygrad._ndarray``).

Imports the namespace's category modules.
"""

from __future__ import annotations

from typing import Any

from .._array import Array, native_of
from .._reverse import TAPE_LEAF
from . import _elementwise as ew
from . import _linear_algebra as la
from . import _manipulation as mp
from ._indexing import array_setitem, check_writable, getitem, propagate

__all__: list[str] = []


def _reflected(fn):
    return lambda self, other: fn(other, self)


def _inplace(fn, symbol: str):
    def method(self: Array, other: Any) -> Array:
        trace = self._trace
        check_writable(self, f"Array.__i{fn.__name__}__")
        result = fn(self, other)
        if result.dtype != self.dtype or result.shape != self.shape:
            raise TypeError(f"x {symbol} y: the result has dtype {result.dtype} and shape "
                            f"{result.shape} but x has dtype {self.dtype} and shape {self.shape};"
                            f" an in-place operator cannot change either (write x = x "
                            f"{symbol[:-1]} y)")
        # rebind this Array to the result (functional update: JAX-safe, differentiable)
        if trace is TAPE_LEAF and result._trace is None:
            self._v, self._aux = native_of(result), None
        else:
            self._v, self._trace, self._aux = result._v, result._trace, result._aux
        propagate(self)   # the arrays this one is a view of, and its views, see the update
        return self
    return method


_BINARY = {
    "add": (ew.add, "+="), "sub": (ew.subtract, "-="), "mul": (ew.multiply, "*="),
    "truediv": (ew.divide, "/="), "floordiv": (ew.floor_divide, "//="),
    "mod": (ew.remainder, "%="), "pow": (ew.pow, "**="), "matmul": (la.matmul, "@="),
    "and": (ew.bitwise_and, "&="), "or": (ew.bitwise_or, "|="), "xor": (ew.bitwise_xor, "^="),
    "lshift": (ew.bitwise_left_shift, "<<="), "rshift": (ew.bitwise_right_shift, ">>="),
}
for _name, (_fn, _sym) in _BINARY.items():
    setattr(Array, f"__{_name}__", _fn)   # a plain function binds as a method: fn(self, other)
    setattr(Array, f"__r{_name}__", _reflected(_fn))
    setattr(Array, f"__i{_name}__", _inplace(_fn, _sym))

for _name, _fn in {"eq": ew.equal, "ne": ew.not_equal, "lt": ew.less, "le": ew.less_equal,
                   "gt": ew.greater, "ge": ew.greater_equal}.items():
    setattr(Array, f"__{_name}__", _fn)

Array.__neg__ = lambda self: ew.negative(self)
Array.__pos__ = lambda self: ew.positive(self)
Array.__abs__ = lambda self: ew.abs(self)
Array.__invert__ = lambda self: ew.bitwise_invert(self)
Array.__getitem__ = getitem
Array.__setitem__ = array_setitem
Array.__hash__ = None


def _iter(self: Array):
    for i in range(len(self)):
        yield self[i]


Array.__iter__ = _iter
Array.T = property(lambda self: mp.permute_dims(self, tuple(range(self.ndim))[::-1]))
Array.mT = property(la.matrix_transpose)

