"""In-place updates (``x[key] = v``, ``x[key] += v``) and views, differentiated and not.

Each program is written once against a NumPy-like module ``np`` and run three ways: by NumPy
itself (the oracle: its value, and its derivatives by central differences), by polygrad eagerly,
and by polygrad differentiated (``value_and_grad``, ``jvp`` and the tape), on every backend.
NumPy's semantics are the contract: with repeated positions the last write wins (a buffered
``y[k] += v`` adds once), and basic indexing returns a view, so a write through it reaches its
base and the base's other views.
"""

from __future__ import annotations

import numpy
import pytest

import polygrad as pg
import polygrad.numpy as pnp

BACKENDS = ("numpy", "torch", "jax", "strict", "dask")


@pytest.fixture(params=BACKENDS)
def any_backend(request):
    """Each backend in turn (dask included), skipped with the reason where it cannot load."""
    try:
        context = pg.use_backend(request.param)
        chosen = context.__enter__()
    except pg.BackendUnavailable as exc:
        pytest.skip(f"backend {request.param} not available: {exc}")
    try:
        yield chosen
    finally:
        context.__exit__(None, None, None)


def central_gradient(f, x, eps=1e-6):
    """The gradient of ``f`` (NumPy in, float out) at ``x`` by central differences."""
    out = numpy.zeros_like(x)
    for i in numpy.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[i] += eps
        down[i] -= eps
        out[i] = (f(up) - f(down)) / (2 * eps)
    return out


def check_program(program, x, backend_name):
    """``program(np, x)`` under polygrad agrees with NumPy: value eagerly and differentiated,
    gradient by ``value_and_grad`` and by the tape, and ``jvp`` along a fixed direction."""
    def oracle(x):
        return float(program(numpy, x.copy()))

    value = oracle(x)
    gradient = central_gradient(oracle, x)
    t = numpy.linspace(0.5, -1.5, x.size).reshape(x.shape)
    directional = float(numpy.sum(gradient * t))
    f = lambda x: program(pnp, x)   # noqa: E731

    eager = f(pnp.asarray(x))
    assert abs(float(eager) - value) < 1e-9, f"{backend_name}: eager {float(eager)} != {value}"
    v, g = pg.value_and_grad(f)(pnp.asarray(x))
    assert abs(float(v) - value) < 1e-9, f"{backend_name}: value under grad {float(v)} != {value}"
    numpy.testing.assert_allclose(g.asnumpy(), gradient, rtol=1e-6, atol=1e-6,
                                  err_msg=f"{backend_name}: reverse mode")
    out, tangent = pg.jvp(f, (pnp.asarray(x),), (pnp.asarray(t),))
    assert abs(float(out) - value) < 1e-9
    numpy.testing.assert_allclose(float(tangent), directional, rtol=1e-6, atol=1e-6,
                                  err_msg=f"{backend_name}: forward mode")
    leaf = pnp.asarray(x)
    leaf.attach_grad()
    with pg.record():
        loss = f(leaf)
    loss.backward()
    assert abs(float(loss) - value) < 1e-9, f"{backend_name}: value on the tape"
    numpy.testing.assert_allclose(leaf.grad.asnumpy(), gradient, rtol=1e-6, atol=1e-6,
                                  err_msg=f"{backend_name}: tape")


# -- repeated positions: the last write wins ---------------------------------------------------
def _buffered_add_repeated(np, x):
    y = x * 1.0
    y[np.asarray([0, 0])] += 1.0
    return np.sum(y ** 2)


def _assign_repeated(np, x):
    y = x * 1.0
    y[[0, 0]] = np.stack([2 * x[0], 3 * x[1]])
    return np.sum(y * np.asarray([1.0, 10.0]))


def _negative_alias(np, x):
    y = x * 1.0
    y[[0, -2]] = np.stack([5 * x[1], x[0] ** 2])
    return np.sum(y ** 2)


def _rows_repeated_with_slice(np, x):
    y = np.reshape(x * 1.0, (3, 2))
    y[[1, 1, 0], :] = np.reshape(np.sin(x), (3, 2)) * 2.0
    return np.sum(y ** 3)


def _columns_repeated_buffered(np, x):
    y = np.reshape(x * 1.0, (2, 3))
    y[:, [0, 2, 0]] += np.reshape(x ** 2, (2, 3))
    return np.sum(np.cos(y))


def _two_index_arrays(np, x):
    y = np.reshape(x * 1.0, (2, 3))
    y[[0, 1, 0], [2, 0, 2]] = x[:3] * np.asarray([1.0, 2.0, 3.0])
    return np.sum(y ** 2)


def _mask_beside_repeated_integers(np, x):
    y = np.reshape(x * 1.0, (3, 2))
    y[np.asarray([False, True, False]), [1, 1]] = np.stack([x[0] * 4.0, x[5] * x[1]])
    return np.sum(y * y)


def _advanced_indices_apart(np, x):
    y = np.reshape(x * 1.0, (2, 1, 3))
    y[[1, 1], :, [0, 0]] = np.reshape(x[:2] * 7.0, (2, 1))
    return np.sum(y ** 2)


def _scalar_value_to_repeats(np, x):
    y = x * 2.0
    y[[1, 1, 2]] = x[0]
    return np.sum(y ** 2)


REPEATS = [_buffered_add_repeated, _assign_repeated, _negative_alias, _rows_repeated_with_slice,
           _columns_repeated_buffered, _two_index_arrays, _mask_beside_repeated_integers,
           _advanced_indices_apart, _scalar_value_to_repeats]
SIZE = {_buffered_add_repeated: 2, _assign_repeated: 2, _negative_alias: 2}


def _supported(backend_name, program):
    if backend_name == "dask" and program is _mask_beside_repeated_integers:
        pytest.skip("dask: a boolean mask beside other indices depends on values (documented)")


@pytest.mark.parametrize("program", REPEATS, ids=lambda p: p.__name__.strip("_"))
def test_update_with_repeated_positions_follows_numpy_in_every_mode(any_backend, program):
    _supported(any_backend.name, program)
    n = SIZE.get(program, 6)
    x = numpy.linspace(0.3, 1.4, n) if n != 2 else numpy.array([1.0, 1.0])
    check_program(program, x, any_backend.name)


def test_issue_examples_of_repeated_positions(numpy_backend):
    x = pnp.asarray([1.0, 1.0])
    assert pg.grad(lambda x: _buffered_add_repeated(pnp, x))(x).tolist() == [4.0, 2.0]
    assert pg.grad(lambda x: _assign_repeated(pnp, x))(x).tolist() == [0.0, 13.0]


def test_repeated_positions_keep_the_last_value_on_every_backend(any_backend):
    x = pnp.zeros(3)
    x[pnp.asarray([2, 0, 2, 2, 0])] = pnp.asarray([1.0, 2.0, 3.0, 4.0, 5.0])
    assert x.tolist() == [5.0, 0.0, 4.0]


def _random_program(rng):
    """A random sequence of updates with repeated integer indices (slices, masks and negative
    indices beside them) on a 2-D array, then a scalar loss; ``x`` has 12 elements."""
    steps = []
    for _ in range(rng.integers(1, 4)):
        rows = [int(i) for i in rng.integers(-3, 3, size=rng.integers(1, 5))]
        cols = [int(i) for i in rng.integers(-4, 4, size=len(rows))]
        kind = rng.choice(["rows", "rows_cols", "cols_slice", "mask_cols"])
        if kind == "rows":
            key = (rows,)
        elif kind == "rows_cols":
            key = (rows, cols)
        elif kind == "cols_slice":
            key = (slice(None), cols)
        else:
            # one row picked by the mask and a repeated column, or several rows and one column
            mask = [False] * 3 if len(rows) > 1 else [bool(b) for b in rng.integers(0, 2, size=3)]
            mask[int(rng.integers(0, 3))] = True
            key = (mask, [cols[0]] * (len(rows) if sum(mask) == 1 else 1))
        steps.append((key, rng.choice(["set", "add", "mul"]), int(rng.integers(0, 12)),
                      float(rng.uniform(0.5, 2.0))))

    def program(np, x):
        y = np.reshape(x * 1.0, (3, 4))
        for key, op, start, scale in steps:
            k = tuple(np.asarray(k) if isinstance(k, list) else k for k in key)
            shape = y[k].shape
            size = int(numpy.prod(shape))
            source = np.reshape(np.concatenate([x, x, x])[start:start + size], shape)
            if op == "set":
                y[k] = np.sin(source) * scale
            elif op == "add":
                y[k] += source * scale
            else:
                y[k] *= source + scale
        return np.sum(y ** 2 * np.reshape(np.arange(12.0), (3, 4)))
    program.steps = steps
    return program


@pytest.mark.parametrize("seed", range(6))
def test_random_update_programs_with_repeats_match_central_differences(any_backend, seed):
    """Bounded: 150 programs on NumPy (as many as in the report that found the bug), 18 on each
    other backend (they share NumPy's programs' first few: the rules are the same code)."""
    rng = numpy.random.default_rng(seed)
    x = numpy.linspace(-0.9, 1.1, 12)
    for _ in range(25 if any_backend.name == "numpy" else 3):
        program = _random_program(rng)
        if any_backend.name == "dask" and any(
                isinstance(k[0], list) and isinstance(k[0][0], bool) for k, *_ in program.steps):
            continue   # dask: masks beside other indices depend on values (documented)
        try:
            check_program(program, x, any_backend.name)
        except AssertionError as exc:
            raise AssertionError(f"steps {program.steps}: {exc}") from None


# -- views: a write through one reaches its base, and the base's other views ------------------
def _write_through_view(np, x):
    y = x * 1.0
    z = y[1:]
    z[0] = 9.0
    return np.sum(y * x)


def _write_traced_through_view(np, x):
    y = x * 1.0
    z = y[1:]
    z[0] = x[0] * x[2]
    return np.sum(y * x)


def _base_write_seen_by_view(np, x):
    y = x * 2.0
    z = y[1:]
    y[1] = 5.0 * x[0]
    return np.sum(z * x[1:])


def _sibling_views(np, x):
    y = x * 1.0
    a, b = y[:2], y[1:]
    a[1] = np.sin(x[0])
    return np.sum(b ** 2) + np.sum(a)


def _inplace_operator_on_view(np, x):
    y = x * 1.0
    z = y[:2]
    z += x[1:]
    z *= x[:2]
    return np.sum(y ** 2)


def _view_of_view(np, x):
    y = x * 1.0
    w = y[1:][::-1]
    w[0] = x[0] * 3.0
    y[1:][0] = x[2]
    return np.sum(y * np.asarray([1.0, 2.0, 3.0])) + np.sum(w)


def _row_of_matrix(np, x):
    A = np.reshape(x * 1.0, (1, 3)) * np.ones((2, 1))
    row = A[1]
    row[1:] = x[:2] ** 2
    col = A[:, 0]
    col += 1.0
    return np.sum(A ** 2)


def _view_with_newaxis_and_ellipsis(np, x):
    y = x * 1.0
    z = y[None, 1:, ...]
    z[0, 1] = x[0] * 2.0
    return np.sum(y ** 2)


def _write_through_reshape_and_transpose(np, x):
    y = x * 1.0
    z = np.reshape(y, (3, 1))
    z[1, 0] = x[0] * 5.0
    t = z.T
    t[0, 2] = 1.0
    t *= x
    return np.sum(y * x)


def _base_write_seen_by_reshape(np, x):
    y = x * 1.0
    z = np.expand_dims(y, 0)
    w = np.swapaxes(z, 0, 1)[1:]
    y[1] = x[2] ** 2
    return np.sum(z ** 2 * x) + np.sum(w * x[:2])


def _write_through_flip(np, x):
    y = x * 1.0
    f = np.flip(y)
    f[0] = x[1] * 4.0
    return np.sum(y * x) + np.sum(f[1:] ** 2)


VIEWS = [_write_through_flip, _write_through_view, _write_traced_through_view,
         _base_write_seen_by_view,
         _sibling_views, _inplace_operator_on_view, _view_of_view, _row_of_matrix,
         _view_with_newaxis_and_ellipsis, _write_through_reshape_and_transpose,
         _base_write_seen_by_reshape]


@pytest.mark.parametrize("program", VIEWS, ids=lambda p: p.__name__.strip("_"))
def test_write_through_a_view_means_what_numpy_means_in_every_mode(any_backend, program):
    check_program(program, numpy.array([1.0, 2.0, 3.0]), any_backend.name)


def test_issue_example_of_a_write_through_a_view(numpy_backend):
    v, g = pg.value_and_grad(lambda x: _write_through_view(pnp, x))(pnp.asarray([1.0, 2.0, 3.0]))
    assert float(v) == 28.0 and g.tolist() == [2.0, 9.0, 6.0]


def test_integer_and_mask_indexing_copy_as_in_numpy(any_backend):
    if any_backend.name == "dask":
        pytest.skip("dask: boolean-mask indexing depends on values (documented)")
    y = pnp.asarray([1.0, 2.0, 3.0])
    a, b, c = y[[0, 1]], y[pnp.asarray([True, False, True])], y[0]
    a[0], b[0] = 7.0, 8.0
    c += 1.0
    assert y.tolist() == [1.0, 2.0, 3.0]


def test_real_and_imag_are_new_arrays_on_every_backend(any_backend):
    z, y = pnp.asarray([1 + 2j, 3 + 4j]), pnp.asarray([1.0, 2.0])
    r, i, s = pnp.real(z), pnp.imag(z), pnp.real(y)
    r[0], i[0], s[0] = 9.0, 9.0, 9.0
    assert z.tolist() == [1 + 2j, 3 + 4j] and y.tolist() == [1.0, 2.0]


def test_one_integer_per_axis_gives_a_copy_as_in_numpy(any_backend):
    y, A = pnp.asarray([1.0, 2.0]), pnp.asarray([[1.0, 2.0]])
    z, w = y[0], A[0, 1]
    z[...] = 9.0
    w[()] = 7.0
    assert y.tolist() == [1.0, 2.0] and A.tolist() == [[1.0, 2.0]] and float(z) == 9.0


@pytest.mark.parametrize("program", [_write_traced_through_view, _assign_repeated,
                                     _write_through_reshape_and_transpose],
                         ids=lambda p: p.__name__.strip("_"))
def test_jit_of_updates_and_views_matches_eager(any_backend, program):
    f = lambda x: program(pnp, x)   # noqa: E731
    x = numpy.array([1.0, 2.0, 3.0]) if program is not _assign_repeated else numpy.ones(2)
    expected_value, expected_grad = float(f(pnp.asarray(x))), pg.grad(f)(pnp.asarray(x))
    assert abs(float(pg.jit(f)(pnp.asarray(x))) - expected_value) < 1e-9
    numpy.testing.assert_allclose(pg.jit(pg.grad(f))(pnp.asarray(x)).asnumpy(),
                                  expected_grad.asnumpy(), rtol=1e-9)
