"""Kernels that ``pg.jit`` on torch records as one opaque operation: a torch custom operator.

The iterative kernels of ``polygrad.special`` (the inverses of the incomplete gamma and beta
functions, their derivatives in the shapes) read values to stop once converged, and the ones
that copy to SciPy through the host (``ive``, ``betainc``, j0 ...) need real data: neither can
run on the fake tensors ``make_fx`` traces with. Wrapped in the custom operator
``polygrad::special_kernel``, the kernel is one node of the traced graph (its fake version only
gives the output's shape and dtype), ``torch.compile`` leaves it opaque, and at run time the same
kernel as in eager mode runs on the real tensors: the values are the eager ones, on any device.
(Unrolling the loops instead would make graphs of ~1e5 operations for the inverses.) Loaded by
``TorchBackend.kernels`` only. Imports ``polygrad.extend`` and, lazily, torch.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from polygrad.extend import default_kernel

__all__ = ["opaque"]

_KERNELS: dict[str, Callable] = {}   # name -> the eager kernel the operator runs
_OP: list = []                       # the custom operator, defined on first use


def _operator() -> Any:
    if _OP:
        return _OP[0]
    import torch

    if hasattr(torch.ops.polygrad, "special_kernel"):   # this module loaded a second time
        _OP.append(torch.ops.polygrad.special_kernel)
        return _OP[0]

    # (the schema is given: the annotations are strings here, from __future__ import annotations)
    @torch.library.custom_op("polygrad::special_kernel", mutates_args=(),
                             schema="(str name, Tensor[] args) -> Tensor")
    def special_kernel(name, args):
        # (the kernels of the module now loaded, should it have been loaded again)
        out = sys.modules[__name__]._KERNELS[name](*args)
        # an operator's output may not alias its inputs
        return out.clone() if any(out is a for a in args) else out

    @special_kernel.register_fake
    def _(name, args):
        # the arguments broadcast (pg.vmap may batch one of them only); one floating dtype
        shape = torch.broadcast_shapes(*(a.shape for a in args))
        return args[-1].new_empty(shape)

    _OP.append(special_kernel)
    return special_kernel


def opaque(name: str, kernel: Callable[[Any], Callable] | None = None
           ) -> Callable[[Any], Callable]:
    """A kernel factory for ``polygrad.special.<name>`` running ``kernel(xp)`` (default: the
    portable kernel, ``default_kernel(name, xp)``) inside the custom operator, arrays only
    (in the function's argument order)."""
    def factory(xp: Any) -> Callable:
        _KERNELS.setdefault(name, (kernel or (lambda xp: default_kernel(name, xp)))(xp))
        op = _operator()
        return lambda *args: op(name, list(args))
    return factory
