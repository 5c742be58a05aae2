"""NumPy 2.x public names that ``polygrad.numpy`` deliberately does not provide, with reasons.

Read by the test that checks every public name of NumPy's main namespace, ``linalg``, ``fft``
and ``random`` exists here, and listed in the migration guide. Imports nothing.
"""

from __future__ import annotations

__all__ = ["OMITTED"]

_IO = "file and buffer I/O: read or write with NumPy, then np.asarray(...) / x.asnumpy()"
_PRINT = ("printing: polygrad arrays print through NumPy, so numpy.set_printoptions and the "
          "like already apply; call NumPy's formatters on x.asnumpy()")
_DATETIME = "dates and times: no datetime dtypes in the Array API standard or its backends"
_STRINGS = "string, bytes, object and structured dtypes: no backend has them"
_EXTENDED = ("extended precision: no backend has it (float64 / complex128 are the widest); "
             "longdouble / clongdouble are provided as float64 / complex128")
_CODES = "NumPy's one-letter type codes and type registries: polygrad dtypes have none"
_LAYOUT = "memory sharing and iteration over NumPy's buffers: backends own their memory"
_CLASSES = ("NumPy-specific array classes (matrix, memmap, record arrays, poly1d): use Arrays "
            "and the functions (np.polyval, ...)")
_META = "information about the NumPy installation itself"
_UFUNC = ("NumPy's ufunc machinery: polygrad's functions are plain functions (no .reduce / "
          ".outer); use np.vectorize or pg.vmap for Python functions")
_BITGEN = ("NumPy's bit-generator classes: polygrad streams are the backend's; seed with "
           "RandomState(seed) / default_rng(seed) (on the numpy backend these are NumPy's)")

OMITTED: dict[str, dict[str, str]] = {
    "numpy": {
        **dict.fromkeys(["load", "save", "savez", "savez_compressed", "loadtxt", "savetxt",
                         "genfromtxt", "fromfile", "fromregex", "fromstring", "frombuffer",
                         "memmap"], _IO),
        **dict.fromkeys(["array2string", "array_repr", "array_str", "format_float_positional",
                         "format_float_scientific", "get_printoptions", "set_printoptions",
                         "printoptions"], _PRINT),
        **dict.fromkeys(["datetime64", "timedelta64", "datetime_as_string", "datetime_data",
                         "busday_count", "busday_offset", "busdaycalendar", "is_busday",
                         "isnat"], _DATETIME),
        **dict.fromkeys(["bytes_", "str_", "character", "flexible", "void", "object_",
                         "record", "recarray"], _STRINGS),
        **dict.fromkeys(["float128", "complex256"], _EXTENDED),
        **dict.fromkeys(["typecodes", "sctypeDict", "ScalarType", "typename", "mintypecode",
                         "min_scalar_type"], _CODES),
        **dict.fromkeys(["may_share_memory", "shares_memory", "nditer", "nested_iters",
                         "flatiter", "broadcast", "getbufsize", "setbufsize"], _LAYOUT),
        **dict.fromkeys(["matrix", "asmatrix", "bmat", "poly1d"], _CLASSES),
        **dict.fromkeys(["show_config", "show_runtime", "get_include", "info", "test"], _META),
        **dict.fromkeys(["ufunc", "frompyfunc"], _UFUNC),
    },
    "numpy.linalg": {"test": _META},
    "numpy.fft": {"test": _META},
    "numpy.random": {
        **dict.fromkeys(["BitGenerator", "MT19937", "PCG64", "PCG64DXSM", "Philox", "SFC64",
                         "SeedSequence", "get_bit_generator", "set_bit_generator"], _BITGEN),
        "test": _META,
    },
}
