"""Logistic regression by gradient descent on data larger than the cluster's memory (dask backend).

    python examples/dask_out_of_core.py [--gib 4.5] [--steps 8] [--memory-limit 1GiB]
    python examples/dask_out_of_core.py --gib 0.2 --steps 2          # a quick run
    python examples/dask_out_of_core.py --scheduler tcp://host:8786  # an existing cluster
    python examples/dask_out_of_core.py --backend torch --gib 0.05   # in memory, to compare

Starts a ``LocalCluster`` of worker processes with a memory limit each (or connects to
``--scheduler``), and defines a synthetic dataset that Dask generates chunk by chunk from a
seed: ``X`` (float64, ``--gib`` GiB) and labels ``y`` from a known weight vector. Nothing is
ever held whole: each step, ``pg.value_and_grad`` of the mean logistic loss builds a lazy graph,
and ``pg.compute`` runs it in one pass on the workers, regenerating each chunk of ``X``, using it
for the forward and backward pass, and dropping it. Prints a progress bar per step, the time per
step, the peak memory of each worker (from the scheduler's own reports), and checks the gradient
against plain NumPy on a sample (the first chunks), which fits in memory.

``--backend`` is ``dask`` by default, the point of the example. Any other backend (``numpy``,
``torch``, ``jax``, ...) runs the same program in memory for comparison: the cluster generates
``X`` and ``y``, which are then brought whole onto that backend, so keep ``--gib`` small.
"""

from __future__ import annotations

import argparse
import threading
import time
from contextlib import ExitStack

import numpy

import polygrad as pg
import polygrad.numpy as np

GIB = 2 ** 30


def make_data(gib: float, features: int, chunk_mib: float, seed: int):
    """``(X, y, w_true)``: lazy float64 data of about ``gib`` GiB, chunked by rows."""
    import dask.array as da

    rows = int(gib * GIB / (8 * features))
    per_chunk = max(1, int(chunk_mib * 2 ** 20 / (8 * features)))
    rng = da.random.default_rng(seed)
    w_true = numpy.random.default_rng(seed).normal(size=features) / numpy.sqrt(features)
    X = rng.standard_normal((rows, features), chunks=(per_chunk, features))
    noise = rng.standard_normal(rows, chunks=per_chunk)
    y = (X @ w_true + 0.5 * noise > 0).astype("float64")
    if pg.get_backend().name != "dask":   # another backend: the data brought whole into memory
        return np.asarray(X.compute()), np.asarray(y.compute()), w_true
    return pg.asarray(X), pg.asarray(y), w_true


def loss_fn(X, y, lam):
    """Mean logistic loss of ``X @ w`` against ``y`` in {0, 1}, plus ``lam/2 |w|²``."""
    def loss(w):
        z = X @ w
        return np.mean(np.logaddexp(0.0, z) - y * z) + 0.5 * lam * np.sum(w * w)
    return loss


def numpy_gradient(X, y, w, lam):
    """The same gradient in plain NumPy: Xᵀ(σ(Xw) − y)/n + lam w."""
    p = 1.0 / (1.0 + numpy.exp(-(X @ w)))
    return X.T @ (p - y) / len(y) + lam * w


class PeakMemory:
    """Samples each worker's process memory as the scheduler reports it (worker heartbeats)."""

    def __init__(self, client, interval: float = 0.2) -> None:
        self.client, self.interval = client, interval
        self.peak: dict[str, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            for addr, info in self.client.scheduler_info()["workers"].items():
                used = info["metrics"]["memory"]
                self.peak[addr] = max(self.peak.get(addr, 0), used)
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def start_client(args, stack: ExitStack):
    """A Client of ``--scheduler``, or of a new LocalCluster with ``--workers`` processes."""
    from distributed import Client, LocalCluster

    if args.scheduler:
        return stack.enter_context(Client(args.scheduler, timeout="60s"))
    cluster = stack.enter_context(LocalCluster(
        n_workers=args.workers, threads_per_worker=1, processes=True, host="127.0.0.1",
        dashboard_address=None, memory_limit=args.memory_limit, timeout="60s"))
    return stack.enter_context(Client(cluster, timeout="60s"))


def check_gradient(X, y, w, lam, rows: int) -> float:
    """Relative difference between polygrad's gradient on the first ``rows`` rows (computed on
    the cluster) and NumPy's on the same rows brought to this process."""
    Xs, ys = X[:rows], y[:rows]
    g, Xs, ys, w = (a.asnumpy() for a in pg.compute(pg.grad(loss_fn(Xs, ys, lam))(w), Xs, ys, w))
    want = numpy_gradient(Xs, ys, w, lam)
    return float(numpy.max(numpy.abs(g - want)) / numpy.max(numpy.abs(want)))


def train(X, y, args, say):
    """Gradient descent; returns ``(w, losses, seconds per step)``."""
    from tqdm import tqdm

    w = np.zeros(X.shape[1], dtype=X.dtype)
    value_and_grad = pg.value_and_grad(loss_fn(X, y, args.lam))
    losses, times = [], []
    with tqdm(range(args.steps), desc="gradient steps", unit="step") as bar:
        for _ in bar:
            start = time.perf_counter()
            loss, g = pg.compute(*value_and_grad(w))   # one pass over the data
            w = w - args.lr * g
            times.append(time.perf_counter() - start)
            losses.append(float(loss))
            bar.set_postfix(loss=f"{losses[-1]:.5f}", s_per_step=f"{times[-1]:.1f}")
    say(f"loss per step: {', '.join(f'{v:.5f}' for v in losses)}")
    return w, losses, times


def parse(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--backend", default="dask",
                   help="polygrad backend (default dask; any other holds the data in memory)")
    p.add_argument("--gib", type=float, default=4.5, help="size of X in GiB (float64)")
    p.add_argument("--features", type=int, default=100)
    p.add_argument("--chunk-mib", type=float, default=64.0, help="MiB per chunk of X")
    p.add_argument("--steps", type=int, default=8)
    p.add_argument("--lr", type=float, default=2.0)
    p.add_argument("--lam", type=float, default=1e-4)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--memory-limit", default="1GiB", help="per worker")
    p.add_argument("--scheduler", default=None, help="address of an existing cluster")
    return p.parse_args(argv)


def main(argv=None, say=print) -> dict:
    args = parse(argv)
    pg.set_backend(args.backend)
    with ExitStack() as stack:
        client = start_client(args, stack)
        workers = client.scheduler_info()["workers"]
        limits = {a: info["memory_limit"] for a, info in workers.items()}
        pids = client.run(lambda: __import__("os").getpid())
        X, y, w_true = make_data(args.gib, args.features, args.chunk_mib, args.seed)
        held = (f"in {X.native.npartitions} chunks" if X.backend == "dask"
                else f"held whole on {pg.get_backend().spec}")
        say(f"data: X {X.shape[0]:,} x {X.shape[1]} float64 = {X.size * 8 / GIB:.2f} GiB "
            f"{held}; {len(workers)} workers, memory limit "
            f"{max(limits.values()) / GIB:.2f} GiB each")
        with PeakMemory(client) as memory:
            w, losses, times = train(X, y, args, say)
        per_chunk = max(1, int(args.chunk_mib * 2 ** 20 / (8 * args.features)))
        sample = min(X.shape[0], 2 * per_chunk)
        error = check_gradient(X, y, w, args.lam, sample)
        restarted = pids != client.run(lambda: __import__("os").getpid())
    peak = max(memory.peak.values())
    say(f"time per gradient step: {numpy.mean(times):.1f} s (each: "
        f"{', '.join(f'{t:.1f}' for t in times)})")
    say(f"peak worker memory: {', '.join(f'{v / GIB:.2f}' for v in memory.peak.values())} GiB "
        f"(limit {max(limits.values()) / GIB:.2f} GiB); workers restarted: {restarted}")
    say(f"gradient on the first {sample:,} rows vs NumPy: relative difference {error:.1e}")
    cosine = float(np.sum(w * np.asarray(w_true))) / (
        float(np.linalg.vector_norm(w)) * numpy.linalg.norm(w_true))
    say(f"cosine(w, w_true) = {cosine:.4f}")
    return {"losses": losses, "times": times, "peak": peak, "limit": max(limits.values()),
            "error": error, "restarted": restarted, "cosine": cosine}


if __name__ == "__main__":
    main()
