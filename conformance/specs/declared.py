"""Public names declared to need no derivative check, each with its reason (for the coverage
test): constants, dtypes, dtype inspection, and creation functions whose values do not depend on
any array argument.

Imports the suite's spec types.
"""

from __future__ import annotations

from polygrad_conformance._spec import NonDiff

__all__ = ["declared"]

_CONSTANT = "a constant, not a function"
_DTYPE = "a dtype object"
_INSPECT = "inspects dtypes or shapes, never array values"
_CREATION = "its values do not depend on the values of any array argument"


def declared() -> list[NonDiff]:
    rows = [NonDiff(n, _CONSTANT) for n in ("e", "inf", "nan", "pi", "newaxis",
                                             "__array_api_version__")]
    rows += [NonDiff(n, "a namespace (its functions are listed one by one)")
             for n in ("fft", "linalg")]
    rows += [NonDiff(n, _DTYPE) for n in ("bool", "int8", "int16", "int32", "int64", "uint8",
                                          "uint16", "uint32", "uint64", "float32", "float64",
                                          "complex64", "complex128")]
    rows += [NonDiff(n, _INSPECT) for n in ("can_cast", "finfo", "iinfo", "isdtype",
                                            "result_type", "broadcast_shapes",
                                            "__array_namespace_info__")]
    rows += [NonDiff(n, _CREATION) for n in ("arange", "empty", "empty_like", "eye", "ones",
                                             "ones_like", "zeros", "zeros_like", "full_like",
                                             "from_dlpack", "fft.fftfreq", "fft.rfftfreq")]
    return rows
