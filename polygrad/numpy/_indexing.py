"""Indexing: ``x[key]`` and ``x[key] = v`` as primitives, plus ``take`` and ``take_along_axis``.

The VJP of indexing is a scatter-add, a kernel each backend may supply natively. Imports the
core and the namespace helpers.
"""

from __future__ import annotations

from typing import Any

from .._array import Array, native_of
from .._backend import use_backend
from .._primitive import defjvp, deflinear, defvjp, primitive
from .._reverse import TAPE_LEAF, DifferentiationError, recording_trace
from .._trace import tracing
from ._helpers import as_array, bind

__all__ = ["take", "take_along_axis", "getitem", "setitem", "scatter_add"]

_BASIC = (int, slice, type(None), type(Ellipsis))


def normalize_key(key: Any, backend: Any) -> Any:
    """Index arrays become the backend's own arrays; lists become index arrays."""
    if type(key) is not tuple:
        key = (key,)
    out = []
    for k in key:
        if isinstance(k, _BASIC) and not isinstance(k, bool):
            out.append(k)
            continue
        if type(k) is not Array:
            from .._convert import asarray

            k = asarray(k, backend=backend)
        elif k._backend is not backend:
            from .._trace import MixedBackendError

            raise MixedBackendError(
                f"Array indexing (x[key]): an index array on {k._backend.spec!r} is used on an "
                f"array on {backend.spec!r}; polygrad never copies behind your back: move it with "
                f"Array.to_backend({backend.spec!r})")
        kind = k.dtype.kind
        if kind not in "iub":
            raise IndexError(f"polygrad: arrays used as indices must be integer or boolean, "
                             f"got dtype {k.dtype}")
        out.append(native_of(k))
    return tuple(out)


def _getitem_kernel(xp):
    return lambda x, key: x[key]


getitem_p = primitive("getitem", _getitem_kernel)
deflinear(getitem_p, lambda g, ans, x, key: scatter_add(g, shape=x.shape, key=key))


def getitem(x, key):
    """``x[key]`` with basic, integer-array and boolean indexing."""
    key = normalize_key(key, x._backend)
    if x._trace is None:
        k = getitem_p.kernels.get(x._backend)
        if k is not None:
            return Array(k(x._v, key), x._backend)
    return bind(getitem_p, (x,), {"key": key})


def _scatter_add_kernel(xp):
    def scatter_add(v, shape, key):
        out = xp.zeros(shape, dtype=v.dtype)
        out[key] = v   # correct for keys without repeated positions; backends override
        return out
    return scatter_add


scatter_add_p = primitive("scatter_add", _scatter_add_kernel)
deflinear(scatter_add_p, lambda g, ans, v, shape, key: getitem(g, key))


def scatter_add(v, *, shape: tuple, key: Any):
    """Zeros of ``shape`` with ``v`` added at ``key`` (repeated positions accumulate)."""
    return bind(scatter_add_p, (v,), {"shape": tuple(shape), "key": key})


def _setitem_kernel(xp):
    def setitem(x, v, key):
        out = xp.asarray(x, copy=True)
        out[key] = v
        return out
    return setitem


setitem_p = primitive("setitem", _setitem_kernel)
defvjp(setitem_p, lambda g, ans, x, v, key: setitem(g, 0.0, key),
       lambda g, ans, x, v, key: _unbroadcast_to(getitem(g, key), v))
defjvp(setitem_p, lambda t, ans, x, v, key: setitem(t, 0.0, key),
       lambda t, ans, x, v, key: setitem(_zeros(ans), t, key))


def _zeros(x):
    from ._creation import zeros_like

    return zeros_like(x)


def _unbroadcast_to(c, v):
    from .._reverse import unbroadcast

    return unbroadcast(c, v)


def setitem(x, v, key):
    """A copy of ``x`` with ``x[key] = v`` (the functional update behind ``__setitem__``)."""
    return bind(setitem_p, (x, v), {"key": key})


def array_setitem(self: Array, key: Any, value: Any) -> None:
    """``x[key] = value``: in place on mutable backends outside differentiated code; otherwise
    the Array is rebound to a functionally updated buffer, so derivatives stay correct."""
    trace = self._trace
    if trace is TAPE_LEAF and recording_trace() is not None:
        raise DifferentiationError("Array.__setitem__: cannot assign into an array with "
                                   "attach_grad() while recording; assign outside record()")
    backend = self._backend
    key = normalize_key(key, backend)
    traced = trace is not None and trace is not TAPE_LEAF and trace.active
    if type(value) is Array:
        if value._backend is not backend:
            from .._trace import MixedBackendError

            raise MixedBackendError(
                f"Array.__setitem__: the value lives on {value._backend.spec!r} but the array "
                f"on {backend.spec!r}; move it with Array.to_backend({backend.spec!r})")
        traced = traced or (value._trace is not None and value._trace.active)
    if traced:
        new = setitem(self, value, key)
        self._v, self._trace, self._aux = new._v, new._trace, new._aux
        return
    native = native_of(self)
    v = native_of(value) if type(value) is Array else value
    if backend.mutable and not tracing():
        native = backend.setitem_inplace(native, key, v)
    else:
        k = setitem_p.kernels.get(backend) or setitem_p.resolve(backend)
        native = k(native, v, key)
    self._v = native
    if trace is TAPE_LEAF:
        self._aux = None
    else:
        self._trace = self._aux = None


def take(a, indices, axis: int | None = None, out=None, mode: str = "raise"):
    """Elements of ``a`` at integer ``indices`` along ``axis`` (``a`` flattened when None);
    ``mode`` "wrap" or "clip" brings out-of-range indices into range, as NumPy's."""
    from ._helpers import into
    from ._manipulation import reshape

    x = as_array(a)
    if axis is None:
        if x.ndim != 1:
            x = reshape(x, (-1,))
        axis = 0
    axis = axis % x.ndim
    if mode != "raise":
        indices = _in_range(indices, x.shape[axis], mode, x)
    return into(out, getitem(x, (slice(None),) * axis + (indices,)), "take")


def _in_range(indices, n: int, mode: str, x: Array):
    from ._elementwise import clip, remainder

    with use_backend(x._backend):
        indices = as_array(indices)
    if mode == "wrap":
        return remainder(indices, n)
    if mode == "clip":
        return clip(indices, 0, n - 1)
    raise ValueError(f"polygrad.numpy.take: mode must be 'raise', 'wrap' or 'clip', got "
                     f"{mode!r}")


def take_along_axis(arr, indices, axis: int | None = -1):
    """Pick values of ``arr`` at ``indices`` along ``axis``, matching the other axes (``arr``
    flattened when None, as NumPy's)."""
    from ._creation import arange
    from ._manipulation import reshape

    x = as_array(arr)
    indices = as_array(indices)
    if axis is None:
        x, axis = reshape(x, (-1,)), 0
    axis = axis % x.ndim
    key = []
    for d in range(x.ndim):
        if d == axis:
            key.append(indices)
        else:
            shape = [1] * x.ndim
            shape[d] = x.shape[d]
            with use_backend(x._backend):
                key.append(reshape(arange(x.shape[d]), tuple(shape)))
    return getitem(x, tuple(key))

