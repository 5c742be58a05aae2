"""Gaussian-process regression with hyperparameters fitted by SciPy's optimizer, as a HIPS
autograd user writes it (autograd's ``gaussian_process.py`` example, in our own words).

    python examples/gaussian_process.py [--backend numpy|torch|jax|...]

The negative log marginal likelihood of an RBF-kernel GP is written with ``polygrad.numpy`` and
``polygrad.scipy.stats.multivariate_normal``; ``scipy.optimize.minimize`` gets its value and
gradient from ``pg.value_and_grad`` (jac=True). Prints the final objective and hyperparameters;
in float64 every backend prints the same numbers.
"""

from __future__ import annotations

import argparse

import numpy
import scipy.optimize

import polygrad as pg
import polygrad.numpy as np
from polygrad.scipy.stats import multivariate_normal


def rbf(x, z, log_length, log_variance):
    d = (x[:, None] - z[None, :]) / np.exp(log_length)
    return np.exp(log_variance) * np.exp(-0.5 * d ** 2)


def negative_log_marginal(params, x, y):
    log_length, log_variance, log_noise = params[0], params[1], params[2]
    cov = rbf(x, x, log_length, log_variance) + (np.exp(log_noise) + 1e-6) * np.eye(x.shape[0])
    return -multivariate_normal.logpdf(y, np.zeros(x.shape[0]), cov)


def predict(params, x, y, x_new):
    log_length, log_variance, log_noise = params[0], params[1], params[2]
    cov = rbf(x, x, log_length, log_variance) + (np.exp(log_noise) + 1e-6) * np.eye(x.shape[0])
    cross = rbf(x_new, x, log_length, log_variance)
    return cross @ np.linalg.solve(cov, y)


def main(argv=None) -> float:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default="numpy")
    args = parser.parse_args(argv)
    pg.set_backend(args.backend)
    pg.set_default_dtype(np.float64)

    rs = numpy.random.RandomState(0)
    x_host = numpy.sort(rs.uniform(-3, 3, 40))
    y_host = numpy.sin(x_host) * 2 + 0.3 * rs.randn(40)
    x, y = np.asarray(x_host), np.asarray(y_host)

    # SciPy hands NumPy arrays in (polygrad moves them to the current backend) and converts the
    # returned Arrays with numpy.asarray (a host copy from any backend): no glue is needed
    objective = pg.value_and_grad(lambda p: negative_log_marginal(p, x, y))
    result = scipy.optimize.minimize(objective, numpy.zeros(3), jac=True, method="L-BFGS-B")
    params = np.asarray(result.x)
    fit = predict(params, x, y, np.asarray([0.0, 1.5]))
    print(f"backend {args.backend}: {result.nit} L-BFGS-B iterations")
    print(f"hyperparameters (log length, log variance, log noise): "
          f"{numpy.round(result.x, 6).tolist()}")
    print(f"predictions at 0 and 1.5: {numpy.round(fit.asnumpy(), 6).tolist()}")
    print(f"final objective {result.fun:.10f}")
    return float(result.fun)


if __name__ == "__main__":
    main()
