"""Program families of the differential fuzzer (``test_fuzz.py``) that go beyond pure
compositions: in-place updates with repeated indices, writes through views, ``checkpoint`` of
closures and near-singular linear algebra (the ``jit`` family reuses ``test_fuzz``'s programs).

Each family draws a small program, runs it in NumPy (values: NumPy's semantics are the
specification), differentiates it with polygrad (``value_and_grad``, ``jvp``, the tape, and
second order where cheap) on a drawn backend, and compares with central differences in float64
of the NumPy function and, where an equivalent program exists, with torch.autograd and JAX.
``Tally`` counts programs and disagreements per family; not a test module itself.
"""

from __future__ import annotations

import collections
import itertools
import math
from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy
import torch
from hypothesis import strategies as st

import polygrad as pg
import polygrad.numpy as pnp

#: polygrad's backend for a program: JAX compiles each new operation eagerly (a tenth of a second
#: each), so one program in ten runs there
BACKENDS = ("numpy",) * 6 + ("torch",) * 3 + ("jax",)


# -- bookkeeping ---------------------------------------------------------------------------------
class Tally:
    """Programs compared and disagreements, per family and per oracle; the smallest failing
    program of each family (by the length of its description)."""

    def __init__(self):
        self.programs = collections.Counter()
        self.oracles = collections.defaultdict(collections.Counter)
        self.disagreements = collections.Counter()
        self.errors_allowed = collections.Counter()
        self.smallest: dict = {}
        self.notes = collections.Counter()
        self.kinds = collections.defaultdict(collections.Counter)
        self.seconds = collections.Counter()

    def compared(self, family, oracles):
        self.programs[family] += 1
        for o in oracles:
            self.oracles[family][o] += 1

    def disagreed(self, family, prog, message, kind):
        self.disagreements[family] += 1
        self.kinds[family][f"{kind} [{getattr(prog, 'backend', '?')}]"] += 1
        text = f"{prog!r}\n{message}"
        old = self.smallest.get(family)
        if old is None or len(repr(prog)) < old[0]:
            self.smallest[family] = (len(repr(prog)), text)

    def lines(self):
        out = []
        for family in sorted(set(self.programs) | set(self.disagreements)):
            oracles = ", ".join(f"{o} {n}" for o, n in sorted(self.oracles[family].items()))
            out.append(f"  {family}: {self.programs[family] + self.disagreements[family]} "
                       f"programs, {self.disagreements[family]} disagreements "
                       f"(compared with {oracles or 'nothing'}), {self.seconds[family]:.0f} s")
            for kind, n in self.kinds[family].most_common():
                out.append(f"    {n} × {kind}")
            if self.errors_allowed[family]:
                out.append(f"    raised polygrad's documented error instead: "
                           f"{self.errors_allowed[family]}")
        for note, n in sorted(self.notes.items()):
            out.append(f"  note: {note}: {n}")
        return out


TALLY = Tally()


def host(a):
    if isinstance(a, torch.Tensor):
        return a.detach().numpy(force=True)
    return numpy.asarray(a, dtype=float)


def close(got, want, what, rtol=1e-7, atol=None):
    got, want = host(got), host(want)
    assert got.shape == want.shape, f"{what}: shape {got.shape} != {want.shape}"
    scale = max(1.0, float(numpy.max(numpy.abs(want))) if want.size else 0.0)
    numpy.testing.assert_allclose(got, want, rtol=rtol, atol=rtol * scale if atol is None
                                  else atol, err_msg=f"{what} differs")


def finite_gradient(f, x, h=1e-3):
    """Gradient of the NumPy function ``f`` at ``x`` by the 4-point central stencil (error
    O(h⁴): about 1e-12 for the smooth, bounded programs drawn here)."""
    x = numpy.array(x, dtype=float)
    g = numpy.zeros_like(x)
    for i in numpy.ndindex(x.shape):
        def at(d, i=i):
            xd = x.copy()
            xd[i] += d
            return f(xd)
        g[i] = (-at(2 * h) + 8 * at(h) - 8 * at(-h) + at(-2 * h)) / (12 * h)
    return g


def on_backend(name, a):
    return pnp.asarray(numpy.asarray(a, dtype=float), dtype=pnp.float64)


def polygrad_derivatives(f, args, tangents):
    """value, gradients (functional), JVP, and gradients by the tape, of ``f(*args)`` (a
    scalar); arguments are arrays or dicts of arrays."""
    value, grads = pg.value_and_grad(f, argnum=tuple(range(len(args))))(*args)
    _, t = pg.jvp(f, tuple(args), tuple(tangents))
    leaves = [_map(lambda a: a * 1.0, a) for a in args]
    for a in leaves:
        _map(lambda leaf: leaf.attach_grad(), a)
    with pg.record():
        out = f(*leaves)
    out.backward()
    return {"value": value, "grads": grads, "jvp": t,
            "tape": [_map(lambda leaf: leaf.grad, a) for a in leaves]}


def _map(fun, tree):
    if isinstance(tree, dict):
        return {k: fun(v) for k, v in tree.items()}
    return fun(tree)


# -- (a) in-place updates with repeated indices, masks, slices mixed with arrays ---------------
@dataclass
class Update:
    key: tuple          # per component: ("int", i) ("slice", a, b, s) ("array", ints)
    #                     ("mask", bools) ("xmask", threshold): the whole-shape mask x > t
    mode: str           # "set" "add" "mul": y[key] = v, y[key] += v, y[key] *= v
    source: str         # "scalar" "const" "x" "y": where v comes from
    gather: numpy.ndarray   # indices into x or y flattened (source x, y), or constants
    shape: tuple        # the shape of y[key]
    unique: bool        # the key writes each element of y once

    def __repr__(self):
        key = ", ".join(_key_text(k) for k in self.key)
        op = {"set": "=", "add": "+=", "mul": "*="}[self.mode]
        src = {"scalar": f"{self.gather[0]:.3g}", "const": "const",
               "x": f"sin(x.ravel()[{self.gather.tolist()}])",
               "y": f"0.5 * y.ravel()[{self.gather.tolist()}]"}[self.source]
        return f"y[{key}] {op} {src}"


def _key_text(k):
    if k[0] == "int":
        return str(k[1])
    if k[0] == "slice":
        return f"{'' if k[1] is None else k[1]}:{'' if k[2] is None else k[2]}:{k[3]}"
    if k[0] == "xmask":
        return f"x > {k[1]}"
    return repr(k[1].tolist())


def _realize(component, xp_array, x):
    kind = component[0]
    if kind == "int":
        return component[1]
    if kind == "slice":
        return slice(*component[1:])
    if kind == "xmask":
        return x > component[1]
    return xp_array(component[1])


def _jax_key(key):
    """JAX's ``.at`` wants integer indices: a boolean mask becomes its ``nonzero``."""
    out = []
    for k in key:
        if isinstance(k, numpy.ndarray) and k.dtype == bool:
            out += [jnp.asarray(i) for i in numpy.nonzero(k)]
        else:
            out.append(jnp.asarray(k) if isinstance(k, numpy.ndarray) else k)
    return tuple(out)


@dataclass
class UpdateProgram:
    x: numpy.ndarray
    pre: str
    updates: list
    weight: numpy.ndarray
    backend: str
    family: str = "in-place updates"

    def run(self, lib, x):
        """NumPy semantics; ``lib`` is "numpy" or "polygrad" (both run ``y[key] op= v``), or
        "torch"/"jax" (their own spelling, only when every key is unique)."""
        xp = {"numpy": numpy, "polygrad": pnp, "torch": torch, "jax": jnp}[lib]
        arr = {"numpy": numpy.asarray, "polygrad": pnp.asarray, "jax": jnp.asarray,
               "torch": torch.as_tensor}[lib]
        y = {"copy": lambda: x * 1.0, "sin": lambda: xp.sin(x),
             "square": lambda: x * x}[self.pre]()
        for u in self.updates:
            if lib in ("torch", "jax"):   # x > t from the unperturbed x: x is never perturbed
                key = tuple(_realize(c, numpy.asarray, self.x) for c in u.key)
                key = (_jax_key(key) if lib == "jax" else
                       tuple(torch.as_tensor(k) if isinstance(k, numpy.ndarray) else k
                             for k in key))
            else:
                key = tuple(_realize(c, arr, x) for c in u.key)
            v = self._value(u, xp, arr, x, y)
            if lib in ("numpy", "polygrad"):
                if u.mode == "set":
                    y[key] = v
                elif u.mode == "add":
                    y[key] += v
                else:
                    y[key] *= v
            else:   # unique keys: y[key] op= v is y[key] = y[key] op v
                if u.mode != "set":
                    v = y[key] + v if u.mode == "add" else y[key] * v
                if lib == "torch":
                    y = y.clone()   # a new tensor: the old y[key] (a view) stays unmodified
                    y[key] = v
                else:
                    y = y.at[key].set(v)
        return xp.sum(xp.sin(y) * arr(self.weight)) + 0.1 * xp.sum(y * y)

    @staticmethod
    def _value(u, xp, arr, x, y):
        if u.source == "scalar":
            return float(u.gather[0])
        size = math.prod(u.shape)
        if u.source == "const":
            return xp.reshape(arr(u.gather[:size]), u.shape)
        idx = arr(u.gather[:size])
        if u.source == "x":
            return xp.reshape(xp.sin(xp.reshape(x, (-1,))[idx]), u.shape)
        return 0.5 * xp.reshape(xp.reshape(y, (-1,))[idx], u.shape)

    def __repr__(self):
        return (f"UpdateProgram(x={self.x.round(3).tolist()}, backend={self.backend!r}: "
                f"y = {self.pre}(x); " + "; ".join(map(repr, self.updates))
                + "; return sum(sin(y) * w) + 0.1 sum(y²))")


def _component(draw, rng, d, kind):
    if kind == "int":
        return ("int", draw(st.integers(-d, d - 1)))
    if kind == "slice":
        a = draw(st.integers(0, d - 1))
        return ("slice", a, draw(st.integers(a + 1, d)), draw(st.sampled_from([1, 2])))
    if kind == "array":   # repeats and negative aliases of one element, on purpose
        n = draw(st.integers(1, 4))
        idx = rng.integers(-d, d, n)
        if n > 1 and draw(st.booleans()):
            idx[-1] = idx[0] if draw(st.booleans()) else idx[0] - d if idx[0] >= 0 else idx[0] + d
        return ("array", idx)
    return ("mask", rng.random(d) < 0.5)


def _key(draw, rng, shape):
    if len(shape) == 1:
        kinds = [draw(st.sampled_from(["array", "array", "mask", "slice", "int", "xmask"]))]
    else:
        kinds = draw(st.sampled_from([
            ["array"], ["array", "array"], ["slice", "array"], ["array", "slice"],
            ["int", "array"], ["array", "int"], ["mask", "slice"], ["xmask"], ["mask"]]))
    if kinds == ["xmask"]:
        return (("xmask", 0.0),)
    key = [_component(draw, rng, d, k) for d, k in zip(shape, kinds)]
    arrays = [i for i, c in enumerate(key) if c[0] == "array"]
    if len(arrays) == 2:   # two index arrays broadcast against each other: same length
        n = min(len(key[i][1]) for i in arrays)
        for i in arrays:
            key[i] = ("array", key[i][1][:n])
    if kinds == ["mask"] and len(shape) == 2:
        key = [("mask", rng.random(shape) < 0.5)]
    return tuple(key)


@st.composite
def update_programs(draw):
    rng = numpy.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    shape = draw(st.sampled_from([(n,) for n in range(2, 6)]
                                 + [(m, n) for m in range(2, 4) for n in range(2, 4)]))
    x = rng.uniform(0.2, 1.5, shape) * rng.choice([-1.0, 1.0], shape)   # away from x > 0's edge
    updates = []
    for _ in range(draw(st.integers(1, 3))):
        key = _key(draw, rng, shape)
        k_np = tuple(_realize(c, numpy.asarray, x) for c in key)
        target = numpy.arange(x.size).reshape(shape)[k_np]
        source = draw(st.sampled_from(["scalar", "const", "x", "y"]))
        size = max(1, target.size)
        gather = (rng.integers(0, x.size, size) if source in ("x", "y")
                  else rng.uniform(-1.0, 1.0, size))
        updates.append(Update(key, draw(st.sampled_from(["set", "add", "mul"])), source,
                              gather, target.shape,
                              len(numpy.unique(target)) == target.size))
    prog = UpdateProgram(x, draw(st.sampled_from(["copy", "sin", "square"])), updates,
                         rng.uniform(-1.0, 1.0, shape), draw(st.sampled_from(BACKENDS)))
    return prog


def check_update_program(prog, oracles):
    """Value against NumPy, derivatives against finite differences of the NumPy function
    (repeated writes: NumPy's last write wins, a buffered ``+=`` adds once), and, when every
    key is unique, against torch and JAX too. Returns the oracles used."""
    rng = numpy.random.default_rng(3)
    u = rng.uniform(-1.0, 1.0, prog.x.shape)
    want_value = prog.run("numpy", prog.x.copy())
    fd = finite_gradient(lambda x: prog.run("numpy", x), prog.x)
    used = ["finite differences"]
    with pg.use_backend(prog.backend):
        X, U = on_backend(prog.backend, prog.x), on_backend(prog.backend, u)
        f = lambda x: prog.run("polygrad", x)
        close(f(X), want_value, "eager value (against NumPy)")
        ours = polygrad_derivatives(f, (X,), (U,))
    close(ours["value"], want_value, "value under grad (against NumPy)")
    close(ours["grads"][0], fd, "grad (against finite differences)", rtol=1e-6)
    close(ours["jvp"], numpy.sum(fd * u), "jvp (against finite differences)", rtol=1e-6)
    close(ours["tape"][0], fd, "tape x.grad (against finite differences)", rtol=1e-6)
    if all(up.unique for up in prog.updates):
        if "torch" in oracles:
            x = torch.tensor(prog.x, dtype=torch.float64, requires_grad=True)
            (g,) = torch.autograd.grad(prog.run("torch", x), x)
            close(g, fd, "torch's own gradient (against finite differences)", rtol=1e-6)
            close(ours["grads"][0], g, "grad (against torch)")
            used.append("torch")
        if "jax" in oracles:
            with jax.enable_x64(True):   # one compilation, not one per operation
                g = jax.jit(jax.grad(lambda x: prog.run("jax", x)))(jnp.asarray(prog.x))
            close(ours["grads"][0], g, "grad (against jax)")
            used.append("jax")
    return used


# -- (b) writes through views --------------------------------------------------------------------
#: what polygrad may raise instead of differentiating a write through a view (its documented
#: contract: the same function as eagerly, or this error); never a silently different function
VIEW_ERRORS = (pg.DifferentiationError,)


@dataclass
class ViewProgram:
    x: numpy.ndarray
    views: list           # basic keys: z = y[k0], then z = z[k1]
    write: tuple          # the key written, on the last view (or on y: into_base)
    mode: str             # "set" "add"
    value: float | None   # a constant, or None: sin(x[0]) broadcast
    into_base: bool       # write into y after taking the view, read the view
    weight: numpy.ndarray
    backend: str
    family: str = "writes through views"

    def run(self, lib, x):
        xp = {"numpy": numpy, "polygrad": pnp, "torch": torch}[lib]
        y = x * 1.0
        z = y
        for k in self.views:
            z = z[k]
        v = self.value if self.value is not None else xp.sin(x[(0,) * x.ndim]) * 2.0
        target = y if self.into_base else z
        if self.mode == "set":
            target[self.write] = v
        else:
            target[self.write] += v
        out = xp.sum(xp.sin(y) * (xp.asarray(self.weight) if lib != "torch"
                                  else torch.as_tensor(self.weight)))
        return out + 0.5 * xp.sum(z * z)

    def __repr__(self):
        views = "".join(f"[{_basic_text(k)}]" for k in self.views)
        op = "=" if self.mode == "set" else "+="
        v = "2 sin(x[0])" if self.value is None else f"{self.value:.3g}"
        target = "y" if self.into_base else "z"
        return (f"ViewProgram(x={self.x.round(3).tolist()}, backend={self.backend!r}: "
                f"y = x * 1.0; z = y{views}; {target}[{_basic_text(self.write)}] {op} {v}; "
                f"return sum(sin(y) * w) + 0.5 sum(z²))")


def _basic_text(key):
    return ", ".join(f"{'' if k.start is None else k.start}:{'' if k.stop is None else k.stop}"
                     f"{'' if k.step in (None, 1) else ':' + str(k.step)}"
                     if isinstance(k, slice) else str(k) for k in key)


def _basic_key(draw, shape, allow_negative_step):
    key = []
    for i, d in enumerate(shape):
        kind = draw(st.sampled_from(["slice", "slice", "int"] if i < len(shape) - 1 or key
                                    else ["slice"]))
        if kind == "int" and len(shape) > 1 and not any(isinstance(k, int) for k in key):
            key.append(draw(st.integers(-d, d - 1)))
            continue
        step = draw(st.sampled_from([1, 1, 2, -1] if allow_negative_step else [1, 1, 2]))
        a = draw(st.integers(0, d - 1))
        if step > 0:
            key.append(slice(a, draw(st.integers(a + 1, d)), step))
        else:
            key.append(slice(a, None if draw(st.booleans()) else 0, -1) if a > 0
                       else slice(None, None, -1))
    return tuple(key)


@st.composite
def view_programs(draw):
    rng = numpy.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    shape = draw(st.sampled_from([(n,) for n in range(3, 7)]
                                 + [(m, n) for m in range(2, 4) for n in range(2, 4)]))
    x = rng.uniform(-1.5, 1.5, shape)
    negative = draw(st.booleans())
    views, z = [], x
    for _ in range(draw(st.integers(1, 2))):
        if z.ndim == 0:
            break
        k = _basic_key(draw, z.shape, negative)
        if z[k].size == 0:
            break
        views.append(k)
        z = z[k]
    into_base = draw(st.booleans())
    target = x if into_base else z
    write = ((...,) if target.ndim == 0 else _basic_key(draw, target.shape, negative))
    value = None if draw(st.booleans()) else float(rng.uniform(-2, 2))
    return ViewProgram(x, views, write, draw(st.sampled_from(["set", "add"])), value,
                       into_base, rng.uniform(-1.0, 1.0, shape), draw(st.sampled_from(BACKENDS)))


def check_view_program(prog, oracles):
    """Eager value equals NumPy's (the view is written through); each derivative equals finite
    differences of that function, or polygrad raises its documented error."""
    rng = numpy.random.default_rng(3)
    u = rng.uniform(-1.0, 1.0, prog.x.shape)
    want_value = prog.run("numpy", prog.x.copy())
    fd = finite_gradient(lambda x: prog.run("numpy", x), prog.x)
    used = ["finite differences"]
    raised = 0
    with pg.use_backend(prog.backend):
        X, U = on_backend(prog.backend, prog.x), on_backend(prog.backend, u)
        f = lambda x: prog.run("polygrad", x)
        try:
            close(f(X), want_value, "eager value (against NumPy)")
        except VIEW_ERRORS as exc:
            _documented(exc)
            raised += 1
        for what, run in (("grad", lambda: pg.value_and_grad(f)(X)),
                          ("jvp", lambda: pg.jvp(f, (X,), (U,))),
                          ("tape", lambda: _tape(f, X))):
            try:
                got = run()
            except VIEW_ERRORS as exc:
                _documented(exc)
                raised += 1
                continue
            if what == "grad":
                close(got[0], want_value, "value under grad (against NumPy)")
                close(got[1], fd, "grad (against finite differences)", rtol=1e-6)
            elif what == "jvp":
                close(got[0], want_value, "value under jvp (against NumPy)")
                close(got[1], numpy.sum(fd * u), "jvp (against finite differences)", rtol=1e-6)
            else:
                close(got, fd, "tape x.grad (against finite differences)", rtol=1e-6)
    if raised:
        TALLY.errors_allowed[prog.family] += 1
    keys = [k for key in prog.views + [prog.write] for k in key]
    if "torch" in oracles and not any(isinstance(k, slice) and k.step is not None
                                      and k.step < 0 for k in keys):   # torch has no such views
        x = torch.tensor(prog.x, dtype=torch.float64, requires_grad=True)
        (g,) = torch.autograd.grad(prog.run("torch", x), x)
        close(g, fd, "torch's own gradient (against finite differences)", rtol=1e-6)
        used.append("torch")
    return used


def _documented(exc):
    assert "view" in str(exc).lower(), f"an error that does not say what to change: {exc!r}"


def _tape(f, x):
    x = x * 1.0
    x.attach_grad()
    with pg.record():
        out = f(x)
    out.backward()
    return x.grad


# -- (c) checkpoint of functions that close over outer variables -------------------------------
ACTIVATIONS = ("tanh", "sin", "gauss", "half_square")
COMBINE = ("mul", "add", "mul_sin", "sub_tanh")


@dataclass
class Block:
    closes: tuple       # names closed over: "x", "a", "b" (parameters) or "h0".. (earlier values)
    explicit: tuple     # names passed explicitly besides h
    combine: tuple      # one combination per closed / explicit name, in order
    activation: str
    nested: Block | None = None   # an inner checkpoint inside the body, closing over its locals


@dataclass
class CheckpointProgram:
    x: numpy.ndarray
    params: dict
    blocks: list
    weight: numpy.ndarray
    backend: str
    family: str = "checkpoint with closures"

    def run(self, lib, x, p, ckpt):
        env = {"x": x, "a": p["a"], "b": p["b"], "h0": lib.sin(x)}
        h = env["h0"]
        for i, block in enumerate(self.blocks):
            h = _apply_block(lib, ckpt, block, h, env)
            env[f"h{i + 1}"] = h
        return lib.sum(h * lib.asarray(self.weight)) + lib.sum(h * x) * 0.25

    def __repr__(self):
        return (f"CheckpointProgram(x shape {self.x.shape}, backend={self.backend!r}, "
                f"blocks {self.blocks})")


def _combine(lib, how, h, c):
    if how == "mul":
        return h * c
    if how == "add":
        return h + c
    if how == "mul_sin":
        return h * lib.sin(c)
    return h - lib.tanh(c)


def _activate(lib, how, t):
    if how == "tanh":
        return lib.tanh(t)
    if how == "sin":
        return lib.sin(t)
    if how == "gauss":
        return lib.exp(-t * t)
    return t * t * 0.5


def _apply_block(lib, ckpt, block, h, env):
    def body(h, *explicit):
        values = [env[n] for n in block.closes] + list(explicit)
        t = h
        for how, c in zip(block.combine, values):
            t = _combine(lib, how, t, c)
        if block.nested is not None:
            local = dict(env, local=t * 0.5)   # the inner body closes over this body's local
            t = _apply_block(lib, ckpt, block.nested, t, local)
        return _activate(lib, block.activation, t)
    return ckpt(body)(h, *(env[n] for n in block.explicit))


class _Lib:
    def __init__(self, xp, asarray):
        self.xp, self.asarray = xp, asarray

    def __getattr__(self, name):
        return getattr(self.xp, name)


LIBS = {"numpy": _Lib(numpy, numpy.asarray), "polygrad": _Lib(pnp, pnp.asarray),
        "jax": _Lib(jnp, jnp.asarray),
        "torch": _Lib(torch, lambda a: torch.as_tensor(numpy.asarray(a), dtype=torch.float64))}


def _draw_block(draw, names, depth):
    available = list(names)
    closes = tuple(draw(st.lists(st.sampled_from(available), min_size=1, max_size=2,
                                 unique=True)))
    rest = [n for n in available if n not in closes]
    explicit = tuple(draw(st.lists(st.sampled_from(rest), max_size=1, unique=True))) \
        if rest else ()
    combine = tuple(draw(st.sampled_from(COMBINE)) for _ in closes + explicit)
    nested = None
    if depth < 2 and draw(st.booleans()):
        nested = _draw_block(draw, names + ["local"], depth + 1)
    return Block(closes, explicit, combine, draw(st.sampled_from(ACTIVATIONS)), nested)


@st.composite
def checkpoint_programs(draw):
    rng = numpy.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    shape = draw(st.sampled_from([(), (3,), (2, 3)]))
    x = rng.uniform(-1.0, 1.0, shape)
    params = {"a": rng.uniform(-1.0, 1.0, shape), "b": rng.uniform(-1.0, 1.0, shape)}
    blocks = []
    names = ["x", "a", "b", "h0"]
    for i in range(draw(st.integers(1, 3))):
        blocks.append(_draw_block(draw, names, 0))
        names.append(f"h{i + 1}")
    return CheckpointProgram(x, params, blocks, rng.uniform(-1.0, 1.0, shape),
                             draw(st.sampled_from(BACKENDS)))


def check_checkpoint_program(prog, oracles):
    """grad with respect to x and the parameters (a pytree), JVP, the tape and a
    reverse-over-reverse HVP, through ``pg.checkpoint``, against the same function without
    checkpoints differentiated by torch and JAX (``jax.checkpoint``) and by finite differences."""
    rng = numpy.random.default_rng(3)
    u = rng.uniform(-1.0, 1.0, prog.x.shape)
    tp = {k: rng.uniform(-1.0, 1.0, v.shape) for k, v in prog.params.items()}
    plain = lambda f: f
    flat = lambda x, a, b: prog.run(LIBS["numpy"], x, {"a": a, "b": b}, plain)
    fd = [finite_gradient(lambda v, i=i: flat(*[v if j == i else arg for j, arg in enumerate(
        (prog.x, prog.params["a"], prog.params["b"]))]), arg)
        for i, arg in enumerate((prog.x, prog.params["a"], prog.params["b"]))]
    want_value = flat(prog.x, prog.params["a"], prog.params["b"])
    used = ["finite differences"]
    with pg.use_backend(prog.backend):
        X, U = on_backend(prog.backend, prog.x), on_backend(prog.backend, u)
        P = {k: on_backend(prog.backend, v) for k, v in prog.params.items()}
        TP = {k: on_backend(prog.backend, v) for k, v in tp.items()}
        f = lambda x, p: prog.run(LIBS["polygrad"], x, p, pg.checkpoint)
        ours = polygrad_derivatives(f, (X, P), (U, TP))
        hvp = pg.grad(lambda x: pnp.sum(pg.grad(f)(x, P) * U))(X)
    gx, gp = ours["grads"]
    if "torch" in oracles:
        x = torch.tensor(prog.x, dtype=torch.float64, requires_grad=True)
        p = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True)
             for k, v in prog.params.items()}
        out = prog.run(LIBS["torch"], x, p, plain)
        gx_t, ga_t, gb_t = (torch.zeros_like(x) if g is None else g for g in torch.autograd.grad(
            out, (x, p["a"], p["b"]), create_graph=True, allow_unused=True))
        h_t = None
        if gx_t.requires_grad:
            (h_t,) = torch.autograd.grad(torch.sum(gx_t * torch.as_tensor(u)), x,
                                         allow_unused=True)
        close(gx, gx_t, "grad x (against torch)")
        close(gp["a"], ga_t, "grad p['a'] (against torch)")
        close(gp["b"], gb_t, "grad p['b'] (against torch)")
        close(hvp, torch.zeros_like(x) if h_t is None else h_t,
              "hvp reverse-over-reverse (against torch)")
        used.append("torch")
    if "jax" in oracles:
        with jax.enable_x64(True):
            def fj(x, p):
                return prog.run(LIBS["jax"], x, p, jax.checkpoint)
            args = (jnp.asarray(prog.x), {k: jnp.asarray(v) for k, v in prog.params.items()})
            gx_j, gp_j = jax.jit(jax.grad(fj, argnums=(0, 1)))(*args)
        close(gx, gx_j, "grad x (against jax)")
        close(gp["a"], gp_j["a"], "grad p['a'] (against jax)")
        used.append("jax")
    # then the whole of it against finite differences (torch and JAX checked the gradients exactly)
    close(ours["value"], want_value, "value under grad (against NumPy)")
    close(gx, fd[0], "grad x (against finite differences)", rtol=1e-6)
    close(gp["a"], fd[1], "grad p['a'] (against finite differences)", rtol=1e-6)
    close(gp["b"], fd[2], "grad p['b'] (against finite differences)", rtol=1e-6)
    want_jvp = numpy.sum(fd[0] * u) + numpy.sum(fd[1] * tp["a"]) + numpy.sum(fd[2] * tp["b"])
    close(ours["jvp"], want_jvp, "jvp (against finite differences)", rtol=1e-6)
    tx, tpar = ours["tape"]
    close(tx, fd[0], "tape x.grad (against finite differences)", rtol=1e-6)
    close(tpar["a"], fd[1], "tape p['a'].grad (against finite differences)", rtol=1e-6)
    return used


# -- (e) near-singular linear algebra ------------------------------------------------------------
def adjugate(a):
    """adj(A) by cofactors (each minor a well-conditioned determinant, exact at singular A):
    d det(A) / dA = adj(A)ᵀ."""
    a = numpy.asarray(a, dtype=float)
    if a.ndim > 2:
        return numpy.stack([adjugate(m) for m in a])
    n = a.shape[-1]
    if n == 1:
        return numpy.ones((1, 1))
    cof = numpy.empty_like(a)
    for i, j in itertools.product(range(n), range(n)):
        minor = numpy.delete(numpy.delete(a, i, 0), j, 1)
        cof[i, j] = (-1) ** (i + j) * _det_exact(minor)
    return cof.T


def _det_exact(m):
    """Determinant by Leibniz' formula (n ≤ 4 here): no pivoting, so no cancellation noise
    beyond one rounding per product at singular matrices."""
    n = m.shape[0]
    total = 0.0
    for perm in itertools.permutations(range(n)):
        sign = numpy.linalg.det(numpy.eye(n)[list(perm)])
        total += round(sign) * math.prod(m[i, perm[i]] for i in range(n))
    return total


@dataclass
class LinalgProgram:
    a: numpy.ndarray
    kind: str     # how A was made: "singular", "rank n-2", "near-singular", "ill-conditioned"
    op: str       # "det" "slogdet" "inv" "solve"
    rhs: numpy.ndarray
    weight: numpy.ndarray
    backend: str
    family: str = "near-singular linear algebra"

    def __repr__(self):
        return (f"LinalgProgram({self.op} of a {self.kind} matrix, backend={self.backend!r}, "
                f"A={self.a.tolist()})")


def _matrix(draw, rng, n, kind, tiny):
    a = rng.uniform(-1.0, 1.0, (n, n))
    if kind in ("singular", "near-singular"):
        c = rng.uniform(-1.0, 1.0, n - 1)
        a[-1] = c @ a[:-1]          # the last row a combination of the others
        if kind == "near-singular":
            a[-1, draw(st.integers(0, n - 1))] += draw(st.sampled_from(tiny))
    elif kind == "rank n-2":
        a[-1] = a[0] * 2.0
        a[-2] = a[0] * -0.5
    else:
        u, _, vt = numpy.linalg.svd(a)
        s = numpy.geomspace(1.0, draw(st.sampled_from([1e-4, 1e-6])), n)
        a = (u * s) @ vt
    return a


@st.composite
def linalg_programs(draw):
    rng = numpy.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    n = draw(st.integers(2, 4))
    op = draw(st.sampled_from(["det", "det", "slogdet", "inv", "solve"]))
    # det: at singular matrices too (the derivative, adj(A)ᵀ, exists); the others near them, where
    # float64 itself loses about 9 digits (compared to a tolerance that grows with cond(A))
    kinds = (["singular", "rank n-2", "near-singular"] if op == "det"
             else ["ill-conditioned", "near-singular"])
    if n == 2 and "rank n-2" in kinds:
        kinds.remove("rank n-2")
    kind = draw(st.sampled_from(kinds))
    tiny = [1e-9, 1e-13, 1e-16] if op == "det" else [1e-9]
    batch = draw(st.sampled_from([(), (2,)]))
    a = numpy.stack([_matrix(draw, rng, n, kind, tiny) for _ in range(math.prod(batch))]) \
        .reshape(batch + (n, n))
    out_shape = {"det": batch, "slogdet": batch, "inv": batch + (n, n),
                 "solve": batch + (n, 1)}[op]
    return LinalgProgram(a, kind, op, rng.uniform(-1.0, 1.0, batch + (n, 1)),
                         rng.uniform(-1.0, 1.0, out_shape), draw(st.sampled_from(BACKENDS)))


def _linalg_run(prog, lib, a):
    return _linalg(lib, prog.op, a, lib.asarray(prog.weight), lib.asarray(prog.rhs))


def _linalg(lib, op, a, w, rhs):
    la = lib.linalg
    if op == "det":
        return lib.sum(la.det(a) * w)
    if op == "slogdet":
        return lib.sum(la.slogdet(a)[1] * w)
    if op == "inv":
        return lib.sum(la.inv(a) * w)
    return lib.sum(la.solve(a, rhs) * w)


#: compiled once per operation and shape (a few dozen in all), not once per program
_jax_linalg_grad = jax.jit(jax.grad(lambda a, w, rhs, op: _linalg(LIBS["jax"], op, a, w, rhs)),
                           static_argnames="op")


def check_linalg_program(prog, oracles):
    """det: the gradient is adj(A)ᵀ (exact, from cofactors) at singular and near-singular A, and
    the HVP its directional derivative; slogdet, inv, solve of ill-conditioned A against torch
    and JAX, within their own disagreement (the problem's conditioning bounds what any float64
    answer can be)."""
    rng = numpy.random.default_rng(3)
    v = rng.uniform(-1.0, 1.0, prog.a.shape)
    used = []
    with pg.use_backend(prog.backend):
        A, V = on_backend(prog.backend, prog.a), on_backend(prog.backend, v)
        f = lambda a: _linalg_run(prog, LIBS["polygrad"], a)
        value, g = pg.value_and_grad(f)(A)
        _, t = pg.jvp(f, (A,), (V,))
        hvp = pg.hvp(f)(A, V) if prog.op == "det" else None
    if prog.op == "det":
        w = prog.weight[..., None, None]
        grad = w * numpy.swapaxes(adjugate(prog.a), -1, -2)
        h = 1e-3
        adj_at = lambda d: w * numpy.swapaxes(adjugate(prog.a + d * v), -1, -2)
        want_hvp = (-adj_at(2 * h) + 8 * adj_at(h) - 8 * adj_at(-h) + adj_at(-2 * h)) / (12 * h)
        close(value, numpy.sum(numpy.linalg.det(prog.a) * prog.weight), "value (against NumPy)",
              atol=1e-12)
        close(g, grad, "grad (against the adjugate)", rtol=1e-8)
        close(t, numpy.sum(grad * v), "jvp (against the adjugate)", rtol=1e-8)
        close(hvp, want_hvp, "hvp (against finite differences of the adjugate)", rtol=1e-7)
        used.append("adjugate")
    refs = {}
    if "torch" in oracles:
        a = torch.tensor(prog.a, dtype=torch.float64, requires_grad=True)
        (refs["torch"],) = torch.autograd.grad(_linalg_run(prog, LIBS["torch"], a), a)
    if "jax" in oracles:
        with jax.enable_x64(True):
            refs["jax"] = _jax_linalg_grad(*(jnp.asarray(v) for v in (prog.a, prog.weight,
                                                                       prog.rhs)), op=prog.op)
    refs = {k: host(r) for k, r in refs.items()}
    if prog.op == "det":   # the adjugate is the oracle; torch's LU gives 0 at singular matrices
        for name in list(refs):
            if not numpy.allclose(refs[name], grad, rtol=1e-7, atol=1e-7 * max(
                    1.0, float(numpy.max(numpy.abs(grad))))):
                TALLY.notes[f"{name}'s own det gradient is not adj(A)ᵀ at a {prog.kind} "
                            f"matrix (not used)"] += 1
                del refs[name]
    # no float64 answer is closer than about eps · cond(A) (relative), whatever the algorithm
    rtol = 1e-7 + 1e-13 * float(numpy.max(numpy.linalg.cond(prog.a))) if prog.op != "det" \
        else 1e-7
    for name, ref in refs.items():
        scale = max(1.0, float(numpy.max(numpy.abs(ref))))
        close(g, ref, f"grad (against {name})", rtol=rtol, atol=rtol * scale)
        used.append(name)
    return used
