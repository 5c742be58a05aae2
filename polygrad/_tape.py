"""The recording tape (MXNet style): record, pause, and the implementations of the
``Array.attach_grad`` and ``Array.backward`` methods (written in the class body, ``_array``).

Imports array, convert, trace, ops (the core's ``zeros_like``, ``ones_like``) and reverse.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from ._array import Array, native_of
from ._backend import use_backend
from ._convert import asarray
from ._ops import ones_like, zeros_like
from ._reverse import TAPE_LEAF, DifferentiationError, RecordTrace, _recording, backward_pass
from ._trace import MixedBackendError, _depth

__all__ = ["record", "pause", "is_recording"]

_GRAD_REQS = ("write", "add", "null")


@contextlib.contextmanager
def record() -> Iterator[None]:
    """Record operations on arrays with ``attach_grad()`` so that ``y.backward()`` works.

    Examples
    --------
    >>> import polygrad as pg, polygrad.numpy as np
    >>> x = np.asarray([1.0, 2.0]); x.attach_grad()
    >>> with pg.record():
    ...     y = 2 * x ** 2
    >>> y.backward(); x.grad.tolist()
    [4.0, 8.0]
    """
    if _recording.get() is not None:   # nested record(): keep recording on the same tape
        yield
        return
    trace = RecordTrace()
    token = _recording.set(trace)
    depth = _depth.set(_depth.get() + 1)
    try:
        yield
    finally:
        trace.active = False
        _depth.reset(depth)
        _recording.reset(token)


@contextlib.contextmanager
def pause() -> Iterator[None]:
    """Inside ``record()``, run a block without recording (``train_mode`` aside, as MXNet)."""
    trace = _recording.get()
    if trace is None:
        yield
        return
    token = _recording.set(None)
    trace.active = False
    try:
        yield
    finally:
        trace.active = True
        _recording.reset(token)


def is_recording() -> bool:
    """Whether operations are being recorded (inside ``record()`` and not ``pause()``)."""
    return _recording.get() is not None


def attach_grad(self: Array, grad_req: str = "write") -> None:
    """``Array.attach_grad``: mark this array as a leaf whose gradient ``backward()`` stores
    in ``.grad``.

    ``grad_req``: ``"write"`` overwrites ``.grad``, ``"add"`` accumulates into it, ``"null"``
    computes nothing for it.
    """
    if grad_req not in _GRAD_REQS:
        raise ValueError(f"Array.attach_grad: grad_req must be one of {_GRAD_REQS}, "
                         f"got {grad_req!r}")
    if self._trace is not None and self._trace is not TAPE_LEAF and self._trace.active:
        raise DifferentiationError("Array.attach_grad: this array is being traced by grad or "
                                   "record; call attach_grad() on a concrete array")
    if not self.dtype.is_floating:
        raise TypeError(f"Array.attach_grad: gradients need a floating dtype; this array has "
                        f"dtype {self.dtype}")
    self._v = native_of(self)
    self._trace = TAPE_LEAF
    self._aux = None
    self._grad_req = grad_req
    self._grad = zeros_like(self) if grad_req != "null" else None


def backward(self: Array, head_grad: Any = None, retain_graph: bool = False) -> None:
    """``Array.backward``: backpropagate from this recorded array to every ``attach_grad()``
    leaf it depends on.

    A non-scalar array is summed (``head_grad`` defaults to ones); ``head_grad`` must have this
    array's shape. Without ``retain_graph=True`` the graph is freed and may not be used again.
    """
    trace = self._trace
    if type(trace) is not RecordTrace:
        raise DifferentiationError(
            "Array.backward: this array was not computed inside pg.record() from arrays with "
            "attach_grad(); record the computation first")
    value = self._v
    if head_grad is None:
        head_grad = ones_like(value)
    else:
        with use_backend(value._backend):   # host data goes where this array lives
            head_grad = asarray(head_grad)
        node = self._aux
        made_by = "" if node.prim is None else f" (the output of {node.prim.name})"
        if head_grad._backend is not value._backend:
            raise MixedBackendError(
                f"Array.backward: head_grad lives on {head_grad._backend.spec!r} but this "
                f"array{made_by} on {value._backend.spec!r}; move it with "
                f"head_grad.to_backend({value._backend.spec!r})")
        if head_grad.shape != value.shape:
            raise ValueError(f"Array.backward: head_grad has shape {head_grad.shape} but this "
                             f"array{made_by} has shape {value.shape}; pass a head_grad of "
                             f"that shape, or None for ones")
    leaves = backward_pass([(self._aux, head_grad)], retain=retain_graph)
    for node, g in leaves.items():
        ref = node.leaf
        leaf = None if ref is None else ref()
        if leaf is None or g is None:
            continue
        req = leaf._grad_req
        if g.dtype != leaf.dtype:
            g = g.astype(leaf.dtype)
        if req == "write":
            leaf._grad = g
        elif req == "add":
            leaf._grad = g if leaf._grad is None else leaf._grad + g


