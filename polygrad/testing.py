"""``polygrad.testing``: finite-difference checks of derivatives, forward and reverse, any order.

Complex numbers follow JAX's convention: a complex array is a pair of real ones, the JVP is the
real-linear map t ↦ df, and the VJP is its transpose under the pairing ⟨c, t⟩ = Re Σ c·t
(unconjugated). Hence ``vjp(f, z)[1](g) = g * f'(z)`` for holomorphic ``f``, and for a
real-valued ``f`` of ``z = x + iy``, ``grad(f)(z) = ∂f/∂x - i ∂f/∂y`` (the conjugate of the
steepest-ascent direction; step ``z - lr * conj(grad(f)(z))`` to descend). Uses only polygrad's
public API.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ._array import Array
from ._operators import jvp, vjp
from ._util import tree_flatten, tree_unflatten

__all__ = ["check_grads", "TOLERANCES"]

#: per dtype: (finite-difference step, relative tolerance, absolute tolerance)
TOLERANCES = {"float64": (1e-6, 1e-5, 1e-7), "float32": (1e-2, 5e-2, 1e-3),
              "complex128": (1e-6, 1e-5, 1e-7), "complex64": (1e-2, 5e-2, 1e-3),
              "float16": (1e-1, 1e-1, 2e-2)}   # half: ~3 digits, so a coarse check only


def _np():
    import polygrad.numpy as np

    return np


def _leaves(args: Sequence) -> tuple[list, Any]:
    np = _np()
    leaves, structure = tree_flatten(list(args))
    arrays = []
    for leaf in leaves:
        if type(leaf) is not Array:
            leaf = np.asarray(float(leaf) if isinstance(leaf, int) else leaf)
        arrays.append(leaf)
    return arrays, structure


def _random_like(x: Array, rng: Any) -> Array:
    np = _np()
    values = rng.standard_normal(x.shape)
    if x.dtype.kind == "c":
        values = values + 1j * rng.standard_normal(x.shape)
    from ._backend import use_backend

    with use_backend(x._backend):
        return np.asarray(values, dtype=x.dtype)


def _pair(a: Any, b: Any) -> float:
    """The pairing ⟨a, b⟩ = Re Σ a·b (unconjugated) under which VJPs are transposes of JVPs,
    in double precision on the host; for real arrays it is the dot product."""
    import numpy

    a, b = numpy.asarray(a, dtype=complex), numpy.asarray(b, dtype=complex)
    return float(numpy.sum(a * b).real)


def check_grads(fun: Callable, modes: Sequence[str] = ("fwd", "rev"), order: int = 2
                ) -> Callable:
    """Return ``checker(*args)`` that checks ``fun``'s derivatives at ``args`` against central
    finite differences: reverse mode by ⟨u, Jᵀv⟩ and forward mode by ⟨v, J u⟩ for random
    ``u``, ``v``, then recursively the derivative functions themselves up to ``order``.
    Raises ``AssertionError`` naming the mode and order on a mismatch.

    Complex inputs and outputs are checked as pairs of real ones: a complex ``u`` or ``v`` has
    independent random real and imaginary parts, so the finite difference moves each complex
    input along its real and its imaginary axis at once, and ⟨a, b⟩ = Re Σ a·b is the pairing
    of JAX's convention (see the module docstring), under which a VJP is the transpose of the
    JVP. A rule that is right only for holomorphic functions (``g * f'(z)`` for ``abs``, say)
    fails.

    Examples
    --------
    >>> import polygrad.numpy as np
    >>> from polygrad.testing import check_grads
    >>> check_grads(lambda x: np.sum(np.sin(x) * x))(np.asarray([0.3, 1.2]))
    >>> check_grads(lambda z: np.abs(z) ** 2 + np.conj(z) * z)(np.asarray([0.3 + 1j, -2j]))
    """
    for m in modes:
        if m not in ("fwd", "rev"):
            raise ValueError(f"check_grads: modes must be 'fwd' and/or 'rev', got {m!r}")

    def checker(*args: Any) -> None:
        import numpy

        _check(fun, args, tuple(modes), order, numpy.random.default_rng(0), 1)
    return checker


def _check(fun: Callable, args: Sequence, modes: tuple, order: int, rng: Any, level: int
           ) -> None:
    if order < 1:
        return
    arrays, structure = _leaves(args)

    def flat_fun(*xs: Any) -> list:
        return tree_flatten(fun(*tree_unflatten(structure, list(xs))))[0]

    dtype = arrays[0].dtype.name if arrays else "float64"
    eps, rtol, atol = TOLERANCES.get(dtype, TOLERANCES["float64"])
    us = [_random_like(x, rng) for x in arrays]
    vs = [_random_like(o, rng) for o in flat_fun(*arrays)]
    plus = flat_fun(*[x + eps * u for x, u in zip(arrays, us)])
    minus = flat_fun(*[x - eps * u for x, u in zip(arrays, us)])
    numeric = sum(_pair(v, (p.asnumpy() - m.asnumpy()) / (2 * eps))
                  for v, p, m in zip(vs, plus, minus))
    if "rev" in modes:
        _, pullback = vjp(flat_fun, *arrays)
        analytic = sum(_pair(u, c) for u, c in zip(us, pullback(vs)))
        _compare("reverse", level, analytic, numeric, rtol, atol)
        _check(lambda *xs: vjp(flat_fun, *xs)[1](vs), arrays, modes, order - 1, rng, level + 1)
    if "fwd" in modes:
        _, tangents = jvp(flat_fun, arrays, us)
        analytic = sum(_pair(v, t) for v, t in zip(vs, tangents))
        _compare("forward", level, analytic, numeric, rtol, atol)
        _check(lambda *xs: jvp(flat_fun, xs, us)[1], arrays, modes, order - 1, rng, level + 1)


def _compare(mode: str, level: int, analytic: float, numeric: float, rtol: float, atol: float
             ) -> None:
    if not abs(analytic - numeric) <= atol + rtol * abs(numeric):
        raise AssertionError(
            f"check_grads: {mode}-mode derivative of order {level} disagrees with finite "
            f"differences: analytic {analytic!r}, numeric {numeric!r}")
