"""polygrad.tree: flatten / unflatten / map round trips, and ravel's vector and unravel against
NumPy values and finite differences (ravel is differentiable both ways), on every backend."""

from __future__ import annotations

import numpy
import pytest

import polygrad as pg
import polygrad.numpy as np
import polygrad.tree as tree
from polygrad.testing import check_grads


def test_flatten_gives_leaves_depth_first_and_unflatten_inverts_it():
    t = {"a": [1, (2, 3)], "b": None, "c": {"d": 4}}
    leaves, treedef = tree.flatten(t)
    assert leaves == [1, 2, 3, None, 4]
    assert treedef.num_leaves == 5
    assert tree.unflatten(treedef, leaves) == t
    assert tree.unflatten(treedef, [10, 20, 30, 40, 50]) == {"a": [10, (20, 30)], "b": 40,
                                                             "c": {"d": 50}}


def test_unflatten_rejects_a_wrong_number_of_leaves_naming_both_counts():
    _, treedef = tree.flatten((1, 2))
    with pytest.raises(ValueError, match="has 2 leaves, got 3"):
        tree.unflatten(treedef, [1, 2, 3])


def test_map_combines_several_trees_and_rejects_different_structures():
    assert tree.map(lambda a, b: a * b, [1, {"x": 2}], [3, {"x": 4}]) == [3, {"x": 8}]
    with pytest.raises(ValueError, match="tree 1 has the structure"):
        tree.map(lambda a, b: a, [1, 2], (1, 2))


def test_treedefs_compare_by_structure():
    assert tree.flatten({"a": 1, "b": [2]})[1] == tree.flatten({"a": 5, "b": [6]})[1]
    assert tree.flatten({"a": 1, "b": [2]})[1] != tree.flatten({"a": 1, "b": (2,)})[1]


def test_ravel_concatenates_leaves_and_unravel_restores_shapes_and_dtypes(backend):
    w = numpy.arange(6.0).reshape(2, 3)
    params = {"w": np.asarray(w), "b": np.asarray([7.0, 8.0]), "s": 9.0}
    v, unravel = tree.ravel(params)
    expected = numpy.concatenate([w.ravel(), [7.0, 8.0], [9.0]])   # dict insertion order
    numpy.testing.assert_allclose(v.asnumpy(), expected)
    back = unravel(v)
    assert set(back) == {"w", "b", "s"}
    assert back["w"].shape == (2, 3) and back["s"].shape == ()
    numpy.testing.assert_allclose(back["w"].asnumpy(), w)


def test_ravel_keeps_each_leafs_dtype_on_the_way_back():
    v, unravel = tree.ravel([np.asarray([1, 2], dtype=np.int32), np.asarray([0.5])])
    assert v.dtype == np.float64
    back = unravel(v)
    assert back[0].dtype == np.int32 and back[1].dtype == np.float64


def test_unravel_rejects_a_vector_of_the_wrong_length():
    _, unravel = tree.ravel({"a": np.zeros(3)})
    with pytest.raises(ValueError, match="expected a vector of length 3"):
        unravel(np.zeros(4))


def test_ravel_and_unravel_are_differentiable(numpy_backend):
    def through_ravel(a, b):
        v, _ = tree.ravel({"a": a, "b": b})
        return np.sum(np.sin(v) * np.arange(v.shape[0]))

    check_grads(through_ravel, modes=("fwd", "rev"), order=2)(np.asarray([[0.1, 0.2]]),
                                                              np.asarray([0.3, 0.4, 0.5]))
    _, unravel = tree.ravel({"a": np.zeros((2, 2)), "b": np.zeros(1)})

    def through_unravel(v):
        t = unravel(v)
        return np.sum(t["a"] @ t["a"]) * t["b"][0]

    check_grads(through_unravel, modes=("fwd", "rev"), order=2)(np.linspace(0.1, 0.5, 5))


def test_grad_of_a_function_of_the_raveled_vector_is_the_raveled_tree_gradient(numpy_backend):
    params = {"w": np.asarray([1.0, 2.0]), "b": np.asarray(0.5)}
    loss = lambda p: np.sum(p["w"] ** 2) * p["b"]
    v, unravel = tree.ravel(params)
    flat = pg.grad(lambda v: loss(unravel(v)))(v)
    tree_grad = pg.grad(loss)(params)
    numpy.testing.assert_allclose(flat.asnumpy(), tree.ravel(tree_grad)[0].asnumpy())


def test_python_numbers_in_a_tree_take_the_arrays_dtype_and_backend(backend):
    v, unravel = tree.ravel({"a": np.asarray([1.0], dtype=np.float64), "b": 0.4})
    assert v.dtype == np.float64 and v.backend == backend.name
    assert float(v[1]) == 0.4            # not 0.4 rounded to float32 first
    assert float(unravel(v)["b"]) == 0.4
