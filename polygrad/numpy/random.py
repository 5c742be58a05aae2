"""``polygrad.numpy.random``: NumPy's random module on the current backend.

The module functions draw from one global ``RandomState`` per backend, as NumPy's do: on the
numpy backend ``seed(0); randn(3)`` gives exactly ``numpy.random``'s numbers; on other
backends the numbers come from the backend's own seeded stream. ``RandomState(seed)`` and
``default_rng(seed)`` make independent streams. ``normal`` and ``uniform`` with Array
parameters are reparameterized (``loc + scale * z``), so samples are differentiable in their
parameters. Imports the core and the random modules (NumPy lazily).
"""

from __future__ import annotations

import threading
from typing import Any

from .._array import Array
from .._backend import get_backend
from ._random_generator import Generator, default_rng
from ._random_state import RandomState
from ._random_stream import Stream, _size
from ._data_types import astype

__all__ = ["seed", "randn", "rand", "randint", "normal", "uniform", "permutation", "choice",
           "shuffle", "random", "random_sample", "standard_normal",
           # NumPy's other legacy functions and classes
           "RandomState", "Generator", "default_rng", "get_state", "set_state", "ranf",
           "sample", "random_integers", "bytes", "beta", "binomial", "chisquare", "dirichlet",
           "exponential", "f", "gamma", "geometric", "gumbel", "hypergeometric", "laplace",
           "logistic", "lognormal", "logseries", "multinomial", "multivariate_normal",
           "negative_binomial", "noncentral_chisquare", "noncentral_f", "pareto", "poisson",
           "power", "rayleigh", "standard_cauchy", "standard_exponential", "standard_gamma",
           "standard_t", "triangular", "vonmises", "wald", "weibull", "zipf"]

_GLOBAL: dict = {}
_LOCK = threading.Lock()


def _state(backend: Any = None) -> RandomState:
    """The global RandomState of ``backend`` (the current one by default)."""
    backend = get_backend() if backend is None else backend
    state = _GLOBAL.get(backend)
    if state is None:
        with _LOCK:
            state = _GLOBAL.get(backend)
            if state is None:
                exact = bool(getattr(backend.rng(), "numpy_bits", False))
                stream = (Stream(True, backend=backend) if exact else
                          Stream(True, backend=backend, native=backend.rng()))
                state = _GLOBAL[backend] = RandomState._on(stream)
    return state


def _of(x: Any) -> RandomState:
    return _state(x._backend if isinstance(x, Array) else None)


def seed(seed: int | None = None) -> None:
    """Reset the current backend's global random stream to ``seed`` (None: fresh entropy).

    Examples
    --------
    >>> import numpy, polygrad.numpy as np
    >>> np.random.seed(0); a = np.random.randn(3)
    >>> numpy.random.seed(0); bool(np.all(a == numpy.random.randn(3)))
    True
    """
    _state().seed(None if seed is None else int(seed))


def get_state(legacy: bool = True) -> Any:
    """NumPy's state of the global stream (numpy and strict backends)."""
    return _state().get_state(legacy)


def set_state(state: Any) -> None:
    """Restore the global stream from ``get_state`` (numpy and strict backends)."""
    _state().set_state(state)


def _cast(x: Array, dtype: Any) -> Array:
    if dtype is None:
        return x

    return astype(x, dtype)


def normal(loc: Any = 0.0, scale: Any = 1.0, size: Any = None, *, dtype: Any = None) -> Array:
    """Samples of a normal distribution; ``loc`` and ``scale`` may be Arrays (broadcast, and
    the samples are differentiable in them)."""
    return _state()._location_scale("normal", loc, scale, size, dtype)


def uniform(low: Any = 0.0, high: Any = 1.0, size: Any = None, *, dtype: Any = None) -> Array:
    """Samples uniform on ``[low, high)``; ``low`` and ``high`` may be Arrays (differentiable)."""
    return _state()._location_scale("uniform", low, high, size, dtype)


def randn(*shape: int, dtype: Any = None) -> Array:
    """Standard normal samples of the given shape (a 0-d Array when no shape is given)."""
    return _state()._stream.standard("normal", _size(shape), dtype)


def standard_normal(size: Any = None, *, dtype: Any = None) -> Array:
    """Standard normal samples of shape ``size``."""
    return _state()._stream.standard("normal", _size(size), dtype)


def rand(*shape: int, dtype: Any = None) -> Array:
    """Samples uniform on ``[0, 1)`` of the given shape."""
    return _state()._stream.standard("uniform", _size(shape), dtype)


def random(size: Any = None, *, dtype: Any = None) -> Array:
    """Samples uniform on ``[0, 1)`` of shape ``size``."""
    return _state()._stream.standard("uniform", _size(size), dtype)


random_sample = random


def ranf(*args: Any, **kwargs: Any) -> Array:
    """``random_sample`` (NumPy's alias)."""
    return random(*args, **kwargs)


def sample(*args: Any, **kwargs: Any) -> Array:
    """``random_sample`` (NumPy's alias)."""
    return random(*args, **kwargs)


def randint(low: int, high: int | None = None, size: Any = None, dtype: Any = "int64") -> Array:
    """Integers uniform on ``[low, high)`` (``[0, low)`` when ``high`` is None)."""
    return _state().randint(low, high, size, dtype)


def random_integers(low: int, high: int | None = None, size: Any = None) -> Array:
    """Integers uniform on ``[low, high]`` (NumPy deprecates it for ``randint``)."""
    return _state().random_integers(low, high, size)


def permutation(x: Any) -> Array:
    """A random permutation of ``range(x)`` (an int), or of an array's first axis (a copy).

    The permutation is drawn from the stream of the array's own backend.
    """
    return _of(x).permutation(x)


def shuffle(x: Any) -> None:
    """Shuffle an Array (along its first axis) or a list, in place."""
    _of(x).shuffle(x)


def choice(a: Any, size: Any = None, replace: bool = True, p: Any = None) -> Array:
    """Random samples from ``range(a)`` (an int) or from the elements of a 1-D array ``a``,
    with probabilities ``p`` (uniform when None), with or without replacement."""
    return _of(a).choice(a, size, replace, p)


def bytes(length: int) -> Any:  # noqa: A001
    """``length`` random bytes."""
    return _state().bytes(length)


def beta(a: Any, b: Any, size: Any = None) -> Array:
    """Beta(a, b) samples from the global stream."""
    return _state().beta(a, b, size)


def binomial(n: Any, p: Any, size: Any = None) -> Array:
    """Binomial(n, p) counts from the global stream."""
    return _state().binomial(n, p, size)


def chisquare(df: Any, size: Any = None) -> Array:
    """Chi-square samples from the global stream."""
    return _state().chisquare(df, size)


def dirichlet(alpha: Any, size: Any = None) -> Array:
    """Dirichlet samples from the global stream."""
    return _state().dirichlet(alpha, size)


def exponential(scale: Any = 1.0, size: Any = None) -> Array:
    """Exponential samples from the global stream."""
    return _state().exponential(scale, size)


def f(dfnum: Any, dfden: Any, size: Any = None) -> Array:
    """F samples from the global stream."""
    return _state().f(dfnum, dfden, size)


def gamma(shape: Any, scale: Any = 1.0, size: Any = None) -> Array:
    """Gamma samples from the global stream."""
    return _state().gamma(shape, scale, size)


def geometric(p: Any, size: Any = None) -> Array:
    """Geometric samples from the global stream."""
    return _state().geometric(p, size)


def gumbel(loc: Any = 0.0, scale: Any = 1.0, size: Any = None) -> Array:
    """Gumbel samples from the global stream."""
    return _state().gumbel(loc, scale, size)


def hypergeometric(ngood: Any, nbad: Any, nsample: Any, size: Any = None) -> Array:
    """Hypergeometric counts from the global stream."""
    return _state().hypergeometric(ngood, nbad, nsample, size)


def laplace(loc: Any = 0.0, scale: Any = 1.0, size: Any = None) -> Array:
    """Laplace samples from the global stream."""
    return _state().laplace(loc, scale, size)


def logistic(loc: Any = 0.0, scale: Any = 1.0, size: Any = None) -> Array:
    """Logistic samples from the global stream."""
    return _state().logistic(loc, scale, size)


def lognormal(mean: Any = 0.0, sigma: Any = 1.0, size: Any = None) -> Array:
    """Log-normal samples from the global stream."""
    return _state().lognormal(mean, sigma, size)


def logseries(p: Any, size: Any = None) -> Array:
    """Logarithmic-series samples from the global stream."""
    return _state().logseries(p, size)


def multinomial(n: Any, pvals: Any, size: Any = None) -> Array:
    """Multinomial counts from the global stream."""
    return _state().multinomial(n, pvals, size)


def multivariate_normal(mean: Any, cov: Any, size: Any = None, check_valid: str = "warn",
                        tol: float = 1e-8) -> Array:
    """Multivariate normal samples from the global stream."""
    return _state().multivariate_normal(mean, cov, size, check_valid, tol)


def negative_binomial(n: Any, p: Any, size: Any = None) -> Array:
    """Negative binomial counts from the global stream."""
    return _state().negative_binomial(n, p, size)


def noncentral_chisquare(df: Any, nonc: Any, size: Any = None) -> Array:
    """Noncentral chi-square samples from the global stream."""
    return _state().noncentral_chisquare(df, nonc, size)


def noncentral_f(dfnum: Any, dfden: Any, nonc: Any, size: Any = None) -> Array:
    """Noncentral F samples from the global stream."""
    return _state().noncentral_f(dfnum, dfden, nonc, size)


def pareto(a: Any, size: Any = None) -> Array:
    """Pareto II samples from the global stream."""
    return _state().pareto(a, size)


def poisson(lam: Any = 1.0, size: Any = None) -> Array:
    """Poisson counts from the global stream."""
    return _state().poisson(lam, size)


def power(a: Any, size: Any = None) -> Array:
    """Power-distribution samples from the global stream."""
    return _state().power(a, size)


def rayleigh(scale: Any = 1.0, size: Any = None) -> Array:
    """Rayleigh samples from the global stream."""
    return _state().rayleigh(scale, size)


def standard_cauchy(size: Any = None) -> Array:
    """Standard Cauchy samples from the global stream."""
    return _state().standard_cauchy(size)


def standard_exponential(size: Any = None) -> Array:
    """Standard exponential samples from the global stream."""
    return _state().standard_exponential(size)


def standard_gamma(shape: Any, size: Any = None) -> Array:
    """Standard gamma samples from the global stream."""
    return _state().standard_gamma(shape, size)


def standard_t(df: Any, size: Any = None) -> Array:
    """Student's t samples from the global stream."""
    return _state().standard_t(df, size)


def triangular(left: Any, mode: Any, right: Any, size: Any = None) -> Array:
    """Triangular samples from the global stream."""
    return _state().triangular(left, mode, right, size)


def vonmises(mu: Any, kappa: Any, size: Any = None) -> Array:
    """Von Mises samples from the global stream."""
    return _state().vonmises(mu, kappa, size)


def wald(mean: Any, scale: Any, size: Any = None) -> Array:
    """Wald samples from the global stream."""
    return _state().wald(mean, scale, size)


def weibull(a: Any, size: Any = None) -> Array:
    """Weibull samples from the global stream."""
    return _state().weibull(a, size)


def zipf(a: Any, size: Any = None) -> Array:
    """Zipf samples from the global stream."""
    return _state().zipf(a, size)
