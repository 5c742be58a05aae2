"""Tests of the marray plugin: masked values through polygrad, gradients keep the mask.

Run with the plugin installed (``pip install -e examples/plugins/polygrad-marray``).
"""

from __future__ import annotations

import numpy
import pytest

pytest.importorskip("marray", reason="marray is not installed")

import polygrad as pg  # noqa: E402
import polygrad.numpy as np  # noqa: E402


@pytest.fixture
def backend():
    if "marray" not in [b["name"] for b in pg.backends()]:
        pytest.skip("the plugin is not installed (pip install -e examples/plugins/polygrad-marray)")
    with pg.use_backend("marray") as b:
        yield b


def test_to_numpy_keeps_the_mask(backend):
    x = pg.asarray(backend.xp.asarray([1.0, 2.0, 3.0], mask=[False, True, False]))
    host = backend.to_numpy(x.native)
    assert isinstance(host, numpy.ma.MaskedArray)
    assert host.mask.tolist() == [False, True, False]


def test_a_gradient_on_masked_input_matches_numpy_on_the_unmasked_entries(backend):
    data = numpy.array([0.5, 1.0, -2.0, 3.0])
    mask = numpy.array([False, True, False, False])
    x = pg.asarray(backend.xp.asarray(data, mask=mask))
    g = pg.grad(lambda x: np.sum(np.sin(x) * x))(x).native
    want = numpy.sin(data) + data * numpy.cos(data)
    assert numpy.asarray(g.mask).tolist() == mask.tolist()
    numpy.testing.assert_allclose(numpy.asarray(g.data)[~mask], want[~mask], rtol=1e-12)


def test_repeated_indices_accumulate_in_the_vjp_of_indexing(backend):
    x = pg.asarray(backend.xp.asarray([1.0, 2.0, 3.0]))
    g = pg.grad(lambda x: np.sum(x[np.asarray([0, 0, 2])]))(x).asnumpy()
    assert numpy.ma.getdata(g).tolist() == [2.0, 0.0, 1.0]
