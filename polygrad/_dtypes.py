"""polygrad's own data types, independent of any array library, and their categories.

Imports only the standard library.
"""

from __future__ import annotations

__all__ = ["DType", "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
           "uint64", "float32", "float64", "complex64", "complex128", "ALL", "by_name"]

_builtin_bool = bool


class DType:
    """A data type of the Array API standard; backends map it to their own dtype objects.

    Compares equal to another ``DType`` of the same name, to the name as a string, and to any
    object whose ``name`` attribute is that name (a NumPy dtype, for example).
    """

    __slots__ = ("name", "kind", "itemsize")

    def __init__(self, name: str, kind: str, itemsize: int) -> None:
        self.name = name
        self.kind = kind  # "b" bool, "i" signed, "u" unsigned, "f" real floating, "c" complex
        self.itemsize = itemsize

    def __repr__(self) -> str:
        return self.name

    def __eq__(self, other: object) -> _builtin_bool:
        if other is self:
            return True
        if isinstance(other, str):
            return other == self.name
        return getattr(other, "name", None) == self.name and not isinstance(other, DType)

    def __hash__(self) -> int:
        return hash(self.name)

    @property
    def is_floating(self) -> _builtin_bool:
        return self.kind == "f" or self.kind == "c"


bool = DType("bool", "b", 1)  # noqa: A001
int8 = DType("int8", "i", 1)
int16 = DType("int16", "i", 2)
int32 = DType("int32", "i", 4)
int64 = DType("int64", "i", 8)
uint8 = DType("uint8", "u", 1)
uint16 = DType("uint16", "u", 2)
uint32 = DType("uint32", "u", 4)
uint64 = DType("uint64", "u", 8)
float32 = DType("float32", "f", 4)
float64 = DType("float64", "f", 8)
complex64 = DType("complex64", "c", 8)
complex128 = DType("complex128", "c", 16)

ALL = (bool, int8, int16, int32, int64, uint8, uint16, uint32, uint64,
       float32, float64, complex64, complex128)
_BY_NAME = {d.name: d for d in ALL}


def by_name(name: object) -> DType:
    """The polygrad DType for a DType, a name, or an object with a ``name`` (NumPy dtypes)."""
    if isinstance(name, DType):
        return name
    key = name if isinstance(name, str) else getattr(name, "name", None)
    if key is None and isinstance(name, type):
        key = {float: "float64", int: "int64", complex: "complex128",
               _builtin_bool: "bool"}.get(name)
        if key is None:
            key = getattr(name, "__name__", None)
    try:
        return _BY_NAME[key]
    except KeyError:
        raise TypeError(f"polygrad: unknown dtype {name!r}; expected one of "
                        f"{', '.join(_BY_NAME)}") from None
