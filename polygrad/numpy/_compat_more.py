"""NumPy's main-namespace functions beyond the autograd-era conveniences of ``_compat``: one
module per topic, gathered here so that the namespace's ``__init__`` imports them in one line.

Imports the ``_compat_*`` topic modules.
"""

from __future__ import annotations

from ._compat_bits import *  # noqa: F403
from ._compat_bits import __all__ as _bits_all
from ._compat_build import *  # noqa: F403
from ._compat_build import __all__ as _build_all
from ._compat_index import *  # noqa: F403
from ._compat_index import __all__ as _index_all
from ._compat_nan import *  # noqa: F403
from ._compat_nan import __all__ as _nan_all
from ._compat_poly import *  # noqa: F403
from ._compat_poly import __all__ as _poly_all
from ._compat_select import *  # noqa: F403
from ._compat_select import __all__ as _select_all
from ._compat_sets import *  # noqa: F403
from ._compat_sets import __all__ as _sets_all
from ._compat_stats import *  # noqa: F403
from ._compat_stats import __all__ as _stats_all
from ._compat_types import *  # noqa: F403
from ._compat_types import __all__ as _types_all
from ._compat_ufuncs import *  # noqa: F403
from ._compat_ufuncs import __all__ as _ufuncs_all
from ._compat_vector import *  # noqa: F403
from ._compat_vector import __all__ as _vector_all

__all__ = (_bits_all + _build_all + _index_all + _nan_all + _poly_all + _select_all + _sets_all
           + _stats_all + _types_all + _ufuncs_all + _vector_all)
