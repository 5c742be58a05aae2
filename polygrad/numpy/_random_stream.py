"""The stream behind a ``RandomState`` or ``Generator``: NumPy's own object where the backend's
numbers are NumPy's, otherwise the backend's seeded stream.

Where the backend's random stream declares ``numpy_bits`` (numpy, strict), every draw is made
by a real ``numpy.random.RandomState`` (legacy) or ``numpy.random.Generator`` with the caller's
arguments, so a seed gives exactly NumPy's numbers. On other backends normal, uniform,
integer, permutation and choice draws come from the backend's own stream; the other
distributions are drawn by NumPy on the host from a seed taken from that stream, then copied
to the backend. Imports the core (NumPy lazily).
"""

from __future__ import annotations

from typing import Any

from .._array import Array
from .._backend import get_backend, get_default_dtype
from .._batching import BatchingError
from .._dtypes import by_name
from .._graph import recording
from .._trace import _batching as _batching_depth

__all__ = ["Stream"]

_INT64_MAX = 2**63 - 1


def _host(value: Any) -> Any:
    """A distribution parameter for NumPy: an Array's values (raises, naming stop_gradient,
    when it carries a derivative: only normal and uniform are reparameterized), anything else
    as it is."""
    if isinstance(value, Array):
        trace = value._trace
        if trace is not None and trace.active:
            raise TypeError("polygrad.numpy.random: this distribution's samples are not "
                            "differentiable in its parameters (only normal and uniform are "
                            "reparameterized); pass np.stop_gradient(parameter) to sample "
                            "without a derivative")
        return value.asnumpy()
    if isinstance(value, (list, tuple)) and any(isinstance(v, Array) for v in value):
        return [_host(v) for v in value]
    return value


def _not_in_vmap(what: str) -> None:
    if _batching_depth.get():
        raise BatchingError(
            f"polygrad.numpy.random.{what}: a random draw inside pg.vmap would be one sample "
            f"shared by every example; draw the batch's samples outside vmap (size=(batch, ...)) "
            f"and pass them in as a batched argument")


def _not_recording() -> None:
    if recording():
        raise TypeError("polygrad.numpy.random: a draw while pg.jit (or pg.make_graph) traces a "
                        "program would be made once and replayed as a constant on every call: "
                        "draw the numbers outside and pass them in as an argument")


def _size(size: Any) -> tuple:
    if size is None:
        return ()
    return (int(size),) if isinstance(size, int) else tuple(int(s) for s in size)


class Stream:
    """One seeded stream on one backend; ``legacy`` picks RandomState's algorithms."""

    def __init__(self, legacy: bool, seed: Any = None, backend: Any = None,
                 native: Any = None, numpy_object: Any = None) -> None:
        self.legacy = legacy
        self.backend = get_backend() if backend is None else backend
        self.exact = bool(getattr(self.backend.rng(), "numpy_bits", False))
        self._np = numpy_object
        self._native = native
        if numpy_object is None and native is None:
            self.seed(seed)

    # -- seeding and state ---------------------------------------------------------------------
    def seed(self, seed: Any) -> None:
        # function-level: numpy is loaded on first use, not at import time
        import numpy

        if self.exact:
            if self.legacy:
                self._np = numpy.random.RandomState(seed)
            else:
                self._np = numpy.random.default_rng(seed)
            return
        if self._native is None:
            self._native = self.backend.make_rng()
        if seed is not None and not isinstance(seed, int):
            seed = int(numpy.random.SeedSequence(_host(seed)).generate_state(1)[0])
        self._native.seed(seed)

    def numpy_object(self, what: str) -> Any:
        if not self.exact:
            raise TypeError(f"polygrad.numpy.random.{what}: only on a backend that draws "
                            f"NumPy's numbers (numpy, strict), not on {self.backend.name!r}, "
                            f"whose stream is its own")
        return self._np

    # -- draws ---------------------------------------------------------------------------------
    def wrap(self, value: Any, dtype: Any = None) -> Array:
        """NumPy's result as an Array on this backend (floats in the default float dtype,
        unless ``dtype`` is given)."""
        _not_recording()
        # function-level: numpy is loaded on first use, not at import time
        import numpy

        value = numpy.asarray(value)
        if dtype is not None:
            value = value.astype(by_name(dtype).name, copy=False)
        elif value.dtype.kind == "f":
            value = value.astype(get_default_dtype(self.backend).name, copy=False)
        return Array(self.backend.asarray(value), self.backend)

    def call(self, name: str, *args: Any, dtype: Any = None, **kwargs: Any) -> Array:
        """``name(*args, **kwargs)`` of NumPy's RandomState / Generator, drawn from this stream."""
        _not_in_vmap(name)
        args = tuple(_host(a) for a in args)
        kwargs = {k: _host(v) for k, v in kwargs.items()}
        return self.wrap(getattr(self.host(), name)(*args, **kwargs), dtype)

    def host(self) -> Any:
        """NumPy's object to draw from: the stream itself, or (on a backend with its own
        stream) a fresh one seeded from it."""
        if self.exact:
            return self._np
        # function-level: numpy is loaded on first use, not at import time
        import numpy

        seed = Array(self._native.integers(0, _INT64_MAX, (), by_name("int64")),
                     self.backend).item()
        return numpy.random.RandomState(seed % 2**32) if self.legacy else \
            numpy.random.default_rng(seed)

    def standard(self, kind: str, shape: tuple, dtype: Any) -> Array:
        """Standard normal or uniform [0, 1) samples of ``shape`` (NumPy's bits when exact)."""
        _not_in_vmap(kind)
        _not_recording()
        dt = by_name(dtype) if dtype is not None else get_default_dtype(self.backend)
        if self.exact:
            if kind == "normal":
                v = self._np.standard_normal(shape)
            else:
                v = self._np.random_sample(shape) if self.legacy else self._np.random(shape)
            return self.wrap(v, dt)
        draw = self._native.normal if kind == "normal" else self._native.uniform
        return Array(draw(0.0, 1.0, shape, dt), self.backend)

    def location_scale(self, kind: str, a: float, b: float, shape: tuple,
                       dtype: Any) -> Array:
        """``normal(a, b)`` or ``uniform(a, b)`` samples for Python-number parameters."""
        _not_in_vmap(kind)
        _not_recording()
        dt = by_name(dtype) if dtype is not None else get_default_dtype(self.backend)
        if self.exact:
            return self.wrap(getattr(self._np, kind)(a, b, shape), dt)
        draw = self._native.normal if kind == "normal" else self._native.uniform
        return Array(draw(float(a), float(b), shape, dt), self.backend)

    def integers(self, low: int, high: int, size: Any, dtype: Any, endpoint: bool) -> Array:
        _not_in_vmap('integers')
        _not_recording()
        dt = by_name(dtype)
        if self.exact:
            if self.legacy:
                return self.wrap(self._np.randint(low, high + int(endpoint), size, dt.name), dt)
            return self.wrap(self._np.integers(low, high, size, dt.name, endpoint), dt)
        top = high + int(endpoint)
        if top <= low:
            raise ValueError(f"polygrad.numpy.random: low ({low}) must be below high ({high})")
        return Array(self._native.integers(low, top, _size(size), dt), self.backend)

    def permutation(self, n: int) -> Array:
        _not_in_vmap('permutation')
        _not_recording()
        if self.exact:
            return self.wrap(self._np.permutation(n))
        return Array(self.backend.asarray(self._native.permutation(n)), self.backend)

    def choice(self, n: int, size: Any, replace: bool, p: Any, shuffle: bool = True) -> Array:
        _not_in_vmap('choice')
        _not_recording()
        p = None if p is None else [float(v) for v in (p.tolist() if isinstance(p, Array)
                                                        else p)]
        if p is not None and len(p) != n:
            raise ValueError(f"polygrad.numpy.random.choice: p has {len(p)} entries for {n} "
                             f"choices")
        if self.exact:
            if self.legacy:
                return self.wrap(self._np.choice(n, size, replace, p))
            return self.wrap(self._np.choice(n, size, replace, p, shuffle=shuffle))
        return Array(self.backend.asarray(self._native.choice(n, _size(size), replace, p)),
                     self.backend)

    def bytes(self, length: int) -> bytes:
        return self.host().bytes(length)
