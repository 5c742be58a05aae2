"""NumPy's products beyond the standard: dot, inner, outer, kron, cross, diag, trace, einsum.

Compositions of the standard's functions, differentiable to any order without rules of their
own. Imports the core, the namespace's category modules and the compat helpers.
"""

from __future__ import annotations

import builtins
import math
from typing import Any

from .._backend import use_backend
from . import _elementwise as ew
from . import _manipulation as mp
from . import _statistics as st
from ._compat_helpers import _indices
from ._creation import eye, zeros
from ._data_types import astype
from ._helpers import Array, as_array, into
from ._linear_algebra import matmul, tensordot

__all__ = ["dot", "inner", "outer", "einsum", "kron", "cross", "diag", "diagonal", "trace"]


# -- products -----------------------------------------------------------------------------------
def dot(a: Any, b: Any, out: Any = None) -> Any:
    """NumPy's ``dot``: matmul for 1-D and 2-D operands, a product for 0-d, and the sum over the
    last axis of ``a`` and the second-to-last of ``b`` otherwise."""
    if out is not None:
        return into(out, dot(a, b), "dot")
    a, b = as_array(a), as_array(b)
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    if a.ndim <= 2 and b.ndim <= 2:
        return matmul(a, b)
    return tensordot(a, b, axes=((a.ndim - 1,), (builtins.max(b.ndim - 2, 0),)))


def inner(a: Any, b: Any, /) -> Any:
    """NumPy's ``inner``: the sum over the last axes of ``a`` and ``b``."""
    a, b = as_array(a), as_array(b)
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    return tensordot(a, b, axes=((a.ndim - 1,), (b.ndim - 1,)))


def outer(a: Any, b: Any, out: Any = None) -> Any:
    """The outer product of two vectors (inputs are flattened)."""
    res = mp.reshape(as_array(a), (-1, 1)) * mp.reshape(as_array(b), (1, -1))
    return into(out, res, "outer")


def kron(a: Any, b: Any) -> Any:
    """The Kronecker product: blocks ``a[i, j] * b``, for any number of dimensions."""
    a, b = as_array(a), as_array(b)
    n = builtins.max(a.ndim, b.ndim)
    sa = (1,) * (n - a.ndim) + a.shape
    sb = (1,) * (n - b.ndim) + b.shape
    # interleave the axes: a on even positions, b on odd ones, then merge each pair
    a = mp.reshape(a, tuple(d for s in sa for d in (s, 1)))
    b = mp.reshape(b, tuple(d for s in sb for d in (1, s)))
    return mp.reshape(a * b, tuple(p * q for p, q in zip(sa, sb)))


def cross(a: Any, b: Any, axisa: int = -1, axisb: int = -1, axisc: int = -1,
          axis: int | None = None) -> Any:
    """The cross product of 3-vectors (or 2-vectors, whose z components are taken as 0)."""
    if axis is not None:
        axisa = axisb = axisc = axis
    a = mp.moveaxis(as_array(a), axisa, -1)
    b = mp.moveaxis(as_array(b), axisb, -1)
    if a.shape[-1] not in (2, 3) or b.shape[-1] not in (2, 3):
        raise ValueError("polygrad.numpy.cross: vectors must have 2 or 3 components")
    if a.shape[-1] == 2 and b.shape[-1] == 2:
        return a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]
    a0, a1, a2 = _components(a)
    b0, b1, b2 = _components(b)
    out = mp.stack(mp.broadcast_arrays(a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0),
                   axis=-1)
    return mp.moveaxis(out, -1, axisc)


def _components(v: Array) -> tuple:
    """x, y, z of 3-vectors along the last axis; a 2-vector's z is 0."""
    x, y = v[..., 0], v[..., 1]
    return x, y, (v[..., 2] if v.shape[-1] == 3 else 0.0 * x)


def _diagonal_index(n: int, m: int, offset: int) -> tuple[range, range]:
    if offset >= 0:
        length = builtins.max(0, builtins.min(n, m - offset))
        return range(length), range(offset, offset + length)
    length = builtins.max(0, builtins.min(n + offset, m))
    return range(-offset, -offset + length), range(length)


def diagonal(a: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Any:
    """The ``offset`` diagonal of the planes (axis1, axis2), as the last axis of the result."""
    a = as_array(a)
    if a.ndim < 2:
        raise ValueError("polygrad.numpy.diagonal: needs at least 2 dimensions")
    a = mp.moveaxis(a, (axis1, axis2), (-2, -1))
    rows, cols = _diagonal_index(a.shape[-2], a.shape[-1], offset)
    return a[..., _indices(rows, a), _indices(cols, a)]


def diag(v: Any, k: int = 0) -> Any:
    """A 2-D array with 1-D ``v`` on its ``k``-th diagonal, or the ``k``-th diagonal of 2-D
    ``v``."""
    v = as_array(v)
    if v.ndim == 2:
        return diagonal(v, k)
    if v.ndim != 1:
        raise ValueError("polygrad.numpy.diag: input must be 1-D or 2-D")
    n = v.shape[0] + abs(k)
    with use_backend(v._backend):
        pad_ = zeros((abs(k),), dtype=v.dtype)
        mask = ew.not_equal(eye(n, k=k), 0)
    # out[i, j] = w[j] on the diagonal j = i + k, where w is v shifted into column position
    w = mp.concat([pad_, v] if k >= 0 else [v, pad_], axis=0)
    return ew.where(mask, mp.reshape(w, (1, n)), 0.0)


def trace(a: Any, offset: int = 0, axis1: int = 0, axis2: int = 1, dtype: Any = None,
          out: Any = None) -> Any:
    """The sum along the ``offset`` diagonal of the planes (axis1, axis2)."""
    return st.sum(diagonal(a, offset, axis1, axis2), axis=-1, dtype=dtype, out=out)


# -- einsum: labels parsed on the host, then diagonals, sums, tensordot/matmul and a permute ---
_ELLIPSIS_LABELS = "".join(chr(0x2460 + i) for i in range(64))   # never valid user labels


def _interleaved(args: tuple) -> tuple[str, tuple]:
    """einsum(op0, sublist0, op1, sublist1, ..., [out]) → a subscripts string and operands."""
    def letters(sub):
        out = []
        for s in sub:
            if s is Ellipsis:
                out.append("...")
            elif isinstance(s, int) and 0 <= s < 52:
                out.append(chr(ord("a") + s) if s < 26 else chr(ord("A") + s - 26))
            else:
                raise ValueError(f"polygrad.numpy.einsum: sublist entries must be ints in "
                                 f"[0, 52) or Ellipsis, got {s!r}")
        return "".join(out)

    ops, subs = args[0::2], args[1::2]
    out = None
    if len(args) % 2:
        ops, subs, out = args[:-1][0::2], args[:-1][1::2], args[-1]
    spec = ",".join(letters(s) for s in subs)
    return (spec if out is None else spec + "->" + letters(out)), ops


def _parse_einsum(subscripts: str, ndims: list[int]) -> tuple[list[str], str]:
    spec = subscripts.replace(" ", "")
    lhs, arrow, out = spec.partition("->")
    terms = lhs.split(",")
    if len(terms) != len(ndims):
        raise ValueError(f"polygrad.numpy.einsum: {len(terms)} operand subscript(s) in "
                         f"{subscripts!r} for {len(ndims)} operand(s)")
    n_ell = []
    for term, nd in zip(terms, ndims):
        named = len(term) - (3 if "..." in term else 0)
        if not (named <= nd if "..." in term else named == nd):
            raise ValueError(f"polygrad.numpy.einsum: subscripts {term!r} do not fit an "
                             f"operand with {nd} dimension(s)")
        n_ell.append(nd - named if "..." in term else 0)
    width = builtins.max(n_ell, default=0)
    ell = _ELLIPSIS_LABELS[:width]
    inputs = [t.replace("...", ell[width - k:]) for t, k in zip(terms, n_ell)]
    for t in terms + [out]:
        bad = set(t.replace("...", "")) - set("abcdefghijklmnopqrstuvwxyz"
                                              "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        if bad:
            raise ValueError(f"polygrad.numpy.einsum: invalid subscript(s) {sorted(bad)} in "
                             f"{subscripts!r}")
    if not arrow:
        counts = "".join(terms)
        out = ell + "".join(sorted(c for c in set(counts) if c != "." and counts.count(c) == 1))
    elif "..." in out:
        out = out.replace("...", ell)
    elif width:
        raise ValueError("polygrad.numpy.einsum: operands have broadcast ('...') dimensions but "
                         "the output subscripts have no '...'")
    if len(set(out)) != len(out) or not set(out) <= set("".join(inputs)):
        raise ValueError(f"polygrad.numpy.einsum: output subscripts of {subscripts!r} must be "
                         f"distinct and appear in the inputs")
    return inputs, out


def _take_diagonals(x: Array, labels: str) -> tuple[Array, str]:
    """Replace each repeated label by one axis holding the diagonal ('ii' → 'i')."""
    while len(set(labels)) != len(labels):
        c = next(c for c in labels if labels.count(c) > 1)
        p = labels.index(c)
        q = labels.index(c, p + 1)
        x = mp.moveaxis(x, (p, q), (-2, -1))
        labels = "".join(lab for i, lab in enumerate(labels) if i not in (p, q)) + c
        if x.shape[-2] != x.shape[-1]:
            raise ValueError(f"polygrad.numpy.einsum: repeated subscript {c!r} on axes of "
                             f"lengths {x.shape[-2]} and {x.shape[-1]}")
        x = diagonal(x, 0, -2, -1)
    return x, labels


def _sum_labels(x: Array, labels: str, drop: set) -> tuple[Array, str]:
    axes = tuple(i for i, c in enumerate(labels) if c in drop)
    if not axes:
        return x, labels
    return st.sum(x, axis=axes), "".join(c for c in labels if c not in drop)


def _contract(a: Array, la: str, b: Array, lb: str, keep: set) -> tuple[Array, str]:
    """Contract two operands over their shared labels not in ``keep``; shared labels in
    ``keep`` are batch axes (matmul), the others free axes."""
    shared = [c for c in la if c in lb]
    batch = [c for c in shared if c in keep]
    summed = [c for c in shared if c not in keep]
    if not batch:
        out = tensordot(a, b, axes=(tuple(la.index(c) for c in summed),
                                    tuple(lb.index(c) for c in summed)))
        return out, "".join(c for c in la if c not in shared) + "".join(
            c for c in lb if c not in shared)
    free_a = [c for c in la if c not in shared]
    free_b = [c for c in lb if c not in shared]
    size = dict(zip(la, a.shape)) | dict(zip(lb, b.shape))

    def prod(cs):
        return math.prod(size[c] for c in cs)

    a = mp.permute_dims(a, tuple(la.index(c) for c in batch + free_a + summed))
    b = mp.permute_dims(b, tuple(lb.index(c) for c in batch + summed + free_b))
    a = mp.reshape(a, (prod(batch), prod(free_a), prod(summed)))
    b = mp.reshape(b, (prod(batch), prod(summed), prod(free_b)))
    out = mp.reshape(matmul(a, b), tuple(size[c] for c in batch + free_a + free_b))
    return out, "".join(batch + free_a + free_b)


def einsum(*operands: Any, optimize: Any = False, dtype: Any = None) -> Any:
    """Einstein summation: ``einsum("ij,jk->ik", a, b)``; implicit outputs (``"ij,jk"``),
    ``...`` broadcasting, repeated labels (diagonals) and the interleaved form
    ``einsum(a, [0, 1], b, [1, 2], [0, 2])``. Built from diagonals, sums, tensordot and matmul,
    contracting left to right (``optimize`` is accepted and ignored).

    Examples
    --------
    >>> import polygrad.numpy as np
    >>> np.einsum("ii", np.asarray([[1.0, 2.0], [3.0, 4.0]])).tolist()
    5.0
    """
    if not operands:
        raise ValueError("polygrad.numpy.einsum: needs subscripts and operands")
    if isinstance(operands[0], str):
        subscripts, ops = operands[0], operands[1:]
    else:
        subscripts, ops = _interleaved(operands)
    ops = [as_array(o) if dtype is None else astype(as_array(o), dtype) for o in ops]
    inputs, out = _parse_einsum(subscripts, [o.ndim for o in ops])
    ops, inputs = map(list, zip(*(_take_diagonals(o, t) for o, t in zip(ops, inputs))))
    _broadcast_labels(ops, inputs)
    for i in range(len(ops)):
        elsewhere = set(out).union(*(t for j, t in enumerate(inputs) if j != i))
        ops[i], inputs[i] = _sum_labels(ops[i], inputs[i], set(inputs[i]) - elsewhere)
    x, labels = ops[0], inputs[0]
    for i in range(1, len(ops)):
        keep = set(out).union(*inputs[i + 1:])
        x, labels = _sum_labels(x, labels, set(labels) - keep - set(inputs[i]))
        x, labels = _contract(x, labels, ops[i], inputs[i], keep)
    x, labels = _sum_labels(x, labels, set(labels) - set(out))
    return mp.permute_dims(x, tuple(labels.index(c) for c in out)) if labels != out else x


def _broadcast_labels(ops: list, inputs: list) -> None:
    """Broadcast length-1 axes to the length the same label has elsewhere (``...`` axes)."""
    size: dict[str, int] = {}
    for o, t in zip(ops, inputs):
        for c, d in zip(t, o.shape):
            if size.get(c, 1) not in (1, d) and d != 1:
                raise ValueError(f"polygrad.numpy.einsum: subscript {c!r} has lengths "
                                 f"{size[c]} and {d}")
            if c not in size or size[c] == 1:
                size[c] = d
    for i, (o, t) in enumerate(zip(ops, inputs)):
        want = tuple(size[c] for c in t)
        if o.shape != want:
            ops[i] = mp.broadcast_to(o, want)
