"""Spec rows of the manipulation functions (reshape, permute_dims, concat, flip, roll, ...), the
triangles (tril, triu), and NumPy's shape conveniences (transpose, pad, hstack, split, ...).

Imports polygrad.numpy, NumPy (references) and the suite's spec types.
"""

from __future__ import annotations

import numpy

import polygrad.numpy as np
from polygrad_conformance.specs._helpers import A, Case, Spec

__all__ = ["specs"]

_FC = ("float", "complex")


def _row(name, fn, ref, cases, **kw) -> Spec:
    kw.setdefault("dtypes", _FC)
    return Spec(name, fn, ref, cases, **kw)


def _concat_ref(*xs, axis=0):
    if axis is None:
        return numpy.concatenate([x.reshape(-1) for x in xs])
    return numpy.concatenate(xs, axis=axis)


def _ends(pa):
    return dict(zip(("prepend", "append"), pa))


def _standard() -> list:
    return [
        _row("reshape", np.reshape, numpy.reshape, [
            Case(A((2, 3)), shape=(3, 2)), Case(A((2, 3)), shape=(-1,)),
            Case(A((6,)), shape=(1, 2, 3)), Case(A(()), shape=(1, 1)),
            Case(A((0, 3)), shape=(3, 0))]),
        _row("permute_dims", lambda x, axes: np.permute_dims(x, axes),
             lambda x, axes: numpy.transpose(x, axes), [
                 Case(A((2, 3, 4)), axes=(2, 0, 1)), Case(A((2, 3)), axes=(-1, 0)),
                 Case(A(()), axes=())]),
        _row("broadcast_to", lambda x, shape: np.broadcast_to(x, shape),
             lambda x, shape: numpy.broadcast_to(x, shape), [
                 Case(A((3,)), shape=(2, 3)), Case(A((2, 1)), shape=(2, 4)),
                 Case(A(()), shape=(3,)), Case(A((1, 3)), shape=(0, 3))]),
        _row("concat", lambda *xs, **kw: np.concat(xs, **kw), _concat_ref, [
            Case(A((2, 3)), A((1, 3))), Case(A((2, 3)), A((2, 2)), A((2, 1)), axis=-1),
            Case(A((2, 3)), A((3,)), axis=None), Case(A((0, 3)), A((2, 3)))]),
        _row("flip", np.flip, numpy.flip, [
            Case(A((2, 3))), Case(A((2, 3)), axis=0), Case(A((2, 3, 2)), axis=(0, -1)),
            Case(A((4,)), axis=-1)]),
        _row("roll", lambda x, shift, **kw: np.roll(x, shift, **kw),
             lambda x, shift, **kw: numpy.roll(x, shift, **kw), [
                 Case(A((5,)), shift=2), Case(A((2, 3)), shift=-1, axis=1),
                 Case(A((2, 3)), shift=(1, 2), axis=(0, -1)), Case(A((2, 3)), shift=4)]),
        _row("tril", np.tril, numpy.tril, [
            Case(A((3, 3))), Case(A((3, 4)), k=1), Case(A((2, 3, 3)), k=-1)],
            category="creation"),
        _row("triu", np.triu, numpy.triu, [
            Case(A((3, 3))), Case(A((4, 3)), k=-1), Case(A((2, 3, 3)), k=1)],
            category="creation"),
        # compositions from the standard
        _row("expand_dims", lambda x, axis: np.expand_dims(x, axis),
             lambda x, axis: numpy.expand_dims(x, axis), [
                 Case(A((2, 3)), axis=0), Case(A((2, 3)), axis=-1), Case(A((3,)), axis=(0, 2)),
                 Case(A(()), axis=0)], primitives=("reshape",)),
        _row("squeeze", lambda x, axis: np.squeeze(x, axis),
             lambda x, axis: numpy.squeeze(x, axis), [
                 Case(A((1, 3)), axis=0), Case(A((2, 1, 1)), axis=(-1, 1))],
             primitives=("reshape",)),
        _row("stack", lambda *xs, **kw: np.stack(xs, **kw),
             lambda *xs, **kw: numpy.stack(xs, **kw), [
                 Case(A((3,)), A((3,))), Case(A((2, 3)), A((2, 3)), A((2, 3)), axis=-1),
                 Case(A(()), A(()))], primitives=("concat", "reshape")),
        _row("unstack", np.unstack, lambda x, axis=0: tuple(numpy.moveaxis(x, axis, 0)), [
            Case(A((3, 2))), Case(A((2, 3)), axis=-1)], primitives=("getitem",)),
        _row("moveaxis", lambda x, s, d: np.moveaxis(x, s, d),
             lambda x, s, d: numpy.moveaxis(x, s, d), [
                 Case(A((2, 3, 4)), s=0, d=-1), Case(A((2, 3, 4)), s=(0, 1), d=(2, 0))],
             primitives=("permute_dims",)),
        _row("repeat", lambda x, r, **kw: np.repeat(x, r, **kw),
             lambda x, r, **kw: numpy.repeat(x, r, **kw), [
                 Case(A((2, 3)), r=2), Case(A((2, 3)), r=2, axis=-1),
                 Case(A((3,)), r=(1, 0, 2), axis=0)], primitives=("broadcast_to", "getitem")),
        _row("tile", lambda x, reps: np.tile(x, reps), lambda x, reps: numpy.tile(x, reps), [
            Case(A((2, 3)), reps=(2, 1)), Case(A((3,)), reps=(2, 2))],
            primitives=("broadcast_to", "reshape")),
        _row("broadcast_arrays", lambda *xs: np.broadcast_arrays(*xs),
             lambda *xs: tuple(numpy.broadcast_arrays(*xs)), [
                 Case(A((2, 1)), A((3,))), Case(A(()), A((2, 2)))],
             primitives=("broadcast_to",)),
        _row("meshgrid", lambda *xs, **kw: np.meshgrid(*xs, **kw),
             lambda *xs, **kw: tuple(numpy.meshgrid(*xs, **kw)), [
                 Case(A((3,)), A((2,))), Case(A((3,)), A((2,)), indexing="ij"),
                 Case(A((2,)), A((3,)), A((2,)))], primitives=("broadcast_to",),
             category="creation"),
        _row("diff", lambda x, *pa, **kw: np.diff(x, **_ends(pa), **kw),
             lambda x, *pa, **kw: numpy.diff(x, **_ends(pa), **kw), [
                 Case(A((5,))), Case(A((3, 4)), axis=0), Case(A((3, 5)), n=2),
                 Case(A((3, 4)), A((3, 1)), A((3, 2)), id="prepend-append")],
             primitives=("getitem", "subtract"), category="utility"),
    ]


def _compat() -> list:
    return [
        _row("transpose", np.transpose, numpy.transpose, [
            Case(A((2, 3, 4))), Case(A((2, 3, 4)), axes=(1, 2, 0))],
            primitives=("permute_dims",)),
        _row("swapaxes", np.swapaxes, numpy.swapaxes, [
            Case(A((2, 3, 4)), axis1=0, axis2=-1)], primitives=("permute_dims",)),
        _row("ravel", np.ravel, numpy.ravel, [Case(A((2, 3))), Case(A(()))],
             primitives=("reshape",)),
        _row("rollaxis", np.rollaxis, numpy.rollaxis, [
            Case(A((2, 3, 4)), axis=2), Case(A((2, 3, 4)), axis=0, start=3)],
            primitives=("permute_dims",)),
        _row("atleast_1d", np.atleast_1d, numpy.atleast_1d, [Case(A(())), Case(A((2, 3)))],
             primitives=("reshape",)),
        _row("atleast_2d", np.atleast_2d, numpy.atleast_2d, [Case(A(())), Case(A((3,)))],
             primitives=("reshape",)),
        _row("atleast_3d", np.atleast_3d, numpy.atleast_3d, [
            Case(A(())), Case(A((3,))), Case(A((2, 3)))], primitives=("reshape",)),
        _row("flipud", np.flipud, numpy.flipud, [Case(A((3, 2)))], primitives=("flip",)),
        _row("fliplr", np.fliplr, numpy.fliplr, [Case(A((3, 2)))], primitives=("flip",)),
        _row("rot90", np.rot90, numpy.rot90, [
            Case(A((2, 3))), Case(A((2, 3)), k=2), Case(A((2, 3, 4)), k=3, axes=(1, 2))],
            primitives=("flip", "permute_dims")),
        _row("pad", lambda x, w, **kw: np.pad(x, w, **kw),
             lambda x, w, **kw: numpy.pad(x, w, **kw), [
                 Case(A((3,)), w=2), Case(A((2, 3)), w=((1, 0), (0, 2)), constant_values=1.5),
                 Case(A((4,)), w=(2, 3), mode="reflect"),
                 Case(A((2, 3)), w=1, mode="edge"), Case(A((4,)), w=(1, 2), mode="wrap"),
                 Case(A((4,)), w=2, mode="symmetric")],
             primitives=("concat", "getitem")),
        _row("concatenate", lambda *xs, **kw: np.concatenate(xs, **kw),
             lambda *xs, **kw: numpy.concatenate(xs, **kw), [
                 Case(A((2, 3)), A((1, 3))), Case(A((2, 3)), A((2, 1)), axis=1)],
             primitives=("concat",)),
        _row("hstack", lambda *xs: np.hstack(xs), lambda *xs: numpy.hstack(xs), [
            Case(A((3,)), A((2,))), Case(A((2, 3)), A((2, 1)))], primitives=("concat",)),
        _row("vstack", lambda *xs: np.vstack(xs), lambda *xs: numpy.vstack(xs), [
            Case(A((3,)), A((3,))), Case(A((2, 3)), A((1, 3)))], primitives=("concat",)),
        _row("dstack", lambda *xs: np.dstack(xs), lambda *xs: numpy.dstack(xs), [
            Case(A((3,)), A((3,))), Case(A((2, 3)), A((2, 3)))], primitives=("concat",)),
        _row("column_stack", lambda *xs: np.column_stack(xs),
             lambda *xs: numpy.column_stack(xs), [
                 Case(A((3,)), A((3,))), Case(A((3, 2)), A((3,)))], primitives=("concat",)),
        _row("append", np.append, numpy.append, [
            Case(A((2, 3)), A((3,))), Case(A((2, 3)), A((1, 3)), axis=0)],
            primitives=("concat",)),
        _row("split", lambda x, s, **kw: np.split(x, s, **kw),
             lambda x, s, **kw: tuple(numpy.split(x, s, **kw)), [
                 Case(A((6,)), s=3), Case(A((2, 6)), s=[1, 4], axis=1)],
             primitives=("getitem",)),
        _row("array_split", lambda x, s, **kw: np.array_split(x, s, **kw),
             lambda x, s, **kw: tuple(numpy.array_split(x, s, **kw)), [
                 Case(A((7,)), s=3), Case(A((3, 4)), s=2, axis=0)], primitives=("getitem",)),
        _row("hsplit", lambda x, s: np.hsplit(x, s), lambda x, s: tuple(numpy.hsplit(x, s)), [
            Case(A((2, 4)), s=2)], primitives=("getitem",)),
        _row("vsplit", lambda x, s: np.vsplit(x, s), lambda x, s: tuple(numpy.vsplit(x, s)), [
            Case(A((4, 2)), s=[1])], primitives=("getitem",)),
        _row("dsplit", lambda x, s: np.dsplit(x, s), lambda x, s: tuple(numpy.dsplit(x, s)), [
            Case(A((2, 2, 4)), s=2)], primitives=("getitem",)),
    ]


def specs() -> list:
    return _standard() + _compat()
