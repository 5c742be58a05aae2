"""A training loop with the recording tape, in MXNet's style: attach_grad, record, backward.

    python examples/tape_training.py [--backend numpy|torch|jax|...] [--epochs 40] [--accumulate K]

Trains a small two-layer network to separate scikit-learn's two interleaved half-moons. The
parameters carry their gradients (``attach_grad``); each minibatch's loss is recorded inside
``with pg.record():`` and differentiated by ``loss.backward()``; the SGD update writes into the
parameters in place (``param[:] = param - lr * param.grad``), as MXNet's own tutorials do. With
``--accumulate K`` the gradients of K minibatches are summed (``grad_req="add"``) before each
update and then zeroed in place.
"""

from __future__ import annotations

import argparse
import time

import polygrad as pg
import polygrad.numpy as np


def init_params(sizes, grad_req="write"):
    """Weights and biases of a fully connected network, each with a gradient attached."""
    params = []
    for m, n in zip(sizes[:-1], sizes[1:]):
        w = np.random.normal(0.0, 1.0 / m ** 0.5, size=(m, n))
        b = np.zeros(n)
        for p in (w, b):
            p.attach_grad(grad_req=grad_req)
            params.append(p)
    return params


def net(params, x):
    w1, b1, w2, b2 = params
    return np.tanh(x @ w1 + b1) @ w2 + b2


def loss_fn(logits, y):
    """Binary cross-entropy of one logit per sample against labels in {0, 1}."""
    z = logits[:, 0]
    return np.mean(np.logaddexp(0.0, z) - y * z)


def sgd(params, lr):
    """In-place update of every parameter from its gradient (MXNet's ``param[:] = ...``)."""
    for p in params:
        p[:] = p - lr * p.grad


def zero_grads(params):
    for p in params:
        p.grad[:] = 0


def accuracy(params, x, y):
    predicted = net(params, x)[:, 0] > 0
    return float(np.mean(np.astype(predicted == (y > 0.5), x.dtype)))


def load_moons(n=2000, noise=0.2, test_fraction=0.25, seed=0):
    from sklearn.datasets import make_moons

    x, y = make_moons(n_samples=n, noise=noise, random_state=seed)
    n_test = int(n * test_fraction)
    return (x[n_test:], y[n_test:]), (x[:n_test], y[:n_test])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default=None, help="polygrad backend, e.g. numpy, torch, jax")
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--batch-size", type=int, default=50)
    parser.add_argument("--lr", type=float, default=0.5)
    parser.add_argument("--hidden", type=int, default=32)
    parser.add_argument("--accumulate", type=int, default=1, metavar="K",
                        help="sum the gradients of K minibatches before each update")
    args = parser.parse_args(argv)
    if args.backend is not None:
        pg.set_backend(args.backend)
    np.random.seed(0)
    dtype = pg.get_default_dtype()
    (xtr, ytr), (xte, yte) = load_moons()
    x_train, y_train = np.asarray(xtr, dtype=dtype), np.asarray(ytr, dtype=dtype)
    x_test, y_test = np.asarray(xte, dtype=dtype), np.asarray(yte, dtype=dtype)
    params = init_params([2, args.hidden, 1],
                         grad_req="add" if args.accumulate > 1 else "write")
    n = x_train.shape[0]
    print(f"backend: {pg.get_backend().spec}, {n} training and {x_test.shape[0]} test points")

    start = time.perf_counter()
    for epoch in range(1, args.epochs + 1):
        order = np.random.permutation(n)
        total, batches = 0.0, 0
        for i in range(0, n, args.batch_size):
            idx = order[i:i + args.batch_size]
            with pg.record():
                loss = loss_fn(net(params, x_train[idx]), y_train[idx])
            loss.backward()
            total += float(loss)
            batches += 1
            if batches % args.accumulate == 0:
                sgd(params, args.lr / args.accumulate)
                if args.accumulate > 1:
                    zero_grads(params)
        if epoch % 10 == 0 or epoch == args.epochs:
            print(f"epoch {epoch:3d}  loss {total / batches:.4f}  "
                  f"test accuracy {accuracy(params, x_test, y_test):.4f}")
    acc = accuracy(params, x_test, y_test)
    print(f"final test accuracy {acc:.4f} in {time.perf_counter() - start:.1f} s")
    return acc


if __name__ == "__main__":
    main()
