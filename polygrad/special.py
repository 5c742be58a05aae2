"""``polygrad.special``: logsumexp, softmax, erf, gammaln, ... (differentiable, numerically stable).

``logsumexp`` is a primitive with a max-shifted kernel; ``erf``, ``erfc``, ``erfinv``, ``gammaln``,
``digamma``, ``polygamma``, the Bessel functions ``i0e i1 i1e ive j0 j1 y0 y1``, ``zeta``,
``gammainc``, ``gammaincc`` and ``betainc`` are primitives whose default kernels call
``scipy.special`` on NumPy data, and on other host data (CPU torch / jax arrays, strict) through a
DLPack copy (backends supply ``Backend.kernels[name]``: torch from ``torch.special``, jax from
``jax.scipy.special``, dask block by block; a backend kernel for ``polygamma`` is called as
``k(x, n=n)``, one for the others with the arrays in the function's argument order). The
derivatives of ``gammainc``/``gammaincc``/``betainc`` in their shapes (no closed form) are
primitives of their own (``gammainc_da``, ``betainc_da``, ``betainc_db``), and so are their
second derivatives in the shapes (``gammainc_daa``, ``betainc_daa``, ``betainc_dadb``,
``betainc_dbb``; the third raise ``DifferentiationError``) and the inverses ``gammaincinv``,
``gammainccinv``, ``betaincinv``: their kernels are Array API code
(polygrad/scipy/_special_kernels.py), SciPy's on NumPy data where SciPy has the function. So are
the first and second derivatives of ``zeta`` in ``x`` (``zeta_dx``, ``zeta_dxx``) and the
derivative of ``ive`` in its order (``ive_dv``: a power series or an asymptotic expansion, on
a documented domain; outside it, ``DifferentiationError``). Under
``pg.jit`` the kernels that iterate until convergence run outside the compiled graph: on torch
as one opaque operation, on JAX through ``jax.pure_callback``. The rest are compositions.
Imports the core and ``polygrad.numpy`` (and the kernels module lazily).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from ._array import Array as _Array
from ._array import DifferentiationError
from ._batching import along_axis_rule, elementwise_rule, reduction_rule
from ._primitive import defbatch, defjvp, defvjp, primitive
from ._trace import bind
from .numpy import _elementwise as ew
from .numpy._compat_math import sinc as _np_sinc
from .numpy._helpers import as_array, unary
from .numpy._statistics import expand_to, normalize_axis
from .numpy._statistics import sum as _sum

__all__ = ["logsumexp", "softmax", "log_softmax", "expit", "logit", "log_sigmoid", "softplus",
           "erf", "erfc", "erfinv", "erfcinv", "gammaln", "digamma", "polygamma", "xlogy",
           "xlog1py", "gamma", "beta", "betaln", "multigammaln", "entr", "rel_entr", "sinc",
           "i0e", "i1", "i1e", "ive", "j0", "j1", "y0", "y1", "zeta", "gammainc", "gammaincc",
           "betainc", "gammaincinv", "gammainccinv", "betaincinv", "psi", "rgamma", "gammasgn",
           "iv"]

_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_SQRT_PI_OVER_TWO = math.sqrt(math.pi) / 2.0


# -- kernels from scipy.special ----------------------------------------------------------------
def _scipy_function(name: str) -> Callable:
    """``scipy.special.<name>``, or an ImportError saying how to do without SciPy."""
    try:
        import scipy.special
    except ImportError:
        raise ImportError(
            f"polygrad.special.{name} needs SciPy for its kernel on this backend "
            f"(pip install scipy), or a backend that supplies Backend.kernels[{name!r}]"
        ) from None
    return getattr(scipy.special, name)


def _scipy(name: str) -> Callable[[Any], Callable]:
    """A kernel factory calling ``scipy.special.<name>`` on NumPy arrays (a clear error when SciPy
    is missing, or when the backend's arrays are not NumPy's and it supplies no kernel)."""
    def factory(xp: Any) -> Callable:
        import numpy

        fn = _scipy_function(name)

        def kernel(x, *args):
            if not isinstance(x, (numpy.ndarray, numpy.generic)):
                raise NotImplementedError(
                    f"polygrad.special.{name}: the default kernel runs scipy.special.{name} on "
                    f"NumPy arrays only, not {type(x).__module__}.{type(x).__name__}; this "
                    f"backend must supply Backend.kernels[{name!r}]")
            x = numpy.asarray(x)
            out = fn(*args, x) if args else fn(x)
            if x.dtype.kind == "f":
                out = numpy.asarray(out, dtype=x.dtype)
            return numpy.asarray(out)
        return kernel
    return factory


# d erf(x)/dx = 2/√π exp(-x²)
erf = unary("erf", lambda ans, x: _TWO_OVER_SQRT_PI * ew.exp(-ew.square(x)), kernel=_scipy("erf"),
            inexact=True, doc="The error function, 2/√π ∫₀ˣ exp(-t²) dt.")
erfc = unary("erfc", lambda ans, x: -_TWO_OVER_SQRT_PI * ew.exp(-ew.square(x)),
             kernel=_scipy("erfc"), inexact=True,
             doc="The complementary error function, 1 - erf(x), accurate where erf(x) is "
                 "close to 1.")
# erf(erfinv(x)) = x, so erfinv'(x) = 1 / erf'(ans) = √π/2 exp(ans²)
erfinv = unary("erfinv", lambda ans, x: _SQRT_PI_OVER_TWO * ew.exp(ew.square(ans)),
               kernel=_scipy("erfinv"), inexact=True, doc="The inverse of ``erf`` on (-1, 1).")
gammaln = unary("gammaln", lambda ans, x: digamma(x), kernel=_scipy("gammaln"), inexact=True,
                doc="log |Γ(x)|; its derivative is ``digamma``.")
digamma = unary("digamma", lambda ans, x: polygamma(1, x), kernel=_scipy("digamma"), inexact=True,
                doc="ψ(x) = d/dx log Γ(x); its derivative is ``polygamma(1, x)``.")

def _polygamma_kernel(xp: Any) -> Callable:
    kernel = _scipy("polygamma")(xp)
    return lambda x, n: kernel(x, n)


_polygamma = primitive("polygamma", _polygamma_kernel)
defbatch(_polygamma, elementwise_rule(_polygamma))   # pg.vmap
# d/dx ψ⁽ⁿ⁾(x) = ψ⁽ⁿ⁺¹⁾(x)
defvjp(_polygamma, lambda g, ans, x, n: g * polygamma(n + 1, x))
defjvp(_polygamma, lambda t, ans, x, n: t * polygamma(n + 1, x))


def polygamma(n: int, x: Any) -> Any:
    """ψ⁽ⁿ⁾(x), the ``n``-th derivative of ``digamma`` (``n`` a non-negative Python int).

    Examples
    --------
    >>> import polygrad.special as special
    >>> round(float(special.polygamma(1, 1.0)), 6)   # π²/6
    1.644934
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise TypeError(f"polygrad.special.polygamma: n must be a non-negative int, got {n!r}")
    return bind(_polygamma, (_float(x),), {"n": n})


polygamma.primitive = _polygamma


def _float(x: Any) -> Any:
    """``x`` as an Array of a floating dtype (integers become the backend's default float)."""
    x = as_array(x)
    if not x.dtype.is_floating:
        from ._backend import get_default_dtype
        from .numpy._data_types import astype

        x = astype(x, get_default_dtype(x._backend))
    return x


# -- logsumexp and the softmax family ------------------------------------------------------------
def _logsumexp_kernel(xp: Any) -> Callable:
    def logsumexp(x, axis, keepdims):
        if any(x.shape[a] == 0 for a in axis):   # an empty sum: log 0 = -inf
            shape = tuple(1 if i in axis else d for i, d in enumerate(x.shape))
            out = xp.full(shape, -math.inf, dtype=x.dtype)
        else:
            # shift by the maximum so that exp never overflows; an infinite maximum is not
            # subtracted (all -inf gives log 0 = -inf, a +inf entry gives +inf)
            m = xp.max(x, axis=axis, keepdims=True)
            m = xp.where(xp.isfinite(m), m, xp.zeros_like(m))
            out = xp.log(xp.sum(xp.exp(x - m), axis=axis, keepdims=True)) + m
        return out if keepdims else xp.reshape(
            out, tuple(d for i, d in enumerate(out.shape) if i not in axis))
    return logsumexp


def _softmax_weights(ans, x, axis, keepdims):
    # ∂ logsumexp / ∂x = exp(x - ans); a slice of all -inf (ans = -inf) gets weight 0, not NaN
    ans = expand_to(ans, x.shape, axis, keepdims)
    return ew.exp(x - ew.where(ew.equal(ans, -math.inf), 0.0, ans))


_logsumexp = primitive("logsumexp", _logsumexp_kernel)
defbatch(_logsumexp, reduction_rule(_logsumexp))   # pg.vmap
defvjp(_logsumexp, lambda g, ans, x, axis, keepdims:
       expand_to(g, x.shape, axis, keepdims) * _softmax_weights(ans, x, axis, keepdims))
defjvp(_logsumexp, lambda t, ans, x, axis, keepdims:
       _sum(t * _softmax_weights(ans, x, axis, keepdims), axis=axis, keepdims=keepdims))


def logsumexp(x: Any, /, *, axis: int | tuple[int, ...] | None = None, keepdims: bool = False
              ) -> Any:
    """log Σ exp(x) over ``axis`` (all axes when None), without overflow or underflow.

    Entries of -inf contribute nothing; an empty sum gives -inf. The derivative is the softmax
    ``exp(x - logsumexp(x))``.

    Examples
    --------
    >>> import polygrad.numpy as np, polygrad.special as special
    >>> float(special.logsumexp(np.asarray([1000.0, 1000.0])))   # 1000 + log 2
    1000.6931471805599
    """
    x = _float(x)
    axes = normalize_axis(axis, x.ndim, "special.logsumexp") if x.ndim else ()
    return bind(_logsumexp, (x,), {"axis": axes, "keepdims": keepdims})


logsumexp.primitive = _logsumexp


def _shift_by_max(x: Any, axis: Any) -> tuple[Any, tuple[int, ...]]:
    """``x`` minus its (finite) maximum over ``axis``, a constant to differentiation: the softmax
    family is invariant to the shift, which keeps large entries exact."""
    from .numpy import stop_gradient
    from .numpy._statistics import max as _max

    axes = normalize_axis(axis, x.ndim, "special.softmax") if x.ndim else ()
    if not axes or x.size == 0:
        return x, axes
    m = _max(stop_gradient(x), axis=axes, keepdims=True)
    return x - ew.where(ew.isfinite(m), m, 0.0), axes


def _log_softmax_kernel(xp: Any) -> Callable:
    def log_softmax(x, axis):
        m = xp.max(x, axis=axis, keepdims=True)
        s = x - xp.where(xp.isfinite(m), m, xp.zeros_like(m))
        return s - xp.log(xp.sum(xp.exp(s), axis=axis, keepdims=True))
    return log_softmax


# log_softmax is a primitive of its own (a classifier's last step): its rules reuse the output,
# softmax = exp(ans), instead of going back through the shift, logsumexp and two subtractions
_log_softmax = primitive("log_softmax", _log_softmax_kernel)
defbatch(_log_softmax, along_axis_rule(_log_softmax))   # pg.vmap
defvjp(_log_softmax, lambda g, ans, x, axis:
       g - ew.exp(ans) * _sum(g, axis=axis, keepdims=True))
defjvp(_log_softmax, lambda t, ans, x, axis:
       t - _sum(ew.exp(ans) * t, axis=axis, keepdims=True))


def log_softmax(x: Any, /, *, axis: int | tuple[int, ...] = -1) -> Any:
    """``x - logsumexp(x, axis)``: the log of ``softmax``, stable for large and -inf entries.

    Examples
    --------
    >>> import polygrad.numpy as np, polygrad.special as special
    >>> special.log_softmax(np.asarray([0.0, -np.inf])).tolist()
    [0.0, -inf]
    """
    x = _float(x)
    axes = normalize_axis(axis, x.ndim, "special.log_softmax") if x.ndim else ()
    if not axes or x.size == 0:   # nothing to normalise over: x - x (0, or an empty array)
        s, axes = _shift_by_max(x, axis)
        return s - logsumexp(s, axis=axes, keepdims=True)
    return bind(_log_softmax, (x,), {"axis": axes})


log_softmax.primitive = _log_softmax


def softmax(x: Any, /, *, axis: int | tuple[int, ...] = -1) -> Any:
    """``exp(x) / Σ exp(x)`` over ``axis``, computed as ``exp(log_softmax(x))`` (never overflows).

    Examples
    --------
    >>> import polygrad.numpy as np, polygrad.special as special
    >>> special.softmax(np.asarray([1000.0, 1000.0])).tolist()
    [0.5, 0.5]
    """
    return ew.exp(log_softmax(x, axis=axis))


# -- the logistic family -----------------------------------------------------------------------
def softplus(x: Any, /) -> Any:
    """log(1 + exp(x)), computed as ``logaddexp(x, 0)``: no overflow for large ``x``.

    Examples
    --------
    >>> import polygrad.special as special
    >>> float(special.softplus(1000.0))
    1000.0
    """
    return ew.logaddexp(_float(x), 0.0)


def log_sigmoid(x: Any, /) -> Any:
    """log(expit(x)) = -softplus(-x), accurate for large negative and positive ``x``."""
    return -ew.logaddexp(-_float(x), 0.0)


def expit(x: Any, /) -> Any:
    """The logistic sigmoid 1 / (1 + exp(-x)), as ``exp(log_sigmoid(x))``: it never overflows
    and keeps full relative accuracy for large negative ``x``.

    Examples
    --------
    >>> import polygrad.special as special
    >>> float(special.expit(0.0)), float(special.expit(-800.0))
    (0.5, 0.0)
    """
    return ew.exp(log_sigmoid(x))


def logit(p: Any, /) -> Any:
    """log(p / (1 - p)), the inverse of ``expit``, as ``log(p) - log1p(-p)``."""
    p = _float(p)
    return ew.log(p) - ew.log1p(-p)


def xlogy(x: Any, y: Any, /) -> Any:
    """``x * log(y)``, and 0 where ``x == 0`` (unless ``y`` is NaN), as ``scipy.special.xlogy``.

    Where ``x == 0`` and ``y`` is finite and positive the derivative in ``x`` is still log(y).

    Examples
    --------
    >>> import polygrad.special as special
    >>> float(special.xlogy(0.0, 0.0)), float(special.xlogy(2.0, 1.0))
    (0.0, 0.0)
    """
    x, y = _float(x), _float(y)
    usable = ew.logical_and(ew.greater(y, 0), ew.isfinite(y))
    # where x == 0, log is taken of 1 instead of an unusable y (0, negative, inf), never of NaN
    swap = ew.logical_and(ew.equal(x, 0), ew.logical_not(ew.logical_or(usable, ew.isnan(y))))
    return x * ew.log(ew.where(swap, 1.0, y))


def xlog1py(x: Any, y: Any, /) -> Any:
    """``x * log1p(y)``, and 0 where ``x == 0`` (unless ``y`` is NaN), as
    ``scipy.special.xlog1py``: the term ``k log(1 - p)`` of a binomial log-likelihood at p = 1.

    Examples
    --------
    >>> import polygrad.special as special
    >>> float(special.xlog1py(0.0, -1.0)), round(float(special.xlog1py(2.0, 1.0)), 6)
    (0.0, 1.386294)
    """
    x, y = _float(x), _float(y)
    usable = ew.logical_and(ew.greater(y, -1), ew.isfinite(y))
    swap = ew.logical_and(ew.equal(x, 0), ew.logical_not(ew.logical_or(usable, ew.isnan(y))))
    return x * ew.log1p(ew.where(swap, 0.0, y))


# -- compositions: Γ and B, entropies -----------------------------------------------------------
def gamma(x: Any, /) -> Any:
    """Γ(x), as ``sign · exp(gammaln(x))``: the sign is (-1)^k on (-k, -k+1) for negative ``x``,
    so Γ' = Γ ψ everywhere off the poles (where, as SciPy's, the value is ±inf or NaN).

    Examples
    --------
    >>> import polygrad.special as special
    >>> round(float(special.gamma(5.0)), 9), round(float(special.gamma(-0.5)), 6)
    (24.0, -3.544908)
    """
    x = _float(x)
    return _gamma_sign(x) * ew.exp(gammaln(x))


def betaln(a: Any, b: Any, /) -> Any:
    """log |B(a, b)| = gammaln(a) + gammaln(b) − gammaln(a + b)."""
    a, b = _float(a), _float(b)
    return gammaln(a) + gammaln(b) - gammaln(a + b)


def beta(a: Any, b: Any, /) -> Any:
    """B(a, b) = Γ(a) Γ(b) / Γ(a + b), through ``betaln`` (no overflow of the Γ's).

    Examples
    --------
    >>> import polygrad.special as special
    >>> round(float(special.beta(2.0, 3.0)), 6)   # 1/12
    0.083333
    """
    a, b = _float(a), _float(b)
    sign = _gamma_sign(a) * _gamma_sign(b) * _gamma_sign(a + b)
    return sign * ew.exp(betaln(a, b))


def _gamma_sign(x: Any) -> Any:
    # Γ < 0 exactly on the intervals (-k, -k+1) with k odd, i.e. where floor(x) is odd
    odd = ew.equal(ew.remainder(ew.floor(x), 2.0), 1.0)
    return ew.where(ew.logical_and(ew.less(x, 0.0), odd), -1.0, 1.0)


def multigammaln(a: Any, d: int) -> Any:
    """The log of the multivariate gamma function of dimension ``d`` (an int), as SciPy's:
    d(d−1)/4 log π + Σⱼ₌₁..d gammaln(a + (1 − j)/2)."""
    if isinstance(d, bool) or not isinstance(d, int) or d < 1:
        raise TypeError(f"polygrad.special.multigammaln: d must be a positive int, got {d!r}")
    a = _float(a)
    out = d * (d - 1) / 4.0 * math.log(math.pi)
    for j in range(1, d + 1):
        out = out + gammaln(a + (1 - j) / 2.0)
    return out


def entr(x: Any, /) -> Any:
    """The elementwise entropy −x log x (0 at x = 0, −inf for x < 0), as SciPy's."""
    x = _float(x)
    return ew.where(ew.less(x, 0.0), -math.inf, -xlogy(x, ew.where(ew.less(x, 0.0), 1.0, x)))


def rel_entr(x: Any, y: Any, /) -> Any:
    """x log(x / y) for x, y > 0; 0 for x = 0 and y ≥ 0; inf otherwise (SciPy's ``rel_entr``)."""
    x, y = _float(x), _float(y)
    both = ew.logical_and(ew.greater(x, 0.0), ew.greater(y, 0.0))
    zero = ew.logical_and(ew.equal(x, 0.0), ew.greater_equal(y, 0.0))
    xs, ys = ew.where(both, x, 1.0), ew.where(both, y, 1.0)
    return ew.where(both, xs * (ew.log(xs) - ew.log(ys)), ew.where(zero, 0.0, math.inf))


def erfcinv(y: Any, /) -> Any:
    """The inverse of ``erfc`` on (0, 2), as ``erfinv(1 − y)`` (absolute accuracy near y = 0)."""
    return erfinv(1.0 - _float(y))


def sinc(x: Any, /) -> Any:
    """The normalised sinc sin(πx)/(πx), with sinc(0) = 1 (``polygrad.numpy.sinc``)."""
    return _np_sinc(x)


# -- Bessel functions, zeta, incomplete gamma and beta ------------------------------------------
def _host_kernel(name: str) -> Callable[[Any], Callable]:
    """A kernel factory calling ``scipy.special.<name>(*args)`` (the arrays in the function's own
    argument order): on NumPy data directly, on other host data (torch or jax arrays on the CPU,
    array-api-strict) through a DLPack copy to NumPy and back. Backends with a native kernel
    (torch.special, jax.scipy.special) supply ``Backend.kernels[name]`` instead."""
    def factory(xp: Any) -> Callable:
        import numpy

        fn = _scipy_function(name)

        def kernel(*args):
            native = not any(isinstance(a, (numpy.ndarray, numpy.generic)) for a in args)
            if native:
                try:
                    host = [numpy.from_dlpack(a) for a in args]
                except Exception as e:
                    x = args[0]
                    raise NotImplementedError(
                        f"polygrad.special.{name}: this backend supplies no kernel, and the "
                        f"default one (scipy.special.{name}) cannot copy "
                        f"{type(x).__module__}.{type(x).__name__} to the host ({e}); supply "
                        f"Backend.kernels[{name!r}]") from None
            else:
                host = [numpy.asarray(a) for a in args]
            out = numpy.asarray(fn(*host), dtype=host[-1].dtype)
            if native:
                return xp.asarray(out, device=args[-1].device)
            return out
        return kernel
    return factory


def _operands(name: str, *args: Any) -> tuple:
    """The arguments promoted to one floating dtype (Python scalars weak, as in NumPy) and
    broadcast to one shape."""
    from .numpy._manipulation import broadcast_arrays
    from .numpy._promotion import promote_inexact

    out = promote_inexact(*args)
    like = next((a for a in out if type(a) is _Array), None)
    if like is None:
        out = tuple(_float(a) for a in out)
    else:
        from .numpy import full_like

        out = tuple(a if type(a) is _Array else full_like(like, a) for a in out)
    if out[0].dtype.kind != "f":
        raise TypeError(f"polygrad.special.{name}: needs real floating arguments, got "
                        f"{out[0].dtype}")
    return tuple(broadcast_arrays(*out))


def _no_derivative(name: str, arg: str, why: str) -> Callable:
    def rule(*_: Any, **__: Any) -> Any:
        raise DifferentiationError(
            f"polygrad.special.{name}: no derivative with respect to {arg} ({why}); "
            f"hold {arg} constant (polygrad.numpy.stop_gradient) to differentiate the others")
    return rule


def _special_primitive(name: str, *rules: Callable, kernel: Callable | None = None) -> Any:
    """A primitive ``name(*args)`` with a SciPy kernel (or ``kernel``); ``rules[i](ans, *args)``
    is the partial derivative in argument ``i`` (used by both the VJP and the JVP)."""
    prim = primitive(name, kernel or _host_kernel(name))

    def vjp(rule: Callable) -> Callable:
        return lambda g, ans, *args: g * rule(ans, *args)

    def jvp(rule: Callable) -> Callable:
        return lambda t, ans, *args: t * rule(ans, *args)
    defvjp(prim, *(vjp(r) for r in rules))
    defjvp(prim, *(jvp(r) for r in rules))
    defbatch(prim, elementwise_rule(prim))   # pg.vmap: elementwise, broadcasting
    return prim


def _at_zero(x: Any, value: float, f: Callable) -> Any:
    """``f(x)`` off ``x == 0`` and ``value`` there (the removable singularity of the I1/x and
    J1/x terms, whose limit is 1/2); ``f`` never sees a zero, so no NaN reaches a derivative.
    (The constant is exact for the first and second derivatives at 0, not beyond.)"""
    zero = ew.equal(x, 0.0)
    return ew.where(zero, value, f(ew.where(zero, 1.0, x)))


# i0e(x) = exp(-|x|) I0(x): i0e' = i1e - sign(x) i0e
i0e = unary("i0e", lambda ans, x: i1e(x) - ew.sign(x) * ans, kernel=_host_kernel("i0e"),
            inexact=True, doc="The exponentially scaled modified Bessel function of order 0, "
                              "exp(-|x|) I0(x); its derivative is i1e(x) - sign(x) i0e(x).")
# I1' = I0 - I1/x (1/2 at 0), with I0 = exp(|x|) i0e
i1 = unary("i1", lambda ans, x: ew.exp(ew.abs(x)) * i0e(x) - _at_zero(x, 0.5, lambda s: ans / s),
           kernel=_host_kernel("i1"), inexact=True,
           doc="The modified Bessel function of the first kind of order 1; I1' = I0 - I1/x.")
# i1e = exp(-|x|) I1: i1e' = i0e - i1e (sign(x) + 1/x) (1/2 at 0)
i1e = unary("i1e", lambda ans, x: i0e(x) - ew.sign(x) * ans
            - _at_zero(x, 0.5, lambda s: ans / s),
            kernel=_host_kernel("i1e"), inexact=True,
            doc="The exponentially scaled modified Bessel function of order 1, exp(-|x|) I1(x).")
# J0' = -J1, J1' = J0 - J1/x (1/2 at 0); likewise Y0' = -Y1, Y1' = Y0 - Y1/x
j0 = unary("j0", lambda ans, x: -j1(x), kernel=_host_kernel("j0"), inexact=True,
           doc="The Bessel function of the first kind of order 0; J0' = -J1.")
j1 = unary("j1", lambda ans, x: j0(x) - _at_zero(x, 0.5, lambda s: ans / s),
           kernel=_host_kernel("j1"), inexact=True,
           doc="The Bessel function of the first kind of order 1; J1' = J0 - J1/x.")
y0 = unary("y0", lambda ans, x: -y1(x), kernel=_host_kernel("y0"), inexact=True,
           doc="The Bessel function of the second kind of order 0 (x > 0); Y0' = -Y1.")
y1 = unary("y1", lambda ans, x: y0(x) - ans / x, kernel=_host_kernel("y1"), inexact=True,
           doc="The Bessel function of the second kind of order 1 (x > 0); Y1' = Y0 - Y1/x.")


def _array_api_kernel(compute: Callable, scipy_name: str | None = None) -> Callable:
    """A kernel factory running ``compute(kernels, xp, *args)`` (``kernels``: the Array API
    module polygrad/scipy/_special_kernels.py) on any namespace; on NumPy data
    ``scipy.special.<scipy_name>`` instead where given (the reference, and faster)."""
    def factory(xp: Any) -> Callable:
        from .scipy import _special_kernels as kernels

        fn, numpy = None, None
        if scipy_name is not None:
            try:
                import numpy
                import scipy.special
            except ImportError:
                pass
            else:
                fn = getattr(scipy.special, scipy_name)

        def kernel(*args):
            if fn is not None and all(isinstance(a, (numpy.ndarray, numpy.generic))
                                      for a in args):
                return numpy.asarray(fn(*args), dtype=numpy.asarray(args[-1]).dtype)
            return compute(kernels, xp, *args)
        return kernel
    return factory


def _ive_dv_kernel(xp: Any) -> Callable:
    """∂ive(v, x)/∂v by its power series (polygrad/scipy/_special_kernels.py), raising
    ``DifferentiationError`` where that is not accurate (never a wrong number)."""
    from .scipy import _special_kernels as kernels

    def kernel(v, x):
        out, ok = kernels.ive_dv(xp, v, x)
        if not bool(xp.all(ok)):
            bad = xp.logical_not(xp.reshape(ok, (-1,)))
            vb = xp.reshape(v, (-1,))[bad]
            xb = xp.reshape(x, (-1,))[bad]
            single = x.dtype == xp.float32
            domain = ("0 ≤ x ≤ 80" if single else "x ≥ 0") + " where its power series (or, " \
                "for large x, asymptotic expansion) reaches " + \
                f"{kernels.IVE_DV_TOLERANCE['float32' if single else 'float64']:g}"
            raise DifferentiationError(
                f"polygrad.special.ive: its derivative in the order v is computed for v ≥ 0 and "
                f"{domain} relative accuracy (not for v close to 0 at moderately large x, where "
                f"the derivative is exponentially smaller than the terms, nor v large against "
                f"√x for large x, nor at v = x = 0); got v={float(vb[0])!r}, "
                f"x={float(xb[0])!r} ({int(xb.shape[0])} element(s) outside); hold v constant "
                f"(polygrad.numpy.stop_gradient) to differentiate in x only")
        return out
    return kernel


# ∂ive/∂v: the power series of I_v differentiated term by term (no closed form). Its
# x-derivative is ∂/∂v of ive' = ive(v+1, x) + (v/x - sign x) ive(v, x) (I_v' = I_{v+1} + v/x I_v)
_ive_dv = _special_primitive(
    "ive_dv", _no_derivative("ive_dv (a derivative of ive)", "the order v",
                             "the second derivative of ive in its order is not implemented"),
    lambda ans, v, x: _ive_dv(v + 1.0, x) + _ive(v, x) / x + (v / x - ew.sign(x)) * ans,
    kernel=_ive_dv_kernel)
_ive = _special_primitive(
    "ive", lambda ans, v, x: _ive_dv(v, x),
    lambda ans, v, x: (_ive(v - 1.0, x) + _ive(v + 1.0, x)) / 2.0 - ew.sign(x) * ans)
def _third(name: str, arg: str) -> Callable:
    """The rule of a second derivative's own derivative in a shape: not implemented (raises)."""
    return _no_derivative(f"{name} (a second derivative)", arg,
                          f"the third derivative of {name.split('_d')[0]} in {arg.split()[-1]} "
                          f"is not implemented")


# ∂ζ(x, q)/∂x = -Σₖ log(k + q) (k + q)^(-x): Euler-Maclaurin summation carried with its
# x-derivatives; the q-derivatives are ∂/∂x (-x ζ(x + 1, q)) = -ζ(x + 1, q) - x ζ_x(x + 1, q)
# and ∂²/∂x² (-x ζ(x + 1, q)) = -2 ζ_x(x + 1, q) - x ζ_xx(x + 1, q)
_zeta_dxx = _special_primitive(
    "zeta_dxx", _third("zeta_dxx", "x"),
    lambda ans, x, q: -2.0 * _zeta_dx(x + 1.0, q) - x * _zeta_dxx(x + 1.0, q),
    kernel=_array_api_kernel(lambda k, xp, x, q: k.zeta_dxx(xp, x, q)))
_zeta_dx = _special_primitive(
    "zeta_dx", lambda ans, x, q: _zeta_dxx(x, q),
    lambda ans, x, q: -_zeta(x + 1.0, q) - x * _zeta_dx(x + 1.0, q),
    kernel=_array_api_kernel(lambda k, xp, x, q: k.zeta_dx(xp, x, q)))
_zeta = _special_primitive(
    "zeta", lambda ans, x, q: _zeta_dx(x, q),
    lambda ans, x, q: -x * _zeta(x + 1.0, q))


# ∂P/∂a has no closed form: the power series of P (x < a + 1) or the continued fraction of
# Q (elsewhere), each carried with its first and second derivatives in a (as Cephes' igam /
# igamc). The x-derivatives are ∂/∂a and ∂²/∂a² of the density x^(a-1) e^-x / Γ(a): that times
# (log x − ψ(a)), and times ((log x − ψ(a))² − ψ'(a))
_gammainc_daa = _special_primitive(
    "gammainc_daa", _third("gammainc_daa", "the shape a"),
    lambda ans, a, x: _density_times_square(_gamma_density(a, x), x, -digamma(a), None)
    - _gamma_density(a, x) * polygamma(1, a),
    kernel=_array_api_kernel(lambda k, xp, a, x: k.gammainc_daa(xp, a, x)))
_gammainc_da = _special_primitive(
    "gammainc_da", lambda ans, a, x: bind(_gammainc_daa, (a, x), {}),
    lambda ans, a, x: xlogy(_gamma_density(a, x), x) - _gamma_density(a, x) * digamma(a),
    kernel=_array_api_kernel(lambda k, xp, a, x: k.gammainc_da(xp, a, x)))


# ∂I/∂a and ∂I/∂b: the continued fraction of I (Lentz's method) carried with its first and
# second derivatives in a and b; their x-derivatives are those of the density
# x^(a-1) (1-x)^(b-1) / B(a, b): that · (log x − ψ(a) + ψ(a+b)) = that · La,
# · (log(1-x) − ψ(b) + ψ(a+b)) = that · Lb, and for the second ones · (La² − ψ'(a) + ψ'(a+b)),
# · (La Lb + ψ'(a+b)), · (Lb² − ψ'(b) + ψ'(a+b))
def _density_times_square(dens: Any, x: Any, alpha: Any, beta: Any) -> Any:
    """dens · (log x + alpha)² (``beta`` None), else dens · (log x + alpha)(log(1-x) + beta), with
    xlogy / xlog1py so that a zero density at x = 0 or 1 gives 0, not NaN."""
    dl = xlogy(dens, x)   # dens log x
    if beta is None:
        return xlogy(dl, x) + 2.0 * alpha * dl + ew.square(alpha) * dens
    return xlog1py(dl, -x) + beta * dl + alpha * xlog1py(dens, -x) + alpha * beta * dens


def _beta_shifts(a: Any, b: Any) -> tuple:
    # La = log x + alpha, Lb = log(1 - x) + beta, and ψ'(a + b)
    dab = digamma(a + b)
    return dab - digamma(a), dab - digamma(b), polygamma(1, a + b)


def _betainc_second(which: str) -> Callable:
    def rule(ans: Any, a: Any, b: Any, x: Any) -> Any:
        dens = _beta_density(a, b, x)
        alpha, beta, trig_ab = _beta_shifts(a, b)
        if which == "aa":
            return (_density_times_square(dens, x, alpha, None)
                    + dens * (trig_ab - polygamma(1, a)))
        if which == "bb":   # dens (log(1-x) + beta)²
            dl = xlog1py(dens, -x)
            return (xlog1py(dl, -x) + 2.0 * beta * dl + ew.square(beta) * dens
                    + dens * (trig_ab - polygamma(1, b)))
        return _density_times_square(dens, x, alpha, beta) + dens * trig_ab
    return rule


_betainc_daa = _special_primitive(
    "betainc_daa", _third("betainc_daa", "the shape a"), _third("betainc_daa", "the shape b"),
    _betainc_second("aa"),
    kernel=_array_api_kernel(lambda k, xp, a, b, x: k.betainc_dab2(xp, a, b, x)[0]))
_betainc_dadb = _special_primitive(
    "betainc_dadb", _third("betainc_dadb", "the shape a"), _third("betainc_dadb", "the shape b"),
    _betainc_second("ab"),
    kernel=_array_api_kernel(lambda k, xp, a, b, x: k.betainc_dab2(xp, a, b, x)[1]))
_betainc_dbb = _special_primitive(
    "betainc_dbb", _third("betainc_dbb", "the shape a"), _third("betainc_dbb", "the shape b"),
    _betainc_second("bb"),
    kernel=_array_api_kernel(lambda k, xp, a, b, x: k.betainc_dab2(xp, a, b, x)[2]))
_betainc_da = _special_primitive(
    "betainc_da", lambda ans, a, b, x: bind(_betainc_daa, (a, b, x), {}),
    lambda ans, a, b, x: bind(_betainc_dadb, (a, b, x), {}),
    lambda ans, a, b, x: xlogy(_beta_density(a, b, x), x)
    - _beta_density(a, b, x) * (digamma(a) - digamma(a + b)),
    kernel=_array_api_kernel(lambda k, xp, a, b, x: k.betainc_dab(xp, a, b, x)[0]))
_betainc_db = _special_primitive(
    "betainc_db", lambda ans, a, b, x: bind(_betainc_dadb, (a, b, x), {}),
    lambda ans, a, b, x: bind(_betainc_dbb, (a, b, x), {}),
    lambda ans, a, b, x: xlog1py(_beta_density(a, b, x), -x)
    - _beta_density(a, b, x) * (digamma(b) - digamma(a + b)),
    kernel=_array_api_kernel(lambda k, xp, a, b, x: k.betainc_dab(xp, a, b, x)[1]))

_gammainc = _special_primitive(
    "gammainc", lambda ans, a, x: bind(_gammainc_da, (a, x), {}),
    lambda ans, a, x: _gamma_density(a, x))
# Q = 1 - P
_gammaincc = _special_primitive(
    "gammaincc", lambda ans, a, x: -bind(_gammainc_da, (a, x), {}),
    lambda ans, a, x: -_gamma_density(a, x))
_betainc = _special_primitive(
    "betainc", lambda ans, a, b, x: bind(_betainc_da, (a, b, x), {}),
    lambda ans, a, b, x: bind(_betainc_db, (a, b, x), {}),
    lambda ans, a, b, x: _beta_density(a, b, x))

# The inverses: x = F⁻¹(a, p) solves F(a, x) = p, so ∂x/∂p = 1 / F_x(a, x) and
# ∂x/∂a = -F_a(a, x) / F_x(a, x) (the inverse function theorem, at x = ans)
_gammaincinv = _special_primitive(
    "gammaincinv",
    lambda ans, a, p: -bind(_gammainc_da, (a, ans), {}) / _gamma_density(a, ans),
    lambda ans, a, p: 1.0 / _gamma_density(a, ans),
    kernel=_array_api_kernel(lambda k, xp, a, p: k.gammaincinv_of(xp, a, p, upper=False),
                             "gammaincinv"))
# Q(a, x) = q: Q_a = -P_a, Q_x = -P_x
_gammainccinv = _special_primitive(
    "gammainccinv",
    lambda ans, a, q: -bind(_gammainc_da, (a, ans), {}) / _gamma_density(a, ans),
    lambda ans, a, q: -1.0 / _gamma_density(a, ans),
    kernel=_array_api_kernel(lambda k, xp, a, q: k.gammaincinv_of(xp, a, q, upper=True),
                             "gammainccinv"))
_betaincinv = _special_primitive(
    "betaincinv",
    lambda ans, a, b, y: -bind(_betainc_da, (a, b, ans), {}) / _beta_density(a, b, ans),
    lambda ans, a, b, y: -bind(_betainc_db, (a, b, ans), {}) / _beta_density(a, b, ans),
    lambda ans, a, b, y: 1.0 / _beta_density(a, b, ans),
    kernel=_array_api_kernel(lambda k, xp, a, b, y: k.betaincinv_of(xp, a, b, y),
                             "betaincinv"))


def _gamma_density(a: Any, x: Any) -> Any:
    # d/dx P(a, x) = x^(a-1) exp(-x) / Γ(a) (xlogy: 0 log 0 = 0 for a = 1)
    return ew.exp(xlogy(a - 1.0, x) - x - gammaln(a))


def _beta_density(a: Any, b: Any, x: Any) -> Any:
    # d/dx I_x(a, b) = x^(a-1) (1-x)^(b-1) / B(a, b)
    return ew.exp(xlogy(a - 1.0, x) + xlog1py(b - 1.0, -x) - betaln(a, b))


def ive(v: Any, x: Any, /) -> Any:
    """The exponentially scaled modified Bessel function of the first kind, exp(-|x|) I_v(x),
    as ``scipy.special.ive`` (real orders ``v``). Differentiable in ``x``
    (I_v' = (I_{v-1} + I_{v+1}) / 2), and in the order ``v`` (no closed form: the power series
    differentiated term by term, exp(-x) Σₖ (x/2)^(2k+v) / (k! Γ(k+v+1)) · (log(x/2) -
    ψ(k+v+1)), and for large x the asymptotic expansion in 1/x) for v ≥ 0 and x ≥ 0 (x ≤ 80
    in float32) wherever these reach 1e-9 relative (1e-3 in float32) by a bound on their error,
    computed with them. Elsewhere (v < 0, x < 0, v close to 0 for 10 ≲ x ≲ 372, where the
    derivative, -K₀(x) e^(-x) at v = 0, is exponentially smaller than the terms, or v large
    against √x for x > 600) the derivative in ``v`` raises ``DifferentiationError`` naming an
    offending element, as does the second derivative in ``v`` everywhere.

    Examples
    --------
    >>> import polygrad.special as special
    >>> round(float(special.ive(0.0, 1.0)), 6)
    0.46576
    """
    return bind(_ive, _operands("ive", v, x), {})


def zeta(x: Any, q: Any = None, /) -> Any:
    """The Hurwitz zeta function Σₖ (k + q)^(-x) (the Riemann zeta function when ``q`` is None),
    as ``scipy.special.zeta``. Differentiable in ``q`` (∂/∂q = -x ζ(x + 1, q)) and in ``x``
    for x > 1 (-Σₖ log(k + q) (k + q)^(-x), by Euler-Maclaurin summation, ~1e-14 relative),
    twice in ``x`` (Σₖ log²(k + q) (k + q)^(-x), likewise); the third derivative in ``x``
    raises ``DifferentiationError``.

    Examples
    --------
    >>> import polygrad.special as special
    >>> round(float(special.zeta(2.0)), 6)   # π²/6
    1.644934
    """
    return bind(_zeta, _operands("zeta", x, 1.0 if q is None else q), {})


def gammainc(a: Any, x: Any, /) -> Any:
    """The regularized lower incomplete gamma function P(a, x) = γ(a, x) / Γ(a), as
    ``scipy.special.gammainc``. Differentiable in ``x`` (∂P/∂x = x^(a-1) e^(-x) / Γ(a)) and in
    the shape ``a`` (no closed form: the series or continued fraction of P carried with its
    derivative, ~1e-12 relative in float64 for a up to ~1e3), twice in ``a`` (the same carried
    with its second derivative, likewise accurate); the third derivative in ``a`` raises
    ``DifferentiationError``. The mixed ones with ``x`` are exact.

    Examples
    --------
    >>> import polygrad.special as special
    >>> round(float(special.gammainc(1.0, 2.0)), 6)   # 1 - exp(-2)
    0.864665
    """
    return bind(_gammainc, _operands("gammainc", a, x), {})


def gammaincc(a: Any, x: Any, /) -> Any:
    """The regularized upper incomplete gamma function Q(a, x) = 1 - P(a, x), accurate where P
    is close to 1, as ``scipy.special.gammaincc``; derivatives as ``gammainc``'s."""
    return bind(_gammaincc, _operands("gammaincc", a, x), {})


def betainc(a: Any, b: Any, x: Any, /) -> Any:
    """The regularized incomplete beta function I_x(a, b), as ``scipy.special.betainc``.
    Differentiable in ``x`` (∂I/∂x = x^(a-1) (1-x)^(b-1) / B(a, b)) and in the shapes ``a``
    and ``b`` (no closed form: the continued fraction of I carried with its derivatives, ~1e-10
    relative in float64 for shapes up to ~1e3), twice in the shapes (the fraction carried with
    its second derivatives); third derivatives in the shapes raise ``DifferentiationError``.
    The mixed ones with ``x`` are exact.

    Examples
    --------
    >>> import polygrad.special as special
    >>> round(float(special.betainc(2.0, 3.0, 0.5)), 6)
    0.6875
    """
    return bind(_betainc, _operands("betainc", a, b, x), {})


def gammaincinv(a: Any, p: Any, /) -> Any:
    """The inverse of ``gammainc`` in x: the x ≥ 0 with P(a, x) = p, as
    ``scipy.special.gammaincinv`` (0 at p = 0, inf at p = 1, NaN off [0, 1] or for a ≤ 0).
    Differentiable in ``p`` (1 / P_x) and in ``a`` (-P_a / P_x, at the solution).

    The kernel is SciPy's on NumPy data; on other namespaces (torch, jax, array-api-strict, any
    device) Newton's method on the log of the smaller tail inside a shrinking bracket, a fixed
    number of steps, equal to SciPy's to ~1e-13 relative in float64.

    Examples
    --------
    >>> import polygrad.special as special
    >>> round(float(special.gammaincinv(1.0, 0.5)), 6)   # log 2
    0.693147
    """
    return bind(_gammaincinv, _operands("gammaincinv", a, p), {})


def gammainccinv(a: Any, q: Any, /) -> Any:
    """The inverse of ``gammaincc`` in x: the x ≥ 0 with Q(a, x) = q, as
    ``scipy.special.gammainccinv``; derivatives as ``gammaincinv``'s (∂x/∂q = -1 / P_x).

    Examples
    --------
    >>> import polygrad.special as special
    >>> round(float(special.gammainccinv(1.0, 0.25)), 6)   # log 4
    1.386294
    """
    return bind(_gammainccinv, _operands("gammainccinv", a, q), {})


def betaincinv(a: Any, b: Any, y: Any, /) -> Any:
    """The inverse of ``betainc`` in x: the x in [0, 1] with I_x(a, b) = y, as
    ``scipy.special.betaincinv``. Differentiable in ``y`` (1 / I_x) and in the shapes ``a`` and
    ``b`` (-I_a / I_x, -I_b / I_x at the solution). Kernels as ``gammaincinv``'s (~1e-10
    relative to SciPy's in float64).

    Examples
    --------
    >>> import polygrad.special as special
    >>> round(float(special.betaincinv(2.0, 3.0, 0.6875)), 6)
    0.5
    """
    return bind(_betaincinv, _operands("betaincinv", a, b, y), {})


for _f, _p in ((ive, _ive), (zeta, _zeta), (gammainc, _gammainc), (gammaincc, _gammaincc),
               (betainc, _betainc), (gammaincinv, _gammaincinv),
               (gammainccinv, _gammainccinv), (betaincinv, _betaincinv)):
    _f.primitive = _p
del _f, _p


psi = digamma   # SciPy's and autograd's other name


def rgamma(x: Any, /) -> Any:
    """1 / Γ(x), as ``scipy.special.rgamma`` (0 at the poles of Γ)."""
    x = _float(x)
    pole = ew.logical_and(ew.less_equal(x, 0.0), ew.equal(x, ew.floor(x)))
    return ew.where(pole, 0.0, _gamma_sign(x) * ew.exp(-gammaln(ew.where(pole, 0.5, x))))


def gammasgn(x: Any, /) -> Any:
    """The sign of Γ(x) (±1; a constant to differentiation), as ``scipy.special.gammasgn``."""
    from .numpy import stop_gradient

    x = _float(x)
    pole = ew.logical_and(ew.less_equal(x, 0.0), ew.equal(x, ew.floor(x)))
    return stop_gradient(ew.where(pole, math.nan, _gamma_sign(x)))


def iv(v: Any, x: Any, /) -> Any:
    """The modified Bessel function of the first kind I_v(x) = exp(|x|) ive(v, x), as
    ``scipy.special.iv``; derivatives as ``ive``'s."""
    return ive(v, x) * ew.exp(ew.abs(_float(x)))
