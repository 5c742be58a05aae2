"""No leaks: the graph is gone once a derivative is computed, memory stays flat over many calls,
and the hot path makes no reference cycles (nothing waits for the garbage collector)."""

from __future__ import annotations

import gc
import os
import tracemalloc
import weakref

import pytest

import polygrad as pg
import polygrad.numpy as np
from polygrad._reverse import Node

pytestmark = pytest.mark.usefixtures("numpy_backend")


def _f(x):
    return np.sum(np.tanh(np.sin(x) * 2.0 + x) ** 2)


class Spy:
    """Weak references to the tracers (and their tape nodes) a traced function made."""

    def __init__(self):
        self.refs = []

    def watch(self, *arrays):
        for a in arrays:
            self.refs.append(weakref.ref(a))
            if isinstance(a._aux, Node):
                self.refs.append(weakref.ref(a._aux))
            if a._trace is not None:
                self.refs.append(weakref.ref(a._v))   # the primal value the node saved

    def alive(self):
        return [r() for r in self.refs if r() is not None]


@pytest.fixture
def no_gc():
    """Collection off: whatever is freed here is freed by reference counting alone."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def test_node_can_be_weakly_referenced():
    weakref.ref(Node(None, (), None, None, ()))


def test_no_node_or_tracer_survives_grad(no_gc):
    spy = Spy()

    def f(x):
        y = np.sin(x)
        z = y * x
        w = np.sum(z)
        spy.watch(x, y, z, w)
        return w
    g = pg.grad(f)(np.linspace(0.0, 1.0, 4))
    assert len(spy.refs) > 8
    assert spy.alive() == []
    assert g.shape == (4,)


def test_no_node_survives_grad_of_grad(no_gc):
    spy = Spy()

    def f(x):
        y = np.exp(x) * x
        spy.watch(y)
        return np.sum(y)
    pg.grad(lambda x: np.sum(pg.grad(f)(x)))(np.ones(3))
    assert spy.alive() == []


def test_no_node_survives_vjp_once_the_pullback_is_dropped(no_gc):
    spy = Spy()

    def f(x):
        y = np.cos(x)
        spy.watch(y)
        return y * 3.0
    out, f_vjp = pg.vjp(f, np.ones(2))
    f_vjp(np.ones(2))
    assert spy.alive() != []          # vjp_fn may be called again: it keeps the graph
    del f_vjp
    assert spy.alive() == []


def test_no_node_survives_jvp_or_hvp(no_gc):
    spy = Spy()

    def f(x):
        y = np.sin(x) * x
        spy.watch(y)
        return np.sum(y)
    pg.jvp(f, (np.ones(2),), (np.ones(2),))
    pg.hvp(f)(np.ones(2), np.ones(2))
    assert spy.alive() == []


def test_backward_without_retain_graph_frees_the_graph_behind_the_output(no_gc):
    x = np.asarray([1.0, 2.0])
    x.attach_grad()
    with pg.record():
        y = np.sin(x)
        z = y * x
        out = np.sum(z)
    spy = Spy()
    spy.watch(y, z)
    del y, z
    assert spy.alive() != []           # reachable from `out` until backward
    out.backward()
    assert spy.alive() == []
    assert out._aux.parents is None    # only the output's own (emptied) node remains
    assert x.grad is not None


def test_backward_with_retain_graph_keeps_it_until_the_output_goes(no_gc):
    x = np.asarray([1.0, 2.0])
    x.attach_grad()
    with pg.record():
        y = np.sin(x)
        out = np.sum(y)
    spy = Spy()
    spy.watch(y)
    del y
    out.backward(retain_graph=True)
    assert spy.alive() != []
    del out
    assert spy.alive() == []


def test_a_leaf_with_attach_grad_is_freed_by_reference_counting(no_gc):
    x = np.asarray([1.0, 2.0])
    x.attach_grad()
    with pg.record():
        out = np.sum(x * x)
    out.backward()
    ref = weakref.ref(x)
    del x, out
    assert ref() is None


CALLS = {
    "grad": lambda x: pg.grad(_f)(x),
    "value_and_grad": lambda x: pg.value_and_grad(_f)(x),
    "grad of grad": lambda x: pg.grad(pg.grad(lambda y: np.sin(y) * y))(1.0),
    "jvp": lambda x: pg.jvp(_f, (x,), (x,)),
    "vjp": lambda x: pg.vjp(_f, x)[1](np.asarray(1.0)),
    "hvp": lambda x: pg.hvp(_f)(x, x),
    "jacobian": lambda x: pg.jacobian(np.sin)(x),
    "checkpoint": lambda x: pg.grad(lambda y: np.sum(pg.checkpoint(np.sin)(y)))(x),
    "indexing": lambda x: pg.grad(lambda y: np.sum(y[1:3] * y[0]))(x),
    "multiple results": lambda x: pg.grad(
        lambda y: np.sum(np.linalg.eigh(np.outer(y, y) + np.eye(5)).eigenvalues))(x),
    "tape": None,
}


def _tape(x):
    a = np.asarray(x.asnumpy())
    a.attach_grad()
    with pg.record():
        out = np.sum(np.sin(a) * a)
    out.backward()
    return a.grad


CALLS["tape"] = _tape


@pytest.mark.parametrize("name", list(CALLS))
def test_a_derivative_call_leaves_no_garbage_for_the_collector(name):
    call = CALLS[name]
    x = np.linspace(-1.0, 1.0, 5)
    call(x)
    call(x)
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        call(x)
        found = gc.collect()
        garbage = sorted({type(o).__name__ for o in gc.garbage})
    finally:
        gc.garbage.clear()
        gc.set_debug(0)
        gc.enable()
    assert found == 0, f"{name} left reference cycles: {garbage}"


def _rss() -> int:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:   # not Linux: the peak is the best the standard library offers
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def test_ten_thousand_gradient_calls_keep_memory_flat():
    grad_f = pg.grad(_f)
    x = np.linspace(-1.0, 1.0, 16)
    for _ in range(1000):     # warm caches (kernels, dtypes) before measuring
        grad_f(x)
    gc.collect()
    objects, rss = len(gc.get_objects()), _rss()
    for _ in range(10_000):
        grad_f(x)
    gc.collect()
    grown_objects, grown_rss = len(gc.get_objects()) - objects, _rss() - rss
    # one leaked object per call would be 10,000; one leaked 16-float array per call ~2.5 MB
    assert grown_objects < 100, f"{grown_objects} more live objects after 10,000 calls"
    assert grown_rss < 16 * 2**20, f"RSS grew by {grown_rss} bytes over 10,000 calls"


def test_gradient_calls_allocate_nothing_that_stays():
    grad_f = pg.grad(_f)
    x = np.linspace(-1.0, 1.0, 16)
    for _ in range(200):
        grad_f(x)
    tracemalloc.start()
    try:
        for _ in range(500):   # tracemalloc's own bookkeeping settles first
            grad_f(x)
        gc.collect()
        start, _ = tracemalloc.get_traced_memory()
        for _ in range(1000):
            grad_f(x)
        gc.collect()
        end, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # a leak of even one small array per call would be ~250 kB here; measured: a few kB
    assert end - start < 24_000, f"grew by {end - start} bytes over 1,000 calls"


# -- the cyclic collector is paused while a gradient is computed, and only then --------------------
def test_grad_pauses_the_cyclic_collector_during_the_call_and_resumes_it_after():
    seen = []

    def f(x):
        seen.append(gc.isenabled())
        return np.sum(np.sin(x))

    assert gc.isenabled()
    pg.grad(f)(np.asarray([0.5, 1.0]))
    pg.value_and_grad(f)(np.asarray([0.5, 1.0]))
    pg.hvp(f)(np.asarray([0.5, 1.0]), np.asarray([1.0, 0.0]))
    pg.jacobian(lambda x: np.sin(x) * f(x))(np.asarray([0.5, 1.0]))
    assert seen and not any(seen)
    assert gc.isenabled()


def test_grad_resumes_the_collector_when_the_function_raises():
    def bad(x):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        pg.grad(bad)(np.asarray(1.0))
    assert gc.isenabled()


def test_grad_leaves_a_collector_the_user_paused_paused():
    gc.disable()
    try:
        pg.grad(lambda x: np.sum(x * x))(np.asarray([1.0]))
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_pause_can_be_turned_off_with_an_environment_variable():
    import subprocess
    import sys

    code = ("import gc, polygrad as pg, polygrad.numpy as np\n"
            "seen = []\n"
            "pg.grad(lambda x: seen.append(gc.isenabled()) or np.sum(x))(np.asarray([1.0]))\n"
            "print(seen)")
    env = dict(os.environ, POLYGRAD_GC_PAUSE="0", POLYGRAD_BACKEND="numpy")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[True]"
