"""Discrete distributions of ``(k, *shapes, loc=0)``: ``logpmf`` and ``pmf``, ``-inf`` / 0 off the
support (non-integers included), ``cdf``, ``logcdf``, ``sf``, ``logsf`` and ``ppf`` (values only: a
step function, whose derivative polygrad gives as 0), as SciPy's.

Imports ``polygrad.numpy`` and ``polygrad.special``.
"""

from __future__ import annotations

from typing import Any

from ... import numpy as np
from ... import special
from ._common import Distribution, prepare

__all__ = ["poisson", "bernoulli", "binom"]


class _Discrete(Distribution):
    params = ("loc",)
    defaults = (0.0,)

    def logpmf(self, k: Any, *args: Any, **kwds: Any) -> Any:
        return self._log_mass("logpmf", k, args, kwds)

    def pmf(self, k: Any, *args: Any, **kwds: Any) -> Any:
        return np.exp(self._log_mass("pmf", k, args, kwds))

    # the distribution functions of poisson and binom are incomplete gamma / beta functions of
    # floor(k): differentiable in the parameters (in n through betainc's shape derivatives, to
    # second order)
    def cdf(self, k: Any, *args: Any, **kwds: Any) -> Any:
        return self._tail("cdf", k, args, kwds, lower=True)

    def sf(self, k: Any, *args: Any, **kwds: Any) -> Any:
        return self._tail("sf", k, args, kwds, lower=False)

    def logcdf(self, k: Any, *args: Any, **kwds: Any) -> Any:
        return np.log(self._tail("logcdf", k, args, kwds, lower=True))

    def logsf(self, k: Any, *args: Any, **kwds: Any) -> Any:
        return np.log(self._tail("logsf", k, args, kwds, lower=False))

    def ppf(self, q: Any, *args: Any, **kwds: Any) -> Any:
        """The smallest k with cdf(k) ≥ q, as SciPy's (``lo - 1`` at q = 0, the support's
        upper end at q = 1, NaN off [0, 1]). A step function: its derivative in ``q`` and in
        the parameters is 0 wherever it exists, and polygrad gives 0 everywhere (the result
        is a constant to differentiation), as for ``floor``."""
        shapes, (loc,) = self._parse("ppf", args, kwds)
        q, loc, *shapes = (np.stop_gradient(v) for v in prepare(q, loc, *shapes))
        low, high = self._bounds(*shapes)
        # bisection on the integers, keeping cdf(lo) < q ≤ cdf(hi): 64 halvings cover any
        # range of floats
        lo, hi = low - 1.0, high
        for _ in range(64):
            mid = np.floor((lo + hi) / 2.0)
            open_ = hi - lo > 1.0
            below = self._cdf(mid, *shapes) < q
            lo = np.where(open_ & below, mid, lo)
            hi = np.where(open_ & ~below, mid, hi)
        k = np.where(q <= 0, low - 1.0, np.where(q >= 1, self._top(*shapes), hi))
        return np.where((q >= 0) & (q <= 1), k + loc, np.nan)

    def _tail(self, method: str, k: Any, args: tuple, kwds: dict, *, lower: bool) -> Any:
        shapes, (loc,) = self._parse(method, args, kwds)
        k, loc, *shapes = prepare(k, loc, *shapes)
        k = np.floor(k - loc)
        return self._cdf(k, *shapes) if lower else self._sf(k, *shapes)

    def _log_mass(self, method: str, k: Any, args: tuple, kwds: dict) -> Any:
        shapes, (loc,) = self._parse(method, args, kwds)
        k, loc, *shapes = prepare(k, loc, *shapes)
        k = k - loc
        inside = np.logical_and(k == np.floor(k), self._support(k, *shapes))
        safe = np.where(inside, k, 0.0)
        return np.where(inside, self._logpmf(safe, *shapes), -np.inf)


class _Poisson(_Discrete):
    name = "poisson"
    shapes = ("mu",)

    def _support(self, k, mu):
        return k >= 0

    def _logpmf(self, k, mu):
        return special.xlogy(k, mu) - special.gammaln(k + 1.0) - mu

    # the support is 0, 1, …; past μ + 40√μ + 40 the upper tail is below 1e-300
    def _bounds(self, mu):
        return np.zeros_like(mu), np.floor(mu + 40.0 * np.sqrt(mu) + 40.0)

    def _top(self, mu):
        return np.full_like(mu, np.inf)

    # P(K ≤ k) = Q(k + 1, μ), the upper incomplete gamma function
    def _cdf(self, k, mu):
        inside = k >= 0
        return np.where(inside, special.gammaincc(np.where(inside, k, 0.0) + 1.0, mu), 0.0)

    def _sf(self, k, mu):
        inside = k >= 0
        return np.where(inside, special.gammainc(np.where(inside, k, 0.0) + 1.0, mu), 1.0)


class _Bernoulli(_Discrete):
    name = "bernoulli"
    shapes = ("p",)

    def _support(self, k, p):
        return np.logical_and(k >= 0, k <= 1)

    def _logpmf(self, k, p):
        return special.xlogy(k, p) + special.xlog1py(1.0 - k, -p)

    def _bounds(self, p):
        return np.zeros_like(p), np.ones_like(p)

    def _top(self, p):
        return np.ones_like(p)

    def _cdf(self, k, p):
        return np.where(k < 0, 0.0, np.where(k >= 1, 1.0, 1.0 - p))

    def _sf(self, k, p):
        return np.where(k < 0, 1.0, np.where(k >= 1, 0.0, p))


class _Binom(_Discrete):
    name = "binom"
    shapes = ("n", "p")

    def _support(self, k, n, p):
        return np.logical_and(k >= 0, k <= n)

    # log C(n, k) + k log p + (n − k) log(1 − p)
    def _logpmf(self, k, n, p):
        log_choose = (special.gammaln(n + 1.0) - special.gammaln(k + 1.0)
                      - special.gammaln(n - k + 1.0))
        return log_choose + special.xlogy(k, p) + special.xlog1py(n - k, -p)

    def _bounds(self, n, p):
        return np.zeros_like(n), n + np.zeros_like(p)

    def _top(self, n, p):
        return n + np.zeros_like(p)

    # P(K ≤ k) = I_{1-p}(n - k, k + 1) for 0 ≤ k < n
    def _cdf(self, k, n, p):
        inside = np.logical_and(k >= 0, k < n)
        safe = np.where(inside, k, 0.0)
        value = special.betainc(np.where(inside, n - safe, 1.0), safe + 1.0, 1.0 - p)
        return np.where(inside, value, np.where(k < 0, 0.0, 1.0))

    def _sf(self, k, n, p):
        inside = np.logical_and(k >= 0, k < n)
        safe = np.where(inside, k, 0.0)
        value = special.betainc(safe + 1.0, np.where(inside, n - safe, 1.0), p)
        return np.where(inside, value, np.where(k < 0, 1.0, 0.0))


poisson = _Poisson()
bernoulli = _Bernoulli()
binom = _Binom()
