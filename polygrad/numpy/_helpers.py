"""Builders for namespace functions: each registers a primitive and returns its public function.

The public function takes ``bind``'s concrete fast path (``apply_native``) when its inputs are
concrete arrays of one backend and dtype, hands a tracer straight to its trace, and otherwise
goes through ``bind``. Imports the core only.
"""

from __future__ import annotations

from collections.abc import Callable

from .._array import Array, native_of
from .._batching import elementwise_rule
from .._primitive import Primitive, Variadic, defbatch, defjvp, defunary, defvjp, nondiff, primitive
from .._trace import apply_native, apply_native1, apply_native2, bind
from .._convert import asarray

__all__ = ["unary", "binary", "EMPTY", "Variadic", "bind", "apply_native", "Array", "as_array",
           "promoted", "weak_safe", "into"]

EMPTY: dict = {}
_PLAIN = (int, float)
_weak_safe: dict = {}


def _publish(fn: Callable, prim: Primitive, doc: str | None) -> Callable:
    fn.__name__ = fn.__qualname__ = prim.name
    fn.__doc__ = doc or f"``{prim.name}`` of the Array API standard, differentiable."
    fn.primitive = prim
    return fn


def unary(name: str, derivative: Callable | None = None, *, doc: str | None = None,
          kernel: Callable | None = None, inexact: bool = False) -> Callable:
    """A unary elementwise function; ``derivative(ans, x)`` is f′(x), None if non-differentiable.

    ``inexact`` (exp, sin, ...): an integer or bool argument is cast to the default float dtype
    first, so the result's dtype is polygrad's choice, not the backend's.
    """
    prim = primitive(name, kernel)
    defbatch(prim, elementwise_rule(prim))   # pg.vmap
    if derivative is None:
        nondiff(prim)
    else:
        defunary(prim, derivative)

    def fn(x, /):
        if type(x) is Array:
            t = x._trace
            if t is None:
                if not inexact or x._v.dtype in (_weak_safe.get(x._backend) or
                                                 weak_safe(x._backend)):
                    return apply_native1(prim, x._backend, x._v)
            elif t.active and not prim.nondiff:
                return t.process(prim, (x,), EMPTY)
            if inexact and not x.dtype.is_floating:
                # function-level: cycle: _promotion -> _helpers -> _promotion
                from ._promotion import promote_inexact

                (x,) = promote_inexact(x)
        return bind(prim, (x,), EMPTY)
    return _publish(fn, prim, doc)


def binary(name: str, vjps: tuple | None = None, jvps: tuple | None = None, *,
           doc: str | None = None, kernel: Callable | None = None,
           inexact: bool = False) -> Callable:
    """A binary elementwise function (broadcasting undone by the core); None: non-differentiable.

    Operands are promoted first (``promoted``); with ``inexact`` (true division) integer and bool
    operands then become the default float dtype, as in NumPy, whatever the backend.
    """
    prim = primitive(name, kernel, broadcasts=True)
    defbatch(prim, elementwise_rule(prim))   # pg.vmap
    if vjps is None:
        nondiff(prim)
    else:
        defvjp(prim, *vjps)
        defjvp(prim, *jvps)

    def fn(x1, x2, /):
        if type(x1) is Array:
            t1 = x1._trace
            t2 = type(x2)
            if t1 is None:
                backend = x1._backend
                v1 = x1._v
                if t2 is Array:
                    if x2._trace is None and x2._backend is backend and \
                            v1.dtype is x2._v.dtype and (not inexact or v1.dtype in
                                                         weak_safe(backend)):
                        return apply_native2(prim, backend, v1, x2._v)
                elif t2 in _PLAIN and v1.dtype in (_weak_safe.get(backend) or
                                                   weak_safe(backend)):
                    return apply_native2(prim, backend, v1, x2)
            elif t2 in _PLAIN and t1.active and not prim.nondiff:
                # a tracer is floating (every leaf is): the scalar keeps its dtype everywhere
                return t1.process(prim, (x1, x2), EMPTY)
        elif type(x2) is Array and type(x1) in _PLAIN:   # 1 - x, 2 * x, ...
            t2 = x2._trace
            if t2 is None:
                backend = x2._backend
                if x2._v.dtype in (_weak_safe.get(backend) or weak_safe(backend)):
                    return apply_native2(prim, backend, x1, x2._v)
            elif t2.active and not prim.nondiff:
                return t2.process(prim, (x1, x2), EMPTY)
        if inexact:
            # function-level: cycle: _promotion -> _helpers -> _promotion
            from ._promotion import promote_inexact

            return bind(prim, promote_inexact(x1, x2), EMPTY)
        return bind(prim, promoted(x1, x2), EMPTY)
    return _publish(fn, prim, doc)


def as_array(x):
    """``x`` itself if it is an Array, else ``asarray(x)`` on the current backend."""
    if type(x) is Array:
        return x

    return asarray(x)


def weak_safe(backend) -> frozenset:
    """The backend's native floating and complex dtypes: an array of one of these meets a Python
    int or float the same way on every backend (the scalar takes the array's dtype)."""
    found = _weak_safe.get(backend)
    if found is None:
        # function-level: the core module imports this namespace (cycle)
        from .. import _dtypes

        natives = []
        for d in (_dtypes.float32, _dtypes.float64, _dtypes.complex64, _dtypes.complex128):
            try:
                natives.append(backend.native_dtype(d))
            except (TypeError, KeyError):   # a dtype this device lacks
                pass
        found = _weak_safe[backend] = frozenset(natives)
    return found


def promoted(x1, x2) -> tuple:
    """``(x1, x2)`` cast to the dtype polygrad's promotion rules give (``_promotion.promote``);
    operands already alike, the common case, are returned at once."""
    if type(x1) is Array:
        if type(x2) is Array:
            if native_of(x1).dtype is native_of(x2).dtype:
                return x1, x2
        elif type(x2) in _PLAIN and native_of(x1).dtype in weak_safe(x1._backend):
            return x1, x2
    elif type(x2) is Array and type(x1) in _PLAIN and \
            native_of(x2).dtype in weak_safe(x2._backend):
        return x1, x2
    # function-level: cycle: _promotion -> _helpers -> _promotion
    from ._promotion import promote

    return promote(x1, x2)


def into(out, result, fname: str):
    """NumPy's ``out=``: ``result`` written into the Array ``out`` (an update, as ``out[...] =
    result``, so it differentiates as one) and ``out`` returned; None: ``result`` itself."""
    if out is None:
        return result
    if isinstance(out, tuple) and len(out) == 1:
        out = out[0]
    if type(out) is not Array:
        raise TypeError(f"polygrad.numpy.{fname}: out must be a polygrad Array, got "
                        f"{type(out).__name__}")
    if out.shape != result.shape:
        raise ValueError(f"polygrad.numpy.{fname}: out has shape {out.shape} but the result has "
                         f"shape {result.shape}")
    out[...] = result
    return out
