"""Inspection of the namespace (``__array_namespace_info__``), answered by the current backend.

Imports the core; the backend's array library is consulted only when a method is called.
"""

from __future__ import annotations

from typing import Any

from .. import _dtypes
from .._backend import Backend, backend_for, get_backend, get_default_dtype
from .._dtypes import DType

__all__ = ["__array_namespace_info__"]

_KINDS = {
    "bool": "b", "signed integer": "i", "unsigned integer": "u", "integral": "iu",
    "real floating": "f", "complex floating": "c", "numeric": "iufc",
}
_COMPLEX = {"float16": _dtypes.complex64, "float32": _dtypes.complex64,
            "float64": _dtypes.complex128}


def _native_info(backend: Backend) -> Any:
    """The array library's own inspection object, or None where it has none."""
    info = getattr(backend.xp, "__array_namespace_info__", None)
    return None if info is None else info()


class __array_namespace_info__:  # noqa: N801  (the standard's name)
    """What the current backend supports: capabilities, devices and data types.

    Made when called, so it describes the backend current at that moment (``use_backend`` and
    ``set_backend`` included). Devices are the strings ``Array.device`` returns.

    Examples
    --------
    >>> import polygrad.numpy as np
    >>> info = np.__array_namespace_info__()
    >>> info.default_device(), str(info.default_dtypes()["real floating"])
    ('cpu', 'float64')
    >>> sorted(info.dtypes(kind="real floating"))
    ['float32', 'float64']
    """

    def __init__(self) -> None:
        self._backend = get_backend()

    def _for(self, device: Any) -> Backend:
        backend = self._backend
        if device is None or str(device) == backend.device:
            return backend
        return backend_for(f"{backend.name}:{device}")

    def capabilities(self) -> dict[str, Any]:
        """Boolean indexing and data-dependent output shapes (``unique_*``, ``nonzero``) work on
        every backend, because values are concrete while polygrad traces; ``max dimensions`` is
        the array library's own limit (None when it states none)."""
        native = _native_info(self._backend)
        limit = native.capabilities().get("max dimensions") if native is not None else None
        return {"boolean indexing": True, "data-dependent shapes": True,
                "max dimensions": limit}

    def default_device(self) -> str:
        """The device new arrays are created on."""
        return self._backend.device

    def devices(self) -> tuple[str, ...]:
        """The devices of the current backend's library that polygrad can place arrays on."""
        return tuple(str(d) for d in self._backend.devices())

    def default_dtypes(self, *, device: Any = None) -> dict[str, DType | None]:
        """The default real and complex floating, integer and indexing dtypes.

        The floating default follows ``polygrad.set_default_dtype`` if set, else the backend's
        own; "complex floating" is None on a backend without complex numbers.
        """
        backend = self._for(device)
        real = get_default_dtype(backend)
        complex_ = _COMPLEX[real.name] if backend.supports_complex else None
        integral = _dtypes.int64
        native = _native_info(backend)
        if native is not None:   # JAX without x64 answers int32
            found = native.default_dtypes().get("integral")
            names = [name for name, d in native.dtypes().items() if d == found]
            if names:
                integral = _dtypes.by_name(names[0])
        return {"real floating": real, "complex floating": complex_, "integral": integral,
                "indexing": integral}

    def dtypes(self, *, device: Any = None, kind: str | tuple[str, ...] | None = None
               ) -> dict[str, DType]:
        """The dtypes the backend supports, by name, optionally only those of ``kind`` (a kind
        name of the standard, or a tuple of them)."""
        backend = self._for(device)
        kinds = _kind_letters(kind)
        supported = _supported_names(backend)
        return {d.name: d for d in _dtypes.ALL if d.kind in kinds and d.name in supported}


def _kind_letters(kind: str | tuple[str, ...] | None) -> str:
    if kind is None:
        return "biufc"
    kinds = (kind,) if isinstance(kind, str) else tuple(kind)
    letters = ""
    for k in kinds:
        if k not in _KINDS:
            raise ValueError(f"polygrad.numpy.__array_namespace_info__().dtypes: unknown kind "
                             f"{k!r}; expected one of {', '.join(map(repr, _KINDS))}")
        letters += _KINDS[k]
    return letters


def _supported_names(backend: Backend) -> set[str]:
    """polygrad's dtypes that ``backend`` states it supports and its library has."""
    names = {d.name for d in _dtypes.ALL}
    if not backend.supports_float64:
        names -= {"float64", "complex128"}
    if not backend.supports_complex:
        names -= {"complex64", "complex128"}
    native = _native_info(backend)
    if native is not None:
        names &= set(native.dtypes())   # keyed by the standard's names
    return names
