"""MinPy's autograd tutorial, cell by cell, with polygrad.

    python examples/minpy_autograd_tutorial.py [--backend numpy|torch|jax|...] [--out PATH]

Prints what the tutorial shows: the derivative of ``x**2`` at 4, derivatives of any order, a vector
input, gradients with respect to several arguments, and a one-layer network whose parameter
gradients are checked against central differences and then used for a few SGD steps. With
``--out PATH`` (and matplotlib installed) it also draws ``foo`` and its first three derivatives.
"""

from __future__ import annotations

import argparse

import polygrad as pg
import polygrad.numpy as np


# -- A close look at autograd ------------------------------------------------------------------
def foo(x):
    return x ** 2


d_foo = pg.grad(foo)
# differentiate as many times as you want
d_2_foo = pg.grad(d_foo)
d_3_foo = pg.grad(d_2_foo)


def bar(a, b, c):
    return 3 * a + b ** 2 - c


# -- Layers of a small network: affine, ReLU and a softmax loss ------------------------------------
def affine(x, w, b):
    """Fully connected layer: ``x`` of shape (N, D), ``w`` (D, M), ``b`` broadcast to (N, M)."""
    return np.dot(x, w) + b


def relu(x):
    return np.maximum(0, x)


def softmax_loss(x, y):
    """Mean cross-entropy of the softmax of scores ``x`` (N, C) against one-hot labels ``y``."""
    n = x.shape[0]
    probs = np.exp(x - np.max(x, axis=1, keepdims=True))
    probs = probs / np.sum(probs, axis=1, keepdims=True)
    return -np.sum(np.log(probs) * y) / n


class SimpleNet:
    """One affine layer, a ReLU and a softmax loss."""

    def __init__(self, input_size=100, num_class=3):
        self.params = {}
        self.params["w"] = np.random.randn(input_size, num_class) * 0.01
        # a float array, not the Python int 1: gradients are taken only of floating arrays
        self.params["b"] = np.zeros((1, 1))

    def forward(self, x):
        y1 = affine(x, self.params["w"], self.params["b"])
        return relu(y1)

    def loss(self, x, y):
        return softmax_loss(self.forward(x), y)


def make_data(batch_size, input_size, num_class):
    """Random inputs and random one-hot labels, on the current backend."""
    x = np.random.randn(batch_size, input_size)
    idx = np.random.randint(0, num_class, size=batch_size)
    y = np.zeros((batch_size, num_class))
    y[np.arange(batch_size), idx] = 1
    return x, y


def make_loss_func(net):
    """The loss as a function of the parameters, so that ``grad`` can track them."""
    def loss_func(w, b, x, y):
        net.params["w"] = w
        net.params["b"] = b
        return net.loss(x, y)
    return loss_func


def central_differences(f, x, eps):
    """The gradient of scalar ``f`` at array ``x`` by central differences, one entry at a time
    (a host NumPy array; no automatic differentiation involved)."""
    import numpy

    base = x.asnumpy().astype(numpy.float64)
    out = numpy.zeros(base.shape)
    for i in numpy.ndindex(base.shape):
        up, down = base.copy(), base.copy()
        up[i] += eps
        down[i] -= eps
        out[i] = (float(f(np.asarray(up, dtype=x.dtype)))
                  - float(f(np.asarray(down, dtype=x.dtype)))) / (2 * eps)
    return out


def sgd(loss_func, w, b, x, y, steps=5, lr=0.5):
    """A few steps of gradient descent; returns the parameters and the loss before each step."""
    losses = []
    step = pg.grad_and_loss(loss_func, argnum=[0, 1])
    for _ in range(steps):
        (d_w, d_b), loss = step(w, b, x, y)
        losses.append(float(loss))
        w = w - lr * d_w
        b = b - lr * d_b
    return w, b, losses


def plot_derivatives(path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    x = np.linspace(-10, 10, 200)
    fig, ax = plt.subplots(figsize=(10.0, 8.0))
    # matplotlib takes host arrays: asnumpy() converts
    for fn, label in [(foo, "foo"), (d_foo, "d_foo"), (d_2_foo, "d_2_foo"),
                      (d_3_foo, "d_3_foo")]:
        ax.plot(x.asnumpy(), fn(x).asnumpy(), label=label)
    ax.legend()
    fig.savefig(path)
    plt.close(fig)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default=None, help="polygrad backend, e.g. numpy, torch, jax")
    parser.add_argument("--out", "--plot", dest="plot", default=None, metavar="PATH",
                        help="save the plot of foo and its derivatives there (needs "
                             "matplotlib; default: no plot)")
    args = parser.parse_args(argv)
    if args.backend is not None:
        pg.set_backend(args.backend)
    backend = pg.get_backend()
    print(f"backend: {backend.spec}, default float dtype {pg.get_default_dtype()}")

    print("\n# A close look at autograd")
    print("foo(4) =", foo(4))
    print("d_foo(4) =", float(d_foo(4)))
    print("d_2_foo(4) =", float(d_2_foo(4)), " d_3_foo(4) =", float(d_3_foo(4)))
    x = np.linspace(-10, 10, 200)
    err1 = float(np.max(np.abs(d_foo(x) - 2 * x)))
    err2 = float(np.max(np.abs(d_2_foo(x) - 2)))
    err3 = float(np.max(np.abs(d_3_foo(x))))
    print(f"over linspace(-10, 10, 200): max |d_foo - 2x| = {err1:.1e}, "
          f"max |d_2_foo - 2| = {err2:.1e}, max |d_3_foo| = {err3:.1e}")
    if args.plot:
        try:
            plot_derivatives(args.plot)
            print("plot of foo and its derivatives saved to", args.plot)
        except ImportError:
            print("matplotlib is not installed: no plot")

    # MinPy's np.array([1, 2, 3, 4]) is an integer array; polygrad refuses to differentiate
    # with respect to integer arrays (TypeError naming the dtype), so the vector is written
    # with floats
    x = np.array([1.0, 2.0, 3.0, 4.0])
    print("d_foo([1., 2., 3., 4.]) =", d_foo(x))

    grad_bar = pg.grad(bar, argnum=[0, 1, 2])
    print("grad(bar, argnum=[0, 1, 2])(2, 3, 4) =", [float(g) for g in grad_bar(2, 3, 4)])

    print("\n# A one-layer network with a softmax loss")
    np.random.seed(0)
    batch_size, input_size, num_class = 100, 50, 3
    net = SimpleNet(input_size, num_class)
    x, y = make_data(batch_size, input_size, num_class)
    loss_func = make_loss_func(net)
    w, b = net.params["w"], net.params["b"]
    gradient = pg.grad(loss_func, argnum=[0, 1])   # 0, 1: the positions of w and b
    d_w, d_b = gradient(w, b, x, y)
    print("d_w shape", d_w.shape, " d_b shape", d_b.shape, " d_b =", float(d_b.reshape(())))

    # central differences in float64 where the backend has it, for accurate differences
    check = np.float64 if backend.supports_float64 else w.dtype
    eps = 1e-6 if check == np.float64 else 1e-2
    wc, bc, xc, yc = (np.astype(a, check) for a in (w, b, x, y))
    num_w = central_differences(lambda w: loss_func(w, bc, xc, yc), wc, eps)
    num_b = central_differences(lambda b: loss_func(wc, b, xc, yc), bc, eps)
    print(f"d_w vs central differences ({check}): max |error| = "
          f"{abs(d_w.asnumpy() - num_w).max():.1e}")
    print(f"d_b vs central differences ({check}): max |error| = "
          f"{abs(d_b.asnumpy() - num_b).max():.1e}")

    print("\n# grad_and_loss: the gradient and the loss in one pass")
    (d_w2, d_b2), loss = pg.grad_and_loss(loss_func, argnum=[0, 1])(w, b, x, y)
    print("loss =", float(loss), " same gradient as grad:",
          bool(np.all(d_w2 == d_w)) and bool(np.all(d_b2 == d_b)))

    _, _, losses = sgd(loss_func, w, b, x, y, steps=5)
    print("loss over 5 SGD steps:", " ".join(f"{v:.4f}" for v in losses))


if __name__ == "__main__":
    main()
