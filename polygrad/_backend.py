"""Backends: the ``Backend`` base class, entry-point discovery and the current-backend state.

Imports only the standard library and polygrad's util and dtypes; array libraries are imported
by the backend plugins themselves, lazily, when a backend is first used.
"""

from __future__ import annotations

import contextlib
import contextvars
import difflib
import os
import threading
from collections.abc import Callable, Iterator
from importlib import metadata
from typing import Any

from . import _dtypes
from ._dtypes import DType

__all__ = ["Backend", "BackendUnavailable", "set_backend", "use_backend", "get_backend",
           "backends", "set_default_dtype", "get_default_dtype", "ENTRY_POINT_GROUP"]

ENTRY_POINT_GROUP = "polygrad.backends"
ALIASES = {"cuda": "torch:cuda:0"}


class BackendUnavailable(RuntimeError):
    """Raised when a requested backend cannot be used here; the message says why."""


class Backend:
    """Base class of every polygrad backend (built-in or plugin).

    A backend supplies storage and forward kernels for one array library on one device; it never
    supplies derivative rules. Subclasses set the class attributes and implement :meth:`load`
    (import the library lazily, return its Array API namespace) plus the conversion hooks.
    The NumPy backend (``polygrad_backends/numpy_backend.py``) is the minimal example.

    Examples
    --------
    >>> import polygrad as pg
    >>> b = pg.get_backend()
    >>> b.name, str(b.default_float_dtype)
    ('numpy', 'float64')
    """

    name: str = ""
    library: str = ""             #: import name of the array library, checked without importing
    default_device: str = "cpu"
    default_float_dtype: DType = _dtypes.float64
    supports_float64: bool = True
    supports_complex: bool = True
    mutable: bool = True          #: arrays can be written in place (NumPy, torch; not JAX)
    kernels: dict[str, Callable[[Any], Callable]] = {}  #: primitive name -> factory(xp) -> kernel

    def __init__(self, device: str | None = None) -> None:
        self.device = device or self.default_device
        self._xp = None
        self._lock = threading.Lock()

    # -- the library -----------------------------------------------------------------------
    def load(self) -> Any:
        """Import the array library and return its Array API namespace."""
        raise NotImplementedError(f"backend {self.name!r} does not implement Backend.load()")

    @property
    def xp(self) -> Any:
        xp = self._xp
        if xp is None:
            with self._lock:
                if self._xp is None:
                    self._xp = self.load()
                xp = self._xp
        return xp

    def kernel(self, prim: Any) -> Callable:
        """The forward kernel of primitive ``prim`` on this backend (an override or the default)."""
        factory = self.kernels.get(prim.name) or prim.kernel
        return factory(self.xp)

    def probe(self) -> tuple[bool, str]:
        """(available, reason) without importing the library where possible."""
        from importlib.util import find_spec

        if self.library and find_spec(self.library) is None:
            return False, f"the package {self.library!r} is not installed"
        return True, ""

    # -- conversions (override) -------------------------------------------------------------
    def asarray(self, obj: Any, dtype: DType | None = None, copy: bool | None = None) -> Any:
        kw = {} if dtype is None else {"dtype": self.native_dtype(dtype)}
        return self.xp.asarray(obj, copy=copy, **kw)

    def native_dtype(self, dtype: DType) -> Any:
        return getattr(self.xp, dtype.name)

    def dtype_of(self, native: Any) -> DType:
        return _dtypes.by_name(native.dtype)

    def device_of(self, native: Any) -> str:
        return self.device

    def to_numpy(self, native: Any) -> Any:
        import numpy

        return numpy.asarray(native)

    def native(self, value: Any) -> Any:
        """The library's own array for an internal value (a hook for NumPy's scalars)."""
        return value

    def setitem_inplace(self, native: Any, key: Any, value: Any) -> Any:
        """Write ``value`` into ``native[key]`` in place (mutable backends); returns the array."""
        native[key] = value
        return native

    def devices(self) -> list[str]:
        return [self.device]

    def rng(self) -> Any:
        """This backend's seeded random stream (see ``polygrad.numpy.random``)."""
        raise NotImplementedError(f"backend {self.name!r} has no random number generator")

    @property
    def spec(self) -> str:
        return f"{self.name}:{self.device}"

    def __repr__(self) -> str:
        return f"<polygrad backend {self.spec}>"


# -- discovery ------------------------------------------------------------------------------
_entry_points: dict[str, metadata.EntryPoint] | None = None
_instances: dict[str, Backend] = {}
_load_errors: dict[str, str] = {}
_registry_lock = threading.Lock()


def _discover() -> dict[str, metadata.EntryPoint]:
    global _entry_points
    if _entry_points is None:
        found: dict[str, metadata.EntryPoint] = {}
        for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
            found.setdefault(ep.name, ep)
        _entry_points = found
    return _entry_points


def _parse(spec: str) -> tuple[str, str | None]:
    spec = ALIASES.get(spec, spec)
    name, _, device = spec.partition(":")
    return name, (device or None)


def backend_for(spec: str | Backend) -> Backend:
    """The (cached) backend instance for a spec string such as ``"torch:cuda:1"``."""
    if isinstance(spec, Backend):
        return spec
    if not isinstance(spec, str):
        raise TypeError(f"polygrad.set_backend: spec must be a str, got {type(spec).__name__}")
    cached = _instances.get(spec)
    if cached is not None:
        return cached
    with _registry_lock:
        if spec in _instances:
            return _instances[spec]
        name, device = _parse(spec)
        eps = _discover()
        if name not in eps:
            close = difflib.get_close_matches(name, list(eps), n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise BackendUnavailable(
                f"polygrad: unknown backend {spec!r}.{hint} Installed backends: "
                f"{', '.join(sorted(eps)) or 'none'}.")
        try:
            cls = eps[name].load()
            backend = cls(device)
        except Exception as exc:  # a broken plugin must not break the others
            raise BackendUnavailable(
                f"polygrad: backend {spec!r} failed to load: {type(exc).__name__}: {exc}. "
                f"Available: {', '.join(sorted(eps))}.") from exc
        ok, why = backend.probe()
        if not ok:
            raise BackendUnavailable(f"polygrad: backend {spec!r} is unavailable: {why}. "
                                     f"Installed backends: {', '.join(sorted(eps))}.")
        _instances[spec] = backend
        _instances.setdefault(backend.spec, backend)
        return backend


def backends() -> list[dict[str, Any]]:
    """List the installed backends with their status, without importing any array library.

    Examples
    --------
    >>> import polygrad as pg
    >>> any(b["name"] == "numpy" for b in pg.backends())
    True
    """
    rows = []
    for name, ep in sorted(_discover().items()):
        dist = getattr(ep, "dist", None)
        row = {"name": name, "entry_point": ep.value,
               "distribution": dist.name if dist else None,
               "version": dist.version if dist else None}
        try:
            ok, why = ep.load()().probe()
        except Exception as exc:
            ok, why = False, f"plugin failed to load: {type(exc).__name__}: {exc}"
        row["status"] = "available" if ok else "unavailable"
        row["reason"] = why
        rows.append(row)
    return rows


# -- current backend and default dtype ------------------------------------------------------
_global_backend: Backend | None = None
_context_backend: contextvars.ContextVar[Backend | None] = contextvars.ContextVar(
    "polygrad_backend", default=None)
_default_dtype: DType | None = None


def get_backend() -> Backend:
    """The backend new arrays are created on: ``use_backend`` if active, else ``set_backend``."""
    backend = _context_backend.get()
    if backend is None:
        backend = _global_backend
        if backend is None:
            backend = _init_global()
    return backend


def _init_global() -> Backend:
    global _global_backend
    _global_backend = backend_for(os.environ.get("POLYGRAD_BACKEND", "numpy"))
    return _global_backend


def set_backend(spec: str | Backend) -> Backend:
    """Make ``spec`` the process-wide default backend, e.g. ``"numpy"``, ``"cuda"``, ``"jax:gpu"``.

    Examples
    --------
    >>> import polygrad as pg
    >>> pg.set_backend("numpy").name
    'numpy'
    """
    global _global_backend
    backend = backend_for(spec)
    _global_backend = backend
    return backend


@contextlib.contextmanager
def use_backend(spec: str | Backend) -> Iterator[Backend]:
    """Use ``spec`` for new arrays inside the block; local to the thread or asyncio task.

    Examples
    --------
    >>> import polygrad as pg
    >>> with pg.use_backend("numpy"):
    ...     pg.numpy.ones(2).backend
    'numpy'
    """
    token = _context_backend.set(backend_for(spec))
    try:
        yield _context_backend.get()
    finally:
        _context_backend.reset(token)


def set_default_dtype(dtype: DType | str | None) -> None:
    """Override every backend's default floating dtype (``None`` restores each backend's own)."""
    global _default_dtype
    _default_dtype = None if dtype is None else _dtypes.by_name(dtype)
    if _default_dtype is not None and _default_dtype.kind != "f":
        raise TypeError(f"polygrad.set_default_dtype: expected a real floating dtype, got {dtype}")


def get_default_dtype(backend: Backend | None = None) -> DType:
    if _default_dtype is not None:
        return _default_dtype
    return (backend or get_backend()).default_float_dtype
