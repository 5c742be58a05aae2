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
    """Base class of every polygrad backend (built-in or plugin): the backend contract.

    A backend supplies storage and forward kernels for one array library on one device; it never
    supplies derivative rules. Every hook a backend may supply is declared here, with its
    signature, its default and how the core calls it; :attr:`hooks` lists them and
    :attr:`required` the ones without a usable default (a subclass that lacks one is refused
    when it is selected, naming the hook). ``docs/plugins.md`` documents the same table (a test
    keeps the two equal). The NumPy backend (``polygrad_backends/numpy_backend.py``) is the
    minimal example, the CuPy plugin (``examples/plugins/polygrad-cupy``) the template.

    **The namespace.** ``load()`` returns an Array API namespace ``xp``. The core calls the
    standard's functions on it (``required_namespace``) and, where present, optional parts
    (``optional_namespace``: ``xp.linalg``, ``xp.fft``, ``xp.isin``, ...). A namespace that
    lacks a part fills the gap per primitive with ``kernels[name]``; without that, using the
    primitive raises ``NotImplementedError`` naming the missing part and the kernel to supply.

    **Kernels** are called as ``kernel(*arrays, **params)``: the primitive's array operands
    positionally (native arrays of one dtype, or a Python scalar beside an array), every
    parameter by keyword (``polygamma``'s kernel is called ``k(x, n=n)``, ``sum``'s
    ``k(x, axis=..., keepdims=...)``).

    **Devices and dtypes.** One instance serves one device (``device``); ``supports_float64``
    and ``supports_complex`` say which dtypes that device has; the core never asks a kernel for
    a dtype the backend does not support.

    Examples
    --------
    >>> import polygrad as pg
    >>> b = pg.get_backend()
    >>> b.name, str(b.default_float_dtype)
    ('numpy', 'float64')
    >>> [h for h in pg.extend.Backend.required]
    ['name', 'load']
    """

    #: every hook a backend may supply (attributes and methods), in the order of the docs' table
    hooks: tuple[str, ...] = (
        "name", "library", "native_modules", "default_device", "default_float_dtype",
        "supports_float64", "supports_complex", "mutable", "ordered_writes", "accelerators",
        "kernels", "__init__", "load", "probe", "probe_without_import", "spec_for_native",
        "kernel", "asarray", "native_dtype", "dtype_of", "device_of", "to_numpy", "from_dlpack",
        "native", "shares_memory", "setitem_inplace", "devices", "compute", "persist",
        "make_rng", "compiler")
    #: the hooks without a usable default: every backend sets or overrides these
    required: tuple[str, ...] = ("name", "load")
    #: the Array API standard's functions and constants the core calls on ``xp`` (a backend's
    #: namespace must have them all; ``missing_namespace()`` lists those it lacks)
    required_namespace: tuple[str, ...] = (
        "abs", "acos", "acosh", "add", "all", "any", "arange", "argmax", "argmin",
        "argsort", "asarray", "asin", "asinh", "astype", "atan", "atan2", "atanh",
        "bitwise_and", "bitwise_invert", "bitwise_left_shift", "bitwise_or",
        "bitwise_right_shift", "bitwise_xor", "broadcast_arrays", "broadcast_to", "ceil",
        "clip", "complex128",
        "complex64", "concat", "conj", "copysign", "cos", "cosh", "cumulative_sum",
        "divide", "empty", "equal", "exp", "expm1", "eye", "flip", "float32", "floor",
        "floor_divide", "full", "greater", "greater_equal", "hypot", "imag",
        "int8", "int64", "isdtype", "isfinite", "isinf", "isnan", "less", "less_equal", "linspace",
        "log", "log10", "log1p", "log2", "logaddexp", "logical_and", "logical_not",
        "logical_or", "logical_xor", "matmul", "matrix_transpose", "max", "maximum", "min",
        "minimum", "multiply", "negative", "nonzero", "not_equal", "ones", "ones_like",
        "permute_dims", "positive", "pow", "prod", "real", "remainder", "reshape", "roll",
        "round", "searchsorted", "sign", "signbit", "sin", "sinh", "sort", "sqrt",
        "square", "subtract", "sum", "take", "tan", "tanh", "tensordot", "tril", "triu",
        "trunc", "unique_all", "unique_counts", "unique_inverse", "unique_values", "where",
        "zeros", "zeros_like")
    #: optional parts of the standard (extensions, later revisions) the core uses where
    #: present, with what needs them; a namespace without one supplies ``kernels[name]`` for
    #: each primitive that needs it
    optional_namespace: dict[str, str] = {
        "linalg": "the linalg extension: polygrad.numpy.linalg (primitives linalg_*)",
        "fft": "the fft extension: polygrad.numpy.fft (primitives fft_*)",
        "isin": "polygrad.numpy.isin (2025.12)",
        "count_nonzero": "polygrad.numpy.count_nonzero (2024.12)",
        "nextafter": "polygrad.numpy.nextafter (2024.12)",
        "reciprocal": "polygrad.numpy.reciprocal (2024.12)",
        "cumulative_prod": "polygrad.numpy.cumprod (2024.12)",
        "from_dlpack": "the default Backend.from_dlpack (Array.to_backend); or override the hook",
    }

    name: str = ""
    """The spec name users select (``pg.set_backend(name)``); the entry point's name. Required."""
    library: str = ""
    """Import name of the array library; the default ``probe()`` looks for it **without
    importing it** (``importlib.util.find_spec``). Empty: nothing to look for."""
    native_modules: tuple[str, ...] = ()
    """Top-level modules whose arrays belong to this backend: ``pg.asarray(obj)`` hands such an
    ``obj`` to ``spec_for_native(obj)``'s backend and wraps it without a copy."""
    default_device: str = "cpu"
    """The device of the spec without a device part (``"cupy"`` means ``"cupy:<this>"``)."""
    default_float_dtype: DType = _dtypes.float64
    """What Python floats and ``pg.numpy.ones(n)`` become (a DType or its name)."""
    supports_float64: bool = True
    """Whether this device has float64 (may be set per instance in ``__init__``/``load``)."""
    supports_complex: bool = True
    """Whether this device has complex64/complex128."""
    mutable: bool = True
    """Arrays can be written in place (NumPy, torch; not JAX): ``x[key] = v`` calls
    ``setitem_inplace``; where False it rebinds the Array to a new array."""
    ordered_writes: bool = False
    """``x[key] = v`` keeps the last write where ``key`` repeats a position, as NumPy does;
    where False (the default), polygrad hands the kernel only the values that win."""
    accelerators: tuple[str, ...] = ()
    """Device kinds listed beside the backend by ``pg.backends()`` (``"cuda"``, ``"gpu"``)."""
    kernels: dict[str, Callable[[Any], Callable]] = {}
    """``{primitive name: factory(xp) -> kernel}``: forward kernels replacing the primitive's
    default where the namespace's function is missing, wrong or slow. Called as
    ``kernel(*arrays, **params)`` (see the class docstring); ``pg.extend.primitives()`` lists
    the names, and ``default_kernel(name, xp)`` gives the portable kernel to fall back on."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if isinstance(cls.__dict__.get("default_float_dtype"), str):   # plugins may write a name
            cls.default_float_dtype = _dtypes.by_name(cls.default_float_dtype)

    def __init__(self, device: str | None = None) -> None:
        """Called as ``cls(device)`` with the spec's device part (None when it has none).

        An override turns ``device`` into the canonical name (``"cuda"`` -> ``"cuda:0"``) and
        then calls ``super().__init__(device)``: polygrad keeps one instance per backend and
        device, so two spellings of one device give one object.
        """
        self.device = device or self.default_device
        self.default_float_dtype = _dtypes.by_name(self.default_float_dtype)
        self._xp = None
        self._rng = None
        self._lock = threading.RLock()   # rng() may load the library inside its lock

    @classmethod
    def missing_hooks(cls) -> list[str]:
        """The required hooks this class does not supply (empty for a complete backend)."""
        missing = []
        for hook in cls.required:
            value = getattr(cls, hook, None)
            if not value or getattr(value, "__qualname__", "") == f"Backend.{hook}":
                missing.append(hook)
        return missing

    # -- the library -----------------------------------------------------------------------
    def load(self) -> Any:
        """Import the array library and return its Array API namespace. Required.

        Called once per instance, on first use (``self.xp``), never at import or discovery.
        Return the library's namespace (array-api-compat's where the library needs it) bound
        to this device with ``self.on_device(xp, device)`` where the library's default device
        may differ: the core calls creation functions (``xp.zeros(shape, dtype=...)``) without
        ``device=``.
        """
        raise NotImplementedError(f"backend {self.name!r} does not implement Backend.load()")

    @property
    def xp(self) -> Any:
        """The namespace ``load()`` returned (loaded once, thread-safely). Not a hook."""
        xp = self._xp
        if xp is None:
            with self._lock:
                if self._xp is None:
                    self._xp = self.load()
                xp = self._xp
        return xp

    def kernel(self, prim: Any) -> Callable:
        """The forward kernel of primitive ``prim`` on this backend, resolved once per primitive.

        The default is ``kernels[prim.name](xp)`` or else the primitive's own factory,
        ``prim.kernel(xp)``; where that needs a part of the namespace ``xp`` lacks, it raises
        ``NotImplementedError`` naming the part and ``Backend.kernels[name]``. An override may
        wrap the result (e.g. to run on the right device) and calls ``super().kernel(prim)``.
        """
        factory = self.kernels.get(prim.name)
        if factory is not None:
            return factory(self.xp)
        xp = self.xp
        for part in _namespace_parts(prim.kernel):
            if not hasattr(xp, part):
                raise _gap(self, prim.name, part)
        try:
            return prim.kernel(xp)
        except AttributeError as exc:
            part = getattr(exc, "name", None)
            if part and not hasattr(xp, part):
                raise _gap(self, prim.name, part) from None
            raise

    def missing_namespace(self) -> tuple[list[str], list[str]]:
        """(required parts, optional parts) of the namespace that ``xp`` lacks. Not a hook."""
        xp = self.xp
        return ([n for n in self.required_namespace if not hasattr(xp, n)],
                [n for n in self.optional_namespace if not hasattr(xp, n)])

    def probe(self) -> tuple[bool, str]:
        """``(available, reason)``: whether this backend can be used here, and why not.

        Must never raise, and should not import the library (``pg.backends()`` calls it for
        every installed backend). The default looks for ``library`` with ``find_spec``.
        """
        from importlib.util import find_spec

        if self.library and find_spec(self.library) is None:
            return False, f"the package {self.library!r} is not installed"
        return True, ""

    def probe_without_import(self) -> tuple[bool | None, str]:
        """Like ``probe`` for an accelerator, never importing the library: ``(None, why)`` when
        that cannot tell (``pg.backends()`` lists the accelerator as ``unchecked``)."""
        return None, "not checked without importing the library: run with --load"

    @classmethod
    def spec_for_native(cls, obj: Any) -> str:
        """The spec (``"name:device"``) of the backend for ``obj``, an array of one of
        ``native_modules``: ``pg.asarray(obj)`` wraps ``obj`` there without a copy. Called on the
        class, before any instance exists. The default: ``name`` on its default device."""
        return cls.name

    # -- conversions (override) -------------------------------------------------------------
    def asarray(self, obj: Any, dtype: DType | None = None, copy: bool | None = None) -> Any:
        """A native array on this device from ``obj`` (host data, NumPy arrays, Python scalars
        or the library's arrays), called as ``asarray(obj, dtype=DType or None, copy=...)``
        with ``copy`` as in the standard (``True`` copies, ``False`` shares or raises)."""
        kw = {} if dtype is None else {"dtype": self.native_dtype(dtype)}
        return self.xp.asarray(obj, copy=copy, **kw)

    def native_dtype(self, dtype: DType) -> Any:
        """The library's dtype object for a polygrad ``DType``; a ``TypeError`` naming the
        backend and the dtype where the library has none (float16 is not the standard's)."""
        found = getattr(self.xp, dtype.name, None)
        if found is None:
            raise TypeError(f"polygrad: the backend {self.name!r} has no {dtype.name}")
        return found

    def dtype_of(self, native: Any) -> DType:
        """The polygrad ``DType`` of a native array (called on every kernel result: keep it
        fast; the default caches by ``native.dtype`` and looks the name up)."""
        # cached by the library's dtype object: NumPy's dtype.name is surprisingly slow
        key = native.dtype
        try:
            return self._dtype_cache[key]
        except (AttributeError, KeyError):   # (a subclass's __init__ may not call ours)
            found = _dtypes.by_name(key)
            self.__dict__.setdefault("_dtype_cache", {})[key] = found
            return found

    def device_of(self, native: Any) -> str:
        """The device name (as in a spec) a native array lives on; the default, ``device``."""
        return self.device

    def to_numpy(self, native: Any) -> Any:
        """The values of a native array on the host, as NumPy (``np.asarray(x)``, ``float(x)``,
        ``repr``, ``Array.to_backend`` without DLPack).

        Returns a ``numpy.ndarray`` of the same shape and dtype (a copy is fine; it is never
        written). A library whose arrays carry more than values keeps it in NumPy's terms where
        NumPy has them: masked arrays return ``numpy.ma.MaskedArray`` (``repr`` and ``str`` of
        the Array then print masked entries as ``--``); other metadata (fill values of sparse
        arrays, laziness) is resolved here: densify with the fill value, compute a lazy array.
        """
        import numpy

        return numpy.asarray(native)

    def from_dlpack(self, obj: Any) -> Any:
        """A copy, on this backend, of any array with ``__dlpack__`` (``Array.to_backend``);
        may raise, and polygrad then goes through ``to_numpy`` and ``asarray``."""
        return self.asarray(self.xp.from_dlpack(obj), copy=True)

    def native(self, value: Any) -> Any:
        """The library's own array for an internal value (a hook for NumPy's scalars)."""
        return value

    def shares_memory(self, a: Any, b: Any) -> bool:
        """Whether native arrays ``a`` and ``b`` may share memory (mutable backends; False
        when unsure: polygrad then copies the elements across itself)."""
        return False

    def setitem_inplace(self, native: Any, key: Any, value: Any) -> Any:
        """Write ``value`` into ``native[key]`` in place (mutable backends); returns the array.
        ``key`` is a tuple already normalised by the core (see ``polygrad.numpy._indexing``)."""
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
        """``xp`` with its creation functions defaulting to ``device`` (for ``load()``). Not a
        hook: a helper.

        The core calls ``xp.zeros(shape, dtype=...)`` without a device, so a backend whose
        device may differ from its library's current default returns
        ``self.on_device(namespace, native_device)`` from ``load``.
        """
        return DeviceNamespace(xp, device)

    def rng(self) -> Any:
        """This backend's seeded random stream (see ``polygrad.numpy.random``), made once by
        ``make_rng``. Not a hook."""
        rng = self._rng
        if rng is None:
            with self._lock:
                if self._rng is None:
                    self._rng = self.make_rng()
                rng = self._rng
        return rng

    def make_rng(self) -> Any:
        """A new seeded random stream behind ``polygrad.numpy.random``.

        The object has ``seed(seed)``, ``normal(loc, scale, shape, dtype)``,
        ``uniform(low, high, shape, dtype)``, ``integers(low, high, shape, dtype)``,
        ``permutation(n)`` and ``choice(n, shape, replace, p)`` (``dtype`` a polygrad DType),
        returning native arrays. ``numpy_bits = True`` on it says its numbers are NumPy's (a host
        stream copied to the device): polygrad then draws with NumPy's own generators. Without
        it, ``polygrad.numpy.random`` raises ``NotImplementedError`` on this backend.
        """
        raise NotImplementedError(f"backend {self.name!r} has no random number generator")

    def compiler(self) -> Any:
        """The ``polygrad.extend.Compiler`` behind ``pg.jit`` here (None: ``jit`` runs eagerly)."""
        return None

    @property
    def spec(self) -> str:
        """``"name:device"``. Not a hook."""
        return f"{self.name}:{self.device}"

    def __repr__(self) -> str:
        return f"<polygrad backend {self.spec}>"


def _namespace_parts(factory: Callable) -> list[str]:
    """The optional namespace parts (``Backend.optional_namespace``) a kernel factory's code
    names, its nested functions included (read once, when a primitive is resolved)."""
    code = getattr(factory, "__code__", None)
    found: list[str] = []
    stack = [code] if code is not None else []
    while stack:
        c = stack.pop()
        found.extend(n for n in c.co_names if n in Backend.optional_namespace and n not in found)
        stack.extend(k for k in c.co_consts if hasattr(k, "co_names"))
    return found


def _gap(backend: Backend, name: str, part: str) -> NotImplementedError:
    what = Backend.optional_namespace.get(part, f"xp.{part}")
    return NotImplementedError(
        f"polygrad: the primitive {name!r} needs xp.{part} ({what}), which the namespace of "
        f"backend {backend.spec!r} lacks; this backend must supply Backend.kernels[{name!r}] "
        f"(a factory kernel(xp) -> function), or a namespace with {part}")


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
            cls = eps[name].load()
            missing = cls.missing_hooks() if isinstance(cls, type) and issubclass(
                cls, Backend) else ["a subclass of polygrad.extend.Backend"]
            if missing:
                raise TypeError(f"{getattr(cls, '__name__', cls)} does not supply "
                                f"{', '.join(missing)} (see Backend.required)")
            backend = cls(device)
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
    wanted = None if dtype is None else _dtypes.by_name(dtype)
    if wanted is not None and wanted.kind != "f":   # checked before anything is stored
        raise TypeError(f"polygrad.set_default_dtype: expected a real floating dtype, got {dtype}")
    _default_dtype = wanted


def get_default_dtype(backend: Backend | None = None) -> DType:
    if _default_dtype is not None:
        return _default_dtype
    return (backend or get_backend()).default_float_dtype
