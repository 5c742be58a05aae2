"""Reading an array that carries a derivative out to the host raises instead of cutting the
derivative silently (``float(x) * x`` must not differentiate as ``c * x``); comparisons, ``bool``,
printing, ``stop_gradient`` and ``detach`` keep working. Every backend.
"""

from __future__ import annotations

import numpy
import pytest

import polygrad as pg
import polygrad.numpy as np

#: each way of reading values out to the host, applied to a 1-element float array
READS = {
    "__array__": lambda x: numpy.asarray(x),
    "asnumpy": lambda x: x.asnumpy(),
    "tolist": lambda x: x.tolist(),
    "item": lambda x: x.item(),
    "float": lambda x: float(x),
    "int": lambda x: int(x),
    "complex": lambda x: complex(x),
}


def _reads(x, how):
    return READS[how](x)


@pytest.mark.parametrize("how", READS)
def test_reading_a_grad_tracer_raises_naming_the_fix(backend, how):
    def f(x):
        _reads(x, how)
        return np.sum(x)

    with pytest.raises(pg.DifferentiationError, match=r"stop_gradient.*detach"):
        pg.grad(f)(np.asarray(2.0))


def test_the_issue_examples_raise_instead_of_returning_a_wrong_gradient(backend):
    x = np.asarray([1.0, 2.0])
    with pytest.raises(pg.DifferentiationError, match="numpy.asarray"):
        pg.grad(lambda x: numpy.sum(numpy.asarray(x) ** 2))(x)
    with pytest.raises(pg.DifferentiationError, match=r"float\(\)"):
        pg.grad(lambda x: float(x) * x)(np.asarray(2.0))


def test_an_integer_array_computed_from_a_tracer_indexes_freely(backend):
    # casting to an integer dtype has no derivative, so the result is a plain array
    def f(x):
        i = x.astype(np.int64)
        return x * [1.0, 2.0, 3.0][i] + int(i)

    assert float(pg.grad(f)(np.asarray(1.0))) == 2.0


@pytest.mark.parametrize("how", READS)
def test_reading_a_jvp_tracer_raises(backend, how):
    def f(x):
        _reads(x, how)
        return x

    with pytest.raises(pg.DifferentiationError, match="stop_gradient"):
        pg.jvp(f, (np.asarray(2.0),), (np.asarray(1.0),))


@pytest.mark.parametrize("how", READS)
def test_reading_inside_record_raises_and_outside_is_fine(backend, how):
    x = np.asarray(2.0)
    x.attach_grad()
    _reads(x, how)                           # before recording: a plain array
    with pg.record():
        with pytest.raises(pg.DifferentiationError, match="stop_gradient"):
            _reads(x, how)                   # the leaf itself
        y = x * x
        with pytest.raises(pg.DifferentiationError, match="stop_gradient"):
            _reads(y, how)                   # a recorded result
        _reads(y.detach(), how)
        with pg.pause():
            _reads(y, how)                   # paused: nothing is recorded
    _reads(y, how)                           # after recording: its value
    _reads(x, how)
    y.backward()
    assert float(x.grad) == 4.0


def test_the_value_of_stop_gradient_or_detach_can_be_read_on_purpose(backend):
    def f(x):
        c = float(pg.stop_gradient(x))
        d = x.detach().tolist()
        return c * x + d * x

    assert float(pg.grad(f)(np.asarray(2.0))) == 4.0
    x = np.asarray([3.0, 4.0])
    got = pg.grad(lambda x: np.sum(numpy.asarray(pg.stop_gradient(x)) * x))(x)
    assert got.tolist() == [3.0, 4.0]


def test_comparisons_bool_and_printing_keep_working_under_every_trace(backend):
    seen = []

    def f(x):
        if x > 0 and bool(x) and bool(x != 0):
            seen.append((repr(x), str(x), f"{x:.1f}"))
        while np.linalg.vector_norm(x) < 1000:
            x = x * 2
        return np.sum(x)

    x = np.asarray([3.0, 4.0])
    g = pg.grad(lambda x: f(x[0]) + f(x[1]))(x)
    assert g.tolist() == [512.0, 256.0]   # 3 and 4 doubled until their norm passes 1000
    pg.jvp(lambda x: f(x[0]), (x,), (np.ones_like(x),))
    x.attach_grad()
    with pg.record():
        y = f(x[0])
    y.backward()
    assert "traced by" in seen[0][0] and seen[0][2] == "3.0"


def test_nested_grad_outer_tracer_reads_raise_inner_results_too(backend):
    # the inner grad's result still carries the outer derivative
    def outer(x):
        g = pg.grad(lambda y: y * x)(x)
        return float(g) * x

    with pytest.raises(pg.DifferentiationError, match="stop_gradient"):
        pg.grad(outer)(np.asarray(2.0))


def test_reading_values_inside_jit_of_grad_raises(backend):
    import warnings

    from polygrad.extend import JitWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", JitWarning)
        step = pg.jit(pg.grad(lambda w: float(w) * w))
        with pytest.raises((pg.DifferentiationError, pg.ConcretizationError),
                           match="stop_gradient|traced array"):
            step(np.asarray(2.0))
