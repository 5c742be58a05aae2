"""``asarray``: turning host data and other libraries' arrays into polygrad Arrays.

Imports util, dtypes, backend, array and ops (casts and joins of nested lists holding Arrays);
never an array library (backends do that).
"""

from __future__ import annotations

from typing import Any

from . import _dtypes, _ops
from ._array import Array, native_of
from ._backend import _discover, backend_for, get_backend, get_default_dtype

__all__ = ["asarray"]

_HOST_MODULES = {"numpy", "builtins"}
_NUMBERS = (bool, int, float, complex)
_owner_cache: dict[str, Any] = {}


def _owner(obj: Any) -> Any:
    """The backend class whose library made ``obj``, or None for host data."""
    root = type(obj).__module__.partition(".")[0]
    if root in _HOST_MODULES:
        return None
    if root not in _owner_cache:
        owner = None
        for ep in _discover().values():
            try:
                cls = ep.load()
            except Exception:
                continue
            if root in getattr(cls, "native_modules", ()):
                owner = cls
                break
        _owner_cache[root] = owner
    return _owner_cache[root]


def asarray(obj: Any, /, *, dtype: Any = None, device: Any = None, copy: bool | None = None,
            backend: Any = None) -> Array:
    """Convert ``obj`` to a polygrad Array.

    A polygrad Array is returned as is (or cast/copied); a torch tensor or JAX array is wrapped
    without a copy on its own backend; host data (lists, scalars, NumPy arrays) goes to the current
    backend: shared when that is NumPy, else copied (``copy=False`` shares it where the library
    can). An Array made from a read-only NumPy array without a copy is read-only on every backend
    (``x[i] = v`` raises ``ValueError``, as NumPy does). Python floats get the default float
    dtype. Nested lists holding polygrad Arrays are stacked (on the Arrays' backend, their dtypes
    promoted), so the result is differentiable in them.

    Examples
    --------
    >>> import polygrad.numpy as np
    >>> np.asarray([1, 2]).dtype, np.asarray([1.0, 2.0]).dtype
    (int64, float64)
    """
    want = None if dtype is None else _dtypes.by_name(dtype)
    if isinstance(obj, (list, tuple)) and _holds_array(obj):
        return stack_nested(obj, want)
    if type(obj) is Array:
        if want is not None and obj.dtype != want:
            return _ops.astype(obj, want)
        if copy:
            target = obj._backend
            return Array(target.asarray(native_of(obj), copy=True), target)
        return obj
    if backend is None:
        owner = _owner(obj)
        if owner is not None:
            backend = backend_for(owner.spec_for_native(obj))
        else:
            backend = get_backend()
            if device is not None and str(device) != backend.device:
                backend = backend_for(f"{backend.name}:{device}")
    else:
        backend = backend_for(backend)
    if want is None and _is_python_float_data(obj):
        want = get_default_dtype(backend)
    read_only = copy is not True and _is_read_only_ndarray(obj) and (
        want is None or want.name == str(obj.dtype))
    root = type(obj).__module__.partition(".")[0]
    if copy is None and root not in getattr(backend, "native_modules", ()):
        # host data on a backend whose arrays are not NumPy's (torch, jax, ...) is copied in, so
        # that no write through the Array reaches memory the user did not hand over (copy=False
        # asks to share it: the backend's library does so where it can)
        copy = True
    out = Array(backend.asarray(obj, dtype=want, copy=copy), backend)
    if read_only:
        out._readonly = True   # as NumPy's asarray: x[i] = v raises on every backend
    return out


def stack_nested(obj: list | tuple, dtype: Any = None) -> Array:
    """Nested lists / tuples of Arrays and Python scalars as one Array, stacked level by level
    (differentiable in the Arrays); the leaves' dtypes promote, the scalars weakly. Other
    leaves (NumPy arrays, ...) are converted by ``asarray`` first."""
    leaves: list = []

    def flatten(o: Any) -> Any:
        if isinstance(o, (list, tuple)):
            return [flatten(item) for item in o]
        leaves.append(o if type(o) is Array or type(o) in _NUMBERS else asarray(o))
        return len(leaves) - 1
    structure = flatten(obj)
    arrays = _ops.promote(*leaves)

    def build(node: Any) -> Array:
        if isinstance(node, int):
            return arrays[node]
        parts = [build(n) for n in node]
        if not parts:
            raise ValueError("polygrad.numpy.asarray: an empty list beside Arrays has no shape")
        return _ops.stack(parts)
    out = build(structure)
    return out if dtype is None or out.dtype == dtype else _ops.astype(out, dtype)


def _holds_array(obj: list | tuple) -> bool:
    """Whether nested lists / tuples hold a polygrad Array anywhere (then they are stacked,
    so that derivatives flow through ``asarray([a, 2 * a])``)."""
    types = set(map(type, obj))
    if Array in types:
        return True
    if list in types or tuple in types:
        return any(_holds_array(o) for o in obj if isinstance(o, (list, tuple)))
    return False


def _is_read_only_ndarray(obj: Any) -> bool:
    """A NumPy array (or subclass: a ``memmap`` opened with mode "r") that is not writeable."""
    flags = getattr(obj, "flags", None)
    return flags is not None and not flags.writeable and any(
        c.__name__ == "ndarray" and c.__module__ == "numpy" for c in type(obj).__mro__)


def _is_python_float_data(obj: Any) -> bool:
    while isinstance(obj, (list, tuple)):
        if not obj:
            return False
        obj = obj[0]
    return isinstance(obj, float)
