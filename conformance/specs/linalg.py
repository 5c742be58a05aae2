"""Spec rows of linear algebra: matmul, tensordot, vecdot and the ``linalg`` extension
(decompositions on matrices where their derivatives exist: SPD for cholesky, distinct
eigenvalues for eigh and eig, distinct singular values for svd, well conditioned for solve,
inv, det; det at singular matrices too), plus NumPy's products (dot, inner, outer, einsum,
kron, cross, diag, trace).

Sign and phase conventions of eigenvectors and singular vectors are the backend's choice, so
those rows check invariant functions of them (``|v|²``, projectors, QR with a positive
diagonal). Imports polygrad (grad, for the row of det's gradient), polygrad.numpy, NumPy
(references) and the suite's spec types.
"""

from __future__ import annotations

import math

import numpy

import polygrad as pg
import polygrad.numpy as np
from polygrad_conformance.specs._helpers import A, Case, Spec

__all__ = ["specs"]

_FC = ("float", "complex")
LA = "linear algebra"


def _sq(xp, v):
    """|v|² element-wise (real): invariant to the signs and phases a backend chooses."""
    return xp.real(v * xp.conj(v))


def _mt(xp, a):
    return numpy.swapaxes(a, -1, -2) if xp is numpy else np.matrix_transpose(a)


# -- det's gradient: the transposed adjugate, through the adjugate's own rules ---------------------
def _det_gradient(x):
    return pg.grad(lambda y: np.sum(np.linalg.det(y)))(x)


def _adjugate_t(a):
    """The cofactor matrix (adj(a)ᵀ) from the minors, exact at singular matrices too."""
    out = numpy.empty_like(a)
    n = a.shape[-1]
    for idx in numpy.ndindex(*a.shape[:-2]):
        m = a[idx]
        for i in range(n):
            for j in range(n):
                minor = numpy.delete(numpy.delete(m, i, axis=0), j, axis=1)
                out[idx + (i, j)] = (-1) ** (i + j) * (numpy.linalg.det(minor) if n > 1 else 1.0)
    return out


# -- decompositions as invariant functions -------------------------------------------------------
def _eigh(xp):
    def f(x):
        w, v = xp.linalg.eigh(x)
        return w, _sq(xp, v)
    return f


def _eig(xp):
    def f(x):
        w, v = xp.linalg.eig(x)
        # power sums of the eigenvalues and Σ_j |v_ij|² w_j: invariant to the order and the
        # phases the backend chooses
        power = xp.stack([xp.sum(w, axis=-1), xp.sum(w * w, axis=-1)], axis=-1)
        return power, xp.sum(_sq(xp, v) * w[..., None, :], axis=-1)
    return f


def _eigvals(xp):
    def f(x):
        w = xp.linalg.eigvals(x)
        return xp.stack([xp.sum(w, axis=-1), xp.sum(w * w * w, axis=-1)], axis=-1)
    return f


def _svd(xp):
    def f(x, full_matrices=True):
        u, s, vh = xp.linalg.svd(x, full_matrices=full_matrices)
        k = s.shape[-1]
        out = [s, _sq(xp, u[..., :, :k]), _sq(xp, vh[..., :k, :])]
        for extra in (u[..., :, k:], _mt(xp, vh[..., k:, :])):
            if extra.shape[-1]:   # the complement is defined up to a rotation: its projector
                out.append(extra @ xp.conj(_mt(xp, extra)))
        return tuple(out)
    return f


def _qr(xp):
    def f(x, mode="reduced"):
        q, r = xp.linalg.qr(x, mode=mode)
        k = min(x.shape[-2:])
        d = numpy.diagonal(r, axis1=-2, axis2=-1) if xp is numpy else np.linalg.diagonal(r)
        d = d[..., :k]
        phase = d / xp.abs(d)   # a positive diagonal in R: the unique QR
        out = [q[..., :, :k] * xp.conj(phase)[..., None, :], r[..., :k, :] * phase[..., :, None]]
        if q.shape[-1] > k:
            q2 = q[..., :, k:]
            out.append(q2 @ xp.conj(_mt(xp, q2)))
        return tuple(out)
    return f


def _cholesky(xp):
    def f(x, upper=False):
        if xp is not numpy:
            return np.linalg.cholesky(x, upper=upper)
        l = numpy.linalg.cholesky(x)
        return numpy.conj(numpy.swapaxes(l, -1, -2)) if upper else l
    return f


def _rank_deficient(rng, shape, c):
    """Matrices of rank 2 with small integer entries (exact in every precision)."""
    a = rng.integers(-3, 4, shape[:-1] + (2,))
    b = rng.integers(-3, 4, shape[:-2] + (2, shape[-1]))
    return (a @ b).astype(float)


# -- rows ---------------------------------------------------------------------------------------
def _main_namespace() -> list:
    return [
        Spec("matmul", np.matmul, numpy.matmul, [
            Case(A((3,)), A((3,))), Case(A((2, 3)), A((3,))), Case(A((3,)), A((3, 2))),
            Case(A((2, 3)), A((3, 4))), Case(A((2, 2, 3)), A((1, 3, 2))),
            Case(A((2, 1, 2, 3)), A((3, 3, 2))), Case(A((0, 3)), A((3, 2)))],
            dtypes=_FC, category=LA),
        Spec("tensordot", lambda a, b, **kw: np.tensordot(a, b, **kw),
             lambda a, b, **kw: numpy.tensordot(a, b, **kw), [
                 Case(A((2, 3, 4)), A((3, 4, 2))), Case(A((2, 3)), A((3, 2)), axes=1),
                 Case(A((3, 2)), A((2, 3)), axes=((0,), (1,))),
                 Case(A((2, 3, 4)), A((4, 2)), axes=((-1, 0), (0, 1))),
                 Case(A((2,)), A((3,)), axes=0)], dtypes=_FC, covers=("linalg.tensordot",),
             category=LA),
        Spec("vecdot", np.vecdot, lambda a, b, axis=-1: numpy.sum(numpy.conj(a) * b, axis=axis),
             [Case(A((3,)), A((3,))), Case(A((2, 3)), A((3,))),
              Case(A((3, 2)), A((3, 2)), axis=0)], dtypes=_FC,
             primitives=("multiply", "sum", "conj"), category=LA),
        Spec("matrix_transpose", np.matrix_transpose, lambda a: numpy.swapaxes(a, -1, -2),
             [Case(A((2, 3))), Case(A((2, 3, 4)))], dtypes=_FC, primitives=("permute_dims",),
             category=LA),
    ]


def _decompositions() -> list:
    return [
        Spec("linalg_solve", np.linalg.solve, numpy.linalg.solve, [
            Case(A((3, 3), "wellcond"), A((3, 2))),
            Case(A((2, 3, 3), "wellcond"), A((2, 3, 1))),
            Case(A((3, 3), "wellcond"), A((2, 3, 2)), id="broadcast-batch"),
            Case(A((1, 1), "wellcond"), A((1, 3)))], dtypes=_FC, covers=("linalg.solve",),
            category=LA),
        Spec("linalg.solve(vector)", np.linalg.solve,
             lambda a, b: numpy.linalg.solve(a, b[..., None])[..., 0],
             [Case(A((3, 3), "wellcond"), A((3,)))], dtypes=_FC,
             primitives=("linalg_solve",), category=LA),
        Spec("linalg.inv", np.linalg.inv, numpy.linalg.inv, [
            Case(A((3, 3), "wellcond")), Case(A((2, 2, 2), "wellcond")),
            Case(A((1, 1), "wellcond"))], dtypes=_FC, primitives=("linalg_solve",),
            category=LA),
        Spec("linalg_det", np.linalg.det, numpy.linalg.det, [
            Case(A((3, 3), "wellcond")), Case(A((2, 2, 2), "wellcond")),
            Case(A((1, 1), "wellcond"))], dtypes=_FC, covers=("linalg.det",), category=LA),
        # at a singular matrix det's value is rounding noise (≈ 1e-16, differing by backend):
        # no value check; the derivatives (the adjugate) are checked
        Spec("linalg.det(singular)", np.linalg.det, None, [
            Case(A((3, 3), "singular")), Case(A((2, 2, 2), "singular"))], dtypes=_FC,
            primitives=("linalg_det", "linalg_adjugate"), category=LA),
        Spec("linalg.det(gradient)", _det_gradient, _adjugate_t, [
            Case(A((3, 3), "singular")), Case(A((2, 3, 3), "wellcond")),
            Case(A((1, 1), "wellcond"))], primitives=("linalg_adjugate",),
             covers=("linalg_adjugate",), category=LA),
        Spec("linalg_slogdet", lambda x: tuple(np.linalg.slogdet(x)),
             lambda x: tuple(numpy.linalg.slogdet(x)), [
                 Case(A((3, 3), "wellcond")), Case(A((2, 2, 2), "wellcond"))],
             dtypes=_FC, covers=("linalg.slogdet",), category=LA),
        Spec("linalg_cholesky", _cholesky(np), _cholesky(numpy), [
            Case(A((3, 3), "spd")), Case(A((2, 2, 2), "spd")), Case(A((3, 3), "spd"), upper=True),
            Case(A((1, 1), "spd"))], dtypes=_FC,
            covers=("linalg.cholesky",), category=LA),
        Spec("linalg_eigh", _eigh(np), _eigh(numpy), [
            Case(A((3, 3), "symmetric")), Case(A((2, 2, 2), "symmetric")),
            Case(A((1, 1), "symmetric"))], dtypes=_FC, covers=("linalg.eigh",), category=LA),
        Spec("linalg.eigvalsh", np.linalg.eigvalsh, numpy.linalg.eigvalsh, [
            Case(A((3, 3), "symmetric")), Case(A((2, 3, 3), "symmetric"))], dtypes=_FC,
            primitives=("linalg_eigh",), category=LA),
        Spec("linalg_eig", _eig(np), _eig(numpy), [
            Case(A((3, 3), "diagonalizable")), Case(A((2, 2, 2), "diagonalizable"))],
            dtypes=_FC, covers=("linalg.eig",), category=LA),
        Spec("linalg.eigvals", _eigvals(np), _eigvals(numpy), [
            Case(A((3, 3), "diagonalizable"))], dtypes=_FC, primitives=("linalg_eig",),
            category=LA),
        Spec("linalg_svd", _svd(np), _svd(numpy), [
            Case(A((4, 3), "fullrank"), full_matrices=False),
            Case(A((3, 4), "fullrank"), full_matrices=False),
            Case(A((2, 3, 3), "fullrank")),
            Case(A((4, 3), "fullrank"), full_matrices=True),
            Case(A((2, 4), "fullrank"), full_matrices=True)], dtypes=_FC,
            covers=("linalg.svd",), category=LA),
        Spec("linalg.svdvals", np.linalg.svdvals, lambda x: numpy.linalg.svd(x, compute_uv=False),
             [Case(A((4, 3), "fullrank")), Case(A((2, 3, 3), "fullrank"))], dtypes=_FC,
             primitives=("linalg_svd",), category=LA),
        Spec("linalg_qr", _qr(np), _qr(numpy), [
            Case(A((3, 3), "fullrank")), Case(A((4, 3), "fullrank")),
            Case(A((2, 3, 2), "fullrank")), Case(A((4, 2), "fullrank"), mode="complete")],
            dtypes=_FC, covers=("linalg.qr",), category=LA),
        Spec("linalg_pinv", np.linalg.pinv, numpy.linalg.pinv, [
            Case(A((4, 3), "fullrank")), Case(A((3, 4), "fullrank")),
            Case(A((2, 3, 3), "fullrank"))], dtypes=_FC,
            covers=("linalg.pinv",), category=LA),
        Spec("linalg_matrix_rank", np.linalg.matrix_rank, numpy.linalg.matrix_rank, [
            Case(A((3, 3), _rank_deficient)), Case(A((4, 3), "fullrank")),
            Case(A((2, 4, 4), _rank_deficient))], nondiff=True,
            covers=("linalg.matrix_rank",), category=LA),
    ]


def _vector_norm_ref(x, axis=None, keepdims=False, ord=2):  # noqa: A002
    if axis is None:
        out = numpy.linalg.norm(x.reshape(-1), ord=ord)
        return numpy.reshape(out, (1,) * x.ndim) if keepdims else out
    if isinstance(axis, tuple):
        keep = numpy.moveaxis(x, axis, tuple(range(-len(axis), 0)))
        flat = keep.reshape(keep.shape[:-len(axis)] + (-1,))
        out = numpy.linalg.norm(flat, ord=ord, axis=-1)
        if keepdims:
            out = numpy.expand_dims(out, tuple(a % x.ndim for a in axis))
        return out
    return numpy.linalg.norm(x, ord=ord, axis=axis, keepdims=keepdims)


def _matrix_norm_ref(x, keepdims=False, ord="fro"):  # noqa: A002
    return numpy.linalg.norm(x, ord=ord, axis=(-2, -1), keepdims=keepdims)


def _compositions() -> list:
    norms = [Case(A((3, 4), "fullrank"), ord=o, id=f"ord={o}")
             for o in ("fro", "nuc", 1, -1, 2, -2, math.inf, -math.inf)]
    return [
        Spec("linalg.cross", np.linalg.cross, numpy.cross, [
            Case(A((3,)), A((3,))), Case(A((2, 3)), A((3,))),
            Case(A((3, 2)), A((3, 2)), axis=0)], dtypes=_FC, primitives=("getitem",),
            category=LA),
        Spec("linalg.diagonal", np.linalg.diagonal,
             lambda x, offset=0: numpy.diagonal(x, offset, -2, -1), [
                 Case(A((3, 3))), Case(A((2, 3, 4)), offset=1), Case(A((3, 4)), offset=-1)],
             dtypes=_FC, primitives=("getitem",), category=LA),
        Spec("linalg.trace", np.linalg.trace,
             lambda x, offset=0: numpy.trace(x, offset, -2, -1), [
                 Case(A((3, 3))), Case(A((2, 3, 4)), offset=1)], dtypes=_FC,
             primitives=("getitem", "sum"), category=LA),
        Spec("linalg.outer", np.linalg.outer, numpy.outer, [Case(A((3,)), A((2,)))],
             dtypes=_FC, primitives=("multiply",), category=LA),
        Spec("linalg.matrix_power", lambda x, n: np.linalg.matrix_power(x, n),
             lambda x, n: numpy.linalg.matrix_power(x, n), [
                 Case(A((3, 3), "wellcond"), n=3), Case(A((2, 2, 2), "wellcond"), n=-2),
                 Case(A((3, 3), "wellcond"), n=0), Case(A((3, 3), "wellcond"), n=1)],
             dtypes=_FC, primitives=("matmul", "linalg_solve"), category=LA),
        Spec("linalg.vector_norm", np.linalg.vector_norm, _vector_norm_ref, [
            Case(A((3, 4))), Case(A((3, 4)), axis=1, keepdims=True),
            Case(A((3, 4), "distinct"), axis=0, ord=math.inf),
            Case(A((5,), "distinct"), ord=-math.inf), Case(A((5,), "nonzero"), ord=1),
            Case(A((5,), "nonzero"), ord=3), Case(A((2, 3), "nonzero"), axis=(0, 1), ord=0.5),
            Case(A((4,), values=[0.0, 0.0, 0.0, 0.0]), id="zero", order=1,
                 vjp_ref=lambda x, v: (numpy.zeros_like(x),))],
            dtypes=_FC, primitives=("abs", "sum", "sqrt"), category=LA),
        Spec("linalg.matrix_norm", np.linalg.matrix_norm, _matrix_norm_ref,
             norms + [Case(A((2, 3, 3), "fullrank"), keepdims=True)], dtypes=_FC,
             primitives=("abs", "sum", "max", "linalg_svd"), category=LA),
        Spec("linalg.norm", np.linalg.norm, numpy.linalg.norm, [
            Case(A((5,))), Case(A((3, 4)), ord="fro"), Case(A((3, 4), "fullrank"), ord=2),
            Case(A((3, 4)), axis=1), Case(A((2, 3, 4)), axis=(0, 2), keepdims=True),
            Case(A((3, 4), "nonzero"), ord=1, axis=0)], dtypes=_FC,
            primitives=("abs", "sum", "sqrt"), category=LA),
    ]


def _numpy_products() -> list:
    return [
        Spec("dot", np.dot, numpy.dot, [
            Case(A((3,)), A((3,))), Case(A((2, 3)), A((3, 2))), Case(A(()), A((2,))),
            Case(A((2, 2, 3)), A((3, 2)))], dtypes=_FC, primitives=("matmul", "tensordot"),
            category=LA),
        Spec("inner", np.inner, numpy.inner, [
            Case(A((3,)), A((3,))), Case(A((2, 3)), A((4, 3)))], dtypes=_FC,
            primitives=("tensordot",), category=LA),
        Spec("outer", np.outer, numpy.outer, [Case(A((3,)), A((2,))), Case(A((2, 2)), A((3,)))],
             dtypes=_FC, primitives=("multiply",), category=LA),
        Spec("einsum", lambda *xs, sub: np.einsum(sub, *xs),
             lambda *xs, sub: numpy.einsum(sub, *xs), [
                 Case(A((2, 3)), A((3, 4)), sub="ij,jk->ik"), Case(A((3, 3)), sub="ii->"),
                 Case(A((2, 3)), A((2, 3)), sub="ij,ij->i"), Case(A((3,)), A((2,)), sub="i,j"),
                 Case(A((2, 3, 4)), sub="abc->cb"),
                 Case(A((2, 3)), A((3,)), A((3, 4)), sub="ij,j,jk->ik")],
             dtypes=_FC, primitives=("tensordot", "multiply", "sum"), category=LA),
        Spec("kron", np.kron, numpy.kron, [Case(A((2,)), A((3,))), Case(A((2, 2)), A((2, 3)))],
             dtypes=_FC, primitives=("multiply", "reshape"), category=LA),
        Spec("cross", np.cross, numpy.cross, [
            Case(A((3,)), A((3,))), Case(A((2, 3)), A((2, 3))),
            Case(A((3, 2)), A((3, 2)), axisa=0, axisb=0, axisc=0)],
            dtypes=_FC, primitives=("multiply", "getitem"), category=LA),
        Spec("diag", np.diag, numpy.diag, [
            Case(A((3,))), Case(A((3, 3))), Case(A((3,)), k=1), Case(A((3, 4)), k=-1)],
            dtypes=_FC, primitives=("getitem",), category=LA),
        Spec("diagonal", np.diagonal, numpy.diagonal, [
            Case(A((3, 3))), Case(A((2, 3, 4)), offset=1, axis1=1, axis2=2)], dtypes=_FC,
            primitives=("getitem",), category=LA),
        Spec("trace", np.trace, numpy.trace, [Case(A((3, 3))), Case(A((3, 4)), offset=1)],
             dtypes=_FC, primitives=("getitem", "sum"), category=LA),
    ]


def specs() -> list:
    return _main_namespace() + _decompositions() + _compositions() + _numpy_products()
