"""NumPy's mathematical functions beyond the standard: aliases, fmax, exp2, sinc, nan_to_num, angle.

Compositions of the standard's functions, differentiable to any order without rules of their
own. Imports the core, the namespace's category modules and the compat helpers.
"""

from __future__ import annotations

import math
from typing import Any

from .._backend import use_backend
from . import _elementwise as ew
from . import _statistics as st
from ._compat_helpers import _floating
from ._creation import asarray
from ._data_types import finfo
from ._helpers import as_array
from ._promotion import promote_to_arrays
from ._manipulation import reshape

__all__ = [
    "array", "power", "absolute", "fabs", "true_divide", "mod", "conjugate", "arccos", "arcsin",
    "arctan", "arctan2", "arccosh", "arcsinh", "arctanh", "fmax", "fmin", "logaddexp2", "exp2",
    "sinc", "rad2deg", "degrees", "deg2rad", "radians", "nan_to_num", "angle", "real_if_close",
    "newaxis",
]

newaxis = None


# -- aliases and elementwise conveniences --------------------------------------------------------
def array(object: Any, dtype: Any = None, *, copy: bool = True, order: str = "K",  # noqa: A002
          ndmin: int = 0) -> Any:
    """NumPy's ``array``: a new Array with a copy of ``object``'s values (``ndmin``: at least
    that many dimensions, length-one axes added in front)."""
    out = asarray(object, dtype=dtype, copy=copy)
    if out.ndim < ndmin:
        out = reshape(out, (1,) * (ndmin - out.ndim) + out.shape)
    return out


power = ew.pow
absolute = ew.abs
fabs = ew.abs
true_divide = ew.divide
mod = ew.remainder
conjugate = ew.conj
arccos = ew.acos
arcsin = ew.asin
arctan = ew.atan
arctan2 = ew.atan2
arccosh = ew.acosh
arcsinh = ew.asinh
arctanh = ew.atanh


def fmax(x1: Any, x2: Any, /) -> Any:
    """Elementwise maximum that ignores NaN (NaN only where both are NaN); the derivative goes to
    the operand taken (half to each at ties, as ``maximum``)."""
    x1, x2 = promote_to_arrays(x1, x2)
    return ew.where(ew.isnan(x2), x1, ew.where(ew.isnan(x1), x2, ew.maximum(x1, x2)))


def fmin(x1: Any, x2: Any, /) -> Any:
    """Elementwise minimum that ignores NaN (NaN only where both are NaN); the derivative goes to
    the operand taken (half to each at ties, as ``minimum``)."""
    x1, x2 = promote_to_arrays(x1, x2)
    return ew.where(ew.isnan(x2), x1, ew.where(ew.isnan(x1), x2, ew.minimum(x1, x2)))


_LN2 = math.log(2.0)


def logaddexp2(x1: Any, x2: Any, /) -> Any:
    """log2(2**x1 + 2**x2) without overflow (``logaddexp`` in base 2)."""
    x1, x2 = promote_to_arrays(x1, x2)
    return ew.logaddexp(x1 * _LN2, x2 * _LN2) / _LN2


def exp2(x: Any, /) -> Any:
    """2**x."""
    x = _floating(as_array(x))
    with use_backend(x._backend):   # an array base: pow's rules then need no scalar promotion
        two = asarray(2.0, dtype=x.dtype)
    return ew.pow(two, x)


# sinc(x) = sin(πx)/(πx) = Σₖ (-1)ᵏ (πx)²ᵏ / (2k+1)!; the series (to (πx)¹²) is used for |πx| < 1/2,
# where the quotient's derivatives lose digits to cancellation; truncation error < 1e-16 there
_SINC_SERIES = [(-1) ** k / math.factorial(2 * k + 1) for k in range(7)]


def sinc(x: Any) -> Any:
    """sin(πx)/(πx), with sinc(0) = 1; smooth (and accurately differentiable) through 0."""
    y = math.pi * _floating(as_array(x))
    near = ew.less(ew.abs(y), 0.5)
    y2 = y * y
    series = _SINC_SERIES[-1]
    for c in reversed(_SINC_SERIES[:-1]):
        series = series * y2 + c
    safe = ew.where(near, 1.0, y)   # no 0/0, even in the branch not taken
    return ew.where(near, series, ew.sin(safe) / safe)


def rad2deg(x: Any, /) -> Any:
    """Radians to degrees."""
    return as_array(x) * (180.0 / math.pi)


def deg2rad(x: Any, /) -> Any:
    """Degrees to radians."""
    return as_array(x) * (math.pi / 180.0)


degrees = rad2deg
radians = deg2rad


def nan_to_num(x: Any, copy: bool = True, nan: float = 0.0, posinf: float | None = None,
               neginf: float | None = None) -> Any:
    """Replace NaN by ``nan`` and ±inf by ``posinf``/``neginf`` (default: the dtype's extremes)."""
    x = as_array(x)
    kind = x.dtype.kind
    if kind == "c":
        parts = [nan_to_num(p, nan=nan, posinf=posinf, neginf=neginf)
                 for p in (ew.real(x), ew.imag(x))]
        return parts[0] + 1j * parts[1]
    if kind != "f":
        return x
    info = finfo(x.dtype)
    big = info.max if posinf is None else posinf
    small = info.min if neginf is None else neginf
    x = ew.where(ew.isnan(x), nan, x)
    x = ew.where(ew.logical_and(ew.isinf(x), ew.greater(x, 0)), big, x)
    return ew.where(ew.isinf(x), small, x)


def angle(z: Any, deg: bool = False) -> Any:
    """The argument of complex ``z`` (radians, or degrees when ``deg``); 0 or π for reals."""
    z = _floating(as_array(z))
    if z.dtype.kind == "c":
        out = ew.atan2(ew.imag(z), ew.real(z))
    else:
        # locally constant in a real z: zero derivative (and none of atan2's 0/0 at z = 0)
        out = ew.mask(ew.signbit(z), z) * math.pi   # π in z's dtype, never rounded first
        out = ew.where(ew.isnan(z), z, out)
    return rad2deg(out) if deg else out


def real_if_close(a: Any, tol: float = 100) -> Any:
    """The real part of complex ``a`` if every imaginary part is below ``tol`` machine epsilons
    (``tol`` > 1) or ``tol`` itself; else ``a``. Reads the values, like NumPy's."""
    a = as_array(a)
    if a.dtype.kind != "c":
        return a
    limit = tol * finfo(a.dtype).eps if tol > 1 else tol
    if a.size == 0 or bool(st.max(ew.abs(ew.imag(a))) < limit):
        return ew.real(a)
    return a
