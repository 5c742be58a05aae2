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
    #: ``x[key] = v`` keeps the last write where ``key`` repeats a position, as NumPy does;
    #: where False (the default), polygrad hands the kernel only the values that win
    ordered_writes: bool = False
    kernels: dict[str, Callable[[Any], Callable]] = {}  #: primitive name -> factory(xp) -> kernel
    accelerators: tuple[str, ...] = ()   #: device kinds listed beside the backend ("cuda")

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if isinstance(cls.__dict__.get("default_float_dtype"), str):   # plugins may write a name
            cls.default_float_dtype = _dtypes.by_name(cls.default_float_dtype)

    def __init__(self, device: str | None = None) -> None:
        self.device = device or self.default_device
        self.default_float_dtype = _dtypes.by_name(self.default_float_dtype)
        self._xp = None
        self._rng = None
        self._lock = threading.RLock()   # rng() may load the library inside its lock

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

    def probe_without_import(self) -> tuple[bool | None, str]:
        """Like ``probe`` but never importing the library: ``None`` when that cannot tell."""
        return None, "not checked without importing the library: run with --load"

    # -- conversions (override) -------------------------------------------------------------
    def asarray(self, obj: Any, dtype: DType | None = None, copy: bool | None = None) -> Any:
        kw = {} if dtype is None else {"dtype": self.native_dtype(dtype)}
        return self.xp.asarray(obj, copy=copy, **kw)

    def native_dtype(self, dtype: DType) -> Any:
        return getattr(self.xp, dtype.name)

    def dtype_of(self, native: Any) -> DType:
        # cached by the library's dtype object: NumPy's dtype.name is surprisingly slow
        key = native.dtype
        try:
            return self._dtype_cache[key]
        except (AttributeError, KeyError):   # (a subclass's __init__ may not call ours)
            found = _dtypes.by_name(key)
            self.__dict__.setdefault("_dtype_cache", {})[key] = found
            return found

    def device_of(self, native: Any) -> str:
        return self.device

    def to_numpy(self, native: Any) -> Any:
        import numpy

        return numpy.asarray(native)

    def from_dlpack(self, obj: Any) -> Any:
        """A copy, on this backend, of any array with ``__dlpack__`` (``Array.to_backend``)."""
        return self.asarray(self.xp.from_dlpack(obj), copy=True)

    def native(self, value: Any) -> Any:
        """The library's own array for an internal value (a hook for NumPy's scalars)."""
        return value

    def shares_memory(self, a: Any, b: Any) -> bool:
        """Whether native arrays ``a`` and ``b`` may share memory (mutable backends; False
        when unsure: polygrad then copies the elements across itself)."""
        return False

    def setitem_inplace(self, native: Any, key: Any, value: Any) -> Any:
        """Write ``value`` into ``native[key]`` in place (mutable backends); returns the array."""
        native[key] = value
        return native

    def devices(self) -> list[str]:
        """The devices this backend's library can use here (may import the library)."""
        return [self.device]

    def compute(self, natives: list) -> list:
        """Lazy backends: compute ``natives`` in one pass (``pg.compute``); eager: as they are."""
        return natives

    def persist(self, natives: list) -> list:
        """Lazy backends: compute and keep in memory (``Array.persist``); eager: as they are."""
        return natives

    @staticmethod
    def on_device(xp: Any, device: Any) -> Any:
        """``xp`` with its creation functions defaulting to ``device`` (for ``load()``).

        The core calls ``xp.zeros(shape, dtype=...)`` without a device, so a backend whose
        device may differ from its library's current default returns
        ``self.on_device(namespace, native_device)`` from ``load``.
        """
        return DeviceNamespace(xp, device)

    def rng(self) -> Any:
        """This backend's seeded random stream (see ``polygrad.numpy.random``), made once by
        ``make_rng``."""
        rng = self._rng
        if rng is None:
            with self._lock:
                if self._rng is None:
                    self._rng = self.make_rng()
                rng = self._rng
        return rng

    def make_rng(self) -> Any:
        """A new seeded random stream (override): ``seed``, ``normal``, ``uniform``, ...."""
        raise NotImplementedError(f"backend {self.name!r} has no random number generator")

    def compiler(self) -> Any:
        """The ``polygrad.extend.Compiler`` behind ``pg.jit`` here (None: ``jit`` runs eagerly)."""
        return None

    @property
    def spec(self) -> str:
        return f"{self.name}:{self.device}"

    def __repr__(self) -> str:
        return f"<polygrad backend {self.spec}>"


_CREATION = ("arange", "asarray", "empty", "eye", "full", "linspace", "ones", "zeros")


class DeviceNamespace:
    """An Array API namespace whose creation functions place arrays on one device by default."""

    def __init__(self, xp: Any, device: Any) -> None:
        self._xp = xp
        self.__name__ = getattr(xp, "__name__", type(xp).__name__)
        for name in _CREATION:
            fn = getattr(xp, name, None)
            if fn is not None:
                setattr(self, name, _with_device(fn, device))

    def __getattr__(self, name: str) -> Any:
        if name == "_xp":   # not yet set (copying, unpickling)
            raise AttributeError(name)
        value = getattr(self._xp, name)
        setattr(self, name, value)   # cached: later lookups are plain attribute reads
        return value

    def __repr__(self) -> str:
        return f"<{self.__name__} on {self.zeros.device!r}>"


def _with_device(fn: Callable, device: Any) -> Callable:
    def create(*args: Any, **kwargs: Any) -> Any:
        if kwargs.get("device") is None:
            kwargs["device"] = device
        return fn(*args, **kwargs)
    create.device = device
    return create


# -- discovery ------------------------------------------------------------------------------
# Built-in backends come from polygrad's own distribution and always win their names. Third-party
# plugins can be narrowed with POLYGRAD_PLUGINS (an allow-list; "none" allows none) and
# POLYGRAD_DISABLE_PLUGINS (a deny-list), both comma-separated and read at first discovery.
# Discovery reads metadata only: no plugin code runs until a plugin is listed or selected.
_entry_points: dict[str, metadata.EntryPoint] | None = None
_skipped: dict[str, list[tuple[metadata.EntryPoint, str, str]]] = {}   # name -> (ep, status, why)
_instances: dict[str, Backend] = {}
_registry_lock = threading.Lock()


def _distribution(ep: metadata.EntryPoint) -> str | None:
    dist = getattr(ep, "dist", None)
    return dist.name if dist is not None else None


def is_builtin(ep: metadata.EntryPoint) -> bool:
    """Whether ``ep`` is one of polygrad's own backends (shipped in ``polygrad_backends``)."""
    dist = _distribution(ep)
    return ep.value.startswith("polygrad_backends.") and dist in (None, "polygrad")


def _env_names(var: str) -> set[str] | None:
    raw = os.environ.get(var, "").strip()
    if not raw:
        return None
    names = {n.strip() for n in raw.replace(";", ",").split(",") if n.strip()}
    return set() if names == {"none"} else names


def _discover() -> dict[str, metadata.EntryPoint]:
    global _entry_points
    if _entry_points is None:
        allow = _env_names("POLYGRAD_PLUGINS")
        deny = _env_names("POLYGRAD_DISABLE_PLUGINS") or set()
        eps = list(metadata.entry_points(group=ENTRY_POINT_GROUP))
        found = {}
        for ep in eps:
            if is_builtin(ep):
                found.setdefault(ep.name, ep)
        skipped: dict[str, list] = {}
        for ep in eps:
            if is_builtin(ep):
                continue
            why = None
            if ep.name in found:
                owner = _distribution(found[ep.name]) or found[ep.name].value
                status = "rejected"
                why = (f"claims the built-in name {ep.name!r}" if is_builtin(found[ep.name])
                       else f"the name {ep.name!r} is already taken by {owner!r}")
            elif allow is not None and ep.name not in allow:
                status, why = "disabled", "not in POLYGRAD_PLUGINS"
            elif ep.name in deny:
                status, why = "disabled", "listed in POLYGRAD_DISABLE_PLUGINS"
            if why is None:
                found[ep.name] = ep
            else:
                skipped.setdefault(ep.name, []).append((ep, status, why))
        _skipped.clear()
        _skipped.update(skipped)
        _entry_points = found
    return _entry_points


def _parse(spec: str) -> tuple[str, str | None]:
    spec = ALIASES.get(spec, spec)
    name, _, device = spec.partition(":")
    return name, (device or None)


def available() -> list[str]:
    """Names of the backends that can be selected here (probing each; used in error messages)."""
    names = []
    for name, ep in sorted(_discover().items()):
        try:
            ok, _ = ep.load()().probe()
        except Exception:
            ok = False
        if ok:
            names.append(name)
    return names


def _unavailable(spec: str, why: str) -> BackendUnavailable:
    return BackendUnavailable(f"polygrad: backend {spec!r} is unavailable: {why}. Available "
                              f"backends: {', '.join(available()) or 'none'}.")


def backend_for(spec: str | Backend) -> Backend:
    """The (cached) backend instance for a spec string such as ``"torch:cuda:1"``.

    There is one instance per backend and device (``"torch"``, ``"torch:cpu"`` give the same
    object): the core detects mixed backends or devices by identity.
    """
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
            if name in _skipped:
                ep, _, why = _skipped[name][0]
                raise _unavailable(spec, f"the plugin from {_distribution(ep) or ep.value!r} "
                                         f"is {why}")
            close = difflib.get_close_matches(name, list(eps), n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise BackendUnavailable(
                f"polygrad: unknown backend {spec!r}.{hint} Installed backends: "
                f"{', '.join(sorted(eps)) or 'none'}.")
        try:
            backend = eps[name].load()(device)
        except Exception as exc:  # a broken plugin must not break the others
            raise _unavailable(spec, f"the plugin failed to load "
                                     f"({type(exc).__name__}: {exc})") from exc
        same = _instances.get(backend.spec)
        if same is not None:     # another spelling of a device already in use
            _instances[spec] = same
            return same
        try:
            ok, why = backend.probe()
        except Exception as exc:
            ok, why = False, f"its probe failed ({type(exc).__name__}: {exc})"
        if not ok:
            raise _unavailable(spec, why)
        try:   # import the library now: a load() that fails is refused here, not at first use
            backend.xp  # noqa: B018
        except Exception as exc:
            raise _unavailable(spec, f"its load() failed ({type(exc).__name__}: {exc})") from exc
        _instances[spec] = backend
        _instances[backend.spec] = backend
        return backend


def backends(load: bool = False) -> list[dict[str, Any]]:
    """List the installed backends with their status, without importing any array library.

    Each row has ``name``, ``distribution`` and ``version`` (of the package that provides the
    backend), ``library`` (the import name of its array library), ``status`` (``available``,
    ``unavailable``, ``broken``, ``disabled`` or ``rejected``), ``reason``, the default device
    and the capabilities (``default_float_dtype``, ``float64``, ``complex``). With
    ``load=True`` each available backend is also loaded, which imports its array library, and
    ``devices`` lists the devices it can use. ``accelerators`` has one ``{"spec", "status",
    "reason"}`` per accelerator of the backend (``torch:cuda``, ``jax:gpu``): ``unavailable``
    with the reason, ``available``, or ``unchecked`` when that needs the library imported (then
    ``load=True`` checks). ``python -m polygrad.backends`` prints this table.

    Examples
    --------
    >>> import polygrad as pg
    >>> any(b["name"] == "numpy" for b in pg.backends())
    True
    """
    from .backends import list_backends

    return list_backends(load=load)


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
