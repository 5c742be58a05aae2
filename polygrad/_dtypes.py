"""polygrad's own data types, independent of any array library, and their categories.

Imports only the standard library and the operation table (``_optable``: ``DType.__call__``
reaches the namespace's ``astype`` and ``asarray`` there).
"""

from __future__ import annotations

from typing import Any

from ._optable import OPS

__all__ = ["DType", "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
           "uint64", "float16", "float32", "float64", "complex64", "complex128", "ALL", "by_name",
           "result_type", "weak_result", "can_cast"]

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

    def __call__(self, value: Any = 0, /) -> Any:
        """NumPy's scalar types are functions too: ``np.float32(x)`` casts ``x``.

        An Array is cast with ``astype`` (differentiable between floating dtypes) and stays on
        its backend; anything else becomes an Array (0-d for a scalar) on the current backend.
        The namespace sits above this module: its ``astype`` and ``asarray`` are read from
        the core's operation table (``_optable.OPS``), which it fills at import.

        Examples
        --------
        >>> import polygrad as pg, polygrad.numpy as np
        >>> np.float32(1.5).dtype == np.float32
        True
        >>> float(pg.grad(lambda x: np.float32(x) * 2.0)(np.asarray(1.0)))
        2.0
        """
        from ._array import Array   # the core's, which imports this module

        if isinstance(value, Array):
            return OPS.astype(value, self)
        return OPS.asarray(value, dtype=self)


bool = DType("bool", "b", 1)  # noqa: A001
int8 = DType("int8", "i", 1)
int16 = DType("int16", "i", 2)
int32 = DType("int32", "i", 4)
int64 = DType("int64", "i", 8)
uint8 = DType("uint8", "u", 1)
uint16 = DType("uint16", "u", 2)
uint32 = DType("uint32", "u", 4)
uint64 = DType("uint64", "u", 8)
float16 = DType("float16", "f", 2)   # not the standard's: NumPy's, torch's and JAX's half
float32 = DType("float32", "f", 4)
float64 = DType("float64", "f", 8)
complex64 = DType("complex64", "c", 8)
complex128 = DType("complex128", "c", 16)

ALL = (bool, int8, int16, int32, int64, uint8, uint16, uint32, uint64,
       float16, float32, float64, complex64, complex128)
_BY_NAME = {d.name: d for d in ALL}


def _aliases() -> dict[str, DType]:
    """NumPy's other spellings of these dtypes: type codes (``'f8'``, ``'d'``), C names
    (``'double'``, ``'intc'``) and Python's (``'float'``), as ``numpy.dtype`` reads them on a
    64-bit Linux or macOS (``long`` is int64). ``longdouble`` / ``clongdouble`` are float64 /
    complex128: no backend has extended precision, and that is NumPy's own long double on
    Windows and macOS on ARM."""
    groups = {
        bool: "? b1 bool_", int8: "i1 b byte", int16: "i2 h short", int32: "i4 i intc",
        int64: "i8 l q p int int_ intp long longlong", uint8: "u1 B ubyte",
        uint16: "u2 H ushort", uint32: "u4 I uintc",
        uint64: "u8 L Q P uint uintp ulong ulonglong", float16: "f2 e half",
        float32: "f4 f single", float64: "f8 d double float g longdouble",
        complex64: "c8 F csingle", complex128: "c16 D cdouble complex G clongdouble"}
    return {alias: d for d, names in groups.items() for alias in names.split()}


_ALIASES = _aliases()
_EXTENDED = ("float96", "float128", "complex192", "complex256", "f12", "f16", "c24", "c32")


def by_name(name: object) -> DType:
    """The polygrad DType for a DType, a name, or an object with a ``name`` (NumPy dtypes);
    NumPy's other spellings (``'f8'``, ``'double'``, ``numpy.half``) are read as NumPy does."""
    if isinstance(name, DType):
        return name
    key = name if isinstance(name, str) else getattr(name, "name", None)
    if key is None and isinstance(name, type):
        key = {float: "float64", int: "int64", complex: "complex128",
               _builtin_bool: "bool"}.get(name)
        if key is None:
            key = getattr(name, "__name__", None)
    try:
        return _BY_NAME[key]  # type: ignore[index]   # None or a non-str: the KeyError below
    except KeyError:
        pass
    if isinstance(key, str):
        short = key[1:] if key[:1] in "<=|" and len(key) > 1 else key   # '<f8': native order
        if short in _ALIASES:
            return _ALIASES[short]
        if short in _EXTENDED:
            raise TypeError(f"polygrad: unknown dtype {name!r}: no backend has extended "
                            f"precision (float64 / complex128 are the widest)")
    raise TypeError(f"polygrad: unknown dtype {name!r}; expected one of "
                    f"{', '.join(_BY_NAME)}")


# -- type promotion: polygrad's own, the same on every backend ----------------------------------
# Within a kind (bool, signed, unsigned, real floating, complex) and between signed and unsigned
# integers, and between real and complex floating, this is the Array API standard's table. Where
# the standard is silent, NumPy 2's choices: bool promotes to any other dtype; uint64 with a
# signed integer gives float64; an integer with a floating dtype gives the floating dtype wide
# enough for the integer's values (float16 for (u)int8, float32 for (u)int16, float64 for wider
# ones), e.g. int64 + float32 -> float64 (torch and JAX would say float32), int8 + float16 ->
# float16. float16 (not a dtype of the standard) promotes as NumPy 2's: with a wider floating
# dtype it gives that one, with a complex dtype complex64 (there is no complex32).
_SIGNED = {1: int8, 2: int16, 4: int32, 8: int64}
_UNSIGNED = {1: uint8, 2: uint16, 4: uint32, 8: uint64}
_REAL = {2: float16, 4: float32, 8: float64}
_COMPLEX = {8: complex64, 16: complex128}


def _float_size(d: DType) -> int:
    """The itemsize of the narrowest real floating dtype holding ``d``'s values (and precision)."""
    if d.kind == "c":
        return d.itemsize // 2
    if d.kind == "f":
        return d.itemsize
    return 2 if d.itemsize == 1 else 4 if d.itemsize == 2 else 8


def _promote(a: DType, b: DType) -> DType:
    if a is b or b.kind == "b":
        return a
    if a.kind == "b":
        return b
    if a.kind in "iu" and b.kind in "iu":
        if a.kind == b.kind:
            return a if a.itemsize >= b.itemsize else b
        signed, unsigned = (a, b) if a.kind == "i" else (b, a)
        if signed.itemsize > unsigned.itemsize:
            return signed
        return _SIGNED.get(2 * unsigned.itemsize, float64)   # uint64 with a signed: float64
    size = max(_float_size(a), _float_size(b))
    return _COMPLEX[max(8, 2 * size)] if "c" in (a.kind, b.kind) else _REAL[size]


_TABLE = {(a.name, b.name): _promote(a, b) for a in ALL for b in ALL}


def result_type(*dtypes: DType) -> DType:
    """The dtype that combining arrays of ``dtypes`` gives (see the table's rules above)."""
    out = dtypes[0]
    for d in dtypes[1:]:
        out = _TABLE[out.name, d.name]
    return out


def can_cast(from_: DType, to: DType) -> _builtin_bool:
    """Whether ``from_`` casts to ``to`` without loss: promoting the two gives ``to``."""
    return _TABLE[from_.name, to.name] is to


def weak_result(dtype: DType, scalar: object, default_float: DType) -> DType:
    """The dtype of an array of ``dtype`` combined with a Python scalar (NumPy 2, NEP 50).

    The scalar is *weak*: it takes the array's dtype when that is of its kind or a higher one
    (a float with float32 stays float32, an int with int8 stays int8). A bool array with an int
    gives int64; an integer or bool array with a float gives ``default_float``, with a complex
    the complex dtype of ``default_float``'s precision; a real array with a complex gives the
    complex dtype of its own precision. Values the dtype cannot hold are the backend's concern.
    """
    kind = dtype.kind
    if isinstance(scalar, _builtin_bool) or kind == "c":
        return dtype
    if isinstance(scalar, int):
        return int64 if kind == "b" else dtype
    if isinstance(scalar, float):
        return dtype if kind == "f" else default_float
    if kind == "f":
        return _COMPLEX[max(8, 2 * dtype.itemsize)]   # float16 with a complex: complex64
    return _COMPLEX[max(8, 2 * default_float.itemsize)]
