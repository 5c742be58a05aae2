"""``polygrad.extend``: define new primitives with their rules, and new backends.

Examples
--------
>>> import polygrad as pg, polygrad.numpy as np
>>> from polygrad.extend import primitive, defvjp, defjvp
>>> softplus = primitive("doc_softplus", lambda xp: lambda x: xp.log1p(xp.exp(x)))
>>> defvjp(softplus, lambda g, ans, x: g / (1 + np.exp(-x)))
>>> defjvp(softplus, lambda t, ans, x: t / (1 + np.exp(-x)))
>>> round(float(pg.grad(softplus)(0.0)), 3)
0.5
"""

from __future__ import annotations

from ._backend import Backend, BackendUnavailable
from ._compiler import Compiler, JitWarning
from ._primitive import (
           Primitive,
           defjvp,
           deflinear,
           defunary,
           defvjp,
           nondiff,
           primitive,
           primitives,
)

__all__ = ["Backend", "BackendUnavailable", "Compiler", "JitWarning", "Primitive", "primitive",
           "defvjp", "defjvp", "deflinear", "defunary", "nondiff", "primitives"]
