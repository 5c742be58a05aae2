"""polygrad: differentiate NumPy-style code and run it on any Array API library.

Examples
--------
>>> import polygrad as pg
>>> import polygrad.numpy as np
>>> float(pg.grad(lambda x: np.sum(np.tanh(x)))(0.0))
1.0
"""

from __future__ import annotations

from . import numpy  # noqa: F401
from . import optimizers, tree  # noqa: F401
from ._array import Array
from ._backend import (BackendUnavailable, backends, get_backend, get_default_dtype, set_backend,
                       set_default_dtype, use_backend)
from ._convert import asarray
from ._debug import debug_nans
from ._lazy import compute
from ._checkpoint import checkpoint
from ._control import cond, fori_loop, scan
from ._custom import custom_jvp, custom_vjp
from ._fixed_point import fixed_point
from ._compiler import ConcretizationError
from ._jit import jit
from ._batching import BatchingError, vmap
from ._graph import make_graph
from ._operators import (elementwise_grad, grad, grad_and_loss, hessian, hvp,
                         jacfwd, jacobian, jacrev, jvp, value_and_grad, vjp)
from ._reverse import DifferentiationError
from ._tape import is_recording, pause, record
from ._trace import MixedBackendError
from .numpy import stop_gradient



def __getattr__(name: str) -> str:
    """``__version__``, read once from the installed package's metadata (pyproject.toml holds
    the one copy of the version)."""
    if name != "__version__":
        raise AttributeError(f"module 'polygrad' has no attribute {name!r}")
    from importlib import metadata

    try:
        version = metadata.version("polygrad")
    except metadata.PackageNotFoundError:   # a source tree on sys.path, never installed
        version = "0+unknown"
    globals()["__version__"] = version
    return version


__all__ = ["Array", "asarray", "grad", "value_and_grad", "grad_and_loss", "elementwise_grad",
           "vjp", "jvp", "jacobian", "jacrev", "jacfwd", "hessian", "hvp", "checkpoint",
           "stop_gradient", "record",
           "pause", "is_recording", "set_backend", "use_backend", "get_backend", "backends",
           "set_default_dtype", "get_default_dtype", "BackendUnavailable", "MixedBackendError",
           "DifferentiationError", "debug_nans", "jit", "make_graph", "cond", "fori_loop", "scan",
           "ConcretizationError", "compute", "numpy", "optimizers", "tree", "custom_vjp",
           "custom_jvp", "fixed_point", "vmap", "BatchingError"]
