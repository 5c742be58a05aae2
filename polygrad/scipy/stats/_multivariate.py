"""Multivariate distributions: ``multivariate_normal`` (through the Cholesky factor of the
covariance) and ``dirichlet``, with SciPy's signatures and output shapes.

Imports ``polygrad.numpy`` and ``polygrad.special``.
"""

from __future__ import annotations

import math
from typing import Any

from ... import numpy as np
from ... import special
from ._common import Distribution, prepare

__all__ = ["multivariate_normal", "dirichlet"]


class _MultivariateNormal(Distribution):
    name = "multivariate_normal"

    def logpdf(self, x: Any, mean: Any = None, cov: Any = 1, allow_singular: bool = False) -> Any:
        """log N(x; mean, cov); ``x``'s last axis holds the components (a size-1 distribution
        takes plain values), the result drops that axis, as SciPy's. ``cov`` may be a number or
        a vector (a diagonal covariance) or a matrix."""
        if allow_singular:
            raise ValueError("polygrad.scipy.stats.multivariate_normal.logpdf: allow_singular="
                             "True (a pseudo-determinant) is not supported; pass a positive "
                             "definite cov")
        if mean is None:
            x, cov = prepare(x, cov)
        else:
            x, mean, cov = prepare(x, mean, cov)
        # SciPy's rule: the dimension is mean's size, else cov's, else 1 (a number each)
        dim = (mean.size if mean is not None else cov.shape[-1] if cov.ndim else 1)
        if cov.ndim < 2:
            cov = np.eye(dim, dtype=cov.dtype) * cov
        if dim == 1 and (x.ndim == 0 or x.shape[-1] != 1):
            x = x[..., None]
        if x.shape[-1] != dim:
            raise ValueError(f"polygrad.scipy.stats.multivariate_normal.logpdf: x's last axis "
                             f"has length {x.shape[-1]}, the distribution has dimension {dim}")
        diff = x if mean is None else x - mean
        factor = np.linalg.cholesky(cov)
        batch = diff.shape[:-1]
        # solve L y = diff for every point at once: y has the points as columns
        y = np.linalg.solve(factor, np.reshape(diff, (-1, dim)).T)
        mahalanobis = np.reshape(np.sum(np.square(y), axis=0), batch)
        log_det = 2.0 * np.sum(np.log(np.diagonal(factor)))
        return -0.5 * (dim * math.log(2.0 * math.pi) + log_det + mahalanobis)

    def pdf(self, x: Any, mean: Any = None, cov: Any = 1, allow_singular: bool = False) -> Any:
        return np.exp(self.logpdf(x, mean, cov, allow_singular))


class _Dirichlet(Distribution):
    name = "dirichlet"

    def logpdf(self, x: Any, alpha: Any) -> Any:
        """log Dir(x; alpha). ``x`` has the components along its first axis (shape ``(K,)`` or
        ``(K, N)`` for N points), as SciPy's; the sum-to-one check SciPy makes is left out (it
        would read values inside differentiated code)."""
        x, alpha = prepare(x, alpha)
        a = np.reshape(alpha, alpha.shape + (1,) * (x.ndim - 1))
        log_norm = special.gammaln(np.sum(alpha)) - np.sum(special.gammaln(alpha))
        return log_norm + np.sum(special.xlogy(a - 1.0, x), axis=0)

    def pdf(self, x: Any, alpha: Any) -> Any:
        return np.exp(self.logpdf(x, alpha))


multivariate_normal = _MultivariateNormal()
dirichlet = _Dirichlet()
