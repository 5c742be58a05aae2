"""Continuous location-scale distributions: each is its standardised log-density (and its
distribution and quantile functions, in closed form or through our special functions) of
``z = (x - loc) / scale``; the shared class adds ``loc``, ``scale`` and SciPy's calling forms.

Imports ``polygrad.numpy`` and ``polygrad.special``.
"""

from __future__ import annotations

import math
from typing import Any

from ... import numpy as np
from ... import special
from ._common import Distribution, outside_nan, prepare

__all__ = ["norm", "t", "gamma", "beta", "chi2", "expon", "laplace", "logistic", "cauchy",
           "uniform"]

_LOG_2PI = math.log(2.0 * math.pi)
_SQRT2 = math.sqrt(2.0)


class _LocScale(Distribution):
    """A continuous distribution of ``(x, *shapes, loc=0, scale=1)``."""

    params = ("loc", "scale")
    defaults = (0.0, 1.0)

    # --- what a distribution defines, in the standardised variable z --------------------------
    def _support(self, z: Any, *shapes: Any) -> Any:
        return None                              # the whole real line

    # --- SciPy's methods -----------------------------------------------------------------------
    def logpdf(self, x: Any, *args: Any, **kwds: Any) -> Any:
        return self._log_density("logpdf", x, args, kwds)

    def pdf(self, x: Any, *args: Any, **kwds: Any) -> Any:
        return np.exp(self._log_density("pdf", x, args, kwds))

    def _log_density(self, method: str, x: Any, args: tuple, kwds: dict) -> Any:
        x, shapes, loc, scale = self._prepared(method, x, args, kwds)
        z = (x - loc) / scale
        inside = self._support(z, *shapes)
        if inside is None:
            value = self._logpdf(z, *shapes) - np.log(scale)
        else:
            safe = np.where(inside, z, 0.5)      # a point inside every support: no inf, no NaN
            value = np.where(inside, self._logpdf(safe, *shapes) - np.log(scale), -np.inf)
        return outside_nan(value, scale > 0)

    def _prepared(self, method: str, x: Any, args: tuple, kwds: dict) -> tuple:
        shapes, (loc, scale) = self._parse(method, args, kwds)
        x, loc, scale, *shapes = prepare(x, loc, scale, *shapes)
        return x, shapes, loc, scale


class _WithCdfOnly(_LocScale):
    """A continuous distribution with distribution functions (``_cdf``, and where more accurate
    than the defaults ``_sf``, ``_logcdf``, ``_logsf``); ``_WithCdf`` adds the quantile
    function."""

    def cdf(self, x: Any, *args: Any, **kwds: Any) -> Any:
        x, shapes, loc, scale = self._prepared("cdf", x, args, kwds)
        return outside_nan(self._cdf((x - loc) / scale, *shapes), scale > 0)

    def logcdf(self, x: Any, *args: Any, **kwds: Any) -> Any:
        x, shapes, loc, scale = self._prepared("logcdf", x, args, kwds)
        return outside_nan(self._logcdf((x - loc) / scale, *shapes), scale > 0)

    def sf(self, x: Any, *args: Any, **kwds: Any) -> Any:
        x, shapes, loc, scale = self._prepared("sf", x, args, kwds)
        return outside_nan(self._sf((x - loc) / scale, *shapes), scale > 0)

    def logsf(self, x: Any, *args: Any, **kwds: Any) -> Any:
        x, shapes, loc, scale = self._prepared("logsf", x, args, kwds)
        return outside_nan(self._logsf((x - loc) / scale, *shapes), scale > 0)

    # defaults in terms of each other
    def _logcdf(self, z: Any, *shapes: Any) -> Any:
        return np.log(self._cdf(z, *shapes))

    def _sf(self, z: Any, *shapes: Any) -> Any:
        return 1.0 - self._cdf(z, *shapes)

    def _logsf(self, z: Any, *shapes: Any) -> Any:
        return np.log(self._sf(z, *shapes))


class _WithCdf(_WithCdfOnly):
    """A continuous distribution with distribution and quantile functions (``_ppf``)."""

    def ppf(self, q: Any, *args: Any, **kwds: Any) -> Any:
        q, shapes, loc, scale = self._prepared("ppf", q, args, kwds)
        valid = np.logical_and(np.logical_and(q >= 0, q <= 1), scale > 0)
        return outside_nan(loc + scale * self._ppf(np.clip(q, 0.0, 1.0), *shapes), valid)


class _Norm(_WithCdf):
    name = "norm"

    def _logpdf(self, z, *shapes):
        return -0.5 * np.square(z) - 0.5 * _LOG_2PI

    def _cdf(self, z, *shapes):
        return 0.5 * special.erfc(-z / _SQRT2)

    def _sf(self, z, *shapes):
        return 0.5 * special.erfc(z / _SQRT2)

    def _ppf(self, q, *shapes):
        return _SQRT2 * special.erfinv(2.0 * q - 1.0)


# The distribution functions of t, gamma, chi2 and beta are the incomplete beta and gamma
# functions, their quantile functions these functions' inverses: differentiable in x (q), loc,
# scale and (to second order) in the shape parameters.
class _T(_WithCdf):
    name = "t"
    shapes = ("df",)

    # |x| from y = I⁻¹(ν/2, ½; 2 min(q, 1-q)) = ν/(ν+x²) in the tails; near the median from
    # w = I⁻¹(½, ν/2; |2q - 1|) = x²/(ν+x²) instead (y close to 1 would lose x's digits)
    def _ppf(self, q, df):
        centre = np.abs(2.0 * q - 1.0) < 0.5
        tail = np.minimum(q, 1.0 - q)
        y = special.betaincinv(df / 2.0, 0.5, np.where(centre, 0.25, 2.0 * tail))
        w = special.betaincinv(0.5, df / 2.0, np.where(centre, np.abs(2.0 * q - 1.0), 0.25))
        size = np.where(centre, np.sqrt(df * w / (1.0 - w)), np.sqrt(df * (1.0 - y) / y))
        return np.where(q < 0.5, -size, size)

    # P(T ≤ z) = ½ I_{ν/(ν+z²)}(ν/2, ½) for z ≤ 0, and 1 minus that for z > 0
    def _cdf(self, z, df):
        return self._sf(-z, df)

    def _sf(self, z, df):
        tail = 0.5 * special.betainc(df / 2.0, 0.5, df / (df + np.square(z)))
        return np.where(z > 0, tail, 1.0 - tail)

    # log Γ((ν+1)/2) − log Γ(ν/2) − ½ log(νπ) − (ν+1)/2 · log(1 + z²/ν)
    def _logpdf(self, z, df):
        return (special.gammaln((df + 1.0) / 2.0) - special.gammaln(df / 2.0)
                - 0.5 * np.log(df * math.pi) - (df + 1.0) / 2.0 * np.log1p(np.square(z) / df))


class _Gamma(_WithCdf):
    name = "gamma"
    shapes = ("a",)

    def _ppf(self, q, a):
        return special.gammaincinv(a, q)

    def _cdf(self, z, a):
        return np.where(z > 0, special.gammainc(a, np.where(z > 0, z, 1.0)), 0.0)

    def _sf(self, z, a):
        return np.where(z > 0, special.gammaincc(a, np.where(z > 0, z, 1.0)), 1.0)

    def _support(self, z, a):
        return z >= 0

    def _logpdf(self, z, a):
        return special.xlogy(a - 1.0, z) - z - special.gammaln(a)


class _Chi2(_WithCdf):
    name = "chi2"
    shapes = ("df",)

    def _ppf(self, q, df):
        return 2.0 * special.gammaincinv(df / 2.0, q)

    def _cdf(self, z, df):
        return _GAMMA._cdf(z / 2.0, df / 2.0)

    def _sf(self, z, df):
        return _GAMMA._sf(z / 2.0, df / 2.0)

    def _support(self, z, df):
        return z >= 0

    def _logpdf(self, z, df):
        half = df / 2.0
        return special.xlogy(half - 1.0, z) - z / 2.0 - special.gammaln(half) - half * math.log(2.0)


class _Beta(_WithCdf):
    name = "beta"
    shapes = ("a", "b")

    def _ppf(self, q, a, b):
        return special.betaincinv(a, b, q)

    def _cdf(self, z, a, b):
        inside = np.logical_and(z > 0, z < 1)
        value = special.betainc(a, b, np.where(inside, z, 0.5))
        return np.where(inside, value, np.where(z <= 0, 0.0, 1.0))

    def _sf(self, z, a, b):
        inside = np.logical_and(z > 0, z < 1)
        value = special.betainc(b, a, 1.0 - np.where(inside, z, 0.5))
        return np.where(inside, value, np.where(z <= 0, 1.0, 0.0))

    def _support(self, z, a, b):
        return np.logical_and(z >= 0, z <= 1)

    def _logpdf(self, z, a, b):
        log_beta = special.gammaln(a) + special.gammaln(b) - special.gammaln(a + b)
        return special.xlogy(a - 1.0, z) + special.xlog1py(b - 1.0, -z) - log_beta


class _Expon(_WithCdf):
    name = "expon"

    def _support(self, z):
        return z >= 0

    def _logpdf(self, z):
        return -z

    def _cdf(self, z):
        return -np.expm1(-np.maximum(z, 0.0))

    def _sf(self, z):
        return np.exp(-np.maximum(z, 0.0))

    def _logsf(self, z):
        return -np.maximum(z, 0.0)

    def _ppf(self, q):
        return -np.log1p(-q)


class _Laplace(_WithCdf):
    name = "laplace"

    def _logpdf(self, z):
        return -np.abs(z) - math.log(2.0)

    # F(z) = ½ e^z for z < 0, 1 − ½ e^−z otherwise; each branch fed a value where it is finite
    def _cdf(self, z):
        below = z < 0
        return np.where(below, 0.5 * np.exp(np.minimum(z, 0.0)),
                        1.0 - 0.5 * np.exp(-np.maximum(z, 0.0)))

    def _sf(self, z):
        return self._cdf(-z)

    def _ppf(self, q):
        below = q < 0.5
        return np.where(below, np.log(2.0 * np.where(below, q, 0.25)),
                        -np.log(2.0 - 2.0 * np.where(below, 0.75, q)))


class _Logistic(_WithCdf):
    name = "logistic"

    def _logpdf(self, z):
        return special.log_sigmoid(z) + special.log_sigmoid(-z)

    def _cdf(self, z):
        return special.expit(z)

    def _logcdf(self, z):
        return special.log_sigmoid(z)

    def _sf(self, z):
        return special.expit(-z)

    def _logsf(self, z):
        return special.log_sigmoid(-z)

    def _ppf(self, q):
        return special.logit(q)


class _Cauchy(_WithCdf):
    name = "cauchy"

    def _logpdf(self, z):
        return -math.log(math.pi) - np.log1p(np.square(z))

    def _cdf(self, z):
        return 0.5 + np.arctan(z) / math.pi

    def _sf(self, z):
        return 0.5 - np.arctan(z) / math.pi

    def _ppf(self, q):
        return np.tan(math.pi * (q - 0.5))


class _Uniform(_WithCdf):
    name = "uniform"

    def _support(self, z):
        return np.logical_and(z >= 0, z <= 1)

    def _logpdf(self, z):
        return np.zeros_like(z)

    def _cdf(self, z):
        return np.clip(z, 0.0, 1.0)

    def _ppf(self, q):
        return q


norm = _Norm()
t = _T()
gamma = _Gamma()
_GAMMA = gamma
chi2 = _Chi2()
beta = _Beta()
expon = _Expon()
laplace = _Laplace()
logistic = _Logistic()
cauchy = _Cauchy()
uniform = _Uniform()
