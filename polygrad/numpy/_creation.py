"""Creation functions of the Array API standard; they place arrays on the current backend.

Creation is not differentiable (``tril``/``triu`` are, and live here as the standard says),
except in values given as Arrays: ``full``'s fill value, ``linspace``'s endpoints, and the
Arrays in lists given to ``asarray``, as in HIPS autograd.
Imports the core and the namespace helpers.
"""

from __future__ import annotations

from typing import Any

from .._batching import trailing_rule
from .._array import Array, native_of
from .._backend import backend_for, get_backend, get_default_dtype, use_backend
from .._convert import asarray as _asarray
from .._dtypes import DType, by_name
from .._primitive import defbatch, deflinear, primitive
from ._helpers import bind
from ._data_types import astype
from ._promotion import promote_to_arrays
from ._manipulation import broadcast_to
from ._manipulation import moveaxis
from ._elementwise import equal, where
from ._manipulation import reshape

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


def asarray(a: Any, dtype: Any = None, order: str | None = None, *, device: Any = None,
            copy: bool | None = None) -> Array:
    """Convert ``a`` to an Array (see the docs of ``polygrad.asarray``); ``order`` (memory
    layout) is accepted and has no effect: polygrad arrays expose no layout.

    Examples
    --------
    >>> import polygrad.numpy as np
    >>> np.asarray([[1.0, 2.0]]).shape
    (1, 2)
    """
    return _asarray(a, dtype=dtype, device=device, copy=copy)


def _shape(shape: Any) -> tuple[int, ...]:
    return (shape,) if isinstance(shape, int) else tuple(shape)


# NumPy's ``order=`` (C or Fortran memory layout) is accepted by the creation functions and has
# no effect: the values are the same, and polygrad arrays expose no layout.
def zeros(shape: Any, dtype: Any = None, order: str = "C", *, device: Any = None) -> Array:
    """An array of zeros (default float dtype of the backend unless ``dtype`` is given)."""
    b = _backend(device)
    return Array(b.xp.zeros(_shape(shape), dtype=_dtype(dtype, b)), b)


def ones(shape: Any, dtype: Any = None, order: str = "C", *, device: Any = None) -> Array:
    """An array of ones."""
    b = _backend(device)
    return Array(b.xp.ones(_shape(shape), dtype=_dtype(dtype, b)), b)


def empty(shape: Any, dtype: Any = None, order: str = "C", *, device: Any = None) -> Array:
    """An uninitialized array."""
    b = _backend(device)
    return Array(b.xp.empty(_shape(shape), dtype=_dtype(dtype, b)), b)


def full(shape: Any, fill_value: Any, dtype: Any = None, order: str = "C", *,
         device: Any = None) -> Array:
    """An array filled with ``fill_value`` (its dtype follows the value unless given).

    An Array ``fill_value`` (0-d, or broadcastable to ``shape``) is differentiable: the result
    is it broadcast to ``shape`` and copied, on its backend.

    Examples
    --------
    >>> import polygrad as pg, polygrad.numpy as np
    >>> float(pg.grad(lambda c: np.sum(np.full((2, 3), c)))(1.5))
    6.0
    """
    if type(fill_value) is Array:
        return _full_of(_shape(shape), fill_value, dtype)
    b = _backend(device)
    if dtype is None:
        dtype = ("bool" if isinstance(fill_value, bool) else "int64"
                 if isinstance(fill_value, int) else "complex128"
                 if isinstance(fill_value, complex) else get_default_dtype(b))
    return Array(b.xp.full(_shape(shape), fill_value, dtype=_dtype(dtype, b)), b)


def _like(x: Any, dtype: Any, device: Any, shape: Any = None):
    if type(x) is not Array:
        x = _asarray(x)
    b = _backend(device, like=x)
    shape = native_of(x).shape if shape is None else _shape(shape)
    return b, _dtype(dtype if dtype is not None else x.dtype, b), shape


# ``subok`` (keep an ndarray subclass) has no effect: Array is polygrad's one array class
def zeros_like(a: Any, dtype: Any = None, order: str = "K", subok: bool = True,
               shape: Any = None, *, device: Any = None) -> Array:
    """Zeros with the shape (and by default dtype, backend and device) of ``a``."""
    b, dt, shape = _like(a, dtype, device, shape)
    return Array(b.xp.zeros(shape, dtype=dt), b)


def ones_like(a: Any, dtype: Any = None, order: str = "K", subok: bool = True,
              shape: Any = None, *, device: Any = None) -> Array:
    """Ones with the shape (and by default dtype, backend and device) of ``a``."""
    b, dt, shape = _like(a, dtype, device, shape)
    return Array(b.xp.ones(shape, dtype=dt), b)


def empty_like(prototype: Any, /, dtype: Any = None, order: str = "K", subok: bool = True,
               shape: Any = None, *, device: Any = None) -> Array:
    """An uninitialized array with the shape (and by default dtype, backend and device) of
    ``prototype``."""
    b, dt, shape = _like(prototype, dtype, device, shape)
    return Array(b.xp.empty(shape, dtype=dt), b)


def full_like(a: Any, fill_value: Any, dtype: Any = None, order: str = "K", subok: bool = True,
              shape: Any = None, *, device: Any = None) -> Array:
    """``a``'s shape filled with ``fill_value`` (differentiable in an Array ``fill_value``)."""
    if type(fill_value) is Array:
        a = a if type(a) is Array else _asarray(a)
        return _full_of(a.shape if shape is None else _shape(shape), fill_value,
                        a.dtype if dtype is None else dtype)
    b, dt, shape = _like(a, dtype, device, shape)
    return Array(b.xp.full(shape, fill_value, dtype=dt), b)


def _full_of(shape: tuple, value: Array, dtype: Any) -> Array:
    # broadcast, then astype: the cast copies the broadcast view into a fresh, writable array

    return astype(broadcast_to(value, shape), value.dtype if dtype is None else dtype)


def arange(start_or_stop: Any, /, stop: Any = None, step: Any = 1, *, dtype: Any = None,
           device: Any = None) -> Array:
    """Evenly spaced values in ``[start, stop)``; integer inputs give int64."""
    start = start_or_stop
    b = _backend(device)
    if dtype is None:
        ints = all(isinstance(v, int) for v in (start, stop, step) if v is not None)
        dtype = "int64" if ints else get_default_dtype(b)
    if stop is None:
        start, stop = 0, start
    return Array(b.xp.arange(start, stop, step, dtype=_dtype(dtype, b)), b)


def linspace(start: Any, stop: Any, num: int = 50, endpoint: bool = True, retstep: bool = False,
             dtype: Any = None, axis: int = 0, *, device: Any = None) -> Any:
    """``num`` evenly spaced values from ``start`` to ``stop`` (NumPy's signature; with
    ``retstep`` a pair ``(values, step)``).

    With an Array ``start`` or ``stop`` the result is composed of differentiable functions, on
    that Array's backend; its dtype is their common floating dtype, as NumPy's. For arrays of
    more than 0 dimensions the new axis is ``axis``.

    Examples
    --------
    >>> import polygrad as pg, polygrad.numpy as np
    >>> pg.grad(lambda b: np.sum(np.linspace(0.0, b, 3)))(np.asarray(2.0)).item()
    1.5
    """
    if type(start) is Array or type(stop) is Array:
        out = _linspace_of(start, stop, num, dtype, endpoint)
        if axis != 0:
            out = moveaxis(out, 0, axis)
    else:
        b = _backend(device)
        out = Array(b.xp.linspace(float(start), float(stop), num, dtype=_dtype(dtype, b),
                                  endpoint=endpoint), b)
    if not retstep:
        return out
    div = num - 1 if endpoint else num
    return out, ((stop - start) / div if div > 0 else float("nan"))


def _linspace_of(start: Any, stop: Any, num: int, dtype: Any, endpoint: bool) -> Array:
    """``linspace`` of Arrays: ``k (stop - start) / div + start`` for k = 0 .. num-1."""
    # function-level: the core module imports this namespace (cycle)
    from .. import _dtypes

    start, stop = promote_to_arrays(start, stop)
    b = start._backend
    if dtype is None:
        dtype = _dtypes.weak_result(start.dtype, 1.0, get_default_dtype(b))
    start, stop = astype(start, dtype, copy=False), astype(stop, dtype, copy=False)
    # k in the real dtype of the result's precision (complex arange is not everywhere)
    # (float16's k in float32, rounded to float16 at the end: arange is exact there to 2**24)
    real = _dtypes.float32 if by_name(dtype) in (_dtypes.float16, _dtypes.float32,
                                                 _dtypes.complex64) else _dtypes.float64
    with use_backend(b):
        k = reshape(arange(num, dtype=real), (num,) + (1,) * max(start.ndim, stop.ndim))
    div = num - 1 if endpoint else num
    delta = stop - start
    y = k * (delta / div if div > 0 else delta) + start
    if endpoint and num > 1:   # the last value is stop itself, as NumPy's
        y = where(equal(k, div), stop, y)
    return y if y.dtype == dtype else astype(y, dtype)


def eye(N: int, M: int | None = None, k: int = 0, dtype: Any = None,  # noqa: N803
        order: str = "C", *, device: Any = None) -> Array:
    """A 2-D array with ones on the ``k``-th diagonal (``N`` rows, ``M`` columns)."""
    b = _backend(device)
    return Array(b.xp.eye(N, M, k=k, dtype=_dtype(dtype, b)), b)


def from_dlpack(x: Any, /, *, device: Any = None, copy: bool | None = None) -> Array:
    """An Array on the current backend from any object with ``__dlpack__``."""
    b = _backend(device)
    return Array(b.xp.from_dlpack(x), b)


def meshgrid(*xi: Array, copy: bool = True, sparse: bool = False,
             indexing: str = "xy") -> tuple[Array, ...]:
    """Coordinate matrices from coordinate vectors (differentiable: broadcasts); ``sparse``:
    each output keeps length one along the other axes."""

    arrays = tuple(a if type(a) is Array else _asarray(a) for a in xi)
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
        a = reshape(a, tuple(view))
        out.append(a if sparse else broadcast_to(a, tuple(shape)))
    return tuple(out)


_tril = primitive("tril", lambda xp: lambda x, k: xp.tril(x, k=k))
defbatch(_tril, trailing_rule(_tril))   # pg.vmap
deflinear(_tril, lambda g, ans, x, k: tril(g, k=k))
_triu = primitive("triu", lambda xp: lambda x, k: xp.triu(x, k=k))
defbatch(_triu, trailing_rule(_triu))   # pg.vmap
deflinear(_triu, lambda g, ans, x, k: triu(g, k=k))


def tril(m: Any, k: int = 0) -> Array:
    """The lower triangle of the last two axes of ``m``."""
    return bind(_tril, (m,), {"k": k})


def triu(m: Any, k: int = 0) -> Array:
    """The upper triangle of the last two axes of ``m``."""
    return bind(_triu, (m,), {"k": k})


tril.primitive = _tril
triu.primitive = _triu
