"""Indexing: ``x[key]`` and ``x[key] = v`` as primitives, plus ``take`` and ``take_along_axis``.

The VJP of indexing is a scatter-add, a kernel each backend may supply natively. Imports the
core and the namespace helpers.
"""

from __future__ import annotations

import weakref
from typing import Any

from .. import _dtypes
from .._batching import setitem_rule
from .._array import Array, native_of
from .._array import check_writable as check_not_readonly
from .._backend import use_backend
from .._indexkey import normal_form
from .._ops import getitem_p, lift_for_key, scatter_add_p   # defined in the core layer
from .._primitive import defbatch, defjvp, defvjp, primitive
from .._reverse import TAPE_LEAF, DifferentiationError, recording_trace
from .._trace import tracing
from ._helpers import apply_native, as_array, bind
from .._convert import asarray
from .._trace import MixedBackendError
from .._reverse import unbroadcast
from ._searching import searchsorted
from ._sorting import argsort
from ._elementwise import equal, where
from ._helpers import into
from ._elementwise import clip, remainder

__all__ = ["take", "take_along_axis", "getitem", "setitem", "scatter_add", "check_writable",
           "propagate", "link_view"]

_BASIC = (int, slice, type(None), type(Ellipsis))


def normalize_key(key: Any, backend: Any, shape: tuple | None = None) -> Any:
    """Index arrays become the backend's own arrays; lists become index arrays. With ``shape``
    (the indexed array's) the key is then put in the normal form every indexing kernel receives
    (see ``polygrad._indexkey``); callers without it pass keys already in that form."""
    if type(key) is not tuple:
        key = (key,)
    out = []
    for k in key:
        if isinstance(k, _BASIC) and not isinstance(k, bool):
            out.append(k)
            continue
        if type(k) is not Array:
            k = asarray(k, backend=backend)
        elif k._backend is not backend:
            raise MixedBackendError(
                f"Array indexing (x[key]): an index array on {k._backend.spec!r} is used on an "
                f"array on {backend.spec!r}; polygrad never copies behind your back: move it with "
                f"Array.to_backend({backend.spec!r})")
        kind = k.dtype.kind
        if kind not in "iub":
            raise IndexError(f"polygrad: arrays used as indices must be integer or boolean, "
                             f"got dtype {k.dtype}")
        out.append(native_of(k))   # (a _Batched of pg.vmap: one index array per example)
    if shape is None:
        return tuple(out)
    return normal_form(tuple(out), shape, lambda i: backend.asarray(i, dtype=_dtypes.int64))




def getitem(x, key):
    """``x[key]`` with basic, integer-array and boolean indexing; basic indexing makes a view
    (see ``_link``)."""
    key = normalize_key(key, x._backend, x.shape)
    x = lift_for_key(x, key)
    if x._trace is None:
        out = apply_native(getitem_p, x._backend, (x._v,), {"key": key})
    else:
        out = bind(getitem_p, (x,), {"key": key})
    if getattr(x, "_readonly", False) and all(isinstance(k, _BASIC) for k in key):
        out._readonly = True   # a view, as NumPy's basic indexing gives, of read-only memory
    if _is_view(key, x):
        link_view(out, x, key)
    return out


def scatter_add(v, *, shape: tuple, key: Any):
    """Zeros of ``shape`` with ``v`` added at ``key`` (repeated positions accumulate)."""
    return bind(scatter_add_p, (lift_for_key(v, key),), {"shape": tuple(shape), "key": key})


def _setitem_kernel(xp):
    def setitem(x, v, key):
        out = xp.asarray(x, copy=True)
        out[key] = v
        return out
    return setitem


# NumPy's x[key] = v: where key selects a position twice, the last write (C order of x[key])
# is the one kept. setitem() hands the kernel values in which every write to a position
# carries that last value (unless the backend keeps the last write itself), so that no
# kernel's order of writes matters; the VJP gives v's cotangent to the last writes only.
setitem_p = primitive("setitem", _setitem_kernel)
defbatch(setitem_p, setitem_rule(setitem_p))   # pg.vmap
defvjp(setitem_p, lambda g, ans, x, v, key: setitem(g, 0.0, key),
       lambda g, ans, x, v, key: _unbroadcast_to(_last_writes_only(getitem(g, key), x, key), v))
defjvp(setitem_p, lambda t, ans, x, v, key: setitem(t, 0.0, key),
       lambda t, ans, x, v, key: setitem(_zeros(ans), t, key))


def _zeros(x):
    # function-level: cycle: _creation -> _manipulation -> _indexing -> _creation
    from ._creation import zeros_like

    return zeros_like(x)


def _unbroadcast_to(c, v):
    return unbroadcast(c, v)


def _may_repeat(key: tuple, backend: Any) -> bool:
    """Whether ``key`` can select one position twice: it holds an integer index array."""
    return any(not isinstance(k, _BASIC) and backend.dtype_of(k).kind != "b" for k in key)


def _last_writer(x, key: Any):
    """For each element of ``x[key]`` (flattened, C order), the index of the last element that
    selects the same position of ``x``; and the shape of ``x[key]``. Reads no values."""
    # function-level: cycle: _creation -> _manipulation -> _indexing -> _creation
    from ._creation import arange
    # function-level: cycle: _manipulation -> _indexing -> _manipulation
    from ._manipulation import reshape

    backend = x._backend
    key = tuple(k if isinstance(k, _BASIC) else Array(k, backend) for k in key)
    with use_backend(backend):
        n = 1
        for d in x.shape:
            n *= d
        pos = getitem(reshape(arange(n), x.shape), key)
        shape, pos = pos.shape, reshape(pos, (-1,))
        order = argsort(pos, stable=True)
        ordered = take(pos, order)
        run_ends = searchsorted(ordered, ordered, side="right") - 1   # last of equal positions
        return take(take(order, run_ends), argsort(order)), shape


def _last_writes_only(c, x, key: Any):
    """``c`` (shaped as ``x[key]``) with zeros where a later element of ``x[key]`` writes the
    same position: the cotangent of the values NumPy's ``x[key] = v`` overwrites is zero."""
    if not _may_repeat(key, x._backend) or c.size == 0:
        return c
    # function-level: cycle: _creation -> _manipulation -> _indexing -> _creation
    from ._creation import arange
    # function-level: cycle: _manipulation -> _indexing -> _manipulation
    from ._manipulation import reshape

    writer, shape = _last_writer(x, key)
    with use_backend(x._backend):
        last = reshape(equal(writer, arange(writer.shape[0])), shape)
    return where(last, c, 0.0)


def _as_last_writes(x, v, key: Any):
    """``v`` broadcast to ``x[key]``'s shape with each element replaced by the value of the last
    element that writes its position: every backend's kernel then writes NumPy's values."""
    if (type(v) is not Array or v.size <= 1 or x._backend.ordered_writes
            or not _may_repeat(key, x._backend)):
        return v
    # function-level: cycle: _manipulation -> _indexing -> _manipulation
    from ._manipulation import broadcast_to, reshape

    writer, shape = _last_writer(x, key)
    if writer.shape[0] == 0:
        return v
    if v.ndim > len(shape):   # NumPy drops leading axes of length 1
        v = reshape(v, v.shape[v.ndim - len(shape):])
    flat = reshape(broadcast_to(v, shape), (-1,))
    return reshape(take(flat, writer), shape)


def setitem(x, v, key):
    """A copy of ``x`` with ``x[key] = v`` (the functional update behind ``__setitem__``)."""
    x = lift_for_key(x, key)   # (a per-example index array: vmap's rule refuses, clearly)
    return bind(setitem_p, (x, _as_last_writes(x, v, key)), {"key": key})


def array_setitem(self: Array, key: Any, value: Any) -> None:
    """``x[key] = value``: in place on mutable backends outside differentiated code; otherwise
    the Array is rebound to a functionally updated buffer, so derivatives stay correct. Either
    way the arrays ``x`` is a view of, and the views of ``x``, see the write."""
    check_writable(self, "Array.__setitem__")
    backend = self._backend
    key = normalize_key(key, backend, self.shape)
    if type(value) is Array and value._backend is not backend:
        raise MixedBackendError(
            f"Array.__setitem__: the value lives on {value._backend.spec!r} but the array "
            f"on {backend.spec!r}; move it with Array.to_backend({backend.spec!r})")
    _write(self, key, value)
    propagate(self)


def _write(self: Array, key: tuple, value: Any) -> None:
    trace = self._trace
    backend = self._backend
    traced = trace is not None and trace is not TAPE_LEAF and trace.active
    if type(value) is Array:
        traced = traced or (value._trace is not None and value._trace.active)
    if traced:
        new = setitem(self, value, key)
        self._v, self._trace, self._aux = new._v, new._trace, new._aux
        return
    native = native_of(self)
    if not backend.ordered_writes and _may_repeat(key, backend):
        if type(value) is not Array and not isinstance(value, (int, float, complex)):
            value = asarray(value, backend=backend)
        value = _as_last_writes(self, value, key)
    v = native_of(value) if type(value) is Array else value
    if backend.mutable and not tracing():
        native = backend.setitem_inplace(native, key, v)
    else:
        native = apply_native(setitem_p, backend, (native, v), {"key": key})._v
    self._v = native
    if trace is TAPE_LEAF:
        self._aux = None
    else:
        self._trace = self._aux = None


# -- views -------------------------------------------------------------------------------------
# Basic indexing (ints, slices, None, ...) makes a view, as in NumPy: a write into the view
# reaches its base, and a write into the base reaches all of its views, on every backend and in
# differentiated code. polygrad keeps the links itself (view._base, base._views) rather than
# relying on shared memory, which JAX and dask lack and a traced array never has; where a write
# landed in memory the two share already (NumPy, torch, strict, eagerly), the link is not
# followed.
def _is_view(key: tuple, x: Array) -> bool:
    """Whether NumPy's ``x[key]`` is a view: basic entries only, and not one int per axis
    (that gives a scalar, a copy)."""
    ints = 0
    for k in key:
        if type(k) is int:
            ints += 1
        elif not (type(k) is slice or k is None or k is Ellipsis):
            return False
    return ints < len(key) or ints < x.ndim


_WHOLE = (Ellipsis,)


def link_view(view: Array, base: Array, key: tuple = _WHOLE, read: Any = None,
              unread: Any = None, arg: Any = None) -> None:
    """Make ``view`` a view of ``base``: ``base[key]`` (basic indexing), or else
    ``read(base, arg)`` for a function whose inverse ``unread(view, base, arg)`` gives the
    values ``base[key]`` takes back (reshape, permute_dims: the whole of ``base``)."""
    view._base = (base, key, read, unread, arg)
    views = getattr(base, "_views", None)
    if views is None:
        base._views = [weakref.ref(view)]
        return
    n = len(views)
    if n >= 8 and not n & (n - 1):   # dead views are dropped as the list doubles
        views[:] = [r for r in views if r() is not None]
    views.append(weakref.ref(view))


def check_writable(x: Array, what: str) -> None:
    """Raise if ``x`` was made from read-only NumPy memory, or if writing into it would write
    into an ``attach_grad`` array while recording."""
    check_not_readonly(x, what)
    if recording_trace() is None:
        return
    a = x
    while a is not None:
        if a._trace is TAPE_LEAF:
            whose = "an array with attach_grad()" if a is x else \
                "a view of an array with attach_grad()"
            raise DifferentiationError(f"{what}: cannot write into {whose} while recording; "
                                       f"write outside record(), or into a copy")
        link = getattr(a, "_base", None)
        a = link[0] if link is not None else None


def _shares(view: Array, base: Array) -> bool:
    """Whether ``view`` still lies in ``base``'s memory (so a write to one is in the other)."""
    v, b = view._v, base._v
    return (type(v) is not Array and type(b) is not Array and base._backend.mutable
            and not tracing() and base._backend.shares_memory(v, b))


def propagate(x: Array, source: Array | None = None) -> None:
    """After ``x`` was written: its views (but ``source``, where the write came from) and the
    array it is a view of see the change, and theirs in turn."""
    views = getattr(x, "_views", None)
    if views:
        for ref in list(views):
            w = ref()
            if w is not None and w is not source:
                _refresh(w)
    link = getattr(x, "_base", None)
    if link is not None:
        base, key, _, unread, arg = link
        if not _shares(x, base):
            _write(base, key, x if unread is None else unread(x, base, arg))
        propagate(base, x)


def _refresh(view: Array) -> None:
    """Rebind ``view`` to its base's current elements, and its own views in turn."""
    base, key, read, _, arg = view._base
    if not _shares(view, base):
        new = getitem(base, key) if read is None else read(base, arg)
        new._base = None
        if view._trace is TAPE_LEAF and new._trace is None:
            view._v, view._aux = new._v, None
        else:
            view._v, view._trace, view._aux = new._v, new._trace, new._aux
    views = getattr(view, "_views", None)
    if views:
        for ref in list(views):
            w = ref()
            if w is not None:
                _refresh(w)


def take(a, indices, axis: int | None = None, out=None, mode: str = "raise"):
    """Elements of ``a`` at integer ``indices`` along ``axis`` (``a`` flattened when None);
    ``mode`` "wrap" or "clip" brings out-of-range indices into range, as NumPy's."""
    # function-level: cycle: _manipulation -> _indexing -> _manipulation
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
    # function-level: cycle: _creation -> _manipulation -> _indexing -> _creation
    from ._creation import arange
    # function-level: cycle: _manipulation -> _indexing -> _manipulation
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

