"""The ``Array`` class: one array type for every backend, concrete or being traced.

Imports only polygrad's util, dtypes and backend modules, and the ``numpy.ndarray`` methods'
mixin (``_ndarray``). Operators are installed on the class by ``polygrad.numpy._array_methods``
once the namespace exists.
"""

from __future__ import annotations

from typing import Any

from ._dtypes import DType
from ._ndarray import NDArrayMethods

__all__ = ["Array", "native_of", "check_writable", "carried_trace", "DifferentiationError"]


class DifferentiationError(TypeError):
    """A derivative was asked of something that has none (or whose graph is gone), or an array
    that carries one was read out to the host."""

    __module__ = "polygrad"   # raised to users as pg.DifferentiationError


class Array(NDArrayMethods):
    """An n-dimensional array on some backend and device, possibly being differentiated.

    Arrays are made with ``polygrad.numpy`` functions (``np.asarray``, ``np.zeros``, ...), never
    by calling ``Array`` directly. An array is either *concrete* (it holds the backend's own
    array) or a *tracer* of a ``grad``/``jvp``/``record`` trace (it holds the value it stands for
    and the trace's bookkeeping); both behave the same to user code.

    Examples
    --------
    >>> import polygrad.numpy as np
    >>> x = np.asarray([1.0, 2.0])
    >>> x.shape, x.dtype, x.backend
    ((2,), float64, 'numpy')
    >>> x.asnumpy().tolist()
    [1.0, 2.0]
    """

    # _readonly: set (only) on an Array made from a read-only NumPy array without a copy;
    # _base: (array, key) when this is a view made by basic indexing; _views: weak references
    # to this array's views (both set by polygrad.numpy._indexing, absent otherwise)
    __slots__ = ("_v", "_backend", "_trace", "_aux", "_grad", "_grad_req", "_readonly", "_base",
                 "_views",
                 "__weakref__")
    __array_priority__ = 1000   # NumPy defers binary operators to ours

    def __init__(self, v: Any, backend: Any, trace: Any = None, aux: Any = None) -> None:
        # v: the backend's array (concrete) or the primal Array (tracer); aux: trace bookkeeping
        self._v = v
        self._backend = backend
        self._trace = trace
        self._aux = aux

    # -- what it is ----------------------------------------------------------------------
    @property
    def native(self) -> Any:
        """The backend's own array, without a copy (the concrete value when traced)."""
        return self._backend.native(native_of(self))

    @property
    def backend(self) -> str:
        """The name of the backend holding this array (``"numpy"``, ``"torch"``, ...)."""
        return self._backend.name

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(native_of(self).shape)

    @property
    def ndim(self) -> int:
        return len(native_of(self).shape)

    @property
    def size(self) -> int:
        n = 1
        for d in native_of(self).shape:
            n *= d
        return n

    @property
    def dtype(self) -> DType:
        return self._backend.dtype_of(native_of(self))

    @property
    def device(self) -> str:
        return self._backend.device_of(native_of(self))

    def __len__(self) -> int:
        shape = native_of(self).shape
        if not shape:
            raise TypeError("len() of a 0-d polygrad Array")
        return shape[0]

    # -- to the host ---------------------------------------------------------------------
    # Reading values out cuts the derivative they carry (the host sees constants), so every read
    # but bool(), repr() and str() refuses an array that carries one; see _host.
    def asnumpy(self) -> Any:
        """A NumPy array on the host with this array's values (MinPy / MXNet name): a copy,
        writable, that shares no memory with this array, on every backend.

        Refused (:class:`DifferentiationError`) while the array carries a derivative; read
        ``pg.stop_gradient(x).asnumpy()`` or ``x.detach().asnumpy()`` on purpose.
        """
        import numpy

        return numpy.array(self._host("Array.asnumpy()"), copy=True)

    def __array__(self, dtype: Any = None, copy: Any = None) -> Any:
        out = self._host("numpy.asarray(x) (Array.__array__)")
        return out if dtype is None else out.astype(dtype)

    def item(self) -> Any:
        return self._host("Array.item()").item()

    def tolist(self) -> Any:
        return self._host("Array.tolist()").tolist()

    def __bool__(self) -> bool:
        # control flow on a value carries no derivative: allowed while differentiated
        return bool(self._scalar("__bool__", None))

    def __float__(self) -> float:
        return float(self._scalar("__float__", "float()"))

    def __int__(self) -> int:
        return int(self._scalar("__int__", "int()"))

    def __complex__(self) -> complex:
        return complex(self._scalar("__complex__", "complex()"))

    def __index__(self) -> int:
        if self.dtype.kind not in "iu":
            raise TypeError(f"Array.__index__: expected an integer array, got dtype {self.dtype}")
        return int(self._scalar("__index__", "operator.index() (Array.__index__)"))

    def _scalar(self, dunder: str, what: str | None) -> Any:
        if self.size != 1:
            raise TypeError(f"Array.{dunder}: only arrays with one element convert to a Python "
                            f"scalar; this one has shape {self.shape}")
        return self._host(what).reshape(()).item()

    def _host(self, what: str | None) -> Any:
        """The values as a NumPy array; ``what`` (the user's call) refuses a derivative, None
        reads regardless (printing, bool, polygrad's own reads). ``pg.jit`` recognises reads of
        a traced array by this function's frame (see ``_compiler.reads_value``)."""
        if what is not None:
            trace = carried_trace(self)
            if trace is not None:
                raise DifferentiationError(
                    f"{what}: this array carries a derivative (it is traced by "
                    f"{trace.describe()}), and reading its values out to the host would drop "
                    f"that derivative silently: the result would differentiate as if they were "
                    f"constants. Keep the computation in polygrad.numpy functions, or read the "
                    f"values on purpose, as a constant, with pg.stop_gradient(x) or x.detach() "
                    f"(e.g. float(pg.stop_gradient(x))). Comparisons (if x > 0:) and bool(x) "
                    f"work as they are.")
        return self._backend.to_numpy(native_of(self))

    # -- moving ----------------------------------------------------------------------------
    def to_backend(self, spec: Any) -> Array:
        """A copy of this array on another backend (``"torch"``, ``"cuda"``, ``"jax:cpu"``, ...)."""
        from ._backend import backend_for

        target = backend_for(spec)
        if target is self._backend:
            return Array(target.asarray(native_of(self), copy=True), target)
        value = native_of(self)
        try:
            moved = target.from_dlpack(value) if hasattr(target, "from_dlpack") else None
        except Exception:
            moved = None
        if moved is None:
            moved = target.asarray(self._backend.to_numpy(value), copy=True)
        return Array(moved, target)

    def to_device(self, device: Any, /, *, stream: Any = None) -> Array:
        return self.to_backend(f"{self._backend.name}:{device}")

    def persist(self) -> Array:
        """This array computed and kept in memory, for reuse without recomputing its graph
        (dask: in the cluster's workers, as ``dask.persist``); other backends return it as is."""
        from ._lazy import persist

        return persist(self)

    def __dlpack__(self, /, *, stream: Any = None, max_version: Any = None,
                   dl_device: Any = None, copy: bool | None = None) -> Any:
        # only what was given: libraries older than the 2023.12 standard lack the newer keywords
        given = {k: v for k, v in (("stream", stream), ("max_version", max_version),
                                   ("dl_device", dl_device), ("copy", copy)) if v is not None}
        return self.native.__dlpack__(**given)

    def __dlpack_device__(self) -> Any:
        return self.native.__dlpack_device__()

    def __array_namespace__(self, /, *, api_version: str | None = None) -> Any:
        import polygrad.numpy

        return polygrad.numpy

    # -- display -----------------------------------------------------------------------------
    def __repr__(self) -> str:
        import numpy

        values = self._host(None)
        prefix = "Array("
        if isinstance(values, numpy.ma.MaskedArray):   # (to_numpy keeps a library's mask)
            shown = values.data.astype(object)
            shown[numpy.ma.getmaskarray(values)] = numpy.ma.masked_print_option
            body = numpy.array2string(shown, separator=", ", prefix=prefix, threshold=1000)
        else:
            body = numpy.array2string(values, separator=", ", prefix=prefix, threshold=1000)
        if values.size == 0:
            body = f"[], shape={values.shape}"
        traced = ""
        if self._trace is not None and getattr(self._trace, "active", False):
            traced = f", traced by {self._trace.describe()}"
        return f"{prefix}{body}, dtype={self.dtype}, backend={self._backend.spec}{traced})"

    def __str__(self) -> str:
        return str(self._host(None))

    def __format__(self, spec: str) -> str:
        if self.ndim == 0:
            return format(self._host(None).item(), spec)
        return format(str(self), spec)


def carried_trace(x: Array) -> Any:
    """The active trace whose derivative ``x`` carries at some level (None when none does):
    ``grad``, ``jvp``, ``record`` (attach_grad leaves while recording, recorded results)."""
    while type(x) is Array:
        t = x._trace
        if t is not None and t.active:
            return t
        x = x._v
    return None


def native_of(x: Array) -> Any:
    """The backend's array behind ``x``, looking through every trace level."""
    v = x._v
    while type(v) is Array:
        v = v._v
    return v


def check_writable(x: Array, what: str) -> None:
    """Refuse, as NumPy does, a write into an Array made from a read-only NumPy array."""
    if getattr(x, "_readonly", False):
        raise ValueError(f"{what}: assignment destination is read-only (the Array was made from "
                         f"a read-only NumPy array, which polygrad never writes into on any "
                         f"backend); write into a copy: np.asarray(a, copy=True)")
