"""Concurrency: threads and asyncio tasks each keep their own backend, traces and tape."""

from __future__ import annotations

import asyncio
import threading

import numpy
import pytest

import polygrad as pg
import polygrad.numpy as np

BACKENDS = ("numpy", "torch", "jax", "strict")
THREADS = 8
ROUNDS = 30


def _available():
    names = []
    for name in BACKENDS:
        try:
            with pg.use_backend(name):
                np.ones(1)
            names.append(name)
        except pg.BackendUnavailable:
            pass
    return names


AVAILABLE = _available()


def _run_threads(work, n=THREADS, backend=None):
    """Start ``n`` threads together, each on ``backend`` if one is given (a thread starts with
    the default backend, not its parent's); re-raise the first failure in the main thread."""
    barrier = threading.Barrier(n)
    errors = []

    def target(k):
        try:
            barrier.wait()
            if backend is None:
                work(k)
                return
            with pg.use_backend(backend):
                work(k)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
    threads = [threading.Thread(target=target, args=(k,)) for k in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]


def test_eight_threads_on_different_backends_compute_their_own_gradients():
    # thread k: d/dx Σ (k+1) sin(x) x = (k+1) (cos(x) x + sin(x)), on backend k mod 4
    x0 = numpy.linspace(-1.0, 1.0, 5)
    seen = {}

    def work(k):
        name = AVAILABLE[k % len(AVAILABLE)]
        c = float(k + 1)
        with pg.use_backend(name):
            x = np.asarray(x0.astype(numpy.float32))
            grad_f = pg.grad(lambda x: np.sum(c * np.sin(x) * x))
            for _ in range(ROUNDS):
                g = grad_f(x)
                assert pg.get_backend().name == name
                assert g.backend == name, (g.backend, name)
                numpy.testing.assert_allclose(
                    g.asnumpy(), c * (numpy.cos(x0) * x0 + numpy.sin(x0)), rtol=1e-5, atol=1e-6)
        seen[k] = name
    _run_threads(work)
    assert len(seen) == THREADS and set(seen.values()) == set(AVAILABLE)


def test_nested_grad_in_threads_does_not_mix_trace_levels():
    # thread k: f(x) = x · d/dy (x y^(k+2)) at y = 1 = (k+2) x², so f'(x) = 2 (k+2) x; the inner
    # grad must differentiate only y, whatever the other threads' traces are doing
    def work(k):
        f = lambda x: x * pg.grad(lambda y: x * y ** (k + 2))(1.0)  # noqa: E731
        for i in range(ROUNDS):
            x = 1.0 + i / ROUNDS
            assert float(pg.grad(f)(x)) == pytest.approx(2 * (k + 2) * x, rel=1e-12)
            assert float(pg.grad(pg.grad(lambda z: z ** 3 * (k + 1)))(x)) == pytest.approx(
                6 * (k + 1) * x, rel=1e-12)
    _run_threads(work, backend="numpy")


def test_jvp_and_hvp_in_threads():
    def work(k):
        a = float(k + 1)
        x = np.asarray([1.0, 2.0])
        for _ in range(ROUNDS):
            _, t = pg.jvp(lambda x: a * x ** 3, (x,), (np.ones(2),))
            assert t.tolist() == [3 * a, 12 * a]
            h = pg.hvp(lambda x: np.sum(a * x ** 3))(x, np.ones(2))
            assert h.tolist() == [6 * a, 12 * a]
    _run_threads(work, backend="numpy")


def test_each_thread_records_on_its_own_tape():
    # threads alternate between recording and not: neither sees the other's state
    def work(k):
        x = np.asarray([1.0, 2.0])
        x.attach_grad()
        for i in range(ROUNDS):
            if (i + k) % 2:
                assert not pg.is_recording()
                y = x * x
                assert y._trace is None      # nothing recorded outside record()
                continue
            with pg.record():
                assert pg.is_recording()
                y = np.sum(x * x * (k + 1))
            assert not pg.is_recording()
            y.backward()
            assert x.grad.tolist() == [2.0 * (k + 1), 4.0 * (k + 1)]
    _run_threads(work, backend="numpy")


def test_use_backend_in_one_thread_does_not_change_another():
    if len(AVAILABLE) < 2:
        pytest.skip("needs a second backend (torch, jax or strict) installed")
    other = AVAILABLE[1]
    inside = threading.Event()
    done = threading.Event()
    seen = {}

    def switcher():
        with pg.use_backend(other):
            inside.set()
            done.wait(5)

    t = threading.Thread(target=switcher)
    with pg.use_backend("numpy"):
        t.start()
        inside.wait(5)
        seen["main"] = np.ones(1).backend
        done.set()
    t.join()
    assert seen["main"] == "numpy"


# -- asyncio ---------------------------------------------------------------------------------------
def test_asyncio_tasks_keep_their_own_backend_and_traces_across_awaits():
    async def task(k):
        name = AVAILABLE[k % len(AVAILABLE)]
        with pg.use_backend(name):
            await asyncio.sleep(0)

            def f(x):
                return np.sum(x * x * (k + 1))
            g = pg.grad(f)(np.asarray([1.0, 2.0], dtype=np.float32))
            await asyncio.sleep(0)
            assert pg.get_backend().name == name
            return name, g.backend, g.tolist()

    async def main():
        return await asyncio.gather(*(task(k) for k in range(THREADS)))

    for k, (name, backend, g) in enumerate(asyncio.run(main())):
        assert backend == name
        assert g == [2.0 * (k + 1), 4.0 * (k + 1)]


def test_asyncio_tasks_record_on_their_own_tapes_across_awaits():
    async def task(k):
        x = np.asarray([1.0, 2.0])
        x.attach_grad()
        with pg.record():
            y = x * (k + 1)
            await asyncio.sleep(0)     # other tasks record (or not) meanwhile
            assert pg.is_recording()
            z = np.sum(y * x)
        await asyncio.sleep(0)
        z.backward()
        return x.grad.tolist()

    async def bystander():
        await asyncio.sleep(0)
        recording = pg.is_recording()
        y = np.ones(2) * 2.0
        return recording, y._trace

    async def main():
        with pg.use_backend("numpy"):
            return await asyncio.gather(*(task(k) for k in range(4)), bystander())

    *grads, (recording, trace) = asyncio.run(main())
    assert grads == [[2.0 * (k + 1), 4.0 * (k + 1)] for k in range(4)]
    assert recording is False and trace is None
