"""A Gaussian mixture fitted by gradient ascent on its log-likelihood with ``adam``, as a HIPS
autograd user writes it (autograd's ``gmm.py`` example, in our own words).

    python examples/gaussian_mixture.py [--backend numpy|torch|jax|...] [--iters 300]

Parameters are a dict (a tree) of means, log standard deviations and mixture logits;
``polygrad.optimizers.adam`` takes ``grad(params, i)`` and the tree, as autograd's does, and the
log-likelihood uses ``polygrad.scipy.stats.norm`` and ``polygrad.special.logsumexp``. Prints the
final mean negative log-likelihood; in float64 every backend prints the same number.
"""

from __future__ import annotations

import argparse

import numpy

import polygrad as pg
import polygrad.numpy as np
from polygrad.optimizers import adam
from polygrad.scipy.special import logsumexp
from polygrad.scipy.stats import norm


def log_likelihood(params, data):
    """Σ over points of log Σₖ πₖ N(x; μₖ, diag σₖ²), for 2-D points and K components."""
    log_weights = params["logits"] - logsumexp(params["logits"])
    # per point and component: the sum over both coordinates of the normal log-densities
    per_coordinate = norm.logpdf(data[:, None, :], params["means"][None, :, :],
                                 np.exp(params["log_sds"])[None, :, :])
    return np.sum(logsumexp(np.sum(per_coordinate, axis=2) + log_weights, axis=1))


def main(argv=None) -> float:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default="numpy")
    parser.add_argument("--iters", type=int, default=300)
    args = parser.parse_args(argv)
    pg.set_backend(args.backend)
    pg.set_default_dtype(np.float64)

    rs = numpy.random.RandomState(1)
    centres = numpy.array([[-2.0, 0.0], [2.0, 1.0], [0.0, 3.0]])
    data = np.asarray(numpy.concatenate([c + 0.5 * rs.randn(100, 2) for c in centres]))
    params = {"means": np.asarray(rs.randn(3, 2)), "log_sds": np.zeros((3, 2)),
              "logits": np.zeros(3)}
    n = data.shape[0]

    def objective(params):
        return -log_likelihood(params, data) / n

    gradient = pg.grad(objective)

    def report(params, i, g):
        if i % 100 == 0:
            print(f"iteration {i:4d}  mean negative log-likelihood {float(objective(params)):.6f}")

    params = adam(lambda p, i: gradient(p), params, callback=report, num_iters=args.iters,
                  step_size=0.05)
    final = float(objective(params))
    print(f"means: {numpy.round(params['means'].asnumpy(), 4).tolist()}")
    print(f"final objective {final:.10f}")
    return final


if __name__ == "__main__":
    main()
