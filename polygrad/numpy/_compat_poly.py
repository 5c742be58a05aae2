"""NumPy's polynomial functions (coefficients highest power first): polyval, polyfit, roots,
poly, polyadd, polysub, polymul, polydiv, polyder, polyint.

Compositions of differentiable functions (roots through ``eigvals``, polyfit through
``lstsq``). Imports the core, the namespace's category modules and the compat helpers.
"""

from __future__ import annotations

from typing import Any

from .._backend import use_backend
from .._batching import agreed
from . import _elementwise as ew
from . import _manipulation as mp
from . import _statistics as st
from ._compat_helpers import _floating
from ._creation import arange, asarray, eye, ones, zeros
from ._data_types import astype
from ._helpers import Array, as_array
from ._promotion import promote_to_arrays
from ._compat_calculus import convolve
from ._linalg_decompositions import eigvals
from ._compat_build import vander
from ._data_types import finfo
from ._linalg_more import lstsq
from ._linalg_solve import inv

__all__ = ["polyval", "polyfit", "roots", "poly", "polyadd", "polysub", "polymul", "polydiv",
           "polyder", "polyint"]


def _coeffs(p: Any, name: str) -> Array:
    p = as_array(p)
    if p.ndim != 1:
        raise ValueError(f"polygrad.numpy.{name}: coefficients must be 1-D, got shape "
                         f"{p.shape}")
    return p


def polyval(p: Any, x: Any) -> Any:
    """``p[0] * x**(N-1) + ... + p[N-1]`` by Horner's rule (differentiable in both)."""
    p = _coeffs(p, "polyval")
    x = as_array(x) if isinstance(x, Array) else x
    y = x * 0
    for i in range(p.shape[0]):
        y = y * x + p[i]
    return y


def _pad_front(a: Array, n: int) -> Array:
    if a.shape[0] >= n:
        return a
    with use_backend(a._backend):
        return mp.concat([zeros((n - a.shape[0],), dtype=a.dtype), a], axis=0)


def polyadd(a1: Any, a2: Any) -> Any:
    """The sum of two polynomials."""
    a1, a2 = promote_to_arrays(_coeffs(a1, "polyadd"), _coeffs(a2, "polyadd"))
    n = max(a1.shape[0], a2.shape[0])
    return _pad_front(a1, n) + _pad_front(a2, n)


def polysub(a1: Any, a2: Any) -> Any:
    """The difference of two polynomials."""
    a1, a2 = promote_to_arrays(_coeffs(a1, "polysub"), _coeffs(a2, "polysub"))
    n = max(a1.shape[0], a2.shape[0])
    return _pad_front(a1, n) - _pad_front(a2, n)


def polymul(a1: Any, a2: Any) -> Any:
    """The product of two polynomials (their coefficients' convolution)."""

    return convolve(_coeffs(a1, "polymul"), _coeffs(a2, "polymul"))


def polyder(p: Any, m: int = 1) -> Any:
    """The ``m``-th derivative of a polynomial."""
    if m < 0:
        raise ValueError("polygrad.numpy.polyder: order of derivative must be positive")
    p = _floating(_coeffs(p, "polyder"))
    for _ in range(m):
        n = p.shape[0] - 1
        if n <= 0:
            return p[:1] * 0
        with use_backend(p._backend):
            p = p[:-1] * astype(arange(n, 0, -1), p.dtype)
    return p


def polyint(p: Any, m: int = 1, k: Any = None) -> Any:
    """The ``m``-th antiderivative of a polynomial, with integration constants ``k`` (0)."""
    if m < 0:
        raise ValueError("polygrad.numpy.polyint: order of integral must be positive")
    p = _floating(_coeffs(p, "polyint"))
    ks = [0.0] * m if k is None else ([k] * m if not isinstance(k, (list, tuple)) else list(k))
    if len(ks) < m:
        raise ValueError("polygrad.numpy.polyint: k must be a scalar or a rank-1 array of "
                         "length 1 or m")
    for i in range(m):
        n = p.shape[0]
        with use_backend(p._backend):
            scale = astype(arange(n, 0, -1), p.dtype)
            const = mp.reshape(as_array(ks[i]) if isinstance(ks[i], Array)
                               else asarray(ks[i], dtype=p.dtype), (1,))
        p = mp.concat([p / scale, astype(const, p.dtype)], axis=0)
    return p


_POLYDIV = ("polygrad.numpy.polydiv drops the remainder's leading zeros, as many as each "
            "example has; inside vmap compute the remainder as u - polymul(q, v) (fixed length) "
            "or loop over the examples")


def polydiv(u: Any, v: Any) -> tuple:
    """``(quotient, remainder)`` of the division of polynomial ``u`` by ``v``."""
    u, v = promote_to_arrays(_floating(_coeffs(u, "polydiv")), _floating(_coeffs(v, "polydiv")))
    m, n = u.shape[0] - 1, v.shape[0] - 1
    r = [u[i] for i in range(m + 1)]
    q = []
    for k in range(max(m - n + 1, 0)):
        d = r[k] / v[0]
        q.append(d)
        for j in range(n + 1):
            r[k + j] = r[k + j] - d * v[j]
    quotient = mp.stack(q) if q else u[:1] * 0
    rem = mp.stack(r)
    while rem.shape[0] > 1 and agreed(ew.abs(rem[0]) <= 1e-8, _POLYDIV):   # allclose(r[0], 0)
        rem = rem[1:]
    return quotient, rem


def _host_nonzero(p: Array) -> list:
    # function-level: the package itself: complete only after every section module
    from . import stop_gradient

    return [i for i, v in enumerate(stop_gradient(p).tolist()) if v != 0]


def roots(p: Any) -> Any:
    """The roots of a polynomial: the eigenvalues of its companion matrix (complex when any
    root is); leading and trailing zero coefficients are handled as NumPy does."""

    p = _floating(_coeffs(p, "roots"))
    nz = _host_nonzero(p)
    if not nz:
        return p[:0]
    trailing = p.shape[0] - nz[-1] - 1
    p = p[nz[0]: nz[-1] + 1]
    n = p.shape[0]
    with use_backend(p._backend):
        tail = zeros((trailing,), dtype=p.dtype)
        if n < 2:
            return tail
        lower = eye(n - 2, n - 1, dtype=p.dtype)
    companion = mp.concat([mp.reshape(-p[1:] / p[0], (1, n - 1)), lower], axis=0)
    found = eigvals(companion)
    if found.dtype.kind == "c" and bool(st.max(ew.abs(ew.imag(found))) == 0):
        found = ew.real(found)
    return mp.concat([found, astype(tail, found.dtype)], axis=0)


def poly(seq_of_zeros: Any) -> Any:
    """The coefficients of the monic polynomial with the given roots (of the characteristic
    polynomial for a square matrix); real when the complex roots come in conjugate pairs."""

    z = as_array(seq_of_zeros)
    if z.ndim == 2 and z.shape[0] == z.shape[1] and z.shape[0] > 0:
        z = eigvals(_floating(z))
    elif z.ndim != 1:
        raise ValueError("polygrad.numpy.poly: input must be 1d or non-empty square 2d array.")
    z = _floating(z)
    with use_backend(z._backend):
        a = ones((1,), dtype=z.dtype)
    for i in range(z.shape[0]):
        a = convolve(a, mp.stack([astype(asarray(1.0, device=z.device), z.dtype), -z[i]]))
    if z.dtype.kind == "c":
        # function-level: the package itself: complete only after every section module
        from . import stop_gradient

        host = stop_gradient(z).tolist()
        if sorted(host, key=lambda c: (c.real, c.imag)) == sorted(
                [c.conjugate() for c in host], key=lambda c: (c.real, c.imag)):
            a = ew.real(a)
    return a


def polyfit(x: Any, y: Any, deg: int, rcond: Any = None, full: bool = False, w: Any = None,
            cov: Any = False) -> Any:
    """The least-squares polynomial fit of degree ``deg`` (differentiable in ``x``, ``y`` and
    ``w``); ``full`` also returns residuals, rank, singular values and rcond; ``cov`` the
    coefficients' covariance (``'unscaled'`` without the residual scaling)."""

    x, y = promote_to_arrays(_floating(as_array(x)), _floating(as_array(y)))
    order = int(deg) + 1
    if deg < 0:
        raise ValueError("polygrad.numpy.polyfit: expected deg >= 0")
    if x.ndim != 1 or x.shape[0] == 0 or y.shape[0] != x.shape[0]:
        raise TypeError("polygrad.numpy.polyfit: expected non-empty 1-D x and y of the same "
                        "length")
    rcond = x.shape[0] * finfo(x.dtype).eps if rcond is None else rcond
    lhs, rhs = vander(x, order), y
    if w is not None:
        w = as_array(w)
        lhs = lhs * mp.expand_dims(w, axis=1)
        rhs = rhs * (w if rhs.ndim == 1 else mp.expand_dims(w, axis=1))
    scale = ew.sqrt(st.sum(lhs * lhs, axis=0))
    c, resids, rank, s = lstsq(lhs / scale, rhs, rcond)
    c = c / (scale if c.ndim == 1 else mp.expand_dims(scale, axis=1))
    if full:
        return c, resids, rank, s, rcond
    if cov:
        base = inv((lhs / scale).mT @ (lhs / scale)) / (mp.expand_dims(scale, 1) * scale)
        if cov == "unscaled":
            fac = 1.0
        else:
            if x.shape[0] <= order:
                raise ValueError("polygrad.numpy.polyfit: the number of data points must "
                                 "exceed order to scale the covariance matrix")
            fac = resids / (x.shape[0] - order)
        if c.ndim == 1:
            return c, base * fac
        return c, mp.expand_dims(base, -1) * fac
    return c
