"""Per-example gradients with ``pg.vmap``: DP-SGD on scikit-learn's handwritten digits.

    python examples/per_example_gradients.py [--backend numpy|torch|jax|...] [--steps 200]

Each step takes the gradient of every example's loss separately (``vmap(grad(loss))``: one
batched pass, no Python loop over the examples), clips each to L2 norm ``--clip``, averages them
and adds Gaussian noise of scale ``--noise * clip / batch``: one step of differentially private
SGD (Abadi et al., 2016). Before training it checks the batched gradients against a Python loop
of ``grad`` calls; at the end it prints the test accuracy.
"""

from __future__ import annotations

import argparse
import time

import numpy

import polygrad as pg
import polygrad.numpy as np


def init_params(sizes, rng):
    return [(np.asarray(rng.standard_normal((m, n)) / m ** 0.5), np.zeros(n))
            for m, n in zip(sizes[:-1], sizes[1:])]


def predict(params, x):
    for i, (w, b) in enumerate(params):
        x = x @ w + b
        if i < len(params) - 1:
            x = np.tanh(x)
    return x


def example_loss(params, x, y_onehot):
    """The softmax cross-entropy of ONE example (x: features, y_onehot: its label)."""
    z = predict(params, x)
    m = np.max(z)
    return m + np.log(np.sum(np.exp(z - m))) - np.sum(z * y_onehot)


per_example_grads = pg.vmap(pg.grad(example_loss), in_axes=(None, 0, 0))


def clipped_mean(grads, clip):
    """Each example's gradient scaled to L2 norm at most ``clip`` (over all parameters), then
    averaged over the batch."""
    leaves = [g for layer in grads for g in layer]
    batch = leaves[0].shape[0]
    sq = sum(np.sum(np.reshape(g, (batch, -1)) ** 2, axis=1) for g in leaves)
    scale = np.minimum(1.0, clip / (np.sqrt(sq) + 1e-12))
    return [tuple(np.mean(g * np.reshape(scale, (batch,) + (1,) * (g.ndim - 1)), axis=0)
                  for g in layer) for layer in grads]


def load_digits(seed=0):
    from sklearn.datasets import load_digits as sk_digits

    data = sk_digits()
    x = data.data / 16.0
    y = numpy.eye(10)[data.target]
    order = numpy.random.default_rng(seed).permutation(len(x))
    n_test = len(x) // 4
    x, y = x[order], y[order]
    return (x[n_test:], y[n_test:]), (x[:n_test], y[:n_test])


def check_against_loop(params, x, y):
    """The largest difference between vmap(grad) and a Python loop of grad, on a few examples."""
    batched = per_example_grads(params, x, y)
    worst = 0.0
    for i in range(x.shape[0]):
        one = pg.grad(example_loss)(params, x[i], y[i])
        for layer_b, layer_1 in zip(batched, one):
            for gb, g1 in zip(layer_b, layer_1):
                worst = max(worst, float(np.max(np.abs(gb[i] - g1))))
    return worst


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default="numpy")
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=0.5)
    parser.add_argument("--clip", type=float, default=1.0)
    parser.add_argument("--noise", type=float, default=0.5)
    args = parser.parse_args(argv)
    pg.set_backend(args.backend)
    rng = numpy.random.default_rng(0)
    (x_train, y_train), (x_test, y_test) = load_digits()
    dtype = pg.get_default_dtype()
    as_array = (lambda a: np.asarray(a, dtype=dtype))
    params = [(as_array(w), as_array(b)) for w, b in init_params([64, 32, 10], rng)]
    worst = check_against_loop(params, as_array(x_train[:4]), as_array(y_train[:4]))
    print(f"vmap(grad) vs a loop of grad, 4 examples: largest difference {worst:.1e}")
    start = time.perf_counter()
    for step in range(args.steps):
        idx = rng.choice(len(x_train), args.batch_size, replace=False)
        grads = per_example_grads(params, as_array(x_train[idx]), as_array(y_train[idx]))
        mean = clipped_mean(grads, args.clip)
        sigma = args.noise * args.clip / args.batch_size
        params = [tuple(p - args.lr * (g + as_array(sigma * rng.standard_normal(p.shape)))
                        for p, g in zip(layer, glayer))
                  for layer, glayer in zip(params, mean)]
        if (step + 1) % max(1, args.steps // 5) == 0:
            print(f"step {step + 1}/{args.steps}")
    elapsed = time.perf_counter() - start
    predicted = numpy.argmax(predict(params, as_array(x_test)).asnumpy(), axis=1)
    accuracy = float(numpy.mean(predicted == numpy.argmax(y_test, axis=1)))
    print(f"on backend {args.backend}: {args.steps} DP-SGD steps of {args.batch_size} in "
          f"{elapsed:.1f} s, test accuracy {accuracy:.3f}")
    return accuracy, worst


if __name__ == "__main__":
    main()
