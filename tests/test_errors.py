"""Errors a user can act on: each names the function, the argument and what was expected.

That importing polygrad runs no third-party plugin code is covered by
``tests/test_backend_discovery.py::test_importing_polygrad_runs_no_plugin_code``.
"""

from __future__ import annotations

import numpy
import pytest

import polygrad as pg
import polygrad.numpy as np
from polygrad_backends.numpy_backend import NumpyBackend

pytestmark = pytest.mark.usefixtures("numpy_backend")


class _TwinBackend(NumpyBackend):
    """A second NumPy backend, so that one process holds arrays of two backends."""

    name = "numpy_errors_twin"


_twin = _TwinBackend()


def _on_twin(value):
    with pg.use_backend(_twin):
        return np.asarray(value)


# -- what is differentiated ----------------------------------------------------------------------
@pytest.mark.parametrize("make", [pg.grad, pg.value_and_grad, pg.grad_and_loss, pg.jacobian,
                                  pg.hessian, pg.hvp, pg.checkpoint, pg.elementwise_grad])
def test_a_non_callable_is_refused_when_the_operator_is_built(make):
    name = make.__name__
    with pytest.raises(TypeError, match=rf"polygrad\.{name}: expected a callable.*float 3\.0"):
        make(3.0)


def test_vjp_and_jvp_of_a_non_callable_are_refused():
    with pytest.raises(TypeError, match=r"polygrad\.vjp: expected a callable.*str 'f'"):
        pg.vjp("f", 1.0)
    with pytest.raises(TypeError, match=r"polygrad\.jvp: expected a callable"):
        pg.jvp(None, (1.0,), (1.0,))


@pytest.mark.parametrize("argnum,match", [
    (2, r"polygrad\.grad: argnum 2 is out of range for a call with 2 positional argument"),
    (-3, r"argnum -3 is out of range"),
    ((0, 0), r"polygrad\.grad: argnum \(0, 0\) names an argument twice"),
    ([1, -1], r"argnum \[1, -1\] names an argument twice"),
])
def test_argnum_out_of_range_or_repeated_is_a_value_error(argnum, match):
    with pytest.raises(ValueError, match=match):
        pg.grad(lambda a, b: a * b, argnum=argnum)(1.0, 2.0)


@pytest.mark.parametrize("argnum", [1.0, "0", None, (0, True)])
def test_argnum_of_the_wrong_type_is_a_type_error(argnum):
    with pytest.raises(TypeError, match=r"polygrad\.grad: argnum must be an int or a list/tuple"):
        pg.grad(lambda a, b: a * b, argnum=argnum)(1.0, 2.0)


def test_an_integer_argument_is_refused_naming_its_position_name_and_dtype():
    def loss(weights, labels):
        return np.sum(weights * labels)
    with pytest.raises(TypeError, match=r"polygrad\.grad: cannot differentiate with respect to "
                       r"argument 1 \(labels\), an array of dtype int64; derivatives need a "
                       r"floating dtype"):
        pg.grad(loss, argnum=1)(np.ones(2), np.asarray([1, 0]))


def test_an_integer_leaf_in_a_structure_is_refused_naming_where_it_is():
    def loss(params):
        return params["w"] * 2.0
    with pytest.raises(TypeError, match=r"argument 0 \(params\), at \['b'\]\[1\], an array of "
                       r"dtype bool"):
        pg.grad(loss)({"w": 1.0, "b": [2.0, np.asarray([True])]})


def test_a_non_array_argument_is_refused_saying_what_was_expected():
    with pytest.raises(TypeError, match=r"polygrad\.value_and_grad: cannot differentiate with "
                       r"respect to argument 0 \(x\), a str 'abc'; expected an Array, a native "
                       r"array or a Python float"):
        pg.value_and_grad(lambda x: x)("abc")


def test_jvp_primals_that_are_not_a_tuple_are_refused_with_an_example():
    with pytest.raises(TypeError, match=r"polygrad\.jvp: primals must be a tuple or list .*"
                       r"jvp\(f, \(x,\), \(t,\)\)"):
        pg.jvp(np.sin, np.ones(2), np.ones(2))


def test_jvp_integer_primal_is_refused_naming_the_argument():
    with pytest.raises(TypeError, match=r"polygrad\.jvp: .*argument 1 \(b\).*int64"):
        pg.jvp(lambda a, b: a * b, (1.0, np.asarray([1, 2])), (1.0, np.asarray([1, 1])))


# -- what the function returns --------------------------------------------------------------------
def test_a_complex_output_is_refused_giving_the_reason_and_the_fixes():
    with pytest.raises(TypeError) as info:
        pg.grad(lambda x: x * (1 + 2j))(1.0)
    message = str(info.value)
    assert message.startswith("polygrad.grad: the function returned a complex array")
    assert "two real components" in message                        # the reason
    assert "np.abs(out) ** 2" in message and "pg.vjp" in message   # the fixes


def test_the_fix_named_for_a_complex_output_works():
    f = lambda x: x * (1 + 2j)  # noqa: E731
    assert float(pg.grad(lambda x: np.abs(f(x)) ** 2)(1.0)) == pytest.approx(10.0)
    _, f_vjp = pg.vjp(f, 1.0)
    assert float(f_vjp(np.asarray(1 + 0j))[0]) == 1.0


def test_a_non_scalar_output_is_summed_not_refused():
    assert pg.grad(lambda x: x * 3.0)(np.ones(2)).tolist() == [3.0, 3.0]


def test_a_pair_returned_without_has_aux_suggests_has_aux():
    with pytest.raises(TypeError, match=r"got tuple of 2 \(Array of dtype float64 and shape "
                                        r"\(\), str 'aux'\); if it returns \(output, aux\), "
                                        r"pass has_aux=True"):
        pg.grad(lambda x: (x * 2.0, "aux"))(1.0)


def test_an_integer_output_is_refused_naming_its_dtype():
    with pytest.raises(TypeError, match=r"returned an array of dtype int64, which has no "
                       r"derivative"):
        pg.grad(lambda x: np.asarray([1, 2]))(1.0)


# -- head gradients --------------------------------------------------------------------------------
def test_a_vjp_cotangent_of_the_wrong_shape_names_the_primitive_and_both_shapes():
    _, f_vjp = pg.vjp(lambda x: np.sin(x) * 2.0, np.ones(3))
    with pytest.raises(ValueError, match=r"polygrad\.vjp: the cotangent has shape \(2,\) but "
                       r"the output \(made by multiply\) has shape \(3,\)"):
        f_vjp(np.ones(2))


def test_a_vjp_cotangent_of_a_structured_output_names_where_it_goes():
    _, f_vjp = pg.vjp(lambda x: (x * 2.0, [np.sin(x)]), np.ones(3))
    with pytest.raises(ValueError, match=r"the output at \[1\]\[0\] \(made by sin\) has shape"):
        f_vjp((np.ones(3), [np.ones(1)]))


def test_a_vjp_cotangent_of_the_wrong_structure_shows_both_structures():
    _, f_vjp = pg.vjp(lambda x: (x * 2.0, x), np.ones(3))
    with pytest.raises(ValueError, match=r"structured like the output, \(<shape \(3,\)>, "
                       r"<shape \(3,\)>\); got <shape \(3,\)>"):
        f_vjp(np.ones(3))


def test_a_vjp_cotangent_on_another_backend_is_a_mixed_backend_error():
    _, f_vjp = pg.vjp(np.sin, np.ones(2))
    with pytest.raises(pg.MixedBackendError, match=r"numpy_errors_twin:cpu.*numpy:cpu"):
        f_vjp(_on_twin([1.0, 1.0]))


def test_a_vjp_cotangent_given_as_host_data_goes_to_the_outputs_backend():
    with pg.use_backend(_twin):
        x = np.ones(2)
    _, f_vjp = pg.vjp(np.sin, x)
    (g,) = f_vjp(numpy.ones(2))    # the current backend is numpy; the output lives on the twin
    assert g.backend == "numpy_errors_twin"


def _leaf(values):
    x = np.asarray(values)
    x.attach_grad()
    return x


def test_a_tape_head_grad_of_the_wrong_shape_names_the_primitive_and_both_shapes():
    x = _leaf([1.0, 2.0])
    with pg.record():
        y = np.exp(x)
    with pytest.raises(ValueError, match=r"Array\.backward: head_grad has shape \(3,\) but this "
                       r"array \(the output of exp\) has shape \(2,\)"):
        y.backward(np.ones(3))


def test_a_tape_head_grad_on_another_backend_is_a_mixed_backend_error():
    x = _leaf([1.0, 2.0])
    with pg.record():
        y = np.exp(x)
    with pytest.raises(pg.MixedBackendError, match=r"head_grad lives on 'numpy_errors_twin:cpu' "
                       r"but this array \(the output of exp\) on 'numpy:cpu'"):
        y.backward(_on_twin([1.0, 1.0]))


def test_a_jvp_tangent_of_the_wrong_shape_names_the_argument():
    with pytest.raises(ValueError, match=r"a tangent has shape \(3,\) but its primal "
                       r"\(argument 0 \(x\)\) has shape \(2,\)"):
        pg.jvp(lambda x: np.sin(x), (np.ones(2),), (np.ones(3),))


def test_a_jvp_tangent_on_another_backend_is_a_mixed_backend_error():
    with pytest.raises(pg.MixedBackendError, match=r"polygrad\.jvp: the tangent for argument 0 "
                       r"\(x\) lives on 'numpy_errors_twin:cpu' but its primal on 'numpy:cpu'"):
        pg.jvp(np.sin, (np.ones(2),), (_on_twin([1.0, 1.0]),))


# -- backends --------------------------------------------------------------------------------------
def test_arrays_of_two_backends_name_both_and_the_way_out():
    with pytest.raises(pg.MixedBackendError) as info:
        np.ones(2) * _on_twin([1.0, 2.0])
    message = str(info.value)
    assert message.startswith("polygrad.numpy.multiply: its arguments live on two backends")
    assert "'numpy:cpu' and 'numpy_errors_twin:cpu'" in message
    assert "Array.to_backend('numpy:cpu')" in message


def test_arrays_of_two_backends_inside_grad_name_both():
    other = _on_twin([1.0, 2.0])
    with pytest.raises(pg.MixedBackendError, match=r"'numpy:cpu' and 'numpy_errors_twin:cpu'"):
        pg.grad(lambda x: np.sum(np.sin(x) * other))(np.ones(2))


def test_mixed_backends_name_linalg_and_indexing_functions_as_the_user_calls_them():
    with pytest.raises(pg.MixedBackendError, match=r"^polygrad\.numpy\.linalg\.solve:"):
        np.linalg.solve(np.eye(2), _on_twin([1.0, 2.0]))
    with pytest.raises(pg.MixedBackendError, match=r"^Array indexing \(x\[key\]\): an index "
                       r"array on 'numpy_errors_twin:cpu' is used on an array on 'numpy:cpu'"):
        np.ones(3)[_on_twin([0, 1])]


def test_assigning_a_value_from_another_backend_is_a_mixed_backend_error():
    x = np.zeros(3)
    with pytest.raises(pg.MixedBackendError, match=r"^Array\.__setitem__: the value lives on "
                       r"'numpy_errors_twin:cpu' but the array on 'numpy:cpu'"):
        x[0] = _on_twin(1.0)


@pytest.mark.parametrize("other", ["torch", "jax", "strict"])
def test_a_real_second_backend_does_not_mix_with_numpy(other):
    try:
        with pg.use_backend(other):
            b = np.ones(2)
    except pg.BackendUnavailable as exc:
        pytest.skip(f"backend {other} not installed/available: {exc}")
    with pytest.raises(pg.MixedBackendError, match=rf"'numpy:cpu' and '{other}:"):
        np.ones(2) + b


def test_an_unknown_backend_lists_the_installed_ones_and_suggests_a_close_match():
    with pytest.raises(pg.BackendUnavailable) as info:
        pg.set_backend("nmupy")
    message = str(info.value)
    assert "unknown backend 'nmupy'" in message
    assert "Did you mean 'numpy'?" in message
    assert "Installed backends:" in message and "numpy" in message.split("Installed")[1]
    assert pg.get_backend().name == "numpy"   # nothing changed


def test_an_unknown_backend_without_a_close_match_still_lists_the_installed_ones():
    with pytest.raises(pg.BackendUnavailable, match=r"unknown backend 'zzzz'\. Installed "
                       r"backends: .*numpy"):
        with pg.use_backend("zzzz"):
            pass


# -- the tape --------------------------------------------------------------------------------------
def test_backward_twice_without_retain_graph_says_how_to_keep_the_graph():
    x = _leaf([1.0, 2.0])
    with pg.record():
        y = np.sum(x * x)
    y.backward()
    with pytest.raises(pg.DifferentiationError, match=r"Array\.backward: the graph behind this "
                       r"array was freed by an earlier backward\(\); pass retain_graph=True"):
        y.backward()


def test_backward_of_an_unrecorded_array_says_to_record_it():
    with pytest.raises(pg.DifferentiationError, match=r"Array\.backward: this array was not "
                       r"computed inside pg\.record\(\)"):
        np.ones(2).backward()


def test_attach_grad_on_an_integer_array_names_the_dtype():
    with pytest.raises(TypeError, match=r"Array\.attach_grad: gradients need a floating dtype; "
                       r"this array has dtype int64"):
        np.asarray([1, 2]).attach_grad()


def test_every_message_above_starts_with_the_callable_the_user_called():
    # a spot check of the convention: "polygrad.<function>:" or "Array.<method>:"
    errors = []
    for thunk in (lambda: pg.grad(1), lambda: pg.jvp(np.sin, 1.0, 1.0),
                  lambda: pg.grad(lambda x: x * 1j)(1.0), lambda: np.ones(2).backward()):
        try:
            thunk()
        except Exception as exc:   # noqa: BLE001
            errors.append(str(exc))
    assert len(errors) == 4
    assert all(e.startswith(("polygrad.", "Array.")) for e in errors), errors


def test_a_value_is_never_left_half_computed_by_an_error():
    x = numpy.ones(2)
    with pytest.raises(TypeError):
        pg.grad(lambda a: (a, a))(x)
    assert pg.grad(lambda a: np.sum(a * 2.0))(x).tolist() == [2.0, 2.0]


# -- unclear failures made clear (issue 22, item 8) ------------------------------------------------
def _rule_returning(value):
    from polygrad.extend import defjvp, defvjp, primitive

    prim = primitive(f"errors_bad_rule_{len(pg.extend.primitives())}",
                     lambda xp: lambda x: x * x)
    defvjp(prim, lambda g, ans, x: value)
    defjvp(prim, lambda t, ans, x: value)
    return prim


@pytest.mark.parametrize("value", [numpy.ones(3), [1.0, 2.0, 3.0], "oops"],
                         ids=["ndarray", "list", "str"])
def test_a_rule_returning_a_non_array_names_the_primitive_what_it_returned_and_the_fix(value):
    prim = _rule_returning(value)
    with pytest.raises(pg.DifferentiationError) as info:
        pg.grad(lambda x: np.sum(prim(x)))(np.ones(3))
    message = str(info.value)
    assert prim.name in message and "VJP rule" in message and "argument 0" in message
    assert type(value).__name__ in message and "np.asarray" in message
    with pytest.raises(pg.DifferentiationError) as info:
        pg.jvp(prim, (np.ones(3),), (np.ones(3),))
    message = str(info.value)
    assert prim.name in message and "JVP rule" in message and type(value).__name__ in message


def test_hessian_errors_name_hessian_not_jacobian():
    with pytest.raises(TypeError, match=r"^polygrad\.hessian: .*function must return"):
        pg.hessian(lambda x: "a")(np.ones(2))
    with pytest.raises(ValueError, match=r"^polygrad\.hessian: argnum 3"):
        pg.hessian(lambda x: np.sum(x), argnum=3)(np.ones(2))
    with pytest.raises(TypeError, match=r"^polygrad\.hessian: cannot differentiate"):
        pg.hessian(lambda x: np.sum(x))(np.asarray([1, 2]))


def test_jacobian_of_a_non_array_output_names_where_it_is():
    with pytest.raises(TypeError, match=r"polygrad\.jacobian: .*got str 'no' at \['b'\]"):
        pg.jacobian(lambda x: {"a": x, "b": "no"})(np.ones(2))


def test_jacobian_and_hessian_accept_several_argnums_and_dicts():
    jx, jy = pg.jacobian(lambda x, y: x * y, argnum=(0, 1))(np.asarray(2.0), np.asarray(3.0))
    assert (float(jx), float(jy)) == (3.0, 2.0)
    jd = pg.jacobian(lambda d: d["a"] * 2)({"a": np.ones(2)})
    assert jd["a"].tolist() == [[2.0, 0.0], [0.0, 2.0]]
    (hxx, hxy), (hyx, hyy) = pg.hessian(lambda x, y: x * x * y, argnum=(0, 1))(
        np.asarray(2.0), np.asarray(3.0))
    assert [float(h) for h in (hxx, hxy, hyx, hyy)] == [6.0, 4.0, 4.0, 0.0]
