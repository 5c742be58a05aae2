"""``numpy.ndarray``'s methods and attributes, and NumPy's dispatch protocols (NEP 13
``__array_ufunc__``, NEP 18 ``__array_function__``): a mixin of ``polygrad.Array``.

Each method is the namespace's function of the same name with the array first (``x.cumsum(0)``
is ``np.cumsum(x, 0)``), so it differentiates and stays on the array's backend. The namespace
sits above the core, which never imports it: it registers itself in the core's operation table
at import (``_optable.OPS.namespace``), and the methods read it there. The in-place methods
(``sort``, ``partition``, ``fill``, ``put``) update the array as ``x[...] = v`` does.

Through the protocols ``numpy.sin(x)``, ``numpy.sum(x, axis=0)``, ``numpy.linalg.solve(a, b)``
and SciPy's ufuncs (``scipy.special.expit(x)``) on polygrad arrays run polygrad's function of the
same name, on the arrays' backend (an Array out: a torch array stays torch), so they
differentiate; a function polygrad lacks raises a ``TypeError`` naming it, never a silent
conversion. One exception, for libraries that call NumPy on the values they are handed and
pass the result on to compiled code (``scipy.optimize``'s L-BFGS-B hands ``np.atleast_1d(g)``
of the gradient it got to Fortran, which takes only ``numpy.ndarray``): a NumPy function called
on concrete arrays (nothing being differentiated) from the code of SciPy or of NumPy itself
(the calling frame's module, ``HOST_CALLERS``) runs NumPy's own function on the host values and
returns NumPy's result. A traced array never takes that path: reading its values is refused
as everywhere else. The check reads one frame, and only on the protocol path: the
``polygrad.numpy`` functions never reach it.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from ._optable import OPS

if TYPE_CHECKING:   # the class that inherits these methods (it imports this module)
    from ._array import Array

__all__ = ["NDArrayMethods"]


# NumPy ufunc names that polygrad spells as the standard does
_UFUNC_ALIASES = {"invert": "bitwise_invert", "left_shift": "bitwise_left_shift",
                  "right_shift": "bitwise_right_shift"}
# ufunc.reduce / ufunc.accumulate as the namespace's reductions and scans
_REDUCE = {"add": "sum", "multiply": "prod", "maximum": "max", "minimum": "min",
           "logical_and": "all", "logical_or": "any"}
_ACCUMULATE = {"add": "cumsum", "multiply": "cumprod"}
# NumPy's submodules and the namespace's
_MODULES = {"numpy": "", "numpy.linalg": "linalg", "numpy.fft": "fft", "numpy.random": "random"}


#: the packages whose own calls of NumPy functions on concrete Arrays get NumPy's results on
#: the host values (see the module's docstring); a module name equal to one of these or
#: starting with it and a dot
HOST_CALLERS = ("scipy", "numpy")


def _from_host_caller() -> bool:
    """Whether the code calling the NumPy function being dispatched (two frames up: past the
    protocol method) belongs to one of ``HOST_CALLERS``."""
    name = sys._getframe(2).f_globals.get("__name__") or ""
    root = name.partition(".")[0]
    return root in HOST_CALLERS


def _no_equivalent(what: str, instead: str = "") -> TypeError:
    return TypeError(f"{what} has no polygrad equivalent, so it cannot run on a polygrad Array"
                     f"{instead}; use a polygrad.numpy function (differentiable, on the array's "
                     f"backend), or pass x.asnumpy() for NumPy's own on host values")


def _ufunc_target(ufunc: Any) -> Any:
    """polygrad's function for a NumPy or SciPy ufunc, or None."""
    name = ufunc.__name__
    numpy = sys.modules.get("numpy")
    if numpy is not None and getattr(numpy, name, None) is ufunc:
        return getattr(OPS.namespace, _UFUNC_ALIASES.get(name, name), None)
    scipy_special = sys.modules.get("scipy.special")
    if scipy_special is not None and getattr(scipy_special, name, None) is ufunc:
        return getattr(OPS.special(), name, None)
    return None


def _carries_derivative(args: Any) -> bool:
    """Whether an Array among ``args`` (nested in lists, tuples, dicts) is being differentiated."""
    from ._array import Array

    for a in args:
        if isinstance(a, Array):
            if a._trace is not None:
                return True
        elif isinstance(a, (list, tuple)):
            if _carries_derivative(a):
                return True
        elif isinstance(a, dict) and _carries_derivative(tuple(a.values())):
            return True
    return False


def _host(v: Any) -> Any:
    from ._array import Array

    if isinstance(v, Array):
        return v.asnumpy()
    if isinstance(v, (list, tuple)):
        return type(v)(_host(e) for e in v)
    return v


def _backend_of(args: Any) -> Any:
    from ._array import Array

    for a in args:
        if isinstance(a, Array):
            return a._backend
        if isinstance(a, (list, tuple)):
            found = _backend_of(a)
            if found is not None:
                return found
    return None


class NDArrayMethods:
    """NumPy's array methods (NumPy 2.x signatures), for code written against ``ndarray``."""

    __slots__ = ()

    # -- attributes ----------------------------------------------------------------------------
    @property
    def itemsize(self) -> int:
        """Bytes per element."""
        return self.dtype.itemsize  # type: ignore[attr-defined]

    @property
    def nbytes(self) -> int:
        """Bytes of all elements (``size * itemsize``)."""
        return self.size * self.dtype.itemsize  # type: ignore[attr-defined]

    @property
    def real(self) -> Array:
        return OPS.namespace.real(self)

    @property
    def imag(self) -> Array:
        return OPS.namespace.imag(self)

    # -- reductions ----------------------------------------------------------------------------
    def all(self, axis: Any = None, out: Any = None, keepdims: bool = False) -> Array:
        return OPS.namespace.all(self, axis, out, keepdims)

    def any(self, axis: Any = None, out: Any = None, keepdims: bool = False) -> Array:
        return OPS.namespace.any(self, axis, out, keepdims)

    def sum(self, axis: Any = None, dtype: Any = None, out: Any = None,
            keepdims: bool = False) -> Array:
        return OPS.namespace.sum(self, axis, dtype, out, keepdims)

    def prod(self, axis: Any = None, dtype: Any = None, out: Any = None,
             keepdims: bool = False) -> Array:
        return OPS.namespace.prod(self, axis, dtype, out, keepdims)

    def mean(self, axis: Any = None, dtype: Any = None, out: Any = None,
             keepdims: bool = False) -> Array:
        return OPS.namespace.mean(self, axis, dtype, out, keepdims)

    def var(self, axis: Any = None, dtype: Any = None, out: Any = None, ddof: float = 0,
            keepdims: bool = False, *, correction: float = 0.0) -> Array:
        return OPS.namespace.var(self, axis, dtype, out, ddof, keepdims, correction=correction)

    def std(self, axis: Any = None, dtype: Any = None, out: Any = None, ddof: float = 0,
            keepdims: bool = False, *, correction: float = 0.0) -> Array:
        return OPS.namespace.std(self, axis, dtype, out, ddof, keepdims, correction=correction)

    def max(self, axis: Any = None, out: Any = None, keepdims: bool = False) -> Array:
        return OPS.namespace.max(self, axis, out, keepdims)

    def min(self, axis: Any = None, out: Any = None, keepdims: bool = False) -> Array:
        return OPS.namespace.min(self, axis, out, keepdims)

    def argmax(self, axis: Any = None, out: Any = None, *, keepdims: bool = False) -> Array:
        return OPS.namespace.argmax(self, axis, out, keepdims=keepdims)

    def argmin(self, axis: Any = None, out: Any = None, *, keepdims: bool = False) -> Array:
        return OPS.namespace.argmin(self, axis, out, keepdims=keepdims)

    def cumsum(self, axis: Any = None, dtype: Any = None, out: Any = None) -> Array:
        return OPS.namespace.cumsum(self, axis, dtype, out)

    def cumprod(self, axis: Any = None, dtype: Any = None, out: Any = None) -> Array:
        return OPS.namespace.cumprod(self, axis, dtype, out)

    def trace(self, offset: int = 0, axis1: int = 0, axis2: int = 1, dtype: Any = None,
              out: Any = None) -> Array:
        return OPS.namespace.trace(self, offset, axis1, axis2, dtype, out)

    # -- elementwise ---------------------------------------------------------------------------
    def round(self, decimals: int = 0, out: Any = None) -> Array:
        return OPS.namespace.round(self, decimals, out)

    def clip(self, min: Any = None, max: Any = None, out: Any = None) -> Array:  # noqa: A002
        return OPS.namespace.clip(self, min, max, out)

    def conj(self) -> Array:
        return OPS.namespace.conj(self)

    def conjugate(self) -> Array:
        return OPS.namespace.conj(self)

    def astype(self, dtype: Any, order: str = "K", casting: str = "unsafe",
               subok: bool = True, copy: bool = True) -> Array:
        return OPS.namespace.astype(self, dtype, copy=copy)

    def copy(self, order: str = "C") -> Array:
        """A copy (differentiable: the copy's derivative flows back to this array)."""
        return OPS.namespace.astype(self, self.dtype, copy=True)  # type: ignore[attr-defined]

    def __copy__(self) -> Array:
        return self.copy()

    def __deepcopy__(self, memo: Any) -> Array:
        return self.copy()

    def __divmod__(self, other: Any) -> Any:
        np = OPS.namespace
        return np.floor_divide(self, other), np.remainder(self, other)

    def __rdivmod__(self, other: Any) -> Any:
        np = OPS.namespace
        return np.floor_divide(other, self), np.remainder(other, self)

    def __contains__(self, value: Any) -> bool:
        np = OPS.namespace
        return bool(np.any(np.equal(self, value)))

    # -- shape -----------------------------------------------------------------------------------
    def reshape(self, *shape: Any, order: str = "C", copy: bool | None = None) -> Array:
        """``x.reshape(2, 3)`` or ``x.reshape((2, 3))``."""
        return OPS.namespace.reshape(self, shape[0] if len(shape) == 1 else shape, order, copy=copy)

    def transpose(self, *axes: Any) -> Array:
        """``x.transpose()``, ``x.transpose(1, 0)`` or ``x.transpose((1, 0))``."""
        axes_ = None if not axes else axes[0] if len(axes) == 1 else axes
        return OPS.namespace.permute_dims(self, None if axes_ is None else tuple(axes_))

    def swapaxes(self, axis1: int, axis2: int) -> Array:
        return OPS.namespace.swapaxes(self, axis1, axis2)

    def squeeze(self, axis: Any = None) -> Array:
        return OPS.namespace.squeeze(self, axis)

    def ravel(self, order: str = "C") -> Array:
        return OPS.namespace.ravel(self, order)

    def flatten(self, order: str = "C") -> Array:
        """``x`` flattened to 1-D, a copy (NumPy's flatten always copies)."""
        return OPS.namespace.ravel(self, order).copy()

    def diagonal(self, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Array:
        return OPS.namespace.diagonal(self, offset, axis1, axis2)

    def repeat(self, repeats: Any, axis: Any = None) -> Array:
        return OPS.namespace.repeat(self, repeats, axis)

    # -- selection and search ------------------------------------------------------------------
    def take(self, indices: Any, axis: Any = None, out: Any = None, mode: str = "raise") -> Array:
        return OPS.namespace.take(self, indices, axis, out, mode)

    def compress(self, condition: Any, axis: Any = None, out: Any = None) -> Array:
        """The slices along ``axis`` (of the flattened array when None) where ``condition``
        (1-D) is true."""
        np = OPS.namespace
        index = np.nonzero(np.asarray(condition, dtype=np.bool))[0]
        return np.take(self, index, axis, out)

    def nonzero(self) -> Any:
        return OPS.namespace.nonzero(self)

    def searchsorted(self, v: Any, side: str = "left", sorter: Any = None) -> Array:
        return OPS.namespace.searchsorted(self, v, side, sorter)

    def argsort(self, axis: Any = -1, kind: Any = None, order: Any = None, *,
                stable: bool = True) -> Array:
        return OPS.namespace.argsort(self, axis, kind, order, stable=stable)

    def argpartition(self, kth: Any, axis: Any = -1, kind: str = "introselect",
                     order: Any = None) -> Array:
        """Indices that partition the array around ``kth``: the sorting indices, which do
        for every ``kth``."""
        return OPS.namespace.argsort(self, axis, None, order)

    # -- in place ----------------------------------------------------------------------------
    def sort(self, axis: int = -1, kind: Any = None, order: Any = None, *,
             stable: bool = True) -> None:
        """Sort in place along ``axis``, as NumPy's ``ndarray.sort`` (returns None); an update,
        so inside differentiated code its derivative is the sort's."""
        self[...] = OPS.namespace.sort(self, axis, kind, order, stable=stable)  # type: ignore[index]

    def partition(self, kth: Any, axis: int = -1, kind: str = "introselect",
                  order: Any = None) -> None:
        """Partition in place around ``kth`` (by sorting, which satisfies every ``kth``)."""
        self[...] = OPS.namespace.partition(self, kth, axis, kind, order)  # type: ignore[index]

    def fill(self, value: Any) -> None:
        """Set every element to ``value``, in place."""
        self[...] = value  # type: ignore[index]

    def put(self, indices: Any, values: Any, mode: str = "raise") -> None:
        """Set the elements at flat ``indices`` to ``values``, in place."""
        from ._backend import use_backend

        np = OPS.namespace
        flat = np.ravel(self).copy()
        with use_backend(self._backend):  # type: ignore[attr-defined]
            indices = np.asarray(indices)
            if not isinstance(values, np.Array):
                values = np.asarray(values, dtype=self.dtype)  # type: ignore[attr-defined]
            if mode != "raise":
                indices = np.take(np.arange(flat.shape[0]), indices, mode=mode)
        flat[indices] = values
        self[...] = np.reshape(flat, self.shape)  # type: ignore[attr-defined,index]

    # -- products ----------------------------------------------------------------------------
    def dot(self, b: Any, out: Any = None) -> Array:
        return OPS.namespace.dot(self, b, out)

    # -- NumPy's dispatch protocols ------------------------------------------------------------
    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        """NEP 13: ``numpy.sin(x)`` runs ``polygrad.numpy.sin(x)`` (concrete or traced, on x's
        backend; from SciPy's or NumPy's own code on concrete arrays, NumPy's ufunc on the host
        values: see the module's docstring); ``numpy.add.reduce`` and
        ``numpy.add.accumulate`` run ``sum`` and ``cumsum`` (``multiply``: ``prod``,
        ``cumprod``; ``maximum``/``minimum``/``logical_and``/``logical_or``: reductions)."""
        from ._backend import use_backend

        if kwargs.get("out") is None and _from_host_caller() and \
                not _carries_derivative(inputs) and not _carries_derivative(kwargs.values()):
            # concrete values in SciPy's or NumPy's own code: NumPy's (or SciPy's) own ufunc on
            # the host values, NumPy's result, as that code expects (scipy.optimize, ...)
            return getattr(ufunc, method)(*_host(inputs), **kwargs)
        what = f"{getattr(ufunc, '__module__', None) or 'numpy'}.{ufunc.__name__}"
        out = kwargs.pop("out", None)
        if method == "__call__":
            fn = _ufunc_target(ufunc)
            if fn is None:
                raise _no_equivalent(what)
            if kwargs:
                raise TypeError(f"{what} on a polygrad Array: the ufunc keywords "
                                f"{sorted(kwargs)} are not supported (polygrad's elementwise "
                                f"functions take the standard's arguments; see "
                                f"docs/migration.md)")
            args = inputs
        elif method in ("reduce", "accumulate"):
            table = _REDUCE if method == "reduce" else _ACCUMULATE
            name = table.get(ufunc.__name__) if _ufunc_target(ufunc) is not None else None
            if name is None:
                raise _no_equivalent(f"{what}.{method}")
            fn = getattr(OPS.namespace, name)
            kwargs.setdefault("axis", 0)
            args = inputs
        else:
            raise _no_equivalent(f"{what}.{method}")
        with use_backend(_backend_of(inputs)):
            result = fn(*args, **kwargs)
        if out is None:
            return result
        target = out[0] if isinstance(out, tuple) else out   # out=: an update of that array
        target[...] = result
        return target

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        """NEP 18: ``numpy.sum(x, axis=0)``, ``numpy.concatenate([x, y])``,
        ``numpy.linalg.solve(a, b)`` run polygrad's function of the same name on the arrays'
        backend (from SciPy's or NumPy's own code on concrete arrays: NumPy's function on the
        host values, see the module's docstring)."""
        from ._array import Array
        from ._backend import use_backend

        numpy = sys.modules["numpy"]
        if not all(issubclass(t, (Array, numpy.ndarray)) for t in types):
            return NotImplemented
        if _from_host_caller() and not _carries_derivative(args) and \
                not _carries_derivative(kwargs.values()):
            # concrete values in SciPy's or NumPy's own code: NumPy's own function on the host
            # values, NumPy's result, as that code expects
            return func(*_host(args), **{k: _host(v) for k, v in kwargs.items()})
        module = _MODULES.get(getattr(func, "__module__", None) or "")
        name = func.__name__
        what = f"{func.__module__}.{name}"
        ns = OPS.namespace
        target = None
        if module is not None:
            target = getattr(getattr(ns, module) if module else ns, name, None)
        if target is None or isinstance(target, type):
            raise _no_equivalent(what)
        with use_backend(_backend_of(args)):
            return target(*args, **kwargs)
