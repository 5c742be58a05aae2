"""Creation functions of the Array API standard; they place arrays on the current backend.

Creation is not differentiable (``tril``/``triu`` are, and live here as the standard says).
Imports the core and the namespace helpers.
"""

from __future__ import annotations

from typing import Any

from .._array import Array, native_of
from .._backend import backend_for, get_backend, get_default_dtype
from .._convert import asarray as _asarray
from .._dtypes import DType, by_name
from .._primitive import deflinear, primitive
from ._helpers import bind

__all__ = ["arange", "asarray", "empty", "empty_like", "eye", "from_dlpack", "full",
           "full_like", "linspace", "meshgrid", "ones", "ones_like", "tril", "triu", "zeros",
           "zeros_like"]


def _backend(device: Any = None, like: Array | None = None):
    if like is not None:
        backend = like._backend
        if device is None or str(device) == backend.device:
            return backend
        return backend_for(f"{backend.name}:{device}")
    backend = get_backend()
    if device is not None and str(device) != backend.device:
        backend = backend_for(f"{backend.name}:{device}")
    return backend


def _dtype(dtype: Any, backend, default: DType | None = None):
    if dtype is None:
        dtype = default if default is not None else get_default_dtype(backend)
    return backend.native_dtype(by_name(dtype))


def asarray(obj: Any, /, *, dtype: Any = None, device: Any = None, copy: bool | None = None
            ) -> Array:
    """Convert ``obj`` to an Array (see the docs of ``polygrad.asarray``).

    Examples
    --------
    >>> import polygrad.numpy as np
    >>> np.asarray([[1.0, 2.0]]).shape
    (1, 2)
    """
    return _asarray(obj, dtype=dtype, device=device, copy=copy)


def _shape(shape: Any) -> tuple[int, ...]:
    return (shape,) if isinstance(shape, int) else tuple(shape)


def zeros(shape: Any, *, dtype: Any = None, device: Any = None) -> Array:
    """An array of zeros (default float dtype of the backend unless ``dtype`` is given)."""
    b = _backend(device)
    return Array(b.xp.zeros(_shape(shape), dtype=_dtype(dtype, b)), b)


def ones(shape: Any, *, dtype: Any = None, device: Any = None) -> Array:
    """An array of ones."""
    b = _backend(device)
    return Array(b.xp.ones(_shape(shape), dtype=_dtype(dtype, b)), b)


def empty(shape: Any, *, dtype: Any = None, device: Any = None) -> Array:
    """An uninitialized array."""
    b = _backend(device)
    return Array(b.xp.empty(_shape(shape), dtype=_dtype(dtype, b)), b)


def full(shape: Any, fill_value: Any, *, dtype: Any = None, device: Any = None) -> Array:
    """An array filled with ``fill_value`` (its dtype follows the value unless given)."""
    b = _backend(device)
    if dtype is None:
        dtype = ("bool" if isinstance(fill_value, bool) else "int64"
                 if isinstance(fill_value, int) else "complex128"
                 if isinstance(fill_value, complex) else get_default_dtype(b))
    return Array(b.xp.full(_shape(shape), fill_value, dtype=_dtype(dtype, b)), b)


def _like(x: Any, dtype: Any, device: Any):
    if type(x) is not Array:
        x = _asarray(x)
    b = _backend(device, like=x)
    return b, _dtype(dtype if dtype is not None else x.dtype, b), native_of(x).shape


def zeros_like(x: Any, /, *, dtype: Any = None, device: Any = None) -> Array:
    """Zeros with the shape (and by default dtype, backend and device) of ``x``."""
    b, dt, shape = _like(x, dtype, device)
    return Array(b.xp.zeros(shape, dtype=dt), b)


def ones_like(x: Any, /, *, dtype: Any = None, device: Any = None) -> Array:
    """Ones with the shape (and by default dtype, backend and device) of ``x``."""
    b, dt, shape = _like(x, dtype, device)
    return Array(b.xp.ones(shape, dtype=dt), b)


def empty_like(x: Any, /, *, dtype: Any = None, device: Any = None) -> Array:
    b, dt, shape = _like(x, dtype, device)
    return Array(b.xp.empty(shape, dtype=dt), b)


def full_like(x: Any, /, fill_value: Any, *, dtype: Any = None, device: Any = None) -> Array:
    b, dt, shape = _like(x, dtype, device)
    return Array(b.xp.full(shape, fill_value, dtype=dt), b)


def arange(start: Any, /, stop: Any = None, step: Any = 1, *, dtype: Any = None,
           device: Any = None) -> Array:
    """Evenly spaced values in ``[start, stop)``; integer inputs give int64."""
    b = _backend(device)
    if dtype is None:
        ints = all(isinstance(v, int) for v in (start, stop, step) if v is not None)
        dtype = "int64" if ints else get_default_dtype(b)
    if stop is None:
        start, stop = 0, start
    return Array(b.xp.arange(start, stop, step, dtype=_dtype(dtype, b)), b)


def linspace(start: Any, stop: Any, /, num: int = 50, *, dtype: Any = None, device: Any = None,
             endpoint: bool = True) -> Array:
    """``num`` evenly spaced values from ``start`` to ``stop``."""
    b = _backend(device)
    return Array(b.xp.linspace(float(start), float(stop), num, dtype=_dtype(dtype, b),
                               endpoint=endpoint), b)


def eye(n_rows: int, n_cols: int | None = None, /, *, k: int = 0, dtype: Any = None,
        device: Any = None) -> Array:
    """A 2-D array with ones on the ``k``-th diagonal."""
    b = _backend(device)
    return Array(b.xp.eye(n_rows, n_cols, k=k, dtype=_dtype(dtype, b)), b)


def from_dlpack(x: Any, /, *, device: Any = None, copy: bool | None = None) -> Array:
    """An Array on the current backend from any object with ``__dlpack__``."""
    b = _backend(device)
    return Array(b.xp.from_dlpack(x), b)


def meshgrid(*arrays: Array, indexing: str = "xy") -> tuple[Array, ...]:
    """Coordinate matrices from coordinate vectors (differentiable: broadcasts)."""
    from ._manipulation import broadcast_to, reshape

    n = len(arrays)
    shape = [a.shape[0] for a in arrays]
    if indexing == "xy" and n > 1:
        shape[0], shape[1] = shape[1], shape[0]
    out = []
    for i, a in enumerate(arrays):
        pos = i
        if indexing == "xy" and n > 1 and i < 2:
            pos = 1 - i
        view = [1] * n
        view[pos] = a.shape[0]
        out.append(broadcast_to(reshape(a, tuple(view)), tuple(shape)))
    return tuple(out)


_tril = primitive("tril", lambda xp: lambda x, k: xp.tril(x, k=k))
deflinear(_tril, lambda g, ans, x, k: tril(g, k=k))
_triu = primitive("triu", lambda xp: lambda x, k: xp.triu(x, k=k))
deflinear(_triu, lambda g, ans, x, k: triu(g, k=k))


def tril(x: Any, /, *, k: int = 0) -> Array:
    """The lower triangle of the last two axes of ``x``."""
    return bind(_tril, (x,), {"k": k})


def triu(x: Any, /, *, k: int = 0) -> Array:
    """The upper triangle of the last two axes of ``x``."""
    return bind(_triu, (x,), {"k": k})


tril.primitive = _tril
triu.primitive = _triu
