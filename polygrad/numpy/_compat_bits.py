"""NumPy's bit packing (packbits, unpackbits), its floating-point error settings (errstate,
seterr, geterr, seterrcall, geterrcall) and ``isfortran``.

The error settings are NumPy's own: they govern the warnings of the backends that compute with
NumPy (numpy, strict); the other backends never warn. Imports the core and the namespace's
category modules (NumPy lazily).
"""

from __future__ import annotations

from typing import Any

from .._backend import use_backend
from . import _elementwise as ew
from . import _manipulation as mp
from . import _statistics as st
from ._creation import arange, zeros
from ._data_types import astype
from ._helpers import as_array

__all__ = ["packbits", "unpackbits", "errstate", "seterr", "geterr", "seterrcall",
           "geterrcall", "isfortran"]


def _shifts(like: Any, bitorder: str, name: str) -> Any:
    if bitorder not in ("big", "little"):
        raise ValueError(f"polygrad.numpy.{name}: bitorder must be 'big' or 'little', got "
                         f"{bitorder!r}")
    with use_backend(like._backend):
        s = arange(8, dtype="uint8")
    return mp.flip(s, axis=0) if bitorder == "big" else s


def unpackbits(a: Any, /, axis: Any = None, count: Any = None, bitorder: str = "big") -> Any:
    """The bits of a uint8 array as a uint8 array of 0s and 1s (8 per element along ``axis``,
    the flattened array when None), the first ``count`` of them when given."""
    a = as_array(a)
    if a.dtype != "uint8":
        raise TypeError(f"polygrad.numpy.unpackbits: expected an input array of unsigned byte "
                        f"data type, got {a.dtype}")
    if axis is None:
        a, axis = mp.reshape(a, (-1,)), 0
    axis %= a.ndim
    bits = ew.bitwise_and(ew.bitwise_right_shift(mp.expand_dims(a, axis=-1),
                                                 _shifts(a, bitorder, "unpackbits")), 1)
    bits = mp.moveaxis(bits, -1, axis + 1)
    shape = a.shape[:axis] + (a.shape[axis] * 8,) + a.shape[axis + 1:]
    out = mp.reshape(bits, shape)
    if count is not None:
        index = (slice(None),) * axis + (slice(0, count) if count >= 0 else slice(0, count),)
        out = out[index]
    return astype(out, "uint8")


def packbits(a: Any, /, axis: Any = None, bitorder: str = "big") -> Any:
    """The truth values of ``a`` packed 8 to a uint8 along ``axis`` (the flattened array when
    None), the last byte padded with zeros."""
    a = as_array(a)
    if a.dtype.kind not in "biu":
        raise TypeError(f"polygrad.numpy.packbits: expected an input array of integer or "
                        f"boolean data type, got {a.dtype}")
    if axis is None:
        a, axis = mp.reshape(a, (-1,)), 0
    axis %= a.ndim
    bits = astype(a != 0, "uint8")
    n = a.shape[axis]
    pad = -n % 8
    if pad:
        with use_backend(a._backend):
            shape = a.shape[:axis] + (pad,) + a.shape[axis + 1:]
            bits = mp.concat([bits, zeros(shape, dtype="uint8")], axis=axis)
    moved = mp.moveaxis(bits, axis, -1)
    grouped = mp.reshape(moved, moved.shape[:-1] + ((n + pad) // 8, 8))
    packed = st.sum(ew.bitwise_left_shift(grouped, _shifts(a, bitorder, "packbits")), axis=-1,
                    dtype="uint8")
    return mp.moveaxis(packed, -1, axis)


class errstate:  # noqa: N801
    """NumPy's ``errstate`` (a context manager and decorator): how the NumPy-computed
    backends report floating-point errors inside the block."""

    def __init__(self, *, call: Any = None, all: Any = None, divide: Any = None,  # noqa: A002
                 over: Any = None, under: Any = None, invalid: Any = None) -> None:
        # function-level: numpy is loaded on first use, not at import time
        import numpy

        kwargs = {k: v for k, v in dict(all=all, divide=divide, over=over, under=under,
                                         invalid=invalid).items() if v is not None}
        if call is not None:
            kwargs["call"] = call
        self._inner = numpy.errstate(**kwargs)

    def __enter__(self) -> None:
        self._inner.__enter__()

    def __exit__(self, *exc: Any) -> None:
        self._inner.__exit__(*exc)

    def __call__(self, func: Any) -> Any:
        return self._inner(func)


def seterr(all: Any = None, divide: Any = None, over: Any = None,  # noqa: A002
           under: Any = None, invalid: Any = None) -> dict:
    """NumPy's ``seterr`` (see ``errstate``); returns the previous settings."""
    # function-level: numpy is loaded on first use, not at import time
    import numpy

    return numpy.seterr(all=all, divide=divide, over=over, under=under, invalid=invalid)


def geterr() -> dict:
    """NumPy's current floating-point error settings."""
    # function-level: numpy is loaded on first use, not at import time
    import numpy

    return numpy.geterr()


def seterrcall(func: Any) -> Any:
    """NumPy's ``seterrcall``: the function called for errors set to 'call'."""
    # function-level: numpy is loaded on first use, not at import time
    import numpy

    return numpy.seterrcall(func)


def geterrcall() -> Any:
    """NumPy's current error callback."""
    # function-level: numpy is loaded on first use, not at import time
    import numpy

    return numpy.geterrcall()


def isfortran(a: Any) -> bool:
    """False: polygrad arrays have no Fortran memory order (backends keep their own layout)."""
    as_array(a)
    return False
