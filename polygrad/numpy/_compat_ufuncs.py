"""NumPy's elementwise functions beyond the standard: cbrt, fmod, frexp, ldexp, gcd, heaviside, ...

Compositions of the standard's functions (differentiable where the mathematics is, to any
order, without rules of their own). Imports the core, the namespace's category modules and the
compat helpers.
"""

from __future__ import annotations

import math
from typing import Any

from .._backend import use_backend
from .._batching import max_over_batch
from . import _elementwise as ew
from . import _statistics as st
from ._compat_helpers import _floating
from ._creation import asarray, full_like, zeros_like
from ._data_types import astype
from ._helpers import Array, as_array
from ._promotion import promote_to_arrays
from ._utility import all as all_
from ._manipulation import broadcast_shapes
from ._utility import diff
from ._compat_reductions import cumsum
from ._compat_shape import concatenate
from ._manipulation import expand_dims

__all__ = [
    "cbrt", "fmod", "float_power", "heaviside", "frexp", "ldexp", "modf", "spacing", "fix",
    "rint", "around", "divmod", "gcd", "lcm", "bitwise_count", "bitwise_not", "invert",
    "left_shift", "right_shift", "isclose", "allclose", "array_equal", "array_equiv",
    "iscomplex", "isreal", "iscomplexobj", "isrealobj", "isneginf", "isposinf", "unwrap", "i0",
]

bitwise_not = ew.bitwise_invert
invert = ew.bitwise_invert
left_shift = ew.bitwise_left_shift
right_shift = ew.bitwise_right_shift


def rint(x: Any, /) -> Any:
    """Round to the nearest integer, half to even (the dtype kept)."""
    return ew.round(x)


def cbrt(x: Any, /) -> Any:
    """The real cube root, negative for negative ``x``."""
    x = _floating(as_array(x))
    return ew.sign(x) * ew.abs(x) ** (1.0 / 3.0)


def fmod(x1: Any, x2: Any, /) -> Any:
    """C's remainder: the sign of ``x1`` (``remainder`` takes the sign of ``x2``).

    Computed as ``±remainder(|x1|, |x2|)``, which is exact where both are non-negative;
    d/dx1 = 1, d/dx2 = -trunc(x1 / x2).
    """
    x1, x2 = promote_to_arrays(x1, x2)
    r = ew.remainder(ew.abs(x1), ew.abs(x2))
    return ew.where(x1 < 0, -r, r)


def float_power(x1: Any, x2: Any, /) -> Any:
    """``x1 ** x2`` in float64 (complex128 for complex input), as NumPy computes it."""
    x1, x2 = promote_to_arrays(x1, x2)
    wide = "complex128" if "c" in (x1.dtype.kind, x2.dtype.kind) else "float64"
    return ew.pow(astype(x1, wide), astype(x2, wide))


def heaviside(x1: Any, x2: Any, /) -> Any:
    """0 where ``x1 < 0``, ``x2`` where ``x1 == 0``, 1 where ``x1 > 0`` (NaN stays NaN)."""
    x1, x2 = promote_to_arrays(x1, x2)
    x1 = _floating(x1)
    step = ew.where(x1 > 0, full_like(x1, 1.0), zeros_like(x1)) + x1 * 0.0   # NaN stays
    return ew.where(x1 == 0, x2, step)


def frexp(x: Any, /) -> tuple:
    """``(mantissa, exponent)`` with ``x = mantissa * 2**exponent`` and 0.5 <= |mantissa| < 1;
    the mantissa is differentiable (d/dx = 2**-exponent), the int32 exponent is not."""
    x = _floating(as_array(x))
    finite = ew.isfinite(x) & (x != 0)
    safe = ew.where(finite, ew.abs(x), 1.0)
    e = ew.floor(ew.log2(safe)) + 1.0
    m = safe / ew.pow(2.0, e)
    # log2 may round across a power of two: move the exponent by one where it did
    e = ew.where(m >= 1.0, e + 1.0, ew.where(m < 0.5, e - 1.0, e))
    e = ew.where(finite, e, 0.0)
    mant = ew.where(finite, x / ew.pow(2.0, e), x)
    return mant, astype(e, "int32")


def ldexp(x1: Any, x2: Any, /) -> Any:
    """``x1 * 2**x2`` (``x2`` an integer array or int); differentiable in ``x1``."""
    x1 = _floating(as_array(x1))
    x2 = as_array(x2) if isinstance(x2, Array) else x2
    # an int exponent scales by an exact Python float, weak beside x1 (float16 stays float16)
    scale = ew.pow(2.0, astype(x2, x1.dtype)) if isinstance(x2, Array) else 2.0 ** float(x2)
    return x1 * scale


def modf(x: Any, /) -> tuple:
    """``(fractional part, integral part)``, both with the sign of ``x``."""
    x = _floating(as_array(x))
    whole = ew.trunc(x)
    return x - whole, whole


def spacing(x: Any, /) -> Any:
    """The distance from ``x`` to the next float away from zero (negative for negative x)."""
    x = _floating(as_array(x))
    away = ew.where(ew.signbit(x), -math.inf, math.inf)
    with use_backend(x._backend):
        away = asarray(away, dtype=x.dtype) if not isinstance(away, Array) else away
    return ew.nextafter(x, astype(away, x.dtype)) - x


def fix(x: Any, out: Any = None) -> Any:
    """Round toward zero (NumPy's ``fix``: ``trunc`` that keeps a float dtype)."""
    if out is not None:
        raise TypeError("polygrad.numpy.fix: out= is not supported; arrays are immutable "
                        "values here")
    return ew.trunc(_floating(as_array(x)))


def around(a: Any, decimals: int = 0, out: Any = None) -> Any:
    """Round half to even to ``decimals`` places (NumPy's ``around``)."""
    if out is not None:
        raise TypeError("polygrad.numpy.around: out= is not supported")
    a = as_array(a)
    if decimals == 0:
        return ew.round(a)
    scale = 10.0 ** decimals
    a = _floating(a)
    return ew.round(a * scale) / scale


def divmod(x1: Any, x2: Any, /) -> tuple:  # noqa: A001
    """``(floor_divide(x1, x2), remainder(x1, x2))``."""
    return ew.floor_divide(x1, x2), ew.remainder(x1, x2)


def gcd(x1: Any, x2: Any, /) -> Any:
    """Greatest common divisor of integer arrays (non-negative), by Euclid's algorithm."""
    a, b = promote_to_arrays(x1, x2)
    if a.dtype.kind not in "iu":
        raise TypeError(f"polygrad.numpy.gcd: expected integer arrays, got {a.dtype}")
    a, b = ew.abs(a), ew.abs(b)
    a, b = a + zeros_like(b), b + zeros_like(a)
    while bool(st.max(b, axis=None) > 0) if b.size else False:
        nonzero = b != 0
        safe = ew.where(nonzero, b, full_like(b, 1))
        a, b = ew.where(nonzero, b, a), ew.where(nonzero, ew.remainder(a, safe), b)
    return a


def lcm(x1: Any, x2: Any, /) -> Any:
    """Least common multiple of integer arrays (non-negative; 0 where either is 0)."""
    a, b = promote_to_arrays(x1, x2)
    g = gcd(a, b)
    safe = ew.where(g == 0, full_like(g, 1), g)
    return ew.abs(a // safe * b)


def bitwise_count(x: Any, /) -> Any:
    """The number of 1-bits in the absolute value of each integer, as uint8."""
    x = as_array(x)
    if x.dtype.kind not in "iub":
        raise TypeError(f"polygrad.numpy.bitwise_count: expected an integer array, got "
                        f"{x.dtype}")
    x = ew.abs(x) if x.dtype.kind == "i" else astype(x, "uint8")
    count = zeros_like(x, dtype="uint8")
    for bit in range(8 * x.dtype.itemsize):
        count = count + astype(ew.bitwise_and(ew.bitwise_right_shift(x, bit), 1), "uint8")
    return count


def isclose(a: Any, b: Any, rtol: float = 1e-05, atol: float = 1e-08,
            equal_nan: bool = False) -> Any:
    """Elementwise ``|a - b| <= atol + rtol * |b|`` (infinities equal only to themselves)."""
    a, b = promote_to_arrays(a, b)
    a, b = _floating(a), _floating(b)
    finite = ew.isfinite(a) & ew.isfinite(b)
    close = ew.abs(ew.where(finite, a - b, 0.0)) <= atol + rtol * ew.abs(ew.where(finite, b, 0.0))
    out = ew.where(finite, close, a == b)
    if equal_nan:
        out = out | (ew.isnan(a) & ew.isnan(b))
    return out


def allclose(a: Any, b: Any, rtol: float = 1e-05, atol: float = 1e-08,
             equal_nan: bool = False) -> bool:
    """Whether every element of ``a`` is close to ``b`` (see ``isclose``)."""
    return bool(all_(isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan)))


def array_equal(a1: Any, a2: Any, equal_nan: bool = False) -> bool:
    """Whether the two arrays have one shape and equal elements."""
    a1, a2 = as_array(a1), as_array(a2)
    if a1.shape != a2.shape:
        return False
    same = a1 == a2
    if equal_nan and a1.dtype.is_floating:
        same = same | (ew.isnan(a1) & ew.isnan(a2))
    return bool(all_(same))


def array_equiv(a1: Any, a2: Any) -> bool:
    """Whether the two arrays broadcast to one shape and are equal there."""
    a1, a2 = as_array(a1), as_array(a2)
    try:
        broadcast_shapes(a1.shape, a2.shape)
    except ValueError:
        return False
    return bool(all_(a1 == a2))


def iscomplex(x: Any) -> Any:
    """Elementwise: a complex dtype with a non-zero imaginary part."""
    x = as_array(x)
    if x.dtype.kind != "c":
        return zeros_like(x, dtype="bool")
    return ew.imag(x) != 0


def isreal(x: Any) -> Any:
    """Elementwise: a zero imaginary part (every element of a real array)."""
    return ew.logical_not(iscomplex(x))


def iscomplexobj(x: Any) -> bool:
    """Whether ``x`` has a complex dtype."""
    dtype = getattr(x, "dtype", None)
    if dtype is None:
        return isinstance(x, complex) or as_array(x).dtype.kind == "c"
    return getattr(dtype, "kind", None) == "c"


def isrealobj(x: Any) -> bool:
    """Whether ``x`` does not have a complex dtype."""
    return not iscomplexobj(x)


def isneginf(x: Any, out: Any = None) -> Any:
    """Elementwise ``x == -inf``."""
    x = as_array(x)
    return ew.isinf(x) & ew.signbit(_floating(x))


def isposinf(x: Any, out: Any = None) -> Any:
    """Elementwise ``x == +inf``."""
    x = as_array(x)
    return ew.isinf(x) & ew.logical_not(ew.signbit(_floating(x)))


def unwrap(p: Any, discont: Any = None, axis: int = -1, *, period: float = 2 * math.pi) -> Any:
    """Remove jumps larger than ``discont`` (default ``period / 2``) along ``axis`` by adding
    multiples of ``period``; differentiable (the added multiples are constant)."""

    p = _floating(as_array(p))
    half = period / 2
    discont = half if discont is None else max(discont, half)
    axis = axis % p.ndim
    dd = diff(p, axis=axis)
    ddmod = ew.remainder(dd + half, period) - half
    ddmod = ew.where((ddmod == -half) & (dd > 0), half, ddmod)
    correct = ew.where(ew.abs(dd) < discont, 0.0, ddmod - dd)
    first = tuple(slice(None) if d != axis else slice(0, 1) for d in range(p.ndim))
    head = zeros_like(p[first])
    steps = concatenate([head, cumsum(_stop(correct), axis=axis)], axis=axis)
    return p + steps


def _stop(x: Array) -> Array:
    # function-level: the package itself: complete only after every section module
    from . import stop_gradient

    return stop_gradient(x)


def i0(x: Any) -> Any:
    """The modified Bessel function of the first kind, order 0, differentiable.

    I0(x) = (1/π) ∫₀^π exp(x cos θ) dθ, by the trapezoid rule on the periodic integrand,
    which converges geometrically: ``|x| + 30`` nodes give float64 accuracy.
    """
    x = _floating(as_array(x))
    if x.size == 0:
        return x
    # (inside vmap: the batch's largest |x|, so that every example takes the same nodes)
    top = max_over_batch(st.max(ew.abs(_stop(x)), axis=None))
    n = int(top) + 30
    with use_backend(x._backend):
        theta = asarray([math.cos(2 * math.pi * k / n) for k in range(n)], dtype=x.dtype)

    return st.mean(ew.exp(expand_dims(x, axis=-1) * theta), axis=-1)
