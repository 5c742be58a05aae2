"""Forward mode: the JVP trace, whose tracers carry a tangent beside their value.

Imports array, debug, trace and the primitive registry.
"""

from __future__ import annotations

from typing import Any

from . import _debug
from ._array import Array
from ._ops import broadcast_to
from ._trace import Trace, bind

__all__ = ["ForwardTrace"]


class ForwardTrace(Trace):
    """A trace whose tracers carry tangents (``_aux``); None stands for a zero tangent."""

    __slots__ = ()
    kind = "jvp"

    def process(self, prim: Any, args: tuple, params: dict) -> Any:
        primals = list(args)
        tangents = []
        for i, a in enumerate(args):
            if type(a) is Array and a._trace is self:
                primals[i] = a._v
                tangents.append((i, a._aux))
        primals = tuple(primals)
        ans = bind(prim, primals, params)
        jvps = prim.jvps
        debug = _debug.ON
        out = None
        for i, t in tangents:
            if t is None:
                continue
            rule = jvps[i] if i < len(jvps) else None
            if rule is None:
                from ._reverse import DifferentiationError

                raise DifferentiationError(
                    f"polygrad: {prim.name} has no forward derivative (JVP) with respect to "
                    f"its argument {i}")
            if debug:
                c = _debug.jvp(rule, prim, i, t, ans, primals, params)
            else:
                c = rule(t, ans, *primals, **params)
            if c is None:
                continue
            if type(c) is not Array and type(c) is not tuple:
                from ._reverse import _not_an_array

                raise _not_an_array("JVP", prim, i, c)
            if out is None:
                out = c
            elif prim.multiple_results:
                out = tuple(x if y is None else y if x is None else x + y for x, y in zip(out, c))
            else:
                out = out + c
        if prim.multiple_results:
            out = out or (None,) * len(ans)
            return tuple(o if t is None else Array(o, o._backend, self, t)
                         for o, t in zip(ans, out))
        if out is None:
            return ans
        if out.shape != ans.shape:
            if not prim.broadcasts:
                from ._reverse import DifferentiationError

                raise DifferentiationError(
                    f"polygrad: the JVP rule of {prim.name} returned a tangent of shape "
                    f"{out.shape}, but its output has shape {ans.shape}")
            out = broadcast_to(out, ans.shape)
        return Array(ans, ans._backend, self, out)
