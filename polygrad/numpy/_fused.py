"""Fused rules: primitives and rule variants that exist only for speed, each measured.

Each replaces a composition of ordinary primitives that gives the same values and derivatives;
``benchmarks/fused_rules.py`` times each against that composition (``python
benchmarks/fused_rules.py``; medians on the 2-core development machine, NumPy backend,
shared with other work (load average 13), so read the ratios, not the times):

- ``select_extremum(g, x, other, larger)``: the derivative of ``maximum`` / ``minimum`` (every
  ReLU layer's backward pass) as one kernel that builds an int8 weight mask, instead of seven
  elementwise steps (two comparisons, casts, a sum, products). Gradient of
  ``sum(maximum(x, 0))`` on float64[1,000,000]: 30 ms fused, 92 ms composed (3.0x).
- ``tanh_backward(g, y)`` = g (1 - y²) and its derivative in y, ``tanh_backward_dy(c, g, y)``
  = -2 c g y: one node instead of three each time a derivative of tanh is differentiated again
  (higher-order derivatives compound the saving). The 4th derivative of tanh on
  float64[10,000] (case C of benchmarks/): 5.6 ms fused, 9.6 ms composed (1.7x).
- unit rules (``rule.unit``, set by ``defunary`` and ``_with_unit``): the cotangent a rule gives
  for ``grad``'s seed of ones (``polygrad._reverse.Unit``), f'(x) itself instead of
  ``ones * f'(x)``: one array of ones and one product fewer, and under nested ``grad`` one node
  fewer at every outer level. ``elementwise_grad`` of ``sin`` applied three times on
  float64[10,000]: 6.0 ms with unit rules, 5.6 ms without (0.94x: no gain measured here, within
  this machine's noise; kept because the fused tanh rules above fold their unit into the kernel,
  and the tanh figure includes it).

Imports the core and the namespace helpers.
"""

from __future__ import annotations

from .._primitive import defbatch, defjvp, deflinear, defvjp, primitive
from .._batching import all_batched_elementwise_rule, elementwise_rule
from ._helpers import EMPTY, bind

__all__ = ["_select", "_tanh_bw", "_with_unit"]


def _zero(*args, **params):
    """The derivative with respect to an argument on which the value does not depend (locally)."""
    return None


def _select_extremum_kernel(xp):
    def select_extremum(g, x, other, larger):
        # weight 2 where x is taken, 1 at ties, 0 where the other is or either is NaN, counted
        # in int8 (a quarter of float32's traffic); then one float temporary, scaled in place
        w = xp.astype(x > other if larger else x < other, xp.int8)
        w += xp.astype(x >= other if larger else x <= other, xp.int8)
        out = xp.astype(w, g.dtype)
        out *= g
        out *= 0.5
        return out
    return select_extremum


# select_extremum(g, x, other, larger): the cotangent (or tangent) ``g`` where ``x`` is the one
# maximum (larger) or minimum takes, half of it at ties (as HIPS autograd and PyTorch), none
# where the other is taken or either is NaN. Masks, never arithmetic on x: a NaN in one operand
# cannot leak into the other's derivative (fmax relies on it). One fused primitive instead of
# seven elementwise steps: this rule runs on every ReLU layer's activations. Linear in g with
# a diagonal weight, so its own VJP and JVP in g are itself; the weight is locally constant in
# x and other, whose derivatives are zero.
_select_extremum = primitive("select_extremum", _select_extremum_kernel)
defbatch(_select_extremum, all_batched_elementwise_rule(_select_extremum))   # pg.vmap
defvjp(_select_extremum, lambda c, ans, g, x, other, larger: _select(c, x, other, larger),
       _zero, _zero)
defjvp(_select_extremum, lambda t, ans, g, x, other, larger: _select(t, x, other, larger),
       _zero, _zero)


def _select(g, x, other, larger):
    return bind(_select_extremum, (g, x, other), {"larger": larger})


_NUMBERS = (int, float)


# tanh's rules as one primitive, g (1 - y²) with y = tanh(x) (as PyTorch's tanh_backward): one
# node instead of three each time a derivative of tanh is itself differentiated. A Python number
# among its arguments folds into the constant (grad's seed of ones is the number 1 here: see
# ``_with_unit`` below), so that g = 1 costs two passes over y and no product
def _tanh_backward_kernel(xp):
    def tanh_backward(g, y):
        d = 1 - y * y
        return d if type(g) in _NUMBERS and g == 1 else g * d
    return tanh_backward


_tanh_backward = primitive("tanh_backward", _tanh_backward_kernel)
defbatch(_tanh_backward, elementwise_rule(_tanh_backward))   # pg.vmap


def _tanh_bw(g, y):
    return bind(_tanh_backward, (g, y), EMPTY)


# its derivative in y, c (d/dy g (1 - y²)) = -2 c g y, as one primitive too: trilinear and
# symmetric, so each of its rules is itself with the cotangent in that argument's place
def _tanh_backward_dy_kernel(xp):
    def tanh_backward_dy(c, g, y):
        k = -2
        arrays = []
        for v in (c, g, y):
            if type(v) in _NUMBERS:
                k *= v
            else:
                arrays.append(v)
        if not arrays:   # (a seed's unit rule at the fifth derivative: grad seeds ones instead)
            return xp.asarray(float(k))
        out = arrays[0]
        for v in arrays[1:]:
            out = out * v
        return out * k
    return tanh_backward_dy


_tanh_backward_dy = primitive("tanh_backward_dy", _tanh_backward_dy_kernel)
defbatch(_tanh_backward_dy, elementwise_rule(_tanh_backward_dy))   # pg.vmap


def _tanh_dy(c, g, y):
    return bind(_tanh_backward_dy, (c, g, y), EMPTY)


def _with_unit(rule):
    """``rule`` with its ``unit``, the cotangent it gives for a cotangent of ones: ``rule`` itself
    with the number 1 as the cotangent, which these kernels fold (``polygrad._reverse.Unit``)."""
    rule.unit = lambda ans, *args: rule(1, ans, *args)
    return rule


def _tanh_dy_rule(i):
    def rule(ct, ans, *cgy):
        cgy = list(cgy)
        cgy[i] = ct
        return _tanh_dy(*cgy)
    return _with_unit(rule)


deflinear(_tanh_backward_dy, *(_tanh_dy_rule(i) for i in range(3)))


def _tanh_bw_dy(c, ans, g, y):
    return _tanh_dy(c, g, y)


defvjp(_tanh_backward, _with_unit(lambda c, ans, g, y: _tanh_bw(c, y)), _with_unit(_tanh_bw_dy))
defjvp(_tanh_backward, lambda t, ans, g, y: _tanh_bw(t, y), _tanh_bw_dy)
