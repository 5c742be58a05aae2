"""``polygrad.numpy.random``: NumPy's random-number names on the current backend's seeded stream.

Each backend keeps one stream per device; ``seed(n)`` makes it deterministic for that backend.
``normal`` and ``uniform`` with Array parameters are reparameterized (``loc + scale * z``), so
samples are differentiable in their parameters. Imports the core only (the namespace lazily).
"""

from __future__ import annotations

from typing import Any

from .._array import Array
from .._backend import get_backend, get_default_dtype
from .._dtypes import by_name

__all__ = ["seed", "randn", "rand", "randint", "normal", "uniform", "permutation", "choice",
           "shuffle", "random", "random_sample", "standard_normal"]

_NUMBERS = (int, float)


def _size(size: Any) -> tuple[int, ...]:
    if size is None:
        return ()
    return (int(size),) if isinstance(size, int) else tuple(int(s) for s in size)


def _float(dtype: Any, backend: Any):
    return by_name(dtype) if dtype is not None else get_default_dtype(backend)


def seed(seed: int | None = None) -> None:
    """Reset the current backend's random stream to ``seed`` (None: fresh entropy).

    Examples
    --------
    >>> import polygrad.numpy as np
    >>> np.random.seed(0); a = np.random.randn(3)
    >>> np.random.seed(0); bool(np.all(a == np.random.randn(3)))
    True
    """
    get_backend().rng().seed(None if seed is None else int(seed))


def _shape_of(*params: Any) -> tuple[int, ...]:
    from ._manipulation import broadcast_shapes

    return broadcast_shapes(*(p.shape for p in params if type(p) is Array))


def _location_scale(kind: str, a: Any, b: Any, size: Any, dtype: Any) -> Array:
    """Samples ``a + b * u`` with ``u`` standard (normal) or on [0, 1) (uniform)."""
    from ._helpers import as_array

    arrays = [p for p in (a, b) if type(p) is Array]
    if not arrays and not (isinstance(a, _NUMBERS) and isinstance(b, _NUMBERS)):
        a, b = as_array(a), as_array(b)
        arrays = [a, b]
    if not arrays:
        backend = get_backend()
        rng = backend.rng()
        draw = rng.normal if kind == "normal" else rng.uniform
        return Array(draw(float(a), float(b), _size(size), _float(dtype, backend)), backend)
    backend = arrays[0]._backend
    if dtype is None:
        floats = [p.dtype for p in arrays if p.dtype.kind == "f"]
        dtype = floats[0] if floats else None
    shape = _size(size) if size is not None else _shape_of(a, b)
    rng = backend.rng()
    draw = rng.normal if kind == "normal" else rng.uniform
    z = Array(draw(0.0, 1.0, shape, _float(dtype, backend)), backend)
    if kind == "normal":
        return a + b * z
    return a + (b - a) * z


def normal(loc: Any = 0.0, scale: Any = 1.0, size: Any = None, *, dtype: Any = None) -> Array:
    """Samples of a normal distribution; ``loc`` and ``scale`` may be Arrays (broadcast, and
    the samples are differentiable in them)."""
    return _location_scale("normal", loc, scale, size, dtype)


def uniform(low: Any = 0.0, high: Any = 1.0, size: Any = None, *, dtype: Any = None) -> Array:
    """Samples uniform on ``[low, high)``; ``low`` and ``high`` may be Arrays (differentiable)."""
    return _location_scale("uniform", low, high, size, dtype)


def randn(*shape: int, dtype: Any = None) -> Array:
    """Standard normal samples of the given shape (a 0-d Array when no shape is given)."""
    return normal(0.0, 1.0, shape, dtype=dtype)


def standard_normal(size: Any = None, *, dtype: Any = None) -> Array:
    """Standard normal samples of shape ``size``."""
    return normal(0.0, 1.0, size, dtype=dtype)


def rand(*shape: int, dtype: Any = None) -> Array:
    """Samples uniform on ``[0, 1)`` of the given shape."""
    return uniform(0.0, 1.0, shape, dtype=dtype)


def random(size: Any = None, *, dtype: Any = None) -> Array:
    """Samples uniform on ``[0, 1)`` of shape ``size``."""
    return uniform(0.0, 1.0, size, dtype=dtype)


random_sample = random


def randint(low: int, high: int | None = None, size: Any = None, dtype: Any = "int64") -> Array:
    """Integers uniform on ``[low, high)`` (``[0, low)`` when ``high`` is None)."""
    if high is None:
        low, high = 0, low
    if int(high) <= int(low):
        raise ValueError(f"polygrad.numpy.random.randint: low ({low}) must be below high "
                         f"({high})")
    b = get_backend()
    return Array(b.rng().integers(int(low), int(high), _size(size), by_name(dtype)), b)


def _on(backend: Any, native: Any) -> Array:
    return Array(backend.asarray(native), backend)


def permutation(x: Any) -> Array:
    """A random permutation of ``range(x)`` (an int), or of an array's first axis (a copy).

    The permutation is drawn from the stream of the array's own backend.
    """
    if isinstance(x, int):
        b = get_backend()
        return _on(b, b.rng().permutation(x))
    from ._helpers import as_array

    x = as_array(x)
    if x.ndim == 0:
        raise ValueError("polygrad.numpy.random.permutation: x must be an int or have at "
                         "least one dimension")
    b = x._backend
    return x[_on(b, b.rng().permutation(x.shape[0]))]


def shuffle(x: Any) -> None:
    """Shuffle an Array (along its first axis) or a list, in place."""
    if isinstance(x, list):
        order = get_backend().rng().permutation(len(x)).tolist()
        x[:] = [x[i] for i in order]
        return
    x[...] = permutation(x)


def choice(a: Any, size: Any = None, replace: bool = True, p: Any = None) -> Array:
    """Random samples from ``range(a)`` (an int) or from the elements of a 1-D array ``a``,
    with probabilities ``p`` (uniform when None), with or without replacement."""
    from ._helpers import as_array

    if not isinstance(a, int):
        a = as_array(a)
        if a.ndim != 1:
            raise ValueError("polygrad.numpy.random.choice: a must be an int or 1-D")
    b = get_backend() if isinstance(a, int) else a._backend
    n = a if isinstance(a, int) else a.shape[0]
    probs = None if p is None else [float(v) for v in (
        p.tolist() if isinstance(p, Array) else p)]
    if probs is not None and len(probs) != n:
        raise ValueError(f"polygrad.numpy.random.choice: p has {len(probs)} entries for {n} "
                         f"choices")
    index = _on(b, b.rng().choice(n, _size(size), replace, probs))
    return index if isinstance(a, int) else a[index]
