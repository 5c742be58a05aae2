"""``polygrad.numpy``: the differentiable array namespace (Array API standard + NumPy names).

Reads like the standard's table of contents: one module per section. Importing it imports no
array library; kernels are resolved per backend on first use.
"""

from __future__ import annotations

from .._array import Array
from .._batching import elementwise_rule
from .._primitive import defbatch, nondiff, primitive
from . import _array_methods  # noqa: F401  (fills the core's operation table: polygrad._optable)
from . import fft, linalg, random
from ._compat import *  # noqa: F403
from ._compat import __all__ as _compat_all
from ._compat_more import *  # noqa: F403  (NumPy's other public names: issue 17)
from ._compat_more import __all__ as _compat_more_all
from ._creation import *  # noqa: F403
from ._creation import __all__ as _creation_all
from ._data_types import *  # noqa: F403
from ._data_types import __all__ as _data_types_all
from ._elementwise import *  # noqa: F403
from ._elementwise import __all__ as _elementwise_all
from ._indexing import take, take_along_axis
from ._info import __array_namespace_info__
from ._linear_algebra import *  # noqa: F403
from ._linear_algebra import __all__ as _linear_algebra_all
from ._manipulation import *  # noqa: F403
from ._manipulation import __all__ as _manipulation_all
from ._searching import *  # noqa: F403
from ._searching import __all__ as _searching_all
from ._sets import *  # noqa: F403
from ._sets import __all__ as _sets_all
from ._sorting import *  # noqa: F403
from ._sorting import __all__ as _sorting_all
from ._statistics import *  # noqa: F403
from ._statistics import __all__ as _statistics_all
from ._utility import *  # noqa: F403
from ._utility import __all__ as _utility_all

__array_api_version__ = "2025.12"

e = 2.718281828459045
pi = 3.141592653589793
inf = float("inf")
nan = float("nan")
newaxis = None
ndarray = Array   # isinstance(x, np.ndarray), as code written for NumPy checks

_stop_gradient = nondiff(primitive("stop_gradient", lambda xp: lambda x: x))
defbatch(_stop_gradient, elementwise_rule(_stop_gradient))   # pg.vmap


def stop_gradient(x):
    """The value of ``x`` with a zero derivative (no copy).

    Examples
    --------
    >>> import polygrad as pg, polygrad.numpy as np
    >>> float(pg.grad(lambda x: x * np.stop_gradient(x))(3.0))
    3.0
    """
    return _stop_gradient(x)


__all__ = (["Array", "ndarray", "fft", "linalg", "random", "take", "take_along_axis",
            "stop_gradient", "__array_namespace_info__",
            "e", "pi", "inf", "nan", "newaxis", "__array_api_version__"]
           + _compat_all + _compat_more_all + _creation_all + _data_types_all + _elementwise_all
           + _linear_algebra_all + _manipulation_all + _searching_all + _sets_all + _sorting_all
           + _statistics_all
           + _utility_all)
