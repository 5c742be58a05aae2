"""The MXNet-style recording tape on the NumPy backend: attach_grad, record, pause, backward."""

from __future__ import annotations

import numpy
import pytest

import polygrad as pg
import polygrad.numpy as np

pytestmark = pytest.mark.usefixtures("numpy_backend")


def _leaf(values, grad_req: str = "write", dtype=None):
    x = np.asarray(values, dtype=dtype)
    x.attach_grad(grad_req)
    return x


# -- attach_grad and backward ----------------------------------------------------------------------
def test_backward_of_2x_squared_stores_4x_in_grad():
    x = _leaf([[1.0, 2.0], [3.0, 4.0]])
    with pg.record():
        y = 2 * x ** 2
    y.backward()
    assert x.grad.tolist() == [[4.0, 8.0], [12.0, 16.0]]


def test_grad_is_zero_right_after_attach_grad():
    x = _leaf([1.0, 2.0])
    assert x.grad.tolist() == [0.0, 0.0]


def test_array_without_attach_grad_has_no_grad():
    assert np.asarray([1.0]).grad is None


def test_grad_req_write_overwrites_on_each_backward():
    x = _leaf([1.0, 2.0], "write")
    for scale in (1.0, 5.0):
        with pg.record():
            y = scale * x ** 2
        y.backward()
    assert x.grad.tolist() == [10.0, 20.0]


def test_grad_req_add_accumulates_over_backwards():
    x = _leaf([1.0, 2.0], "add")
    for scale in (1.0, 5.0):
        with pg.record():
            y = scale * x ** 2
        y.backward()
    assert x.grad.tolist() == [12.0, 24.0]


def test_grad_req_null_computes_nothing_for_that_leaf():
    x = _leaf([1.0, 2.0], "null")
    w = _leaf([3.0, 4.0])
    with pg.record():
        y = x * w
    y.backward()
    assert x.grad is None
    assert w.grad.tolist() == [1.0, 2.0]


def test_attach_grad_again_resets_the_gradient():
    x = _leaf([1.0], "add")
    with pg.record():
        y = 3 * x
    y.backward()
    x.attach_grad("add")
    assert x.grad.tolist() == [0.0]


def test_attach_grad_with_unknown_grad_req_is_a_value_error():
    with pytest.raises(ValueError, match="grad_req"):
        np.asarray([1.0]).attach_grad("sometimes")


def test_attach_grad_to_an_integer_array_is_a_type_error():
    with pytest.raises(TypeError, match="int64"):
        np.asarray([1, 2]).attach_grad()


def test_leaf_not_used_by_the_recorded_computation_keeps_its_gradient():
    a, b = _leaf([1.0]), _leaf([2.0])
    with pg.record():
        y = a * a
    y.backward()
    assert a.grad.tolist() == [2.0] and b.grad.tolist() == [0.0]


def test_gradient_of_float32_leaf_is_float32():
    x = _leaf([1.0, 2.0], dtype=np.float32)
    with pg.record():
        y = x * np.asarray([2.0, 3.0])     # a float64 constant
    y.backward()
    assert x.grad.dtype == np.float32 and x.grad.tolist() == [2.0, 3.0]


def test_backward_through_a_long_recorded_chain():
    x = _leaf([0.5])
    with pg.record():
        y = x
        for _ in range(20_000):
            y = y * 1.00001
    y.backward()
    numpy.testing.assert_allclose(x.grad.asnumpy(), [1.00001 ** 20_000], rtol=1e-9)


# -- record, pause, is_recording -------------------------------------------------------------------
def test_is_recording_only_inside_record_and_not_in_pause():
    assert not pg.is_recording()
    with pg.record():
        assert pg.is_recording()
        with pg.pause():
            assert not pg.is_recording()
        assert pg.is_recording()
    assert not pg.is_recording()


def test_operations_inside_pause_are_not_differentiated():
    x = _leaf([1.0, 2.0])
    with pg.record():
        y = x * 3
        with pg.pause():
            z = x * 10
        w = y + z
    w.backward()
    assert x.grad.tolist() == [3.0, 3.0]
    assert z._trace is None


def test_nested_record_keeps_recording_on_the_same_tape():
    x = _leaf([1.0, 2.0])
    with pg.record():
        with pg.record():
            y = x * x
        y2 = y * x
    y2.backward()
    assert x.grad.tolist() == [3.0, 12.0]


def test_backward_of_array_computed_outside_record_is_an_error():
    x = _leaf([1.0])
    with pytest.raises(pg.DifferentiationError, match="record"):
        (x * 2).backward()


def test_writing_into_an_attached_leaf_while_recording_is_an_error():
    x = _leaf([1.0, 2.0])
    with pg.record():
        with pytest.raises(pg.DifferentiationError, match="attach_grad"):
            x[0] = 3.0
        with pytest.raises(pg.DifferentiationError, match="attach_grad"):
            x += 1.0


def test_grad_inside_record_is_itself_recorded():
    # d/dx sum(d/dx sum(x³)) = d/dx sum(3x²) = 6x
    x = _leaf([1.0, 2.0])
    with pg.record():
        s = np.sum(pg.grad(lambda t: np.sum(t ** 3))(x))
    s.backward()
    assert x.grad.tolist() == [6.0, 12.0]


def test_attached_leaf_used_in_grad_outside_record_is_a_constant():
    x = _leaf([1.0, 2.0])
    g = pg.grad(lambda a: np.sum(a * x))(np.asarray([3.0, 4.0]))
    assert g.tolist() == [1.0, 2.0]


# -- head_grad and retain_graph --------------------------------------------------------------------
def test_non_scalar_backward_sums_and_head_grad_weights_the_outputs():
    x = _leaf([1.0, 2.0])
    with pg.record():
        y = x * x
    y.backward(np.asarray([1.0, 10.0]))
    assert x.grad.tolist() == [2.0, 40.0]


def test_head_grad_may_be_host_data():
    x = _leaf([1.0, 2.0])
    with pg.record():
        y = x * x
    y.backward([1.0, 0.5])
    assert x.grad.tolist() == [2.0, 2.0]


def test_head_grad_of_wrong_shape_is_an_error():
    x = _leaf([1.0, 2.0])
    with pg.record():
        y = x * x
    with pytest.raises(ValueError, match=r"head_grad has shape \(3,\)"):
        y.backward(np.ones(3))


def test_second_backward_without_retain_graph_is_a_clear_error():
    x = _leaf([1.0, 2.0])
    with pg.record():
        y = np.sin(x) * x
    y.backward()
    with pytest.raises(pg.DifferentiationError, match="retain_graph=True"):
        y.backward()


def test_retain_graph_allows_a_second_backward():
    x = _leaf([1.0, 2.0], "add")
    with pg.record():
        y = x * x
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.tolist() == [4.0, 8.0]


# -- detach ----------------------------------------------------------------------------------------
def test_detach_cuts_the_recording_and_shares_values():
    x = _leaf([1.0, 2.0])
    with pg.record():
        d = (x * 3).detach()
        y = d * x
    assert d._trace is None and d.tolist() == [3.0, 6.0]
    y.backward()
    assert x.grad.tolist() == [3.0, 6.0]


def test_detach_of_a_concrete_array_shares_its_buffer():
    host = numpy.array([1.0, 2.0])
    x = np.asarray(host)
    assert x.detach().native is host


# -- training loops: updating a leaf outside record keeps it attached ------------------------------
def _sgd(update, steps: int = 4):
    w = _leaf([1.0, -2.0])
    losses = []
    for _ in range(steps):
        with pg.record():
            loss = np.sum(w * w)
        loss.backward()
        losses.append(float(loss))
        update(w, 0.1)
    return w, losses


def _slice_update(w, lr):
    w[:] = w - lr * w.grad


def _inplace_update(w, lr):
    w -= lr * w.grad


@pytest.mark.parametrize("update", [_slice_update, _inplace_update], ids=["setitem", "isub"])
def test_sgd_update_outside_record_keeps_the_leaf_attached(update):
    w, losses = _sgd(update)
    # w ← 0.8 w each step
    numpy.testing.assert_allclose(w.asnumpy(), [0.8 ** 4, -2.0 * 0.8 ** 4], rtol=1e-12)
    assert losses == sorted(losses, reverse=True)
    with pg.record():
        loss = np.sum(w ** 3)
    loss.backward()
    numpy.testing.assert_allclose(w.grad.asnumpy(), 3 * w.asnumpy() ** 2, rtol=1e-12)


def test_slice_update_writes_into_the_leafs_own_buffer():
    host = numpy.array([1.0, 2.0])
    w = np.asarray(host)
    w.attach_grad()
    with pg.record():
        loss = np.sum(w * w)
    loss.backward()
    w[:] = w - 0.5 * w.grad
    assert host.tolist() == [0.0, 0.0]
