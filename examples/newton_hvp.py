"""Newton's method with conjugate gradients (Newton-CG) for logistic regression, using ``pg.hvp``.

    python examples/newton_hvp.py [--backend numpy|torch|jax|...] [--lam 1e-3]

Fits an L2-regularised logistic regression to scikit-learn's breast-cancer data. Each Newton step
solves ``H p = -g`` by conjugate gradients, where every product ``H v`` is a Hessian-vector
product (forward-over-reverse, ``pg.hvp``): the 31 × 31 Hessian is never formed. Prints the loss
and gradient norm per step, the test accuracy, and the distance to scikit-learn's own solution of
the same problem.
"""

from __future__ import annotations

import argparse
import functools
import time

import polygrad as pg
import polygrad.numpy as np


def objective(theta, x, y, lam):
    """Mean logistic loss of ``x @ w + b`` against labels ``y`` in {0, 1}, plus ``lam/2 |w|²``.

    ``theta`` holds ``w`` then the intercept ``b`` (not penalised).
    """
    w, b = theta[:-1], theta[-1]
    z = x @ w + b
    # log(1 + eᶻ) - y z, computed without overflow
    return np.mean(np.logaddexp(0.0, z) - y * z) + 0.5 * lam * np.sum(w * w)


def conjugate_gradients(hvp, g, tol, max_iter):
    """Approximately solve ``H p = -g`` given ``hvp(v) = H v``; returns ``(p, iterations)``."""
    p = np.zeros_like(g)
    r = -g                      # residual of H p = -g at p = 0
    d = r
    rr = float(np.sum(r * r))
    stop = tol ** 2 * rr
    for i in range(1, max_iter + 1):
        hd = hvp(d)
        alpha = rr / float(np.sum(d * hd))
        p = p + alpha * d
        r = r - alpha * hd
        rr_new = float(np.sum(r * r))
        if rr_new <= stop:
            return p, i
        d = r + (rr_new / rr) * d
        rr = rr_new
    return p, max_iter


def newton_cg(fun, theta, steps=20, gtol=1e-8, say=print):
    """Minimise ``fun(theta)`` by Newton-CG with a backtracking line search."""
    value_and_grad = pg.value_and_grad(fun)
    hvp = pg.hvp(fun)
    for step in range(steps):
        value, g = value_and_grad(theta)
        gnorm = float(np.linalg.vector_norm(g))
        say(f"step {step:2d}  loss {float(value):.10f}  |grad| {gnorm:.2e}")
        if gnorm < gtol:
            break
        p, iters = conjugate_gradients(functools.partial(hvp, theta), g, tol=1e-4,
                                       max_iter=theta.shape[0])
        # Armijo backtracking: accept the full Newton step whenever it decreases enough
        t, slope = 1.0, float(np.sum(g * p))
        while float(fun(theta + t * p)) > float(value) + 1e-4 * t * slope and t > 1e-8:
            t *= 0.5
        say(f"         {iters:2d} CG iterations (Hessian-vector products), step length {t:g}")
        theta = theta + t * p
    return theta


def load_data(test_fraction=0.25, seed=0):
    """Standardised breast-cancer features (host NumPy arrays), split into train and test."""
    import numpy
    from sklearn.datasets import load_breast_cancer

    data = load_breast_cancer()
    order = numpy.random.default_rng(seed).permutation(len(data.target))
    x, y = data.data[order], data.target[order].astype("float64")
    n_test = int(len(y) * test_fraction)
    mean, std = x[n_test:].mean(axis=0), x[n_test:].std(axis=0)
    x = (x - mean) / std
    return (x[n_test:], y[n_test:]), (x[:n_test], y[:n_test])


def sklearn_solution(x, y, lam):
    """scikit-learn's solution of the same problem (C = 1 / (n λ)), as a host array."""
    import numpy
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=1.0 / (len(y) * lam), tol=1e-12, max_iter=10_000)
    model.fit(x, y)
    return numpy.concatenate([model.coef_.ravel(), model.intercept_])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default=None, help="polygrad backend, e.g. numpy, torch, jax")
    parser.add_argument("--lam", type=float, default=1e-3, help="L2 penalty on the weights")
    parser.add_argument("--steps", type=int, default=20)
    args = parser.parse_args(argv)
    if args.backend is not None:
        pg.set_backend(args.backend)
    dtype = pg.get_default_dtype()
    print(f"backend: {pg.get_backend().spec}, dtype {dtype}")

    (xtr, ytr), (xte, yte) = load_data()
    x, y = np.asarray(xtr, dtype=dtype), np.asarray(ytr, dtype=dtype)
    theta0 = np.zeros(x.shape[1] + 1, dtype=dtype)
    gtol = 1e-8 if dtype == np.float64 else 1e-4
    start = time.perf_counter()
    theta = newton_cg(lambda th: objective(th, x, y, args.lam), theta0, args.steps, gtol)
    seconds = time.perf_counter() - start

    x_test = np.asarray(xte, dtype=dtype)
    predicted = (x_test @ theta[:-1] + theta[-1]) > 0
    accuracy = float(np.mean(np.astype(predicted == np.asarray(yte > 0.5), dtype)))
    reference = sklearn_solution(xtr, ytr, args.lam)
    distance = float(abs(theta.asnumpy() - reference).max())
    print(f"fitted in {seconds:.2f} s; test accuracy {accuracy:.4f}; "
          f"max |theta - scikit-learn's| = {distance:.1e}")
    return accuracy, distance


if __name__ == "__main__":
    main()
