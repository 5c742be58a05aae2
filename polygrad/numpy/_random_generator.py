"""NumPy's ``Generator`` and ``default_rng`` on polygrad's backends (see ``_random_stream``
for where the numbers come from).

Imports the core and the random mixin modules.
"""

from __future__ import annotations

from typing import Any

from .._array import Array
from ._random_distributions import Distributions
from ._random_stream import Stream, _size
from ._helpers import as_array
from ._indexing import take_along_axis
from ._manipulation import reshape
from ._sorting import argsort

__all__ = ["Generator", "default_rng"]


class Generator(Distributions):
    """NumPy's ``Generator`` API, bound to the current backend when created.

    ``Generator(bit_generator)`` takes a NumPy bit generator (``numpy.random.PCG64(0)``); use
    ``default_rng(seed)`` otherwise. On the numpy (and strict) backend it is a
    ``numpy.random.Generator``, so a seed gives exactly NumPy's numbers; on other backends draws
    come from that backend's own seeded stream. Floating draws default to the backend's default
    float dtype (``dtype=None``).

    Examples
    --------
    >>> import numpy, polygrad.numpy as np
    >>> a = np.random.default_rng(0).normal(size=3)
    >>> bool(np.all(a == numpy.random.default_rng(0).normal(size=3)))
    True
    """

    def __init__(self, bit_generator: Any) -> None:
        # function-level: numpy is loaded on first use, not at import time
        import numpy

        stream = Stream(legacy=False, seed=0)
        if stream.exact:
            stream._np = numpy.random.Generator(bit_generator)
        else:
            stream.seed(int(bit_generator.random_raw()))
        self._stream = stream

    @classmethod
    def _on(cls, stream: Stream) -> Generator:
        gen = cls.__new__(cls)
        gen._stream = stream
        return gen

    def __repr__(self) -> str:
        return f"Generator(backend={self._stream.backend.name!r})"

    @property
    def bit_generator(self) -> Any:
        """NumPy's bit generator (numpy and strict backends only)."""
        return self._stream.numpy_object("bit_generator").bit_generator

    def spawn(self, n_children: int) -> list:
        """``n_children`` independent child generators."""
        if self._stream.exact:
            return [Generator._on(Stream(False, backend=self._stream.backend, numpy_object=g))
                    for g in self._stream._np.spawn(n_children)]
        seeds = self.integers(0, 2**62, size=n_children).tolist()
        return [Generator._on(Stream(False, seed=s, backend=self._stream.backend))
                for s in seeds]

    def random(self, size: Any = None, dtype: Any = None, out: Any = None) -> Array:
        """Samples uniform on [0, 1)."""
        _no_out("random", out)
        return self._stream.standard("uniform", _size(size), dtype)

    def standard_normal(self, size: Any = None, dtype: Any = None, out: Any = None) -> Array:
        """Standard normal samples."""
        _no_out("standard_normal", out)
        return self._stream.standard("normal", _size(size), dtype)

    def standard_exponential(self, size: Any = None, dtype: Any = None, method: str = "zig",
                             out: Any = None) -> Array:
        """Exponential samples with mean 1."""
        _no_out("standard_exponential", out)
        return self._stream.call("standard_exponential", size, method=method, dtype=dtype)

    def standard_gamma(self, shape: Any, size: Any = None, dtype: Any = None,
                       out: Any = None) -> Array:
        """Gamma(shape, 1) samples."""
        _no_out("standard_gamma", out)
        return self._stream.call("standard_gamma", shape, size, dtype=dtype)

    def integers(self, low: int, high: int | None = None, size: Any = None,
                 dtype: Any = "int64", endpoint: bool = False) -> Array:
        """Integers uniform on [low, high) ([low, high] with ``endpoint``; [0, low) when
        ``high`` is None)."""
        if high is None:
            low, high = 0, low
        return self._stream.integers(int(low), int(high), size, dtype, endpoint)

    def multivariate_normal(self, mean: Any, cov: Any, size: Any = None,
                            check_valid: str = "warn", tol: float = 1e-8, *,
                            method: str = "svd") -> Array:
        """Samples of a multivariate normal distribution (the last axis is the variable)."""
        return self._stream.call("multivariate_normal", mean, cov, size, check_valid, tol,
                                 method=method)

    def multivariate_hypergeometric(self, colors: Any, nsample: int, size: Any = None,
                                    method: str = "marginals") -> Array:
        """Counts of each colour drawn without replacement."""
        return self._stream.call("multivariate_hypergeometric", colors, nsample, size, method)

    def choice(self, a: Any, size: Any = None, replace: bool = True, p: Any = None,
               axis: int = 0, shuffle: bool = True) -> Array:
        """Samples from ``range(a)`` or from ``a`` along ``axis``, with probabilities ``p``."""
        return self._choice(a, size, replace, p, axis, shuffle)

    def permutation(self, x: Any, axis: int = 0) -> Array:
        """A permutation of ``range(x)`` or a permuted copy of ``x`` along ``axis``."""
        return self._permutation(x, axis, "permutation")

    def permuted(self, x: Any, *, axis: Any = None, out: Any = None) -> Array:
        """A copy of ``x`` with each slice along ``axis`` permuted independently (the
        flattened array when None)."""

        _no_out("permuted", out)
        x = as_array(x)
        if axis is None:
            return reshape(self._permutation(reshape(x, (-1,)), 0, "permuted"), x.shape)
        if self._stream.exact:   # NumPy's own shuffles, applied to an index grid
            # function-level: numpy is loaded on first use, not at import time
            import numpy

            axis %= x.ndim
            grid = numpy.broadcast_to(numpy.arange(x.shape[axis]).reshape(
                [-1 if d == axis else 1 for d in range(x.ndim)]), x.shape)
            order = self._stream.wrap(self._stream._np.permuted(grid, axis=axis))
        else:
            order = argsort(self.random(x.shape), axis=axis)
        if order._backend is not x._backend:
            order = Array(x._backend.asarray(order.asnumpy()), x._backend)
        return take_along_axis(x, order, axis=axis)

    def shuffle(self, x: Any, axis: int = 0) -> None:
        """Shuffle an Array along ``axis``, or a list, in place."""
        self._shuffle(x, axis, "shuffle")


def _no_out(name: str, out: Any) -> None:
    if out is not None:
        raise TypeError(f"polygrad.numpy.random.Generator.{name}: out= is not supported; use "
                        f"the returned Array")


def default_rng(seed: Any = None) -> Generator:
    """A ``Generator`` on the current backend seeded with ``seed`` (NumPy's numbers on the
    numpy backend).

    Examples
    --------
    >>> import polygrad.numpy as np
    >>> rng = np.random.default_rng(42)
    >>> rng.integers(0, 10, size=3).shape
    (3,)
    """
    if isinstance(seed, Generator):
        return seed
    return Generator._on(Stream(legacy=False, seed=seed))
