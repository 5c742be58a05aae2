"""Installs the standard's operators (and a few NumPy-style methods) on ``polygrad.Array``.

Imports the namespace's category modules.
"""

from __future__ import annotations

from typing import Any

from .._array import Array, native_of
from .._reverse import TAPE_LEAF
from . import _data_types as dt
from . import _elementwise as ew
from . import _linear_algebra as la
from . import _manipulation as mp
from . import _statistics as st
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


# NumPy-style methods that autograd / MinPy code uses
def _reshape(self: Array, *shape: Any, **kw: Any) -> Array:
    return mp.reshape(self, shape[0] if len(shape) == 1 else shape, **kw)


def _transpose(self: Array, *axes: Any) -> Array:
    if not axes:
        return self.T
    return mp.permute_dims(self, axes[0] if len(axes) == 1 else axes)


Array.reshape = _reshape
Array.transpose = _transpose
Array.astype = lambda self, dtype, copy=True: dt.astype(self, dtype, copy=copy)
Array.sum = lambda self, axis=None, keepdims=False: st.sum(self, axis=axis, keepdims=keepdims)
Array.mean = lambda self, axis=None, keepdims=False: st.mean(self, axis=axis, keepdims=keepdims)
Array.max = lambda self, axis=None, keepdims=False: st.max(self, axis=axis, keepdims=keepdims)
Array.min = lambda self, axis=None, keepdims=False: st.min(self, axis=axis, keepdims=keepdims)
Array.prod = lambda self, axis=None, keepdims=False: st.prod(self, axis=axis, keepdims=keepdims)
Array.var = lambda self, axis=None, ddof=0, keepdims=False: st.var(
    self, axis=axis, correction=ddof, keepdims=keepdims)
Array.std = lambda self, axis=None, ddof=0, keepdims=False: st.std(
    self, axis=axis, correction=ddof, keepdims=keepdims)
Array.dot = lambda self, other: _dot(self, other)
Array.ravel = lambda self: mp.reshape(self, (-1,))
Array.flatten = lambda self: mp.reshape(self, (-1,), copy=True)   # a copy, as NumPy's
Array.squeeze = lambda self, axis=None: mp.squeeze(
    self, tuple(i for i, d in enumerate(self.shape) if d == 1) if axis is None else axis)
Array.clip = lambda self, min=None, max=None: ew.clip(self, min, max)  # noqa: A002


def _dot(a: Array, b: Any) -> Array:
    from ._compat import dot

    return dot(a, b)
