"""``polygrad.scipy``: SciPy's modules, differentiable and on every backend (as ``jax.scipy`` and
``autograd.scipy``). ``polygrad.scipy.special`` is the module ``polygrad.special``.

Imports ``polygrad.special`` and this package's submodules.
"""

from __future__ import annotations

import sys

from .. import special
from . import integrate, linalg, signal, stats

sys.modules[__name__ + ".special"] = special

__all__ = ["special", "stats", "signal", "linalg", "integrate"]
