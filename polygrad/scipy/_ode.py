"""``odeint``: an adaptive Dormand–Prince 5(4) solver written with ``polygrad.numpy``, whose
derivative comes from the adjoint method (a second ODE solved backwards in time), so the
backward pass stores nothing per solver step.

Step sizes are control flow: they are chosen from values read through ``stop_gradient``, never
differentiated. Imports ``polygrad.numpy``, ``polygrad.tree`` and ``custom_vjp``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from .. import numpy as np
from .._backend import use_backend
from .._custom import custom_vjp
from .._operators import vjp
from ..tree import ravel

__all__ = ["odeint"]

# The Dormand–Prince 5(4) tableau: nodes, stage weights, 5th-order weights, and the difference
# between the 5th- and the embedded 4th-order weights (the local error estimate).
_C = (0.0, 1 / 5, 3 / 10, 4 / 5, 8 / 9, 1.0, 1.0)
_A = ((),
      (1 / 5,),
      (3 / 40, 9 / 40),
      (44 / 45, -56 / 15, 32 / 9),
      (19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729),
      (9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656),
      (35 / 384, 0.0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84))
_B = (35 / 384, 0.0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84, 0.0)
_E = (35 / 384 - 5179 / 57600, 0.0, 500 / 1113 - 7571 / 16695, 125 / 192 - 393 / 640,
      -2187 / 6784 + 92097 / 339200, 11 / 84 - 187 / 2100, -1 / 40)


def _value(x: Any) -> float:
    return float(np.stop_gradient(x))


def _step(f: Callable, y: Any, t: float, h: float, f0: Any) -> tuple[Any, Any, Any]:
    """One Dormand–Prince step from (t, y) with f0 = f(y, t): (y_new, f(y_new), error)."""
    ks = [f0]
    for i in range(1, 7):
        dy = sum((a * k for a, k in zip(_A[i], ks) if a), start=0.0)
        ks.append(f(y + h * dy, t + _C[i] * h))
    # the seventh stage is evaluated at y_new (first same as last)
    y_new = y + h * sum((b * k for b, k in zip(_B, ks) if b), start=0.0)
    error = h * sum((e * k for e, k in zip(_E, ks) if e), start=0.0)
    return y_new, ks[6], error


def _error_ratio(error: Any, y0: Any, y1: Any, rtol: float, atol: float) -> float:
    scale = atol + rtol * np.maximum(np.abs(y0), np.abs(y1))
    return math.sqrt(_value(np.mean(np.square(error / scale))))


def _initial_step(f0: Any, y0: Any, span: float, rtol: float, atol: float) -> float:
    scale = atol + rtol * np.abs(y0)
    d0 = math.sqrt(_value(np.mean(np.square(y0 / scale))))
    d1 = math.sqrt(_value(np.mean(np.square(f0 / scale))))
    h = 0.01 * d0 / d1 if d0 > 1e-5 and d1 > 1e-5 else 1e-6
    return min(h, abs(span))


def _integrate(fun: Callable, y0: Any, times: list[float], rtol: float, atol: float,
               mxstep: int) -> list:
    """y at each of ``times`` (the first is y0's), stepping exactly onto each; either direction."""
    backend, dtype = y0._backend, y0.dtype

    def f(y: Any, s: float) -> Any:
        # the time as an array of the state's dtype (a Python float would take the backend's
        # default float, float32 on torch and jax, inside sin(t))
        with use_backend(backend):
            return fun(y, np.asarray(s, dtype=dtype))

    ys, y, t = [y0], y0, times[0]
    fy = f(y, t)
    h = None
    for target in times[1:]:
        direction = 1.0 if target >= t else -1.0
        if h is None or h * direction <= 0:
            h = direction * _initial_step(fy, y, target - t, rtol, atol)
        steps = 0
        while (target - t) * direction > 0:
            steps += 1
            if steps > mxstep:
                raise RuntimeError(f"polygrad.scipy.integrate.odeint: more than {mxstep} steps "
                                   f"between t = {times[0]} and t = {target} (a stiff or "
                                   f"singular problem?); raise mxstep or loosen rtol/atol")
            last = (target - t - h) * direction <= 0
            step = target - t if last else h
            y_new, f_new, error = _step(f, y, t, step, fy)
            ratio = _error_ratio(error, y, y_new, rtol, atol)
            if ratio <= 1.0:
                y, fy, t = y_new, f_new, target if last else t + step
            factor = 10.0 if ratio == 0.0 else min(10.0, max(0.2, 0.9 * ratio ** -0.2))
            h = step * factor
        ys.append(y)
    return ys


def _solve(func: Callable, rtol: float, atol: float, mxstep: int, y0: Any, t: Any,
           args: tuple) -> Any:
    times = [_value(ti) for ti in t]
    ys = _integrate(lambda y, s: func(y, s, *args), y0, times, rtol, atol, mxstep)
    return np.stack(ys)


def _fwd(func, rtol, atol, mxstep, y0, t, args):
    ys = _solve(func, rtol, atol, mxstep, y0, t, args)
    return ys, (ys, t, args)


def _bwd(func, rtol, atol, mxstep, residuals, g):
    """The adjoint method: integrate (y, a, ā_args) backwards between the output times, with
    ȧ = −aᵀ ∂f/∂y and the args' cotangent growing by −aᵀ ∂f/∂θ; add g at each output time."""
    ys, t, args = residuals
    times = [_value(ti) for ti in t]
    shape = ys.shape[1:]
    size = math.prod(shape)
    args_flat, unravel_args = ravel(args)

    def augmented(state: Any, s: float) -> Any:
        y, a = np.reshape(state[:size], shape), np.reshape(state[size:2 * size], shape)
        dy, pull = vjp(lambda y, p: func(y, s, *unravel_args(p)), y, args_flat)
        a_y, a_p = pull(a)
        return np.concat([np.reshape(dy, (-1,)), -np.reshape(a_y, (-1,)), -a_p])

    a = g[-1]
    args_bar = np.zeros_like(args_flat)
    t_bar = [None] * len(times)
    for i in range(len(times) - 1, 0, -1):
        t_bar[i] = np.sum(func(ys[i], t[i], *args) * g[i])
        state = np.concat([np.reshape(ys[i], (-1,)), np.reshape(a, (-1,)), args_bar])
        state = _integrate(augmented, state, [times[i], times[i - 1]], rtol, atol, mxstep)[-1]
        a, args_bar = np.reshape(state[size:2 * size], shape), state[2 * size:]
        if i > 1:
            a = a + g[i - 1]
    # moving the start time moves the trajectory after it (not y(t₀) = y₀ itself):
    # dL/dt₀ = −a(t₀)·f(y₀, t₀), with a(t₀) the adjoint of the later outputs only
    t_bar[0] = (-np.sum(func(ys[0], t[0], *args) * a) if len(times) > 1
                else np.zeros_like(t[0]))
    a = a + g[0] if len(times) > 1 else a
    return a, np.stack(t_bar), unravel_args(args_bar)


_odeint = custom_vjp(_solve, nondiff_argnums=(0, 1, 2, 3))
_odeint.defvjp(_fwd, _bwd)


def odeint(func: Callable, y0: Any, t: Any, args: tuple = (), rtol: float = 1.4e-8,
           atol: float = 1.4e-8, mxstep: int = 10_000) -> Any:
    """Solve dy/dt = func(y, t, *args) from y(t[0]) = y0 and return y at each of ``t``
    (shape ``(len(t),) + y0.shape``), as autograd's ``scipy.integrate.odeint``.

    The solver is adaptive Dormand–Prince 5(4) (``rtol``, ``atol``; at most ``mxstep`` steps
    between two output times), written with ``polygrad.numpy`` so it runs on every backend.
    Derivatives with respect to ``y0``, ``t`` and ``args`` come from the adjoint method: the
    backward pass solves an ODE backwards in time and keeps no per-step values, so its memory does
    not grow with the number of steps.

    Examples
    --------
    >>> import polygrad as pg, polygrad.numpy as np
    >>> from polygrad.scipy.integrate import odeint
    >>> decay = lambda y, t, k: -k * y
    >>> t = np.asarray([0.0, 1.0])
    >>> round(float(odeint(decay, np.asarray(1.0), t, (2.0,))[1]), 6)        # e^-2
    0.135335
    >>> round(float(pg.grad(lambda k: odeint(decay, np.asarray(1.0), t, (k,))[1])(2.0)), 6)
    -0.135335
    """
    if not callable(func):
        raise TypeError(f"polygrad.scipy.integrate.odeint: func must be a function "
                        f"func(y, t, *args), got {type(func).__name__}")
    t = np.asarray(t)
    y0 = np.asarray(y0)
    if t.ndim != 1 or t.shape[0] < 1:
        raise ValueError(f"polygrad.scipy.integrate.odeint: t must be a 1-D array of output "
                         f"times, got shape {t.shape}")
    if not isinstance(args, tuple):
        args = (args,)
    return _odeint(func, rtol, atol, mxstep, y0, t, args)
