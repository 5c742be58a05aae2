"""Registers the namespace's functions into the core's operation table (``polygrad._optable``),
through which ``polygrad.Array``'s operators and methods, written in its class body, call
them: ``x + y`` is ``add(x, y)``, ``x[k]`` is ``getitem(x, k)``, ``x.T`` is ``permute_dims``.

Nothing is attached to ``Array`` here; this module only fills the table, once, at import.
"""

from __future__ import annotations

import sys
from typing import Any

from .._optable import register
from . import _creation as cr
from . import _data_types as dt
from . import _elementwise as ew
from . import _linear_algebra as la
from . import _manipulation as mp
from ._indexing import array_setitem, check_writable, getitem, propagate

__all__: list[str] = []


def _special() -> Any:
    """``polygrad.special``, imported on first use (SciPy's ufuncs called on an Array)."""
    import polygrad.special   # above the namespace (it imports polygrad.numpy), and SciPy-backed

    return polygrad.special


def register_namespace() -> None:
    """Fill the core's table; ``polygrad.numpy`` calls this once its names all exist."""
    register(
        namespace=sys.modules["polygrad.numpy"], special=_special,
        add=ew.add, subtract=ew.subtract, multiply=ew.multiply, divide=ew.divide,
        floor_divide=ew.floor_divide, remainder=ew.remainder, pow=ew.pow, matmul=la.matmul,
        bitwise_and=ew.bitwise_and, bitwise_or=ew.bitwise_or, bitwise_xor=ew.bitwise_xor,
        bitwise_left_shift=ew.bitwise_left_shift, bitwise_right_shift=ew.bitwise_right_shift,
        equal=ew.equal, not_equal=ew.not_equal, less=ew.less, less_equal=ew.less_equal,
        greater=ew.greater, greater_equal=ew.greater_equal,
        negative=ew.negative, positive=ew.positive, abs=ew.abs,
        bitwise_invert=ew.bitwise_invert,
        getitem=getitem, setitem=array_setitem, check_writable=check_writable,
        propagate=propagate,
        permute_dims=mp.permute_dims, matrix_transpose=la.matrix_transpose,
        asarray=cr.asarray, astype=dt.astype,
    )


# at import, as the operators were installed before: the category modules above are loaded, and
# the namespace module object (still filling) is the one users will hold
register_namespace()
