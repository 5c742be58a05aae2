"""Array API kernels of the incomplete gamma and beta functions with their derivatives in the shape
parameters, of their inverses (Newton's method in a bracket) and of zeta's derivative in x:
vectorised, with bounded iteration counts that stop early once every element has converged, so
they run on any eager namespace (numpy, torch, array-api-strict, dask, any device).

The log-gamma and digamma values they need (the Array API has neither) are Stirling's series
after a shift of the argument above 15 (``lgamma``, ``digamma``). Imports nothing from polygrad.
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["igamma", "gammaincinv", "ibeta", "betaincinv", "iterations", "lgamma", "digamma",
           "trigamma", "gammainc_da", "gammainc_daa", "betainc_dab", "betainc_dab2",
           "gammaincinv_of", "betaincinv_of", "zeta_dx", "zeta_dxx", "ive_dv"]

_SHIFT = 15
# B₂ₖ / (2k (2k - 1)), the coefficients of Stirling's series of log Γ
_STIRLING = (1 / 12, -1 / 360, 1 / 1260, -1 / 1680, 1 / 1188, -691 / 360360, 1 / 156,
             -3617 / 122400)
# B₂ₖ / (2k), those of the asymptotic series of ψ
_PSI = (1 / 12, -1 / 120, 1 / 252, -1 / 240, 1 / 132, -691 / 32760, 1 / 12)


def _settled(xp: Any, close: Any) -> bool:
    """Whether every element has converged: read on the host every few iterations so that a loop
    stops early. A tracer that cannot read values (torch's make_fx, jax.jit) raises its own
    error here: unrolled, the loops would make graphs of 1e5 operations. Under pg.jit the
    backends run these kernels outside the compiled graph instead: torch as one opaque custom
    operator (polygrad_backends/torch_opaque.py), jax through jax.pure_callback."""
    return bool(xp.all(close))


def _eps(xp: Any, x: Any) -> float:
    """The tolerance of the convergence tests: a few ulps (a sum can wobble by one forever)."""
    return 4.0 * (2.0 ** -23 if x.dtype == xp.float32 else 2.0 ** -52)


def lgamma(xp: Any, a: Any) -> Any:
    """log Γ(a) for a > 0: Γ(a) = Γ(a + n) / (a (a+1) … (a+n-1)) with a + n ≥ 15, then
    Stirling's series (relative error ~1e-16 there; absolute ~1e-15 near the zeros at 1 and 2)."""
    z, prod = a, xp.ones_like(a)
    for _ in range(_SHIFT):
        small = z < _SHIFT
        prod = xp.where(small, prod * z, prod)
        z = xp.where(small, z + 1.0, z)
    w = 1.0 / (z * z)
    series = xp.zeros_like(z)
    for c in reversed(_STIRLING):
        series = series * w + c
    return ((z - 0.5) * xp.log(z) - z + 0.5 * math.log(2.0 * math.pi) + series / z
            - xp.log(prod))


def digamma(xp: Any, a: Any) -> Any:
    """ψ(a) for a > 0: ψ(a) = ψ(a + n) - Σ 1/(a + k) with a + n ≥ 15, then the asymptotic
    series log z - 1/(2z) - Σ B₂ₖ / (2k z²ᵏ)."""
    z, acc = a, xp.zeros_like(a)
    for _ in range(_SHIFT):
        small = z < _SHIFT
        acc = xp.where(small, acc + 1.0 / z, acc)
        z = xp.where(small, z + 1.0, z)
    w = 1.0 / (z * z)
    series = xp.zeros_like(z)
    for c in reversed(_PSI):
        series = series * w + c
    return xp.log(z) - 0.5 / z - series * w - acc


# B₂ₖ, the coefficients of the asymptotic series of ψ'
_TRIGAMMA = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6)


def trigamma(xp: Any, a: Any) -> Any:
    """ψ'(a) for a > 0: ψ'(a) = ψ'(a + n) + Σ 1/(a + k)² with a + n ≥ 15, then the asymptotic
    series 1/z + 1/(2z²) + Σ B₂ₖ / z^(2k+1)."""
    z, acc = a, xp.zeros_like(a)
    for _ in range(_SHIFT):
        small = z < _SHIFT
        acc = xp.where(small, acc + 1.0 / (z * z), acc)
        z = xp.where(small, z + 1.0, z)
    w = 1.0 / (z * z)
    series = xp.zeros_like(z)
    for c in reversed(_TRIGAMMA):
        series = series * w + c
    return 1.0 / z + 0.5 * w + series * w / z + acc


def iterations(xp: Any, x: Any) -> int:
    """Terms of the series and continued fractions: enough for shapes up to ~1e3 in float64."""
    return 120 if x.dtype == xp.float32 else 300


# -- the regularised incomplete gamma functions ------------------------------------------------
def igamma(xp: Any, a: Any, x: Any, lgam: Any, dig: Any | None, n: int,
           trig: Any | None = None) -> tuple:
    """``(P(a, x), Q(a, x), ∂P/∂a)`` (the last None when ``dig`` is None) for a > 0, x ≥ 0:
    the power series of P where x < a + 1, the continued fraction of Q elsewhere (Cephes'
    igam / igamc, each carried with its derivative in ``a``). With ``trig`` (ψ'(a)) too, a
    fourth entry: ∂²P/∂a² (the series and fraction carried with their second derivatives)."""
    series = x < a + 1.0
    positive = x > 0
    # each branch gets, where the other one is used, a point where it converges fast
    xs = xp.where(positive & series, x, 0.5 * (a + 1.0))
    xc = xp.where(series, 2.0 * a + 10.0, x)
    p_s, dp_s, d2p_s = _igamma_series(xp, a, xs, lgam, dig, n, trig)
    q_c, dq_c, d2q_c = _igammac_fraction(xp, a, xc, lgam, dig, n, trig)
    p = xp.where(series, p_s, 1.0 - q_c)
    q = xp.where(series, 1.0 - p_s, q_c)
    p = xp.where(positive, p, 0.0)
    q = xp.where(positive, q, 1.0)
    if dig is None:
        return p, q, None
    dp = xp.where(positive, xp.where(series, dp_s, -dq_c), 0.0)
    if trig is None:
        return p, q, dp
    return p, q, dp, xp.where(positive, xp.where(series, d2p_s, -d2q_c), 0.0)


def _igamma_series(xp, a, x, lgam, dig, n, trig=None):
    # P = x^a e^-x / Γ(a+1) · Σₖ xᵏ / ((a+1)…(a+k)); each term's a-derivative is itself times
    # -Σⱼ 1/(a+j), carried along (and the second derivative: c'' = (x c''₋₁ - 2c') / (a+k))
    c = xp.ones_like(x)
    dc = d2c = xp.zeros_like(x)
    s, ds, d2s = c, dc, d2c
    eps, second = _eps(xp, x), trig is not None
    for k in range(1, n + 1):
        r = 1.0 / (a + float(k))
        c = c * x * r
        s = s + c
        if dig is not None:
            dc = (dc * x - c) * r
            ds = ds + dc
            if second:
                d2c = (d2c * x - 2.0 * dc) * r
                d2s = d2s + d2c
        if k % 8 == 0 and _settled(xp, (c <= eps * s) & (
                True if dig is None else xp.abs(dc) <= eps * xp.abs(ds)) & (
                True if not second else xp.abs(d2c) <= eps * xp.abs(d2s))):
            break
    log_front = a * xp.log(x) - x - lgam - xp.log(a)
    front = xp.exp(log_front)
    if dig is None:
        return front * s, None, None
    dlog = xp.log(x) - dig - 1.0 / a   # ∂/∂a of log_front
    d = front * (dlog * s + ds)
    if not second:
        return front * s, d, None
    d2log = 1.0 / (a * a) - trig
    return front * s, d, front * ((dlog * dlog + d2log) * s + 2.0 * dlog * ds + d2s)


def _igammac_fraction(xp, a, x, lgam, dig, n, trig=None):
    # Q = x^a e^-x / Γ(a) · 1/(x+1-a- 1(1-a)/(x+3-a- 2(2-a)/(x+5-a- …))), the convergents'
    # numerators and denominators (and their first and second a-derivatives) by the three-term
    # recurrence
    big, grad, second = 2.0 ** 64, dig is not None, trig is not None
    y = 1.0 - a
    z = x + y + 1.0
    pkm2, qkm2 = xp.ones_like(x), x
    pkm1, qkm1 = x + 1.0, z * x
    dpkm2 = dqkm2 = dpkm1 = xp.zeros_like(x)
    dqkm1 = -x
    d2pkm2 = d2qkm2 = d2pkm1 = d2qkm1 = xp.zeros_like(x)
    pk, qk, dpk, dqk, d2pk, d2qk = pkm1, qkm1, dpkm1, dqkm1, d2pkm1, d2qkm1
    eps, last, dlast, d2last = _eps(xp, x), pk / qk, xp.zeros_like(x), xp.zeros_like(x)
    for k in range(1, n + 1):
        y = y + 1.0
        z = z + 2.0
        yc = y * float(k)
        pk = pkm1 * z - pkm2 * yc
        qk = qkm1 * z - qkm2 * yc
        if grad:   # dy/da = -1, dz/da = -1
            if second:
                d2pk = d2pkm1 * z - 2.0 * dpkm1 - d2pkm2 * yc + 2.0 * float(k) * dpkm2
                d2qk = d2qkm1 * z - 2.0 * dqkm1 - d2qkm2 * yc + 2.0 * float(k) * dqkm2
                d2pkm2, d2qkm2, d2pkm1, d2qkm1 = d2pkm1, d2qkm1, d2pk, d2qk
            dpk = dpkm1 * z - pkm1 - dpkm2 * yc + pkm2 * float(k)
            dqk = dqkm1 * z - qkm1 - dqkm2 * yc + qkm2 * float(k)
            dpkm2, dqkm2, dpkm1, dqkm1 = dpkm1, dqkm1, dpk, dqk
        pkm2, qkm2, pkm1, qkm1 = pkm1, qkm1, pk, qk
        if k % 8:
            continue
        # every 8 terms (a growth of at most ~1e40): rescale to |qk| = 1, and stop once settled
        scale = xp.where(xp.abs(qk) > big, 1.0 / xp.abs(qk), xp.ones_like(qk))
        pkm2, qkm2, pkm1, qkm1 = pkm2 * scale, qkm2 * scale, pkm1 * scale, qkm1 * scale
        pk, qk = pkm1, qkm1
        close = xp.abs(pk / qk - last) <= eps * xp.abs(last)
        last = pk / qk
        if grad:
            dpkm2, dqkm2, dpkm1, dqkm1 = dpkm2 * scale, dqkm2 * scale, dpkm1 * scale, \
                dqkm1 * scale
            dpk, dqk = dpkm1, dqkm1
            dfrac = dpk / qk - (pk / qk) * (dqk / qk)
            close = close & (xp.abs(dfrac - dlast) <= eps * xp.abs(dfrac))
            dlast = dfrac
        if second:
            d2pkm2, d2qkm2, d2pkm1, d2qkm1 = d2pkm2 * scale, d2qkm2 * scale, \
                d2pkm1 * scale, d2qkm1 * scale
            d2pk, d2qk = d2pkm1, d2qkm1
            d2frac = (d2pk - 2.0 * dfrac * dqk - last * d2qk) / qk
            close = close & (xp.abs(d2frac - d2last) <= eps * xp.abs(d2frac))
            d2last = d2frac
        if _settled(xp, close):
            break
    frac = pk / qk
    front = xp.exp(a * xp.log(x) - x - lgam)
    if not grad:
        return front * frac, None, None
    # frac = p/q: frac' = (p' - frac q')/q, frac'' = (p'' - 2 frac' q' - frac q'')/q
    dfrac = (dpk - frac * dqk) / qk
    dlog = xp.log(x) - dig   # ∂/∂a of the log of the front factor
    d = front * (dlog * frac + dfrac)
    if not second:
        return front * frac, d, None
    d2frac = (d2pk - 2.0 * dfrac * dqk - frac * d2qk) / qk
    return front * frac, d, front * ((dlog * dlog - trig) * frac + 2.0 * dlog * dfrac + d2frac)


def _ndtri(xp: Any, p: Any) -> Any:
    """The standard normal quantile to ~5e-4 (Abramowitz & Stegun 26.2.23): a starting point."""
    lower = p < 0.5
    q = xp.where(lower, p, 1.0 - p)
    q = xp.where(q > 0, q, 1e-300)
    t = xp.sqrt(-2.0 * xp.log(q))
    z = t - (2.515517 + t * (0.802853 + t * 0.010328)) / (
        1.0 + t * (1.432788 + t * (0.189269 + t * 0.001308)))
    return xp.where(lower, -z, z)


def gammaincinv(xp: Any, a: Any, p: Any, lgam: Any, *, upper: bool, n: int,
                steps: int = 40) -> Any:
    """x with P(a, x) = p (``upper``: Q(a, x) = p), a > 0: Newton's iteration on the log of the
    smaller tail (in log x for P, in x for Q: both close to straight lines), from the
    Wilson-Hilferty (or, for small x, the series') estimate, kept inside a bracket that each
    step narrows, bisecting (geometrically) where a step would leave it."""
    lower_p, upper_p = (1.0 - p, p) if upper else (p, 1.0 - p)
    use_p = lower_p <= 0.5
    target = xp.where(use_p, lower_p, upper_p)
    log_target = xp.log(xp.where((target > 0) & (target <= 1.0), target, 0.25))
    x = _gamma_start(xp, a, lower_p, lgam)
    zero = x == 0   # below the smallest positive float: P(a, x) ≈ x^a / Γ(a + 1) = p there
    x = xp.where(zero, a, x)
    lo = xp.zeros_like(x)
    hi = lo + math.inf
    for _ in range(steps):
        pv, qv, _ = igamma(xp, a, x, lgam, None, n)
        tail = xp.where(use_p, pv, qv)
        g = xp.log(tail) - log_target
        below = xp.where(use_p, g < 0, g > 0)   # the root lies above x
        lo = xp.where(below, x, lo)
        hi = xp.where(~below & (g != 0), x, hi)
        # r = P'/P (or -Q'/Q): the density over the tail
        r = xp.exp((a - 1.0) * xp.log(x) - x - lgam - xp.log(tail))
        new = xp.where(use_p, x * xp.exp(-g / (x * r)), x + g / r)
        inside = ((new > lo) & (new < hi)) | (new == x)
        bisect = xp.where(hi < math.inf, xp.sqrt(xp.where(lo > 0, lo, hi * 1e-3)) * xp.sqrt(hi),
                          4.0 * x)
        new = xp.where(g == 0, x, xp.where(inside, new, bisect))
        if _settled(xp, xp.abs(new - x) <= _eps(xp, x) * x):
            x = new
            break
        x = new
    # the ends and SciPy's NaNs: P = 0 at x = 0, Q = 0 at x = inf
    x = xp.where(lower_p == 0, 0.0, xp.where(upper_p == 0, math.inf, x))
    bad = (p < 0) | (p > 1) | xp.isnan(p) | ~(a > 0)
    return xp.where(bad, math.nan, xp.where(zero, 0.0, x))


def _gamma_start(xp, a, p, lgam):
    z = _ndtri(xp, p)
    h = 1.0 / (9.0 * a)
    wh = a * (1.0 - h + z * xp.sqrt(h)) ** 3
    # for small x, P ≈ x^a / Γ(a + 1)
    small = xp.exp((xp.log(xp.where(p > 0, p, 1e-300)) + lgam + xp.log(a)) / a)
    use_small = (wh <= 0.01 * a) | (a < 1.0)
    x = xp.where(use_small, small, wh)
    return xp.where((x >= 0) & (x < math.inf), x, a)


# -- the regularised incomplete beta function --------------------------------------------------
def ibeta(xp: Any, a: Any, b: Any, x: Any, lbeta: Any, digs: tuple | None, n: int,
          trigs: tuple | None = None) -> tuple:
    """``(I_x(a, b), 1 - I_x(a, b), ∂I/∂a, ∂I/∂b)`` (the last two None when ``digs`` is None; else
    ``digs = (ψ(a), ψ(b), ψ(a + b))``) for a, b > 0, 0 ≤ x ≤ 1: the continued fraction of
    Numerical Recipes' betacf on x < (a + 1)/(a + b + 2), of I_{1-x}(b, a) = 1 - I_x(a, b)
    elsewhere, by Lentz's method carried with its derivatives. With ``trigs`` too
    (ψ'(a), ψ'(b), ψ'(a + b)), three more entries: ∂²I/∂a², ∂²I/∂a∂b, ∂²I/∂b²."""
    swap = x > (a + 1.0) / (a + b + 2.0)
    aa, bb = xp.where(swap, b, a), xp.where(swap, a, b)
    xx = xp.where(swap, 1.0 - x, x)
    inner = (xx > 0) & (xx < 1)
    xx = xp.where(inner, xx, 0.5)
    grad, second = digs is not None, trigs is not None
    f, df, d2f = _beta_fraction(xp, aa, bb, xx, n, grad, second)
    log_front = aa * xp.log(xx) + bb * xp.log1p(-xx) - xp.log(aa) - lbeta
    front = xp.exp(log_front)
    value = front * f
    at_edge = xp.where(x <= 0, 0.0, xp.ones_like(x))
    out = xp.where(inner, xp.where(swap, 1.0 - value, value), at_edge)
    comp = xp.where(inner, xp.where(swap, value, 1.0 - value), 1.0 - at_edge)
    if not grad:
        return out, comp, None, None
    dig_a, dig_b, dig_ab = digs
    dga, dgb = xp.where(swap, dig_b, dig_a), xp.where(swap, dig_a, dig_b)
    # ∂/∂aa log front = log x - 1/aa - ψ(aa) + ψ(a+b); ∂/∂bb = log(1-x) - ψ(bb) + ψ(a+b)
    la = xp.log(xx) - 1.0 / aa - dga + dig_ab
    lb = xp.log1p(-xx) - dgb + dig_ab
    d_aa = front * (la * f + df[0])
    d_bb = front * (lb * f + df[1])
    da = xp.where(inner, xp.where(swap, -d_bb, d_aa), 0.0)
    db = xp.where(inner, xp.where(swap, -d_aa, d_bb), 0.0)
    if not second:
        return out, comp, da, db
    # the second derivatives of log front: 1/aa² - ψ'(aa) + ψ'(a+b), ψ'(a+b),
    # -ψ'(bb) + ψ'(a+b); of front · f: front ((L'' + L'L') f + L' f' + L' f' + f'')
    trig_a, trig_b, trig_ab = trigs
    tga, tgb = xp.where(swap, trig_b, trig_a), xp.where(swap, trig_a, trig_b)
    laa, lab, lbb = 1.0 / (aa * aa) - tga + trig_ab, trig_ab, trig_ab - tgb
    d_aaaa = front * ((laa + la * la) * f + 2.0 * la * df[0] + d2f[0])
    d_aabb = front * ((lab + la * lb) * f + la * df[1] + lb * df[0] + d2f[1])
    d_bbbb = front * ((lbb + lb * lb) * f + 2.0 * lb * df[1] + d2f[2])
    # swapped: I(a, b, x) = 1 - I(b, a, 1 - x)
    daa = xp.where(inner, xp.where(swap, -d_bbbb, d_aaaa), 0.0)
    dab = xp.where(inner, xp.where(swap, -d_aabb, d_aabb), 0.0)
    dbb = xp.where(inner, xp.where(swap, -d_aaaa, d_bbbb), 0.0)
    return out, comp, da, db, daa, dab, dbb


def _beta_term(xp, a, b, x, j):
    """dⱼ and its derivatives in a and b, then its second derivatives in (a, a) and (a, b) (the
    one in (b, b) is 0): d₂ₘ₊₁ = -(a+m)(a+b+m)x / ((a+2m)(a+2m+1)),
    d₂ₘ = m(b-m)x / ((a+2m-1)(a+2m))."""
    m = float(j // 2)
    if j % 2:
        num = -(a + m) * (a + b + m)
        den = (a + 2 * m) * (a + 2 * m + 1.0)
        dnum_a, dnum_b, dnum_aa, dnum_ab = -(a + b + m) - (a + m), -(a + m), -2.0, -1.0
        dden_a = (a + 2 * m + 1.0) + (a + 2 * m)
    else:
        num = m * (b - m)
        den = (a + 2 * m - 1.0) * (a + 2 * m)
        dnum_a, dnum_b, dnum_aa, dnum_ab = 0.0, m, 0.0, 0.0
        dden_a = (a + 2 * m) + (a + 2 * m - 1.0)
    e = num * x / den
    # (u/v)'' = u''/v - 2u'v'/v² - u v''/v² + 2u v'²/v³, with v'' = 2 (in a), v_b = 0
    e_aa = x * (dnum_aa / den - 2.0 * dnum_a * dden_a / (den * den) - 2.0 * num / (den * den)
                + 2.0 * num * dden_a * dden_a / (den * den * den))
    e_ab = x * (dnum_ab / den - dnum_b * dden_a / (den * den))
    return (e, x * (dnum_a * den - num * dden_a) / (den * den), x * dnum_b / den, e_aa, e_ab)


def _beta_fraction(xp, a, b, x, n, grad, second=False):
    # 1/(1+ d₁/(1+ d₂/(1+ …))) by Lentz's method: D ← 1/(1 + dⱼ D), C ← 1 + dⱼ/C, f ← f C D,
    # from D = f = 1/(1 + d₁), C = 1 (Numerical Recipes' betacf). Returns f, (f_a, f_b) and
    # (f_aa, f_ab, f_bb) (None where not asked for)
    tiny = 1e-30 if x.dtype == xp.float32 else 1e-300
    e, dea, deb, deaa, deab = _beta_term(xp, a, b, x, 1)
    d = 1.0 / (1.0 + e)
    c = xp.ones_like(x)
    f = d
    dda, ddb = -d * d * dea, -d * d * deb
    dca = dcb = xp.zeros_like(x)
    dfa, dfb = dda, ddb
    if second:   # D = 1/t: D'' = 2 D³ t' t' - D² t'', with t = 1 + e
        ddaa = 2.0 * d * d * d * dea * dea - d * d * deaa
        ddab = 2.0 * d * d * d * dea * deb - d * d * deab
        ddbb = 2.0 * d * d * d * deb * deb
        dcaa = dcab = dcbb = xp.zeros_like(x)
        dfaa, dfab, dfbb = ddaa, ddab, ddbb
        last_aa, last_ab, last_bb = dfaa, dfab, dfbb
    eps, last, last_a, last_b = _eps(xp, x), f, dfa, dfb
    for j in range(2, 2 * n + 2):
        e, dea, deb, deaa, deab = _beta_term(xp, a, b, x, j)
        d_new = 1.0 + e * d
        d_new = 1.0 / xp.where(xp.abs(d_new) < tiny, tiny, d_new)
        c_new = 1.0 + e / c
        c_new = xp.where(xp.abs(c_new) < tiny, tiny, c_new)
        if grad:   # dD = -D² (de D + e dD), dC = de/C - e dC/C²
            ta, tb = dea * d + e * dda, deb * d + e * ddb   # t = 1 + e D
            dda_n, ddb_n = -d_new * d_new * ta, -d_new * d_new * tb
            dca_n = dea / c - e * dca / (c * c)
            dcb_n = deb / c - e * dcb / (c * c)
            cd = c_new * d_new
            cda, cdb = dca_n * d_new + c_new * dda_n, dcb_n * d_new + c_new * ddb_n
            if second:
                taa = deaa * d + 2.0 * dea * dda + e * ddaa
                tab = deab * d + dea * ddb + deb * dda + e * ddab
                tbb = 2.0 * deb * ddb + e * ddbb
                d3 = 2.0 * d_new * d_new * d_new
                ddaa_n = d3 * ta * ta - d_new * d_new * taa
                ddab_n = d3 * ta * tb - d_new * d_new * tab
                ddbb_n = d3 * tb * tb - d_new * d_new * tbb
                # C = 1 + e/C₋: C'' = e''/C₋ - (e'C₋' + e'C₋')/C₋² - e C₋''/C₋² + 2e C₋'C₋'/C₋³
                c2, c3 = c * c, c * c * c
                dcaa_n = deaa / c - 2.0 * dea * dca / c2 - e * dcaa / c2 \
                    + 2.0 * e * dca * dca / c3
                dcab_n = deab / c - (dea * dcb + deb * dca) / c2 - e * dcab / c2 \
                    + 2.0 * e * dca * dcb / c3
                dcbb_n = -2.0 * deb * dcb / c2 - e * dcbb / c2 + 2.0 * e * dcb * dcb / c3
                cdaa = dcaa_n * d_new + 2.0 * dca_n * dda_n + c_new * ddaa_n
                cdab = dcab_n * d_new + dca_n * ddb_n + dcb_n * dda_n + c_new * ddab_n
                cdbb = dcbb_n * d_new + 2.0 * dcb_n * ddb_n + c_new * ddbb_n
                dfaa = dfaa * cd + 2.0 * dfa * cda + f * cdaa
                dfab = dfab * cd + dfa * cdb + dfb * cda + f * cdab
                dfbb = dfbb * cd + 2.0 * dfb * cdb + f * cdbb
                dcaa, dcab, dcbb, ddaa, ddab, ddbb = dcaa_n, dcab_n, dcbb_n, ddaa_n, ddab_n, \
                    ddbb_n
            dfa = dfa * cd + f * cda
            dfb = dfb * cd + f * cdb
            dca, dcb, dda, ddb = dca_n, dcb_n, dda_n, ddb_n
        c, d = c_new, d_new
        f = f * c * d
        if j % 16 == 1:   # every 8 pairs of terms: stop once settled
            close = xp.abs(f - last) <= eps * xp.abs(f)
            if grad:
                close = close & (xp.abs(dfa - last_a) <= eps * xp.abs(dfa)) & (
                    xp.abs(dfb - last_b) <= eps * xp.abs(dfb))
                last_a, last_b = dfa, dfb
            if second:
                close = close & (xp.abs(dfaa - last_aa) <= eps * xp.abs(dfaa)) & (
                    xp.abs(dfab - last_ab) <= eps * xp.abs(dfab)) & (
                    xp.abs(dfbb - last_bb) <= eps * xp.abs(dfbb))
            last = f
            if second:
                last_aa, last_ab, last_bb = dfaa, dfab, dfbb
            if _settled(xp, close):
                break
    return (f, (dfa, dfb) if grad else None,
            (dfaa, dfab, dfbb) if second else None)


def betaincinv(xp: Any, a: Any, b: Any, y: Any, lbeta: Any, *, n: int, steps: int = 40) -> Any:
    """x in [0, 1] with I_x(a, b) = y: Newton's iteration on the log of the smaller tail, in
    log x for I (log(1 - x) for 1 - I), from Numerical Recipes' estimate, kept inside a bracket
    that each step narrows, bisecting where a step would leave it."""
    use_i = y <= 0.5
    target = xp.where(use_i, y, 1.0 - y)
    log_target = xp.log(xp.where((target > 0) & (target <= 1), target, 0.25))
    x = _beta_start(xp, a, b, xp.where((y >= 0) & (y <= 1), y, 0.5), lbeta)
    # below the smallest positive float: I_x(a, b) ≈ x^a / (a B(a, b)) = y there
    zero = use_i & ((log_target + xp.log(a) + lbeta) / a < math.log(2.0 ** -1022))
    # likewise 1 - x ≈ ((1 - y) b B(a, b))^(1/b) below half an ulp of 1: x rounds to 1
    one = ~use_i & ((log_target + xp.log(b) + lbeta) / b < math.log(2.0 ** -54))
    lo, hi = xp.zeros_like(x), xp.ones_like(x)
    for _ in range(steps):
        v, vc, _, _ = ibeta(xp, a, b, x, lbeta, None, n)
        g = xp.log(xp.where(use_i, v, vc)) - log_target
        below = xp.where(use_i, g < 0, g > 0)   # the root lies above x
        lo = xp.where(below, x, lo)
        hi = xp.where(~below & (g != 0), x, hi)
        # r = |dI/dx| / tail, the density over the tail being solved; 1 - I steps in
        # log(1 - x) near 1, in x below ½ (where 1 - x would lose x's digits)
        r = xp.exp((a - 1.0) * xp.log(x) + (b - 1.0) * xp.log1p(-x) - lbeta
                   - xp.log(xp.where(use_i, v, vc)))
        upper = xp.where(x < 0.5, x + g / r, 1.0 - (1.0 - x) * xp.exp(-g / ((1.0 - x) * r)))
        new = xp.where(use_i, x * xp.exp(-g / (x * r)), upper)
        inside = ((new > lo) & (new < hi)) | (new == x)
        bisect = xp.where(lo > 0, xp.where(hi < 1, 0.5 * (lo + hi), 1.0 - 1e-3 * (1.0 - lo)),
                          1e-3 * hi)
        new = xp.where(g == 0, x, xp.where(inside, new, bisect))
        if _settled(xp, xp.abs(new - x) <= _eps(xp, x) * x):
            x = new
            break
        x = new
    x = xp.where((y == 0) | zero, 0.0, xp.where((y == 1) | one, 1.0, x))
    bad = (y < 0) | (y > 1) | xp.isnan(y) | ~(a > 0) | ~(b > 0)
    return xp.where(bad, math.nan, x)


def _beta_start(xp, a, b, p, lbeta):
    # Numerical Recipes (3rd ed.) 6.4: a normal approximation for a, b ≥ 1, else the leading
    # terms of the two tails
    pp = xp.where(p < 0.5, p, 1.0 - p)
    t = xp.sqrt(-2.0 * xp.log(xp.where(pp > 0, pp, 1e-300)))
    z = (2.30753 + t * 0.27061) / (1.0 + t * (0.99229 + t * 0.04481)) - t
    z = xp.where(p < 0.5, z, -z)
    al = (z * z - 3.0) / 6.0
    ab, ba = 1.0 / (2.0 * a - 1.0), 1.0 / (2.0 * b - 1.0)
    h = 2.0 / (ab + ba)
    w = z * xp.sqrt(al + h) / h - (ba - ab) * (al + 5.0 / 6.0 - 2.0 / (3.0 * h))
    normal = a / (a + b * xp.exp(2.0 * w))
    lna, lnb = xp.log(a / (a + b)), xp.log(b / (a + b))
    tt = xp.exp(a * lna) / a
    u = xp.exp(b * lnb) / b
    w2 = tt + u
    small = xp.where(p < tt / w2, (a * w2 * p) ** (1.0 / a),
                     1.0 - (b * w2 * (1.0 - p)) ** (1.0 / b))
    x = xp.where((a >= 1) & (b >= 1), normal, small)
    return xp.where((x > 0) & (x < 1), x, 0.5)


# -- the kernels of polygrad.special's primitives, in SciPy's argument order -------------------
def _invalid(xp: Any, out: Any, *conditions: Any) -> Any:
    bad = conditions[0]
    for c in conditions[1:]:
        bad = bad | c
    return xp.where(bad, math.nan, out)


def gammainc_da(xp: Any, a: Any, x: Any) -> Any:
    """∂P(a, x)/∂a (NaN where a ≤ 0 or x < 0, as SciPy's gammainc)."""
    ok = (a > 0) & (x >= 0)
    a_, x_ = xp.where(ok, a, 1.0), xp.where(ok, x, 1.0)
    _, _, dp = igamma(xp, a_, x_, lgamma(xp, a_), digamma(xp, a_), iterations(xp, a_))
    return _invalid(xp, dp, ~ok, xp.isnan(a), xp.isnan(x))


def gammainc_daa(xp: Any, a: Any, x: Any) -> Any:
    """∂²P(a, x)/∂a² (NaN where a ≤ 0 or x < 0)."""
    ok = (a > 0) & (x >= 0)
    a_, x_ = xp.where(ok, a, 1.0), xp.where(ok, x, 1.0)
    _, _, _, d2p = igamma(xp, a_, x_, lgamma(xp, a_), digamma(xp, a_), iterations(xp, a_),
                          trigamma(xp, a_))
    return _invalid(xp, d2p, ~ok, xp.isnan(a), xp.isnan(x))


def betainc_dab(xp: Any, a: Any, b: Any, x: Any) -> tuple:
    """(∂I_x(a, b)/∂a, ∂I_x(a, b)/∂b) (NaN where a ≤ 0, b ≤ 0 or x ∉ [0, 1])."""
    ok = (a > 0) & (b > 0) & (x >= 0) & (x <= 1)
    a_, b_, x_ = xp.where(ok, a, 1.0), xp.where(ok, b, 1.0), xp.where(ok, x, 0.5)
    lbeta = lgamma(xp, a_) + lgamma(xp, b_) - lgamma(xp, a_ + b_)
    digs = (digamma(xp, a_), digamma(xp, b_), digamma(xp, a_ + b_))
    _, _, da, db = ibeta(xp, a_, b_, x_, lbeta, digs, iterations(xp, a_))
    return tuple(_invalid(xp, d, ~ok) for d in (da, db))


def betainc_dab2(xp: Any, a: Any, b: Any, x: Any) -> tuple:
    """(∂²I/∂a², ∂²I/∂a∂b, ∂²I/∂b²) of I_x(a, b) (NaN where a ≤ 0, b ≤ 0 or x ∉ [0, 1])."""
    ok = (a > 0) & (b > 0) & (x >= 0) & (x <= 1)
    a_, b_, x_ = xp.where(ok, a, 1.0), xp.where(ok, b, 1.0), xp.where(ok, x, 0.5)
    lbeta = lgamma(xp, a_) + lgamma(xp, b_) - lgamma(xp, a_ + b_)
    digs = (digamma(xp, a_), digamma(xp, b_), digamma(xp, a_ + b_))
    trigs = (trigamma(xp, a_), trigamma(xp, b_), trigamma(xp, a_ + b_))
    out = ibeta(xp, a_, b_, x_, lbeta, digs, iterations(xp, a_), trigs)
    return tuple(_invalid(xp, d, ~ok) for d in out[4:])


def gammaincinv_of(xp: Any, a: Any, p: Any, *, upper: bool) -> Any:
    """x with P(a, x) = p (``upper``: Q(a, x) = p), SciPy's gammaincinv (gammainccinv)."""
    a_ = xp.where(a > 0, a, 1.0)
    steps = 8 if a.dtype == xp.float32 else 12
    x = gammaincinv(xp, a_, p, lgamma(xp, a_), upper=upper, n=iterations(xp, a_), steps=steps)
    return _invalid(xp, x, ~(a > 0))


def betaincinv_of(xp: Any, a: Any, b: Any, y: Any) -> Any:
    """x in [0, 1] with I_x(a, b) = y, SciPy's betaincinv."""
    ok = (a > 0) & (b > 0)
    a_, b_ = xp.where(ok, a, 1.0), xp.where(ok, b, 1.0)
    lbeta = lgamma(xp, a_) + lgamma(xp, b_) - lgamma(xp, a_ + b_)
    steps = 10 if a.dtype == xp.float32 else 16
    return _invalid(xp, betaincinv(xp, a_, b_, y, lbeta, n=iterations(xp, a_), steps=steps), ~ok)


# (2j)! / B₂ⱼ, the Euler-Maclaurin coefficients of the zeta function (Cephes' zeta.c)
_ZETA_A = (12.0, -720.0, 30240.0, -1209600.0, 47900160.0, -1.8924375803183791606e9,
           7.47242496e10, -2.950130727918164224e12, 1.1646782814350067249e14,
           -4.5979787224074726105e15, 1.8152105401943546773e17, -7.1661652561756670113e18)


def zeta_dx(xp: Any, x: Any, q: Any) -> Any:
    """∂ζ(x, q)/∂x = -Σₖ log(k + q) (k + q)^(-x) for x > 1, q > 0 (NaN elsewhere): Cephes'
    Euler-Maclaurin summation of ζ (ten terms, the integral of the rest, twelve Bernoulli
    corrections at w = q + 9), each term carried with its derivative in x."""
    ok = (x > 1) & (q > 0)
    x, q = xp.where(ok, x, 2.0), xp.where(ok, q, 1.0)
    s, ds = xp.zeros_like(x), xp.zeros_like(x)
    for k in range(10):
        log_k = xp.log(q + float(k))
        t = xp.exp(-x * log_k)
        s, ds = s + t, ds - log_k * t
    w = q + 9.0
    log_w = xp.log(w)
    b = xp.exp(-x * log_w)
    db = -log_w * b
    # the rest: ∫_w^∞ t^(-x) dt = w^(1-x)/(x-1), less half the last term (counted whole above)
    s = s + b * w / (x - 1.0) - 0.5 * b
    ds = ds + db * w / (x - 1.0) - b * w / ((x - 1.0) * (x - 1.0)) - 0.5 * db
    a, da, k = xp.ones_like(x), xp.zeros_like(x), 0.0
    for coef in _ZETA_A:   # a = x (x+1) … (x+2j-2), b = w^(-x-2j+1)
        a, da = a * (x + k), da * (x + k) + a
        b, db = b / w, db / w
        s, ds = s + a * b / coef, ds + (da * b + a * db) / coef
        k += 1.0
        a, da = a * (x + k), da * (x + k) + a
        b, db = b / w, db / w
        k += 1.0
    return _invalid(xp, ds, ~ok)


def zeta_dxx(xp: Any, x: Any, q: Any) -> Any:
    """∂²ζ(x, q)/∂x² = Σₖ log²(k + q) (k + q)^(-x) for x > 1, q > 0 (NaN elsewhere): the
    summation of ``zeta_dx``, each term carried with its second derivative in x."""
    ok = (x > 1) & (q > 0)
    x, q = xp.where(ok, x, 2.0), xp.where(ok, q, 1.0)
    d2s = xp.zeros_like(x)
    for k in range(10):
        log_k = xp.log(q + float(k))
        d2s = d2s + log_k * log_k * xp.exp(-x * log_k)
    w = q + 9.0
    log_w = xp.log(w)
    b = xp.exp(-x * log_w)
    db, d2b = -log_w * b, log_w * log_w * b
    # (b w / (x-1))'' = w (b''/(x-1) - 2b'/(x-1)² + 2b/(x-1)³), less half the last term
    u = 1.0 / (x - 1.0)
    d2s = d2s + w * (d2b * u - 2.0 * db * u * u + 2.0 * b * u * u * u) - 0.5 * d2b
    a, da, d2a, k = xp.ones_like(x), xp.zeros_like(x), xp.zeros_like(x), 0.0
    for coef in _ZETA_A:   # a = x (x+1) … (x+2j-2), b = w^(-x-2j+1)
        a, da, d2a = a * (x + k), da * (x + k) + a, d2a * (x + k) + 2.0 * da
        b, db, d2b = b / w, db / w, d2b / w
        d2s = d2s + (d2a * b + 2.0 * da * db + a * d2b) / coef
        k += 1.0
        a, da, d2a = a * (x + k), da * (x + k) + a, d2a * (x + k) + 2.0 * da
        b, db, d2b = b / w, db / w, d2b / w
        k += 1.0
    return _invalid(xp, d2s, ~ok)


# -- the derivative of ive in its order --------------------------------------------------------
# the largest estimated relative error ive_dv returns a value for, and the largest x of the
# power series (float64: beyond, it would need more than ~900 terms, and the asymptotic
# expansion takes over; float32: exp(-x) stays a normal float). Above _IVE_DV_LARGE_X (float64)
# e^(-2x) is below the smallest float: the asymptotic expansion, which leaves out a part of that
# relative size, is then exact to float64 (at v = 0 too, where the derivative is that part)
IVE_DV_TOLERANCE = {"float64": 1e-9, "float32": 1e-3}
IVE_DV_MAX_X = {"float64": 600.0, "float32": 80.0}
_IVE_DV_LARGE_X = 372.0


def ive_dv(xp: Any, v: Any, x: Any) -> tuple:
    """``(∂ive(v, x)/∂v, ok)`` for v ≥ 0, x ≥ 0: for x ≤ 600 (80 in float32) the power series
    exp(-x) Σₖ (x/2)^(2k+v) / (k! Γ(k+v+1)) differentiated term by term (each term times
    log(x/2) − ψ(k+v+1)), summed with a bound on its rounding error; for x > 372 (float64)
    where that is not accurate, the asymptotic expansion in 1/x, differentiated term by term,
    with its first omitted term as error bound. ``ok`` is False where neither bound gives 1e-9
    relative (1e-3 in float32): v close to 0 for 10 ≲ x ≤ 372 (where the derivative, -K₀(x)
    e^(-x) at v = 0, is exponentially smaller than the terms), v large against √x for
    large x, v < 0, x < 0, x = inf, NaN; the value there is NaN."""
    single = x.dtype == xp.float32
    tolerance = IVE_DV_TOLERANCE["float32" if single else "float64"]
    inside = (v >= 0) & (x > 0) & (x <= IVE_DV_MAX_X["float32" if single else "float64"])
    at_zero = (v > 0) & (x == 0)   # ive(v, 0) = 0 for every v > 0: so is its derivative
    v_, x_ = xp.where(inside, v, 1.0), xp.where(inside, x, 1.0)
    eps = _eps(xp, x)
    unit = 2.0 ** -24 if single else 2.0 ** -53
    log_half = xp.log(0.5 * x_)
    t = xp.exp(v_ * log_half - lgamma(xp, v_ + 1.0) - x_)   # exp(-x) (x/2)^v / Γ(v+1)
    psi = digamma(xp, v_ + 1.0)
    quarter = 0.25 * x_ * x_
    s, mass, bound = xp.zeros_like(x_), xp.zeros_like(x_), xp.zeros_like(x_)
    n = 160 if single else 900
    for k in range(n):
        if k:
            t = t * quarter / (float(k) * (float(k) + v_))
            psi = psi + 1.0 / (float(k) + v_)
        d = t * (log_half - psi)
        s, mass = s + d, mass + t
        # the k roundings of the term's recurrence and the sum, those of ψ's recurrence
        bound = bound + (float(k) + 4.0) * xp.abs(d) + float(k + 1) * t * xp.abs(psi)
        # past the largest term (k > x/2) and the terms below eps of the sum: stop
        if k % 16 == 15 and _settled(xp, (float(k) > 0.5 * x_) & (t <= eps * mass)):
            break
    ok = inside & (unit * bound <= tolerance * xp.abs(s))
    # every term below the smallest float (the first did, and the terms only decrease): 0 is
    # right
    ok = ok | (inside & (mass == 0) & (quarter <= 1.0 + v_))
    out = xp.where(ok, s, math.nan)
    if single:
        return xp.where(at_zero, 0.0, out), ok | at_zero
    # where the series does not reach the tolerance, or beyond x = 600, and x > 372 (float64):
    # the asymptotic expansion, where it reaches the tolerance
    large = (v >= 0) & (x > _IVE_DV_LARGE_X) & (x < math.inf) & ~ok
    d_large, ok_large = _ive_dv_asymptotic(xp, xp.where(large, v, 0.0),
                                           xp.where(large, x, 1e3), tolerance)
    ok_large = large & ok_large
    out = xp.where(ok_large, d_large, out)
    return xp.where(at_zero, 0.0, out), ok | at_zero | ok_large


def _ive_dv_asymptotic(xp, v, x, tolerance):
    # ive(v, x) ~ (2πx)^(-1/2) Σₖ (-1)ᵏ aₖ(v) / xᵏ for large x, aₖ = aₖ₋₁ (4v² - (2k-1)²) / (8k),
    # differentiated in v term by term (the part exponentially small in x, which the expansion
    # leaves out, is below e^(-2x) relative: under the smallest float for x > 372). The error
    # is below the first omitted term while the terms decrease
    a, da = xp.ones_like(x), xp.zeros_like(x)
    s, ds = xp.zeros_like(x), xp.zeros_like(x)
    inv = 1.0 / x
    power = xp.ones_like(x)   # (-1)ᵏ / xᵏ
    last = xp.zeros_like(x) + math.inf
    err = xp.zeros_like(x) + math.inf
    done = xp.zeros_like(x) > 1.0
    four_v2 = 4.0 * v * v
    for k in range(1, 80):
        s, ds = xp.where(done, s, s + a * power), xp.where(done, ds, ds + da * power)
        da = (da * (four_v2 - (2.0 * k - 1.0) ** 2) + a * 8.0 * v) / (8.0 * k)
        a = a * (four_v2 - (2.0 * k - 1.0) ** 2) / (8.0 * k)
        power = -power * inv
        size = xp.abs(da * power) + xp.abs(a * power) * xp.abs(ds) / xp.where(
            xp.abs(s) > 1e-300, xp.abs(s), 1e-300)
        # stop at the first term that is negligible, or that no longer decreases
        stop = ~done & ((size <= 0.25 * tolerance * xp.abs(ds)) | (size >= last))
        err = xp.where(stop, size, err)
        done = done | stop
        last = xp.where(done, last, size)
        if k % 8 == 0 and _settled(xp, done):
            break
    scale = 1.0 / xp.sqrt(2.0 * math.pi * x)
    d = scale * ds
    # at v = 0 the derivative is -K₀(x) e^(-x), below the smallest float: 0 is right
    ok = (done & (err <= tolerance * xp.abs(ds))) | (v == 0)
    return d, ok
