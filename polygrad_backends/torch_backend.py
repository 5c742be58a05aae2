"""The PyTorch backend: ``torch`` (CPU), ``torch:cuda[:N]`` and ``cuda``; float32 by default.

Imports ``polygrad.extend`` and, lazily, torch and array-api-compat.
"""

from __future__ import annotations

import warnings
from typing import Any

from polygrad.extend import Backend, default_kernel, flip_negative_steps
from polygrad.extend import dtype as by_name

__all__ = ["TorchBackend", "TorchRandom"]

_NAMES = ("bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
          "float16", "float32", "float64", "complex64", "complex128")


def _torch_key(key: tuple, shape: tuple) -> tuple[list[int], tuple]:
    """The axes to flip and a key torch indexes as NumPy would: torch has no negative slice
    steps, and it reads a 0-d index tensor (the normal form's int beside index arrays) as a
    basic int, where NumPy broadcasts it with the arrays: it becomes shape (1, ..., 1)."""
    import torch

    tensors = [k for k in key if isinstance(k, torch.Tensor)]
    nd = max((1 if k.dtype == torch.bool else k.ndim for k in tensors), default=0)
    if nd:
        key = tuple(k.reshape((1,) * nd) if isinstance(k, torch.Tensor) and k.ndim == 0 and
                    k.dtype != torch.bool else k for k in key)
    return flip_negative_steps(key, shape)


def _getitem(xp):
    import torch

    def getitem(x, key):
        if len(key) == x.ndim and all(type(k) is int for k in key):
            return x[key].clone()   # NumPy gives a scalar, a copy; torch a view
        axes, key = _torch_key(key, x.shape)
        return (torch.flip(x, axes) if axes else x)[key]
    return getitem


def _assign(x, key, v):
    """``x[key] = v`` in place, negative steps included."""
    import torch

    axes, key = _torch_key(key, x.shape)
    if axes:
        flipped = torch.flip(x, axes)
        flipped[key] = v
        x.copy_(torch.flip(flipped, axes))
    else:
        x[key] = v
    return x


def _scatter_add(xp):
    import torch

    def scatter_add(v, shape, key):
        out = torch.zeros(shape, dtype=v.dtype, device=v.device)
        if key and all(isinstance(k, torch.Tensor) for k in key):
            out.index_put_(key, v, accumulate=True)   # repeated indices accumulate
        elif any(isinstance(k, torch.Tensor) and k.dtype != torch.bool for k in key):
            # integer arrays mixed with slices: add at the flat positions the key selects
            pos = _getitem(xp)(torch.arange(out.numel(), device=out.device).reshape(shape), key)
            out.view(-1).index_add_(0, pos.reshape(-1), v.broadcast_to(pos.shape).reshape(-1))
        else:
            _assign(out, key, v)   # basic indices and masks never select a position twice
        return out
    return scatter_add


def _setitem(xp):
    return lambda x, v, key: _assign(x.clone(), key, v)


def _special(name: str):
    """A kernel factory for ``polygrad.special.<name>`` from ``torch.special``."""
    def factory(xp):
        import torch

        return getattr(torch.special, name)
    return factory


def _polygamma(xp):
    import torch

    return lambda x, n: torch.special.polygamma(n, x)


_SPECIAL = {name: _special(name) for name in ("erf", "erfc", "erfinv", "gammaln", "digamma",
                                              "i0e", "i1", "i1e", "zeta", "gammainc",
                                              "gammaincc")}


def _bessel(name: str):
    """``polygrad.special.<name>`` (j0 j1 y0 y1): torch.special.bessel_<name> is accurate to
    about 1e-7 relative, so CPU tensors take SciPy's through a host copy; other devices keep
    torch's."""
    def factory(xp):
        import torch

        host, native = default_kernel(name, xp), getattr(torch.special, f"bessel_{name}")
        return lambda x: host(x) if x.device.type == "cpu" else native(x)
    return factory


_SPECIAL.update({name: _bessel(name) for name in ("j0", "j1", "y0", "y1")})


def _opaque_kernels() -> dict:
    """The kernels that read values (iterations until converged) or copy to the host, each as
    one opaque operation so that pg.jit traces and compiles around it (torch_opaque.py)."""
    from .torch_opaque import opaque

    out = {name: opaque(name, _SPECIAL.get(name)) for name in ("j0", "j1", "y0", "y1")}
    out.update({name: opaque(name) for name in (
        "ive", "betainc", "gammaincinv", "gammainccinv", "betaincinv", "gammainc_da",
        "gammainc_daa", "betainc_da", "betainc_db", "betainc_daa", "betainc_dadb",
        "betainc_dbb", "ive_dv")})
    return out


_SPECIAL.update(_opaque_kernels())


def _select_extremum(xp):
    """The cotangent of maximum / minimum (see polygrad.numpy._elementwise): the same weights
    (1 taken, 1/2 at ties, 0 otherwise or at NaN), with each comparison written straight into a
    float tensor. Measured on 256×1024 float32 (2 threads): a comparison to a bool tensor takes
    ~90 µs and its conversion to float ~200 µs, a comparison into a float ``out=`` ~40 µs."""
    import torch

    generic = _generic_select_extremum(xp)

    def select_extremum(g, x, other, larger):
        if torch.compiler.is_compiling() or not isinstance(g, torch.Tensor):
            return generic(g, x, other, larger)   # the compiler fuses the plain version
        if isinstance(x, torch.Tensor):
            strict, loose, a, b = (torch.gt, torch.ge, x, other) if larger else \
                (torch.lt, torch.le, x, other)
        elif isinstance(other, torch.Tensor):   # x a Python scalar: compare from the other side
            strict, loose, a, b = (torch.lt, torch.le, other, x) if larger else \
                (torch.gt, torch.ge, other, x)
        else:
            return generic(g, x, other, larger)
        shape = a.shape   # torch.broadcast_shapes is slow Python: only where shapes differ
        if isinstance(b, torch.Tensor) and b.shape != shape:
            shape = torch.broadcast_shapes(shape, b.shape)
        w = strict(a, b, out=torch.empty(shape, dtype=g.dtype, device=g.device))
        w += loose(a, b, out=torch.empty(shape, dtype=g.dtype, device=g.device))
        w *= g
        w *= 0.5
        return w
    return select_extremum


def _native(name: str):
    """A kernel factory for a primitive as torch's own function (or operator). polygrad promotes
    operands before any kernel runs (one dtype, or a Python scalar the dtype absorbs), so the
    compatibility layer's promotion fix-ups (a result_type and two ``.to`` per call) have
    nothing left to do; they cost several µs a call, 20 calls per MLP gradient."""
    def factory(xp):
        import operator

        import torch

        return getattr(operator, name, None) or getattr(torch, name)
    return factory


_NATIVE = {"add": _native("add"), "subtract": _native("sub"), "multiply": _native("mul"),
           "divide": _native("truediv"), "matmul": _native("matmul")}


def _extremum(name: str, clamp: str):
    """maximum / minimum: against a Python number (every ``maximum(z, 0.0)`` ReLU) torch's clamp,
    which propagates NaN as maximum does; the compatibility layer would first make the number a
    tensor (a result_type, an asarray and two ``.to``: ~10 µs a call)."""
    def factory(xp):
        import torch

        compat, bound = getattr(xp, name), getattr(torch, clamp)
        tensor, numbers = torch.Tensor, (int, float)

        def extremum(x1, x2):
            if type(x2) in numbers and isinstance(x1, tensor) and x1.is_floating_point():
                return bound(x1, x2)
            if type(x1) in numbers and isinstance(x2, tensor) and x2.is_floating_point():
                return bound(x2, x1)
            return compat(x1, x2)
        return extremum
    return factory


def _log_softmax(xp):
    """torch's own log_softmax over one axis (one kernel instead of nine); the portable kernel
    over several."""
    import torch

    generic = default_kernel("log_softmax", xp)

    def log_softmax(x, axis):
        if len(axis) == 1 and isinstance(x, torch.Tensor):
            return torch.log_softmax(x, dim=axis[0])
        return generic(x, axis)
    return log_softmax


def _generic_select_extremum(xp):
    return default_kernel("select_extremum", xp)


def _device_name(device: str | None) -> str:
    if device is None or device == "cpu":
        return "cpu"
    if device == "cuda":
        return "cuda:0"
    return device


class TorchBackend(Backend):
    """Arrays are ``torch.Tensor`` on one device; float32 by default, float64 and complex too.

    One instance per device: ``"torch"`` is the CPU, ``"torch:cuda"`` / ``"cuda"`` CUDA
    device 0 and ``"torch:cuda:N"`` device N.
    """

    name = "torch"
    library = "torch"
    native_modules = ("torch",)
    default_float_dtype = "float32"
    kernels = {"getitem": _getitem, "scatter_add": _scatter_add, "setitem": _setitem,
               "polygamma": _polygamma, "select_extremum": _select_extremum,
               "maximum": _extremum("maximum", "clamp_min"),
               "minimum": _extremum("minimum", "clamp_max"), "log_softmax": _log_softmax,
               **_SPECIAL, **_NATIVE}
    accelerators = ("cuda",)

    def __init__(self, device: str | None = None) -> None:
        super().__init__(_device_name(device))

    def load(self) -> Any:
        import array_api_compat.torch as xp
        import torch

        self._torch_device = torch.device(self.device)
        self._to_dtype = {getattr(torch, n): by_name(n) for n in _NAMES if hasattr(torch, n)}
        self._from_dtype = {d.name: t for t, d in self._to_dtype.items()}
        # bound even on the CPU: torch.set_default_device() must not move polygrad's arrays
        return self.on_device(xp, self._torch_device)

    @classmethod
    def spec_for_native(cls, obj: Any) -> str:
        return f"torch:{obj.device}"

    def probe(self) -> tuple[bool, str]:
        ok, why = super().probe()
        if not ok or self.device == "cpu":
            return ok, why
        import torch

        kind, _, index = self.device.partition(":")
        if kind == "cuda":
            if torch.version.cuda is None and getattr(torch.version, "hip", None) is None:
                return False, ("CUDA is not available: torch "
                               f"{torch.__version__} was built without CUDA")
            if not torch.cuda.is_available():
                return False, "CUDA is not available: no GPU is visible to torch"
            count = torch.cuda.device_count()
            if not index.isdigit() or int(index) >= count:
                return False, f"no CUDA device {index!r}: torch sees {count} GPU(s)"
            return True, ""
        try:
            torch.empty(0, device=self.device)
        except Exception as exc:
            return False, f"torch cannot use the device {self.device!r} ({exc})"
        return True, ""

    def probe_without_import(self) -> tuple[bool | None, str]:
        """A CPU-only build says so in its version (``2.13.0+cpu``), read from its metadata."""
        ok, why = super().probe()
        if not ok or self.device == "cpu":
            return ok, why
        from importlib.metadata import PackageNotFoundError, version

        try:
            release = version("torch")
        except PackageNotFoundError:
            return None, "torch's version is unknown: run with --load"
        if self.device.startswith("cuda") and release.endswith("+cpu"):
            return False, f"CUDA is not available: torch {release} was built without CUDA"
        return None, f"torch {release} may use CUDA: run with --load to check for a GPU"

    def devices(self) -> list[str]:
        import torch

        cuda = torch.cuda.device_count() if torch.cuda.is_available() else 0
        mps = ["mps"] if torch.backends.mps.is_available() else []
        return ["cpu"] + [f"cuda:{i}" for i in range(cuda)] + mps

    # -- conversions -------------------------------------------------------------------------
    def asarray(self, obj: Any, dtype: Any = None, copy: bool | None = None) -> Any:
        import torch

        xp = self.xp
        dt = None if dtype is None else self._from_dtype[dtype.name]
        if isinstance(obj, torch.Tensor):
            obj = obj.detach()   # polygrad differentiates; torch's own autograd stays out
            if obj.device != self._torch_device or (dt is not None and obj.dtype != dt):
                return obj.to(device=self._torch_device, dtype=dt, copy=bool(copy))
            return obj.clone() if copy else obj
        try:
            if copy is not False:
                return xp.asarray(obj, dtype=dt, copy=copy, device=self._torch_device)
            with warnings.catch_warnings():
                # a read-only NumPy array shared on request: polygrad marks the Array read-only
                # and refuses writes itself (see polygrad.asarray)
                warnings.filterwarnings("ignore", "The given NumPy array is not writable")
                return xp.asarray(obj, dtype=dt, copy=False, device=self._torch_device)
        except ValueError:
            # a NumPy view with negative strides, which torch cannot share, or a NumPy scalar
            # cast to another dtype; numpy.array keeps a scalar 0-d (ascontiguousarray: 1-d)
            import numpy

            return xp.asarray(numpy.array(obj, order="C"), dtype=dt, device=self._torch_device)

    def native_dtype(self, dtype: Any) -> Any:
        self.xp   # noqa: B018  (builds the dtype tables)
        return self._from_dtype[dtype.name]

    def dtype_of(self, native: Any) -> Any:
        try:
            return self._to_dtype[native.dtype]
        except AttributeError:   # a tensor met before anything loaded this backend
            self.xp   # noqa: B018
            return self._to_dtype[native.dtype]

    def device_of(self, native: Any) -> str:
        return str(native.device)

    def to_numpy(self, native: Any) -> Any:
        return native.detach().cpu().resolve_conj().resolve_neg().numpy()

    def from_dlpack(self, obj: Any) -> Any:
        """A copy of any DLPack-capable array on this backend's device."""
        import torch

        self.xp   # noqa: B018  (loads the backend: its device)
        out = torch.from_dlpack(obj)
        if out.device != self._torch_device:
            return out.to(self._torch_device)
        return out.clone()

    def shares_memory(self, a: Any, b: Any) -> bool:
        try:
            return a.untyped_storage().data_ptr() == b.untyped_storage().data_ptr()
        except RuntimeError:   # fake tensors (torch.compile) have no memory
            return False

    def setitem_inplace(self, native: Any, key: Any, value: Any) -> Any:
        return _assign(native, key, value)

    def compiler(self) -> Any:
        """``pg.jit`` here: see ``polygrad_backends/torch_compiler.py``."""
        from .torch_compiler import TorchCompiler

        return TorchCompiler(self)

    def make_rng(self) -> Any:
        self.xp   # noqa: B018  (the device is known once the library is loaded)
        return TorchRandom(self._torch_device, self._from_dtype)


class TorchRandom:
    """A seeded ``torch.Generator`` on the backend's device behind ``polygrad.numpy.random``."""

    def __init__(self, device: Any, dtypes: dict, seed: int | None = None) -> None:
        import torch

        self._device = device
        self._dtypes = dtypes
        self._gen = torch.Generator(device=device)
        self.seed(seed)

    def seed(self, seed: int | None) -> None:
        if seed is None:
            self._gen.seed()
        else:
            self._gen.manual_seed(int(seed))

    def _kw(self, dtype: Any) -> dict:
        return {"generator": self._gen, "device": self._device, "dtype": self._dtypes[dtype.name]}

    def normal(self, loc: float, scale: float, shape: tuple, dtype: Any) -> Any:
        import torch

        return torch.randn(shape, **self._kw(dtype)) * scale + loc

    def uniform(self, low: float, high: float, shape: tuple, dtype: Any) -> Any:
        import torch

        return torch.rand(shape, **self._kw(dtype)) * (high - low) + low

    def integers(self, low: int, high: int, shape: tuple, dtype: Any) -> Any:
        import torch

        return torch.randint(low, high, shape, **self._kw(dtype))

    def permutation(self, n: int) -> Any:
        import torch

        return torch.randperm(n, generator=self._gen, device=self._device)

    def choice(self, n: int, shape: tuple, replace: bool, p: Any) -> Any:
        import torch

        size = 1
        for d in shape:
            size *= d
        if not replace and size > n:
            raise ValueError(f"polygrad.numpy.random.choice: cannot take {size} samples from "
                             f"{n} without replacement")
        if p is not None:
            probs = torch.as_tensor(p, dtype=torch.float64, device=self._device)
            out = torch.multinomial(probs, size, replacement=replace, generator=self._gen)
        elif replace:
            out = torch.randint(0, n, (size,), generator=self._gen, device=self._device)
        else:
            out = self.permutation(n)[:size]
        return out.reshape(shape)
