"""``polygrad.numpy.random``: NumPy's random-number names on the current backend's seeded stream.

Each backend keeps one stream per device; ``seed(n)`` makes it deterministic for that backend.
Imports the core only.
"""

from __future__ import annotations

from typing import Any

from .._array import Array
from .._backend import get_backend, get_default_dtype
from .._dtypes import by_name

__all__ = ["seed", "randn", "rand", "randint", "normal", "uniform", "permutation", "choice",
           "shuffle"]


def _size(size: Any) -> tuple[int, ...]:
    if size is None:
        return ()
    return (size,) if isinstance(size, int) else tuple(size)


def _float(dtype: Any, backend: Any):
    return by_name(dtype) if dtype is not None else get_default_dtype(backend)


def seed(seed: int) -> None:
    """Reset the current backend's random stream to ``seed``."""
    get_backend().rng().seed(int(seed))


def normal(loc: float = 0.0, scale: float = 1.0, size: Any = None, dtype: Any = None) -> Array:
    """Samples of a normal distribution."""
    b = get_backend()
    return Array(b.rng().normal(float(loc), float(scale), _size(size), _float(dtype, b)), b)


def randn(*shape: int, dtype: Any = None) -> Array:
    """Standard normal samples of the given shape."""
    return normal(0.0, 1.0, shape, dtype)


def uniform(low: float = 0.0, high: float = 1.0, size: Any = None, dtype: Any = None) -> Array:
    """Samples uniform on ``[low, high)``."""
    b = get_backend()
    return Array(b.rng().uniform(float(low), float(high), _size(size), _float(dtype, b)), b)


def rand(*shape: int, dtype: Any = None) -> Array:
    """Samples uniform on ``[0, 1)`` of the given shape."""
    return uniform(0.0, 1.0, shape, dtype)


def randint(low: int, high: int | None = None, size: Any = None, dtype: Any = "int64") -> Array:
    """Integers uniform on ``[low, high)`` (``[0, low)`` when ``high`` is None)."""
    if high is None:
        low, high = 0, low
    b = get_backend()
    return Array(b.rng().integers(int(low), int(high), _size(size), by_name(dtype)), b)


def permutation(x: Any) -> Array:
    """A random permutation of ``range(x)`` or of an array's first axis."""
    b = get_backend()
    if isinstance(x, int):
        return Array(b.rng().permutation(x), b)
    return x[Array(b.rng().permutation(len(x)), x._backend)]


def shuffle(x: Array) -> None:
    """Shuffle ``x`` along its first axis, in place."""
    x[...] = permutation(x)


def choice(a: Any, size: Any = None, replace: bool = True, p: Any = None) -> Array:
    """Random samples from ``range(a)`` or from the elements of a 1-D array ``a``."""
    b = get_backend()
    n = a if isinstance(a, int) else len(a)
    probs = None if p is None else [float(v) for v in (p.tolist() if isinstance(p, Array) else p)]
    index = Array(b.rng().choice(n, _size(size), replace, probs), b)
    return index if isinstance(a, int) else a[index]
