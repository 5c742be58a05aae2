"""``polygrad.scipy.stats``: probability distributions with ``scipy.stats``' names, methods and
signatures, differentiable in the data and in every parameter (``loc``, ``scale``, shapes).

Continuous distributions take ``(x, *shapes, loc=0, scale=1)``, discrete ones
``(k, *shapes, loc=0)``, as SciPy's do. Values outside the support give ``-inf`` log-densities and
zero densities, as SciPy's; invalid parameters (a negative ``scale``) give NaN, as SciPy's.

Imports ``polygrad.numpy`` and ``polygrad.special``.
"""

from __future__ import annotations

from ._continuous import beta, cauchy, chi2, expon, gamma, laplace, logistic, norm, t, uniform
from ._discrete import bernoulli, binom, poisson
from ._multivariate import dirichlet, multivariate_normal

__all__ = ["norm", "t", "gamma", "beta", "chi2", "expon", "laplace", "logistic", "cauchy",
           "uniform", "poisson", "bernoulli", "binom", "multivariate_normal", "dirichlet"]
