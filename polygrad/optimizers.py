"""Gradient-based optimizers with HIPS autograd's calling convention, on any tree of arrays.

Each optimizer is ``opt(grad, x0, callback=None, num_iters=..., step_size=..., ...)``: it calls
``grad(x, i)`` for the gradient at iteration ``i`` (a tree shaped like ``x``), then
``callback(x, i, g)`` if given, then takes a step; it returns the final ``x`` with ``x0``'s
structure. The arithmetic runs on the arrays' backend (GPU included) through ``polygrad.numpy``.

Imports ``polygrad.numpy`` and ``polygrad.tree``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import numpy as np
from .tree import ravel

__all__ = ["sgd", "momentum", "rmsprop", "adam"]


def _flat(grad: Callable, x0: Any, name: str):
    """``x0`` as one vector, its ``unravel``, and ``grad`` and ``callback`` adapted to vectors."""
    if not callable(grad):
        raise TypeError(f"polygrad.optimizers.{name}: grad must be a function grad(x, i), "
                        f"got {type(grad).__name__}")
    x, unravel = ravel(x0)

    def flat_grad(v, i):
        g, _ = ravel(grad(unravel(v), i))
        if g.shape != v.shape:
            raise ValueError(f"polygrad.optimizers.{name}: grad(x, i) must return a tree shaped "
                             f"like x ({v.shape[0]} numbers), got {g.shape[0]}")
        return g

    return x, unravel, flat_grad


def _run(name: str, grad: Callable, x0: Any, callback: Callable | None, num_iters: int,
         step: Callable) -> Any:
    """The loop every optimizer shares; ``step(x, g, i)`` returns the next ``x``."""
    x, unravel, flat_grad = _flat(grad, x0, name)
    for i in range(num_iters):
        g = flat_grad(x, i)
        if callback is not None:
            callback(unravel(x), i, unravel(g))
        x = step(x, g, i)
    return unravel(x)


def sgd(grad: Callable, x0: Any, callback: Callable | None = None, num_iters: int = 200,
        step_size: float = 0.1, mass: float = 0.9) -> Any:
    """Stochastic gradient descent with damped momentum, as autograd's ``sgd``:
    ``v ← mass·v − (1 − mass)·g``, ``x ← x + step_size·v``.

    Examples
    --------
    >>> import polygrad as pg, polygrad.numpy as np
    >>> from polygrad.optimizers import sgd
    >>> f = lambda x: np.sum((x - 3.0) ** 2)
    >>> x = sgd(lambda x, i: pg.grad(f)(x), np.zeros(2), num_iters=300)
    >>> [round(float(v), 3) for v in x]
    [3.0, 3.0]
    """
    velocity = [None]

    def step(x, g, i):
        v = -(1.0 - mass) * g if velocity[0] is None else mass * velocity[0] - (1.0 - mass) * g
        velocity[0] = v
        return x + step_size * v

    return _run("sgd", grad, x0, callback, num_iters, step)


def momentum(grad: Callable, x0: Any, callback: Callable | None = None, num_iters: int = 200,
             step_size: float = 0.1, mass: float = 0.9) -> Any:
    """Gradient descent with heavy-ball momentum (PyTorch's ``SGD(momentum=mass)``, JAX's
    ``example_libraries.optimizers.momentum``): ``v ← mass·v + g``, ``x ← x − step_size·v``."""
    velocity = [None]

    def step(x, g, i):
        v = g if velocity[0] is None else mass * velocity[0] + g
        velocity[0] = v
        return x - step_size * v

    return _run("momentum", grad, x0, callback, num_iters, step)


def rmsprop(grad: Callable, x0: Any, callback: Callable | None = None, num_iters: int = 100,
            step_size: float = 0.1, gamma: float = 0.9, eps: float = 1e-8) -> Any:
    """Root-mean-square propagation as autograd's ``rmsprop``: a running average of squared
    gradients, started at ones, ``a ← gamma·a + (1 − gamma)·g²``,
    ``x ← x − step_size·g / (√a + eps)``."""
    average = [None]

    def step(x, g, i):
        a = np.ones_like(g) if average[0] is None else average[0]
        a = gamma * a + (1.0 - gamma) * g ** 2
        average[0] = a
        return x - step_size * g / (np.sqrt(a) + eps)

    return _run("rmsprop", grad, x0, callback, num_iters, step)


def adam(grad: Callable, x0: Any, callback: Callable | None = None, num_iters: int = 100,
         step_size: float = 0.001, b1: float = 0.9, b2: float = 0.999, eps: float = 1e-8) -> Any:
    """Adam (Kingma and Ba, 2015) as autograd's ``adam``: bias-corrected first and second moment
    estimates, ``x ← x − step_size·m̂ / (√v̂ + eps)``.

    Examples
    --------
    >>> import polygrad as pg, polygrad.numpy as np
    >>> from polygrad.optimizers import adam
    >>> f = lambda p: np.sum((p["w"] - 1.0) ** 2) + (p["b"] + 2.0) ** 2
    >>> p = adam(lambda p, i: pg.grad(f)(p), {"w": np.zeros(3), "b": 0.0},
    ...          num_iters=2000, step_size=0.01)
    >>> round(float(p["b"]), 3), [round(float(w), 3) for w in p["w"]]
    (-2.0, [1.0, 1.0, 1.0])
    """
    moments: list = [None, None]

    def step(x, g, i):
        m, v = moments
        m = (1.0 - b1) * g if m is None else b1 * m + (1.0 - b1) * g
        v = (1.0 - b2) * g ** 2 if v is None else b2 * v + (1.0 - b2) * g ** 2
        moments[:] = m, v
        m_hat = m / (1.0 - b1 ** (i + 1))
        v_hat = v / (1.0 - b2 ** (i + 1))
        return x - step_size * m_hat / (np.sqrt(v_hat) + eps)

    return _run("adam", grad, x0, callback, num_iters, step)
