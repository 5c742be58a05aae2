"""No primitive changes its inputs: not its forward kernel, not its VJP or JVP rules.

Every registered primitive (``polygrad.extend.primitives()``) runs on the conformance suite's
sample inputs, forward, VJP and JVP, while each kernel and rule is watched: its array arguments
are copied to NumPy before the call and compared after it. A second check at the user's level
compares the inputs, cotangents and tangents handed to ``pg.vjp`` / ``pg.jvp``.
"""

from __future__ import annotations

import subprocess
import sys

import numpy
import pytest

import polygrad as pg
import polygrad.numpy as np
from polygrad._array import Array, native_of
from polygrad._backend import backend_for
from polygrad._util import tree_flatten
from polygrad.extend import primitives

conformance = pytest.importorskip("polygrad_conformance.specs", reason="the conformance suite's "
                                  "sample inputs (conformance/) are not importable")
from polygrad_conformance._spec import make_inputs, seed_for  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")

CASES_PER_ROW = 2


class Changed(AssertionError):
    pass


def _snapshot(backend, values):
    """NumPy copies of the arrays among ``values`` (natives or polygrad Arrays), by position."""
    out = []
    for v in values:
        if type(v) is Array:
            v = native_of(v)
            out.append(numpy.array(backend.to_numpy(v), copy=True))
        elif hasattr(v, "shape") and hasattr(v, "dtype"):
            out.append(numpy.array(backend.to_numpy(v), copy=True))
        else:
            out.append(None)
    return out


def _compare(backend, values, before, what):
    after = _snapshot(backend, values)
    for i, (b, a) in enumerate(zip(before, after)):
        if b is not None and not numpy.array_equal(a, b, equal_nan=True):
            raise Changed(f"{what} changed its argument {i} in place")


class Watch:
    """Kernels and rules of every primitive, wrapped to detect writes into their arguments."""

    def __init__(self, backend):
        self.backend = backend
        self.ran = {"forward": set(), "vjp": set(), "jvp": set()}
        self.saved = []

    def install(self):
        for name, prim in primitives().items():
            kernel = prim.kernels.get(self.backend)
            if kernel is None:
                try:
                    kernel = prim.resolve(self.backend)
                except Exception:   # noqa: BLE001 - e.g. a kernel this backend lacks
                    continue
            self.saved.append((prim, "kernel", kernel))
            prim.kernels[self.backend] = self._kernel(name, kernel)
            for kind in ("vjp", "jvp"):
                rules = getattr(prim, kind + "s")
                self.saved.append((prim, kind, rules))
                setattr(prim, kind + "s", _Rules(self, name, kind, rules))

    def uninstall(self):
        for prim, what, value in reversed(self.saved):
            if what == "kernel":
                prim.kernels[self.backend] = value
            else:
                setattr(prim, what + "s", value)

    def _kernel(self, name, kernel):
        backend = self.backend

        def watched(*args, **params):
            before = _snapshot(backend, args)
            out = kernel(*args, **params)
            _compare(backend, args, before, f"the forward kernel of {name}")
            self.ran["forward"].add(name)
            return out
        return watched


class _Rules:
    """A primitive's VJP or JVP rules, each watched (any length: Variadic rules too)."""

    def __init__(self, watch, name, kind, rules):
        self.watch, self.name, self.kind, self.rules = watch, name, kind, rules

    def __len__(self):
        return len(self.rules)

    def __getitem__(self, i):
        rule = self.rules[i]
        if rule is None:
            return None
        watch, name, kind = self.watch, self.name, self.kind

        def watched(g, ans, *args, **params):
            values = [*(g if type(g) is tuple else (g,)),
                      *(ans if type(ans) is tuple else (ans,)), *args]
            values = [v for v in values if type(v) is Array]
            before = _snapshot(watch.backend, values)
            out = rule(g, ans, *args, **params)
            _compare(watch.backend, values, before, f"the {kind.upper()} rule of {name} "
                                                    f"(argument {i})")
            watch.ran[kind].add(name)
            return out
        return watched


def _rows(per_row=CASES_PER_ROW):
    rows = []
    for spec in conformance.builtin_specs():
        cases = [c for c in spec.cases if not c.full][:per_row]
        for case in cases:
            families = case.dtypes or spec.dtypes
            for dtype, family in (("float64", "float"), ("complex128", "complex"),
                                  ("int64", "int"), ("bool", "bool")):
                if family in families:
                    rows.append((spec, case, dtype))
                    break
    return rows


def _inputs(spec, case, dtype):
    rng = numpy.random.default_rng(seed_for(spec.name, case.id))
    host, xs = [], []
    for arg in case.args:
        vals = make_inputs(arg, rng, dtype.startswith("complex") and arg.dtype is None)
        if arg.dtype == "py":
            host.append(None)
            xs.append(vals)
            continue
        vals = numpy.asarray(vals).astype(dtype if arg.dtype is None else arg.dtype)
        host.append(vals.copy())
        xs.append(np.asarray(vals, dtype=getattr(np, vals.dtype.name)))
    return rng, host, xs


def _same(xs, host, what):
    for i, (x, h) in enumerate(zip(xs, host)):
        if h is not None and not numpy.array_equal(x.asnumpy(), h, equal_nan=True):
            raise Changed(f"{what} changed input {i}")


def _leaves(obj):
    return tree_flatten(obj)[0]


def _exercise(spec, case, dtype):
    rng, host, xs = _inputs(spec, case, dtype)
    out = spec.fn(*xs, **case.kwargs)
    _same(xs, host, f"{spec.name} (forward)")
    diff = [i for i, a in enumerate(case.args) if a.differentiated]
    if spec.nondiff or not diff or dtype not in ("float64", "complex128"):
        return
    floating = [k for k, o in enumerate(_leaves(out))
                if type(o) is Array and o.dtype.kind in "fc"]
    if not floating:
        return

    def fun(*dx):
        args = list(xs)
        for i, d in zip(diff, dx):
            args[i] = d
        leaves = _leaves(spec.fn(*args, **case.kwargs))
        return [leaves[k] for k in floating]
    dx = [xs[i] for i in diff]
    outs, f_vjp = pg.vjp(fun, *dx)
    vs = [np.asarray(rng.standard_normal(o.shape).astype(o.dtype.name), dtype=o.dtype)
          for o in outs]
    v_host = [v.asnumpy().copy() for v in vs]
    out_host = [o.asnumpy().copy() for o in outs]
    f_vjp(vs)
    _same(xs, host, f"{spec.name} (VJP)")
    _same(vs, v_host, f"{spec.name} (VJP: the cotangent)")
    _same(outs, out_host, f"{spec.name} (VJP: its saved output)")
    us = [np.asarray(rng.standard_normal(x.shape).astype(x.dtype.name), dtype=x.dtype)
          for x in dx]
    u_host = [u.asnumpy().copy() for u in us]
    pg.jvp(fun, dx, us)
    _same(xs, host, f"{spec.name} (JVP)")
    _same(us, u_host, f"{spec.name} (JVP: the tangent)")


def _run_all(backend_name, per_row=CASES_PER_ROW):
    backend = backend_for(backend_name)
    watch = Watch(backend)
    failures, errors = [], []
    rows = _rows(per_row)   # first: importing the table registers polygrad.special's primitives
    with pg.use_backend(backend):
        watch.install()
        try:
            for spec, case, dtype in rows:
                try:
                    _exercise(spec, case, dtype)
                except Changed as exc:
                    failures.append(f"{spec.name}[{case.id}, {dtype}]: {exc}")
                except Exception as exc:   # noqa: BLE001 - the conformance suite reports these
                    errors.append(f"{spec.name}[{case.id}]: {type(exc).__name__}: {exc}")
        finally:
            watch.uninstall()
    return watch, failures, errors


@pytest.fixture(scope="module")
def numpy_run():
    return _run_all("numpy")


def test_no_kernel_or_rule_writes_into_its_arguments_on_numpy(numpy_run):
    _, failures, _ = numpy_run
    assert failures == []


def _polygrads_own_primitives():
    """The names polygrad itself registers (in a fresh interpreter: other test modules and
    doctests register primitives of their own in this one)."""
    code = ("import polygrad, polygrad.special, polygrad.numpy\n"
            "from polygrad.extend import primitives\n"
            "print('\\n'.join(sorted(primitives())))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_every_registered_primitive_ran_forward_vjp_and_jvp(numpy_run):
    watch, _, errors = numpy_run
    own = _polygrads_own_primitives()
    registry = {n: p for n, p in primitives().items() if n in own}
    assert len(registry) == len(own) > 100
    differentiable = {n for n, p in registry.items() if not p.nondiff and p.vjps}
    with_jvp = {n for n, p in registry.items() if not p.nondiff and p.jvps}
    missing = {
        "forward": set(registry) - watch.ran["forward"],
        "vjp": differentiable - watch.ran["vjp"],
        "jvp": with_jvp - watch.ran["jvp"],
    }
    assert missing == {"forward": set(), "vjp": set(), "jvp": set()}, (missing, errors[:5])


@pytest.mark.parametrize("name", ["torch", "strict"])
def test_no_kernel_or_rule_writes_into_its_arguments_on_other_mutable_backends(name):
    try:
        backend_for(name)
    except pg.BackendUnavailable as exc:
        pytest.skip(f"backend {name} not installed/available: {exc}")
    _, failures, _ = _run_all(name, per_row=1)
    assert failures == []


def test_the_watch_itself_catches_a_kernel_that_writes_into_its_input():
    from polygrad.extend import defjvp, defvjp, primitive

    def clobbering(xp):
        def kernel(x):
            x[...] = 0.0     # the bug this file looks for
            return x * 2.0
        return kernel
    p = primitive("test_no_mutation_clobber", clobbering)
    defvjp(p, lambda g, ans, x: g * 2.0)
    defjvp(p, lambda t, ans, x: t * 2.0)
    backend = backend_for("numpy")
    watch = Watch(backend)
    with pg.use_backend(backend):
        watch.install()
        try:
            with pytest.raises(Changed, match="forward kernel of test_no_mutation_clobber"):
                p(np.asarray([1.0, 2.0]))
        finally:
            watch.uninstall()
