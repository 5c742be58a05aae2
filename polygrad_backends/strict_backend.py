"""The array-api-strict backend: the proof that polygrad's core needs only the standard.

Devices: ``strict`` (array-api-strict's CPU device, float64 by default), ``strict:device1``,
``strict:device2`` and ``strict:no_float64`` (float32 by default, ``supports_float64 = False``).
On ``no_float64``, host float64 data (NumPy arrays) narrows to float32 as JAX does without x64,
while asking for float64 is an error. The ``no_x64`` device is refused: polygrad's integer
default and indices are int64.

Kernels the standard lacks (NumPy-style mixed indexing, with ``polygrad.extend``'s helpers on
the core's normal-form keys; scatter-add with repeated indices, ``where`` of two scalars, ``sum``
of booleans) are written below with standard functions only.
Imports ``polygrad.extend`` and, lazily, array-api-strict (and NumPy for random numbers, which
the standard does not define).
"""

from __future__ import annotations

from typing import Any

from polygrad.extend import Backend, flat_take, index_positions, is_index_array, masks_to_integers
from polygrad.extend import dtype as by_name

__all__ = ["StrictBackend"]

#: device -> (default float dtype, supports float64), checked again against the library on load
_DEVICES = {"cpu": ("float64", True), "device1": ("float64", True),
            "device2": ("float32", True), "no_float64": ("float32", False)}
_NATIVE_NAMES = {"cpu": "CPU_DEVICE"}
_NAMES = ("bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
          "float32", "float64", "complex64", "complex128")


# -- indexing with standard functions -----------------------------------------------------------
def _is_array(k: Any) -> bool:
    return hasattr(k, "shape")


def _sole_mask(key: tuple) -> bool:
    return len(key) == 1 and _is_array(key[0]) and key[0].dtype == key[0].__array_namespace__().bool


def _getitem(xp):
    def getitem(x, key):
        if _sole_mask(key):
            return x[key[0]]
        return flat_take(xp, x, masks_to_integers(xp, key))   # (the standard allows a sole mask)
    return getitem


def _positions(xp: Any, shape: tuple, key: tuple, device: Any) -> Any:
    return index_positions(xp, shape, masks_to_integers(xp, key), device=device)


def _put_unique(xp: Any, base: Any, pos: Any, vals: Any) -> Any:
    """``base`` (1-D) with ``base[pos] = vals`` for sorted, distinct ``pos``, via searchsorted."""
    if pos.shape[0] == 0:
        return base
    j = xp.arange(base.shape[0], device=base.device)
    at = xp.clip(xp.searchsorted(pos, j), 0, pos.shape[0] - 1)
    return xp.where(xp.take(pos, at) == j, xp.take(vals, at), base)


def _scatter(xp: Any, base: Any, v: Any, key: tuple, add: bool) -> Any:
    pos = _positions(xp, base.shape, key, base.device)
    v = xp.astype(v, base.dtype) if _is_array(v) else xp.asarray(v, dtype=base.dtype,
                                                                    device=base.device)
    vals = xp.reshape(xp.broadcast_to(v, pos.shape), (-1,))
    order = xp.argsort(xp.reshape(pos, (-1,)), stable=True)
    s, w = xp.take(xp.reshape(pos, (-1,)), order), xp.take(vals, order)
    if add:
        # segmented inclusive scan (Hillis-Steele): equal neighbours in sorted order add up
        d = 1
        while d < s.shape[0]:
            w = xp.concat([w[:d], xp.where(s[d:] == s[:-d], w[d:] + w[:-d], w[d:])])
            d *= 2
    if s.shape[0]:
        last = xp.concat([s[:-1] != s[1:], xp.ones(1, dtype=xp.bool, device=base.device)])
        s, w = s[last], w[last]   # add: each run's total; set: the last write wins
    return xp.reshape(_put_unique(xp, xp.reshape(base, (-1,)), s, w), base.shape)


def _basic_key(xp: Any, key: tuple, shape: tuple) -> Any:
    """``key`` as the standard's ``__setitem__`` takes it, or None (integer arrays)."""
    if _sole_mask(key):
        return key[0]   # bare: strict mishandles a tuple holding a mask off its CPU device
    key = masks_to_integers(xp, key)
    return None if any(is_index_array(e) for e in key) else key


def _without_newaxes(xp: Any, key: Any, v: Any, shape: tuple) -> tuple[Any, Any]:
    """A basic key without its ``None`` entries (the standard's ``__setitem__`` takes none) and
    ``v`` shaped for it: ``v`` fits ``x[key]``, whose axes of length 1 from ``None`` are dropped."""
    if type(key) is not tuple or not any(k is None for k in key):
        return key, v
    if _is_array(v):
        dims, kept, axis = [], [], 0   # the axes of x[key]: one per slice and per None
        for k in key:
            if k is None or isinstance(k, slice):
                n = 1 if k is None else len(range(*k.indices(shape[axis])))
                dims.append(n)
                if k is not None:
                    kept.append(n)
            axis += k is not None
        v = xp.reshape(xp.broadcast_to(v, tuple(dims)), tuple(kept))
    return tuple(k for k in key if k is not None), v


def _assign(xp: Any, x: Any, key: tuple, v: Any) -> Any:
    """``x[key] = v`` in place; an array ``v`` is cast to ``x``'s dtype first, as NumPy does."""
    if _is_array(v) and v.dtype != x.dtype:
        v = xp.astype(v, x.dtype)
    basic = _basic_key(xp, key, x.shape)
    if basic is not None:
        basic, v = _without_newaxes(xp, basic, v, x.shape)
        x[basic] = v
    else:
        x[...] = _scatter(xp, x, v, key, add=False)
    return x


def _setitem(xp):
    return lambda x, v, key: _assign(xp, xp.asarray(x, copy=True), key, v)


def _scatter_add(xp):
    def scatter_add(v, shape, key):
        out = xp.zeros(shape, dtype=v.dtype, device=v.device)
        basic = _basic_key(xp, key, shape)
        if basic is None:   # integer arrays may repeat a position
            return _scatter(xp, out, v, key, add=True)
        basic, v = _without_newaxes(xp, basic, v, shape)
        out[basic] = v
        return out
    return scatter_add


def _where(xp):
    def where(condition, x1, x2):
        if not _is_array(x1) and not _is_array(x2):   # the standard wants one array
            kind = ("complex floating" if complex in (type(x1), type(x2)) else
                    "real floating" if float in (type(x1), type(x2)) else
                    "integral" if int in (type(x1), type(x2)) else None)
            info = xp.__array_namespace_info__().default_dtypes(device=condition.device)
            dtype = xp.bool if kind is None else info[kind]
            x1 = xp.asarray(x1, dtype=dtype, device=condition.device)
        return xp.where(condition, x1, x2)
    return where


def _sum(xp):
    def sum(x, axis, keepdims):   # noqa: A001
        if x.dtype == xp.bool:   # NumPy counts: True is 1 (the standard sums numbers only)
            x = xp.astype(x, xp.int64)
        return xp.sum(x, axis=axis, keepdims=keepdims)
    return sum


def _host_special(name: str):
    """A kernel factory for ``polygrad.special.<name>``: the standard has no special functions,
    so this runs ``scipy.special.<name>`` on a host copy and copies the result back."""
    def factory(xp):
        try:
            import numpy
            import scipy.special
        except ImportError:
            raise ImportError(f"polygrad.special.{name} on the strict backend needs SciPy "
                              f"(pip install scipy)") from None
        fn = getattr(scipy.special, name)

        def kernel(x, n=None):
            host = numpy.from_dlpack(x)
            out = fn(host) if n is None else fn(n, host)
            return xp.asarray(numpy.asarray(out, dtype=host.dtype), device=x.device)
        return kernel
    return factory


_SPECIAL = {name: _host_special(name)
            for name in ("erf", "erfc", "erfinv", "gammaln", "digamma", "polygamma")}


class StrictBackend(Backend):
    """Arrays are ``array_api_strict`` arrays: only what the Array API standard specifies."""

    name = "strict"
    library = "array_api_strict"
    ordered_writes = True   # (last write wins at a repeated index)
    native_modules = ("array_api_strict",)
    kernels = {"getitem": _getitem, "setitem": _setitem, "scatter_add": _scatter_add,
               "where": _where, "sum": _sum, **_SPECIAL}

    def __init__(self, device: str | None = None) -> None:
        device = "cpu" if device in (None, "CPU_DEVICE") else device
        self.default_float_dtype, self.supports_float64 = _DEVICES.get(device, ("float64", True))
        super().__init__(device)

    def load(self) -> Any:
        import array_api_strict as xp

        self._device = self._find_device(xp)
        self._to_dtype = {getattr(xp, n): by_name(n) for n in _NAMES}
        info = xp.__array_namespace_info__()
        have = info.dtypes(device=self._device)
        self.supports_float64 = "float64" in have
        self.default_float_dtype = self._to_dtype[info.default_dtypes(
            device=self._device)["real floating"]]
        return self.on_device(xp, self._device)

    def _find_device(self, xp: Any) -> Any:
        want = _NATIVE_NAMES.get(self.device, self.device)
        for d in xp.__array_namespace_info__().devices():
            if repr(d).endswith(f"({want!r})"):
                return d
        raise ValueError(f"array-api-strict has no device {self.device!r}")

    @classmethod
    def spec_for_native(cls, obj: Any) -> str:
        name = repr(obj.device).rpartition("(")[2].strip("')")
        return "strict:" + ("cpu" if name == "CPU_DEVICE" else name)

    def probe(self) -> tuple[bool, str]:
        ok, why = super().probe()
        if not ok or self.device == "cpu":
            return ok, why
        if self.device == "no_x64":
            return False, ("the device 'no_x64' has no int64, which polygrad uses for integer "
                           "defaults and indices")
        import array_api_strict as xp

        try:
            self._find_device(xp)
        except ValueError as exc:
            return False, f"{exc}; its devices are {', '.join(self.devices())}"
        return True, ""

    def devices(self) -> list[str]:
        return list(_DEVICES)

    # -- conversions -------------------------------------------------------------------------
    def asarray(self, obj: Any, dtype: Any = None, copy: bool | None = None) -> Any:
        xp = self.xp
        if dtype is None and not copy and getattr(obj, "device", None) == self._device:
            return obj   # one of our arrays: wrapped as it is
        if dtype is None and not self.supports_float64:
            # host float64 data narrows to the device's widest float (as JAX without x64)
            wide = str(getattr(obj, "dtype", ""))
            narrow = {"float64": xp.float32, "complex128": xp.complex64}.get(
                wide.rpartition(".")[2])
            return xp.asarray(obj, dtype=narrow, copy=copy, device=self._device)
        if dtype is None and str(getattr(obj, "dtype", "")) == "float16":   # host half data
            dtype = by_name("float16")   # native_dtype's error names the backend and dtype
        dt = None if dtype is None else self.native_dtype(dtype)
        return xp.asarray(obj, dtype=dt, copy=copy, device=self._device)

    def native_dtype(self, dtype: Any) -> Any:
        if dtype.name in ("float64", "complex128") and not self.supports_float64:
            raise TypeError(f"polygrad: the array-api-strict device {self.device!r} has no "
                            f"{dtype.name}; use float32 / complex64")
        found = getattr(self.xp, dtype.name, None)
        if found is None:   # float16: not a dtype of the standard, and array-api-strict has none
            raise TypeError(f"polygrad: the backend 'strict' (array-api-strict) has no "
                            f"{dtype.name}; use float32 or float64 there")
        return found

    def dtype_of(self, native: Any) -> Any:
        try:
            return self._to_dtype[native.dtype]
        except AttributeError:
            self.xp   # noqa: B018
            return self._to_dtype[native.dtype]

    def device_of(self, native: Any) -> str:
        return self.spec_for_native(native).partition(":")[2]

    def to_numpy(self, native: Any) -> Any:
        import numpy

        return numpy.from_dlpack(native)

    def from_dlpack(self, obj: Any) -> Any:
        # strict's from_dlpack(copy=True) shares the producer's buffer: copy explicitly
        xp = self.xp
        return xp.asarray(xp.from_dlpack(obj), copy=True, device=self._device)

    def shares_memory(self, a: Any, b: Any) -> bool:
        import numpy

        return numpy.may_share_memory(a._array, b._array)

    def setitem_inplace(self, native: Any, key: Any, value: Any) -> Any:
        return _assign(self.xp, native, key, value)

    def make_rng(self) -> Any:
        return _StrictRandom(self)


class _StrictRandom:
    """NumPy's PCG64 stream, copied onto the strict device (the standard has no RNG)."""

    #: polygrad.numpy.random may draw with NumPy's own RandomState / Generator on the host
    #: and copy with ``asarray``: a seed then gives exactly NumPy's numbers
    numpy_bits = True

    def __init__(self, backend: StrictBackend) -> None:
        from polygrad_backends.numpy_backend import NumpyRandom

        self._host = NumpyRandom()
        self._to = backend.asarray

    def seed(self, seed: int | None) -> None:
        self._host.seed(seed)

    def __getattr__(self, name: str) -> Any:
        draw = getattr(self._host, name)
        return lambda *args: self._to(draw(*args))
