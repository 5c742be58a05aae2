"""Train a small MLP on scikit-learn's handwritten digits with polygrad's ``grad``.

    python examples/train_mlp.py [--backend numpy|torch|jax|cuda|...] [--epochs 30]

Prints a progress bar per epoch (tqdm when installed), the loss and the test accuracy.
"""

from __future__ import annotations

import argparse
import time

import polygrad as pg
import polygrad.numpy as np


def init_params(sizes, scale=0.1):
    return [(np.random.randn(m, n) * (scale / (m ** 0.5) * 10), np.zeros(n))
            for m, n in zip(sizes[:-1], sizes[1:])]


def predict(params, x):
    for i, (w, b) in enumerate(params):
        x = x @ w + b
        if i < len(params) - 1:
            x = np.tanh(x)
    return x


def loss(params, x, y_onehot):
    logits = predict(params, x)
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    return -np.mean(np.sum(log_probs * y_onehot, axis=1))


def accuracy(params, x, labels):
    return float(np.mean(np.astype(np.argmax(predict(params, x), axis=1) == labels,
                                   np.float64 if pg.get_backend().supports_float64
                                   else np.float32)))


def load_digits(test_fraction=0.25, seed=0):
    import numpy
    from sklearn.datasets import load_digits as sk_digits

    data = sk_digits()
    x = data.data.astype("float64") / 16.0
    y = data.target
    order = numpy.random.default_rng(seed).permutation(len(x))
    x, y = x[order], y[order]
    n_test = int(len(x) * test_fraction)
    return (x[n_test:], y[n_test:]), (x[:n_test], y[:n_test])


def epochs_with_progress(n):
    """A progress bar over epochs (tqdm when installed) and a function to print beside it."""
    try:
        from tqdm import tqdm

        bar = tqdm(range(1, n + 1), desc="training", unit="epoch")
        return bar, bar.write
    except ImportError:
        return range(1, n + 1), print


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backend", default=None, help="polygrad backend (default: numpy)")
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=0.5)
    parser.add_argument("--hidden", type=int, default=64)
    args = parser.parse_args(argv)
    if args.backend:
        pg.set_backend(args.backend)
    np.random.seed(0)
    (xtr, ytr), (xte, yte) = load_digits()
    dtype = pg.get_default_dtype()
    x_train, x_test = np.asarray(xtr, dtype=dtype), np.asarray(xte, dtype=dtype)
    y_train, y_test = np.asarray(ytr), np.asarray(yte)
    onehot = np.astype(y_train[:, None] == np.arange(10)[None, :], dtype)
    params = init_params([64, args.hidden, 10])
    grad_loss = pg.value_and_grad(loss)
    n = x_train.shape[0]
    start = time.perf_counter()
    print(f"polygrad {pg.__version__} on backend {pg.get_backend().spec}, "
          f"{n} training and {x_test.shape[0]} test images")
    epochs, say = epochs_with_progress(args.epochs)
    for epoch in epochs:
        order = np.random.permutation(n)
        total = 0.0
        for i in range(0, n, args.batch_size):
            idx = order[i:i + args.batch_size]
            value, grads = grad_loss(params, x_train[idx], onehot[idx])
            params = [(w - args.lr * gw, b - args.lr * gb)
                      for (w, b), (gw, gb) in zip(params, grads)]
            total += float(value) * idx.shape[0]
        if epoch % 5 == 0 or epoch == args.epochs:
            say(f"epoch {epoch:3d}  loss {total / n:.4f}  "
                  f"test accuracy {accuracy(params, x_test, y_test):.4f}")
    acc = accuracy(params, x_test, y_test)
    print(f"final test accuracy {acc:.4f} in {time.perf_counter() - start:.1f} s")
    return acc


if __name__ == "__main__":
    main()
