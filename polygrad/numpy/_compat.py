"""NumPy conveniences used by autograd / MinPy-style code, composed from the standard's functions.

One module per section of NumPy's documentation; every function is a composition of primitives,
so it is differentiable to any order without rules of its own. Imports the ``_compat_*`` modules.
"""

from __future__ import annotations

from ._compat_calculus import *  # noqa: F403
from ._compat_calculus import __all__ as _calculus_all
from ._compat_math import *  # noqa: F403
from ._compat_math import __all__ as _math_all
from ._compat_products import *  # noqa: F403
from ._compat_products import __all__ as _products_all
from ._compat_reductions import *  # noqa: F403
from ._compat_reductions import __all__ as _reductions_all
from ._compat_shape import *  # noqa: F403
from ._compat_shape import __all__ as _shape_all

__all__ = _math_all + _reductions_all + _shape_all + _products_all + _calculus_all
