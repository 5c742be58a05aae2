"""The dask backend: laziness, ``pg.compute`` / ``Array.persist``, kernels Dask lacks, clear
errors, and gradients on a real ``dask.distributed`` cluster equal to the NumPy backend's.

Host data is cut into tiny chunks (``array.chunk-size``) so that every kernel meets several.
"""

from __future__ import annotations

import numpy
import pytest

import polygrad as pg
import polygrad.numpy as np

da = pytest.importorskip("dask.array", reason="the dask backend needs dask[array]")
dask = pytest.importorskip("dask")

from dask.callbacks import Callback  # noqa: E402


@pytest.fixture(autouse=True)
def dask_backend():
    """The dask backend, with host data cut into chunks of 64 bytes (8 float64)."""
    with dask.config.set({"array.chunk-size": "64B"}), pg.use_backend("dask") as backend:
        yield backend


class CountComputes(Callback):
    """Counts the graphs the local scheduler runs (one per ``compute``)."""

    def __init__(self) -> None:
        super().__init__()
        self.n = 0

    def _start(self, dsk) -> None:
        self.n += 1


def logistic_loss(X, y):
    def loss(w):
        z = X @ w
        return np.mean(np.logaddexp(0.0, z) - y * z) + 0.01 * np.sum(w ** 2)
    return loss


def data(rng, n=40, d=3):
    return rng.normal(size=(n, d)), (rng.uniform(size=n) > 0.5).astype(float)


def numpy_grad(X, y, w):
    with pg.use_backend("numpy"):
        return pg.grad(logistic_loss(np.asarray(X), np.asarray(y)))(np.asarray(w)).asnumpy()


# -- laziness -------------------------------------------------------------------------------------
def test_arrays_are_chunked_dask_collections(rng):
    x = np.asarray(rng.normal(size=(5, 4)))
    assert isinstance(x.native, da.Array) and x.native.numblocks == (3, 2)
    assert x.backend == "dask" and x.shape == (5, 4) and x.dtype == np.float64


def test_gradients_build_graphs_and_compute_nothing_until_asked(rng):
    X, y = data(rng)
    loss = logistic_loss(np.asarray(X), np.asarray(y))
    w_host = numpy.asarray([0.1, -0.2, 0.3])
    w = np.asarray(w_host)
    with CountComputes() as counter:
        value, g = pg.value_and_grad(loss)(w)
        h = pg.hvp(loss)(w, np.ones(3))
        _, t = pg.jvp(loss, (w,), (np.ones(3),))
        assert counter.n == 0
        assert all(isinstance(a.native, da.Array) for a in (value, g, h, t))
        numpy.testing.assert_allclose(g.asnumpy(), numpy_grad(X, y, w_host), rtol=1e-12)
        assert counter.n == 1


def test_pg_compute_runs_several_results_in_one_pass(rng):
    X, y = data(rng)
    evaluated = []

    def load(block):   # stands for reading the data from disk: counted
        evaluated.append(block.shape)
        return block

    Xd = np.asarray(da.from_array(X, chunks=(10, 3)).map_blocks(load))
    value, g = pg.value_and_grad(logistic_loss(Xd, np.asarray(y)))(np.zeros(3))
    evaluated.clear()   # map_blocks tried ``load`` on empty blocks to learn its output
    with CountComputes() as counter:
        v2, tree, label = pg.compute(value, {"g": [g]}, "label")
        assert counter.n == 1 and len(evaluated) == 4   # each chunk read once for both results
        float(v2), tree["g"][0].asnumpy(), repr(v2)
        assert counter.n == 1   # the values are held: reading them runs nothing
    assert label == "label" and v2.backend == "dask"
    numpy.testing.assert_allclose(tree["g"][0].asnumpy(), numpy_grad(X, y, numpy.zeros(3)))


def test_persist_keeps_the_chunks_and_drops_the_graph(rng):
    x = np.exp(np.asarray(rng.normal(size=20))) * 2.0
    p = x.persist()
    graph = p.native.__dask_graph__()
    assert len(graph) == p.native.npartitions == x.native.npartitions
    numpy.testing.assert_allclose(p.asnumpy(), x.asnumpy())


def test_compute_and_persist_are_identities_on_eager_backends():
    with pg.use_backend("numpy"):
        x = np.ones(3)
        y, one = pg.compute(x, 1.0)
        assert y is x and one == 1.0 and x.persist() is x


def test_compute_of_a_traced_array_is_an_error():
    def f(x):
        pg.compute(x * 2)
        return np.sum(x)

    with pytest.raises(pg.DifferentiationError, match="polygrad.compute: the array is being"):
        pg.grad(f)(np.ones(3))


# -- what Dask lacks, filled in ----------------------------------------------------------------
@pytest.mark.parametrize("key", [
    (slice(1, None), 2), ([0, 3, 3],), ([[0, 1], [4, 4]],), ([0, -1], [1, 2]),
    (slice(None), [2, 0]), ([1, 2], slice(None), 0), (0, slice(None), [1, 0]),
    (Ellipsis, [0, 0]), ([[1], [2]], [0, 3]), (slice(None), None, [1, 2])])
def test_integer_array_indexing_and_its_gradient_match_numpy(rng, key):
    host = rng.normal(size=(5, 4, 3))
    x = np.asarray(host)
    numpy.testing.assert_array_equal(x[key].asnumpy(), host[key])
    g = pg.grad(lambda x: np.sum(x[key] ** 2))(x)
    with pg.use_backend("numpy"):
        want = pg.grad(lambda x: np.sum(x[key] ** 2))(np.asarray(host))
    numpy.testing.assert_allclose(g.asnumpy(), want.asnumpy())


def test_assignment_through_several_index_arrays_rebinds_to_an_updated_graph(rng):
    host = rng.normal(size=(4, 5))
    x = np.asarray(host)
    before = x.native
    x[[0, 3], [1, 4]] = 7.0
    x[1:3, 0] = np.asarray([1.0, 2.0])
    host[[0, 3], [1, 4]] = 7.0
    host[1:3, 0] = [1.0, 2.0]
    assert x.native is not before
    numpy.testing.assert_array_equal(x.asnumpy(), host)


def test_assignment_through_a_mask_of_a_scalar_is_lazy(rng):
    host = rng.normal(size=(4, 5))
    x = np.asarray(host)
    x[x > 0] = 0.0
    assert isinstance(x.native, da.Array)
    numpy.testing.assert_array_equal(x.asnumpy(), numpy.minimum(host, 0.0))

    def f(x):
        y = x * 1.0
        y[x > 0] = 0.0
        return np.sum(y * y)

    g = pg.grad(f)(np.asarray(host))
    numpy.testing.assert_allclose(g.asnumpy(), 2 * numpy.minimum(host, 0.0))


def test_reshapes_dask_refuses_go_through_the_flat_shape(rng):
    host = rng.normal(size=(2, 3))
    x = np.asarray(da.from_array(host, chunks=1))
    numpy.testing.assert_array_equal(np.reshape(x, (3, 2)).asnumpy(), host.reshape(3, 2))


def test_sort_gathers_the_axis_into_one_chunk(rng):
    host = rng.normal(size=(3, 20))
    x = np.asarray(host)
    assert x.native.numblocks[1] > 1
    numpy.testing.assert_array_equal(np.sort(x, axis=1).asnumpy(), numpy.sort(host, axis=1))


def test_linalg_runs_numpy_per_matrix_over_a_chunked_stack(rng):
    host = rng.normal(size=(6, 3, 3)) + 3 * numpy.eye(3)
    a = np.asarray(da.from_array(host, chunks=(2, 2, 3)))
    numpy.testing.assert_allclose(np.linalg.det(a).asnumpy(), numpy.linalg.det(host))
    g = pg.grad(lambda a: np.sum(np.linalg.slogdet(a)[1]))(a)
    numpy.testing.assert_allclose(g.asnumpy(), numpy.linalg.inv(host).transpose(0, 2, 1))


def test_fft_over_a_chunked_axis_matches_numpy(rng):
    host = rng.normal(size=(4, 16))
    x = np.asarray(host)
    numpy.testing.assert_allclose(np.fft.rfft(x).asnumpy(), numpy.fft.rfft(host))


def test_special_functions_run_block_by_block(rng):
    import scipy.special

    import polygrad.special as special

    host = rng.uniform(0.5, 2.0, size=20)
    g = pg.grad(lambda x: np.sum(special.gammaln(x)))(np.asarray(host))
    numpy.testing.assert_allclose(g.asnumpy(), scipy.special.digamma(host))


def test_random_streams_are_seeded_and_chunked():
    np.random.seed(3)
    a = np.random.normal(size=(50,))
    np.random.seed(3)
    b = np.random.normal(size=(50,))
    assert isinstance(a.native, da.Array)
    numpy.testing.assert_array_equal(a.asnumpy(), b.asnumpy())


# -- clear errors --------------------------------------------------------------------------------
@pytest.mark.parametrize("call, name", [
    (lambda x: x[x > 0], "Array.__getitem__"),
    (lambda x: np.nonzero(x), "polygrad.numpy.nonzero"),
    (lambda x: np.unique_values(x), "polygrad.numpy.unique_values")])
def test_value_dependent_shapes_raise_an_error_naming_the_function(call, name):
    with pytest.raises(NotImplementedError, match=rf"{name}: the dask backend has no kernel .*"
                                                  r"compute the array first"):
        call(np.asarray([1.0, -2.0, 3.0]))


# -- on a real cluster ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def cluster():
    """Two worker processes on the loopback interface, torn down after the module."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None,
                                  memory_limit="1GiB", timeout="60s") as cluster:
        yield cluster


@pytest.fixture
def client(cluster):
    """A Client of the cluster, the default scheduler during the test."""
    import distributed

    with distributed.Client(cluster, timeout="60s") as client:
        yield client


def test_gradients_on_a_cluster_equal_the_numpy_backends(client, rng):
    from distributed import get_task_stream

    X, y = data(rng, n=400, d=4)
    w = rng.normal(size=4)
    loss = logistic_loss(np.asarray(da.from_array(X, chunks=(50, 4))),
                         np.asarray(da.from_array(y, chunks=50)))
    with get_task_stream(client) as stream:
        g, h = pg.compute(pg.grad(loss)(np.asarray(w)), pg.hvp(loss)(np.asarray(w), np.ones(4)))
    workers = {task["worker"] for task in stream.data}
    assert workers and workers <= set(client.scheduler_info()["workers"])
    numpy.testing.assert_allclose(g.asnumpy(), numpy_grad(X, y, w), rtol=1e-12)
    with pg.use_backend("numpy"):
        want = pg.hvp(logistic_loss(np.asarray(X), np.asarray(y)))(np.asarray(w), np.ones(4))
    numpy.testing.assert_allclose(h.asnumpy(), want.asnumpy(), rtol=1e-12)


def test_persisted_arrays_live_on_the_workers(client, rng):
    x = np.asarray(da.from_array(rng.normal(size=100), chunks=25)) ** 2
    p = x.persist()
    assert len(client.who_has(p.native)) == 4
    numpy.testing.assert_allclose(float(np.sum(p)), float(np.sum(x)))


# -- the special functions whose default kernels iterate until they converge --------------------
@pytest.mark.parametrize("name, args", [
    ("gammaincinv", ([0.5, 2.0, 5.0, 30.0], [0.1, 0.5, 0.9, 0.3])),
    ("gammainccinv", ([0.5, 2.0, 5.0, 30.0], [0.1, 0.5, 0.9, 0.3])),
    ("betaincinv", ([0.5, 2.0, 5.0, 1.0], [1.5, 3.0, 0.7, 1.0], [0.1, 0.5, 0.9, 0.3])),
])
def test_iterative_special_kernels_stay_lazy_and_match_scipy(name, args):
    """Their convergence tests would compute the graph built so far at every step; on dask they
    run block by block instead: nothing computes until asked, and the values are SciPy's."""
    scipy_special = pytest.importorskip("scipy.special")
    import polygrad.special as ps

    with CountComputes() as counter:
        out = getattr(ps, name)(*(np.asarray(numpy.asarray(a)) for a in args))
        assert counter.n == 0 and isinstance(out.native, da.Array)
    numpy.testing.assert_allclose(out.asnumpy(), getattr(scipy_special, name)(*args),
                                  rtol=1e-10)


def test_shape_derivatives_of_the_incomplete_gamma_function_stay_lazy():
    import polygrad.special as ps

    a, x = numpy.asarray([0.5, 2.0, 5.0]), numpy.asarray([0.3, 1.5, 7.0])
    with CountComputes() as counter:
        g = pg.grad(lambda a: np.sum(ps.gammainc(a, np.asarray(x))))(np.asarray(a))
        assert counter.n == 0
    with pg.use_backend("numpy"):
        expected = pg.grad(lambda a: np.sum(ps.gammainc(a, np.asarray(x))))(np.asarray(a))
    numpy.testing.assert_allclose(g.asnumpy(), expected.asnumpy(), rtol=1e-12)
