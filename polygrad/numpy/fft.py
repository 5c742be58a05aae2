"""The ``fft`` extension of the Array API standard, plus NumPy's 2-D names, differentiable.

Four linear primitives carry every transform, each over given axes at the input's own lengths:
``fft_fftn`` and ``fft_ifftn`` (complex to complex), ``fft_rfftn`` (real to half spectrum) and
``fft_irfftn`` (half spectrum to real). Padding and cropping to ``n`` / ``s`` are composed from
slicing and ``concat``; the 1-D, 2-D and Hermitian functions from the n-D ones. VJPs are
transposes under Re Σ c·t (JAX's convention, see ``polygrad.testing``). Imports the core and the
namespace's category modules.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .._batching import fft_rule
from .._backend import get_default_dtype, use_backend
from .._primitive import defbatch, defjvp, deflinear, primitive
from ._creation import arange, asarray, zeros
from ._data_types import astype
from ._elementwise import conj, real
from ._helpers import as_array, bind, into
from ._manipulation import concat, reshape, roll

__all__ = ["fft", "ifft", "fftn", "ifftn", "rfft", "irfft", "rfftn", "irfftn", "hfft", "ihfft",
           "fftfreq", "rfftfreq", "fftshift", "ifftshift", "fft2", "ifft2", "rfft2", "irfft2"]

_NORMS = ("backward", "ortho", "forward")
# the norm whose scale factor the adjoint transform needs: backward 1 ↔ forward 1/n
_SWAP = {"backward": "forward", "ortho": "ortho", "forward": "backward"}


def _to_complex(xp, x):
    # the standard's complex transforms take complex input; a real one is promoted exactly
    if xp.isdtype(x.dtype, "complex floating"):
        return x
    return xp.astype(x, xp.complex64 if x.dtype == xp.float32 else xp.complex128)


def _real_part(a):
    # a real-valued output's cotangent pairs by its real part only (see polygrad.testing)
    return real(a) if a.dtype.kind == "c" else a


def _like_input(c, x):
    # the cotangent of a real input promoted to complex is the real part
    return c if x.dtype.kind == "c" else real(c)


def _hermitian_weights(c, axis: int, n: int):
    """How often each kept frequency 0..n//2 stands in the full spectrum of a real signal of
    length ``n`` (1 for 0 and for n/2, 2 otherwise), shaped to broadcast against ``c``."""
    m = n // 2 + 1
    w = [1.0 if k == 0 or 2 * k == n else 2.0 for k in range(m)]
    shape = tuple(m if i == axis else 1 for i in range(c.ndim))
    dtype = "float32" if c.dtype.name in ("float32", "complex64") else "float64"
    with use_backend(c._backend):
        return reshape(asarray(w, dtype=dtype), shape)


# -- the primitives ------------------------------------------------------------------------------
_fftn = primitive("fft_fftn", lambda xp: lambda x, axes, norm: xp.fft.fftn(
    _to_complex(xp, x), axes=axes, norm=norm))
defbatch(_fftn, fft_rule(_fftn))   # pg.vmap
_ifftn = primitive("fft_ifftn", lambda xp: lambda x, axes, norm: xp.fft.ifftn(
    _to_complex(xp, x), axes=axes, norm=norm))
defbatch(_ifftn, fft_rule(_ifftn))   # pg.vmap
# the DFT matrix (and its inverse) is symmetric: under Re Σ c·t each is its own transpose
deflinear(_fftn, lambda g, ans, x, axes, norm: _like_input(_fftn(g, axes=axes, norm=norm), x))
deflinear(_ifftn, lambda g, ans, x, axes, norm: _like_input(_ifftn(g, axes=axes, norm=norm), x))

_rfftn = primitive("fft_rfftn", lambda xp: lambda x, axes, norm: xp.fft.rfftn(
    x, axes=axes, norm=norm))
defbatch(_rfftn, fft_rule(_rfftn))   # pg.vmap
_irfftn = primitive("fft_irfftn", lambda xp: lambda x, axes, norm, n: xp.fft.irfftn(
    _to_complex(xp, x), s=tuple(x.shape[a] for a in axes[:-1]) + (n,), axes=axes, norm=norm))
defbatch(_irfftn, fft_rule(_irfftn))   # pg.vmap


# irfftn(X)_j = s Re Σ_k w_k X_k e^{+2πi k·j/N} (w: Hermitian weights along the last axis, the
# imaginary parts at frequencies 0 and n/2 ignored); rfftn(x)_k = S Σ_j x_j e^{-2πi k·j/N}, k
# cut to n//2+1 on the last axis. Their transposes are each other, scaled by the swapped norm:
#   rfftnᵀ(g) = irfftn(conj(g) / w, swapped norm),   irfftnᵀ(g) = w conj(rfftn(g, swapped norm)).
def _rfftn_vjp(g, ans, x, axes, norm):
    n = x.shape[axes[-1]]
    h = conj(g) / _hermitian_weights(g, axes[-1], n)
    return _irfftn(h, axes=axes, norm=_SWAP[norm], n=n)


def _irfftn_vjp(g, ans, x, axes, norm, n):
    c = conj(_rfftn(_real_part(g), axes=axes, norm=_SWAP[norm]))
    return _like_input(c * _hermitian_weights(c, axes[-1], n), x)


deflinear(_rfftn, _rfftn_vjp)
defjvp(_rfftn, lambda t, ans, x, axes, norm: _rfftn(_real_part(t), axes=axes, norm=norm))
deflinear(_irfftn, _irfftn_vjp)


# -- argument handling -----------------------------------------------------------------------
def _input(x: Any, fname: str, real_only: bool = False):
    x = as_array(x)
    kind = x.dtype.kind
    if kind in "biu":
        x = astype(x, get_default_dtype(x._backend))
    elif x.dtype == "float16":   # no half transforms in torch or JAX: NumPy's float32 / complex64
        x = astype(x, "float32")
    elif kind == "c" and real_only:
        raise TypeError(f"polygrad.numpy.fft.{fname}: expected a real floating array, got "
                        f"dtype {x.dtype}; take np.real(x) first, or use fft/fftn")
    return x


def _check_norm(norm: Any, fname: str) -> str:
    if norm is None:
        return "backward"
    if norm not in _NORMS:
        raise ValueError(f"polygrad.numpy.fft.{fname}: norm must be one of {', '.join(_NORMS)}, "
                         f"got {norm!r}")
    return norm


def _plan(x, s: Sequence[int] | None, axes: Sequence[int] | None, fname: str
          ) -> tuple[tuple[int, ...], list[int]]:
    """Normalized axes and the length along each (-1: the input's own length)."""
    ndim = x.ndim
    if axes is None:
        axes = range(ndim) if s is None else range(ndim - len(s), ndim)
    axes = tuple(axes)
    for a in axes:
        if not -ndim <= a < ndim:
            raise ValueError(f"polygrad.numpy.fft.{fname}: axis {a} is out of range for an "
                             f"array with {ndim} dimension(s)")
    axes = tuple(a % ndim for a in axes)
    if len(set(axes)) != len(axes):
        raise ValueError(f"polygrad.numpy.fft.{fname}: axes {axes} repeats an axis")
    if s is None:
        s = (-1,) * len(axes)
    s = list(s)
    if len(s) != len(axes):
        raise ValueError(f"polygrad.numpy.fft.{fname}: s has {len(s)} entries but there are "
                         f"{len(axes)} axes")
    for i, n in enumerate(s):
        if n == -1:
            s[i] = x.shape[axes[i]]
    return axes, s


def _resize(x, axis: int, n: int, fname: str):
    """``x`` cropped or zero-padded to length ``n`` along ``axis``."""
    if n < 1:
        raise ValueError(f"polygrad.numpy.fft.{fname}: invalid number of data points ({n})")
    m = x.shape[axis]
    if n < m:
        return x[(slice(None),) * axis + (slice(0, n),)]
    if n > m:
        with use_backend(x._backend):
            pad = zeros(x.shape[:axis] + (n - m,) + x.shape[axis + 1:], dtype=x.dtype)
        return concat([x, pad], axis=axis)
    return x


def _complex_transform(prim, x, s, axes, norm, fname: str):
    x = _input(x, fname)
    axes, s = _plan(x, s, axes, fname)
    for a, n in zip(axes, s):
        x = _resize(x, a, n, fname)
    return bind(prim, (x,), {"axes": axes, "norm": _check_norm(norm, fname)})


def _real_forward(x, s, axes, norm, fname: str):
    x = _input(x, fname, real_only=True)
    axes, s = _plan(x, s, axes, fname)
    if not axes:
        raise ValueError(f"polygrad.numpy.fft.{fname}: needs at least one axis")
    for a, n in zip(axes, s):
        x = _resize(x, a, n, fname)
    return bind(_rfftn, (x,), {"axes": axes, "norm": _check_norm(norm, fname)})


def _real_inverse(x, s, axes, norm, fname: str):
    x = _input(x, fname)
    last = s[-1] if s else None
    axes, s = _plan(x, s, axes, fname)
    if not axes:
        raise ValueError(f"polygrad.numpy.fft.{fname}: needs at least one axis")
    n = 2 * (x.shape[axes[-1]] - 1) if last is None or last == -1 else last
    if n < 1:
        raise ValueError(f"polygrad.numpy.fft.{fname}: invalid number of output points ({n})")
    for a, k in zip(axes, s[:-1] + [n // 2 + 1]):
        x = _resize(x, a, k, fname)
    return bind(_irfftn, (x,), {"axes": axes, "norm": _check_norm(norm, fname), "n": n})


def _publish(fn, prim):
    fn.primitive = prim
    return fn


# -- the standard's functions ------------------------------------------------------------------
def fft(a, n: int | None = None, axis: int = -1, norm: str | None = "backward",
        out=None):
    """One-dimensional discrete Fourier transform along ``axis`` (cropped or zero-padded to
    ``n``); differentiable, its VJP is ``fft`` of the cotangent.

    Examples
    --------
    >>> import polygrad.numpy as np
    >>> np.fft.fft(np.asarray([1.0, 0.0, 0.0, 0.0])).tolist()
    [(1+0j), (1+0j), (1+0j), (1+0j)]
    """
    res = _complex_transform(_fftn, a, None if n is None else (n,), (axis,), norm, "fft")
    return into(out, res, "fft")


def ifft(a, n: int | None = None, axis: int = -1, norm: str | None = "backward",
         out=None):
    """One-dimensional inverse discrete Fourier transform along ``axis``."""
    res = _complex_transform(_ifftn, a, None if n is None else (n,), (axis,), norm, "ifft")
    return into(out, res, "ifft")


def fftn(a, s: Sequence[int] | None = None, axes: Sequence[int] | None = None,
         norm: str | None = "backward", out=None):
    """N-dimensional discrete Fourier transform over ``axes`` (all axes when None)."""
    return into(out, _complex_transform(_fftn, a, s, axes, norm, "fftn"), "fftn")


def ifftn(a, s: Sequence[int] | None = None, axes: Sequence[int] | None = None,
          norm: str | None = "backward", out=None):
    """N-dimensional inverse discrete Fourier transform over ``axes``."""
    return into(out, _complex_transform(_ifftn, a, s, axes, norm, "ifftn"), "ifftn")


def rfft(a, n: int | None = None, axis: int = -1, norm: str | None = "backward",
         out=None):
    """Discrete Fourier transform of a real signal: the ``n//2 + 1`` non-negative frequencies.

    Examples
    --------
    >>> import polygrad.numpy as np
    >>> np.fft.rfft(np.asarray([1.0, 2.0, 3.0, 4.0])).tolist()
    [(10+0j), (-2+2j), (-2+0j)]
    """
    return into(out, _real_forward(a, None if n is None else (n,), (axis,), norm, "rfft"), "rfft")


def irfft(a, n: int | None = None, axis: int = -1, norm: str | None = "backward",
          out=None):
    """Inverse of ``rfft``: a real signal of length ``n`` (default ``2 * (m - 1)``)."""
    return into(out, _real_inverse(a, None if n is None else (n,), (axis,), norm, "irfft"), "irfft")


def rfftn(a, s: Sequence[int] | None = None, axes: Sequence[int] | None = None,
          norm: str | None = "backward", out=None):
    """N-dimensional transform of a real array; the last of ``axes`` keeps ``n//2 + 1``."""
    return into(out, _real_forward(a, s, axes, norm, "rfftn"), "rfftn")


def irfftn(a, s: Sequence[int] | None = None, axes: Sequence[int] | None = None,
           norm: str | None = "backward", out=None):
    """Inverse of ``rfftn``; ``s[-1]`` is the output length along the last axis.

    ``s[-1] = -1`` uses the whole input along the last axis, so the output there has the
    default length ``2 * (m - 1)`` (NumPy reads -1 as the input length ``m`` and trims).
    """
    return into(out, _real_inverse(a, s, axes, norm, "irfftn"), "irfftn")


def hfft(a, n: int | None = None, axis: int = -1, norm: str | None = "backward",
         out=None):
    """Transform of a Hermitian-symmetric signal given by its first half: a real spectrum."""
    a = _input(a, "hfft")
    return into(out, _real_inverse(conj(a), None if n is None else (n,), (axis,),
                                    _SWAP[_check_norm(norm, "hfft")], "hfft"), "hfft")


def ihfft(a, n: int | None = None, axis: int = -1, norm: str | None = "backward",
          out=None):
    """Inverse of ``hfft``: the first half of the Hermitian signal with real spectrum ``a``."""
    return into(out, conj(_real_forward(a, None if n is None else (n,), (axis,),
                                         _SWAP[_check_norm(norm, "ihfft")], "ihfft")), "ihfft")


for _f, _p in ((fft, _fftn), (ifft, _ifftn), (fftn, _fftn), (ifftn, _ifftn), (rfft, _rfftn),
               (irfft, _irfftn), (rfftn, _rfftn), (irfftn, _irfftn)):
    _publish(_f, _p)


def fftfreq(n: int, d: float = 1.0, device: Any = None, *, dtype: Any = None):
    """Sample frequencies of ``fft`` for ``n`` samples spaced ``d`` apart (not differentiable).

    Examples
    --------
    >>> import polygrad.numpy as np
    >>> np.fft.fftfreq(4, d=0.5).tolist()
    [0.0, 0.5, -1.0, -0.5]
    """
    dtype = get_default_dtype() if dtype is None else dtype
    k = concat([arange(0, (n - 1) // 2 + 1, dtype=dtype, device=device),
                arange(-(n // 2), 0, dtype=dtype, device=device)])
    return k * (1.0 / (n * d))


def rfftfreq(n: int, d: float = 1.0, device: Any = None, *, dtype: Any = None):
    """Sample frequencies of ``rfft`` for ``n`` samples spaced ``d`` apart (not differentiable)."""
    dtype = get_default_dtype() if dtype is None else dtype
    return arange(0, n // 2 + 1, dtype=dtype, device=device) * (1.0 / (n * d))


def _shift(x, axes, sign: int, fname: str):
    x = as_array(x)
    if isinstance(axes, int):
        axes = (axes,)
    axes, _ = _plan(x, None, axes, fname)
    if not axes:
        return x
    return roll(x, tuple(sign * (x.shape[a] // 2) for a in axes), axis=axes)


def fftshift(x, axes: int | Sequence[int] | None = None):
    """Move the zero frequency to the centre along ``axes`` (all when None); linear."""
    return _shift(x, axes, 1, "fftshift")


def ifftshift(x, axes: int | Sequence[int] | None = None):
    """Undo ``fftshift``; linear."""
    return _shift(x, axes, -1, "ifftshift")


# -- NumPy's two-dimensional names ---------------------------------------------------------------
def fft2(a, s: Sequence[int] | None = None, axes: Sequence[int] = (-2, -1),
         norm: str | None = "backward", out=None):
    """Two-dimensional ``fftn`` over ``axes`` (NumPy's name)."""
    return into(out, fftn(a, s=s, axes=axes, norm=norm), "fft2")


def ifft2(a, s: Sequence[int] | None = None, axes: Sequence[int] = (-2, -1),
          norm: str | None = "backward", out=None):
    """Two-dimensional ``ifftn`` over ``axes`` (NumPy's name)."""
    return into(out, ifftn(a, s=s, axes=axes, norm=norm), "ifft2")


def rfft2(a, s: Sequence[int] | None = None, axes: Sequence[int] = (-2, -1),
          norm: str | None = "backward", out=None):
    """Two-dimensional ``rfftn`` over ``axes`` (NumPy's name)."""
    return into(out, rfftn(a, s=s, axes=axes, norm=norm), "rfft2")


def irfft2(a, s: Sequence[int] | None = None, axes: Sequence[int] = (-2, -1),
           norm: str | None = "backward", out=None):
    """Two-dimensional ``irfftn`` over ``axes`` (NumPy's name)."""
    return into(out, irfftn(a, s=s, axes=axes, norm=norm), "irfft2")
