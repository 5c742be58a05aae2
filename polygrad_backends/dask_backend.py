"""The Dask backend: lazy, chunked ``dask.array`` collections, on a ``dask.distributed`` cluster
when a ``Client`` is active; float64 by default.

Every kernel builds a task graph and nothing is computed until values are asked for
(``asnumpy()``, ``float()``, printing, ``pg.compute(...)``, ``Array.persist()``). Dask arrays are
immutable here (``mutable = False``): ``x[key] = v`` rebinds the Array to an updated graph.
What Dask lacks is filled in with lazy strategies: indexing with several integer arrays becomes
one flat ``take``, scatter-add a ``bincount`` (``dask_indexing``); ``linalg`` and ``fft`` run
NumPy's functions block by block on matrices (or FFT axes) held in one chunk
(``dask_namespace``); ``polygrad.special`` SciPy's, block by block; sorting uses
array-api-compat's single-chunk sort. Operations whose output shape depends on the values
(boolean-mask indexing, ``nonzero``, ``unique_*``) raise an error naming the function.
Imports ``polygrad.extend`` and, lazily, Dask, NumPy and array-api-compat.
"""

from __future__ import annotations

from typing import Any

from polygrad.extend import Backend
from polygrad_backends.dask_indexing import (add_at, has_mask, index, is_array, needs_flat_take,
                                             positions, size)

__all__ = ["DaskBackend", "DaskRandom", "DaskUnsupported"]


class DaskUnsupported(NotImplementedError):
    """An operation the dask backend cannot build lazily; the message names it and says why."""


def _public(name: str) -> str:
    for sub in ("linalg", "fft"):
        if name.startswith(sub + "_"):
            return f"polygrad.numpy.{sub}.{name[len(sub) + 1:]}"
    if name in ("getitem", "setitem"):
        return f"Array.__{name}__"
    return f"polygrad.numpy.{name}"


def unsupported(name: str, why: str) -> DaskUnsupported:
    """The error for primitive ``name``, which the dask backend cannot run lazily."""
    return DaskUnsupported(f"{_public(name)}: the dask backend has no kernel for {name} ({why}); "
                           f"compute the array first (pg.compute(x) or x.asnumpy()) or use "
                           f"another backend")


def _refuse(name: str, why: str):
    def factory(xp):
        def kernel(*args, **params):
            raise unsupported(name, why)
        return kernel
    return factory


_HELD = "_polygrad_value"   #: attribute of pg.compute's results: the value, in this process
_DATA_DEPENDENT = "its output's shape depends on the values, which dask cannot know lazily"


# -- indexing ----------------------------------------------------------------------------------
def _getitem(xp):
    def getitem(x, key):
        if has_mask(key):
            raise unsupported("getitem", f"boolean-mask indexing: {_DATA_DEPENDENT}; "
                                         f"np.where(mask, x, 0) keeps the shape")
        return index(xp, x, key)
    return getitem


def _assign_through_mask(xp: Any, x: Any, key: tuple, v: Any) -> Any:
    """``x[mask] = v`` for a sole mask and one value: a ``where`` (dask would read a tuple
    holding a mask as integer indices)."""
    if len(key) != 1 or (is_array(v) and size(v.shape) != 1):
        raise unsupported("setitem", f"assigning through a boolean mask beside other indices, "
                                     f"or an array of values: {_DATA_DEPENDENT}")
    mask = key[0]
    mask = xp.reshape(mask, mask.shape + (1,) * (x.ndim - mask.ndim))
    v = xp.reshape(v, ()) if is_array(v) else xp.asarray(v, dtype=x.dtype)
    return xp.where(mask, v, x)


def _setitem(xp):
    def setitem(x, v, key):
        if is_array(v) and v.dtype != x.dtype:
            v = xp.astype(v, x.dtype)
        if has_mask(key):
            return _assign_through_mask(xp, x, key, v)
        if needs_flat_take(key):   # dask assigns through one 1-D index array at most
            pos = positions(xp, x.shape, key)
            flat = xp.reshape(x, (-1,)).copy()
            flat[xp.reshape(pos, (-1,))] = xp.reshape(xp.broadcast_to(v, pos.shape), (-1,))
            return xp.reshape(flat, x.shape)
        out = x.copy()
        if any(k is None for k in key):   # dask assigns through no None: drop them from both
            if is_array(v):
                v = xp.reshape(xp.broadcast_to(v, x[key].shape), x[tuple(
                    k for k in key if k is not None)].shape)
            key = tuple(k for k in key if k is not None)
        out[key] = v
        return out
    return setitem


def _scatter_add(xp):
    def scatter_add(v, shape, key):
        if has_mask(key):
            raise unsupported("scatter_add", f"boolean-mask indexing: {_DATA_DEPENDENT}")
        out = xp.zeros(shape, dtype=v.dtype)
        if size(v.shape) == 0:
            return out
        if any(is_array(k) for k in key):
            return add_at(xp, v, shape, key)
        # basic indexing never selects a position twice; dask assigns through no None
        key = tuple(k for k in key if k is not None)
        out[key] = xp.reshape(v, out[key].shape)
        return out
    return scatter_add


def _searchsorted(xp):
    def searchsorted(x1, x2, sorter, side):
        if x2.ndim == 0:   # dask fails on 0-d values at compute time
            return xp.reshape(xp.searchsorted(x1, xp.reshape(x2, (1,)), side=side,
                                              sorter=sorter), ())
        return xp.searchsorted(x1, x2, side=side, sorter=sorter)
    return searchsorted


# -- scipy.special, block by block --------------------------------------------------------------
def _special_block(block: Any, name: str, *args: Any) -> Any:
    import numpy
    import scipy.special

    out = getattr(scipy.special, name)(*args, block)
    return numpy.asarray(out, dtype=block.dtype if block.dtype.kind == "f" else out.dtype)


def _special(name: str):
    def factory(xp):
        def kernel(x, **params):   # polygamma's order arrives as the parameter n
            dtype = x.dtype if x.dtype.kind == "f" else "float64"
            return x.map_blocks(_special_block, name, *params.values(), dtype=dtype)
        return kernel
    return factory


def _special_n(name: str):
    """A kernel for a ``polygrad.special`` function of several arrays (same shape)."""
    def factory(xp):
        def kernel(*args):
            import dask.array

            return dask.array.map_blocks(
                lambda *blocks: _special_block(blocks[-1], name, *blocks[:-1]), *args,
                dtype=args[-1].dtype)
        return kernel
    return factory


def _numpy_kernel_block(name: str, *blocks: Any) -> Any:
    """Primitive ``name``'s default kernel on NumPy, on one block of each argument."""
    import numpy

    from polygrad.extend import default_kernel

    return default_kernel(name, numpy)(*blocks)


def _numpy_blockwise(name: str):
    """A kernel running primitive ``name``'s NumPy kernel block by block, for the special
    functions whose default kernels iterate until they converge: run on dask arrays, each step's
    convergence test would compute the whole graph built so far."""
    def factory(xp):
        def kernel(*args):
            import dask.array

            return dask.array.map_blocks(_numpy_kernel_block, name, *args,
                                         dtype=args[-1].dtype)
        return kernel
    return factory


_SPECIAL = ("erf", "erfc", "erfinv", "gammaln", "digamma", "polygamma", "i0e", "i1", "i1e", "j0",
            "j1", "y0", "y1")
_SPECIAL_N = ("ive", "zeta", "gammainc", "gammaincc", "betainc")
_ITERATIVE = ("gammainc_da", "betainc_da", "betainc_db", "zeta_dx", "gammaincinv",
              "gammainccinv", "betaincinv", "gammainc_daa", "betainc_daa", "betainc_dadb",
              "betainc_dbb", "zeta_dxx", "ive_dv")


class DaskBackend(Backend):
    """Arrays are ``dask.array`` collections: lazy, chunked, computed on the active scheduler
    (a ``dask.distributed`` Client's cluster when one exists, else local threads)."""

    name = "dask"
    library = "dask"
    native_modules = ("dask",)
    mutable = False
    kernels = {"getitem": _getitem, "setitem": _setitem, "scatter_add": _scatter_add,
               "searchsorted": _searchsorted,
               **{name: _special(name) for name in _SPECIAL},
               **{name: _special_n(name) for name in _SPECIAL_N},
               **{name: _numpy_blockwise(name) for name in _ITERATIVE},
               "nonzero": _refuse("nonzero", _DATA_DEPENDENT),
               **{f"unique_{kind}": _refuse(f"unique_{kind}", _DATA_DEPENDENT)
                  for kind in ("all", "counts", "inverse", "values")}}

    def load(self) -> Any:
        from polygrad_backends.dask_namespace import namespace

        return namespace()

    @classmethod
    def spec_for_native(cls, obj: Any) -> str:
        return "dask"

    def probe(self) -> tuple[bool, str]:
        ok, why = super().probe()
        if ok and self.device != "cpu":
            return False, (f"dask arrays have only the device 'cpu', not {self.device!r} (a "
                           f"cluster is chosen with dask.distributed.Client, not a device)")
        return ok, why

    # -- conversions -------------------------------------------------------------------------
    def asarray(self, obj: Any, dtype: Any = None, copy: bool | None = None) -> Any:
        import dask.array as da

        if isinstance(obj, da.Array):   # immutable: wrapped as it is, even for a copy
            return obj if dtype is None else obj.astype(self.native_dtype(dtype))
        dt = None if dtype is None else self.native_dtype(dtype)
        return self.xp.asarray(obj, dtype=dt, copy=copy)

    def native_dtype(self, dtype: Any) -> Any:
        import numpy

        return numpy.dtype(dtype.name)

    def to_numpy(self, native: Any) -> Any:
        import numpy

        held = getattr(native, _HELD, None)
        if held is not None:   # a result of pg.compute: no scheduler round trip
            return held
        return numpy.asarray(native.compute() if hasattr(native, "compute") else native)

    def from_dlpack(self, obj: Any) -> Any:
        import numpy

        return self.asarray(numpy.from_dlpack(obj), copy=True)

    # -- laziness ------------------------------------------------------------------------------
    def compute(self, natives: list) -> list:
        """Compute ``natives`` in one pass (``dask.compute``); the values come back as dask
        arrays over in-memory NumPy chunks, chunked as before, which also hold the NumPy
        value itself for ``to_numpy``."""
        import dask
        import dask.array as da
        import numpy

        out = []
        for n, v in zip(natives, dask.compute(*natives)):
            v = numpy.asarray(v)
            held = da.from_array(v, chunks=getattr(n, "chunks", "auto"))
            setattr(held, _HELD, v)
            out.append(held)
        return out

    def persist(self, natives: list) -> list:
        """Compute ``natives`` and keep the chunks where they are (a cluster's workers)."""
        import dask

        return list(dask.persist(*natives))

    def make_rng(self) -> Any:
        return DaskRandom()


class DaskRandom:
    """``dask.array.random.default_rng`` behind ``polygrad.numpy.random``: chunked draws,
    deterministic for a seed and a chunk size (``array.chunk-size`` in Dask's config)."""

    def __init__(self, seed: int | None = None) -> None:
        self.seed(seed)

    def seed(self, seed: int | None) -> None:
        import dask.array as da

        self._gen = da.random.default_rng(seed)

    def normal(self, loc: float, scale: float, shape: tuple, dtype: Any) -> Any:
        return self._gen.normal(loc, scale, shape).astype(dtype.name)

    def uniform(self, low: float, high: float, shape: tuple, dtype: Any) -> Any:
        return self._gen.uniform(low, high, shape).astype(dtype.name)

    def integers(self, low: int, high: int, shape: tuple, dtype: Any) -> Any:
        return self._gen.integers(low, high, shape, dtype=dtype.name)

    def permutation(self, n: int) -> Any:
        return self._gen.permutation(n)

    def choice(self, n: int, shape: tuple, replace: bool, p: Any) -> Any:
        return self._gen.choice(n, shape, replace=replace, p=p)
