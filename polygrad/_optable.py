"""The table of operations through which the core's ``Array`` and ``DType`` methods reach the
namespace that implements them (dependency inversion).

``polygrad.Array`` is defined whole in the core (``_array``): its operators, NumPy's methods
(``_ndarray``) and the tape's (``_tape``) are written, typed, in its class body and mixins. Their
implementations are the namespace's functions (``x + y`` is ``polygrad.numpy.add(x, y)``), and
the namespace sits above the core, which never imports it. So ``polygrad.numpy`` fills this table
once, when it is imported (``register``), and the methods call ``OPS.add(self, other)``: one
attribute read on a slotted object, no import and no dictionary of modules at call time. NumPy's
``ndarray`` number protocol long worked the same way, its operator table filled by ``umath``.

Nothing is ever attached to the ``Array`` class from outside: the table holds functions, the
class holds the methods.
"""

from __future__ import annotations

from typing import Any

__all__ = ["OPS", "register"]

# every entry polygrad.numpy must register (the namespace's functions of these names, plus the
# namespace module itself, for NumPy's methods and dispatch protocols and __array_namespace__)
_NAMES = (
    "namespace", "special",
    # arithmetic, bitwise and comparison operators
    "add", "subtract", "multiply", "divide", "floor_divide", "remainder", "pow", "matmul",
    "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_left_shift", "bitwise_right_shift",
    "equal", "not_equal", "less", "less_equal", "greater", "greater_equal",
    "negative", "positive", "abs", "bitwise_invert",
    # indexing and in-place updates
    "getitem", "setitem", "check_writable", "propagate",
    # .T, .mT; DType.__call__ (the core's own operations, such as zeros_like, are in _ops)
    "permute_dims", "matrix_transpose", "asarray", "astype",
)


class Operations:
    """The namespace's functions the core's methods call; filled once by ``register``."""

    __slots__ = _NAMES

    # typed for the type checker; the values are the namespace's functions
    namespace: Any
    special: Any   # () -> polygrad.special (imported on first use: SciPy's ufuncs on Arrays)
    add: Any
    subtract: Any
    multiply: Any
    divide: Any
    floor_divide: Any
    remainder: Any
    pow: Any
    matmul: Any
    bitwise_and: Any
    bitwise_or: Any
    bitwise_xor: Any
    bitwise_left_shift: Any
    bitwise_right_shift: Any
    equal: Any
    not_equal: Any
    less: Any
    less_equal: Any
    greater: Any
    greater_equal: Any
    negative: Any
    positive: Any
    abs: Any
    bitwise_invert: Any
    getitem: Any
    setitem: Any
    check_writable: Any
    propagate: Any
    permute_dims: Any
    matrix_transpose: Any
    asarray: Any
    astype: Any

    def __getattr__(self, name: str) -> Any:
        # reached only for an entry not registered yet (a slot never set)
        if name in _NAMES:
            raise RuntimeError(f"polygrad: Array operation {name!r} is not available because "
                               f"polygrad.numpy has not been imported; import polygrad (or "
                               f"polygrad.numpy) first")
        raise AttributeError(name)


OPS = Operations()


def register(**functions: Any) -> None:
    """Fill the table (``polygrad.numpy`` calls this once, at import); every entry is required."""
    missing = set(_NAMES) - set(functions)
    unknown = set(functions) - set(_NAMES)
    if missing or unknown:
        raise TypeError(f"polygrad._optable.register: missing entries {sorted(missing)}, unknown "
                        f"entries {sorted(unknown)}")
    for name, fn in functions.items():
        setattr(OPS, name, fn)
