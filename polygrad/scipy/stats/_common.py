"""What every distribution of ``polygrad.scipy.stats`` shares: SciPy's ways of passing shape
parameters, ``loc`` and ``scale`` (by position after the data, or by keyword), and its message for
a method not provided.

Imports ``polygrad.numpy``.
"""

from __future__ import annotations

from typing import Any

from ... import numpy as np
from ..._array import Array
from ..._backend import get_backend, get_default_dtype, use_backend
from ..._dtypes import result_type

__all__ = ["Distribution", "outside_nan", "prepare"]

_SCIPY_METHODS = ("logpdf", "pdf", "cdf", "logcdf", "sf", "logsf", "ppf", "isf", "logpmf", "pmf",
                  "rvs", "mean", "var", "std", "entropy", "moment", "stats", "median",
                  "interval", "fit")


class Distribution:
    """A distribution object with SciPy's method names (``norm.logpdf(x, loc, scale)``)."""

    name: str = ""
    shapes: tuple[str, ...] = ()          # shape parameters, in SciPy's order
    params: tuple[str, ...] = ()          # then loc (and scale), with their defaults
    defaults: tuple[float, ...] = ()

    def _parse(self, method: str, args: tuple, kwds: dict) -> tuple[tuple, tuple]:
        names = self.shapes + self.params
        if len(args) > len(names):
            raise TypeError(f"polygrad.scipy.stats.{self.name}.{method} takes at most "
                            f"{len(names)} parameters after the data ({', '.join(names)}), "
                            f"got {len(args)}")
        values = dict(zip(names, args))
        for key, value in kwds.items():
            if key not in names:
                raise TypeError(f"polygrad.scipy.stats.{self.name}.{method} got an unexpected "
                                f"keyword {key!r}; its parameters are {', '.join(names)}")
            if key in values:
                raise TypeError(f"polygrad.scipy.stats.{self.name}.{method} got {key!r} twice")
            values[key] = value
        missing = [n for n in self.shapes if n not in values]
        if missing:
            raise TypeError(f"polygrad.scipy.stats.{self.name}.{method} needs the shape "
                            f"parameter{'s' if len(missing) > 1 else ''} {', '.join(missing)}")
        shapes = tuple(values[n] for n in self.shapes)
        rest = tuple(values.get(n, d) for n, d in zip(self.params, self.defaults))
        return shapes, rest

    def __getattr__(self, attr: str) -> Any:
        if attr in _SCIPY_METHODS:
            raise AttributeError(f"polygrad.scipy.stats.{self.name} has no {attr} yet (SciPy's "
                                 f"has); the methods it has: {', '.join(self._methods())}")
        raise AttributeError(attr)

    def _methods(self) -> list[str]:
        return [m for m in _SCIPY_METHODS if callable(getattr(type(self), m, None))]

    def __repr__(self) -> str:
        return f"<polygrad.scipy.stats.{self.name}: {', '.join(self._methods())}>"


def outside_nan(value: Any, valid: Any) -> Any:
    """``value`` where ``valid`` holds, NaN elsewhere (SciPy's answer for invalid parameters);
    free when ``valid`` is the Python ``True`` of default parameters."""
    if valid is True:
        return value
    return np.where(valid, value, np.nan)


def prepare(*values: Any) -> list:
    """``values`` (data and parameters) as Arrays of one floating dtype on one backend: the first
    Array's backend (else the current one), the floating dtypes of the Arrays among them promoted
    (else the backend's default float). Python numbers take that dtype rather than the default's,
    so ``norm.logpdf(x, 0.3, 1.7)`` with float64 ``x`` is float64 on torch too."""
    arrays = [v for v in values if isinstance(v, Array)]
    backend = arrays[0]._backend if arrays else get_backend()
    floats = [a.dtype for a in arrays if np.isdtype(a.dtype, "real floating")]
    dtype = result_type(*floats) if floats else get_default_dtype(backend)
    with use_backend(backend):
        return [np.astype(v, dtype) if isinstance(v, Array) and v.dtype != dtype
                else v if isinstance(v, Array) else np.asarray(v, dtype=dtype) for v in values]
