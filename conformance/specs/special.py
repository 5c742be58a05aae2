"""Spec rows of ``polygrad.special`` (logsumexp, the softmax and logistic families, erf & co.,
gammaln, digamma, polygamma, xlogy, the Bessel functions, zeta, the incomplete gamma and beta
functions and their inverses); SciPy is the reference.

Imports polygrad.special, NumPy and the suite's spec types; SciPy lazily.
"""

from __future__ import annotations

import numpy

import polygrad.special as special
from polygrad_conformance.specs._helpers import A, Case, Spec, unary_cases

__all__ = ["specs"]


def _sp(name):
    def ref(*args, **kw):
        import scipy.special

        return getattr(scipy.special, name)(*args, **kw)
    ref.__name__ = name
    return ref


def _log_softmax_ref(x, axis=-1):
    from scipy.special import logsumexp

    return x - logsumexp(x, axis=axis, keepdims=True)


def _softmax_ref(x, axis=-1):
    return numpy.exp(_log_softmax_ref(x, axis))


def _prob(rng, shape, c):
    return rng.uniform(0.1, 0.9, shape)


def _order(rng, shape, c):
    return rng.uniform(0.0, 2.5, shape)


def _gt2(rng, shape, c):
    return rng.uniform(2.0, 4.0, shape)


def _shape(rng, shape, c):
    return rng.uniform(1.5, 4.0, shape)


def _fd(name, arg):
    """The derivative of ``scipy.special.<name>`` in argument ``arg``: a five-point central
    difference (error ~1e-11 relative), the reference of the shape-derivative primitives."""
    def ref(*args):
        f = _sp(name)
        h = 1e-3 * numpy.abs(args[arg])

        def at(k):
            moved = list(args)
            moved[arg] = args[arg] + k * h
            return f(*moved)
        return (-at(2) + 8 * at(1) - 8 * at(-1) + at(-2)) / (12 * h)
    ref.__name__ = f"d{name}"
    return ref


def _mp_gammainc(mpmath, a, x):
    return mpmath.gammainc(a, 0, x, regularized=True)


def _mp_betainc(mpmath, a, b, x):
    return mpmath.betainc(a, b, 0, x, regularized=True)


def _mp_derivative(name, f, orders):
    """The derivative of ``f`` in its leading arguments (``orders``, as mpmath.diff's) by mpmath
    at 40 digits, element by element; ``f`` None: the Hurwitz zeta function's second in x."""
    def ref(*args):
        import mpmath

        args = numpy.broadcast_arrays(*args)
        out = numpy.empty(args[0].shape)
        with mpmath.workdps(40):
            for i in numpy.ndindex(out.shape):
                v = [mpmath.mpf(float(a[i])) for a in args]
                if f is None:
                    out[i] = float(mpmath.zeta(v[0], v[1], 2))
                else:
                    n = len(orders)
                    rest = v[n:]
                    out[i] = float(mpmath.diff(lambda *s, rest=rest: f(mpmath, *s, *rest),
                                               tuple(v[:n]), orders))
        return out
    ref.__name__ = name
    return ref


def _mp_ive(mpmath, v, x):
    return mpmath.besseli(v, x) * mpmath.exp(-abs(x))


def _mp_row(name, fn, f, orders, cases) -> Spec:
    return Spec(name, fn, _mp_derivative(name, f, orders), cases, needs=("mpmath",),
                category="special")


def _beta2_cases():
    return [Case(A((3,), _shape, diff=False), A((3,), _shape, diff=False), A((3,), _prob))]


def _row(name, fn, ref, cases, **kw) -> Spec:
    return Spec(name, fn, ref, cases, needs=("scipy",), category="special", **kw)


def _unary(name, domain, **kw) -> Spec:
    return _row(f"special.{name}" if kw.pop("composed", False) else name,
                getattr(special, name), _sp(name), unary_cases(domain), **kw)


def specs() -> list:
    axis_cases = [Case(A((3, 4))), Case(A((3, 4)), axis=0), Case(A((3, 4)), axis=-1,
                  keepdims=True), Case(A((2, 3, 2)), axis=(0, 2)), Case(A(())),
                  Case(A((3,), values=[1000.0, 1000.0, -1000.0]), id="large")]
    soft = [Case(A((3, 4))), Case(A((3, 4)), axis=0), Case(A((2, 3, 2)), axis=(0, 2))]
    return [
        _row("logsumexp", special.logsumexp, _sp("logsumexp"), axis_cases,
             covers=("special.logsumexp",)),
        _unary("erf", "real", covers=("special.erf",)),
        _unary("erfc", "real", covers=("special.erfc",)),
        _unary("erfinv", "unit", covers=("special.erfinv",)),
        _unary("gammaln", "positive", covers=("special.gammaln",)),
        _unary("digamma", "positive", covers=("special.digamma",)),
        _row("polygamma", lambda x, n: special.polygamma(n, x), lambda x, n: _sp("polygamma")(
            n, x), [Case(A((4,), "positive"), n=1), Case(A((2, 3), "positive"), n=2),
                    Case(A((), "positive"), n=0)], covers=("special.polygamma",)),
        _row("special.softmax", special.softmax, _softmax_ref, soft,
             primitives=("log_softmax", "exp")),
        _row("log_softmax", special.log_softmax, _log_softmax_ref, soft + [
            Case(A((3,), values=[1000.0, 1000.0, -1000.0]), id="large")],
             covers=("special.log_softmax",)),
        _unary("expit", "real", composed=True, primitives=("logaddexp", "exp")),
        _unary("logit", _prob, composed=True, primitives=("log", "log1p")),
        _row("special.log_sigmoid", special.log_sigmoid,
             lambda x: -numpy.logaddexp(0.0, -x), unary_cases("real"),
             primitives=("logaddexp",)),
        _row("special.softplus", special.softplus, lambda x: numpy.logaddexp(0.0, x),
             unary_cases("real"), primitives=("logaddexp",)),
        _unary("i0e", "nonzero", covers=("special.i0e",)),
        _unary("i1", "real", covers=("special.i1",)),
        _unary("i1e", "nonzero", covers=("special.i1e",)),
        _unary("j0", "real", covers=("special.j0",)),
        _unary("j1", "real", covers=("special.j1",)),
        _unary("y0", "positive", covers=("special.y0",)),
        _unary("y1", "positive", covers=("special.y1",)),
        # ive's derivative in its order is a primitive (ive_dv) whose own derivative in the
        # order raises: the case differentiating the order stops at first order;
        # zeta's second derivative in x is a primitive (zeta_dxx) whose own x-derivative
        # raises: the derivative rows of zeta_dx in x stop at first order
        _row("ive", special.ive, _sp("ive"), [
            Case(A((3,), _order, diff=False), A((3,), "positive")),
            Case(A((), _order, diff=False), A((2, 3), "positive")),
            Case(A((3,), _order), A((3,), "positive"), order=1, id="in-v")],
             covers=("special.ive",)),
        # ive's derivative in its order (a power series, on its domain v ≥ 0, 0 ≤ x ≤ 600),
        # whose own derivative in the order raises: in x only
        _mp_row("ive_dv", special._ive_dv, _mp_ive, (1,), [
            Case(A((3,), _order, diff=False), A((3,), "positive"))]),
        _row("zeta", special.zeta, _sp("zeta"), [
            Case(A((3,), _gt2, diff=False), A((3,), "positive")),
            Case(A((3,), _gt2), A((3,), "positive"), id="in-x"),
            Case(A((), _gt2, diff=False), A((2, 3), "positive"))],
             covers=("special.zeta",)),
        # the shape derivatives of the incomplete gamma and beta functions are primitives
        # (gammainc_da, betainc_da, betainc_db), and so are the second ones (gammainc_daa,
        # betainc_daa, betainc_dadb, betainc_dbb), whose own shape derivatives raise: second
        # order here, first order in the rows of the first derivatives, none in the second's
        _row("gammainc", special.gammainc, _sp("gammainc"), [
            Case(A((3,), "positive", diff=False), A((3,), "positive")),
            Case(A((), "positive", diff=False), A((2, 3), "positive")),
            Case(A((3,), _shape), A((3,), "positive"), id="in-shapes")],
             covers=("special.gammainc",)),
        _row("gammaincc", special.gammaincc, _sp("gammaincc"), [
            Case(A((3,), "positive", diff=False), A((3,), "positive")),
            Case(A((), "positive", diff=False), A((2, 3), "positive")),
            Case(A((3,), _shape), A((3,), "positive"), id="in-shapes")],
             covers=("special.gammaincc",)),
        _row("betainc", special.betainc, _sp("betainc"), [
            Case(A((3,), _shape, diff=False), A((3,), _shape, diff=False), A((3,), _prob)),
            Case(A((3,), _shape), A((3,), _shape), A((3,), _prob), id="in-shapes"),
            Case(A((), _shape, diff=False), A((), _shape, diff=False), A((2, 3), _prob))],
             covers=("special.betainc",)),
        # the shape-derivative primitives themselves (their x-derivatives are closed forms;
        # their shape derivatives the second-derivative primitives, whose own raise)
        _row("gammainc_da", special._gammainc_da, _fd("gammainc", 0), [
            Case(A((3,), _shape, diff=False), A((3,), "positive"), tol=100.0),
            Case(A((3,), _shape), A((3,), "positive"), order=1, tol=100.0, id="in-shapes")]),
        _row("betainc_da", special._betainc_da, _fd("betainc", 0), [
            Case(A((3,), _shape, diff=False), A((3,), _shape, diff=False), A((3,), _prob),
                 tol=100.0),
            Case(A((3,), _shape), A((3,), _shape), A((3,), _prob), order=1, tol=100.0,
                 id="in-shapes")]),
        _row("betainc_db", special._betainc_db, _fd("betainc", 1), [
            Case(A((3,), _shape, diff=False), A((3,), _shape, diff=False), A((3,), _prob),
                 tol=100.0),
            Case(A((3,), _shape), A((3,), _shape), A((3,), _prob), order=1, tol=100.0,
                 id="in-shapes")]),
        _row("zeta_dx", special._zeta_dx, _fd("zeta", 0), [
            Case(A((3,), _gt2, diff=False), A((3,), "positive"), tol=100.0),
            Case(A((3,), _gt2), A((3,), "positive"), order=1, tol=100.0, id="in-x")]),
        # the second derivatives, against mpmath's (40 digits)
        _mp_row("gammainc_daa", special._gammainc_daa, _mp_gammainc, (2,), [
            Case(A((3,), _shape, diff=False), A((3,), "positive"))]),
        _mp_row("betainc_daa", special._betainc_daa, _mp_betainc, (2, 0), _beta2_cases()),
        _mp_row("betainc_dadb", special._betainc_dadb, _mp_betainc, (1, 1), _beta2_cases()),
        _mp_row("betainc_dbb", special._betainc_dbb, _mp_betainc, (0, 2), _beta2_cases()),
        _mp_row("zeta_dxx", special._zeta_dxx, None, (2,), [
            Case(A((3,), _gt2, diff=False), A((3,), "positive"))]),
        _row("gammaincinv", special.gammaincinv, _sp("gammaincinv"), [
            Case(A((3,), _shape, diff=False), A((3,), _prob)),
            Case(A((), _shape, diff=False), A((2, 3), _prob)),
            Case(A((3,), _shape), A((3,), _prob), id="in-shapes")],
             covers=("special.gammaincinv",)),
        _row("gammainccinv", special.gammainccinv, _sp("gammainccinv"), [
            Case(A((3,), _shape, diff=False), A((3,), _prob)),
            Case(A((3,), _shape), A((3,), _prob), id="in-shapes")],
             covers=("special.gammainccinv",)),
        _row("betaincinv", special.betaincinv, _sp("betaincinv"), [
            Case(A((3,), _shape, diff=False), A((3,), _shape, diff=False), A((3,), _prob)),
            Case(A((), _shape, diff=False), A((), _shape, diff=False), A((2, 3), _prob)),
            Case(A((3,), _shape), A((3,), _shape), A((3,), _prob), id="in-shapes")],
             covers=("special.betaincinv",)),
        _row("special.xlogy", special.xlogy, _sp("xlogy"), [
            Case(A((4,)), A((4,), "positive")), Case(A((2, 3)), A((3,), "positive")),
            Case(A((3,), values=[0.0, 1.5, 0.0]), A((3,), values=[2.0, 2.0, 3.0]), id="x=0")],
            primitives=("multiply", "log", "where")),
    ]
