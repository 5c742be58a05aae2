"""Traces and ``bind``: how a primitive call finds the innermost active trace or runs concretely.

Every trace has a unique, increasing level; a primitive applied to tracers is handled by the
trace of highest level among its arguments, which unboxes them one level and binds again, so
nested ``grad(grad(f))`` never confuses perturbations. Imports util, dtypes, backend, array and
debug.
"""

from __future__ import annotations

import contextvars
import itertools
import sys
from collections.abc import Callable
from typing import Any

from . import _debug
from ._array import Array
from ._backend import get_backend

__all__ = ["Trace", "bind", "apply_concrete", "apply_native", "apply_native1", "apply_native2",
           "unary_entry", "binary_entry", "trace_scope", "tracing", "MixedBackendError"]

_levels = itertools.count(1)
_SCALARS = (int, float, complex, bool, type(None))
_depth: contextvars.ContextVar[int] = contextvars.ContextVar("polygrad_trace_depth", default=0)
# how many pg.vmap traces are active (non-differentiable primitives then go through the traces)
_batching: contextvars.ContextVar[int] = contextvars.ContextVar("polygrad_batching", default=0)


class MixedBackendError(ValueError):
    """Arrays of two backends or devices met in one operation."""


class Trace:
    """Base of the reverse (``grad``, ``record``) and forward (``jvp``) traces."""

    __slots__ = ("level", "active")
    kind = "trace"
    batching = False   # a vmap trace: it also handles non-differentiable primitives
    #: its tracers hold no values (``make_graph``, ``pg.jit``'s replay): it records even the
    #: non-differentiable primitives, which every other trace leaves to run concretely
    symbolic = False

    def __init__(self) -> None:
        self.level = next(_levels)
        self.active = True

    def process(self, prim: Any, args: tuple, params: dict) -> Any:
        raise NotImplementedError

    def describe(self) -> str:
        return f"{self.kind} (level {self.level})"


class trace_scope:   # noqa: N801 (used as a function: ``with trace_scope(trace):``)
    """Keep ``trace`` active inside the block; afterwards its tracers act as their values.

    A class rather than a generator context manager: it is entered once per ``grad`` call.
    """

    __slots__ = ("trace", "token", "btoken")

    def __init__(self, trace: Trace) -> None:
        self.trace = trace

    def __enter__(self) -> Trace:
        self.token = _depth.set(_depth.get() + 1)
        if self.trace.batching:
            self.btoken = _batching.set(_batching.get() + 1)
        return self.trace

    def __exit__(self, *exc: object) -> None:
        self.trace.active = False
        _depth.reset(self.token)
        if self.trace.batching:
            _batching.reset(self.btoken)


def tracing() -> bool:
    """Whether any trace is active in this thread or task (in-place writes then copy)."""
    return _depth.get() > 0


#: set by ``_graph`` while a program with dynamic axes is traced: a primitive on values alone
#: whose arguments or parameters hold a size of a dynamic axis is recorded, not computed
sized_hook: Any = None


def bind(prim: Any, args: tuple, params: dict) -> Any:
    """Apply ``prim`` to ``args``: through the innermost active trace, or concretely."""
    top = None
    ended = False
    for a in args:
        if type(a) is Array:
            t = a._trace
            if t is not None:
                if t.active:
                    if top is None or t.level > top.level:
                        top = t
                elif type(a._v) is Array and a._v._trace is not None:
                    ended = True
    if ended:   # a tracer of an ended trace over one of a live trace: it acts as its value
        return bind(prim, tuple(_value(a) for a in args), params)
    if top is None:
        if sized_hook is not None:   # a replay trace with dynamic axes is running somewhere
            out = sized_hook(prim, args, params)
            if out is not NotImplemented:
                return out
        return apply_concrete(prim, args, params)
    if prim.nondiff:
        for a in args:   # a symbolic trace (make_graph, replay jit) records these too
            while type(a) is Array:
                t = a._trace
                if t is not None and t.symbolic and t.active:
                    return t.process(prim, args, params)
                a = a._v
        if not _batching.get():   # no vmap active: no trace level cares
            return apply_concrete(prim, args, params)
        if not top.batching:   # a derivative trace: pass the values one level down
            return bind(prim, tuple(a._v if type(a) is Array and a._trace is top else a
                                    for a in args), params)
    return top.process(prim, args, params)


def _value(a: Any) -> Any:
    while type(a) is Array and a._trace is not None and not a._trace.active and \
            type(a._v) is Array:
        a = a._v
    return a


def apply_concrete(prim: Any, args: tuple, params: dict) -> Any:
    """Run the backend kernel of ``prim`` on the values behind ``args``."""
    backend = None
    natives = []
    for a in args:
        if type(a) is not Array:
            if isinstance(a, _SCALARS):
                natives.append(a)
                continue
            a = _wrap(a)
        v = a._v
        while type(v) is Array:
            v = v._v
        if backend is None:
            backend = a._backend
        elif a._backend is not backend:
            raise _mixed(prim, backend, a._backend)
        natives.append(v)
    if backend is None:   # only Python scalars: make arrays of one common dtype
        backend = get_backend()
        kind = complex if any(isinstance(v, complex) for v in natives) else \
            float if any(isinstance(v, float) for v in natives) else None
        natives = [v if v is None else backend.asarray(kind(v) if kind else v) for v in natives]
    kernel = prim.resolved.get(backend)   # apply_native, written out (one call fewer)
    if kernel is None or _debug.ON or prim.multiple_results:
        return apply_native(prim, backend, natives, params)
    return Array(kernel(*natives, **params), backend)


def kernel_for(prim: Any, backend: Any) -> Any:
    """``prim``'s kernel on ``backend``, resolved and cached on first use.

    For the replay compiler (``_graph``), whose generated programs call kernels directly; every
    other caller goes through ``bind`` / ``apply_native``.
    """
    kernel = prim.resolved.get(backend)
    return kernel if kernel is not None else prim.resolve(backend)


def apply_native(prim: Any, backend: Any, natives: tuple | list, params: dict) -> Any:
    """The concrete fast path: ``prim``'s kernel on ``backend`` applied to native arrays (and
    Python scalars) the caller has already checked, the result wrapped as Array(s).

    The one place a kernel is looked up and called: ``apply_concrete`` ends here, and so do the
    namespace's fast paths (``numpy/_helpers.py``) and the reverse trace's, which skip
    ``apply_concrete``'s per-argument checks when they know the arguments' kinds already. A
    caller validates its arguments before it gets here, so that an error never depends on
    whether the kernel was cached.
    """
    kernel = prim.resolved.get(backend)
    if kernel is None:
        kernel = prim.resolve(backend)
    out = kernel(*natives, **params)
    if _debug.ON:
        _debug.check_forward(prim, backend, natives, out)
    if prim.multiple_results:
        return tuple(Array(o, backend) for o in out)
    return Array(out, backend)


def apply_native1(prim: Any, backend: Any, v: Any) -> Array:
    """``apply_native(prim, backend, (v,), {})`` for a one-output primitive, without the tuple
    and keyword packing: the namespace's unary functions on concrete arrays (1.28 -> 1.48 µs
    per call through ``apply_native``, measured on sin, tanh, * and + of float64[16])."""
    kernel = prim.resolved.get(backend)
    if kernel is None:
        kernel = prim.resolve(backend)
    out = kernel(v)
    if _debug.ON:
        _debug.check_forward(prim, backend, (v,), out)
    return Array(out, backend)


def apply_native2(prim: Any, backend: Any, v1: Any, v2: Any) -> Array:
    """``apply_native(prim, backend, (v1, v2), {})`` for a one-output primitive, unpacked (the
    namespace's binary functions on concrete arrays)."""
    kernel = prim.resolved.get(backend)
    if kernel is None:
        kernel = prim.resolve(backend)
    out = kernel(v1, v2)
    if _debug.ON:
        _debug.check_forward(prim, backend, (v1, v2), out)
    return Array(out, backend)


_EMPTY: dict = {}
_PLAIN = (int, float)


def unary_entry(prim: Any, slow: Callable, safe: dict | None = None,
                fill: Callable | None = None) -> Callable:
    """The public function of a one-argument elementwise primitive: ``bind``'s two fast paths
    written out for one argument, everything else ``slow(x)`` (the namespace's promotion, then
    ``bind``).

    A concrete Array runs ``prim``'s kernel here, in this function's own frame (when resolved
    and debug mode is off; else through ``apply_native1``); a tracer of an active trace goes
    to that trace's ``process``. ``safe`` (a dict backend -> frozenset of native dtypes,
    filled by ``fill(backend)``): when given, only arrays of those dtypes take the concrete
    path (an integer argument of ``sin`` is promoted by ``slow`` first). Written here, not in
    the namespace, so that kernels are looked up and called in this module (and the reverse
    trace's fast path) only; one call fewer per operation than calling ``apply_native1``
    (with ``apply_concrete``'s own kernel call and the multiply rules calling ``multiply``:
    43,500 -> 42,300 instructions per primitive on case A of benchmarks/, cachegrind).
    """
    resolved = prim.resolved

    def fn(x, /):
        if type(x) is Array:
            t = x._trace
            if t is None:
                b = x._backend
                v = x._v
                if safe is None or v.dtype in (safe.get(b) or fill(b)):
                    k = resolved.get(b)
                    if k is not None and not _debug.ON:
                        return Array(k(v), b)
                    return apply_native1(prim, b, v)
            elif t.active and not prim.nondiff:
                return t.process(prim, (x,), _EMPTY)
        return slow(x)
    return fn


def binary_entry(prim: Any, slow: Callable, safe: dict, fill: Callable,
                 inexact: bool = False) -> Callable:
    """The public function of a two-argument elementwise primitive, as ``unary_entry``: two
    concrete Arrays of one backend and dtype, or a concrete Array of a dtype in
    ``safe[backend]`` beside a Python int or float (NumPy's weak scalar: the array's dtype
    wins on every backend) run the kernel here; a tracer beside a Python int or float goes to
    its trace; everything else is ``slow(x1, x2)``. ``inexact`` (true division): two arrays
    take the concrete path only if their dtype is in ``safe`` too."""
    resolved = prim.resolved

    def fn(x1, x2, /):
        if type(x1) is Array:
            t1 = x1._trace
            t2 = type(x2)
            if t1 is None:
                b = x1._backend
                v1 = x1._v
                if t2 is Array:
                    if x2._trace is None and x2._backend is b and v1.dtype is x2._v.dtype and \
                            (not inexact or v1.dtype in (safe.get(b) or fill(b))):
                        k = resolved.get(b)
                        if k is not None and not _debug.ON:
                            return Array(k(v1, x2._v), b)
                        return apply_native2(prim, b, v1, x2._v)
                elif t2 in _PLAIN and v1.dtype in (safe.get(b) or fill(b)):
                    k = resolved.get(b)
                    if k is not None and not _debug.ON:
                        return Array(k(v1, x2), b)
                    return apply_native2(prim, b, v1, x2)
            elif t2 in _PLAIN and t1.active and not prim.nondiff:
                # a tracer is floating (every leaf is): the scalar keeps its dtype everywhere
                return t1.process(prim, (x1, x2), _EMPTY)
        elif type(x2) is Array and type(x1) in _PLAIN:   # 1 - x, 2 * x, ...
            t2 = x2._trace
            if t2 is None:
                b = x2._backend
                v2 = x2._v
                if v2.dtype in (safe.get(b) or fill(b)):
                    k = resolved.get(b)
                    if k is not None and not _debug.ON:
                        return Array(k(x1, v2), b)
                    return apply_native2(prim, b, x1, v2)
            elif t2.active and not prim.nondiff:
                return t2.process(prim, (x1, x2), _EMPTY)
        return slow(x1, x2)
    return fn


def _wrap(obj: Any) -> Array:
    from ._convert import asarray

    return asarray(obj)


def _mixed(prim: Any, first: Any, second: Any) -> MixedBackendError:
    return MixedBackendError(
        f"{public_name(prim)}: its arguments live on two backends or devices, {first.spec!r} "
        f"and {second.spec!r}; polygrad never copies behind your back: move one explicitly with "
        f"Array.to_backend({first.spec!r}) (or Array.to_device(...) for another device)")


def public_name(prim: Any) -> str:
    """The name a user calls ``prim`` by, for error messages (``polygrad.numpy.linalg.solve``)."""
    name = prim.name
    if name in ("getitem", "setitem"):
        return f"Array.__{name}__"
    for sub in ("linalg", "fft"):
        if name.startswith(sub + "_"):
            return f"polygrad.numpy.{sub}.{name[len(sub) + 1:]}"
    special = sys.modules.get("polygrad.special")
    if special is not None and name in getattr(special, "__all__", ()):
        return f"polygrad.special.{name}"
    return f"polygrad.numpy.{name}"
