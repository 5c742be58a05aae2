"""The JAX backend: ``jax`` / ``jax:cpu`` and ``jax:gpu`` (``jax:gpu:N``); float32 by default.

Loading this backend turns on JAX's ``jax_enable_x64`` flag for the whole process, so that
polygrad can offer float64 and int64 on JAX. polygrad's own default float dtype on JAX stays
float32 (Python floats and float lists become float32 here). The flag also changes the user's own
JAX code: ``jnp.array([1.0])`` becomes float64, ``jnp.arange(3)`` int64, ``jax.random`` samples
float64 by default. Code that relies on JAX's 32-bit defaults should pass ``dtype=`` explicitly.

JAX arrays are immutable (``mutable = False``): ``x[key] = v`` rebinds the polygrad Array to
``x.at[key].set(v)``. Imports ``polygrad.extend`` and, lazily, JAX.
"""

from __future__ import annotations

import os
from typing import Any

from polygrad.extend import Backend, default_kernel
from polygrad.extend import dtype as by_name

__all__ = ["JaxBackend", "JaxRandom"]


def _setitem(xp):
    return lambda x, v, key: x.at[key].set(v)


def _scatter_add(xp):
    # .at[].add accumulates repeated indices
    # xp places zeros on the backend's device (a traced v, inside pg.jit, has no .device)
    return lambda v, shape, key: xp.zeros(shape, dtype=v.dtype).at[key].add(v)


def _where(xp):
    def where(condition, x1, x2):
        if not hasattr(x1, "dtype") and not hasattr(x2, "dtype"):
            # two Python scalars: polygrad's float32 default, not x64's float64
            kind = complex if complex in (type(x1), type(x2)) else \
                float if float in (type(x1), type(x2)) else None
            if kind is not None:
                x1 = xp.asarray(x1, dtype=xp.complex64 if kind is complex else xp.float32)
        return xp.where(condition, x1, x2)
    return where


def _special(name: str):
    """A kernel factory for ``polygrad.special.<name>`` from ``jax.scipy.special``."""
    def factory(xp):
        import jax.scipy.special

        return getattr(jax.scipy.special, name)
    return factory


def _polygamma(xp):
    import jax.scipy.special

    return lambda x, n: jax.scipy.special.polygamma(n, x)


_SPECIAL = {name: _special(name) for name in ("erf", "erfc", "erfinv", "gammaln", "digamma",
                                              "i0e", "i1", "i1e", "zeta", "gammainc",
                                              "gammaincc", "betainc")}


def _host_callback(name: str, portable: bool = False):
    """``polygrad.special.<name>`` (j0 j1 y0 y1 ive gammaincinv gammainccinv betaincinv: not in
    jax.scipy.special) as SciPy's through ``jax.pure_callback``, so it also runs under
    ``jax.jit`` (on the host); ``portable``: polygrad's own kernel on NumPy data instead (the
    shape derivatives betainc_da, betainc_db and zeta_dx and the second ones, whose Array API
    loops would unroll under jax.jit)."""
    def factory(xp):
        import jax
        import numpy

        if portable:
            fn = default_kernel(name, numpy)
        else:
            import scipy.special

            fn = getattr(scipy.special, name)

        def kernel(*args):
            # the arguments broadcast (ive's order against x: pg.vmap batches either)
            shape = numpy.broadcast_shapes(*(numpy.shape(a) for a in args))
            out = jax.ShapeDtypeStruct(shape, args[-1].dtype)
            return jax.pure_callback(
                lambda *a: numpy.asarray(fn(*a), dtype=out.dtype), out, *args)
        return kernel
    return factory


_SPECIAL.update({name: _host_callback(name) for name in ("j0", "j1", "y0", "y1", "ive",
                                                          "gammaincinv", "gammainccinv",
                                                          "betaincinv")})
_SPECIAL.update({name: _host_callback(name, portable=True)
                 for name in ("betainc_da", "betainc_db", "zeta_dx", "gammainc_daa",
                              "betainc_daa", "betainc_dadb", "betainc_dbb", "zeta_dxx")})


def _ive_dv(xp):
    """∂ive/∂v: the portable kernel, which raises DifferentiationError outside its domain:
    called directly on concrete arrays (so that error reaches the caller as it is), through
    jax.pure_callback under jax.jit (where it arrives wrapped in jax's runtime error)."""
    import jax

    direct, traced = default_kernel("ive_dv", xp), _host_callback("ive_dv", portable=True)(xp)
    return lambda v, x: (traced(v, x) if isinstance(v, jax.core.Tracer)
                         or isinstance(x, jax.core.Tracer) else direct(v, x))


_SPECIAL["ive_dv"] = _ive_dv


def _gammainc_da(xp):
    """∂P(a, x)/∂a from jax's own derivative of jax.scipy.special.gammainc in a."""
    import jax
    import jax.scipy.special

    return lambda a, x: jax.jvp(lambda a: jax.scipy.special.gammainc(a, x), (a,),
                                (xp.ones_like(a),))[1]


_SPECIAL["gammainc_da"] = _gammainc_da


def _device_name(device: str | None) -> str:
    kind, _, index = (device or "cpu").partition(":")
    if kind == "cpu" and index in ("", "0"):
        return "cpu"
    return f"{'gpu' if kind == 'cuda' else kind}:{index or 0}"


def _python_kind(obj: Any) -> type | None:
    """float or complex when ``obj`` is Python scalar data of that kind (lists included)."""
    while isinstance(obj, (list, tuple)) and obj:
        obj = obj[0]
    t = type(obj)
    return t if t is float or t is complex else None


class JaxBackend(Backend):
    """Arrays are ``jax.Array`` on one device; float32 by default, float64 (x64) and complex."""

    name = "jax"
    library = "jax"
    native_modules = ("jax", "jaxlib")
    default_float_dtype = "float32"
    mutable = False
    accelerators = ("gpu",)
    kernels = {"setitem": _setitem, "scatter_add": _scatter_add, "where": _where,
               "polygamma": _polygamma, **_SPECIAL}

    def __init__(self, device: str | None = None) -> None:
        super().__init__(_device_name(device))

    def load(self) -> Any:
        import jax

        jax.config.update("jax_enable_x64", True)
        import jax.numpy as jnp

        self._jax_device = self._find_device()
        self._complex = {by_name("float32"): by_name("complex64"),
                         by_name("float64"): by_name("complex128")}
        return self.on_device(jnp, self._jax_device)

    def _find_device(self) -> Any:
        import jax

        kind, _, index = self.device.partition(":")
        found = jax.devices(kind)   # raises RuntimeError when the platform is absent
        return found[int(index or 0)]

    @classmethod
    def spec_for_native(cls, obj: Any) -> str:
        device = next(iter(obj.devices()))
        if device.platform == "cpu":
            return "jax:cpu"
        return f"jax:{'gpu' if device.platform in ('cuda', 'rocm') else device.platform}:" \
               f"{device.id}"

    def probe(self) -> tuple[bool, str]:
        ok, why = super().probe()
        if not ok or self.device == "cpu":
            return ok, why
        try:
            self._find_device()
        except (RuntimeError, IndexError) as exc:
            return False, f"JAX has no device {self.device!r} here ({exc})"
        return True, ""

    def probe_without_import(self) -> tuple[bool | None, str]:
        """JAX uses a GPU only through a plugin distribution (``jax-cuda12-plugin``, ...)."""
        ok, why = super().probe()
        if not ok or self.device == "cpu":
            return ok, why
        from importlib.metadata import distributions

        plugins = sorted({d.metadata["Name"] for d in distributions()
                          if (d.metadata["Name"] or "").lower().startswith(
                              ("jax-cuda", "jax_cuda", "jax-rocm", "jax_rocm"))})
        if not plugins:
            return False, ("no GPU plugin for jaxlib is installed (pip install -U "
                           "\"jax[cuda12]\")")
        return None, f"{', '.join(plugins)} installed: run with --load to check for a GPU"

    def devices(self) -> list[str]:
        import jax

        out = ["cpu"]
        for kind in ("gpu", "tpu"):
            try:
                out += [f"{kind}:{i}" for i in range(len(jax.devices(kind)))]
            except RuntimeError:
                pass
        return out

    # -- conversions -------------------------------------------------------------------------
    def asarray(self, obj: Any, dtype: Any = None, copy: bool | None = None) -> Any:
        import jax

        xp = self.xp
        if dtype is None:
            kind = _python_kind(obj)
            if kind is not None:   # Python floats follow polygrad's default, not x64's float64
                dtype = self.default_float_dtype
                dtype = dtype if kind is float else self._complex[dtype]
        if isinstance(obj, jax.Array) and dtype is None and not copy:
            try:
                here = obj.devices() == {self._jax_device}
            except jax.errors.ConcretizationTypeError:   # a tracer of pg.jit: no device yet
                here = True
            if here:
                return obj   # a JAX array is wrapped as it is: no copy
        dt = None if dtype is None else self.native_dtype(dtype)
        return xp.asarray(obj, dtype=dt, copy=copy)

    def native_dtype(self, dtype: Any) -> Any:
        import numpy

        return numpy.dtype(dtype.name)

    def device_of(self, native: Any) -> str:
        return self.device

    def to_numpy(self, native: Any) -> Any:
        import numpy

        return numpy.asarray(native)

    def from_dlpack(self, obj: Any) -> Any:
        """A copy of any DLPack-capable array, on this backend's device."""
        import jax.numpy as jnp

        self.xp   # noqa: B018
        return jnp.from_dlpack(obj, device=self._jax_device, copy=True)

    def compiler(self) -> Any:
        """``pg.jit`` here: see ``polygrad_backends/jax_compiler.py``."""
        from .jax_compiler import JaxCompiler

        return JaxCompiler(self)

    def make_rng(self) -> Any:
        self.xp   # noqa: B018  (the device is known once the library is loaded)
        return JaxRandom(self._jax_device)


class JaxRandom:
    """Explicit ``jax.random`` keys behind ``polygrad.numpy.random``: one key split per call."""

    def __init__(self, device: Any, seed: int | None = None) -> None:
        self._device = device
        self.seed(seed)

    def seed(self, seed: int | None) -> None:
        import jax

        if seed is None:
            seed = int.from_bytes(os.urandom(4), "little")
        self._key = jax.device_put(jax.random.key(int(seed)), self._device)

    def _next(self) -> Any:
        import jax

        self._key, sub = jax.random.split(self._key)
        return sub

    def normal(self, loc: float, scale: float, shape: tuple, dtype: Any) -> Any:
        import jax

        return jax.random.normal(self._next(), shape, dtype.name) * scale + loc

    def uniform(self, low: float, high: float, shape: tuple, dtype: Any) -> Any:
        import jax

        return jax.random.uniform(self._next(), shape, dtype.name, low, high)

    def integers(self, low: int, high: int, shape: tuple, dtype: Any) -> Any:
        import jax

        return jax.random.randint(self._next(), shape, low, high, dtype.name)

    def permutation(self, n: int) -> Any:
        import jax

        return jax.random.permutation(self._next(), n)

    def choice(self, n: int, shape: tuple, replace: bool, p: Any) -> Any:
        import jax
        import jax.numpy as jnp

        if p is not None:
            p = jnp.asarray(p, dtype="float64", device=self._device)
        return jax.random.choice(self._next(), n, shape, replace=replace, p=p)
