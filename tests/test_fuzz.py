"""Differential fuzzing: random compositions of primitives, differentiated by polygrad, by JAX
(``jax.grad`` / ``jax.jvp`` in float64) and by ``torch.autograd`` (float64), must agree.

Hypothesis draws a program: two inputs of broadcast-compatible shapes, then a few steps, each an
operation (elementwise, reduction over random axes, cumulative, shape, indexing, matmul,
softmax family) applied to earlier values, with domains respected by construction (``log`` gets
``a² + 0.5``, ``atanh`` gets ``0.9 tanh a``, ...). The same program runs in NumPy (values),
polygrad, JAX and torch; gradients, JVPs and Hessian-vector products (forward-over-reverse and
reverse-over-reverse) are compared.

Further families (``fuzz_families.py``, and ``jit`` here): in-place updates with repeated
indices, masks and mixed keys; writes through views; ``checkpoint`` of closures; ``jit`` of
closures whose arrays change between calls; det, slogdet, inv and solve at and near singular
matrices. Their oracles are NumPy's semantics, central differences in float64, torch and JAX.

The normal suite runs a short, derandomized sample, failing at the first disagreement;
``nox -s fuzz`` runs a long random one (``POLYGRAD_FUZZ_EXAMPLES`` programs, shared among the
families by ``SHARES``), counts every disagreement, prints the counts per family and fails at
the end of each family that had one, showing its smallest program.
"""

from __future__ import annotations

import atexit
import collections
import dataclasses
import math
import os
import time
import traceback
import unittest.mock
import warnings
from dataclasses import dataclass, field

import numpy
import pytest

hypothesis = pytest.importorskip("hypothesis", reason="the fuzzer draws programs with hypothesis")
jax = pytest.importorskip("jax", reason="jax is an oracle of every program family")
torch = pytest.importorskip("torch", reason="torch is an oracle of every program family")
scipy_special = pytest.importorskip("scipy.special", reason="scipy.special gives NumPy values")

import jax.numpy as jnp  # noqa: E402
from hypothesis import HealthCheck, Phase, assume, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import polygrad as pg  # noqa: E402
import polygrad.numpy as pnp  # noqa: E402
import polygrad.special as pspecial  # noqa: E402
from polygrad.extend import JitWarning  # noqa: E402

import fuzz_families as families  # noqa: E402   (tests/ is on sys.path: no __init__.py)

LONG = "POLYGRAD_FUZZ_EXAMPLES" in os.environ
VERBOSE = bool(os.environ.get("POLYGRAD_FUZZ_VERBOSE"))   # print every disagreement of a family
EXAMPLES = int(os.environ.get("POLYGRAD_FUZZ_EXAMPLES", "20"))
#: a long run's programs, shared among the families (JAX compiles each program, about half a
#: second, hence its smaller share); the short run of the normal suite: (torch, jax, ...) below
SHARES = {"compositions, torch": 0.70, "compositions, jax": 0.10, "in-place updates": 0.07,
          "writes through views": 0.04, "checkpoint with closures": 0.04,
          "near-singular linear algebra": 0.03, "jit with closures": 0.02}
SHORT = {"compositions, torch": 20, "compositions, jax": 3, "in-place updates": 8,
         "writes through views": 6, "checkpoint with closures": 6,
         "near-singular linear algebra": 6, "jit with closures": 3}


def _examples(family):
    return max(1, round(EXAMPLES * SHARES[family])) if LONG else SHORT[family]
RTOL = 1e-7
USED: collections.Counter = collections.Counter()
TRIED = collections.Counter()


# -- one program, four libraries -------------------------------------------------------------
class ArrayAPI:
    """polygrad, JAX and NumPy share the standard's names; only the special functions differ."""

    def __init__(self, name, xp, special):
        self.name, self.xp, self.special = name, xp, special

    def unary(self, op, a):
        return getattr(self.xp, op)(a)

    def binary(self, op, a, b):
        return getattr(self.xp, op)(a, b)

    def erf(self, a):
        return self.special["erf"](a)

    def sigmoid(self, a):
        return self.special["expit"](a)

    def where_positive(self, a, b):
        return self.xp.where(a > 0, a, b)

    def clip(self, a):
        return self.xp.clip(a, -0.7, 0.7)

    def reduce(self, op, a, axis, keepdims):
        if op == "logsumexp":
            return self.special["logsumexp"](a, axis=axis, keepdims=keepdims)
        return getattr(self.xp, op)(a, axis=axis, keepdims=keepdims)

    def softmax(self, op, a, axis):
        return self.special[op](a, axis=axis)

    def cumulative(self, op, a, axis):
        return getattr(self.xp, op)(a, axis=axis)

    def permute_dims(self, a, perm):
        return self.xp.permute_dims(a, perm)

    def reshape(self, a, shape):
        return self.xp.reshape(a, shape)

    def flip(self, a, axis):
        return self.xp.flip(a, axis=axis)

    def expand_dims(self, a, axis):
        return self.xp.expand_dims(a, axis=axis)

    def concat(self, a, b, axis):
        return self.xp.concat([a, b], axis=axis)

    def stack(self, a, b, axis):
        return self.xp.stack([a, b], axis=axis)

    def getitem(self, a, key):
        return a[key]

    def matmul(self, a, b):
        return self.xp.matmul(a, b)

    def asarray(self, v):
        return self.xp.asarray(v)


class TorchAPI:
    """The same operations spelled for torch (``dim=``, ``correction=0``, ...)."""

    name = "torch"
    _UNARY = {"negative": "neg", "square": "square", "acosh": "acosh", "asinh": "asinh",
              "atanh": "atanh", "asin": "asin", "acos": "acos", "atan": "atan"}
    _BINARY = {"add": "add", "subtract": "sub", "multiply": "mul", "divide": "div",
               "maximum": "maximum", "minimum": "minimum", "pow": "pow", "atan2": "atan2",
               "hypot": "hypot", "logaddexp": "logaddexp"}

    def unary(self, op, a):
        return getattr(torch, self._UNARY.get(op, op))(a)

    def binary(self, op, a, b):
        return getattr(torch, self._BINARY[op])(a, b)

    def erf(self, a):
        return torch.erf(a)

    def sigmoid(self, a):
        return torch.sigmoid(a)

    def where_positive(self, a, b):
        a, b = torch.broadcast_tensors(a, b)
        return torch.where(a > 0, a, b)

    def clip(self, a):
        return torch.clamp(a, -0.7, 0.7)

    def reduce(self, op, a, axis, keepdims):
        dims = tuple(range(a.ndim)) if axis is None else \
            (axis if isinstance(axis, tuple) else (axis,))
        if a.ndim == 0 or not dims:
            return a if op not in ("var", "std") else a * 0.0
        if op in ("var", "std"):
            return getattr(torch, op)(a, dim=dims, keepdim=keepdims, correction=0)
        fn = {"sum": torch.sum, "mean": torch.mean, "max": torch.amax, "min": torch.amin,
              "logsumexp": torch.logsumexp}.get(op)
        if fn is not None:
            return fn(a, dim=dims, keepdim=keepdims)
        out = a   # prod: one axis at a time
        for d in sorted((d % a.ndim for d in dims), reverse=True):
            out = torch.prod(out, dim=d, keepdim=keepdims)
        return out

    def softmax(self, op, a, axis):
        return getattr(torch, op)(a, dim=axis)

    def cumulative(self, op, a, axis):
        return {"cumulative_sum": torch.cumsum, "cumulative_prod": torch.cumprod}[op](a, dim=axis)

    def permute_dims(self, a, perm):
        return torch.permute(a, perm)

    def reshape(self, a, shape):
        return torch.reshape(a, shape)

    def flip(self, a, axis):
        return torch.flip(a, dims=tuple(range(a.ndim)) if axis is None else (axis,))

    def expand_dims(self, a, axis):
        return torch.unsqueeze(a, axis)

    def concat(self, a, b, axis):
        return torch.cat([a, b], dim=axis)

    def stack(self, a, b, axis):
        return torch.stack([a, b], dim=axis)

    def getitem(self, a, key):
        return a[key]

    def matmul(self, a, b):
        return torch.matmul(a, b)

    def asarray(self, v):
        return torch.as_tensor(numpy.asarray(v), dtype=torch.float64)


def _scipy_logsumexp(a, axis, keepdims):
    # scipy gives shape (1,) for a 0-d input with keepdims; the standard (and numpy.sum) give ()
    shape = numpy.sum(a, axis=axis, keepdims=keepdims).shape
    return numpy.reshape(scipy_special.logsumexp(a, axis=axis, keepdims=keepdims), shape)


NUMPY = ArrayAPI("numpy", numpy, {
    "erf": scipy_special.erf, "expit": scipy_special.expit,
    "logsumexp": _scipy_logsumexp, "softmax": scipy_special.softmax,
    "log_softmax": scipy_special.log_softmax})
POLYGRAD = ArrayAPI("polygrad", pnp, {
    "erf": pspecial.erf, "expit": pspecial.expit, "logsumexp": pspecial.logsumexp,
    "softmax": pspecial.softmax, "log_softmax": pspecial.log_softmax})
JAX = ArrayAPI("jax", jnp, {
    "erf": jax.scipy.special.erf, "expit": jax.nn.sigmoid,
    "logsumexp": jax.scipy.special.logsumexp, "softmax": jax.nn.softmax,
    "log_softmax": jax.nn.log_softmax})
TORCH = TorchAPI()


# -- operations: how each applies, with its domain guard -------------------------------------------
# unary elementwise: name -> the guard that maps any real value into the function's domain
UNARY = {
    "negative": None, "sin": None, "cos": None, "tanh": None, "exp": None, "expm1": None,
    "atan": None, "sinh": None, "cosh": None, "asinh": None, "abs": None, "square": None,
    "log": lambda a: a * a + 0.5, "log1p": lambda a: a * a, "sqrt": lambda a: a * a + 0.5,
    "acosh": lambda a: a * a + 1.5, "atanh": "tanh", "asin": "tanh", "acos": "tanh",
    "reciprocal": lambda a: a * a + 0.5, "erf": None, "sigmoid": None, "clip": None,
}
# binary elementwise (broadcasting): name -> guards of (first, second)
BINARY = {
    "add": (None, None), "subtract": (None, None), "multiply": (None, None),
    "divide": (None, lambda b: b * b + 0.5), "maximum": (None, None), "minimum": (None, None),
    "pow": (lambda a: a * a + 0.5, None), "atan2": (None, None), "hypot": (None, None),
    "logaddexp": (None, None), "where_positive": (None, None),
}
REDUCE = ("sum", "mean", "prod", "max", "min", "logsumexp", "var", "std")
SOFTMAX = ("softmax", "log_softmax")
CUMULATIVE = ("cumulative_sum", "cumulative_prod")
SHAPE = ("permute_dims", "reshape", "flip", "expand_dims", "getitem")
PAIR = ("concat", "stack", "matmul")


def _guarded(lib, guard, a):
    if guard is None:
        return a
    if guard == "tanh":
        return lib.unary("tanh", a) * 0.9
    return guard(a)


@dataclass
class Step:
    op: str
    args: tuple
    params: dict = field(default_factory=dict)

    def apply(self, lib, values):
        a = values[self.args[0]]
        b = values[self.args[1]] if len(self.args) > 1 else None
        op, p = self.op, self.params
        if op in UNARY:
            a = _guarded(lib, UNARY[op], a)
            if op in ("erf", "sigmoid", "clip"):
                return getattr(lib, op)(a)
            return lib.unary(op, a)
        if op in BINARY:
            ga, gb = BINARY[op]
            a, b = _guarded(lib, ga, a), _guarded(lib, gb, b)
            if op == "where_positive":
                return lib.where_positive(a, b)
            return lib.binary(op, a, b)
        if op in REDUCE:
            return lib.reduce(op, a, p["axis"], p["keepdims"])
        if op in SOFTMAX:
            return lib.softmax(op, a, p["axis"])
        if op in CUMULATIVE:
            return lib.cumulative(op, a, p["axis"])
        if op == "permute_dims":
            return lib.permute_dims(a, p["perm"])
        if op == "reshape":
            return lib.reshape(a, p["shape"])
        if op == "flip":
            return lib.flip(a, p["axis"])
        if op == "expand_dims":
            return lib.expand_dims(a, p["axis"])
        if op == "getitem":
            return lib.getitem(a, p["key"])
        if op in ("concat", "stack"):
            return getattr(lib, op)(a, b, p["axis"])
        if op == "matmul":
            return lib.matmul(a, b)
        raise AssertionError(op)

    def __repr__(self):
        params = "".join(f", {k}={v!r}" for k, v in self.params.items())
        return f"{self.op}{self.args}{params}"


@dataclass
class Program:
    x: numpy.ndarray
    y: numpy.ndarray
    steps: list
    weight: numpy.ndarray

    def run(self, lib, x, y):
        values = [x, y]
        for step in self.steps:
            values.append(step.apply(lib, values))
        return values[-1]

    def __repr__(self):
        return (f"Program(x shape {self.x.shape}, y shape {self.y.shape}, steps {self.steps})")


# -- drawing programs ---------------------------------------------------------------------------
def _shape(draw, max_ndim=3):
    ndim = draw(st.integers(0, max_ndim))
    return tuple(draw(st.integers(1, 4)) for _ in range(ndim))


def _broadcastable_to(draw, shape):
    ndim = draw(st.integers(0, len(shape)))
    tail = shape[len(shape) - ndim:]
    return tuple(d if draw(st.booleans()) else 1 for d in tail)


def _axis(draw, ndim, allow_none=True, allow_tuple=True):
    if ndim == 0:
        return None
    kinds = ["int"] + (["none"] if allow_none else []) + (["tuple"] if allow_tuple else [])
    kind = draw(st.sampled_from(kinds))
    if kind == "none":
        return None
    if kind == "int":
        return draw(st.integers(-ndim, ndim - 1))
    axes = draw(st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True))
    return tuple(sorted(axes))


def _reduced_size(shape, axis):
    if axis is None:
        return math.prod(shape)
    axes = axis if isinstance(axis, tuple) else (axis,)
    return math.prod(shape[a] for a in axes)


def _candidates(shapes, used):
    """(op, operand indices) pairs that apply to the values so far."""
    out = []
    n = len(shapes)
    for i in range(n):
        s = shapes[i]
        out += [(op, (i,)) for op in UNARY]
        out += [(op, (i,)) for op in REDUCE]
        if s:
            out += [(op, (i,)) for op in SOFTMAX + CUMULATIVE]
        out += [(op, (i,)) for op in SHAPE if (len(s) < 4 or op not in ("expand_dims",))]
        for j in range(n):
            if i == j:
                continue
            t = shapes[j]
            try:
                numpy.broadcast_shapes(s, t)
                out += [(op, (i, j)) for op in BINARY]
            except ValueError:
                pass
            if s == t and s:
                out += [("concat", (i, j)), ("stack", (i, j))]
            if s and t and s[-1] == (t[-2] if len(t) > 1 else t[0]):
                try:
                    numpy.matmul(numpy.zeros(s), numpy.zeros(t))
                    out.append(("matmul", (i, j)))
                except ValueError:
                    pass
    return [c for c in out if c not in used]


def _params(draw, op, shape):
    ndim = len(shape)
    if op in REDUCE:
        axis = _axis(draw, ndim)
        if op in ("var", "std"):
            assume(ndim > 0 and _reduced_size(shape, axis) >= 2)   # std of one value: sqrt(0)
        return {"axis": axis, "keepdims": draw(st.booleans())}
    if op in SOFTMAX + CUMULATIVE:
        return {"axis": draw(st.integers(-ndim, ndim - 1))}
    if op == "permute_dims":
        return {"perm": tuple(draw(st.permutations(range(ndim))))}
    if op == "reshape":
        size = math.prod(shape)
        options = [(size,), tuple(reversed(shape)), shape + (1,), (1,) + shape, ()]
        options = [o for o in options if math.prod(o) == size and len(o) <= 4]
        return {"shape": draw(st.sampled_from(options))}
    if op == "flip":
        return {"axis": _axis(draw, ndim, allow_tuple=False) if ndim else None}
    if op == "expand_dims":
        return {"axis": draw(st.integers(-ndim - 1, ndim))}
    if op == "getitem":
        key = []
        for d in shape:
            kind = draw(st.sampled_from(["all", "slice", "index"]))
            if kind == "index":
                key.append(draw(st.integers(-d, d - 1)))
            elif kind == "slice":
                start = draw(st.integers(0, d - 1))
                key.append(slice(start, draw(st.integers(start + 1, d)),
                                 draw(st.sampled_from([1, 2]))))
            else:
                key.append(slice(None))
        return {"key": tuple(key)}
    if op in ("concat", "stack"):
        extra = 1 if op == "stack" else 0
        return {"axis": draw(st.integers(-ndim - extra, ndim - 1 + extra))}
    return {}


@st.composite
def programs(draw):
    seed = draw(st.integers(0, 2**32 - 1))
    rng = numpy.random.default_rng(seed)
    xs = _shape(draw)
    ys = _broadcastable_to(draw, xs) if draw(st.booleans()) else _shape(draw, 2)
    x = rng.uniform(-1.5, 1.5, xs)
    y = rng.uniform(-1.5, 1.5, ys)
    values = [x, y]
    steps, used = [], set()
    for _ in range(draw(st.integers(2, 6))):
        options = _candidates([v.shape for v in values], used)
        op, args = draw(st.sampled_from(options))
        used.add((op, args))
        step = Step(op, args, _params(draw, op, values[args[0]].shape))
        with numpy.errstate(all="ignore"):
            value = numpy.asarray(step.apply(NUMPY, values), dtype=float)
        assume(value.size > 0 and numpy.all(numpy.isfinite(value))
               and numpy.max(numpy.abs(value)) < 1e6)
        values.append(value)
        steps.append(step)
    weight = rng.uniform(-1.0, 1.0, values[-1].shape)
    return Program(x, y, steps, weight)


# -- the three differentiations -------------------------------------------------------------------
def _polygrad(prog, u, v):
    with pg.use_backend("numpy"):
        X, Y, U, V = (pnp.asarray(a) for a in (prog.x, prog.y, u, v))
        w = pnp.asarray(prog.weight)

        def f(x, y):
            return pnp.sum(prog.run(POLYGRAD, x, y) * w)
        value, (gx, gy) = pg.value_and_grad(f, argnum=(0, 1))(X, Y)
        _, t = pg.jvp(f, (X, Y), (U, V))
        fx = lambda x: f(x, Y)  # noqa: E731
        hvp_fwd = pg.hvp(fx)(X, U)
        hvp_rev = pg.grad(lambda x: pnp.sum(pg.grad(fx)(x) * U))(X)
        return {"value": value, "grad x": gx, "grad y": gy, "jvp": t, "hvp": hvp_fwd,
                "hvp (reverse over reverse)": hvp_rev}


def _jax(prog, u, v):
    def everything(x, y, u, v, w):
        def f(x, y):
            return jnp.sum(prog.run(JAX, x, y) * w)
        value, (gx, gy) = jax.value_and_grad(f, argnums=(0, 1))(x, y)
        _, t = jax.jvp(f, (x, y), (u, v))
        hvp = jax.jvp(jax.grad(lambda x: f(x, y)), (x,), (u,))[1]
        return {"value": value, "grad x": gx, "grad y": gy, "jvp": t, "hvp": hvp}

    with jax.enable_x64(True):   # float64 for this block only
        args = (jnp.asarray(a, dtype=jnp.float64) for a in (prog.x, prog.y, u, v, prog.weight))
        # one compilation per program: JAX's op-by-op mode compiles every op for every shape
        return jax.jit(everything)(*args)


def _torch(prog, u, v):
    x = torch.tensor(prog.x, dtype=torch.float64, requires_grad=True)
    y = torch.tensor(prog.y, dtype=torch.float64, requires_grad=True)
    w = torch.tensor(prog.weight, dtype=torch.float64)
    out = torch.sum(prog.run(TORCH, x, y) * w)
    gx, gy = torch.autograd.grad(out, (x, y), create_graph=True, allow_unused=True)
    gx = torch.zeros_like(x) if gx is None else gx
    gy = torch.zeros_like(y) if gy is None else gy
    hvp = None
    if gx.requires_grad:
        (hvp,) = torch.autograd.grad(torch.sum(gx * torch.tensor(u)), x, allow_unused=True)
    hvp = torch.zeros_like(x) if hvp is None else hvp
    # f is a scalar: its JVP along (u, v) is ⟨∇f, (u, v)⟩, here from torch's reverse mode
    jvp = torch.sum(gx * torch.tensor(u)) + torch.sum(gy * torch.tensor(v))
    return {"value": out, "grad x": gx, "grad y": gy, "jvp": jvp, "hvp": hvp}


def _host(a):
    if isinstance(a, torch.Tensor):
        return a.detach().numpy(force=True)   # force: torch's lazy zero tensors too
    return numpy.asarray(a, dtype=float)


def _close(got, want, what, prog):
    got, want = _host(got), _host(want)
    assert got.shape == want.shape, f"{what}: shape {got.shape} != {want.shape}\n{prog}"
    scale = max(1.0, float(numpy.max(numpy.abs(want))) if want.size else 0.0)
    numpy.testing.assert_allclose(got, want, rtol=RTOL, atol=RTOL * scale,
                                  err_msg=f"{what} differs\n{prog}")


def check_program(prog, oracle):
    """Compare polygrad with ``oracle`` ("jax" or "torch") on ``prog``; False: not comparable
    (the oracle's derivatives are not finite there)."""
    rng = numpy.random.default_rng(7)
    u = rng.uniform(-1.0, 1.0, prog.x.shape)
    v = rng.uniform(-1.0, 1.0, prog.y.shape)
    ref = (_jax if oracle == "jax" else _torch)(prog, u, v)
    for want in ref.values():
        want = _host(want)
        if not numpy.all(numpy.isfinite(want)) or numpy.max(numpy.abs(want), initial=0) > 1e8:
            return False   # a point where a derivative blows up: nothing to compare
    with numpy.errstate(all="ignore"):
        ours = _polygrad(prog, u, v)
    expected = numpy.sum(prog.run(NUMPY, prog.x, prog.y) * prog.weight)
    _close(ours["value"], expected, "value (against NumPy)", prog)
    for key, want in ref.items():
        _close(ours[key], want, f"{key} (against {oracle})", prog)
    _close(ours["hvp (reverse over reverse)"], ref["hvp"],
           f"hvp reverse-over-reverse (against {oracle})", prog)
    for step in prog.steps:
        USED[step.op] += 1
    TRIED[oracle] += 1
    return True


# no example database and no "explain" phase: nothing is written into the checkout
_SETTINGS = dict(deadline=None, derandomize=not LONG, database=None,
                 phases=[Phase.explicit, Phase.generate, Phase.shrink],
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                        HealthCheck.data_too_large])


@settings(max_examples=_examples("compositions, torch"), **_SETTINGS)
@given(programs())
def test_random_compositions_agree_with_torch_autograd(prog):
    assume(check_program(prog, "torch"))


@settings(max_examples=_examples("compositions, jax"), **_SETTINGS)
@given(programs())
def test_random_compositions_agree_with_jax(prog):
    assume(check_program(prog, "jax"))


# -- program families beyond compositions (tests/fuzz_families.py), and jit of closures ---------
def _check_family(prog, check, every_jax=5):
    """Run ``check(prog, oracles)``; JAX joins torch on every ``every_jax``-th program of the
    family. A disagreement (a wrong number or an unexpected error) fails at once in the short
    run (hypothesis then shrinks it); a long run counts them all and fails at the end."""
    family = prog.family
    done = families.TALLY.programs[family] + families.TALLY.disagreements[family]
    oracles = ("torch", "jax") if done % every_jax == 0 else ("torch",)
    start = time.perf_counter()
    try:
        with numpy.errstate(all="ignore"), warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", JitWarning)
            used = check(prog, oracles)
        for w in caught:   # pg.jit ran eagerly instead: right numbers, but say how often
            if issubclass(w.category, JitWarning):
                families.TALLY.notes[f"{family} [{prog.backend}]: JitWarning "
                                     f"{str(w.message)[:70]!r}"] += 1
    except Exception as exc:   # noqa: BLE001   every failure is a finding of this family
        message = f"{type(exc).__name__}: {str(exc)[:1500]}\nraised at {_origin(exc)}"
        families.TALLY.disagreed(family, prog, message, _kind(exc))
        if VERBOSE:
            print(f"\n{family} disagrees:\n{prog!r}\n{message}")
        if not LONG:
            raise
        return
    finally:
        families.TALLY.seconds[family] += time.perf_counter() - start
    assume(used is not None)   # None: the oracle's derivatives are not finite there
    families.TALLY.compared(family, used)


def _kind(exc):
    """What disagreed: the comparison's name, or the error and where it came from."""
    if isinstance(exc, AssertionError):
        lines = [ln for ln in str(exc).splitlines() if ln.endswith(" differs") or ": shape" in ln]
        return lines[0] if lines else "AssertionError: " + str(exc).strip()[:80]
    return f"{type(exc).__name__} at {_origin(exc)}"


def _origin(exc):
    frames = traceback.extract_tb(exc.__traceback__)
    inner = [f for f in frames if "polygrad" in f.filename and "tests" not in f.filename]
    f = (inner or frames)[-1]
    return f"{os.path.basename(f.filename)}:{f.lineno} ({f.name})"


def _verdict(family):
    tally = families.TALLY
    if tally.disagreements[family]:
        total = tally.programs[family] + tally.disagreements[family]
        pytest.fail(f"{family}: {tally.disagreements[family]} of {total} programs disagree; "
                    f"the smallest:\n{tally.smallest[family][1]}", pytrace=False)


def test_inplace_updates_with_repeated_indices_agree_with_finite_differences_torch_and_jax():
    @settings(max_examples=_examples("in-place updates"), **_SETTINGS)
    @given(families.update_programs())
    def run(prog):
        _check_family(prog, families.check_update_program)
    run()
    _verdict("in-place updates")


def test_writes_through_views_are_differentiated_as_evaluated_or_raise():
    @settings(max_examples=_examples("writes through views"), **_SETTINGS)
    @given(families.view_programs())
    def run(prog):
        _check_family(prog, families.check_view_program)
    run()
    _verdict("writes through views")


def test_checkpoint_of_closures_agrees_with_torch_jax_and_finite_differences():
    @settings(max_examples=_examples("checkpoint with closures"), **_SETTINGS)
    @given(families.checkpoint_programs())
    def run(prog):
        _check_family(prog, families.check_checkpoint_program)
    run()
    _verdict("checkpoint with closures")


def test_near_singular_linear_algebra_agrees_with_the_adjugate_torch_and_jax():
    @settings(max_examples=_examples("near-singular linear algebra"), **_SETTINGS)
    @given(families.linalg_programs())
    def run(prog):
        _check_family(prog, families.check_linalg_program, every_jax=1)
    run()
    _verdict("near-singular linear algebra")


@dataclass
class JitProgram:
    """A composition whose second input ``y`` is closed over by the jitted function, then
    changed in place between calls (``mutation``: "set" ``W[...] = y2``, "add" ``W += y2 - y``,
    "one" a single element)."""

    prog: Program
    backend: str
    mutation: str
    y2: numpy.ndarray
    family: str = "jit with closures"

    def __repr__(self):
        return (f"JitProgram(backend={self.backend!r}, mutation {self.mutation!r}, "
                f"x={self.prog.x.round(3).tolist()}, y={self.prog.y.round(3).tolist()}, "
                f"y2={self.y2.round(3).tolist()}, steps {self.prog.steps})")


@st.composite
def jit_programs(draw):
    prog = draw(programs())
    reached = {len(prog.steps) + 1}   # the values the output depends on, back to the inputs
    for i in range(len(prog.steps) + 1, 1, -1):
        if i in reached:
            reached.update(prog.steps[i - 2].args)
    assume(1 in reached)   # the closed-over array matters
    rng = numpy.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    mutation = draw(st.sampled_from(["set", "add", "one"]))
    y2 = rng.uniform(-1.5, 1.5, prog.y.shape)
    if mutation == "one":
        y2 = prog.y.copy()
        y2[(0,) * y2.ndim] = rng.uniform(-1.5, 1.5)
    with numpy.errstate(all="ignore"):
        value = prog.run(NUMPY, prog.x, y2)
    assume(numpy.all(numpy.isfinite(value)) and numpy.max(numpy.abs(value)) < 1e6)
    return JitProgram(prog, draw(st.sampled_from(["jax", "torch"])), mutation, y2)


def _no_torch_compile():
    """torch.compile as the identity (as tests/test_jit.py does): polygrad's tracing of the
    program through fake tensors is what is under test, and inductor takes seconds a program."""
    return unittest.mock.patch.object(torch, "compile", lambda graph, **kwargs: graph)


def check_jit_program(case, oracles):
    """``pg.jit(f)`` and ``pg.jit(pg.grad(f))`` of a function closing over an array ``W``:
    against torch.autograd before and after ``W`` changes in place (the result follows the
    change), and ``pg.grad`` of a jitted function closing over the differentiated ``W``."""
    prog = case.prog
    rng = numpy.random.default_rng(7)
    u, v = rng.uniform(-1.0, 1.0, prog.x.shape), rng.uniform(-1.0, 1.0, prog.y.shape)
    after = dataclasses.replace(prog, y=case.y2)
    refs = [_torch(prog, u, v), _torch(after, u, v)]
    for ref in refs:
        for want in ref.values():
            want = _host(want)
            if not numpy.all(numpy.isfinite(want)) or numpy.max(numpy.abs(want),
                                                                initial=0) > 1e8:
                return None
    with pg.use_backend(case.backend), _no_torch_compile():
        X, w = pnp.asarray(prog.x, dtype=pnp.float64), pnp.asarray(prog.weight, dtype=pnp.float64)
        W = pnp.asarray(prog.y, dtype=pnp.float64)   # a copy: mutated below

        def f(x):
            return pnp.sum(prog.run(POLYGRAD, x, W) * w)
        jf, jg = pg.jit(f), pg.jit(pg.grad(f))
        _close(jf(X), refs[0]["value"], "jit value (against torch)", case)
        _close(jg(X), refs[0]["grad x"], "jit(grad) (against torch)", case)
        if case.mutation == "set":
            W[...] = pnp.asarray(case.y2, dtype=pnp.float64)
        elif case.mutation == "add":
            W += pnp.asarray(case.y2 - prog.y, dtype=pnp.float64)
        else:
            W[(0,) * W.ndim] = float(case.y2[(0,) * W.ndim])
        _close(jf(X), refs[1]["value"], "jit value after the closed-over array changed "
               "(against torch)", case)
        _close(jg(X), refs[1]["grad x"], "jit(grad) after the closed-over array changed "
               "(against torch)", case)

        def through(y):
            return pg.jit(lambda x: pnp.sum(prog.run(POLYGRAD, x, y) * w))(X)
        _close(pg.grad(through)(W), refs[1]["grad y"], "grad of a jitted function closing "
               "over the differentiated array (against torch)", case)
    return ["torch"]


def _jit_example(backend):
    # a program the fuzzer found (issue 22): on jax, the jitted function kept the old W
    prog = _program([1.259, 0.69], [-0.446], [Step("logaddexp", (1, 0)),
                                               Step("multiply", (1, 2))], [0.3, -0.7])
    return JitProgram(prog, backend, "add", numpy.asarray([0.934]))


def test_jit_of_closures_follows_the_closed_over_arrays():
    @settings(max_examples=_examples("jit with closures"), **_SETTINGS)
    @hypothesis.example(_jit_example("jax"))
    @hypothesis.example(_jit_example("torch"))
    @given(jit_programs())
    def run(case):
        _check_family(case, check_jit_program)
    run()
    _verdict("jit with closures")


def _report():
    if LONG and TRIED:
        ops = sorted(set(UNARY) | set(BINARY) | set(REDUCE) | set(SOFTMAX) | set(CUMULATIVE)
                     | set(SHAPE) | set(PAIR))
        print(f"\npolygrad fuzz: programs compared with torch.autograd: {TRIED['torch']}, "
              f"with jax: {TRIED['jax']}; {len(USED)} of {len(ops)} operations used")
        print("  " + ", ".join(f"{op} {USED[op]}" for op in ops))
    if LONG and (families.TALLY.programs or families.TALLY.disagreements):
        print("\npolygrad fuzz, program families:")
        print("\n".join(families.TALLY.lines()))


atexit.register(_report)


# -- regressions found by the fuzzer ---------------------------------------------------------------
def _program(x, y, steps, weight=None):
    x, y = numpy.asarray(x, dtype=float), numpy.asarray(y, dtype=float)
    values = [x, y]
    for s in steps:
        values.append(numpy.asarray(s.apply(NUMPY, values), dtype=float))
    w = numpy.ones(values[-1].shape) if weight is None else numpy.asarray(weight)
    return Program(x, y, list(steps), w)


@pytest.mark.parametrize("oracle", ["torch", "jax"])
def test_the_fuzzer_checks_a_known_composition(oracle):
    prog = _program(numpy.linspace(-1, 1, 6).reshape(2, 3), [0.3, -0.2, 0.5],
                    [Step("multiply", (0, 1)), Step("logsumexp", (2,), {"axis": 1,
                                                                          "keepdims": False}),
                     Step("sqrt", (3,))])
    assert check_program(prog, oracle)


def test_the_fuzzer_fails_on_a_wrong_rule():
    # a deliberately wrong derivative must be caught (the oracle is not vacuous)
    prim = pnp.sin.primitive
    saved = prim.vjps
    prim.vjps = (lambda g, ans, x: g * pnp.cos(x) * 1.001,)
    try:
        prog = _program([0.1, 0.2], [0.3], [Step("sin", (0,))])
        with pytest.raises(AssertionError, match="grad x"):
            check_program(prog, "torch")
    finally:
        prim.vjps = saved


def test_regression_cumulative_prod_along_an_axis_of_length_one():
    # found by the fuzzer: the exclusive product of a length-1 axis came out empty, so the
    # VJP had shape (0,) instead of (1,) (and the JVP failed the same way)
    prog = _program([0.41, -0.69], [-1.38], [Step("negative", (1,)),
                                              Step("cumulative_prod", (2,), {"axis": 0})])
    assert check_program(prog, "torch")
    prog = _program(numpy.full((2, 1), 3.0), [0.5], [Step("cumulative_prod", (0,), {"axis": 1}),
                                                     Step("multiply", (2, 1))])
    assert check_program(prog, "torch")


def test_regression_std_of_equal_values_has_derivative_zero_not_nan():
    # found by the fuzzer: std over an axis whose values are all equal (here a broadcast scalar)
    # is sqrt(0), whose derivative was inf · 0 = NaN; now the zero subgradient, as torch
    prog = _program([[0.41, -0.69, -1.38], [-1.45, 0.94, 1.24]], [[0.32, 0.69], [0.13, 1.31]],
                    [Step("getitem", (1,), {"key": (0, slice(None))}),
                     Step("sum", (2,), {"axis": 0, "keepdims": False}),
                     Step("where_positive", (3, 0)),
                     Step("std", (4,), {"axis": 0, "keepdims": False})])
    assert check_program(prog, "torch")
