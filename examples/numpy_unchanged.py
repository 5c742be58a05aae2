"""A program written in plain NumPy style, run unchanged on polygrad and differentiated.

    python examples/numpy_unchanged.py [--backend numpy|torch|jax|...]

The model code below is what a NumPy (or HIPS autograd) user writes: positional axes
(``np.sum(x, 0)``), NumPy's scalar types as casts (``np.float32(...)``), the legacy
``RandomState``, ``np.r_``, ``ddof=1``, ``np.linalg.lstsq``, and even a function of the real
NumPy (``numpy.tanh``) applied to a polygrad array. Only the import line differs from NumPy.
The script fits a small ridge-regularised regression by gradient descent from the
least-squares start, and checks the gradient of its loss against central finite differences.
"""

from __future__ import annotations

import argparse

import numpy  # the real NumPy: numpy.tanh below receives a polygrad array

import polygrad as pg
import polygrad.numpy as np   # was: import numpy as np  (or: import autograd.numpy as np)


# -- model code, written for NumPy --------------------------------------------------------------
def make_data(n=60, seed=0):
    rs = np.random.RandomState(seed)
    x = rs.randn(n, 3)
    w_true = np.r_[1.5, -2.0, 0.5]
    y = np.dot(x, w_true) + 0.3 * np.sin(np.sum(x, 1)) + 0.1 * rs.randn(n)
    return x, y


def standardize(x):
    return (x - np.mean(x, 0)) / np.std(x, 0, ddof=1)


def loss(w, x, y, lam=0.05):
    z = standardize(x)
    pred = numpy.tanh(np.dot(z, w))            # a NumPy ufunc on a polygrad array
    resid = pred - np.tanh(y / np.max(np.abs(y), 0))
    return np.mean(resid ** 2, 0) + np.float32(lam) * np.sum(w ** 2, 0)


def start(x, y):
    return np.linalg.lstsq(standardize(x), y / np.max(np.abs(y), 0), rcond=None)[0]


def fit(x, y, steps=200, lr=0.5):
    grad = pg.grad(loss)
    w = start(x, y)
    for _ in range(steps):
        w = w - lr * grad(w, x, y)
    return w


# -- the check ----------------------------------------------------------------------------------
def finite_differences(f, w, eps):
    """Central differences of ``f`` at ``w``, one coordinate at a time."""
    out = []
    for i in range(w.shape[0]):
        step = np.asarray([eps if j == i else 0.0 for j in range(w.shape[0])], dtype=w.dtype)
        out.append((float(f(w + step)) - float(f(w - step))) / (2 * eps))
    return numpy.asarray(out)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default=None, help="polygrad backend, e.g. numpy, torch, jax")
    parser.add_argument("--steps", type=int, default=200)
    args = parser.parse_args(argv)
    if args.backend is not None:
        pg.set_backend(args.backend)
    dtype = pg.get_default_dtype()
    print(f"backend: {pg.get_backend().spec}, dtype {dtype}")

    x, y = make_data()
    w = fit(x, y, args.steps)
    print(f"fitted weights {numpy.round(w.asnumpy(), 4).tolist()}, "
          f"loss {float(loss(w, x, y)):.6f}")

    w0 = start(x, y)   # the gradient is checked where it is not small: at the starting point
    analytic = pg.grad(loss)(w0, x, y).asnumpy()
    eps = 1e-6 if dtype == np.float64 else 1e-2
    numeric = finite_differences(lambda v: loss(v, x, y), w0, eps)
    error = float(numpy.max(numpy.abs(analytic - numeric)) / max(1.0, numpy.max(abs(numeric))))
    print(f"gradient at the start {numpy.round(analytic, 6).tolist()}")
    print(f"max relative difference from central finite differences: {error:.1e}")
    assert error < (1e-6 if dtype == np.float64 else 5e-2), error
    return error


if __name__ == "__main__":
    main()
