"""docs/migration.md's table of every public autograd name: each polygrad name it gives exists,
each row's function runs once (a smoke call), and the rows without an equivalent are exactly the
ones listed here (so a new gap, or a filled one, shows up)."""

from __future__ import annotations

import builtins
import importlib
import pathlib
import re

import numpy
import pytest

import polygrad as pg
import polygrad.numpy as np

DOC = pathlib.Path(__file__).resolve().parent.parent / "docs" / "migration.md"
NOT_YET = {"autograd.scipy.special.jn", "autograd.scipy.stats.multivariate_normal.entropy",
           "autograd.scipy.stats.dirichlet.rvs", "autograd.scipy.linalg.solve_banded"}


def _rows() -> list[tuple[str, str]]:
    text = DOC.read_text(encoding="utf-8")
    table = text.split("<!-- migration-table -->")[1].split("<!-- end-migration-table -->")[0]
    rows = []
    for line in table.strip().splitlines()[2:]:
        left, right = line.strip("|").split("|", 1)
        theirs = re.findall(r"`([^`]+)`", left)[0]
        ours = re.findall(r"`([^`]+)`", right)
        missing = right.strip().startswith("(not yet")
        rows.append((theirs, "" if missing else ours[0]))
    return rows


def _resolve(dotted: str):
    if dotted.startswith("builtins."):
        return getattr(builtins, dotted.split(".", 1)[1])
    parts = dotted.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for attr in parts[i:]:
            obj = getattr(obj, attr)
        return obj
    raise ImportError(dotted)


ROWS = _rows()


def test_the_table_names_every_autograd_operator():
    names = {theirs for theirs, _ in ROWS}
    for name in ("grad", "elementwise_grad", "value_and_grad", "grad_and_aux", "hessian",
                 "hessian_tensor_product", "hessian_vector_product", "tensor_jacobian_product",
                 "vector_jacobian_product", "jacobian", "make_vjp", "make_jvp", "make_hvp",
                 "make_ggnvp", "deriv", "holomorphic_grad", "checkpoint", "grad_named",
                 "multigrad_dict", "primitive"):
        assert f"autograd.{name}" in names
    assert {theirs for theirs, ours in ROWS if not ours} == NOT_YET


@pytest.mark.parametrize("theirs, ours", [r for r in ROWS if r[1]], ids=[r[0] for r in ROWS
                                                                          if r[1]])
def test_each_polygrad_name_exists(theirs, ours):
    assert _resolve(ours) is not None


X = numpy.array([0.3, 1.2])
V = numpy.array([1.0, -0.5])


def f(x, y=2.0):
    return np.sum(np.sin(x) * y)


def _fd(fun, x, v, eps=1e-6):
    return (fun(x + eps * v) - fun(x - eps * v)) / (2 * eps)


SMOKE = {
    "polygrad.autograd.grad_and_aux": lambda op: op(lambda x: (f(x), "aux"))(np.asarray(X)),
    "polygrad.autograd.hessian_tensor_product": lambda op: op(f)(np.asarray(X), np.asarray(V)),
    "polygrad.autograd.hessian_vector_product": lambda op: op(f)(np.asarray(X), np.asarray(V)),
    "polygrad.autograd.tensor_jacobian_product": lambda op: op(np.sin)(np.asarray(X),
                                                                       np.asarray(V)),
    "polygrad.autograd.vector_jacobian_product": lambda op: op(np.sin)(np.asarray(X),
                                                                       np.asarray(V)),
    "polygrad.autograd.make_vjp": lambda op: op(np.sin)(np.asarray(X))[0](np.asarray(V)),
    "polygrad.autograd.make_jvp": lambda op: op(np.sin)(np.asarray(X))(np.asarray(V))[1],
    "polygrad.autograd.make_hvp": lambda op: op(f)(np.asarray(X))[0](np.asarray(V)),
    "polygrad.autograd.make_ggnvp": lambda op: op(np.sin)(np.asarray(X))(np.asarray(V)),
    "polygrad.autograd.deriv": lambda op: op(np.sin)(np.asarray(X)),
    "polygrad.autograd.holomorphic_grad": lambda op: op(lambda z: z ** 2)(1.0 + 1.0j),
    "polygrad.autograd.grad_named": lambda op: op(f, "y")(np.asarray(X), 2.0),
    "polygrad.autograd.multigrad_dict": lambda op: op(f)(np.asarray(X), y=2.0),
    "polygrad.autograd.flatten_func": lambda op: pg.grad(op(lambda t: np.sum(t["a"] ** 2),
                                                            {"a": np.asarray(X)})[0])(
        np.asarray(X)),
}
EXPECTED = {
    "polygrad.autograd.grad_and_aux": None,
    "polygrad.autograd.hessian_tensor_product": -2.0 * numpy.sin(X) * V,
    "polygrad.autograd.hessian_vector_product": -2.0 * numpy.sin(X) * V,
    "polygrad.autograd.tensor_jacobian_product": numpy.cos(X) * V,
    "polygrad.autograd.vector_jacobian_product": numpy.cos(X) * V,
    "polygrad.autograd.make_vjp": numpy.cos(X) * V,
    "polygrad.autograd.make_jvp": numpy.cos(X) * V,
    "polygrad.autograd.make_hvp": -2.0 * numpy.sin(X) * V,
    # J^T J v for g = ½ Σ y², f = sin: cos² x · v
    "polygrad.autograd.make_ggnvp": numpy.cos(X) ** 2 * V,
    "polygrad.autograd.deriv": numpy.cos(X),
    "polygrad.autograd.holomorphic_grad": 2.0 + 2.0j,
    "polygrad.autograd.grad_named": numpy.sum(numpy.sin(X)),
    "polygrad.autograd.multigrad_dict": None,
    "polygrad.autograd.flatten_func": 2.0 * X,
}


@pytest.mark.parametrize("name", sorted(SMOKE))
def test_the_autograd_wrappers_give_autograds_numbers(numpy_backend, name):
    out = SMOKE[name](_resolve(name))
    if name == "polygrad.autograd.grad_and_aux":
        g, aux = out
        numpy.testing.assert_allclose(g.asnumpy(), 2.0 * numpy.cos(X))
        assert aux == "aux"
    elif name == "polygrad.autograd.multigrad_dict":
        assert set(out) == {"x", "y"}
        numpy.testing.assert_allclose(out["x"].asnumpy(), 2.0 * numpy.cos(X))
        numpy.testing.assert_allclose(float(out["y"]), numpy.sum(numpy.sin(X)))
    else:
        numpy.testing.assert_allclose(numpy.asarray(out), EXPECTED[name], rtol=1e-12)


def test_every_wrapper_row_has_a_smoke_call():
    wrappers = {ours for _, ours in ROWS if ours.startswith("polygrad.autograd.")}
    assert wrappers <= set(SMOKE)


def test_grad_named_names_a_missing_parameter():
    from polygrad.autograd import grad_named

    with pytest.raises(TypeError, match="grad_named: f has no parameter 'z'"):
        grad_named(f, "z")
