"""Spec rows of ``polygrad.scipy.linalg``'s matrix functions: lu (the primitive ``linalg_lu``),
expm (a composition), sqrtm and logm (primitives ``linalg_sqrtm``, ``linalg_logm``); SciPy is the
reference.

Imports polygrad.scipy.linalg, NumPy and the suite's spec types; SciPy lazily.
"""

from __future__ import annotations

import numpy

from polygrad.scipy import linalg as pl
from polygrad_conformance.specs._helpers import A, Case, Spec

__all__ = ["specs"]

_FC = ("float", "complex")


def _sl(name):
    def ref(*args, **kw):
        import scipy.linalg

        return getattr(scipy.linalg, name)(*args, **kw)
    ref.__name__ = name
    return ref


def _lu_ref(x):
    import scipy.linalg

    return tuple(scipy.linalg.lu(x))


def _lu_lu(x):
    _, l, u = pl.lu(x)
    return l, u


def _lu_lu_ref(x):
    return _lu_ref(x)[1:]


def _right_half_plane(rng, shape, c):
    """Non-normal matrices with eigenvalues well inside the right half-plane (a positive-definite
    part plus a small general one): sqrtm and logm are smooth and real there."""
    n = shape[-1]
    a = rng.standard_normal(shape) + (1j * rng.standard_normal(shape) if c else 0)
    spd = a @ numpy.conj(numpy.swapaxes(a, -1, -2)) + n * numpy.eye(n)
    return spd + 0.3 * rng.standard_normal(shape)


def _scaled(scale):
    def domain(rng, shape, c):
        a = rng.standard_normal(shape) + (1j * rng.standard_normal(shape) if c else 0)
        return scale * a
    return domain


def _row(name, fn, ref, cases, **kw) -> Spec:
    return Spec(name, fn, ref, cases, needs=("scipy",), category="scipy.linalg", **kw)


def specs() -> list:
    return [
        _row("linalg_lu", _lu_lu, _lu_lu_ref, [
            Case(A((3, 3), "fullrank")), Case(A((4, 4), "fullrank")),
            Case(A((2, 3, 3), "fullrank")), Case(A((4, 2), "fullrank")),
            Case(A((2, 4), "fullrank"))], dtypes=_FC),
        _row("scipy.linalg.expm", pl.expm, _expm_ref, [
            Case(A((3, 3), _scaled(0.01)), id="degree 3"),
            Case(A((3, 3), _scaled(0.3)), id="degree 7-9"),
            Case(A((3, 3), _scaled(3.0)), id="scaled"),
            Case(A((2, 2, 2), _scaled(0.5)), id="stack")], dtypes=_FC,
            primitives=("matmul", "linalg_solve")),
        _row("linalg_sqrtm", pl.sqrtm, _stacked("sqrtm"), [
            Case(A((3, 3), _right_half_plane)), Case(A((2, 2, 2), _right_half_plane))],
            dtypes=_FC),
        _row("linalg_logm", pl.logm, _stacked("logm"), [
            Case(A((3, 3), _right_half_plane)), Case(A((2, 2, 2), _right_half_plane))],
            dtypes=_FC, primitives=("linalg_logm", "matmul", "linalg_solve")),
    ]


def _stacked(name):
    def ref(x):
        fn = _sl(name)
        if x.ndim == 2:
            return fn(x)
        return numpy.stack([fn(m) for m in x.reshape((-1,) + x.shape[-2:])]).reshape(x.shape)
    return ref


def _expm_ref(x):
    return _stacked("expm")(x)
