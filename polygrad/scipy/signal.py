"""``polygrad.scipy.signal``: n-dimensional ``convolve``, ``correlate``, ``convolve2d`` and
``fftconvolve`` with SciPy's signatures and modes (``full``, ``same``, ``valid``), differentiable
in both inputs on every backend.

The direct method sums shifted copies of the padded first input, one per element of the second
(so its cost grows with the second input's size, and small kernels are cheap); ``fftconvolve``
multiplies real or complex FFTs. Imports ``polygrad.numpy``.
"""

from __future__ import annotations

import itertools
from typing import Any

from .. import numpy as np
from .._array import Array

__all__ = ["convolve", "correlate", "convolve2d", "correlate2d", "fftconvolve"]

_MODES = ("full", "same", "valid")
_DIRECT_LIMIT = 512     # method="auto": direct below this many elements in the smaller input


def _inputs(in1: Any, in2: Any, fname: str, mode: str) -> tuple[Array, Array]:
    if mode not in _MODES:
        raise ValueError(f"polygrad.scipy.signal.{fname}: mode must be 'full', 'same' or 'valid', "
                         f"got {mode!r}")
    in1, in2 = np.asarray(in1), np.asarray(in2)
    if in1.ndim != in2.ndim:
        raise ValueError(f"polygrad.scipy.signal.{fname}: in1 and in2 must have the same number "
                         f"of dimensions, got {in1.ndim} and {in2.ndim}")
    if in1.size == 0 or in2.size == 0:
        raise ValueError(f"polygrad.scipy.signal.{fname}: inputs cannot be empty")
    return in1, in2


def _swap_for_valid(in1: Array, in2: Array, fname: str) -> bool:
    """Whether SciPy's 'valid' mode swaps the inputs (in2 at least as large everywhere)."""
    if all(a >= b for a, b in zip(in1.shape, in2.shape)):
        return False
    if all(b >= a for a, b in zip(in1.shape, in2.shape)):
        return True
    raise ValueError(f"polygrad.scipy.signal.{fname}: for 'valid' mode one input must be at "
                     f"least as large as the other in every dimension")


def _crop(full: Array, s1: tuple, s2: tuple, mode: str) -> Array:
    """The ``same`` (centred, in1's shape) or ``valid`` part of a full result, as SciPy's."""
    if mode == "full":
        return full
    if mode == "same":
        starts = [(f - n) // 2 for f, n in zip(full.shape, s1)]
        return full[tuple(slice(s, s + n) for s, n in zip(starts, s1))]
    sizes = [a - b + 1 for a, b in zip(s1, s2)]
    starts = [b - 1 for b in s2]
    return full[tuple(slice(s, s + n) for s, n in zip(starts, sizes))]


def _direct_full(in1: Array, in2: Array, fill: Any = 0, boundary: str = "fill") -> Array:
    """full[n] = Σₖ in2[k] in1[n − k], in1 extended by in2's size minus one on every side."""
    widths = [(m - 1, m - 1) for m in in2.shape]
    if boundary == "fill":
        padded = np.pad(in1, widths, mode="constant", constant_values=fill)
    else:
        padded = np.pad(in1, widths, mode={"wrap": "wrap", "symm": "symmetric"}[boundary])
    out_shape = [a + b - 1 for a, b in zip(in1.shape, in2.shape)]
    flipped = np.flip(in2) if in2.ndim else in2
    out = None
    for k in itertools.product(*(range(m) for m in in2.shape)):
        window = padded[tuple(slice(i, i + n) for i, n in zip(k, out_shape))]
        term = window * flipped[k]
        out = term if out is None else out + term
    return out


def convolve(in1: Any, in2: Any, mode: str = "full", method: str = "auto") -> Any:
    """N-dimensional convolution of ``in1`` and ``in2`` (SciPy's ``signal.convolve``).

    Examples
    --------
    >>> import polygrad.numpy as np
    >>> from polygrad.scipy.signal import convolve
    >>> convolve(np.asarray([1.0, 2.0, 3.0]), np.asarray([0.0, 1.0, 0.5])).tolist()
    [0.0, 1.0, 2.5, 4.0, 1.5]
    """
    in1, in2 = _inputs(in1, in2, "convolve", mode)
    if method not in ("auto", "direct", "fft"):
        raise ValueError(f"polygrad.scipy.signal.convolve: method must be 'auto', 'direct' or "
                         f"'fft', got {method!r}")
    if mode == "valid" and _swap_for_valid(in1, in2, "convolve"):
        in1, in2 = in2, in1
    floating = in1.dtype.kind in "fc" and in2.dtype.kind in "fc"
    large = min(in1.size, in2.size) > _DIRECT_LIMIT
    if method == "fft" or (method == "auto" and floating and large):
        return fftconvolve(in1, in2, mode=mode)
    return _crop(_direct_full(in1, in2), in1.shape, in2.shape, mode)


def correlate(in1: Any, in2: Any, mode: str = "full", method: str = "auto") -> Any:
    """N-dimensional cross-correlation (SciPy's ``signal.correlate``): the convolution of
    ``in1`` with ``in2`` reversed along every axis and conjugated."""
    in1, in2 = _inputs(in1, in2, "correlate", mode)
    if mode == "valid" and _swap_for_valid(in1, in2, "correlate"):
        # SciPy: correlate(a, b, 'valid') with b larger is correlate(b, a)[reversed].conj()
        out = correlate(in2, in1, mode, method)
        out = np.flip(out) if out.ndim else out
        return np.conj(out) if out.dtype.kind == "c" else out
    flipped = np.flip(in2) if in2.ndim else in2
    if flipped.dtype.kind == "c":
        flipped = np.conj(flipped)
    return convolve(in1, flipped, mode, method)


def _check_2d(in1: Array, in2: Array, fname: str, boundary: str) -> None:
    if in1.ndim != 2:
        raise ValueError(f"polygrad.scipy.signal.{fname}: in1 and in2 must be 2-D, got "
                         f"{in1.ndim}-D")
    if boundary not in ("fill", "wrap", "symm"):
        raise ValueError(f"polygrad.scipy.signal.{fname}: boundary must be 'fill', 'wrap' or "
                         f"'symm', got {boundary!r}")


def convolve2d(in1: Any, in2: Any, mode: str = "full", boundary: str = "fill",
               fillvalue: Any = 0) -> Any:
    """2-D convolution with SciPy's boundary conditions: ``fill`` (pad with ``fillvalue``),
    ``wrap`` (periodic) or ``symm`` (mirrored)."""
    in1, in2 = _inputs(in1, in2, "convolve2d", mode)
    _check_2d(in1, in2, "convolve2d", boundary)
    if mode == "valid" and _swap_for_valid(in1, in2, "convolve2d"):
        in1, in2 = in2, in1
    return _crop(_direct_full(in1, in2, fillvalue, boundary), in1.shape, in2.shape, mode)


def correlate2d(in1: Any, in2: Any, mode: str = "full", boundary: str = "fill",
                fillvalue: Any = 0) -> Any:
    """2-D cross-correlation with SciPy's boundary conditions."""
    in1, in2 = _inputs(in1, in2, "correlate2d", mode)
    _check_2d(in1, in2, "correlate2d", boundary)
    if mode == "valid" and _swap_for_valid(in1, in2, "correlate2d"):
        out = np.flip(correlate2d(in2, in1, mode, boundary, fillvalue))
        return np.conj(out) if out.dtype.kind == "c" else out
    flipped = np.flip(in2)
    if flipped.dtype.kind == "c":
        flipped = np.conj(flipped)
    full = _direct_full(in1, flipped, fillvalue, boundary)
    if mode != "same":
        return _crop(full, in1.shape, in2.shape, mode)
    # SciPy centres correlate2d's 'same' window at in2's size // 2 (convolve2d's at (size-1)//2)
    return full[tuple(slice(m // 2, m // 2 + n) for n, m in zip(in1.shape, in2.shape))]


def fftconvolve(in1: Any, in2: Any, mode: str = "full", axes: Any = None) -> Any:
    """Convolution through the FFT (SciPy's ``signal.fftconvolve``), over ``axes`` (default
    all); along the other axes the inputs broadcast."""
    in1, in2 = _inputs(in1, in2, "fftconvolve", mode)
    ndim = in1.ndim
    axes = tuple(range(ndim)) if axes is None else tuple(
        a % ndim for a in ((axes,) if isinstance(axes, int) else axes))
    if mode == "valid":
        bigger2 = [in2.shape[a] >= in1.shape[a] for a in axes]
        if all(bigger2) and any(in2.shape[a] > in1.shape[a] for a in axes):
            in1, in2 = in2, in1
    shape = [in1.shape[a] + in2.shape[a] - 1 for a in axes]
    complex_ = in1.dtype.kind == "c" or in2.dtype.kind == "c"
    if complex_:
        full = np.fft.ifftn(np.fft.fftn(in1, s=shape, axes=axes) *
                            np.fft.fftn(in2, s=shape, axes=axes), s=shape, axes=axes)
    else:
        full = np.fft.irfftn(np.fft.rfftn(in1, s=shape, axes=axes) *
                             np.fft.rfftn(in2, s=shape, axes=axes), s=shape, axes=axes)
    if mode == "full":
        return full
    keys = [slice(None)] * full.ndim
    for a in axes:
        n1, n2, f = in1.shape[a], in2.shape[a], full.shape[a]
        start, size = ((f - n1) // 2, n1) if mode == "same" else (n2 - 1, n1 - n2 + 1)
        keys[a] = slice(start, start + size)
    return full[tuple(keys)]
