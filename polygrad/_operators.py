"""The differential operators: grad, value_and_grad, vjp, jvp, jacobian, hessian, hvp, ...

Imports util, array, convert, trace, the core operations (``_ops``), batching (``vmap``, for
the Jacobians), reverse and forward.
"""

from __future__ import annotations

import functools
import gc
import os
from collections.abc import Callable, Sequence
from typing import Any

from . import _ops
from ._array import Array, native_of
from ._batching import vmap
from ._backend import use_backend
from . import _convert
from ._convert import asarray
from ._forward import ForwardTrace
from ._reverse import ReverseTrace, Unit, backward_pass, new_leaf
from ._trace import MixedBackendError, trace_scope
from ._args import (check_argnum, check_callable, describe_input, diff_leaf, leaf_path,
                    shape_tree)
from ._util import describe, tree_flatten, tree_map, tree_unflatten

__all__ = ["grad", "value_and_grad", "grad_and_loss", "elementwise_grad", "vjp", "jvp",
           "jacobian", "jacrev", "jacfwd", "hessian", "hvp"]


# While one gradient is computed its graph is alive: thousands of small tape objects, which
# survive the collector's young generations and so trigger full collections, each a scan of
# every object in the process (in one holding torch and JAX, ~300,000: tens of ms, a third of
# the time of a 2,000-op gradient). The graph makes no reference cycles (tests/test_leaks.py),
# so the cyclic collector has nothing of polygrad's to find: grad pauses it for the call and
# resumes it after, when the graph is gone. POLYGRAD_GC_PAUSE=0 turns this off.
_GC_PAUSE = os.environ.get("POLYGRAD_GC_PAUSE", "1") != "0"


def _gc_paused(call: Callable) -> Callable:
    """``call`` with the cyclic garbage collector paused (if it was running) while it runs."""
    if not _GC_PAUSE:
        return call

    @functools.wraps(call)
    def paused(*args: Any, **kwargs: Any) -> Any:
        if not gc.isenabled():   # paused already: by an outer grad, another thread or the user
            return call(*args, **kwargs)
        gc.disable()
        try:
            return call(*args, **kwargs)
        finally:
            gc.enable()
    return paused


class _Reverse:
    """One reverse-mode linearization of a function at some arguments."""

    def __init__(self, fname: str, fun: Callable, args: Sequence, kwargs: dict,
                 argnums: Sequence[int], post: Callable | None = None) -> None:
        check_callable(fname, fun)
        self.trace = trace = ReverseTrace()
        args = list(args)
        self.inputs = []
        with trace_scope(trace):
            for n in argnums:
                a = args[n]
                if type(a) is Array:   # the usual case: one array (or an outer grad's tracer)
                    a = diff_leaf(a, fname, (fun, n, a, 0))
                    node = new_leaf()
                    args[n] = Array(a, a._backend, trace, node)
                    self.inputs.append((None, [a], [node]))
                    continue
                leaves, structure = tree_flatten(a)
                arrays = [diff_leaf(leaf, fname, (fun, n, args[n], k))
                          for k, leaf in enumerate(leaves)]
                nodes = [new_leaf() for _ in arrays]
                args[n] = tree_unflatten(structure, [
                    Array(a, a._backend, trace, node) for a, node in zip(arrays, nodes)])
                self.inputs.append((structure, arrays, nodes))
            out = fun(*args, **kwargs)
            if post is not None:
                out = post(out)
        self.out = out

    def value(self, tree: Any) -> Any:
        trace = self.trace
        if type(tree) is Array:
            return tree._v if tree._trace is trace else tree
        return tree_map(lambda x: x._v if type(x) is Array and x._trace is trace else x, tree)

    def pull(self, cotangents: list[tuple[Any, Any]], retain: bool) -> list:
        """Cotangents [(output array, its cotangent)] -> per-argnum gradient trees."""
        trace = self.trace
        ends = [(o._aux, g) for o, g in cotangents if type(o) is Array and o._trace is trace]
        leaves = backward_pass(ends, retain) if ends else {}
        grads = []
        for structure, arrays, nodes in self.inputs:
            if structure is None:
                grads.append(_finish(leaves.get(nodes[0]), arrays[0]))
                continue
            grads.append(tree_unflatten(structure, [
                _finish(leaves.get(node), a) for a, node in zip(arrays, nodes)]))
        return grads


def _finish(g: Any, x: Array) -> Array:
    if g is None:
        return _ops.zeros_like(x)
    if native_of(g).dtype is not native_of(x).dtype and g.dtype != x.dtype:
        # (Array's own methods: the cast of a cotangent to its input's dtype, rare)
        if g.dtype.kind == "c" and x.dtype.kind != "c":   # a real input: the real part
            g = g.real
        g = g.astype(x.dtype)
    return g


def _check_holomorphic_inputs(fname: str, rev: _Reverse) -> None:
    """``holomorphic=True`` differentiates with respect to complex inputs only (as JAX)."""
    for _, arrays, _ in rev.inputs:
        for a in arrays:
            if a.dtype.kind != "c":
                raise TypeError(
                    f"polygrad.{fname}: holomorphic=True needs complex inputs, got an input of "
                    f"dtype {a.dtype}; pass a complex array (e.g. np.astype(x, np.complex128)), "
                    f"or leave holomorphic out for a real input")


def _check_holomorphic_outputs(fname: str, leaves: Sequence) -> None:
    for o in leaves:
        if type(o) is Array and o.dtype.kind != "c":
            raise TypeError(
                f"polygrad.{fname}: holomorphic=True needs a function with complex outputs, got "
                f"dtype {o.dtype}; leave holomorphic out for a real-valued function")


def _scalar_output(fname: str, holomorphic: bool = False) -> Callable:
    def post(out: Any) -> Any:
        if type(out) is not Array:
            if isinstance(out, (int, float)) and not isinstance(out, bool):
                return out
            hint = ("; if it returns (output, aux), pass has_aux=True" if
                    isinstance(out, (tuple, list)) and len(out) == 2 else
                    "; for several outputs use pg.vjp or pg.jacobian")
            raise TypeError(f"polygrad.{fname}: the function must return an Array or a float, "
                            f"got {describe(out)}{hint}")
        dtype = out.dtype
        if holomorphic:   # checked after the inputs; seeded with ones, vjp(1) = f'(z)
            return out
        if dtype.kind == "c":
            raise TypeError(
                f"polygrad.{fname}: the function returned a complex array (dtype {out.dtype}); "
                f"a gradient needs a real-valued output, because a complex output has two real "
                f"components and so no single gradient. Differentiate a real function of it, "
                f"e.g. np.abs(out) ** 2 or np.real(out), pass holomorphic=True for a "
                f"holomorphic function (the complex derivative), or use pg.vjp(fun, x) and give "
                f"vjp_fn a complex cotangent")
        if not dtype.is_floating:
            raise TypeError(f"polygrad.{fname}: the function returned an array of dtype "
                            f"{dtype}, which has no derivative; return a floating array")
        return out   # a non-scalar output is summed by seeding the backward pass with ones
    return post


def value_and_grad(fun: Callable, argnum: int | Sequence[int] = 0, has_aux: bool = False,
                   holomorphic: bool = False) -> Callable:
    """Return a function computing ``(value, gradient)`` of ``fun``.

    ``argnum`` an int gives one gradient, a list/tuple a tuple of gradients in that order. A
    non-scalar output is summed first. With ``has_aux`` ``fun`` returns ``(out, aux)`` and the
    result is ``((value, aux), gradient)``. ``holomorphic=True`` is as in ``grad``.

    Examples
    --------
    >>> import polygrad as pg
    >>> v, g = pg.value_and_grad(lambda x: x ** 3)(2.0)
    >>> float(v), float(g)
    (8.0, 12.0)
    """
    return _value_and_grad(fun, argnum, has_aux, "value_and_grad", holomorphic)


def _value_and_grad(fun: Callable, argnum: Any, has_aux: bool, fname: str,
                    holomorphic: bool = False) -> Callable:
    check_callable(fname, fun)

    checked: dict[int, tuple[int, ...]] = {}   # argument count -> argnums, checked once
    scalar_output = _scalar_output(fname, holomorphic)

    @functools.wraps(fun)
    def value_and_grad_fun(*args: Any, **kwargs: Any) -> Any:
        argnums = checked.get(len(args))
        if argnums is None:
            argnums = checked[len(args)] = check_argnum(fname, argnum, len(args))
        post = scalar_output
        aux_box: list = []
        if has_aux:
            def post(out, _post=post):  # noqa: F811
                if not isinstance(out, (tuple, list)) or len(out) != 2:
                    raise TypeError(f"polygrad.{fname}: with has_aux=True the function must "
                                    f"return a pair (output, aux), got {describe(out)}")
                aux_box.append(out[1])
                return _post(out[0])
        rev = _Reverse(fname, fun, args, kwargs, argnums, post)
        if holomorphic:
            _check_holomorphic_inputs(fname, rev)
            _check_holomorphic_outputs(fname, [rev.out])
        out = rev.out
        value = rev.value(out)
        # d sum(out) / d out is ones: seeding with ones sums a non-scalar output for free
        # (made by the backward pass only where a rule needs it)
        grads = rev.pull([(out, Unit(value) if type(out) is Array else None)], retain=False)
        if fname != "grad" and type(value) is Array and value.ndim:
            value = _ops.sum(value, None)
        if has_aux:
            value = (value, rev.value(aux_box[0]))
        return value, (grads[0] if isinstance(argnum, int) else tuple(grads))
    return _gc_paused(value_and_grad_fun)


def grad(fun: Callable, argnum: int | Sequence[int] = 0, has_aux: bool = False,
         holomorphic: bool = False) -> Callable:
    """Return a function computing the gradient of ``fun`` with respect to argument ``argnum``.

    ``holomorphic=True`` (JAX's option) is for a holomorphic ``fun`` of complex inputs with a
    complex output: the result is the complex derivative ``f'(z)`` (a non-scalar output is
    summed first); real inputs or a real output are an error. Without it the output must be
    real and a complex input gets JAX's convention, ``∂f/∂x − i ∂f/∂y``.

    Examples
    --------
    >>> import polygrad as pg
    >>> float(pg.grad(lambda x: x ** 2)(4.0))
    8.0
    >>> float(pg.grad(pg.grad(lambda x: x ** 3))(2.0))
    12.0
    >>> [float(g) for g in pg.grad(lambda a, b, c: 3 * a + b ** 2 - c, argnum=[0, 1, 2])(2, 3, 4)]
    [3.0, 6.0, -1.0]
    >>> complex(pg.grad(lambda z: z ** 2, holomorphic=True)(1.0 + 2.0j))
    (2+4j)
    """
    vg = _value_and_grad(fun, argnum, has_aux, "grad", holomorphic)

    @functools.wraps(fun)
    def grad_fun(*args: Any, **kwargs: Any) -> Any:
        value, g = vg(*args, **kwargs)
        return (g, value[1]) if has_aux else g
    return grad_fun


elementwise_grad = grad


def grad_and_loss(fun: Callable, argnum: int | Sequence[int] = 0) -> Callable:
    """MinPy's name and order: a function returning ``(gradient, loss)``.

    Examples
    --------
    >>> import polygrad as pg
    >>> g, loss = pg.grad_and_loss(lambda x: x ** 2)(3.0)
    >>> float(g), float(loss)
    (6.0, 9.0)
    """
    vg = _value_and_grad(fun, argnum, False, "grad_and_loss")

    @functools.wraps(fun)
    def grad_and_loss_fun(*args: Any, **kwargs: Any) -> Any:
        value, g = vg(*args, **kwargs)
        return g, value
    return grad_and_loss_fun


def vjp(fun: Callable, *primals: Any) -> tuple[Any, Callable]:
    """Evaluate ``fun(*primals)`` and return ``(out, vjp_fn)``; ``vjp_fn(g)`` gives one cotangent
    per primal (a tuple), mirroring their structure. ``vjp_fn`` may be called repeatedly.

    Examples
    --------
    >>> import polygrad as pg, polygrad.numpy as np
    >>> out, f_vjp = pg.vjp(np.sin, 0.0)
    >>> float(f_vjp(np.asarray(2.0))[0])
    2.0
    """
    rev = _Reverse("vjp", fun, primals, {}, range(len(primals)))
    out_leaves, out_structure = tree_flatten(rev.out)

    def vjp_fn(g: Any) -> tuple:
        g_leaves, g_structure = tree_flatten(g)
        if g_structure != out_structure:
            raise ValueError(f"polygrad.vjp: vjp_fn(g) needs g structured like the output, "
                             f"{shape_tree(rev.value(rev.out))}; got {shape_tree(g)}")
        pairs = []
        for k, (o, c) in enumerate(zip(out_leaves, g_leaves)):
            if type(o) is Array:
                if type(c) is not Array:
                    with use_backend(o._backend):   # host data goes where the output lives
                        c = asarray(c)
                _check_cotangent(c, o, rev, k)
            pairs.append((o, c))
        return tuple(rev.pull(pairs, retain=True))
    return rev.value(rev.out), vjp_fn


def _check_cotangent(c: Array, o: Array, rev: _Reverse, k: int) -> None:
    if c._backend is o._backend and c.shape == o.shape:
        return
    node = o._aux if o._trace is rev.trace else None
    what = "the output" + (f" at {leaf_path(rev.out, k)}" if leaf_path(rev.out, k) else "")
    if node is not None and node.prim is not None:
        what += f" (made by {node.prim.name})"
    if c._backend is not o._backend:
        raise MixedBackendError(f"polygrad.vjp: the cotangent lives on {c._backend.spec!r} but "
                                f"{what} on {o._backend.spec!r}; move it with "
                                f"Array.to_backend({o._backend.spec!r})")
    raise ValueError(f"polygrad.vjp: the cotangent has shape {c.shape} but {what} has shape "
                     f"{o.shape}; vjp_fn needs a cotangent of the output's shape")


def jvp(fun: Callable, primals: Sequence, tangents: Sequence) -> tuple[Any, Any]:
    """Forward mode: ``(fun(*primals), J·tangents)``.

    Examples
    --------
    >>> import polygrad as pg, polygrad.numpy as np
    >>> out, t = pg.jvp(np.sin, (0.0,), (3.0,))
    >>> float(out), float(t)
    (0.0, 3.0)
    """
    check_callable("jvp", fun)
    for name, value in (("primals", primals), ("tangents", tangents)):
        if not isinstance(value, (tuple, list)):
            raise TypeError(f"polygrad.jvp: {name} must be a tuple or list with one entry per "
                            f"argument of the function, e.g. jvp(f, (x,), (t,)); got "
                            f"{describe(value)}")
    p_leaves, structure = tree_flatten(tuple(primals))
    t_leaves, t_structure = tree_flatten(tuple(tangents))
    if structure != t_structure:
        raise ValueError(f"polygrad.jvp: tangents must have the same structure as primals, "
                         f"{shape_tree(tuple(primals))}; got {shape_tree(tuple(tangents))}")
    trace = ForwardTrace()
    with trace_scope(trace):
        boxes = []
        for k, (p, t) in enumerate(zip(p_leaves, t_leaves)):
            p = diff_leaf(p, "jvp", (fun, None, tuple(primals), k))
            if type(t) is not Array:
                with use_backend(p._backend):   # host data goes where the primal lives
                    # host data (numbers, NumPy arrays) takes the primal's dtype; a library's
                    # array (a torch tensor, a JAX array) keeps its own, checked below
                    host = _convert._owner(t) is None
                    t = asarray(t, dtype=p.dtype if host else None)
            if t.dtype != p.dtype:
                raise TypeError(
                    f"polygrad.jvp: the tangent for "
                    f"{describe_input((fun, None, tuple(primals), k))} has dtype {t.dtype}, but "
                    f"expected {p.dtype}, the dtype of its primal (as in JAX, a tangent has its "
                    f"primal's dtype); pass t.astype(np.{p.dtype}) or "
                    f"np.asarray(t, dtype=np.{p.dtype})")
            if t._backend is not p._backend:
                which = describe_input((fun, None, tuple(primals), k))
                raise MixedBackendError(
                    f"polygrad.jvp: the tangent for {which} lives "
                    f"on {t._backend.spec!r} but its primal on {p._backend.spec!r}; move it with "
                    f"Array.to_backend({p._backend.spec!r})")
            if t.shape != p.shape:
                raise ValueError(f"polygrad.jvp: a tangent has shape {t.shape} but its primal "
                                 f"({describe_input((fun, None, tuple(primals), k))}) has "
                                 f"shape {p.shape}")
            boxes.append(Array(p, p._backend, trace, t))
        out = fun(*tree_unflatten(structure, boxes))

    def primal(x):
        return x._v if type(x) is Array and x._trace is trace else x

    def tangent(x):
        if type(x) is Array and x._trace is trace:
            return x._aux
        return _ops.zeros_like(x) if type(x) is Array else 0.0
    return tree_map(primal, out), tree_map(tangent, out)


def jacobian(fun: Callable, argnum: int | Sequence[int] = 0, holomorphic: bool = False
             ) -> Callable:
    """Return a function computing the dense Jacobian, of shape ``out.shape + x.shape``.

    As JAX's ``jacrev``: ``argnum`` a list/tuple gives a tuple with one Jacobian per argument;
    an argument that is a list, tuple or dict of arrays gives Jacobians in that structure; a
    function returning such a structure gives one entry per output, each holding the
    Jacobians with respect to the arguments (``{"a": (da/dx, da/dy), ...}``).

    The mode follows JAX's advice: reverse (:func:`jacrev`, one batched VJP over the rows) when
    the outputs have no more elements than the inputs, else forward (:func:`jacfwd`, one batched
    JVP over the columns; the function then runs once more).
    ``holomorphic=True`` (JAX's option) checks that ``fun`` has complex inputs and outputs and
    gives the complex Jacobian ``∂f_i/∂z_j`` of a holomorphic ``fun``. A complex output without
    it gives the same numbers (each row is the VJP of a unit cotangent), which are the complex
    Jacobian only when ``fun`` is holomorphic.

    Examples
    --------
    >>> import polygrad as pg, polygrad.numpy as np
    >>> pg.jacobian(lambda x: x ** 2)(np.asarray([1.0, 2.0])).tolist()
    [[2.0, 0.0], [0.0, 4.0]]
    >>> jx, jy = pg.jacobian(lambda x, y: x * y, argnum=(0, 1))(np.asarray(2.0), 3.0)
    >>> float(jx), float(jy)
    (3.0, 2.0)
    """
    return _jacobian(fun, argnum, "jacobian", holomorphic, choose=not holomorphic)


def jacrev(fun: Callable, argnum: int | Sequence[int] = 0) -> Callable:
    """The Jacobian by reverse mode: ``vmap`` of the VJP over the rows (the output's elements).

    Results and structures as :func:`jacobian`; the better mode for wide Jacobians (few outputs).

    Examples
    --------
    >>> import polygrad as pg, polygrad.numpy as np
    >>> pg.jacrev(lambda x: np.sum(x) * x)(np.asarray([1.0, 2.0])).tolist()
    [[4.0, 1.0], [2.0, 5.0]]
    """
    return _jacobian(fun, argnum, "jacrev")


def jacfwd(fun: Callable, argnum: int | Sequence[int] = 0) -> Callable:
    """The Jacobian by forward mode: ``vmap`` of the JVP over the columns (the input's elements).

    Results and structures as :func:`jacobian`; the better mode for tall Jacobians (few inputs).

    Examples
    --------
    >>> import polygrad as pg, polygrad.numpy as np
    >>> pg.jacfwd(lambda x: np.sum(x) * x)(np.asarray([1.0, 2.0])).tolist()
    [[4.0, 1.0], [2.0, 5.0]]
    """
    return _jacfwd(fun, argnum, "jacfwd")


def _jacobian(fun: Callable, argnum: Any, fname: str, holomorphic: bool = False,
              choose: bool = False) -> Callable:
    check_callable(fname, fun)

    @functools.wraps(fun)
    def jacobian_fun(*args: Any, **kwargs: Any) -> Any:
        nums = check_argnum(fname, argnum, len(args))
        rev = _Reverse(fname, fun, args, kwargs, nums)
        out_leaves, out_structure = tree_flatten(rev.out)
        for k, o in enumerate(out_leaves):
            if type(o) is not Array:
                where = leaf_path(rev.out, k)
                raise TypeError(f"polygrad.{fname}: the function must return an Array (or a "
                                f"list, tuple or dict of Arrays), got "
                                f"{describe(rev.value(o))}{' at ' + where if where else ''}")
        if holomorphic:
            _check_holomorphic_inputs(fname, rev)
            _check_holomorphic_outputs(fname, out_leaves)
        if choose:
            n_out = sum(rev.value(o).size for o in out_leaves)
            n_in = sum(a.size for _, arrays, _ in rev.inputs for a in arrays)
            if n_out > n_in:   # a tall Jacobian: forward mode, one batched JVP per input leaf
                return _jacfwd(fun, argnum, fname)(*args, **kwargs)
        per_output = [_jacobian_of_leaf(rev, o) for o in out_leaves]
        if isinstance(argnum, int):
            per_output = [j[0] for j in per_output]
        else:
            per_output = [tuple(j) for j in per_output]
        return tree_unflatten(out_structure, per_output)
    return _gc_paused(jacobian_fun)


def _jacobian_of_leaf(rev: _Reverse, out: Array) -> list:
    """The Jacobians of one output with respect to every argnum (trees like the arguments):
    the reverse pass once, batched (``vmap``) over the rows of the identity."""
    value = rev.value(out)
    size, shape = value.size, value.shape
    if size:
        basis = _ops.eye(value, size)
        rows = vmap(lambda e: rev.pull([(out, _ops.reshape(e, shape))], retain=True))(basis)
    jacobians = []
    for i, (structure, arrays, _) in enumerate(rev.inputs):
        leaves = []
        for j, x in enumerate(arrays):
            if size == 0:
                leaves.append(_ops.zeros(x, shape + x.shape))
                continue
            part = rows[i] if structure is None else tree_flatten(rows[i])[0][j]
            leaves.append(_ops.reshape(part, shape + x.shape))
        jacobians.append(leaves[0] if structure is None else
                         tree_unflatten(structure, leaves))
    return jacobians


def _jacfwd(fun: Callable, argnum: Any, fname: str) -> Callable:
    check_callable(fname, fun)

    @functools.wraps(fun)
    def jacfwd_fun(*args: Any, **kwargs: Any) -> Any:
        nums = check_argnum(fname, argnum, len(args))
        per_arg = []   # for each argnum: (structure, [per leaf: output tree of Jacobians])
        out_structure = None
        for n in nums:
            leaves, structure = tree_flatten(args[n])
            if structure is None:
                structure = None
            columns = []
            for j, leaf in enumerate(leaves):
                x = diff_leaf(leaf, fname, (fun, n, args[n], j))

                def along(v, n=n, j=j, leaves=leaves, structure=structure):
                    new = list(leaves)
                    new[j] = v
                    call = list(args)
                    call[n] = tree_unflatten(structure, new) if structure is not None else v
                    return fun(*call, **kwargs)

                def column(t, x=x, along=along):
                    return jvp(along, (x,), (_ops.reshape(t, x.shape),))[1]
                basis = _ops.eye(x, x.size)
                if x.size:
                    tangents = vmap(column, out_axes=-1)(basis)
                else:
                    tangents = jvp(along, (x,), (x,))[1]   # for the shapes: empty columns
                t_leaves, out_structure = tree_flatten(tangents)
                for k, t in enumerate(t_leaves):
                    if type(t) is not Array:
                        where = leaf_path(tangents, k)
                        raise TypeError(f"polygrad.{fname}: the function must return an Array "
                                        f"(or a list, tuple or dict of Arrays), got "
                                        f"{describe(t)}{' at ' + where if where else ''}")
                out_shapes = [t.shape[:-1] if x.size else t.shape for t in t_leaves]
                columns.append([_ops.reshape(t, s + x.shape) if x.size else
                                _ops.zeros(t, s + x.shape)
                                for t, s in zip(t_leaves, out_shapes)])
            per_arg.append((structure, columns))
        n_out = len(per_arg[0][1][0]) if per_arg and per_arg[0][1] else 0
        per_output = []
        for k in range(n_out):
            blocks = [columns[0][k] if structure is None else
                      tree_unflatten(structure, [c[k] for c in columns])
                      for structure, columns in per_arg]
            per_output.append(blocks[0] if isinstance(argnum, int) else tuple(blocks))
        return tree_unflatten(out_structure, per_output)
    return _gc_paused(jacfwd_fun)


def hessian(fun: Callable, argnum: int | Sequence[int] = 0, holomorphic: bool = False
            ) -> Callable:
    """Return a function computing the dense Hessian of a scalar ``fun``.

    As JAX's ``hessian``: with ``argnum`` a list/tuple the result is the nested tuple
    ``((H00, H01), (H10, H11))``, and an argument that is a list, tuple or dict gives blocks in
    that structure, nested twice (``{"a": {"a": H_aa, "b": H_ab}, ...}``). ``holomorphic=True``
    gives ``f''(z)`` of a holomorphic ``fun`` of complex inputs (see ``grad``).

    Examples
    --------
    >>> import polygrad as pg, polygrad.numpy as np
    >>> pg.hessian(lambda x: np.sum(x ** 3))(np.asarray([1.0, 2.0])).tolist()
    [[6.0, 0.0], [0.0, 12.0]]
    """
    check_callable("hessian", fun)
    vg = _value_and_grad(fun, argnum, False, "hessian", holomorphic)

    @functools.wraps(fun)
    def grad_fun(*args: Any, **kwargs: Any) -> Any:
        return vg(*args, **kwargs)[1]
    if holomorphic:   # the complex second derivative: reverse over reverse
        return _jacobian(grad_fun, argnum, "hessian", holomorphic)
    return _jacfwd(grad_fun, argnum, "hessian")   # forward over reverse, as JAX


def hvp(fun: Callable, argnum: int = 0) -> Callable:
    """Return ``hvp_fun(*args, v)``: the Hessian of ``fun`` at ``args`` times ``v``
    (forward-over-reverse, never forming the Hessian).

    Examples
    --------
    >>> import polygrad as pg, polygrad.numpy as np
    >>> f = lambda x: np.sum(x ** 3)
    >>> pg.hvp(f)(np.asarray([1.0, 2.0]), np.asarray([1.0, 1.0])).tolist()
    [6.0, 12.0]
    """
    check_callable("hvp", fun)
    g = grad(fun, argnum)

    @functools.wraps(fun)
    def hvp_fun(*args: Any) -> Any:
        *args, v = args
        (n,) = check_argnum("hvp", argnum, len(args))

        def along(x):
            return g(*args[:n], x, *args[n + 1:])
        return jvp(along, (args[n],), (v,))[1]
    return _gc_paused(hvp_fun)
