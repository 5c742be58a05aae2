"""Black-box variational inference with the reparameterisation trick, as a HIPS autograd user
writes it (autograd's ``black_box_svi.py`` example, in our own words).

    python examples/black_box_vi.py [--backend numpy|torch|jax|...] [--iters 400]

The target is the posterior over a location and a log-scale given eight observations, under a
correlated Gaussian prior (``multivariate_normal``) and a normal likelihood (``norm``). The
variational family is a Gaussian with diagonal covariance; its mean and log standard deviations
are fitted by ``adam`` on a Monte-Carlo estimate of the ELBO. The noise comes from NumPy's
``RandomState`` on the host, so in float64 every backend prints the same final ELBO.
"""

from __future__ import annotations

import argparse
import math

import numpy

import polygrad as pg
import polygrad.numpy as np
from polygrad.optimizers import adam
from polygrad.scipy.stats import multivariate_normal, norm

OBSERVATIONS = numpy.array([1.8, 2.4, 0.9, 2.2, 3.1, 1.4, 2.0, 2.7])
PRIOR_MEAN = numpy.array([0.0, 0.0])
PRIOR_COV = numpy.array([[4.0, 0.5], [0.5, 1.0]])


def log_posterior(z, data):
    """log p(z, data) for samples ``z`` of shape (S, 2): z[:, 0] the location, z[:, 1] log σ."""
    prior = multivariate_normal.logpdf(z, np.asarray(PRIOR_MEAN), np.asarray(PRIOR_COV))
    likelihood = norm.logpdf(data[None, :], z[:, 0:1], np.exp(z[:, 1:2]))
    return prior + np.sum(likelihood, axis=1)


def elbo(params, data, noise):
    """E_q[log p(z, data)] + H[q], with z = mean + σ ε (one row of ``noise`` per sample)."""
    mean, log_std = params["mean"], params["log_std"]
    samples = mean + np.exp(log_std) * noise
    entropy = np.sum(log_std) + 0.5 * mean.shape[0] * (1.0 + math.log(2 * math.pi))
    return np.mean(log_posterior(samples, data)) + entropy


def main(argv=None) -> float:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default="numpy")
    parser.add_argument("--iters", type=int, default=400)
    args = parser.parse_args(argv)
    pg.set_backend(args.backend)
    pg.set_default_dtype(np.float64)

    data = np.asarray(OBSERVATIONS)
    gradient = pg.grad(lambda params, noise: -elbo(params, data, noise))

    def noisy_gradient(params, i):
        noise = np.asarray(numpy.random.RandomState(i).randn(32, 2))   # same on every backend
        return gradient(params, noise)

    def report(params, i, g):
        if i % 100 == 0:
            noise = np.asarray(numpy.random.RandomState(10_000).randn(500, 2))
            print(f"iteration {i:4d}  ELBO {float(elbo(params, data, noise)):.6f}")

    params = adam(noisy_gradient, {"mean": np.zeros(2), "log_std": np.full(2, -1.0)},
                  callback=report, num_iters=args.iters, step_size=0.05)
    final = float(elbo(params, data, np.asarray(numpy.random.RandomState(10_000).randn(500, 2))))
    print(f"q mean {numpy.round(params['mean'].asnumpy(), 5).tolist()}, "
          f"std {numpy.round(numpy.exp(params['log_std'].asnumpy()), 5).tolist()}")
    print(f"final objective (ELBO) {final:.10f}")
    return final


if __name__ == "__main__":
    main()
