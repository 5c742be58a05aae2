"""polygrad-cupy: CuPy arrays on NVIDIA GPUs as a polygrad backend (``cupy``, ``cupy:1``).

The template for backend authors: one class, registered under the entry-point group
``polygrad.backends`` (see ``pyproject.toml``). It imports ``polygrad.extend`` at import time and
CuPy only when the backend is first used, so ``pg.backends()`` can list it on machines without
CuPy or a GPU. A backend supplies storage and forward kernels, never derivative rules. Every
hook is declared, with how polygrad calls it, on ``polygrad.extend.Backend`` (the only part of
polygrad a plugin imports); this one supplies the required ``name`` and ``load`` and overrides
the defaults that do not fit CuPy.
"""

from __future__ import annotations

from typing import Any

from polygrad.extend import Backend

__all__ = ["CupyBackend"]
__version__ = "0.1.0"


# -- kernel overrides: factory(xp) -> function on native arrays ---------------------------------
def _scatter_add(xp):
    """Zeros of ``shape`` with ``v`` added at ``key``; the VJP of indexing.

    The core's default writes ``out[key] = v``, which loses repeated integer indices;
    ``cupyx.scatter_add`` accumulates them (CuPy's ``numpy.add.at``).
    """
    import cupyx

    def scatter_add(v, shape, key):
        out = xp.zeros(shape, dtype=v.dtype)
        cupyx.scatter_add(out, key, v)
        return out
    return scatter_add


def _device_name(device: str | None) -> str:
    if device is None or device in ("cuda", "gpu"):
        return "cuda:0"
    index = device.rpartition(":")[2]
    return f"cuda:{index}" if index.isdigit() else device


class CupyBackend(Backend):
    """Arrays are ``cupy.ndarray`` on one CUDA device; float32 by default (GPUs are fastest in
    single precision; NumPy's float64 is supported, as is complex)."""

    name = "cupy"                       # the entry-point name users select
    library = "cupy"                    # checked with importlib.util.find_spec, never imported
    native_modules = ("cupy",)          # pg.asarray(cupy_array) wraps it on this backend
    default_device = "cuda:0"
    default_float_dtype = "float32"
    supports_float64 = True
    supports_complex = True
    kernels = {"scatter_add": _scatter_add}

    def __init__(self, device: str | None = None) -> None:
        super().__init__(_device_name(device))
        self._index = int(self.device.partition(":")[2] or 0)

    # -- the library: imported here, lazily -----------------------------------------------------
    def load(self) -> Any:
        import array_api_compat.cupy as xp
        import cupy

        self._cupy_device = cupy.cuda.Device(self._index)
        return self.on_device(xp, self._cupy_device)   # creation functions land on our device

    def kernel(self, prim: Any) -> Any:
        fn = super().kernel(prim)
        device = self._cupy_device

        def on_device(*args: Any, **params: Any) -> Any:
            with device:                   # CuPy launches kernels on the current device
                return fn(*args, **params)
        return on_device

    def probe(self) -> tuple[bool, str]:
        ok, why = super().probe()          # is cupy installed? (no import)
        if not ok:
            return ok, why
        try:
            import cupy

            count = cupy.cuda.runtime.getDeviceCount()
        except Exception as exc:           # no driver, no GPU, a CPU-only machine
            return False, f"CUDA is not available to CuPy ({type(exc).__name__}: {exc})"
        if self._index >= count:
            return False, f"no CUDA device {self._index}: CuPy sees {count} GPU(s)"
        return True, ""

    def devices(self) -> list[str]:
        import cupy

        return [f"cuda:{i}" for i in range(cupy.cuda.runtime.getDeviceCount())]

    @classmethod
    def spec_for_native(cls, obj: Any) -> str:
        return f"cupy:cuda:{obj.device.id}"

    # -- conversions ----------------------------------------------------------------------------
    # asarray: the base class's ``self.xp.asarray(obj, dtype=..., copy=...)`` already lands on
    # our device, because load() returned a namespace bound to it

    def native_dtype(self, dtype: Any) -> Any:
        import numpy

        return numpy.dtype(dtype.name)     # CuPy uses NumPy's dtype objects

    def device_of(self, native: Any) -> str:
        return f"cuda:{native.device.id}"

    def to_numpy(self, native: Any) -> Any:
        return native.get()

    def from_dlpack(self, obj: Any) -> Any:
        """A copy of any DLPack-capable array on this device (``Array.to_backend`` uses it)."""
        import cupy

        self.xp   # noqa: B018
        with self._cupy_device:
            return cupy.array(cupy.from_dlpack(obj), copy=True)

    def make_rng(self) -> Any:
        self.xp   # noqa: B018  (loads CuPy and the device)
        return CupyRandom(self._cupy_device)


class CupyRandom:
    """A seeded ``cupy.random.RandomState`` on the backend's device (``polygrad.numpy.random``)."""

    def __init__(self, device: Any, seed: int | None = None) -> None:
        self._device = device
        self.seed(seed)

    def seed(self, seed: int | None) -> None:
        import cupy

        with self._device:
            self._state = cupy.random.RandomState(seed)

    def normal(self, loc: float, scale: float, shape: tuple, dtype: Any) -> Any:
        with self._device:
            return self._state.normal(loc, scale, shape, dtype=dtype.name)

    def uniform(self, low: float, high: float, shape: tuple, dtype: Any) -> Any:
        with self._device:
            return self._state.uniform(low, high, shape, dtype=dtype.name)

    def integers(self, low: int, high: int, shape: tuple, dtype: Any) -> Any:
        with self._device:
            return self._state.randint(low, high, shape, dtype=dtype.name)

    def permutation(self, n: int) -> Any:
        with self._device:
            return self._state.permutation(n)

    def choice(self, n: int, shape: tuple, replace: bool, p: Any) -> Any:
        import cupy

        with self._device:
            p = None if p is None else cupy.asarray(p, dtype="float64")
            return self._state.choice(n, shape, replace=replace, p=p)
