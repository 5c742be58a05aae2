"""Linear algebra functions of the main namespace: matmul, tensordot, vecdot, matrix_transpose.

Imports the core and the namespace helpers.
"""

from __future__ import annotations

import builtins
import functools

from .._primitive import defbatch, deflinear, primitive
from .._batching import matmul_rule, tensordot_rule
from .._trace import apply_native2
from ._helpers import EMPTY, Array, apply_native, as_array, bind, promoted
from ._manipulation import permute_dims
from ._manipulation import expand_dims, reshape
from ._elementwise import conj

__all__ = ["matmul", "matrix_transpose", "tensordot", "vecdot"]


def matrix_transpose(x, /):
    """Swap the last two axes of ``x``."""

    x = as_array(x)
    n = x.ndim
    if n < 2:
        raise ValueError(f"polygrad.numpy.matrix_transpose: needs at least 2 dimensions, "
                         f"got shape {x.shape}")
    return permute_dims(x, tuple(range(n - 2)) + (n - 1, n - 2))


_SWAP = {"axes": (1, 0)}


def _mT(x):
    """``matrix_transpose``, with a concrete fast path for a matrix (the MLP's every layer)."""
    if x.ndim != 2:
        return matrix_transpose(x)
    prim = _permute_dims()
    if type(x) is Array and x._trace is None:
        return apply_native(prim, x._backend, (x._v,), _SWAP)
    return bind(prim, (x,), _SWAP)


@functools.cache
def _permute_dims():
    return permute_dims.primitive


def _matmul_vjp(i, g, ans, x1, x2):
    # d x1 = g x2ᵀ and d x2 = x1ᵀ g, with matrix-vector products (not n×1 matrices) where an
    # operand is a vector; batch axes are summed back by the core
    n1, n2 = x1.ndim, x2.ndim
    if n1 > 1 and n2 > 1:   # the common case, first
        return matmul(g, _mT(x2)) if i == 0 else matmul(_mT(x1), g)

    if n1 == 1 and n2 == 1:
        return g * (x2 if i == 0 else x1)
    if n1 == 1:   # (k,) @ (..., k, n) -> (..., n)
        if i == 0:
            d = matmul(x2, expand_dims(g, -1)) if n2 > 2 else matmul(x2, g)
            return reshape(d, d.shape[:-1]) if n2 > 2 else d
        return expand_dims(x1, -1) * expand_dims(g, -2)
    # (..., m, k) @ (k,) -> (..., m)
    if i == 1:
        if n1 == 2:
            return matmul(g, x1)
        d = matmul(expand_dims(g, -2), x1)
        return reshape(d, d.shape[:-2] + (d.shape[-1],))
    return expand_dims(g, -1) * x2


_matmul = primitive("matmul", broadcasts=True)
defbatch(_matmul, matmul_rule(_matmul))   # pg.vmap
deflinear(_matmul, lambda g, ans, x1, x2: _matmul_vjp(0, g, ans, x1, x2),
          lambda g, ans, x1, x2: _matmul_vjp(1, g, ans, x1, x2))


def matmul(x1, x2, /):
    """Matrix product (1-D operands are vectors; leading axes broadcast)."""
    # the arguments are checked before the fast path: an error never depends on cache state
    if type(x1) is Array and type(x2) is Array and x1._trace is None and x2._trace is None:
        backend = x1._backend
        v1, v2 = x1._v, x2._v
        if x2._backend is backend and v1.dtype is v2.dtype and v1.ndim and v2.ndim:
            return apply_native2(_matmul, backend, v1, v2)
    x1, x2 = promoted(as_array(x1), as_array(x2))
    if x1.ndim == 0 or x2.ndim == 0:
        raise ValueError("polygrad.numpy.matmul: operands must have at least one dimension; "
                         "use multiply for scalars")
    return bind(_matmul, (x1, x2), EMPTY)


matmul.primitive = _matmul


def _tensordot_axes(axes, n1: int, n2: int):
    if isinstance(axes, int):
        return tuple(range(n1 - axes, n1)), tuple(range(axes))
    a1, a2 = axes
    a1 = (a1,) if isinstance(a1, int) else tuple(a1)
    a2 = (a2,) if isinstance(a2, int) else tuple(a2)
    return tuple(a % n1 for a in a1), tuple(a % n2 for a in a2)


def _tensordot_vjp(i, g, ans, x1, x2, axes):
    a1, a2 = axes
    free1 = [d for d in range(x1.ndim) if d not in a1]
    free2 = [d for d in range(x2.ndim) if d not in a2]
    nf1 = len(free1)
    if i == 0:
        # contract g's axes that came from x2 with x2's free axes, then restore x1's axis order
        d = tensordot(g, x2, axes=(tuple(range(nf1, g.ndim)), tuple(free2)))
        order = free1 + [a1[a2.index(q)] for q in sorted(a2)]
    else:
        d = tensordot(x1, g, axes=(tuple(free1), tuple(range(nf1))))
        order = [a2[a1.index(p)] for p in sorted(a1)] + free2
    return permute_dims(d, tuple(order.index(k) for k in range(len(order))))


_tensordot = primitive("tensordot", lambda xp: lambda x1, x2, axes: xp.tensordot(
    x1, x2, axes=(list(axes[0]), list(axes[1]))))
defbatch(_tensordot, tensordot_rule(_tensordot, _matmul))   # pg.vmap
deflinear(_tensordot, lambda g, ans, x1, x2, axes: _tensordot_vjp(0, g, ans, x1, x2, axes),
          lambda g, ans, x1, x2, axes: _tensordot_vjp(1, g, ans, x1, x2, axes))


def tensordot(a, b, axes=2):
    """Sum products over the given axes (an int: the last ``axes`` of a, first of b)."""
    x1, x2 = promoted(as_array(a), as_array(b))
    axes = _tensordot_axes(axes, x1.ndim, x2.ndim)
    for p, q in zip(*axes):
        if x1.shape[p] != x2.shape[q]:
            raise ValueError(f"polygrad.numpy.tensordot: axis {p} of x1 (length {x1.shape[p]})"
                             f" does not match axis {q} of x2 (length {x2.shape[q]})")
    return bind(_tensordot, (x1, x2), {"axes": axes})


tensordot.primitive = _tensordot


def vecdot(x1, x2, /, *, axis: int = -1):
    """The dot product of vectors along ``axis`` (conjugating x1), broadcasting the rest."""
    # function-level: sum would shadow this module's own (or the builtin) sum
    from ._statistics import sum

    x1, x2 = as_array(x1), as_array(x2)
    for name, x in (("x1", x1), ("x2", x2)):
        if not -x.ndim <= axis < builtins.max(x.ndim, 1) or x.ndim == 0:
            raise ValueError(f"polygrad.numpy.vecdot: axis {axis} is out of range for {name} "
                             f"of shape {x.shape}")
    if x1.shape[axis] != x2.shape[axis]:
        raise ValueError(f"polygrad.numpy.vecdot: the contracted axis {axis} has length "
                         f"{x1.shape[axis]} in x1 and {x2.shape[axis]} in x2; they must be "
                         f"equal (it does not broadcast)")
    if x1.dtype.kind == "c":
        x1 = conj(x1)
    products = x1 * x2
    # the product's dtype, also for integers (uint8 · uint8 is uint8, wrapping as NumPy does)
    return sum(products, axis=axis, dtype=products.dtype)
