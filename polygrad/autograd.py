"""``polygrad.autograd``: HIPS autograd's differential operators under their own names and
calling conventions, so that a migrated program keeps ``autograd.make_vjp(f)(x)`` and the like
(``import polygrad.autograd as autograd``). Each is a thin wrapper over polygrad's ``grad``,
``vjp``, ``jvp`` and ``hvp``; docs/migration.md maps every autograd name.

Imports the core operators and ``polygrad.numpy``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from . import numpy as np
from ._checkpoint import checkpoint
from ._operators import elementwise_grad, grad, hessian, hvp, jacobian, jvp, value_and_grad, vjp

__all__ = ["grad", "elementwise_grad", "value_and_grad", "grad_and_aux", "jacobian", "hessian",
           "hessian_tensor_product", "hessian_vector_product", "tensor_jacobian_product",
           "vector_jacobian_product", "make_vjp", "make_jvp", "make_hvp", "make_ggnvp", "deriv",
           "holomorphic_grad", "grad_named", "multigrad_dict", "checkpoint", "flatten_func"]


def _along(fun: Callable, args: tuple, argnum: int) -> Callable:
    """``fun`` as a function of its argument ``argnum`` alone, the others held at ``args``."""
    return lambda x: fun(*args[:argnum], x, *args[argnum + 1:])


def grad_and_aux(fun: Callable, argnum: int = 0) -> Callable:
    """autograd's ``grad_and_aux``: ``fun`` returns ``(value, aux)``; the result gives
    ``(gradient, aux)``."""
    return grad(fun, argnum, has_aux=True)


def make_vjp(fun: Callable, argnum: int = 0) -> Callable:
    """autograd's ``make_vjp(fun, argnum)(*args)`` → ``(vjp, ans)`` where ``vjp(g)`` is the one
    cotangent of argument ``argnum`` (polygrad's ``vjp`` returns ``(ans, vjp_fn)``, a tuple)."""
    def maker(*args: Any) -> tuple[Callable, Any]:
        ans, f_vjp = vjp(_along(fun, args, argnum), args[argnum])
        return (lambda g: f_vjp(g)[0]), ans
    return maker


def make_jvp(fun: Callable, argnum: int = 0) -> Callable:
    """autograd's ``make_jvp(fun, argnum)(*args)(v)`` → ``(ans, tangent)``."""
    def maker(*args: Any) -> Callable:
        return lambda v: jvp(_along(fun, args, argnum), (args[argnum],), (v,))
    return maker


def vector_jacobian_product(fun: Callable, argnum: int = 0) -> Callable:
    """autograd's ``vector_jacobian_product(fun, argnum)(*args, v)``: vᵀJ."""
    def vjp_fun(*args: Any) -> Any:
        *args, v = args
        return make_vjp(fun, argnum)(*args)[0](v)
    return vjp_fun


tensor_jacobian_product = vector_jacobian_product


def hessian_tensor_product(fun: Callable, argnum: int = 0) -> Callable:
    """autograd's ``hessian_tensor_product(fun, argnum)(*args, v)``: H v (``pg.hvp``)."""
    return hvp(fun, argnum)


hessian_vector_product = hessian_tensor_product


def make_hvp(fun: Callable, argnum: int = 0) -> Callable:
    """autograd's ``make_hvp(fun, argnum)(*args)`` → ``(hvp, ans)`` with ``hvp(v)`` = H v."""
    def maker(*args: Any) -> tuple[Callable, Any]:
        return (lambda v: hvp(fun, argnum)(*args, v)), fun(*args)
    return maker


def make_ggnvp(f: Callable, g: Callable | None = None, f_argnum: int = 0) -> Callable:
    """autograd's ``make_ggnvp(f, g, f_argnum)(*args)`` → ``ggnvp(v)``, the generalised
    Gauss-Newton product Jᵀ H_g J v of ``g ∘ f`` (``g`` defaults to ½ Σ y² over the last axis)."""
    if g is None:
        def g(y: Any) -> Any:
            return 0.5 * np.sum(y ** 2, axis=-1)

    def maker(*args: Any) -> Callable:
        f_x = _along(f, args, f_argnum)
        x = args[f_argnum]

        def ggnvp(v: Any) -> Any:
            y, jv = jvp(f_x, (x,), (v,))
            hjv = hvp(lambda y: np.sum(g(y)))(y, jv)
            return vjp(f_x, x)[1](hjv)[0]
        return ggnvp
    return maker


def deriv(fun: Callable, argnum: int = 0) -> Callable:
    """autograd's ``deriv``: the forward-mode derivative along a tangent of ones (elementwise
    derivative of an elementwise function)."""
    def d(*args: Any) -> Any:
        x = np.asarray(args[argnum])
        return jvp(_along(fun, args, argnum), (x,), (np.ones_like(x),))[1]
    return d


def holomorphic_grad(fun: Callable, argnum: int = 0) -> Callable:
    """autograd's ``holomorphic_grad``: f′(z) of a holomorphic ``fun`` (its JVP along 1)."""
    def d(*args: Any) -> Any:
        x = np.asarray(args[argnum])
        return jvp(_along(fun, args, argnum), (x,), (np.ones_like(x),))[1]
    return d


def grad_named(fun: Callable, argname: str) -> Callable:
    """autograd's ``grad_named(fun, argname)``: ``grad`` with respect to a parameter by name."""
    names = list(inspect.signature(fun).parameters)
    if argname not in names:
        raise TypeError(f"polygrad.autograd.grad_named: {fun.__name__} has no parameter "
                        f"{argname!r}; its parameters are {', '.join(names)}")
    return grad(fun, names.index(argname))


def multigrad_dict(fun: Callable) -> Callable:
    """autograd's ``multigrad_dict(fun)(*args, **kwargs)``: a dict of the gradients with respect
    to every argument, by parameter name."""
    signature = inspect.signature(fun)

    def gradients(*args: Any, **kwargs: Any) -> dict:
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        names = list(bound.arguments)
        values = [bound.arguments[n] for n in names]

        def positional(*vals: Any) -> Any:
            return fun(**dict(zip(names, vals)))
        gs = grad(positional, tuple(range(len(names))))(*values)
        return dict(zip(names, gs))
    return gradients


def flatten_func(func: Callable, example: Any) -> tuple[Callable, Callable, Any]:
    """autograd's ``misc.flatten.flatten_func(func, example)`` → ``(flat_func, unflatten,
    flat_example)``: ``func`` of a pytree as a function of one flat vector."""
    from .tree import ravel

    flat_example, unflatten = ravel(example)
    return (lambda flat, *args: func(unflatten(flat), *args)), unflatten, flat_example

