"""polygrad.numpy.random: deterministic per seed, right shapes, dtypes, ranges and distributions,
NumPy's argument forms, and reparameterized samples that are differentiable in their parameters."""

from __future__ import annotations

import numpy
import pytest

import polygrad as pg
import polygrad.numpy as np
from polygrad.numpy import random

pytestmark = pytest.mark.usefixtures("numpy_backend")

DRAWS = {
    "randn": lambda: random.randn(3, 2),
    "rand": lambda: random.rand(4),
    "randint": lambda: random.randint(0, 10, size=(5,)),
    "normal": lambda: random.normal(1.0, 2.0, size=(2, 2)),
    "uniform": lambda: random.uniform(-1.0, 1.0, size=3),
    "permutation": lambda: random.permutation(6),
    "permutation-array": lambda: random.permutation(np.arange(6.0)),
    "choice": lambda: random.choice(5, size=4),
    "choice-noreplace": lambda: random.choice(np.arange(10.0), size=5, replace=False),
    "random": lambda: random.random((2, 3)),
    "standard_normal": lambda: random.standard_normal(4),
}


@pytest.mark.parametrize("name", list(DRAWS))
def test_the_same_seed_gives_the_same_draws(name):
    random.seed(42)
    first = DRAWS[name]().asnumpy()
    random.seed(42)
    second = DRAWS[name]().asnumpy()
    numpy.testing.assert_array_equal(first, second)
    random.seed(43)
    third = DRAWS[name]().asnumpy()
    assert not numpy.array_equal(first, third)


def test_successive_draws_differ_and_the_stream_continues():
    random.seed(0)
    a, b = random.randn(5), random.randn(5)
    assert not numpy.array_equal(a.asnumpy(), b.asnumpy())
    random.seed(0)
    both = numpy.concatenate([random.randn(5).asnumpy(), random.randn(5).asnumpy()])
    numpy.testing.assert_array_equal(both, numpy.concatenate([a.asnumpy(), b.asnumpy()]))


def test_shapes_and_dtypes():
    random.seed(1)
    assert random.randn(3, 2).shape == (3, 2) and random.randn(3, 2).dtype == np.float64
    assert random.randn().shape == () and random.rand().shape == ()
    assert random.normal(size=None).shape == ()
    assert random.uniform(size=(2, 0)).shape == (2, 0)
    assert random.randint(5, size=7).dtype == np.int64
    assert random.randint(5, size=7, dtype="int32").dtype == np.int32
    assert random.randn(2, dtype="float32").dtype == np.float32
    assert random.permutation(4).dtype.kind == "i"
    pg.set_default_dtype("float32")
    try:
        assert random.rand(2).dtype == np.float32 and random.normal(size=2).dtype == np.float32
    finally:
        pg.set_default_dtype(None)


def test_values_lie_in_their_ranges_and_follow_their_distributions():
    random.seed(2)
    n = 200_000
    z = random.normal(1.5, 2.0, size=n).asnumpy()
    assert abs(z.mean() - 1.5) < 0.03 and abs(z.std() - 2.0) < 0.03
    u = random.uniform(-2.0, 3.0, size=n).asnumpy()
    assert u.min() >= -2.0 and u.max() < 3.0 and abs(u.mean() - 0.5) < 0.03
    r = random.rand(n).asnumpy()
    assert r.min() >= 0.0 and r.max() < 1.0 and abs(r.var() - 1 / 12) < 0.002
    s = random.randn(n).asnumpy()
    assert abs(s.mean()) < 0.01 and abs(s.std() - 1.0) < 0.01
    k = random.randint(3, 7, size=n).asnumpy()
    assert set(numpy.unique(k).tolist()) == {3, 4, 5, 6}
    k = random.randint(4, size=n).asnumpy()
    assert set(numpy.unique(k).tolist()) == {0, 1, 2, 3}


def test_permutation_and_shuffle_keep_the_elements():
    random.seed(3)
    p = random.permutation(10).asnumpy()
    assert sorted(p.tolist()) == list(range(10))
    x = np.asarray(numpy.arange(12.0).reshape(6, 2))
    y = random.permutation(x).asnumpy()
    assert sorted(y[:, 0].tolist()) == x.asnumpy()[:, 0].tolist()
    numpy.testing.assert_array_equal(y[:, 1] - y[:, 0], 1.0)   # rows move whole
    assert x.asnumpy()[:, 0].tolist() == [0.0, 2.0, 4.0, 6.0, 8.0, 10.0]   # a copy
    random.shuffle(x)
    assert sorted(x.asnumpy()[:, 0].tolist()) == [0.0, 2.0, 4.0, 6.0, 8.0, 10.0]
    items = list(range(20))
    random.shuffle(items)
    assert sorted(items) == list(range(20)) and items != list(range(20))
    with pytest.raises(ValueError, match="at least one dimension"):
        random.permutation(np.asarray(1.0))


def test_choice_forms():
    random.seed(4)
    c = random.choice(5, size=1000).asnumpy()
    assert c.min() >= 0 and c.max() <= 4
    picked = random.choice([10.0, 20.0, 30.0], size=(4, 5)).asnumpy()
    assert picked.shape == (4, 5) and set(picked.ravel().tolist()) <= {10.0, 20.0, 30.0}
    unique = random.choice(np.arange(10.0), size=10, replace=False).asnumpy()
    assert sorted(unique.tolist()) == list(map(float, range(10)))
    weighted = random.choice(4, size=2000, p=np.asarray([0.0, 0.5, 0.0, 0.5])).asnumpy()
    assert set(weighted.tolist()) == {1, 3}
    assert random.choice(3).shape == ()
    with pytest.raises(ValueError, match="p has 2 entries"):
        random.choice(3, p=[0.5, 0.5])
    with pytest.raises(ValueError):
        random.choice(3, size=5, replace=False)
    with pytest.raises(ValueError, match="1-D"):
        random.choice(np.ones((2, 2)))
    with pytest.raises(ValueError, match="below high"):
        random.randint(5, 5)


def test_samples_are_differentiable_in_array_parameters():
    loc, scale = np.asarray([0.0, 1.0, 2.0]), np.asarray([1.0, 2.0, 0.5])
    random.seed(5)
    sample = random.normal(loc, scale)
    random.seed(5)
    z = random.normal(0.0, 1.0, size=3)
    numpy.testing.assert_allclose(sample.asnumpy(), (loc + scale * z).asnumpy())

    def f(loc, scale):
        random.seed(5)
        return np.sum(random.normal(loc, scale))

    g_loc, g_scale = pg.grad(f, argnum=(0, 1))(loc, scale)
    numpy.testing.assert_allclose(g_loc.asnumpy(), 1.0)
    numpy.testing.assert_allclose(g_scale.asnumpy(), z.asnumpy())

    def h(low, high):
        random.seed(6)
        return np.sum(random.uniform(low, high, size=(4, 3)))

    gl, gh = pg.grad(h, argnum=(0, 1))(np.asarray(-1.0), np.asarray([1.0, 2.0, 3.0]))
    assert gl.shape == () and gh.shape == (3,)
    numpy.testing.assert_allclose(float(gl) + float(np.sum(gh)), 12.0)


def test_broadcast_parameters_give_the_broadcast_shape():
    out = random.normal(np.zeros((3, 1)), np.ones((1, 4)))
    assert out.shape == (3, 4)
    out = random.uniform(np.zeros(2), 1.0, size=(5, 2))
    assert out.shape == (5, 2)
    assert random.normal([0.0, 1.0], 1.0).shape == (2,)


# -- NumPy's numbers on the numpy backend, the backend's own stream elsewhere (issue 17) -------
LEGACY = [("randn", (3, 2), {}), ("rand", (4,), {}), ("randint", (0, 10, 5), {}),
          ("normal", (1.0, 2.0, 3), {}), ("uniform", (-1.0, 1.0, 3), {}),
          ("standard_normal", (4,), {}), ("random", (3,), {}), ("permutation", (6,), {}),
          ("choice", (5, 4), {}), ("beta", (2.0, 3.0, 4), {}), ("binomial", (10, 0.3, 4), {}),
          ("poisson", (3.0, 4), {}), ("gamma", (2.0, 1.5, 3), {}), ("exponential", (2.0, 3), {}),
          ("multivariate_normal", ([0.0, 1.0], [[1.0, 0.3], [0.3, 1.0]], 3), {}),
          ("dirichlet", ([1.0, 2.0, 3.0], 2), {}), ("standard_t", (3.0, 4), {}),
          ("hypergeometric", (5, 7, 4, 3), {}), ("zipf", (2.5, 3), {})]


@pytest.mark.parametrize("name,args,kwargs", LEGACY, ids=[c[0] for c in LEGACY])
def test_seeded_module_functions_and_random_state_give_numpys_numbers(name, args, kwargs):
    random.seed(7)
    numpy.random.seed(7)
    numpy.testing.assert_array_equal(getattr(random, name)(*args, **kwargs).asnumpy(),
                                     getattr(numpy.random, name)(*args, **kwargs))
    numpy.testing.assert_array_equal(
        getattr(random.RandomState(3), name)(*args, **kwargs).asnumpy(),
        getattr(numpy.random.RandomState(3), name)(*args, **kwargs))


GENERATOR = [("normal", (0.5, 2.0, 3), {}), ("standard_normal", (4,), {}), ("random", (3,), {}),
             ("integers", (0, 10, 5), {}), ("integers", (0, 5, 4), {"endpoint": True}),
             ("uniform", (-1.0, 1.0, 3), {}), ("choice", (10, 3), {"replace": False}),
             ("permutation", (5,), {}), ("gamma", (2.0, 1.0, 3), {}),
             ("exponential", (1.5, 3), {}), ("binomial", (5, 0.5, 3), {}),
             ("standard_exponential", (3,), {}), ("lognormal", (0.0, 1.0, 3), {})]


@pytest.mark.parametrize("name,args,kwargs", GENERATOR, ids=[c[0] for c in GENERATOR])
def test_default_rng_gives_numpys_numbers(name, args, kwargs):
    ours = getattr(random.default_rng(11), name)(*args, **kwargs)
    numpy.testing.assert_array_equal(
        ours.asnumpy(), getattr(numpy.random.default_rng(11), name)(*args, **kwargs))


def test_seed_randn_is_numpys_exactly():
    np.random.seed(0)
    numpy.random.seed(0)
    numpy.testing.assert_array_equal(np.random.randn(3).asnumpy(), numpy.random.randn(3))
    numpy.testing.assert_array_equal(np.random.RandomState(0).randn(3).asnumpy(),
                                     numpy.random.RandomState(0).randn(3))
    numpy.testing.assert_array_equal(np.random.default_rng(0).normal(size=3).asnumpy(),
                                     numpy.random.default_rng(0).normal(size=3))


def test_array_shuffles_permutations_and_choices_follow_numpy():
    x, y = np.arange(10.0), numpy.arange(10.0)
    random.seed(5)
    numpy.random.seed(5)
    random.shuffle(x)
    numpy.random.shuffle(y)
    numpy.testing.assert_array_equal(x.asnumpy(), y)
    g, h = random.default_rng(2), numpy.random.default_rng(2)
    m = numpy.arange(12.0).reshape(3, 4)
    numpy.testing.assert_array_equal(g.permuted(np.asarray(m), axis=1).asnumpy(),
                                     h.permuted(m, axis=1))
    numpy.testing.assert_array_equal(g.choice(np.asarray(m), 2, axis=1).asnumpy(),
                                     h.choice(m, 2, axis=1))
    numpy.testing.assert_array_equal(g.permutation(np.asarray(m), axis=1).asnumpy(),
                                     h.permutation(m, axis=1))


def test_state_round_trips_and_array_parameters_reparameterize():
    state = random.RandomState(4)
    saved = state.get_state()
    first = state.normal(size=3).asnumpy()
    state.set_state(saved)
    numpy.testing.assert_array_equal(state.normal(size=3).asnumpy(), first)
    loc = np.asarray([0.0, 10.0])
    draws = random.RandomState(0).normal(loc, 2.0)
    numpy.testing.assert_array_equal(draws.asnumpy(),
                                     numpy.random.RandomState(0).normal([0.0, 10.0], 2.0))
    numpy.testing.assert_array_equal(
        pg.grad(lambda m: np.sum(random.RandomState(0).normal(m, 2.0)))(loc).asnumpy(), [1, 1])


def test_a_parameter_carrying_a_derivative_is_refused_where_not_reparameterized():
    with pytest.raises(Exception, match="stop_gradient"):
        pg.grad(lambda a: np.sum(random.RandomState(0).gamma(a, 1.0)))(np.asarray([2.0]))


@pytest.mark.parametrize("name", ["torch", "jax", "strict"])
def test_other_backends_draw_seeded_streams_on_their_own_backend(name):
    try:
        context = pg.use_backend(name)
        context.__enter__()
    except pg.BackendUnavailable as exc:
        pytest.skip(f"backend {name} not available: {exc}")
    try:
        for make in (lambda: random.RandomState(3), lambda: random.default_rng(3)):
            a, b = make(), make()
            for draw in (lambda r: r.normal(size=4), lambda r: r.gamma(2.0, size=3),
                         lambda r: r.permutation(5), lambda r: r.choice(4, 3),
                         lambda r: r.uniform(size=2), lambda r: r.poisson(2.0, 3)):
                x, y = draw(a), draw(b)
                assert x.backend == name
                numpy.testing.assert_array_equal(x.asnumpy(), y.asnumpy())
        random.seed(1)
        first = random.beta(2.0, 2.0, 3).asnumpy()
        random.seed(1)
        numpy.testing.assert_array_equal(random.beta(2.0, 2.0, 3).asnumpy(), first)
    finally:
        context.__exit__(None, None, None)
