"""NumPy's vector and matrix-vector products beyond the standard: vdot, matvec, vecmat; and
``vectorize``, which applies a Python function elementwise.

Compositions of differentiable functions. Imports the core and the namespace's category
modules.
"""

from __future__ import annotations

import math
from typing import Any

from . import _elementwise as ew
from . import _manipulation as mp
from . import _statistics as st
from ._helpers import Array, as_array
from ._linear_algebra import matmul
from ._promotion import promote_to_arrays
from ._data_types import astype

__all__ = ["vdot", "matvec", "vecmat", "vectorize"]


def vdot(a: Any, b: Any, /) -> Any:
    """``sum(conj(ravel(a)) * ravel(b))``: the dot product of the flattened arrays, the first
    conjugated."""
    a, b = promote_to_arrays(a, b)
    a, b = mp.reshape(a, (-1,)), mp.reshape(b, (-1,))
    if a.shape != b.shape:
        raise ValueError(f"polygrad.numpy.vdot: vectors of {a.shape[0]} and {b.shape[0]} "
                         f"elements")
    return st.sum(ew.conj(a) * b if a.dtype.kind == "c" else a * b)


def matvec(x1: Any, x2: Any, /) -> Any:
    """The matrix-vector product over the last axes (stacks broadcast): ``x1 @ x2[..., None]``."""
    x1, x2 = promote_to_arrays(x1, x2)
    return mp.squeeze(matmul(x1, mp.expand_dims(x2, axis=-1)), axis=-1)


def vecmat(x1: Any, x2: Any, /) -> Any:
    """The vector-matrix product over the last axes, the vector conjugated."""
    x1, x2 = promote_to_arrays(x1, x2)
    x1 = ew.conj(x1) if x1.dtype.kind == "c" else x1
    return mp.squeeze(matmul(mp.expand_dims(x1, axis=-2), x2), axis=-2)


class vectorize:  # noqa: N801
    """``pyfunc`` applied to each element of its broadcast array arguments (0-d Arrays in, the
    results stacked into arrays of the broadcast shape); differentiable through ``pyfunc``.

    A convenience, not a speed-up: it calls ``pyfunc`` once per element, as NumPy does.
    ``excluded`` names positional indices or keywords passed through unchanged. The generalised
    ``signature=`` form is not supported (it raises).
    """

    def __init__(self, pyfunc: Any = None, otypes: Any = None, doc: Any = None,
                 excluded: Any = None, cache: bool = False, signature: Any = None) -> None:
        if signature is not None:
            raise TypeError("polygrad.numpy.vectorize: signature= is not supported; use "
                            "pg.vmap for functions of sub-arrays")
        self.pyfunc = pyfunc
        self.otypes = otypes
        self.excluded = set(excluded or ())
        self.__doc__ = doc if doc is not None else getattr(pyfunc, "__doc__", None)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        vec = [i for i in range(len(args)) if i not in self.excluded]
        keys = [k for k in kwargs if k not in self.excluded]
        arrays = mp.broadcast_arrays(*[as_array(args[i]) for i in vec],
                                     *[as_array(kwargs[k]) for k in keys])
        shape = arrays[0].shape if arrays else ()
        flat = [mp.reshape(a, (-1,)) for a in arrays]
        results = []
        for j in range(math.prod(shape)):
            call_args = list(args)
            for n, i in enumerate(vec):
                call_args[i] = flat[n][j]
            call_kw = dict(kwargs)
            for n, k in enumerate(keys):
                call_kw[k] = flat[len(vec) + n][j]
            results.append(self.pyfunc(*call_args, **call_kw))
        if not results:
            raise ValueError("polygrad.numpy.vectorize: cannot call on size-0 inputs (the "
                             "output dtype is unknown)")
        if isinstance(results[0], tuple):
            return tuple(self._stack([r[k] for r in results], shape)
                         for k in range(len(results[0])))
        return self._stack(results, shape)

    def _stack(self, values: list, shape: tuple) -> Array:
        out = mp.reshape(mp.stack([as_array(v) for v in values]), shape)
        if self.otypes:
            out = astype(out, self.otypes[0] if not isinstance(self.otypes, str)
                         else {"d": "float64", "f": "float32", "l": "int64", "i": "int32",
                               "?": "bool", "D": "complex128"}[self.otypes[0]])
        return out
