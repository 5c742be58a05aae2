"""NumPy's legacy ``RandomState``: the Mersenne-Twister API behind ``np.random.seed`` and
``np.random.randn``, on polygrad's backends (see ``_random_stream`` for where numbers come from).

Imports the core and the random mixin modules.
"""

from __future__ import annotations

from typing import Any

from .._array import Array
from ._random_distributions import Distributions
from ._random_stream import Stream, _size

__all__ = ["RandomState"]


class RandomState(Distributions):
    """NumPy's legacy random state, bound to the current backend when created.

    On the numpy (and strict) backend it is a ``numpy.random.RandomState``: the same seed gives
    exactly NumPy's numbers. On other backends the draws come from that backend's own seeded
    stream (see the random-numbers section of the backends guide).

    Examples
    --------
    >>> import numpy, polygrad.numpy as np
    >>> bool(np.all(np.random.RandomState(0).randn(3) == numpy.random.RandomState(0).randn(3)))
    True
    """

    def __init__(self, seed: Any = None) -> None:
        self._stream = Stream(legacy=True, seed=seed)

    @classmethod
    def _on(cls, stream: Stream) -> RandomState:
        state = cls.__new__(cls)
        state._stream = stream
        return state

    def __repr__(self) -> str:
        return f"RandomState(backend={self._stream.backend.name!r})"

    def seed(self, seed: Any = None) -> None:
        """Reseed (None: fresh entropy)."""
        self._stream.seed(seed)

    def get_state(self, legacy: bool = True) -> Any:
        """NumPy's state tuple (numpy and strict backends only)."""
        return self._stream.numpy_object("get_state").get_state(legacy)

    def set_state(self, state: Any) -> None:
        """Restore a state from ``get_state`` (numpy and strict backends only)."""
        self._stream.numpy_object("set_state").set_state(state)

    def random_sample(self, size: Any = None) -> Array:
        """Samples uniform on [0, 1)."""
        return self._stream.standard("uniform", _size(size), None)

    def random(self, size: Any = None) -> Array:
        """Samples uniform on [0, 1) (``random_sample``)."""
        return self.random_sample(size)

    def rand(self, *args: int) -> Array:
        """Samples uniform on [0, 1) of shape ``args``."""
        return self.random_sample(args)

    def standard_normal(self, size: Any = None) -> Array:
        """Standard normal samples."""
        return self._stream.standard("normal", _size(size), None)

    def randn(self, *args: int) -> Array:
        """Standard normal samples of shape ``args``."""
        return self.standard_normal(args)

    def randint(self, low: int, high: int | None = None, size: Any = None,
                dtype: Any = int) -> Array:
        """Integers uniform on [low, high) ([0, low) when ``high`` is None)."""
        if high is None:
            low, high = 0, low
        if int(high) <= int(low):
            raise ValueError(f"polygrad.numpy.random.randint: low ({low}) must be below high "
                             f"({high})")
        return self._stream.integers(int(low), int(high), size, dtype, False)

    def random_integers(self, low: int, high: int | None = None, size: Any = None) -> Array:
        """Integers uniform on [low, high] ([1, low] when ``high`` is None); deprecated in
        NumPy in favour of ``randint``."""
        if high is None:
            low, high = 1, low
        return self._stream.integers(int(low), int(high), size, int, True)

    def standard_exponential(self, size: Any = None) -> Array:
        """Exponential samples with mean 1."""
        return self._stream.call("standard_exponential", size)

    def standard_gamma(self, shape: Any, size: Any = None) -> Array:
        """Gamma(shape, 1) samples."""
        return self._stream.call("standard_gamma", shape, size)

    def multivariate_normal(self, mean: Any, cov: Any, size: Any = None,
                            check_valid: str = "warn", tol: float = 1e-8) -> Array:
        """Samples of a multivariate normal distribution (the last axis is the variable)."""
        return self._stream.call("multivariate_normal", mean, cov, size, check_valid, tol)

    def choice(self, a: Any, size: Any = None, replace: bool = True, p: Any = None) -> Array:
        """Samples from ``range(a)`` or the elements of the 1-D ``a``, with probabilities
        ``p``, with or without replacement."""
        return self._choice(a, size, replace, p)

    def permutation(self, x: Any) -> Array:
        """A permutation of ``range(x)`` or a permuted copy of ``x`` along its first axis."""
        return self._permutation(x, 0, "permutation")

    def shuffle(self, x: Any) -> None:
        """Shuffle an Array along its first axis, or a list, in place."""
        self._shuffle(x, 0, "shuffle")
