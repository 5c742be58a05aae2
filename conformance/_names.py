"""Name lists the coverage test checks: the Python Array API standard 2025.12 (main namespace,
``linalg``, ``fft``) and the NumPy names HIPS autograd differentiates. Shipped with the suite, so
it runs without array-api-strict; where that is installed the test also reads its ``__all__``.

Standard library only.
"""

from __future__ import annotations

__all__ = ["STANDARD", "STANDARD_LINALG", "STANDARD_FFT", "AUTOGRAD", "STRICT_OWN"]

#: the main namespace of the standard, 2025.12
STANDARD = (
    "fft", "linalg", "__array_api_version__", "e", "inf", "nan", "pi", "newaxis", "asarray",
    "arange", "empty", "empty_like", "eye", "from_dlpack", "full", "full_like", "linspace",
    "meshgrid", "ones", "ones_like", "tril", "triu", "zeros", "zeros_like", "astype",
    "broadcast_arrays", "broadcast_shapes", "broadcast_to", "can_cast", "finfo", "isdtype",
    "iinfo", "result_type", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
    "uint64", "float32", "float64", "complex64", "complex128", "bool", "abs", "acos", "acosh",
    "add", "asin", "asinh", "atan", "atan2", "atanh", "bitwise_and", "bitwise_left_shift",
    "bitwise_invert", "bitwise_or", "bitwise_right_shift", "bitwise_xor", "ceil", "clip", "conj",
    "copysign", "cos", "cosh", "divide", "equal", "exp", "expm1", "floor", "floor_divide",
    "greater", "greater_equal", "hypot", "imag", "isfinite", "isinf", "isnan", "less",
    "less_equal", "log", "log1p", "log2", "log10", "logaddexp", "logical_and", "logical_not",
    "logical_or", "logical_xor", "maximum", "minimum", "multiply", "negative", "nextafter",
    "not_equal", "positive", "pow", "real", "reciprocal", "remainder", "round", "sign", "signbit",
    "sin", "sinh", "square", "sqrt", "subtract", "tan", "tanh", "trunc", "take", "take_along_axis",
    "__array_namespace_info__", "matmul", "tensordot", "matrix_transpose", "vecdot", "concat",
    "expand_dims", "flip", "moveaxis", "permute_dims", "repeat", "reshape", "roll", "squeeze",
    "stack", "tile", "unstack", "argmax", "argmin", "nonzero", "count_nonzero", "searchsorted",
    "where", "unique_all", "unique_counts", "unique_inverse", "unique_values", "isin", "argsort",
    "sort", "cumulative_sum", "cumulative_prod", "max", "mean", "min", "prod", "std", "sum", "var",
    "all", "any", "diff",
)

#: the linalg extension
STANDARD_LINALG = (
    "cholesky", "cross", "det", "diagonal", "eigh", "eigvalsh", "inv", "matmul", "matrix_norm",
    "matrix_power", "matrix_rank", "matrix_transpose", "outer", "pinv", "qr", "slogdet", "solve",
    "svd", "svdvals", "tensordot", "trace", "vecdot", "vector_norm",
)

#: the fft extension
STANDARD_FFT = (
    "fft", "ifft", "fftn", "ifftn", "rfft", "irfft", "rfftn", "irfftn", "hfft", "ihfft", "fftfreq",
    "rfftfreq", "fftshift", "ifftshift",
)

#: array-api-strict's own names, not the standard's
STRICT_OWN = (
    "ArrayAPIStrictFlags", "Device", "__version__", "get_array_api_strict_flags",
    "reset_array_api_strict_flags", "set_array_api_strict_flags",
)

#: NumPy names HIPS autograd 1.9 differentiates (``linalg.`` / ``fft.``: the submodules)
AUTOGRAD = (
    "add", "subtract", "multiply", "divide", "true_divide", "power", "mod", "remainder", "maximum",
    "minimum", "fmax", "fmin", "logaddexp", "logaddexp2", "arctan2", "hypot", "negative", "abs",
    "absolute", "fabs", "reciprocal", "exp", "exp2", "expm1", "log", "log2", "log10", "log1p",
    "sqrt", "square", "sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh",
    "arcsinh", "arccosh", "arctanh", "sinc", "rad2deg", "degrees", "deg2rad", "radians", "clip",
    "nan_to_num", "real", "imag", "conj", "conjugate", "angle", "real_if_close", "sum", "prod",
    "max", "min", "amax", "amin", "cumsum", "mean", "var", "std", "reshape", "ravel", "squeeze",
    "expand_dims", "transpose", "swapaxes", "moveaxis", "rollaxis", "roll", "broadcast_to",
    "atleast_1d", "atleast_2d", "atleast_3d", "repeat", "tile", "flipud", "fliplr", "rot90", "pad",
    "diff", "gradient", "concatenate", "stack", "hstack", "vstack", "column_stack", "dstack",
    "append", "split", "array_split", "vsplit", "hsplit", "dsplit", "dot", "matmul", "tensordot",
    "inner", "outer", "einsum", "kron", "cross", "trace", "diag", "diagonal", "triu", "tril",
    "where", "sort", "partition", "full", "linspace", "array", "linalg.det", "linalg.slogdet",
    "linalg.inv", "linalg.pinv", "linalg.solve", "linalg.norm", "linalg.eigh", "linalg.eig",
    "linalg.cholesky", "linalg.svd", "fft.fft", "fft.ifft", "fft.fft2", "fft.ifft2", "fft.fftn",
    "fft.ifftn", "fft.rfft", "fft.irfft", "fft.rfft2", "fft.irfft2", "fft.rfftn", "fft.irfftn",
    "fft.fftshift", "fft.ifftshift",
)
