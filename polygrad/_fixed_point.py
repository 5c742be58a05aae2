"""``fixed_point``: iterate to a fixed point, differentiated implicitly (HIPS autograd's
``misc.fixed_points.fixed_point``), on ``custom_vjp``.

At the fixed point x* = f(a)(x*) the implicit function theorem gives the cotangent of ``a`` as
∂f/∂a(x*)ᵀ w, where w = g + ∂f/∂x(x*)ᵀ w is itself found by fixed-point iteration: memory and
accuracy do not depend on how many forward iterations ran. Imports the operators and ``_custom``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._custom import custom_vjp
from ._operators import vjp

__all__ = ["fixed_point"]


def _iterate(step: Callable, x0: Any, distance: Callable, tol: float) -> Any:
    x, previous = step(x0), x0
    while distance(x, previous) > tol:
        x, previous = step(x), x
    return x


def _solve(f: Callable, x0: Any, distance: Callable, tol: float, a: Any) -> Any:
    return _iterate(f(a), x0, distance, tol)


def _fwd(f: Callable, x0: Any, distance: Callable, tol: float, a: Any) -> tuple:
    x = _solve(f, x0, distance, tol, a)
    return x, (a, x)


def _bwd(f: Callable, x0: Any, distance: Callable, tol: float, residuals: tuple, g: Any) -> tuple:
    a, x = residuals
    _, pull_x = vjp(lambda x: f(a)(x), x)
    w = _iterate(lambda w: g + pull_x(w)[0], g, distance, tol)
    _, pull_a = vjp(lambda a: f(a)(x), a)
    return pull_a(w)


_fixed_point = custom_vjp(_solve, nondiff_argnums=(0, 1, 2, 3))
_fixed_point.defvjp(_fwd, _bwd)


def fixed_point(f: Callable, a: Any, x0: Any, distance: Callable, tol: float) -> Any:
    """The fixed point of ``f(a)`` reached from ``x0``: iterate ``x ← f(a)(x)`` until
    ``distance(x, previous) <= tol``. Its derivative with respect to ``a`` comes from the implicit
    function theorem (autograd's convention: ``x0`` is not differentiated).

    Examples
    --------
    >>> import polygrad as pg, polygrad.numpy as np
    >>> def newton_sqrt(a):                    # x ← (x + a/x) / 2 converges to √a
    ...     return lambda x: 0.5 * (x + a / x)
    >>> dist = lambda x, y: np.abs(x - y)
    >>> round(float(pg.fixed_point(newton_sqrt, 2.0, 1.0, dist, 1e-12)), 9)
    1.414213562
    >>> round(float(pg.grad(lambda a: pg.fixed_point(newton_sqrt, a, 1.0, dist, 1e-12))(2.0)), 9)
    0.353553391
    """
    return _fixed_point(f, x0, distance, tol, a)
