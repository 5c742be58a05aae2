"""Reverse mode: the tape's nodes, the reverse trace, and the iterative backward pass.

Imports util, array, debug, trace and the primitive registry (for the few primitives the core
itself needs: add, sum, reshape, zeros_like), looked up by name when first used.
"""

from __future__ import annotations

import contextvars
import weakref
from collections.abc import Callable
from typing import Any

from . import _debug
from . import _ops
from ._array import Array, DifferentiationError, native_of
from ._ops import ones_like, zeros_like
from ._primitive import Primitive, defvjp
from ._trace import Trace, apply_native, bind

__all__ = ["Node", "ReverseTrace", "backward_pass", "DifferentiationError", "TAPE_LEAF", "Unit",
           "recording_trace", "unbroadcast", "add_cotangents"]


class Node:
    """One recorded primitive application (or a leaf, when ``prim`` is None)."""

    # site: where the primitive was called, set in debug mode only (see _debug.py)
    __slots__ = ("prim", "args", "params", "ans", "parents", "leaf", "site", "__weakref__")

    def __init__(self, prim: Any, args: tuple, params: Any, ans: Any, parents: tuple,
                 leaf: Any = None) -> None:
        self.prim = prim
        self.args = args
        self.params = params
        self.ans = ans
        self.parents = parents    # ((argument position, parent node), ...); None once freed
        self.leaf = leaf          # a weak reference to the Array a tape leaf writes .grad to

    def free(self) -> None:
        self.args = self.params = self.ans = None
        self.parents = None


def new_leaf(array: Any = None) -> Node:
    return Node(None, (), None, None, (), array)


# Multiple-output primitives: output j is reached through a "select" node whose VJP places
# the cotangent in slot j of a tuple; tuples of cotangents add slot by slot.
_select = Primitive("select_output")
defvjp(_select, lambda g, ans, j, n: tuple(g if k == j else None for k in range(n)))


_PLAIN = (int, float)
_SCALARS = (int, float, complex, bool)


class ReverseTrace(Trace):
    """A trace whose tracers record a graph of ``Node``s for the backward pass.

    While ``debug_nans`` is on, ``process`` also notes each node's call site (``_debug.locate``).
    ``intercept``: None, or a function ``(prim, args, params) -> result`` that takes every
    primitive reaching this trace while it is set (``checkpoint``'s window over a checkpointed
    function's run: it replaces the trace's tracers by their values and binds again); a hook in
    place of swapping the trace's class or method.
    """

    __slots__ = ("intercept",)
    kind = "grad"

    def __init__(self) -> None:
        super().__init__()
        self.intercept: Callable | None = None

    def process(self, prim: Any, args: tuple, params: dict) -> Any:
        if self.intercept is not None:
            return self.intercept(prim, args, params)
        # Two paths. The fast one takes the calls almost every program makes: one or two
        # arguments, each a tracer of this trace over a concrete value, a concrete array or a
        # Python int/float (f(x), x * 2.0, 1 - x, x @ w, z + b), with one output. It skips the
        # general path's per-argument loop and lists (tape leaves, host data, tracers of other
        # traces, multiple outputs), which costs about a third more per primitive on case A of
        # benchmarks/ (a chain of cheap elementwise operations). It calls the kernel itself, as
        # apply_native would (falling back to it while the kernel is unresolved or debug mode
        # is on): one call fewer per primitive, 5% of case A's instructions (42,400 -> 40,400
        # per primitive, cachegrind).
        n = len(args)
        if n < 3 and not prim.multiple_results:
            a = args[0]
            if n == 1:   # f(x)
                if type(a) is Array and a._trace is self:
                    pa = a._v
                    if pa._trace is None:
                        backend = pa._backend
                        kernel = prim.resolved.get(backend)   # apply_native, written out
                        if kernel is None or _debug.ON:
                            ans = apply_native(prim, backend, (pa._v,), params)
                        else:
                            ans = Array(kernel(pa._v, **params), backend)
                        out = Array(ans, backend, self, Node(prim, (pa,), params, ans,
                                                             ((0, a._aux),)))
                        if _debug.ON:
                            _debug.locate(out)
                        return out
            else:
                b = args[1]
                pa = None
                if type(a) is Array:
                    ta = a._trace
                    if ta is self:
                        pa = a._v
                        if type(b) is Array:
                            tb = b._trace
                            if tb is self:   # x * y
                                pb = b._v
                                parents = ((0, a._aux), (1, b._aux))
                            elif tb is None:   # x @ w, w a concrete array
                                pb = b
                                parents = ((0, a._aux),)
                            else:
                                pa = None
                            if pa is not None:
                                if pa._trace is None and pb._trace is None and \
                                        pb._backend is pa._backend:
                                    natives = (pa._v, pb._v)
                                else:
                                    pa = None
                        elif type(b) in _PLAIN and pa._trace is None:   # x * 2.0
                            pb = b
                            parents = ((0, a._aux),)
                            natives = (pa._v, b)
                        else:
                            pa = None
                    elif ta is None and type(b) is Array and b._trace is self:   # w @ x
                        pb = b._v
                        if pb._trace is None and pb._backend is a._backend:
                            pa = a
                            parents = ((1, b._aux),)
                            natives = (a._v, pb._v)
                elif type(a) in _PLAIN and type(b) is Array and b._trace is self:   # 1 - x
                    pb = b._v
                    if pb._trace is None:
                        pa = a
                        parents = ((1, b._aux),)
                        natives = (a, pb._v)
                if pa is not None:
                    backend = pb._backend if type(pb) is Array else pa._backend
                    kernel = prim.resolved.get(backend)
                    if kernel is None or _debug.ON:
                        ans = apply_native(prim, backend, natives, params)
                    else:
                        ans = Array(kernel(*natives, **params), backend)
                    out = Array(ans, backend, self, Node(prim, (pa, pb), params, ans, parents))
                    if _debug.ON:
                        _debug.locate(out)
                    return out
        primals = list(args)
        parents = []
        natives = []      # filled while every argument is concrete one level down
        backend = None
        i = 0
        for a in args:
            if type(a) is Array:
                t = a._trace
                if t is self:
                    p = primals[i] = a._v
                    parents.append((i, a._aux))
                elif t is TAPE_LEAF and _recording.get() is self:
                    p, node = _tape_leaf(a, self)
                    primals[i] = p
                    parents.append((i, node))
                else:
                    p = a
                if natives is not None:
                    if p._trace is None and (backend is None or p._backend is backend):
                        backend = p._backend
                        natives.append(p._v)
                    else:
                        natives = None
            elif natives is not None:
                if a is None or type(a) in _SCALARS:
                    natives.append(a)
                else:   # host data (a NumPy array, a list): bind converts it
                    natives = None
            i += 1
        primals = tuple(primals)
        if natives is None or backend is None:
            ans = bind(prim, primals, params)
        else:
            ans = apply_native(prim, backend, natives, params)
        node = Node(prim, primals, params, ans, tuple(parents))
        if prim.multiple_results:
            n = len(ans)
            out = tuple(Array(o, o._backend, self, Node(_select, (j, n), {}, o, ((0, node),)))
                        for j, o in enumerate(ans))
        else:
            out = Array(ans, backend or ans._backend, self, node)
        if _debug.ON:
            _debug.locate(out)
        return out


class RecordTrace(ReverseTrace):
    __slots__ = ()
    kind = "record"


def _tape_leaf(a: Array, trace: ReverseTrace) -> tuple[Array, Node]:
    cached = a._aux
    if cached is None or cached[0] is not trace:
        # the node refers to ``a`` weakly: a strong reference would be a cycle through a._aux
        cached = (trace, Array(a._v, a._backend), new_leaf(weakref.ref(a)))
        a._aux = cached
    return cached[1], cached[2]


class _TapeLeafTrace:
    """The trace of arrays with ``attach_grad()``: they join whichever ``record()`` is active."""

    __slots__ = ()
    kind = "record leaf"
    symbolic = False   # as Trace's: see _trace.bind
    batching = False

    @property
    def active(self) -> bool:
        return _recording.get() is not None

    @property
    def level(self) -> int:
        return _recording.get().level

    def process(self, prim: Any, args: tuple, params: dict) -> Any:
        return _recording.get().process(prim, args, params)

    def describe(self) -> str:
        return "record (attach_grad leaf)"


TAPE_LEAF = _TapeLeafTrace()
_recording: contextvars.ContextVar[RecordTrace | None] = contextvars.ContextVar(
    "polygrad_recording", default=None)


def recording_trace() -> RecordTrace | None:
    return _recording.get()


# -- the backward pass ------------------------------------------------------------------------
def backward_pass(ends: list[tuple[Node, Any]], retain: bool = False) -> dict[Node, Any]:
    """Propagate cotangents from ``ends`` [(node, g)] to every leaf: {leaf node: cotangent}.

    Iterative (no recursion), in reverse topological order, freeing each node's saved values
    once its cotangent has been consumed unless ``retain``.
    """
    if len(ends) == 1 and type(ends[0][1]) is Unit:
        ends = _unit_seed(*ends[0], retain)
        if len(ends) == 1 and ends[0][0].prim is None:   # grad of a unary function's input
            return dict(ends)
    root = Node(None, (), None, None, tuple((0, node) for node, _ in ends))
    counts: dict[Node, int] = {}
    stack = [root]
    while stack:
        node = stack.pop()
        if node in counts:
            counts[node] += 1
            continue
        if node.parents is None:
            raise DifferentiationError(
                "Array.backward: the graph behind this array was freed by an earlier "
                "backward(); pass retain_graph=True to the first backward() to differentiate "
                "it twice")
        counts[node] = 1
        for _, parent in node.parents:
            stack.append(parent)
    if _debug.ON and _debug.enabled():
        token = _debug.enter_backward()
        try:
            return _propagate(root, ends, counts, retain, True)
        finally:
            _debug.leave(token)
    return _propagate(root, ends, counts, retain, False)


class Unit:
    """The seed of ``grad``: a cotangent of ones like ``value``, made only where needed.

    A unary elementwise output node seeded with it hands ``f'(x)`` straight to its argument
    instead of ``ones * f'(x)``: one product fewer, and under nested ``grad`` (higher-order
    derivatives) one node fewer at every outer level, which compounds.
    """

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


def _unit_seed(node: Node, unit: Unit, retain: bool) -> list:
    """The ends [(node, cotangent)] of a backward pass seeded with ones at ``node``.

    Where every rule of ``node``'s primitive has a ``unit`` (the cotangent it gives for a
    cotangent of ones), the pass starts at ``node``'s parents with those; otherwise at ``node``
    with an array of ones.
    """
    prim = node.prim
    parents = node.parents
    if prim is not None and parents is not None and not (_debug.ON and _debug.enabled()):
        vjps = prim.vjps
        units = [getattr(vjps[i], "unit", None) if i < len(vjps) else None for i, _ in parents]
        if None not in units:
            args, params, ans = node.args, node.params, node.ans
            ends = []
            for (i, parent), derivative in zip(parents, units):
                c = derivative(ans, *args, **params)
                arg = args[i]
                if prim.broadcasts:
                    c = unbroadcast(c, arg)
                if type(c) is not Array or native_of(c).dtype != native_of(ans).dtype or \
                        c.shape != arg.shape:
                    break   # (say, a promoted argument) seeded with ones, as any other node
                ends.append((parent, c))
            else:
                if not retain:
                    node.args = node.ans = node.parents = None
                return ends
    return [(node, ones_like(unit.value))]


def _propagate(root: Node, ends: list, counts: dict, retain: bool, debug: bool
               ) -> dict[Node, Any]:
    cotangents: dict[Node, Any] = {}
    for node, g in ends:
        old = cotangents.get(node)
        cotangents[node] = g if old is None else add_cotangents(old, g)
    leaves: dict[Node, Any] = {}
    ready = [root]
    while ready:
        node = ready.pop()
        g = cotangents.pop(node, None)
        parents = node.parents
        prim = node.prim
        if prim is None and node is not root:
            leaves[node] = g
            continue
        if g is not None and prim is not None:
            if type(g) is tuple:
                g = _fill_zeros(g, node.ans)
            args, params, ans = node.args, node.params, node.ans
            vjps = prim.vjps
            for i, parent in parents:
                rule = vjps[i] if i < len(vjps) else None
                if rule is None:
                    raise DifferentiationError(f"polygrad: {prim.name} has no derivative with "
                                               f"respect to its argument {i}")
                if debug:
                    c = _debug.vjp(rule, node, i, g, ans, args, params)
                else:
                    c = rule(g, ans, *args, **params)
                if c is None:
                    continue
                arg = args[i]
                if type(c) is not Array and type(c) is not tuple:
                    raise _not_an_array("VJP", prim, i, c)
                if type(c) is not Array or type(arg) is not Array or type(c._v) is Array or \
                        type(arg._v) is Array or c._v.shape != arg._v.shape:
                    # (not two concrete arrays of one shape, the usual case: checked here inline)
                    c = unbroadcast(c, arg) if prim.broadcasts else _checked(c, arg, prim, i)
                old = cotangents.get(parent)
                if old is None:
                    cotangents[parent] = c
                else:
                    c = cotangents[parent] = add_cotangents(old, c)
                    if debug:
                        _debug.check_sum(c, parent)
        if not retain:
            node.args = node.ans = node.parents = None
        for _, parent in parents:
            left = counts[parent] - 1
            if left:
                counts[parent] = left
            else:
                ready.append(parent)
    return leaves


def _not_an_array(kind: str, prim: Any, i: int, c: Any) -> DifferentiationError:
    from ._util import describe

    what = "cotangent" if kind == "VJP" else "tangent"
    return DifferentiationError(
        f"polygrad: the {kind} rule of {prim.name} for argument {i} returned a {describe(c)}; "
        f"a rule must return a polygrad Array (the {what}) or None for zero. Compute it with "
        f"polygrad.numpy functions, which keeps the rule differentiable, or wrap host data "
        f"with np.asarray(value) (its derivative is then cut)")


def _fill_zeros(g: tuple, ans: Any) -> Any:
    if not isinstance(ans, tuple):   # a select node: pass the tuple through
        return g
    return tuple(zeros_like(a) if c is None else c for c, a in zip(g, ans))


def add_cotangents(a: Any, b: Any) -> Any:
    if type(a) is tuple:
        return tuple(y if x is None else x if y is None else x + y for x, y in zip(a, b))
    return a + b


def _checked(c: Any, arg: Any, prim: Any, i: int) -> Any:
    """A rule's cotangent must have its argument's shape: a wrong rule fails loudly here."""
    if type(c) is not Array or type(arg) is not Array:   # tuples of multiple-output nodes
        return c
    cv, av = c._v, arg._v
    if type(cv) is not Array and type(av) is not Array and cv.shape == av.shape:
        return c
    if c.shape != arg.shape:
        raise DifferentiationError(
            f"polygrad: the VJP rule of {prim.name} for argument {i} returned a cotangent of "
            f"shape {c.shape}, but that argument has shape {arg.shape}")
    return c


def unbroadcast(c: Any, arg: Any) -> Any:
    """Sum cotangent ``c`` back to the shape of ``arg`` (undoing broadcasting, once, here)."""
    if type(arg) is not Array:
        return c
    cv, av = c._v, arg._v
    if type(cv) is not Array and type(av) is not Array and cv.shape == av.shape:
        return c
    shape = arg.shape
    cshape = c.shape
    if cshape == shape:
        return c
    lead = len(cshape) - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, d in enumerate(shape) if d == 1 and cshape[lead + i] != 1)
    if axes:
        c = _ops.sum(c, axes)
    if c.shape != shape:
        if c.size != _size(shape):
            raise DifferentiationError(
                f"polygrad: a cotangent of shape {cshape} cannot be summed to its argument's "
                f"shape {shape}")
        c = _ops.reshape(c, shape)
    return c


def _size(shape: tuple) -> int:
    n = 1
    for d in shape:
        n *= d
    return n
