"""polygrad-marray: masked arrays (``marray`` over NumPy) as a polygrad backend (``marray``).

A second example plugin, for a CPU library polygrad does not ship: one ``Backend`` class under
the entry-point group ``polygrad.backends``, and the suite's extras under
``polygrad.conformance`` (see :func:`conformance_extras`): the known-failures file of what
marray lacks, and a ``masked`` input strategy whose oracle is NumPy on the data with the mask
carried through. Imports ``polygrad.extend`` at import time, marray and NumPy lazily.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from polygrad.extend import Backend

__all__ = ["MarrayBackend", "conformance_extras", "masked", "unmask"]
__version__ = "0.1.0"


# -- kernel overrides: factory(xp) -> function on native arrays ---------------------------------
def _scatter_add(xp):
    """Zeros of ``shape`` with ``v`` added at ``key`` (the VJP of indexing).

    The core's default writes ``out[key] = v``, which keeps one of repeated integer indices;
    here NumPy's ``add.at`` accumulates them on the data, a masked entry of ``v`` adding nothing
    (a masked sum skips it). The result is unmasked: every entry is a sum, possibly empty.
    """
    import numpy

    def host(k):
        return numpy.asarray(k.data) if hasattr(k, "mask") else k

    def scatter_add(v, shape, key):
        out = numpy.zeros(shape, dtype=v.dtype)
        numpy.add.at(out, tuple(host(k) for k in key),
                     numpy.where(numpy.asarray(v.mask), 0, numpy.asarray(v.data)))
        return xp.asarray(out)
    return scatter_add


class MarrayBackend(Backend):
    """Arrays are marray's masked arrays over NumPy on the CPU; float64 by default.

    The core sees an Array API namespace (``marray.masked_namespace(numpy)``): every kernel it
    runs carries the masks through (elementwise: the union of the inputs' masks; reductions skip
    masked entries). ``to_numpy`` returns a ``numpy.ma.MaskedArray``, so the mask survives
    ``Array.asnumpy()`` and shows in ``repr``.
    """

    name = "marray"
    library = "marray"
    native_modules = ("marray",)     # pg.asarray(masked_array) wraps it on this backend
    default_device = "cpu"
    default_float_dtype = "float64"
    supports_float64 = True
    supports_complex = True
    mutable = False                  # polygrad copies before writing (x[key] = v)
    kernels = {"scatter_add": _scatter_add}

    def load(self) -> Any:
        import marray
        import numpy

        return marray.masked_namespace(numpy)

    @classmethod
    def spec_for_native(cls, obj: Any) -> str:
        return "marray:cpu"

    def asarray(self, obj: Any, dtype: Any = None, copy: bool | None = None) -> Any:
        import numpy

        kw = {} if dtype is None else {"dtype": self.native_dtype(dtype)}
        if isinstance(obj, numpy.ma.MaskedArray):   # host masked data keeps its mask
            return self.xp.asarray(obj.data, mask=numpy.ma.getmaskarray(obj), copy=copy, **kw)
        return self.xp.asarray(obj, copy=copy, **kw)

    def native_dtype(self, dtype: Any) -> Any:
        import numpy

        return numpy.dtype(dtype.name)

    def to_numpy(self, native: Any) -> Any:
        import numpy

        return numpy.ma.MaskedArray(numpy.asarray(native.data), mask=numpy.asarray(native.mask))

    def make_rng(self) -> Any:
        return MarrayRandom(self)


class MarrayRandom:
    """NumPy's seeded generator, its draws wrapped unmasked (``polygrad.numpy.random``)."""

    def __init__(self, backend: MarrayBackend, seed: int | None = None) -> None:
        self._backend = backend
        self.seed(seed)

    def seed(self, seed: int | None) -> None:
        import numpy

        self._rng = numpy.random.default_rng(seed)

    def _wrap(self, values: Any) -> Any:
        return self._backend.xp.asarray(values)

    def normal(self, loc: float, scale: float, shape: tuple, dtype: Any) -> Any:
        return self._wrap(self._rng.normal(loc, scale, shape).astype(dtype.name))

    def uniform(self, low: float, high: float, shape: tuple, dtype: Any) -> Any:
        return self._wrap(self._rng.uniform(low, high, shape).astype(dtype.name))

    def integers(self, low: int, high: int, shape: tuple, dtype: Any) -> Any:
        return self._wrap(self._rng.integers(low, high, shape).astype(dtype.name))

    def permutation(self, n: int) -> Any:
        return self._wrap(self._rng.permutation(n))

    def choice(self, n: int, shape: tuple, replace: bool, p: Any) -> Any:
        return self._wrap(self._rng.choice(n, shape, replace=replace, p=p))


# -- conformance extras: entry-point group ``polygrad.conformance`` -----------------------------
def masked(host: Any, rng: Any) -> Any:
    """A masked array from NumPy data: about a third of the entries masked (none of a 0-d one,
    so that scalars still check something), drawn from the case's own random stream."""
    import numpy

    import polygrad as pg

    data = numpy.asarray(host)
    mask = rng.random(data.shape) < 0.35 if data.ndim else numpy.zeros((), bool)
    return pg.get_backend().xp.asarray(data, mask=mask)


def unmask(native: Any) -> tuple:
    """(values, mask) of a masked array as NumPy arrays."""
    import numpy

    return numpy.asarray(native.data), numpy.asarray(native.mask)


def conformance_extras() -> dict:
    """What polygrad's conformance suite adds for this backend (see docs/conformance.md)."""
    from polygrad_conformance import InputStrategy

    return {
        "backend": "marray",
        "known_failures": Path(__file__).with_name("known_failures.toml"),
        "strategies": [InputStrategy(
            name="masked", make=masked, unpack=unmask, oracle="filled",
            description="a third of the entries masked; oracle: NumPy on the data, the mask "
                        "carried through (element-wise rows)")],
    }
