"""Type promotion before a kernel runs: operands cast to the dtype polygrad's rules give.

Backends promote differently (torch: int64 + float32 -> float32; array-api-strict refuses mixed
kinds), so functions of several arrays cast their operands here, with the differentiable
``astype``, and hand the kernel operands of one dtype. The rules are ``polygrad._dtypes``'s.
The fast checks (operands already alike) are ``_helpers.promoted``. Imports the core, the
namespace helpers and the data-type functions.
"""

from __future__ import annotations

from typing import Any

from .. import _dtypes
from .._array import native_of
from .._backend import get_default_dtype
from .._convert import asarray
from .._sizes import SymFloat, SymInt
from ._data_types import astype
from ._helpers import Array, as_array

__all__ = ["promote", "promote_inexact", "promote_to_arrays"]

_SCALARS = (bool, int, float, complex, SymInt, SymFloat)   # sizes: see _sizes


def promote(*operands: Any) -> tuple:
    """``operands`` with every array cast to their common dtype; Python scalars stay as they
    are unless they change it (an int array with a float: the array becomes the default float).

    Host data (NumPy arrays and their scalars, lists) becomes an Array of the current backend
    first; ``None`` passes through. Arrays already of that dtype are not cast.
    """
    out = [x if x is None or type(x) in _SCALARS else as_array(x) for x in operands]
    arrays = [x for x in out if type(x) is Array]
    if not arrays:
        return operands
    first = native_of(arrays[0]).dtype
    want = arrays[0].dtype
    if any(native_of(x).dtype is not first for x in arrays[1:]):
        want = _dtypes.result_type(*[x.dtype for x in arrays])
    default = get_default_dtype(arrays[0]._backend)
    for x in operands:
        if type(x) in _SCALARS:
            want = _dtypes.weak_result(want, x, default)
    out = [astype(x, want) if type(x) is Array and x.dtype != want else x for x in out]
    if want.kind != "b":   # a Python bool beside numbers is the number 0 or 1
        out = [int(x) if type(x) is bool else x for x in out]
    return tuple(out)


def promote_to_arrays(*operands: Any) -> tuple:
    """``promote(*operands)`` with the Python scalars made arrays of the result dtype on the
    arrays' backend (a weak scalar is cast to the result dtype, never rounded through another).

    For functions composed of several primitives, where a scalar operand is used more than once.
    """
    if not any(x is not None and type(x) not in _SCALARS for x in operands):
        operands = tuple(as_array(x) for x in operands)   # only scalars: each its own dtype
    out = promote(*operands)
    like = next(x for x in out if type(x) is Array)
    return tuple(x if type(x) is Array else
                 asarray(x, dtype=like.dtype, backend=like._backend) for x in out)


def promote_inexact(*operands: Any) -> tuple:
    """``promote(*operands)``, and then integer or bool arrays cast to the default float dtype
    (true division: NumPy's float64 for integers, the backend's default float here)."""
    out = promote(*operands)
    like = next((x for x in out if type(x) is Array), None)
    if like is None or like.dtype.is_floating:
        return out
    default = get_default_dtype(like._backend)
    return tuple(astype(x, default) if type(x) is Array else x for x in out)
