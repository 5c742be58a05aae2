"""The ``Array`` class: one array type for every backend, concrete or being traced.

The class is defined here whole: its operators, properties and the tape's methods in its body,
NumPy's ``ndarray`` methods in the mixin it inherits (``_ndarray``); nothing is attached to it
from outside. The implementations are the namespace's functions (``x + y`` is
``polygrad.numpy.add(x, y)``); the namespace sits above the core, so the methods reach them
through the table it fills at import (``_optable.OPS``), never by importing it.

Imports only polygrad's dtypes, the operation table and the ``ndarray`` mixin at module level
(the tape's methods import ``_tape`` when called).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ._dtypes import DType
from ._ndarray import NDArrayMethods
from ._optable import OPS

__all__ = ["Array", "ArrayLike", "native_of", "check_writable", "carried_trace",
           "DifferentiationError"]

# What an operator takes besides an Array: a Python scalar, a NumPy array, a nested list,
# anything ``np.asarray`` takes (checked at run time by the namespace's functions).
ArrayLike = Any


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
    # the slots set outside __init__, typed (annotations only: no class attribute is made)
    _grad: Array | None
    _grad_req: str
    _readonly: bool
    _base: tuple[Array, Any]
    _views: Any
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

    # -- operators (the standard's; implementations: the namespace's functions, via OPS) ---
    def __add__(self, other: ArrayLike, /) -> Array:
        return OPS.add(self, other)

    def __radd__(self, other: ArrayLike, /) -> Array:
        return OPS.add(other, self)

    def __iadd__(self, other: ArrayLike, /) -> Array:
        return self._inplace(OPS.add, other, "+=")

    def __sub__(self, other: ArrayLike, /) -> Array:
        return OPS.subtract(self, other)

    def __rsub__(self, other: ArrayLike, /) -> Array:
        return OPS.subtract(other, self)

    def __isub__(self, other: ArrayLike, /) -> Array:
        return self._inplace(OPS.subtract, other, "-=")

    def __mul__(self, other: ArrayLike, /) -> Array:
        return OPS.multiply(self, other)

    def __rmul__(self, other: ArrayLike, /) -> Array:
        return OPS.multiply(other, self)

    def __imul__(self, other: ArrayLike, /) -> Array:
        return self._inplace(OPS.multiply, other, "*=")

    def __truediv__(self, other: ArrayLike, /) -> Array:
        return OPS.divide(self, other)

    def __rtruediv__(self, other: ArrayLike, /) -> Array:
        return OPS.divide(other, self)

    def __itruediv__(self, other: ArrayLike, /) -> Array:
        return self._inplace(OPS.divide, other, "/=")

    def __floordiv__(self, other: ArrayLike, /) -> Array:
        return OPS.floor_divide(self, other)

    def __rfloordiv__(self, other: ArrayLike, /) -> Array:
        return OPS.floor_divide(other, self)

    def __ifloordiv__(self, other: ArrayLike, /) -> Array:
        return self._inplace(OPS.floor_divide, other, "//=")

    def __mod__(self, other: ArrayLike, /) -> Array:
        return OPS.remainder(self, other)

    def __rmod__(self, other: ArrayLike, /) -> Array:
        return OPS.remainder(other, self)

    def __imod__(self, other: ArrayLike, /) -> Array:
        return self._inplace(OPS.remainder, other, "%=")

    def __pow__(self, other: ArrayLike, /) -> Array:
        return OPS.pow(self, other)

    def __rpow__(self, other: ArrayLike, /) -> Array:
        return OPS.pow(other, self)

    def __ipow__(self, other: ArrayLike, /) -> Array:
        return self._inplace(OPS.pow, other, "**=")

    def __matmul__(self, other: ArrayLike, /) -> Array:
        return OPS.matmul(self, other)

    def __rmatmul__(self, other: ArrayLike, /) -> Array:
        return OPS.matmul(other, self)

    def __imatmul__(self, other: ArrayLike, /) -> Array:
        return self._inplace(OPS.matmul, other, "@=")

    def __and__(self, other: ArrayLike, /) -> Array:
        return OPS.bitwise_and(self, other)

    def __rand__(self, other: ArrayLike, /) -> Array:
        return OPS.bitwise_and(other, self)

    def __iand__(self, other: ArrayLike, /) -> Array:
        return self._inplace(OPS.bitwise_and, other, "&=")

    def __or__(self, other: ArrayLike, /) -> Array:
        return OPS.bitwise_or(self, other)

    def __ror__(self, other: ArrayLike, /) -> Array:
        return OPS.bitwise_or(other, self)

    def __ior__(self, other: ArrayLike, /) -> Array:
        return self._inplace(OPS.bitwise_or, other, "|=")

    def __xor__(self, other: ArrayLike, /) -> Array:
        return OPS.bitwise_xor(self, other)

    def __rxor__(self, other: ArrayLike, /) -> Array:
        return OPS.bitwise_xor(other, self)

    def __ixor__(self, other: ArrayLike, /) -> Array:
        return self._inplace(OPS.bitwise_xor, other, "^=")

    def __lshift__(self, other: ArrayLike, /) -> Array:
        return OPS.bitwise_left_shift(self, other)

    def __rlshift__(self, other: ArrayLike, /) -> Array:
        return OPS.bitwise_left_shift(other, self)

    def __ilshift__(self, other: ArrayLike, /) -> Array:
        return self._inplace(OPS.bitwise_left_shift, other, "<<=")

    def __rshift__(self, other: ArrayLike, /) -> Array:
        return OPS.bitwise_right_shift(self, other)

    def __rrshift__(self, other: ArrayLike, /) -> Array:
        return OPS.bitwise_right_shift(other, self)

    def __irshift__(self, other: ArrayLike, /) -> Array:
        return self._inplace(OPS.bitwise_right_shift, other, ">>=")

    def __eq__(self, other: ArrayLike, /) -> Array:  # type: ignore[override]
        return OPS.equal(self, other)

    def __ne__(self, other: ArrayLike, /) -> Array:  # type: ignore[override]
        return OPS.not_equal(self, other)

    def __lt__(self, other: ArrayLike, /) -> Array:
        return OPS.less(self, other)

    def __le__(self, other: ArrayLike, /) -> Array:
        return OPS.less_equal(self, other)

    def __gt__(self, other: ArrayLike, /) -> Array:
        return OPS.greater(self, other)

    def __ge__(self, other: ArrayLike, /) -> Array:
        return OPS.greater_equal(self, other)

    def __neg__(self) -> Array:
        return OPS.negative(self)

    def __pos__(self) -> Array:
        return OPS.positive(self)

    def __abs__(self) -> Array:
        return OPS.abs(self)

    def __invert__(self) -> Array:
        return OPS.bitwise_invert(self)

    def _inplace(self, fn: Any, other: ArrayLike, symbol: str) -> Array:
        """``x op= y``: this Array rebound to ``x op y`` (a functional update: JAX-safe and
        differentiable), which the arrays it is a view of, and its views, see."""
        from ._reverse import TAPE_LEAF   # the core's tape below this module

        trace = self._trace
        OPS.check_writable(self, f"Array.__i{fn.__name__}__")
        result = fn(self, other)
        if result.dtype != self.dtype or result.shape != self.shape:
            raise TypeError(f"x {symbol} y: the result has dtype {result.dtype} and shape "
                            f"{result.shape} but x has dtype {self.dtype} and shape {self.shape};"
                            f" an in-place operator cannot change either (write x = x "
                            f"{symbol[:-1]} y)")
        if trace is TAPE_LEAF and result._trace is None:
            self._v, self._aux = native_of(result), None
        else:
            self._v, self._trace, self._aux = result._v, result._trace, result._aux
        OPS.propagate(self)
        return self

    __hash__ = None  # type: ignore[assignment]   # mutable, and == is elementwise

    # -- indexing ------------------------------------------------------------------------------
    def __getitem__(self, key: Any, /) -> Array:
        """``x[key]``: basic, integer-array and boolean indexing; basic indexing makes a view."""
        return OPS.getitem(self, key)

    def __setitem__(self, key: Any, value: ArrayLike, /) -> None:
        """``x[key] = value``: in place, or a functional update inside differentiated code; the
        arrays ``x`` is a view of, and its views, see the write."""
        OPS.setitem(self, key, value)

    def __iter__(self) -> Iterator[Array]:
        for i in range(len(self)):
            yield self[i]

    @property
    def T(self) -> Array:  # noqa: N802
        """The axes reversed (``permute_dims(x, (ndim-1, ..., 0))``)."""
        return OPS.permute_dims(self, tuple(range(self.ndim))[::-1])

    @property
    def mT(self) -> Array:  # noqa: N802
        """The last two axes swapped (``matrix_transpose(x)``)."""
        return OPS.matrix_transpose(self)

    # -- the tape (MXNet style; implemented in _tape, with record()) ---------------------------
    def attach_grad(self, grad_req: str = "write") -> None:
        """Mark this array as a leaf whose gradient ``backward()`` stores in ``.grad``.

        ``grad_req``: ``"write"`` overwrites ``.grad``, ``"add"`` accumulates into it, ``"null"``
        computes nothing for it.
        """
        from ._tape import attach_grad

        attach_grad(self, grad_req)

    @property
    def grad(self) -> Array | None:
        """The gradient stored by the last ``backward()`` (None without ``attach_grad()``)."""
        return getattr(self, "_grad", None)

    def detach(self) -> Array:
        """The same values, cut from any recording or trace (shares the buffer)."""
        return Array(native_of(self), self._backend)

    def backward(self, head_grad: Any = None, retain_graph: bool = False) -> None:
        """Backpropagate from this recorded array to every ``attach_grad()`` leaf it depends on.

        A non-scalar array is summed (``head_grad`` defaults to ones); ``head_grad`` must have
        this array's shape. Without ``retain_graph=True`` the graph is freed and may not be used
        again.
        """
        from ._tape import backward

        backward(self, head_grad, retain_graph)

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
            if trace is not None and not trace.batching:   # (vmap's values refuse, saying why)
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
        return OPS.namespace

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
