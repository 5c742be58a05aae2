"""Index keys are normalised once, in the core: what every indexing kernel receives, NumPy's
errors on every backend, and the helpers a backend builds a small indexing kernel from."""

from __future__ import annotations

import numpy
import pytest

import polygrad as pg
import polygrad.numpy as pnp
from polygrad._indexkey import normal_form
from polygrad.extend import flat_take, flip_negative_steps, index_positions, masks_to_integers
from polygrad_backends.numpy_backend import NumpyBackend

BACKENDS = ("numpy", "torch", "jax", "strict", "dask")


@pytest.fixture(params=BACKENDS)
def any_backend(request):
    try:
        context = pg.use_backend(request.param)
        chosen = context.__enter__()
    except pg.BackendUnavailable as exc:
        pytest.skip(f"backend {request.param} not available: {exc}")
    try:
        yield chosen
    finally:
        context.__exit__(None, None, None)


def test_normal_form_has_one_entry_per_axis_and_explicit_in_bound_slices():
    s = slice
    assert normal_form((Ellipsis, 1), (2, 3, 4)) == (s(0, 2, 1), s(0, 3, 1), 1)
    assert normal_form((-1,), (2, 3)) == (1, s(0, 3, 1))
    assert normal_form((None, s(None, None, -1)), (3,)) == (None, s(2, None, -1))
    assert normal_form((s(-10, 10),), (3,)) == (s(0, 3, 1),)
    assert normal_form((s(5, 1),), (3,)) == (s(0, 0, 1),)
    idx = numpy.array([0, 1])
    out = normal_form((0, idx), (2, 3), lambda i: numpy.asarray(i))
    assert out[0].shape == () and int(out[0]) == 0 and out[1] is idx   # int beside an array


def test_normal_form_raises_numpys_index_errors():
    with pytest.raises(IndexError, match="index 3 is out of bounds for axis 1 with size 3"):
        normal_form((0, 3), (2, 3))
    with pytest.raises(IndexError, match="too many indices for array: array is 1-dimensional, "
                                         "but 2 were indexed"):
        normal_form((0, 0), (3,))
    with pytest.raises(IndexError, match="single ellipsis"):
        normal_form((Ellipsis, Ellipsis), (3,))


@pytest.mark.parametrize("i", [3, -4])
def test_an_out_of_range_int_raises_on_every_backend(any_backend, i):
    # before: JAX clamped x[3] to x[2] and returned 3.0, a silent wrong number
    x = pnp.asarray([1.0, 2.0, 3.0])
    with pytest.raises(IndexError, match=f"index {i} is out of bounds for axis 0 with size 3"):
        x[i]  # noqa: B018
    with pytest.raises(IndexError, match="out of bounds"):
        x[i] = 0.0


def test_kernels_receive_the_normal_form():
    seen = []

    def getitem(xp):
        def kernel(x, key):
            seen.append(key)
            return x[key]
        return kernel

    class Recording(NumpyBackend):
        name = "recording_index"
        native_modules = ()
        kernels = {**NumpyBackend.kernels, "getitem": getitem}

    backend = Recording()
    x = pg.asarray(numpy.arange(24.0).reshape(2, 3, 4), backend=backend)
    pg.grad(lambda x: pnp.sum(x[..., -1]))(x)   # traced: through the kernel
    assert seen[-1] == (slice(0, 2, 1), slice(0, 3, 1), 3)


# -- a backend's indexing kernel from the helpers alone, against NumPy ------------------------
KEYS = [
    (Ellipsis, 1),
    (slice(None, None, -2), None, 0),
    ([0, 1, 1], slice(1, None)),
    (slice(None), [[0], [1]], [2, 3]),
    (1, slice(None), [0, -1]),
    ([1, 0], Ellipsis, [3, 0]),
    (None, [0, 1], 1),
    (numpy.array([True, False]), slice(None), 0),
    (numpy.array([[True, False, True], [False, True, False]]), slice(None, None, -1)),
]


class HelpersOnly(NumpyBackend):
    """Indexing kernels that use nothing of NumPy's advanced indexing: the helpers do it."""

    name = "helpers_only"
    native_modules = ()

    @staticmethod
    def _getitem(xp):
        return lambda x, key: flat_take(xp, x, masks_to_integers(xp, key))

    @staticmethod
    def _scatter_add(xp):
        def scatter_add(v, shape, key):
            pos = index_positions(xp, shape, masks_to_integers(xp, key))
            out = numpy.zeros(int(numpy.prod(shape)), dtype=v.dtype)
            numpy.add.at(out, pos.reshape(-1), numpy.broadcast_to(v, pos.shape).reshape(-1))
            return out.reshape(shape)
        return scatter_add

    kernels = {**NumpyBackend.kernels, "getitem": _getitem, "scatter_add": _scatter_add}


@pytest.mark.parametrize("key", KEYS, ids=range(len(KEYS)))
def test_helpers_index_as_numpy_does(key):
    data = numpy.arange(24.0).reshape(2, 3, 4)
    expected = data[key]
    w = numpy.linspace(-1.0, 1.0, expected.size).reshape(expected.shape)
    with pg.use_backend(HelpersOnly()):
        x = pnp.asarray(data)
        numpy.testing.assert_array_equal(numpy.asarray(pg.stop_gradient(x)[key]), expected)
        g = pg.grad(lambda x: pnp.sum(x[key] * pnp.asarray(w)))(x)
    want = numpy.zeros_like(data)
    numpy.add.at(want, key, w)
    numpy.testing.assert_allclose(numpy.asarray(g), want)


@pytest.mark.parametrize("key", [(slice(None, None, -1), slice(3, 0, -2)),
                                 (0, slice(None, None, -1)), (slice(1, 2, 1), slice(2, 1))])
def test_flip_negative_steps_selects_the_same_elements(key):
    data = numpy.arange(12).reshape(3, 4)
    full = normal_form(key, data.shape)
    axes, positive = flip_negative_steps(full, data.shape)
    assert all(type(k) is not slice or k.step > 0 for k in positive)
    numpy.testing.assert_array_equal(numpy.flip(data, axes)[positive], data[key])
