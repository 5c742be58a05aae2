"""Discrete distributions of ``(k, *shapes, loc=0)``: ``logpmf`` and ``pmf``, ``-inf`` / 0 off the
support (non-integers included), as SciPy's.

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


class _Bernoulli(_Discrete):
    name = "bernoulli"
    shapes = ("p",)

    def _support(self, k, p):
        return np.logical_and(k >= 0, k <= 1)

    def _logpmf(self, k, p):
        return special.xlogy(k, p) + special.xlog1py(1.0 - k, -p)


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


poisson = _Poisson()
bernoulli = _Bernoulli()
binom = _Binom()
