"""Builders for namespace functions: each registers a primitive and returns its public function.

The public function of an elementwise primitive is the core's entry (``_trace.unary_entry``,
``binary_entry``): ``bind``'s concrete fast path when its inputs are concrete arrays of one
backend and dtype, a tracer straight to its trace, and otherwise the builder's ``slow`` path
(promotion, then ``bind``). Imports the core only.
"""

from __future__ import annotations

from collections.abc import Callable

from .._array import Array, native_of
from .._batching import elementwise_rule
from .._primitive import Primitive, Variadic, defbatch, defjvp, defunary, defvjp, nondiff, primitive
from .._trace import apply_native, binary_entry, bind, unary_entry
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

    def slow(x):
        if inexact and type(x) is Array and not x.dtype.is_floating:
            # function-level: cycle: _promotion -> _helpers -> _promotion
            from ._promotion import promote_inexact

            (x,) = promote_inexact(x)
        return bind(prim, (x,), EMPTY)

    # the concrete and traced fast paths: the core's (_trace), where kernels are called
    fn = unary_entry(prim, slow, _weak_safe if inexact else None, weak_safe)
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

    def slow(x1, x2):
        if inexact:
            # function-level: cycle: _promotion -> _helpers -> _promotion
            from ._promotion import promote_inexact

            return bind(prim, promote_inexact(x1, x2), EMPTY)
        return bind(prim, promoted(x1, x2), EMPTY)

    fn = binary_entry(prim, slow, _weak_safe, weak_safe, inexact)
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
        for d in (_dtypes.float16, _dtypes.float32, _dtypes.float64, _dtypes.complex64,
                  _dtypes.complex128):
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
