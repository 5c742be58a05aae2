"""Spec rows: what a function is checked on (inputs, keyword grids, dtypes) and its NumPy reference.

Imports only the standard library; uses NumPy lazily to make inputs.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Arg", "Case", "Spec", "NonDiff", "register_spec", "registered_specs", "DOMAINS",
           "make_inputs"]


@dataclass(frozen=True)
class Arg:
    """One positional argument of a case.

    ``shape``: its shape. ``domain``: a name from :data:`DOMAINS` (``"real"``, ``"positive"``,
    ``"unit"``, ``"spd"``, ...), a callable ``domain(rng, shape, complex) -> ndarray``, or
    ``values``: literal values (edge cases). ``dtype``: ``None`` for the dtype under test (the
    argument is differentiated), or a fixed dtype name (``"int64"``, ``"bool"``: not
    differentiated; ``"py"``: a Python float). ``diff=False`` keeps a floating argument out of
    differentiation.
    """

    shape: tuple = ()
    domain: Any = "real"
    dtype: str | None = None
    values: Any = None
    diff: bool = True

    @property
    def differentiated(self) -> bool:
        return self.dtype is None and self.diff


@dataclass
class Case:
    """One point of a row's grid: its arguments and the keyword arguments of ``fn`` and ``ref``.

    ``order``: the highest derivative order checked (the row's by default). ``tangent``:
    ``"by_value"`` draws perturbation directions constant on equal input values (for ties,
    where finite differences only exist along such directions). ``vjp_ref(*xs, *vs)``: the
    expected cotangents at a point where a convention decides (abs at 0, tied maxima).
    ``tol``: a factor on every tolerance. ``full``: only in the full grid. ``dtypes``: the dtype
    families (``"float"``, ...) or names (``"float64"``) of the row this case runs in.
    """

    args: tuple
    kwargs: dict = field(default_factory=dict)
    id: str | None = None
    order: int | None = None
    tangent: str | None = None
    vjp_ref: Callable | None = None
    tol: float = 1.0
    full: bool = False
    dtypes: tuple | None = None

    def __init__(self, *args: Arg, kwargs: dict | None = None, id: str | None = None,
                 order: int | None = None, tangent: str | None = None,
                 vjp_ref: Callable | None = None, tol: float = 1.0, full: bool = False,
                 dtypes: Sequence[str] | None = None, **kw: Any) -> None:
        self.args = tuple(a if isinstance(a, Arg) else Arg(tuple(a)) for a in args)
        self.kwargs = dict(kwargs or {}, **kw)
        self.order, self.tangent, self.vjp_ref = order, tangent, vjp_ref
        self.tol, self.full = tol, full
        self.dtypes = None if dtypes is None else tuple(dtypes)
        self.id = id or _case_id(self.args, self.kwargs)


def _case_id(args: tuple, kwargs: dict) -> str:
    parts = []
    for a in args:
        shape = "x".join(str(d) for d in a.shape) or "0d"
        tag = "" if a.values is None and a.domain == "real" else \
            ("=vals" if a.values is not None else f"~{_domain_name(a.domain)}")
        parts.append(shape + tag + ("" if a.dtype is None else f":{a.dtype}"))
    parts += [f"{k}={_short(v)}" for k, v in kwargs.items()]
    return ",".join(parts) or "noargs"


def _domain_name(domain: Any) -> str:
    return domain if isinstance(domain, str) else getattr(domain, "__name__", "custom")


def _short(v: Any) -> str:
    if isinstance(v, tuple):
        return "(" + ";".join(_short(x) for x in v) + ")"
    return getattr(v, "__name__", None) or str(v).replace(" ", "")


@dataclass
class Spec:
    """One row of the conformance table.

    ``name``: the row's name: a primitive's name for a primitive row (``"exp"``,
    ``"linalg_solve"``), otherwise the public name (``"mean"``, ``"linalg.norm"``).
    ``fn(*arrays, **kwargs)``: the polygrad function checked; it returns an Array or a
    (nested) tuple of Arrays. ``ref(*arrays, **kwargs)``: the same function in NumPy, applied
    to float64 / complex128 copies of the inputs (``None``: no forward check).
    ``primitives``: the registered primitives the row exercises (a primitive row's own name by
    default). ``covers``: public names (``"linalg.inv"``, ``"arccos"``) this row checks.
    ``dtypes``: families checked: ``"float"``, ``"complex"``, ``"int"``, ``"bool"``.
    ``nondiff``: forward values only. ``order``: the highest derivative order checked.
    ``tol``: a factor on every tolerance (ill-conditioned functions). ``category``: the
    report's section. ``needs``: modules the reference needs (``"scipy"``; the value check is
    skipped without them). ``keep_precision``: floating outputs have the inputs' precision.
    ``diff_dtypes``: the families whose derivatives are checked (default: all of ``dtypes``;
    the others get value checks only).
    """

    name: str
    fn: Callable
    ref: Callable | None
    cases: list
    primitives: tuple = ()
    covers: tuple = ()
    dtypes: tuple = ("float",)
    nondiff: bool = False
    order: int = 2
    tol: float = 1.0
    category: str = "other"
    needs: tuple = ()
    keep_precision: bool = True
    diff_dtypes: tuple | None = None
    source: str = "polygrad"

    def __post_init__(self) -> None:
        self.primitives = tuple(self.primitives)
        self.covers = tuple(self.covers)
        self.dtypes = tuple(self.dtypes)
        self.cases = list(self.cases)
        ids = [c.id for c in self.cases]
        if len(set(ids)) != len(ids):
            dup = sorted({i for i in ids if ids.count(i) > 1})
            raise ValueError(f"polygrad_conformance: spec {self.name!r} has repeated case ids "
                             f"{dup}; give the cases distinct id=...")


@dataclass(frozen=True)
class NonDiff:
    """A public name declared to need no derivative check, with the reason (coverage test)."""

    name: str
    reason: str


_user_specs: dict[str, Spec] = {}


def register_spec(spec: Spec) -> Spec:
    """Add a row to the conformance table (a user- or plugin-defined primitive's sample spec).

    Call it at import time of the module that defines the primitive, and make the suite import
    that module: an entry point in the group ``polygrad_conformance.specs`` (loaded by the
    suite), or ``POLYGRAD_CONFORMANCE_MODULES=pkg.module`` (comma-separated).

    Examples
    --------
    >>> import numpy
    >>> import polygrad.numpy as np
    >>> from polygrad.extend import primitive, defvjp, defjvp
    >>> from polygrad_conformance import Arg, Case, Spec, register_spec
    >>> cube = primitive("doc_conformance_cube", lambda xp: lambda x: x * x * x)
    >>> defvjp(cube, lambda g, ans, x: g * 3 * x ** 2)
    >>> defjvp(cube, lambda t, ans, x: t * 3 * x ** 2)
    >>> _ = register_spec(Spec("doc_conformance_cube", cube, lambda x: x ** 3,
    ...                        [Case(Arg((3,))), Case(Arg(()))]))
    """
    if not isinstance(spec, Spec):
        raise TypeError(f"register_spec: expected a polygrad_conformance.Spec, got "
                        f"{type(spec).__name__}")
    if spec.name in _user_specs and _user_specs[spec.name] is not spec:
        raise ValueError(f"register_spec: a spec named {spec.name!r} is already registered")
    if spec.source == "polygrad":
        spec.source = "registered"
    _user_specs[spec.name] = spec
    return spec


def registered_specs() -> dict[str, Spec]:
    """The specs added with :func:`register_spec` (a copy)."""
    return dict(_user_specs)


# -- input domains -------------------------------------------------------------------------------
def _np():
    import numpy

    return numpy


def _real(rng, shape, c):
    re = rng.standard_normal(shape)
    return re + 1j * rng.standard_normal(shape) if c else re


def _positive(rng, shape, c):
    # complex: right half-plane, away from the branch cut of log / sqrt on the negative axis
    re = rng.uniform(0.5, 2.0, shape)
    return re + 1j * rng.uniform(-0.5, 0.5, shape) if c else re


def _unit(rng, shape, c):
    # inside (-1, 1), away from the ends (atanh, asin, acos, erfinv)
    re = rng.uniform(-0.8, 0.8, shape)
    return re + 1j * rng.uniform(-0.3, 0.3, shape) if c else re


def _gt1(rng, shape, c):
    re = rng.uniform(1.3, 3.0, shape)
    return re + 1j * rng.uniform(-0.5, 0.5, shape) if c else re


def _nonzero(rng, shape, c):
    n = _np()
    mag = rng.uniform(0.5, 2.0, shape)
    if c:
        return mag * n.exp(1j * rng.uniform(-n.pi, n.pi, shape))
    return mag * rng.choice([-1.0, 1.0], shape)


def _small(rng, shape, c):
    re = rng.uniform(-0.5, 0.5, shape)
    return re + 1j * rng.uniform(-0.5, 0.5, shape) if c else re


def _distinct(rng, shape, c):
    """Values at least 0.3 apart (sort, argmax, unique): no ties, however they are perturbed."""
    n = _np()
    size = int(n.prod(shape)) if shape else 1
    vals = (n.arange(size) - size / 2) * 0.45 + rng.uniform(-0.05, 0.05, size)
    vals = rng.permutation(vals).reshape(shape)
    return vals + 0j if c else vals


def _matrix_batch(rng, shape, build):
    n = _np()
    batch, (m, k) = shape[:-2], shape[-2:]
    out = n.empty(shape, dtype=build(rng, m, k).dtype) if m * k else n.zeros(shape)
    for idx in n.ndindex(*batch):
        out[idx] = build(rng, m, k)
    return out


def _orthogonal(rng, n, c=False):
    num = _np()
    a = rng.standard_normal((n, n)) + (1j * rng.standard_normal((n, n)) if c else 0)
    q, r = num.linalg.qr(a)
    return q * (num.diagonal(r) / num.abs(num.diagonal(r)))


def _wellcond(rng, shape, c):
    """Square matrices with singular values in [1, 3] (inv, solve, det, eig)."""
    n = _np()

    def build(rng, m, k):
        s = n.linspace(1.0, 3.0, min(m, k)) * rng.uniform(0.95, 1.05, min(m, k))
        u, v = _orthogonal(rng, m, c), _orthogonal(rng, k, c)
        return (u[:, :len(s)] * s) @ v[:len(s), :]
    return _matrix_batch(rng, shape, build)


def _spd(rng, shape, c):
    """Symmetric (Hermitian) positive-definite matrices, eigenvalues in [1, 3]."""
    n = _np()

    def build(rng, m, k):
        q = _orthogonal(rng, m, c)
        w = n.linspace(1.0, 3.0, m) * rng.uniform(0.97, 1.03, m)
        a = (q * w) @ q.conj().T
        return (a + a.conj().T) / 2
    return _matrix_batch(rng, shape, build)


def _symmetric(rng, shape, c):
    """Symmetric matrices with eigenvalues at least 0.5 apart (eigh's derivative exists)."""
    n = _np()

    def build(rng, m, k):
        q = _orthogonal(rng, m, c)
        w = (n.arange(m) - m / 2) * 0.8 + rng.uniform(-0.1, 0.1, m)
        a = (q * w) @ q.conj().T
        return (a + a.conj().T) / 2
    return _matrix_batch(rng, shape, build)


def _diagonalizable(rng, shape, c):
    """Matrices S diag(w) S⁻¹ with real eigenvalues at least 0.5 apart and S well conditioned
    (eig: a diagonalizable matrix whose eigenvalues keep their order under perturbation)."""
    n = _np()

    def build(rng, m, k):
        s = _wellcond(rng, (m, m), c)
        w = (n.arange(m) - m / 2) * 0.8 + 0.3 + rng.uniform(-0.1, 0.1, m)
        return (s * w) @ n.linalg.inv(s)
    return _matrix_batch(rng, shape, build)


def _fullrank(rng, shape, c):
    """Matrices of full rank with distinct singular values in [1, 3] (svd, qr, pinv)."""
    n = _np()

    def build(rng, m, k):
        p = min(m, k)
        s = n.linspace(3.0, 1.0, p) + rng.uniform(-0.05, 0.05, p)
        u, v = _orthogonal(rng, m, c), _orthogonal(rng, k, c)
        return (u[:, :p] * s) @ v[:p, :]
    return _matrix_batch(rng, shape, build)


def _singular(rng, shape, c):
    """Square matrices of rank n − 1, other singular values in [1, 3] (det's derivative is the
    adjugate there, where det · inv is not finite)."""
    n = _np()

    def build(rng, m, k):
        s = n.concatenate([n.linspace(1.0, 3.0, m - 1) * rng.uniform(0.95, 1.05, m - 1), [0.0]])
        u, v = _orthogonal(rng, m, c), _orthogonal(rng, k, c)
        return (u * s) @ v
    return _matrix_batch(rng, shape, build)


def _int(rng, shape, c):
    return rng.integers(-8, 9, shape)


def _shift(rng, shape, c):
    return rng.integers(0, 4, shape)


def _bool(rng, shape, c):
    return rng.random(shape) < 0.5


def _fractional(rng, shape, c):
    """Values k + f with f in [0.2, 0.8]: away from the jumps of floor, round, remainder."""
    return rng.integers(-3, 4, shape) + rng.uniform(0.2, 0.8, shape)


#: the named input domains: ``domain(rng, shape, complex) -> ndarray`` (float64 / complex128)
DOMAINS: dict[str, Callable] = {
    "real": _real, "positive": _positive, "unit": _unit, "gt1": _gt1, "nonzero": _nonzero,
    "small": _small, "distinct": _distinct, "wellcond": _wellcond, "spd": _spd,
    "symmetric": _symmetric, "diagonalizable": _diagonalizable, "fullrank": _fullrank,
    "singular": _singular, "fractional": _fractional, "int": _int, "shift": _shift, "bool": _bool,
}


def seed_for(*parts: str) -> int:
    """A stable seed for a row and case (the same inputs on every backend and run)."""
    return zlib.crc32("|".join(parts).encode())


def make_inputs(arg: Arg, rng: Any, complex_: bool) -> Any:
    """Host values of one argument, float64 / complex128 (or its fixed dtype)."""
    n = _np()
    if arg.dtype == "py":
        make = DOMAINS[arg.domain] if isinstance(arg.domain, str) else arg.domain
        vals = arg.values if arg.values is not None else make(rng, (), False)
        return float(n.asarray(vals))
    if arg.values is not None:
        vals = n.asarray(arg.values)
        if arg.dtype is not None:
            return vals.astype(arg.dtype)
        return vals.astype(complex if complex_ else float) if vals.dtype.kind != "c" or \
            complex_ else vals.real.astype(float)
    domain = arg.domain
    if arg.dtype is not None and domain == "real":
        kind = n.dtype(arg.dtype).kind
        if kind == "b":
            return rng.random(arg.shape) < 0.5
        if kind in "iu":
            return rng.integers(0 if kind == "u" else -5, 6, arg.shape).astype(arg.dtype)
    fn = DOMAINS[domain] if isinstance(domain, str) else domain
    vals = n.asarray(fn(rng, tuple(arg.shape), complex_))
    return vals.astype(arg.dtype) if arg.dtype is not None else vals
