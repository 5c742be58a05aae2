"""The differential operators: grad, value_and_grad, vjp, jvp, jacobian, hessian, hvp, ...

Imports util, array, convert, trace, reverse and forward; array functions by name from the
registry.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

from ._array import Array
from ._backend import use_backend
from ._convert import asarray
from ._forward import ForwardTrace
from ._reverse import ReverseTrace, backward_pass, new_leaf
from ._trace import trace_scope
from ._util import describe, tree_flatten, tree_map, tree_unflatten

__all__ = ["grad", "value_and_grad", "grad_and_loss", "elementwise_grad", "vjp", "jvp",
           "jacobian", "hessian", "hvp", "checkpoint"]


def _np() -> Any:
    import polygrad.numpy

    return polygrad.numpy


def _diff_leaf(x: Any, fname: str, where: str) -> Array:
    """A differentiable input: a floating Array (Python numbers get the default float dtype)."""
    if type(x) is not Array:
        if isinstance(x, bool) or not (isinstance(x, (int, float, complex)) or hasattr(x, "shape")
                                       or hasattr(x, "__array__")):
            raise TypeError(f"polygrad.{fname}: cannot differentiate with respect to {where}, "
                            f"a {describe(x)}; expected an Array, a native array or a Python "
                            f"float (nested in lists, tuples or dicts)")
        x = asarray(float(x) if isinstance(x, int) else x)
    dtype = x.dtype
    if not dtype.is_floating:
        raise TypeError(f"polygrad.{fname}: cannot differentiate with respect to {where}, an "
                        f"array of dtype {dtype}; derivatives need a floating dtype: pass "
                        f"np.asarray(x, dtype=np.float64) or x.astype(np.float64)")
    return x


def _check_argnum(fname: str, argnum: Any, nargs: int) -> tuple[int, ...]:
    if not isinstance(argnum, (int, list, tuple)):
        raise TypeError(f"polygrad.{fname}: argnum must be an int or a list/tuple of ints, "
                        f"got {argnum!r}")
    nums = (argnum,) if isinstance(argnum, int) else tuple(argnum)
    for n in nums:
        if not isinstance(n, int) or isinstance(n, bool):
            raise TypeError(f"polygrad.{fname}: argnum must be an int or a list/tuple of ints, "
                            f"got {argnum!r}")
        if not -nargs <= n < nargs:
            raise ValueError(f"polygrad.{fname}: argnum {n} is out of range for a call with "
                             f"{nargs} positional argument(s)")
    normal = tuple(n % nargs for n in nums)
    if len(set(normal)) != len(normal):
        raise ValueError(f"polygrad.{fname}: argnum {argnum!r} names an argument twice")
    return normal


class _Reverse:
    """One reverse-mode linearization of a function at some arguments."""

    def __init__(self, fname: str, fun: Callable, args: Sequence, kwargs: dict,
                 argnums: Sequence[int], post: Callable | None = None) -> None:
        if not callable(fun):
            raise TypeError(f"polygrad.{fname}: expected a callable to differentiate, got "
                            f"{describe(fun)}")
        self.trace = trace = ReverseTrace()
        args = list(args)
        self.inputs = []
        with trace_scope(trace):
            for n in argnums:
                leaves, structure = tree_flatten(args[n])
                arrays = [_diff_leaf(leaf, fname, f"argument {n}") for leaf in leaves]
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
        return tree_map(lambda x: x._v if type(x) is Array and x._trace is trace else x, tree)

    def pull(self, cotangents: list[tuple[Any, Any]], retain: bool) -> list:
        """Cotangents [(output array, its cotangent)] -> per-argnum gradient trees."""
        trace = self.trace
        ends = [(o._aux, g) for o, g in cotangents if type(o) is Array and o._trace is trace]
        leaves = backward_pass(ends, retain) if ends else {}
        grads = []
        for structure, arrays, nodes in self.inputs:
            grads.append(tree_unflatten(structure, [
                _finish(leaves.get(node), a) for a, node in zip(arrays, nodes)]))
        return grads


def _finish(g: Any, x: Array) -> Array:
    if g is None:
        return _np().zeros_like(x)
    if g.dtype != x.dtype:
        if g.dtype.kind == "c" and x.dtype.kind != "c":   # a real input: the real part
            g = _np().real(g)
        g = _np().astype(g, x.dtype)
    return g


def _scalar_output(fname: str) -> Callable:
    def post(out: Any) -> Any:
        if type(out) is not Array:
            if isinstance(out, (int, float)) and not isinstance(out, bool):
                return out
            raise TypeError(f"polygrad.{fname}: the function must return an Array or a float, "
                            f"got {describe(out)}")
        if out.dtype.kind == "c":
            raise TypeError(f"polygrad.{fname}: the function returned a complex array; "
                            f"gradients need a real output: take np.real(...) or abs(...)**2, "
                            f"or use vjp for a complex cotangent")
        if not out.dtype.is_floating:
            raise TypeError(f"polygrad.{fname}: the function returned an array of dtype "
                            f"{out.dtype}, which has no derivative; return a floating array")
        return out if out.ndim == 0 else _np().sum(out)
    return post


def value_and_grad(fun: Callable, argnum: int | Sequence[int] = 0, has_aux: bool = False
                   ) -> Callable:
    """Return a function computing ``(value, gradient)`` of ``fun``.

    ``argnum`` an int gives one gradient, a list/tuple a tuple of gradients in that order. A
    non-scalar output is summed first. With ``has_aux`` ``fun`` returns ``(out, aux)`` and the
    result is ``((value, aux), gradient)``.

    Examples
    --------
    >>> import polygrad as pg
    >>> v, g = pg.value_and_grad(lambda x: x ** 3)(2.0)
    >>> float(v), float(g)
    (8.0, 12.0)
    """
    @functools.wraps(fun)
    def value_and_grad_fun(*args: Any, **kwargs: Any) -> Any:
        argnums = _check_argnum("value_and_grad", argnum, len(args))
        post = _scalar_output("grad")
        aux_box: list = []
        if has_aux:
            def post(out, _post=post):  # noqa: F811
                if not isinstance(out, (tuple, list)) or len(out) != 2:
                    raise TypeError("polygrad.grad: with has_aux=True the function must return "
                                    f"a pair (output, aux), got {describe(out)}")
                aux_box.append(out[1])
                return _post(out[0])
        rev = _Reverse("grad", fun, args, kwargs, argnums, post)
        out = rev.out
        ones = _np().ones_like(rev.value(out)) if type(out) is Array else None
        grads = rev.pull([(out, ones)], retain=False)
        value = rev.value(out)
        if has_aux:
            value = (value, rev.value(aux_box[0]))
        return value, (grads[0] if isinstance(argnum, int) else tuple(grads))
    return value_and_grad_fun


def grad(fun: Callable, argnum: int | Sequence[int] = 0, has_aux: bool = False) -> Callable:
    """Return a function computing the gradient of ``fun`` with respect to argument ``argnum``.

    Examples
    --------
    >>> import polygrad as pg
    >>> float(pg.grad(lambda x: x ** 2)(4.0))
    8.0
    >>> float(pg.grad(pg.grad(lambda x: x ** 3))(2.0))
    12.0
    >>> [float(g) for g in pg.grad(lambda a, b, c: 3 * a + b ** 2 - c, argnum=[0, 1, 2])(2, 3, 4)]
    [3.0, 6.0, -1.0]
    """
    vg = value_and_grad(fun, argnum, has_aux)

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
    vg = value_and_grad(fun, argnum)

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
            raise ValueError("polygrad.vjp: vjp_fn(g) needs g structured like the output")
        pairs = []
        for o, c in zip(out_leaves, g_leaves):
            c = asarray(c) if type(c) is not Array else c
            if type(o) is Array and c.shape != o.shape:
                raise ValueError(f"polygrad.vjp: the cotangent has shape {c.shape} but the "
                                 f"output has shape {o.shape}")
            pairs.append((o, c))
        return tuple(rev.pull(pairs, retain=True))
    return rev.value(rev.out), vjp_fn


def jvp(fun: Callable, primals: Sequence, tangents: Sequence) -> tuple[Any, Any]:
    """Forward mode: ``(fun(*primals), J·tangents)``.

    Examples
    --------
    >>> import polygrad as pg, polygrad.numpy as np
    >>> out, t = pg.jvp(np.sin, (0.0,), (3.0,))
    >>> float(out), float(t)
    (0.0, 3.0)
    """
    if not callable(fun):
        raise TypeError(f"polygrad.jvp: expected a callable, got {describe(fun)}")
    p_leaves, structure = tree_flatten(tuple(primals))
    t_leaves, t_structure = tree_flatten(tuple(tangents))
    if structure != t_structure:
        raise ValueError("polygrad.jvp: tangents must have the same structure as primals")
    trace = ForwardTrace()
    with trace_scope(trace):
        boxes = []
        for p, t in zip(p_leaves, t_leaves):
            p = _diff_leaf(p, "jvp", "a primal")
            t = asarray(t, dtype=p.dtype) if type(t) is not Array else t
            if t.shape != p.shape:
                raise ValueError(f"polygrad.jvp: a tangent has shape {t.shape} but its primal "
                                 f"has shape {p.shape}")
            boxes.append(Array(p, p._backend, trace, t))
        out = fun(*tree_unflatten(structure, boxes))

    def primal(x):
        return x._v if type(x) is Array and x._trace is trace else x

    def tangent(x):
        if type(x) is Array and x._trace is trace:
            return x._aux
        return _np().zeros_like(x) if type(x) is Array else 0.0
    return tree_map(primal, out), tree_map(tangent, out)


def jacobian(fun: Callable, argnum: int = 0) -> Callable:
    """Return a function computing the dense Jacobian, of shape ``out.shape + x.shape``.

    Examples
    --------
    >>> import polygrad as pg, polygrad.numpy as np
    >>> pg.jacobian(lambda x: x ** 2)(np.asarray([1.0, 2.0])).tolist()
    [[2.0, 0.0], [0.0, 4.0]]
    """
    @functools.wraps(fun)
    def jacobian_fun(*args: Any, **kwargs: Any) -> Array:
        (n,) = _check_argnum("jacobian", argnum, len(args))
        rev = _Reverse("jacobian", fun, args, kwargs, (n,))
        out = rev.out
        if type(out) is not Array:
            raise TypeError(f"polygrad.jacobian: the function must return an Array, got "
                            f"{describe(out)}")
        x = rev.inputs[0][1][0]
        value = rev.value(out)
        size, shape = value.size, value.shape
        np = _np()
        with use_backend(value._backend):
            basis = np.eye(size, dtype=value.dtype)
            if size == 0:
                return np.zeros(shape + x.shape, dtype=x.dtype)
        rows = [rev.pull([(out, np.reshape(basis[k], shape))], retain=True)[0]
                for k in range(size)]
        return np.reshape(np.stack(rows, axis=0), shape + x.shape)
    return jacobian_fun


def hessian(fun: Callable, argnum: int = 0) -> Callable:
    """Return a function computing the dense Hessian of a scalar ``fun``.

    Examples
    --------
    >>> import polygrad as pg, polygrad.numpy as np
    >>> pg.hessian(lambda x: np.sum(x ** 3))(np.asarray([1.0, 2.0])).tolist()
    [[6.0, 0.0], [0.0, 12.0]]
    """
    return jacobian(grad(fun, argnum), argnum)


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
    g = grad(fun, argnum)

    @functools.wraps(fun)
    def hvp_fun(*args: Any) -> Any:
        *args, v = args
        (n,) = _check_argnum("hvp", argnum, len(args))

        def along(x):
            return g(*args[:n], x, *args[n + 1:])
        return jvp(along, (args[n],), (v,))[1]
    return hvp_fun


class _Recompute:
    """The rule-holder of one ``checkpoint`` call: its VJP re-runs the function."""

    nondiff = False
    multiple_results = False
    broadcasts = False

    def __init__(self, fun: Callable, name: str) -> None:
        self.fun = fun
        self.name = f"checkpoint({name})"
        self.kernels: dict = {}
        self._cache: tuple | None = None
        self.vjps = _RecomputeRules(self)

    def cotangents(self, g: Any, args: tuple) -> tuple:
        cache = self._cache
        if cache is None or cache[0] is not g:
            _, pull = vjp(self.fun, *args)
            cache = self._cache = (g, pull(g))
        return cache[1]


class _RecomputeRules:
    def __init__(self, owner: _Recompute) -> None:
        self.owner = owner

    def __len__(self) -> int:
        return 1 << 30

    def __getitem__(self, i: int) -> Callable:
        return lambda g, ans, *args: self.owner.cotangents(g, args)[i]


def checkpoint(fun: Callable) -> Callable:
    """Return ``fun`` that, under reverse mode, stores only its inputs and output and recomputes
    its intermediate values during the backward pass (trading time for memory).

    Examples
    --------
    >>> import polygrad as pg, polygrad.numpy as np
    >>> f = pg.checkpoint(lambda x: np.sin(np.sin(x)))
    >>> round(float(pg.grad(f)(0.5)), 6) == round(float(np.cos(np.sin(0.5)) * np.cos(0.5)), 6)
    True
    """
    from ._reverse import Node, ReverseTrace

    name = getattr(fun, "__name__", "fun")

    @functools.wraps(fun)
    def checkpointed(*args: Any) -> Any:
        top = None
        for a in args:
            if type(a) is Array and a._trace is not None and a._trace.active and \
                    (top is None or a._trace.level > top.level):
                top = a._trace
        if not isinstance(top, ReverseTrace):
            return fun(*args)
        primals = tuple(a._v if type(a) is Array and a._trace is top else a for a in args)
        out = fun(*primals)
        if type(out) is not Array:
            raise TypeError(f"polygrad.checkpoint: {name} must return one Array, got "
                            f"{describe(out)}")
        parents = tuple((i, a._aux) for i, a in enumerate(args)
                        if type(a) is Array and a._trace is top)
        node = Node(_Recompute(fun, name), primals, {}, out, parents)
        return Array(out, out._backend, top, node)
    return checkpointed
