"""Primitives with planted wrong rules, each shipping a sample spec (``register_spec``).

``planted_sin`` is right (the control). The others compute sin but have a wrong VJP, a wrong
JVP, or rules right in value but built from ``stop_gradient`` (so wrong at second order).
"""

from __future__ import annotations

import numpy

import polygrad.numpy as np
from polygrad.extend import defjvp, defvjp, primitive
from polygrad_conformance import Arg, Case, Spec, register_spec


def _sin(xp):
    return xp.sin


def _cases():
    return [Case(Arg((4,))), Case(Arg(()))]


def _planted(name: str, vjp, jvp) -> None:
    prim = primitive(name, _sin)
    defvjp(prim, vjp)
    defjvp(prim, jvp)
    register_spec(Spec(name, prim, numpy.sin, _cases(), dtypes=("float", "complex"),
                       category="planted"))


_planted("planted_sin", lambda g, ans, x: g * np.cos(x), lambda t, ans, x: t * np.cos(x))
# the VJP is off by a factor of two
_planted("planted_bad_vjp", lambda g, ans, x: 2.0 * g * np.cos(x),
         lambda t, ans, x: t * np.cos(x))
# the JVP uses sin where cos belongs
_planted("planted_bad_jvp", lambda g, ans, x: g * np.cos(x), lambda t, ans, x: t * np.sin(x))
# right values, but cos(x) is held constant: the second derivatives come out zero
_planted("planted_bad_second", lambda g, ans, x: g * np.stop_gradient(np.cos(x)),
         lambda t, ans, x: t * np.stop_gradient(np.cos(x)))
