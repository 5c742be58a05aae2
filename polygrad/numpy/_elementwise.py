"""Element-wise functions of the Array API standard, each with its VJP and JVP beside it.

Complex numbers follow JAX's convention. A JVP rule is the real-linear map t ↦ df; a VJP rule is
its transpose under the pairing ⟨c, t⟩ = Re Σ c·t (no conjugation). So a holomorphic f keeps
the real-variable rule ``g * f'(x)``; non-holomorphic ones (abs, sign, real, imag, conj) have
their own; the cotangent of a real-valued output pairs by its real part only. Imports the core
and the namespace helpers.
"""

from __future__ import annotations

import math

from .._ops import where_p
from .._batching import elementwise_rule
from .._primitive import defbatch, defjvp, defvjp, primitive
# re-exported: the torch backend and conformance/specs/elementwise.py import these from here
from ._fused import _select, _select_extremum, _tanh_bw, _tanh_dy  # noqa: F401
from ._helpers import EMPTY, Array, apply_native, binary, bind, promoted, unary
from ._helpers import into
from ._searching import nonzero

__all__ = [
    "abs", "acos", "acosh", "add", "asin", "asinh", "atan", "atan2", "atanh", "bitwise_and",
    "bitwise_left_shift", "bitwise_invert", "bitwise_or", "bitwise_right_shift", "bitwise_xor",
    "ceil", "clip", "conj", "copysign", "cos", "cosh", "divide", "equal", "exp", "expm1", "floor",
    "floor_divide", "greater", "greater_equal", "hypot", "imag", "isfinite", "isinf", "isnan",
    "less", "less_equal", "log", "log1p", "log2", "log10", "logaddexp", "logical_and",
    "logical_not", "logical_or", "logical_xor", "maximum", "minimum", "multiply", "negative",
    "nextafter", "not_equal", "positive", "pow", "real", "reciprocal", "remainder", "round",
    "sign", "signbit", "sin", "sinh", "square", "sqrt", "subtract", "tan", "tanh", "trunc",
    "where",
]


def _zero(*args, **params):
    """The derivative with respect to an argument on which the value does not depend (locally)."""
    return None


def _g(g, ans, *args):
    return g


def _neg_g(g, ans, *args):
    return negative(g)


def mask(condition, like):
    """``condition`` as 1.0 / 0.0 in the floating dtype of ``like`` (rules keep float32 float32)."""
    # function-level: cycle: _data_types -> _elementwise -> _data_types
    from ._data_types import astype

    dtype = like.dtype if isinstance(like, Array) else None
    if dtype is None or not dtype.is_floating:
        return where(condition, 1.0, 0.0)
    return astype(condition, dtype)


# -- arithmetic ------------------------------------------------------------------------------
add = binary("add", (_g, _g), (_g, _g))
subtract = binary("subtract", (_g, _neg_g), (_g, _neg_g))
# (multiply(g, x2), not g * x2: one call fewer per rule, Array.__mul__'s)
multiply = binary("multiply", (lambda g, ans, x1, x2: multiply(g, x2),
                               lambda g, ans, x1, x2: multiply(g, x1)),
                  (lambda t, ans, x1, x2: multiply(t, x2), lambda t, ans, x1, x2: multiply(x1, t)))
# d(x1/x2)/dx2 = -x1/x2² = -ans/x2
divide = binary("divide", (lambda g, ans, x1, x2: g / x2, lambda g, ans, x1, x2: -g * ans / x2),
                (lambda t, ans, x1, x2: t / x2, lambda t, ans, x1, x2: -t * ans / x2),
                inexact=True)


def _safe_log(x):
    # log(x) where x != 0 and 0 where x == 0, so that d/dx2 x1**x2 at x1 = 0 is 0 (not nan)
    if not isinstance(x, Array):   # a Python scalar base, e.g. 2.0 ** x
        return 0.0 if x == 0 else math.log(x) if x > 0 else math.nan
    return log(where(equal(x, 0), 1, x))


def _pow_dx1(x1, x2):
    # x2 x1**(x2-1), and 0 where x2 == 0: x1**0 is constant, also at x1 = 0 (not 0 * inf = nan)
    if not isinstance(x2, Array):
        return 0.0 if x2 == 0 else x2 * x1 ** (x2 - 1)
    return where(equal(x2, 0), 0.0, x2 * x1 ** (x2 - 1))


# d/dx1 x1**x2 = x2 x1**(x2-1); d/dx2 x1**x2 = x1**x2 log(x1)
pow = binary("pow",  # noqa: A001
             (lambda g, ans, x1, x2: g * _pow_dx1(x1, x2),
              lambda g, ans, x1, x2: g * ans * _safe_log(x1)),
             (lambda t, ans, x1, x2: t * _pow_dx1(x1, x2),
              lambda t, ans, x1, x2: t * ans * _safe_log(x1)))
# remainder(x1, x2) = x1 - x2 floor(x1/x2)
remainder = binary("remainder", (_g, lambda g, ans, x1, x2: -g * floor_divide(x1, x2)),
                   (_g, lambda t, ans, x1, x2: -t * floor_divide(x1, x2)))
floor_divide = binary("floor_divide")
negative = unary("negative", lambda ans, x: -1.0)
positive = unary("positive", lambda ans, x: 1.0)
defvjp(negative.primitive, _neg_g)
defjvp(negative.primitive, _neg_g)
defvjp(positive.primitive, _g)
defjvp(positive.primitive, _g)
square = unary("square", lambda ans, x: 2 * x)
reciprocal = unary("reciprocal", lambda ans, x: -square(ans))


def _extremum_rules(larger):
    # maximum (larger) or minimum: the cotangent goes to the argument it takes
    def first(g, ans, x1, x2):
        return _select(g, x1, x2, larger)

    def second(g, ans, x1, x2):
        return _select(g, x2, x1, larger)
    return (first, second), (first, second)


maximum = binary("maximum", *_extremum_rules(True))
minimum = binary("minimum", *_extremum_rules(False))
# d/dx1 logaddexp(x1, x2) = exp(x1 - ans): stable, never overflows
logaddexp = binary("logaddexp",
                   (lambda g, ans, x1, x2: g * exp(x1 - ans),
                    lambda g, ans, x1, x2: g * exp(x2 - ans)),
                   (lambda t, ans, x1, x2: t * exp(x1 - ans),
                    lambda t, ans, x1, x2: t * exp(x2 - ans)))
# d/dx1 atan2(x1, x2) = x2 / (x1² + x2²); d/dx2 = -x1 / (x1² + x2²)
atan2 = binary("atan2",
               (lambda g, ans, x1, x2: g * x2 / (x1 * x1 + x2 * x2),
                lambda g, ans, x1, x2: -g * x1 / (x1 * x1 + x2 * x2)),
               (lambda t, ans, x1, x2: t * x2 / (x1 * x1 + x2 * x2),
                lambda t, ans, x1, x2: -t * x1 / (x1 * x1 + x2 * x2)))
# d/dx1 hypot(x1, x2) = x1 / hypot(x1, x2)
hypot = binary("hypot",
               (lambda g, ans, x1, x2: g * x1 / ans, lambda g, ans, x1, x2: g * x2 / ans),
               (lambda t, ans, x1, x2: t * x1 / ans, lambda t, ans, x1, x2: t * x2 / ans))


def _same_sign(x1, x2):
    return 1 - 2 * mask(not_equal(signbit(x1), signbit(x2)), x1)


copysign = binary("copysign", (lambda g, ans, x1, x2: g * _same_sign(x1, x2), _zero),
                  (lambda t, ans, x1, x2: t * _same_sign(x1, x2), _zero))
nextafter = binary("nextafter", (_g, _zero), (_g, _zero))

# -- exponentials, logarithms, powers -----------------------------------------------------------
exp = unary("exp", lambda ans, x: ans, inexact=True)
def _expm1_kernel(xp):
    # the standard: expm1(±0 ± 0j) is +0 ± 0j (NumPy and torch keep a -0 real part). At
    # -0 + bj, conj(-x) is +0 + bj: negation and conj only flip signs (torch's complex
    # subtraction does not keep signed zeros, so no arithmetic here)
    def expm1(x):
        out = xp.expm1(x)
        if xp.isdtype(x.dtype, "complex floating"):
            out = xp.where(x == 0, xp.where(xp.signbit(xp.real(x)), xp.conj(-x), x), out)
        return out
    return expm1


expm1 = unary("expm1", lambda ans, x: ans + 1, inexact=True, kernel=_expm1_kernel)
log = unary("log", lambda ans, x: 1 / x, inexact=True)
log1p = unary("log1p", lambda ans, x: 1 / (1 + x), inexact=True)
log2 = unary("log2", lambda ans, x: 1 / (x * math.log(2)), inexact=True)
log10 = unary("log10", lambda ans, x: 1 / (x * math.log(10)), inexact=True)
sqrt = unary("sqrt", lambda ans, x: 0.5 / ans, inexact=True)

# -- trigonometric and hyperbolic ---------------------------------------------------------------
sin = unary("sin", lambda ans, x: cos(x), inexact=True)
cos = unary("cos", lambda ans, x: -sin(x), inexact=True)
tan = unary("tan", lambda ans, x: 1 + square(ans), inexact=True)
asin = unary("asin", lambda ans, x: 1 / sqrt(1 - square(x)), inexact=True)
acos = unary("acos", lambda ans, x: -1 / sqrt(1 - square(x)), inexact=True)
atan = unary("atan", lambda ans, x: 1 / (1 + square(x)), inexact=True)
sinh = unary("sinh", lambda ans, x: cosh(x), inexact=True)
cosh = unary("cosh", lambda ans, x: sinh(x), inexact=True)
tanh = unary("tanh", lambda ans, x: _tanh_bw(1, ans), inexact=True)


def _tanh_vjp(g, ans, x):
    return _tanh_bw(g, ans)


_tanh_vjp.unit = tanh.primitive.vjps[0].unit   # grad's seed of ones: 1 - y² itself
defvjp(tanh.primitive, _tanh_vjp)
defjvp(tanh.primitive, lambda t, ans, x: _tanh_bw(t, ans))
asinh = unary("asinh", lambda ans, x: 1 / sqrt(square(x) + 1), inexact=True)
# 1/sqrt(x-1)/sqrt(x+1), not 1/sqrt(x²-1): the two differ for complex x with Re x < 0
acosh = unary("acosh", lambda ans, x: 1 / (sqrt(x - 1) * sqrt(x + 1)), inexact=True)
atanh = unary("atanh", lambda ans, x: 1 / (1 - square(x)), inexact=True)

# -- sign, magnitude, rounding --------------------------------------------------------------------
def _complex(x) -> bool:
    return x.dtype.kind == "c"


def _re(g):
    # a real-valued output's cotangent (or tangent) pairs by its real part only: a complex one
    # reaches it from mixed real/complex arithmetic, and its imaginary part must not leak on
    return real(g) if g.dtype.kind == "c" else g


def _half_inv_abs(x):
    # 1 / (2|x|), and 0 at x = 0 (where sign's derivative is taken as 0)
    zero = equal(x, 0)
    return where(zero, 0.0, 0.5 / abs(where(zero, 1.0, x)))


def _conj_unit(x, ans):
    # conj(x) / |x|, and 0 at x = 0
    return conj(x) / where(equal(ans, 0), 1.0, ans)


# real x: d|x|/dx = sign(x), 0 at x = 0 (as HIPS autograd and JAX);
# complex x: d|x| = Re(conj(x) t) / |x|, so the cotangent is Re(g) conj(x) / |x|
abs = unary("abs", lambda ans, x: sign(x))  # noqa: A001
defvjp(abs.primitive, lambda g, ans, x: _re(g) * _conj_unit(x, ans) if _complex(x)
       else g * sign(x))
defjvp(abs.primitive, lambda t, ans, x: real(_conj_unit(x, ans) * t) if _complex(x)
       else t * sign(x))
# real x: 0; complex x ≠ 0, sign x = x/|x| = u: d sign = (t - u² conj(t)) / (2|x|), whose
# transpose is (g - conj(g u²)) / (2|x|)  (JAX takes 0 here; this is the true derivative)
sign = unary("sign", lambda ans, x: 0.0)
defvjp(sign.primitive, lambda g, ans, x: (g - conj(g * ans * ans)) * _half_inv_abs(x)
       if _complex(x) else None)
defjvp(sign.primitive, lambda t, ans, x: (t - ans * ans * conj(t)) * _half_inv_abs(x)
       if _complex(x) else None)
signbit = unary("signbit")
floor = unary("floor")
ceil = unary("ceil")
trunc = unary("trunc")
_round = unary("round")


def round(a, decimals: int = 0, out=None):  # noqa: A001
    """``a`` rounded to ``decimals`` decimal places, halves to even (NumPy's signature; as
    NumPy, ``decimals != 0`` scales by ``10**decimals``, rounds and scales back). Not
    differentiable: its derivative is zero almost everywhere."""

    if decimals:
        scale = 10.0 ** decimals
        res = _round(a * scale) / scale if decimals > 0 else _round(a / 10.0 ** -decimals) * \
            10.0 ** -decimals
    else:
        res = _round(a)
    return res if out is None else into(out, res, "round")


round.primitive = _round.primitive

# -- complex parts: real-linear maps; for real x, real and conj are the identity and imag is 0 --
# Re t pairs with g as Re(g·t) for real g: the cotangent is Re g itself
# real and imag return new arrays on every backend (NumPy's, PyTorch's and strict's share x's
# memory, JAX's cannot, and a write into one would reach x on some backends only)
_real = unary("real", lambda ans, x: 1.0,
              kernel=lambda xp: lambda x: xp.asarray(xp.real(x), copy=True))
defvjp(_real.primitive, lambda g, ans, x: _re(g))
defjvp(_real.primitive, lambda t, ans, x: _re(t))


def real(val):
    """The real part of ``val`` (``val`` itself for real input); NumPy's signature."""
    return _real(val)


real.primitive = _real.primitive



def _imag_kernel(xp):
    # the standard defines imag for complex input only; NumPy gives zeros for real input
    return lambda x: xp.asarray(xp.imag(x), copy=True) if xp.isdtype(
        x.dtype, "complex floating") else xp.zeros_like(x)


# Im t = Re(-i t): the cotangent is -i Re g
_imag = unary("imag", lambda ans, x: 0.0, kernel=_imag_kernel)
defvjp(_imag.primitive, lambda g, ans, x: _re(g) * -1j if _complex(x) else None)
defjvp(_imag.primitive, lambda t, ans, x: imag(t) if _complex(x) else None)


def imag(val):
    """The imaginary part of ``val`` (zeros for real input, as NumPy); NumPy's signature."""
    return _imag(val)


imag.primitive = _imag.primitive
# Re(g conj(t)) = Re(conj(g) t): the cotangent is conj g
conj = unary("conj", lambda ans, x: 1.0)
defvjp(conj.primitive, lambda g, ans, x: conj(g) if _complex(g) else g)
defjvp(conj.primitive, lambda t, ans, x: conj(t) if _complex(t) else t)

# -- comparisons, predicates and logic: non-differentiable ----------------------------------------
equal = binary("equal")
not_equal = binary("not_equal")
less = binary("less")
less_equal = binary("less_equal")
greater = binary("greater")
greater_equal = binary("greater_equal")
isfinite = unary("isfinite")
isinf = unary("isinf")
isnan = unary("isnan")
logical_and = binary("logical_and")
logical_or = binary("logical_or")
logical_xor = binary("logical_xor")
logical_not = unary("logical_not")
bitwise_and = binary("bitwise_and")
bitwise_or = binary("bitwise_or")
bitwise_xor = binary("bitwise_xor")
bitwise_left_shift = binary("bitwise_left_shift")
bitwise_right_shift = binary("bitwise_right_shift")
bitwise_invert = unary("bitwise_invert")


# -- clip and where -------------------------------------------------------------------------------
def _inside(x, ans):
    return mask(equal(x, ans), ans)


_clip = primitive("clip", lambda xp: lambda x, lo, hi: xp.clip(x, lo, hi), broadcasts=True)
defbatch(_clip, elementwise_rule(_clip))   # pg.vmap
defvjp(_clip, lambda g, ans, x, lo, hi: g * _inside(x, ans),
       lambda g, ans, x, lo, hi: g * (1.0 - _inside(x, ans)) * _inside(lo, ans),
       lambda g, ans, x, lo, hi: g * (1.0 - _inside(x, ans)) * _inside(hi, ans))
defjvp(_clip, lambda t, ans, x, lo, hi: t * _inside(x, ans),
       lambda t, ans, x, lo, hi: t * (1.0 - _inside(x, ans)) * _inside(lo, ans),
       lambda t, ans, x, lo, hi: t * (1.0 - _inside(x, ans)) * _inside(hi, ans))


def clip(a, a_min=None, a_max=None, out=None, *, min=None, max=None):  # noqa: A002
    """Clamp ``a`` to ``[min, max]``; the derivative flows to whichever of a, min, max is taken.

    NumPy's signature: the bounds by position, or as ``a_min=``/``a_max=`` or the standard's
    ``min=``/``max=``; either may be None (unbounded).
    """
    if a_min is not None or a_max is not None:
        if min is not None or max is not None:
            raise TypeError("polygrad.numpy.clip: give the bounds as a_min/a_max or as "
                            "min/max, not both")
        min, max = a_min, a_max  # noqa: A001
    res = bind(_clip, (a, min, max), EMPTY)
    if out is None:
        return res

    return into(out, res, "clip")


clip.primitive = _clip

_where = where_p   # defined with its rules in the core


def where(condition, x=None, y=None, /):
    """``x`` where ``condition`` is true, else ``y``; derivatives flow to the chosen branch.
    With ``condition`` alone, ``nonzero(condition)`` (NumPy's one-argument form).

    A NaN in the branch not taken does not leak into the value, but its derivative does leak if
    the unused branch's own derivative is NaN (as in every autodiff system): compute the unsafe
    expression on safe inputs, e.g. ``where(x > 0, log(where(x > 0, x, 1)), 0)``.
    """
    x1, x2 = x, y
    if x2 is None:
        if x1 is None:
            return nonzero(condition)
        raise TypeError("polygrad.numpy.where: give condition alone, or condition, x and y")
    if type(x1) is Array and x1._trace is None and type(x2) is Array and x2._trace is None \
            and type(condition) is Array and condition._trace is None:
        backend = x1._backend
        if x2._backend is backend and condition._backend is backend and \
                x1._v.dtype is x2._v.dtype:
            return apply_native(_where, backend, (condition._v, x1._v, x2._v), EMPTY)
    return bind(_where, (condition, *promoted(x1, x2)), EMPTY)


where.primitive = _where
