"""The distributions that NumPy's ``RandomState`` and ``Generator`` share, with NumPy's
signatures: a mixin over a ``Stream`` (see ``_random_stream``).

``normal`` and ``uniform`` with Array parameters are reparameterized (``loc + scale * z``), so
their samples are differentiable in the parameters; the other distributions read their
parameters' values (a parameter that carries a derivative raises). Imports the core and the
namespace's manipulation functions.
"""

from __future__ import annotations

from typing import Any

from .._array import Array
from ._random_stream import Stream, _size
from ._helpers import as_array
from ._manipulation import broadcast_shapes
from .._backend import use_backend
from ._indexing import take
from ._manipulation import reshape

__all__ = ["Distributions"]

_NUMBERS = (int, float)


class Distributions:
    """NumPy's shared distribution methods; subclasses set ``self._stream``."""

    _stream: Stream

    def _location_scale(self, kind: str, a: Any, b: Any, size: Any, dtype: Any = None) -> Array:
        """``normal`` / ``uniform``: NumPy's draw for numbers, ``a + b·z`` / ``a + (b-a)·u``
        for arrays (the same numbers when exact, and differentiable)."""

        stream = self._stream
        if isinstance(a, _NUMBERS) and isinstance(b, _NUMBERS):
            return stream.location_scale(kind, a, b, _size(size), dtype)

        with use_backend(stream.backend):
            a = a if isinstance(a, Array) else as_array(a)
            b = b if isinstance(b, Array) else as_array(b)
        if dtype is None:
            floats = [p.dtype for p in (a, b) if p.dtype.kind == "f"]
            dtype = floats[0] if floats else None
        shape = _size(size) if size is not None else broadcast_shapes(a.shape, b.shape)
        z = stream.standard(kind, shape, dtype)
        return a + b * z if kind == "normal" else a + (b - a) * z

    def normal(self, loc: Any = 0.0, scale: Any = 1.0, size: Any = None) -> Array:
        """Normal samples; Array ``loc`` / ``scale`` give samples differentiable in them."""
        return self._location_scale("normal", loc, scale, size)

    def uniform(self, low: Any = 0.0, high: Any = 1.0, size: Any = None) -> Array:
        """Samples uniform on ``[low, high)``; Array bounds give differentiable samples."""
        return self._location_scale("uniform", low, high, size)

    def beta(self, a: Any, b: Any, size: Any = None) -> Array:
        """Beta(a, b) samples."""
        return self._stream.call("beta", a, b, size)

    def binomial(self, n: Any, p: Any, size: Any = None) -> Array:
        """Binomial(n, p) counts."""
        return self._stream.call("binomial", n, p, size)

    def bytes(self, length: int) -> bytes:
        """``length`` random bytes (a Python ``bytes``, as NumPy returns)."""
        return self._stream.bytes(length)

    def chisquare(self, df: Any, size: Any = None) -> Array:
        """Chi-square samples with ``df`` degrees of freedom."""
        return self._stream.call("chisquare", df, size)

    def dirichlet(self, alpha: Any, size: Any = None) -> Array:
        """Dirichlet(alpha) samples (the last axis sums to one)."""
        return self._stream.call("dirichlet", alpha, size)

    def exponential(self, scale: Any = 1.0, size: Any = None) -> Array:
        """Exponential samples with mean ``scale``."""
        return self._stream.call("exponential", scale, size)

    def f(self, dfnum: Any, dfden: Any, size: Any = None) -> Array:
        """F-distribution samples."""
        return self._stream.call("f", dfnum, dfden, size)

    def gamma(self, shape: Any, scale: Any = 1.0, size: Any = None) -> Array:
        """Gamma(shape, scale) samples."""
        return self._stream.call("gamma", shape, scale, size)

    def geometric(self, p: Any, size: Any = None) -> Array:
        """Geometric samples (trials until the first success, ≥ 1)."""
        return self._stream.call("geometric", p, size)

    def gumbel(self, loc: Any = 0.0, scale: Any = 1.0, size: Any = None) -> Array:
        """Gumbel samples."""
        return self._stream.call("gumbel", loc, scale, size)

    def hypergeometric(self, ngood: Any, nbad: Any, nsample: Any, size: Any = None) -> Array:
        """Hypergeometric counts."""
        return self._stream.call("hypergeometric", ngood, nbad, nsample, size)

    def laplace(self, loc: Any = 0.0, scale: Any = 1.0, size: Any = None) -> Array:
        """Laplace (double exponential) samples."""
        return self._stream.call("laplace", loc, scale, size)

    def logistic(self, loc: Any = 0.0, scale: Any = 1.0, size: Any = None) -> Array:
        """Logistic samples."""
        return self._stream.call("logistic", loc, scale, size)

    def lognormal(self, mean: Any = 0.0, sigma: Any = 1.0, size: Any = None) -> Array:
        """Log-normal samples (``exp`` of Normal(mean, sigma))."""
        return self._stream.call("lognormal", mean, sigma, size)

    def logseries(self, p: Any, size: Any = None) -> Array:
        """Logarithmic-series samples."""
        return self._stream.call("logseries", p, size)

    def multinomial(self, n: Any, pvals: Any, size: Any = None) -> Array:
        """Multinomial counts (the last axis has one entry per outcome)."""
        return self._stream.call("multinomial", n, pvals, size)

    def negative_binomial(self, n: Any, p: Any, size: Any = None) -> Array:
        """Negative binomial counts."""
        return self._stream.call("negative_binomial", n, p, size)

    def noncentral_chisquare(self, df: Any, nonc: Any, size: Any = None) -> Array:
        """Noncentral chi-square samples."""
        return self._stream.call("noncentral_chisquare", df, nonc, size)

    def noncentral_f(self, dfnum: Any, dfden: Any, nonc: Any, size: Any = None) -> Array:
        """Noncentral F samples."""
        return self._stream.call("noncentral_f", dfnum, dfden, nonc, size)

    def pareto(self, a: Any, size: Any = None) -> Array:
        """Pareto II (Lomax) samples."""
        return self._stream.call("pareto", a, size)

    def poisson(self, lam: Any = 1.0, size: Any = None) -> Array:
        """Poisson counts with rate ``lam``."""
        return self._stream.call("poisson", lam, size)

    def power(self, a: Any, size: Any = None) -> Array:
        """Power-distribution samples on [0, 1]."""
        return self._stream.call("power", a, size)

    def rayleigh(self, scale: Any = 1.0, size: Any = None) -> Array:
        """Rayleigh samples."""
        return self._stream.call("rayleigh", scale, size)

    def standard_cauchy(self, size: Any = None) -> Array:
        """Standard Cauchy samples."""
        return self._stream.call("standard_cauchy", size)

    def standard_t(self, df: Any, size: Any = None) -> Array:
        """Student's t samples with ``df`` degrees of freedom."""
        return self._stream.call("standard_t", df, size)

    def triangular(self, left: Any, mode: Any, right: Any, size: Any = None) -> Array:
        """Triangular samples on [left, right] peaking at ``mode``."""
        return self._stream.call("triangular", left, mode, right, size)

    def vonmises(self, mu: Any, kappa: Any, size: Any = None) -> Array:
        """Von Mises samples on [-π, π]."""
        return self._stream.call("vonmises", mu, kappa, size)

    def wald(self, mean: Any, scale: Any, size: Any = None) -> Array:
        """Wald (inverse Gaussian) samples."""
        return self._stream.call("wald", mean, scale, size)

    def weibull(self, a: Any, size: Any = None) -> Array:
        """Weibull samples."""
        return self._stream.call("weibull", a, size)

    def zipf(self, a: Any, size: Any = None) -> Array:
        """Zipf samples."""
        return self._stream.call("zipf", a, size)

    # -- helpers for the permutation family (signatures differ between the two classes) ----
    def _permutation(self, x: Any, axis: int, name: str) -> Array:
        if isinstance(x, int):
            return self._stream.permutation(x)
        x = as_array(x)
        if x.ndim == 0:
            raise ValueError(f"polygrad.numpy.random.{name}: x must be an int or have at "
                             f"least one dimension")
        order = self._stream.permutation(x.shape[axis])
        return take(x, Array(x._backend.asarray(order.asnumpy()), x._backend)
                    if order._backend is not x._backend else order, axis=axis)

    def _shuffle(self, x: Any, axis: int, name: str) -> None:
        if isinstance(x, list):
            order = self._stream.permutation(len(x)).tolist()
            x[:] = [x[i] for i in order]
            return
        if not isinstance(x, Array):
            raise TypeError(f"polygrad.numpy.random.{name}: x must be an Array or a list, "
                            f"got {type(x).__name__}")
        x[...] = self._permutation(x, axis, name)

    def _choice(self, a: Any, size: Any, replace: bool, p: Any, axis: int = 0,
                shuffle: bool = True) -> Array:
        if isinstance(a, int):
            return self._stream.choice(a, size, replace, p, shuffle)
        a = as_array(a)
        if a.ndim == 0:
            raise ValueError("polygrad.numpy.random.choice: a must be an int or have at least "
                             "one dimension")
        if self._stream.legacy and a.ndim != 1:
            raise ValueError("polygrad.numpy.random.choice: a must be an int or 1-D")
        index = self._stream.choice(a.shape[axis], size, replace, p, shuffle)
        if index._backend is not a._backend:
            index = Array(a._backend.asarray(index.asnumpy()), a._backend)
        if index.ndim == 1 or index.ndim == 0:
            return take(a, index, axis=axis)

        flat = take(a, reshape(index, (-1,)), axis=axis)
        shape = a.shape[:axis] + index.shape + a.shape[axis + 1:]
        return reshape(flat, shape)
