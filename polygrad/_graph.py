"""``make_graph``: the program a polygrad function computes, as a list of primitive applications.

A :class:`GraphTrace` is one more trace level: its tracers hold a :class:`Var` (a shape, a dtype
and a device, never a value), and each primitive bound on them is recorded as an :class:`Eqn`
instead of being run. Output shapes and dtypes come from running the backend's kernel once on
stand-in arrays of ones (with the identity added to square matrices, so that inverses and
factorisations exist) — or, on ``pg.jit``'s first call, on the caller's arrays, whose results
are then that call's results — and the traced Python never sees a value. The
:class:`Graph` prints one line per primitive (as ``jax.make_jaxpr`` does), draws itself as
Graphviz source, is optimised by the passes in this module, and runs as generated straight-line
Python that calls the backend's kernels directly (the replay mode of ``pg.jit``). Imports util,
sizes, array, backend, trace, primitive and compiler.
"""

from __future__ import annotations

import contextlib
import contextvars
import itertools
import math
from collections.abc import Callable, Sequence
from typing import Any

from ._array import Array, native_of
from ._backend import Backend, get_backend
from ._compiler import Compiler, ConcretizationError, reads_value, value_message
from ._primitive import Primitive, primitives
from ._sizes import SYMBOLIC as _SYM
from ._sizes import Sizes, SymFloat, SymInt, evaluate
from ._sizes import current as _sizes
from ._trace import MixedBackendError, Trace, kernel_for, trace_scope
from ._util import tree_flatten, tree_unflatten

__all__ = ["make_graph", "Graph", "Eqn", "Var", "Const", "GraphTrace", "optimize"]

_SCALARS = (int, float, complex, bool, type(None))
_recording: contextvars.ContextVar[bool] = contextvars.ContextVar("polygrad_recording",
                                                                  default=False)


def recording() -> bool:
    """Whether a program is being traced by ``make_graph`` or ``pg.jit``'s replay compiler
    (code whose values would become constants of the program, such as random draws, refuses)."""
    return _recording.get()


class _record_scope(trace_scope):   # noqa: N801
    __slots__ = ("rtoken",)

    def __enter__(self) -> Trace:
        self.rtoken = _recording.set(True)
        return super().__enter__()

    def __exit__(self, *exc: object) -> None:
        super().__exit__(*exc)
        _recording.reset(self.rtoken)
# -- dynamic axes: sizes known by name ------------------------------------------------------------
class NotGeneric(Exception):
    """A program traced with dynamic axes depends on their sizes otherwise than through
    shapes and the guards: ``pg.jit`` traces it once per size instead."""


class Retrace(Exception):
    """A program traced with dynamic axes was called with sizes its guards exclude."""


def _has_sym(obj: Any) -> bool:
    if isinstance(obj, _SYM):
        return True
    t = type(obj)
    if t is tuple or t is list:
        return any(_has_sym(o) for o in obj)
    if t is dict:
        return any(_has_sym(o) for o in obj.values())
    if t is slice:
        return _has_sym(obj.start) or _has_sym(obj.stop) or _has_sym(obj.step)
    if t is Var:
        return any(isinstance(d, SymInt) for d in obj.shape)
    if t is Array:
        v = native_of(obj)
        return type(v) is Var and _has_sym(v)
    return False


def _at(obj: Any, values: dict, example: Callable) -> Any:
    """``obj`` with each size evaluated at ``values`` and each Var replaced by ``example(var,
    its shape there)``."""
    if isinstance(obj, _SYM):
        return evaluate(obj.expr, values)
    t = type(obj)
    if t is tuple or t is list:
        return t(_at(o, values, example) for o in obj)
    if t is dict:
        return {k: _at(o, values, example) for k, o in obj.items()}
    if t is slice:
        return slice(_at(obj.start, values, example), _at(obj.stop, values, example),
                     _at(obj.step, values, example))
    if t is Var:
        return example(obj, tuple(_at(d, values, example) for d in obj.shape))
    if t is Array:
        v = native_of(obj)
        return _at(v, values, example) if type(v) is Var else obj
    return obj


def _sized_hook(prim: Any, args: tuple, params: dict) -> Any:
    """``_trace.sized_hook``: record a primitive on values alone whose arguments or parameters
    hold a dynamic size (``1 / n``, ``ones((n, 3))``) instead of computing it once."""
    sizes = _sizes.get()
    if sizes is None or sizes.trace is None or not (
            any(isinstance(a, _SYM) for a in args) or _has_sym(params)):
        return NotImplemented
    return sizes.trace.process(prim, args, params)


def _fit(base: tuple, probes: list, values: dict) -> tuple:
    """An output shape in the sizes' names, from its dims at ``values`` (``base``) and with each
    size one larger in turn (``probes``: (name, shape)); each dim is taken as affine in them."""
    out = []
    for j, d in enumerate(base):
        terms, c = [], d
        for name, shape in probes:
            slope = shape[j] - d
            if slope:
                terms.append(name if slope == 1 else f"{slope} * {name}")
                c -= slope * values[name]
        if not terms:
            out.append(d)
            continue
        expr = " + ".join(terms) + (f" + {c}" if c > 0 else f" - {-c}" if c < 0 else "")
        out.append(SymInt(d, expr if len(terms) == 1 and not c and " " not in expr
                          else f"({expr})"))
    return tuple(out)


#: primitives whose output shape depends on the values of their inputs
_DATA_DEPENDENT = frozenset({"nonzero", "unique_all", "unique_counts", "unique_inverse",
                             "unique_values", "argwhere", "flatnonzero", "extract",
                             "compress", "trim_zeros"})


class Var:
    """A value of the program: known by shape, dtype and device only while tracing."""

    __slots__ = ("shape", "dtype", "device", "ndim")

    def __init__(self, shape: tuple, dtype: Any, device: Any) -> None:
        self.shape = tuple(shape)
        self.dtype = dtype
        self.device = device
        self.ndim = len(self.shape)

    @property
    def size(self) -> int:
        n = 1
        for d in self.shape:
            n *= d
        return n

    def __array__(self, dtype: Any = None, copy: Any = None) -> Any:
        raise ConcretizationError("the value of a traced array is not known while tracing")

    def __repr__(self) -> str:
        return f"Var({_type_str(self)})"


class Const:
    """A value fixed when the program was traced (an array the function made or closed over)."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


class Eqn:
    """One primitive application: ``outvars = prim(*invars, **params)``."""

    __slots__ = ("prim", "invars", "params", "outvars", "inplace")

    def __init__(self, prim: Any, invars: list, params: dict, outvars: list) -> None:
        self.prim, self.invars, self.params, self.outvars = prim, invars, params, outvars
        self.inplace: Var | None = None   # buffer reuse: the input overwritten with the output


def _type_str(v: Any) -> str:
    name = getattr(v.dtype, "name", None) or str(v.dtype).replace("torch.", "")
    short = {"float64": "f64", "float32": "f32", "float16": "f16", "int64": "i64",
             "int32": "i32", "bool": "bool", "complex128": "c128", "complex64": "c64"}
    return f"{short.get(name, name)}[{','.join(str(d) for d in v.shape)}]"


_LINALG = ("linalg", "solve", "det", "slogdet", "inv")


def _stand_in(backend: Backend, var: Var, prim: Any) -> Any:
    """An array of var's shape and dtype to run a kernel on once (its values are ones)."""
    xp = backend.xp
    out = xp.ones(var.shape, dtype=var.dtype)
    if len(var.shape) >= 2 and var.shape[-1] == var.shape[-2] and var.shape[-1] > 0 and \
            prim.name.startswith(_LINALG):
        out = out + xp.eye(var.shape[-1], dtype=var.dtype)
    return out


def _quiet() -> Any:
    """No floating-point warnings from running a kernel on stand-in values (log of 0, ...)."""
    try:
        import numpy
    except ImportError:   # pragma: no cover
        return contextlib.nullcontext()
    return numpy.errstate(all="ignore")


class GraphTrace(Trace):
    """Records every primitive bound on its tracers (``make_graph``, ``pg.jit``'s replay)."""

    __slots__ = ("backend", "eqns", "_stand_ins", "values")
    kind = "make_graph"
    symbolic = True

    def __init__(self, backend: Backend, values: dict[int, Any] | None = None) -> None:
        super().__init__()
        self.backend = backend
        self.eqns: list[Eqn] = []
        self._stand_ins: dict[tuple, Any] = {}
        #: pg.jit's first call: id(Var) -> its value, from the caller's arrays. Kernels then run
        #: on those instead of stand-ins (Python still sees no value), and the outputs' values
        #: are the first call's results: the program need not run once more
        self.values = values

    def new_input(self, native: Any) -> Array:
        """A tracer for an input of native's shape and dtype (native's values are not read)."""
        backend = self.backend
        var = Var(tuple(native.shape), native.dtype, getattr(native, "device", None))
        return Array(var, backend, self)

    def process(self, prim: Any, args: tuple, params: dict) -> Any:
        if prim.name in _DATA_DEPENDENT:
            raise ConcretizationError(
                f"polygrad.{prim.name}: the shape of its result depends on the values of its "
                f"argument, which are not known while tracing")
        if prim.name == "getitem" and any(_is_bool(v) for v in _vars_in(params)):
            raise ConcretizationError(
                "Array.__getitem__: indexing with a traced boolean mask gives a result whose "
                "shape depends on the mask's values, which are not known while tracing; use "
                "np.where(mask, x, 0) (or a sum with the mask) instead")
        sizes = _sizes.get()
        if sizes is not None:
            sizes.quiet += 1
            try:
                return self._record(prim, args, params, sizes)
            finally:
                sizes.quiet -= 1
        return self._record(prim, args, params, None)

    def _record(self, prim: Any, args: tuple, params: dict, sizes: Sizes | None) -> Any:
        backend = self.backend
        invars, examples = [], []
        for a in args:
            if type(a) is Array:
                if a._trace is self:
                    invars.append(a._v)
                    examples.append(self._example(a._v, prim))
                    continue
                if a._backend is not backend:
                    from ._trace import _mixed
                    raise _mixed(prim, backend, a._backend)
                a = native_of(a)
                if type(a) is Var:   # a tracer of this trace under an ended one
                    invars.append(a)
                    examples.append(self._example(a, prim))
                    continue
                invars.append(Const(a))
                examples.append(a)
            elif isinstance(a, _SCALARS):
                invars.append(a)
                examples.append(a)
            else:
                from ._convert import asarray
                native = native_of(asarray(a))
                invars.append(Const(native))
                examples.append(native)
        sized = sizes is not None and (_has_sym(invars) or _has_sym(params))
        if sized and not any(hasattr(e, "shape") for e in examples):
            kind = float if any(isinstance(e, float) for e in examples) else None
            examples = [backend.asarray(kind(e) if kind else e) for e in examples]
        example_params = _replace_vars(params, lambda v: self._example(v, prim))
        if sized:   # kernels get plain numbers (array-api-strict refuses int subclasses)
            examples = [_at(e, sizes.values, None) if isinstance(e, _SYM) else e
                        for e in examples]
            example_params = _at(example_params, sizes.values, None)
        kernel = kernel_for(prim, backend)
        with _quiet():
            out = kernel(*examples, **example_params)
        outs = out if prim.multiple_results else (out,)
        shapes = [tuple(o.shape) for o in outs]
        if sized:
            shapes = self._sized_shapes(prim, kernel, invars, examples, params, shapes, sizes)
        outvars = [Var(shape, o.dtype, getattr(o, "device", None))
                   for shape, o in zip(shapes, outs)]
        if self.values is not None:
            for var, o in zip(outvars, outs):
                self.values[id(var)] = o
        self.eqns.append(Eqn(prim, invars, params, outvars))
        if prim.multiple_results:
            return tuple(Array(v, backend, self) for v in outvars)
        return Array(outvars[0], backend, self)

    def _sized_shapes(self, prim: Any, kernel: Any, invars: list, examples: list,
                      params: dict, shapes: list, sizes: Sizes) -> list:
        """The output shapes in the sizes' names: the kernel runs again on stand-ins with each
        size one larger, and each output dim is fitted as affine in the sizes."""
        probes: list[list] = [[] for _ in shapes]
        for name in sizes.values:
            values = dict(sizes.values)
            values[name] += 1

            def example(var: Var, shape: tuple, prim: Any = prim) -> Any:
                return self._example(Var(shape, var.dtype, var.device), prim)
            args = [_at(v, values, example) if type(v) is Var or isinstance(v, _SYM)
                    else e for v, e in zip(invars, examples)]
            try:
                with _quiet():
                    out = kernel(*args, **_at(params, values, example))
            except Exception as exc:
                raise NotGeneric(f"{prim.name} fails on other sizes of the dynamic axes "
                                 f"({type(exc).__name__}: {str(exc)[:120]})") from None
            for k, o in enumerate(out if prim.multiple_results else (out,)):
                if len(o.shape) != len(shapes[k]):
                    raise NotGeneric(f"the rank of {prim.name}'s result depends on the sizes")
                probes[k].append((name, tuple(o.shape)))
        return [_fit(shape, probe, sizes.values) for shape, probe in zip(shapes, probes)]

    def _example(self, var: Var, prim: Any) -> Any:
        if self.values is not None:
            value = self.values.get(id(var))
            if value is not None:
                return value
        square = len(var.shape) >= 2 and var.shape[-1] == var.shape[-2]
        key = (var.shape, var.dtype, square and prim.name.startswith(_LINALG))
        out = self._stand_ins.get(key)
        if out is None:
            out = self._stand_ins[key] = _stand_in(self.backend, var, prim)
        return out


def _is_bool(v: Var) -> bool:
    return getattr(v.dtype, "kind", None) == "b" or str(v.dtype).endswith("bool")


def _replace_vars(obj: Any, fn: Callable) -> Any:
    if type(obj) is Var:
        return fn(obj)
    if type(obj) is Array:
        v = native_of(obj)
        return fn(v) if type(v) is Var else v
    if type(obj) is tuple or type(obj) is list:
        if not any(_has_var(o) for o in obj):
            return obj
        return type(obj)(_replace_vars(o, fn) for o in obj)
    if type(obj) is dict:
        if not any(_has_var(o) for o in obj.values()):
            return obj
        return {k: _replace_vars(o, fn) for k, o in obj.items()}
    return obj


def _has_var(obj: Any) -> bool:
    if type(obj) is Var:
        return True
    if type(obj) is Array:
        return type(native_of(obj)) is Var
    if type(obj) in (tuple, list):
        return any(_has_var(o) for o in obj)
    if type(obj) is dict:
        return any(_has_var(o) for o in obj.values())
    return False


def _vars_in(obj: Any) -> list:
    if type(obj) is Var:
        return [obj]
    if type(obj) is Array:
        v = native_of(obj)
        return [v] if type(v) is Var else []
    if type(obj) in (tuple, list):
        return [v for o in obj for v in _vars_in(o)]
    if type(obj) is dict:
        return [v for o in obj.values() for v in _vars_in(o)]
    return []


# -- the program ----------------------------------------------------------------------------------
class Graph:
    """A traced program: ``inputs``, ``eqns`` (primitive applications), ``outputs``.

    ``str(graph)`` is the text form, one line per primitive; ``graph.to_dot()`` is Graphviz
    source; ``graph(*args)`` runs it (arguments as for the traced function, same shapes and
    dtypes); ``optimize(graph)`` returns the program after the passes.
    """

    def __init__(self, backend: Backend, inputs: list, eqns: list, outputs: list,
                 in_structure: Any = None, in_spec: Any = None, out_structure: Any = None,
                 out_spec: Any = None, name: str = "fun") -> None:
        self.backend = backend
        self.inputs, self.eqns, self.outputs = inputs, eqns, outputs
        self.in_structure, self.in_spec = in_structure, in_spec
        self.out_structure, self.out_spec = out_structure, out_spec
        self.name = name
        self._run: Callable | None = None
        #: dynamic axes: each size's name -> (input index, axis) it is read from
        self.sizes: dict[str, tuple[int, int]] = {}
        self.guards: list[str] = []   # conditions on the sizes the program assumes

    # -- reading it -----------------------------------------------------------------------
    def _names(self) -> dict[int, str]:
        names: dict[int, str] = {}
        letters = _letters()
        every = list(self.inputs)
        for e in self.eqns:
            every += e.invars + _vars_in(e.params) + e.outvars
        for v in every + self.outputs:
            if type(v) is Var and id(v) not in names:
                names[id(v)] = next(letters)
        return names

    def __str__(self) -> str:
        names = self._names()

        def atom(v: Any) -> str:
            if type(v) is Var:
                return names[id(v)]
            if type(v) is Const:
                shape = getattr(v.value, "shape", None)
                if shape is not None and len(shape) == 0:
                    try:
                        return repr(v.value.item())
                    except Exception:   # pragma: no cover (a backend without item())
                        pass
                return f"const:{_type_str(v.value)}" if shape is not None else repr(v.value)
            return repr(v)

        def param(p: Any) -> str:
            if type(p) is Var or type(p) is Array:
                return atom(p if type(p) is Var else native_of(p))
            if type(p) in (tuple, list) and _has_var(p):
                inner = ", ".join(param(o) for o in p)
                return f"({inner})" if type(p) is tuple else f"[{inner}]"
            text = repr(p)
            return text if len(text) <= 60 else text[:57] + "..."

        ins = " ".join(f"{names[id(v)]}:{_type_str(v)}" for v in self.inputs)
        lines = [f"{{ lambda {ins}. let"]
        for e in self.eqns:
            outs = " ".join(f"{names[id(v)]}:{_type_str(v)}" for v in e.outvars)
            args = " ".join(atom(v) for v in e.invars)
            ps = " ".join(f"{k}={param(p)}" for k, p in e.params.items())
            note = f"  # in place of {names[id(e.inplace)]}" if e.inplace is not None else ""
            lines.append(f"    {outs} = {e.prim.name} {args}{' ' + ps if ps else ''}{note}")
        outs = ", ".join(atom(v) for v in self.outputs)
        lines.append(f"  in ({outs}) }}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)

    def to_dot(self) -> str:
        """Graphviz source: a node per input, primitive and output, an edge per value passed."""
        names = self._names()
        out = ["digraph polygrad {", "  rankdir=TB;",
               '  node [fontname="Helvetica", fontsize=10];']
        made: dict[int, str] = {}   # id(Var) -> the node that produces it
        for v in self.inputs:
            node = f"in_{names[id(v)]}"
            made[id(v)] = node
            out.append(f'  {node} [shape=box, style=filled, fillcolor="#cfe2f3", '
                       f'label="{names[id(v)]}: {_type_str(v)}"];')
        consts = itertools.count()
        for i, e in enumerate(self.eqns):
            node = f"op{i}"
            out.append(f'  {node} [shape=ellipse, label="{e.prim.name}"];')
            for v in e.invars + _vars_in(e.params):
                if type(v) is Var:
                    out.append(f'  {made[id(v)]} -> {node} [label="{_type_str(v)}"];')
                elif type(v) is Const:
                    c = f"const{next(consts)}"
                    label = _type_str(v.value) if hasattr(v.value, "shape") else repr(v.value)
                    out.append(f'  {c} [shape=plaintext, label="{label}"];')
                    out.append(f"  {c} -> {node};")
            for v in e.outvars:
                made[id(v)] = node
        for k, v in enumerate(self.outputs):
            node = f"out{k}"
            out.append(f'  {node} [shape=box, style=filled, fillcolor="#d9ead3", '
                       f'label="output {k}"];')
            if type(v) is Var:
                out.append(f'  {made[id(v)]} -> {node} [label="{_type_str(v)}"];')
        out.append("}")
        return "\n".join(out)

    def render(self, filename: str, format: str = "svg") -> str:
        """Draw the graph to ``filename.format`` with the ``graphviz`` package and its ``dot``
        program (both must be installed); returns the file's path."""
        try:
            import graphviz
        except ImportError:
            raise ImportError("Graph.render: needs the graphviz Python package "
                              "(pip install graphviz) and Graphviz's dot program; "
                              "Graph.to_dot() gives the source without them") from None
        return graphviz.Source(self.to_dot()).render(filename, format=format, cleanup=True)

    # -- running it -----------------------------------------------------------------------
    def source(self) -> str:
        """The generated Python source that runs the program (see ``compile_flat``)."""
        return _codegen(self)[0]

    def compile_flat(self) -> Callable:
        """A function from the inputs' native arrays to the list of the outputs' natives."""
        if self._run is None:
            src, namespace = _codegen(self)
            exec(compile(src, f"<polygrad graph {self.name}>", "exec"), namespace)
            self._run = namespace["_program"]
        return self._run

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        leaves, _ = tree_flatten((list(args), kwargs))
        natives = [native_of(leaf) if type(leaf) is Array else leaf for leaf in leaves
                   if type(leaf) is Array or hasattr(leaf, "shape")]
        outs = iter(self.compile_flat()(*natives))
        backend = self.backend
        if self.out_spec is None:   # a program not made by make_graph: a list of outputs
            return [Array(o, backend) for o in outs]
        return tree_unflatten(self.out_structure, [
            Array(next(outs), backend) if s is _DYN else s for s in self.out_spec])


_DYN = object()


def _letters() -> Any:
    alphabet = "abcdefghijklmnopqrstuvwxyz"
    for n in itertools.count(1):
        for combo in itertools.product(alphabet, repeat=n):
            yield "".join(combo)


# -- code generation ------------------------------------------------------------------------------
def _codegen(graph: Graph) -> tuple[str, dict]:
    namespace: dict[str, Any] = {}
    names: dict[int, str] = {}
    counter = itertools.count()
    backend = graph.backend

    def name(v: Var) -> str:
        n = names.get(id(v))
        if n is None:
            n = names[id(v)] = f"v{next(counter)}"
        return n

    def const(value: Any) -> str:
        key = f"c{len(namespace)}"
        namespace[key] = value
        return key

    def expr(obj: Any) -> str:
        if type(obj) is Var:
            return names[id(obj)]
        if isinstance(obj, _SYM):
            return obj.expr
        if type(obj) is Array:
            v = native_of(obj)
            return expr(v) if type(v) is Var else const(v)
        if type(obj) is Const:
            return const(obj.value)
        if obj is None or obj is Ellipsis or type(obj) in (bool, int, str):
            return repr(obj)
        if type(obj) is float and obj == obj and obj not in (float("inf"), float("-inf")):
            return repr(obj)
        if type(obj) is tuple:
            return "(" + "".join(expr(o) + ", " for o in obj) + ")"
        if type(obj) is list:
            return "[" + ", ".join(expr(o) for o in obj) + "]"
        if type(obj) is slice:
            return f"slice({expr(obj.start)}, {expr(obj.stop)}, {expr(obj.step)})"
        return const(obj)

    args = ", ".join(name(v) for v in graph.inputs)
    lines = [f"def _program({args}):"]
    for size, (k, axis) in graph.sizes.items():
        lines.append(f"    {size} = {name(graph.inputs[k])}.shape[{axis}]")
    if graph.guards:
        namespace["Retrace"] = Retrace
        lines.append(f"    if not ({' and '.join(graph.guards)}):")
        lines.append(f"        raise Retrace({' and '.join(graph.guards)!r})")
    for e in graph.eqns:
        kernel = kernel_for(e.prim, backend)
        k = const(kernel)
        call = ", ".join([expr(v) for v in e.invars] +
                         [f"{p}={expr(value)}" for p, value in e.params.items()])
        if e.inplace is not None:
            call += f", out={names[id(e.inplace)]}"
        outs = [name(v) for v in e.outvars]
        target = (", ".join(outs) + ("," if len(outs) == 1 else "")) if e.prim.multiple_results \
            else outs[0]
        lines.append(f"    {target} = {k}({call})")
    lines.append("    return [" + ", ".join(expr(v) for v in graph.outputs) + "]")
    return "\n".join(lines) + "\n", namespace


# -- pg.jit's replay compiler --------------------------------------------------------------------
class ReplayCompiler(Compiler):
    """``pg.jit`` where the backend has no compiler (and with ``compiler="replay"``): the
    function is traced once per cache key into a :class:`Graph`, optimised, and run as
    generated Python source that calls the backend's kernels directly."""

    value_errors = (ConcretizationError,)
    fallback = True

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        # the trace in progress, per thread and task (one compiler serves a whole backend)
        self._trace: contextvars.ContextVar[GraphTrace | None] = contextvars.ContextVar(
            f"polygrad_replay_{backend.name}", default=None)
        self.last: Graph | None = None   # the latest program compiled (for inspection)
        self._first: dict[int, list | None] = {}   # see take_first

    def is_traced(self, native: Any) -> bool:
        return type(native) is Var

    def wrap(self, native: Any, backend: Backend) -> Array:
        if type(native) is Var:
            return Array(native, backend, self._trace.get())
        return Array(native, backend)

    def adopt(self, array: Array, native: Any) -> None:
        array._v, array._trace, array._aux = native, self._trace.get(), None

    #: ``pg.jit(dynamic_axes=...)``: one program serves every size of those axes
    dynamic = True

    def compile(self, fun: Callable, natives: list, dynamic: list | None = None) -> Callable:
        """``dynamic``: for each input, None or {axis: the name of its size}. The program is
        then traced with those sizes as :class:`SymInt`, and traced once more with each size
        two larger: the two programs must be the same in the sizes' names, else
        :class:`NotGeneric` (the caller traces once per size instead)."""
        graph, first = self._trace_once(fun, natives, dynamic, 0)
        if graph.sizes:
            try:
                check, _ = self._trace_once(fun, natives, dynamic, 2)
            except NotGeneric:
                raise
            except Exception as exc:
                raise NotGeneric(f"tracing it with other sizes raised {type(exc).__name__}: "
                                 f"{str(exc)[:160]}") from None
            why = _differ(graph, check)
            if why is not None:
                raise NotGeneric(why)
        graph = optimize(graph)
        self.last = graph
        run = graph.compile_flat()
        self._first[id(getattr(fun, "__self__", fun))] = first
        return run

    def take_first(self, fun: Callable) -> list | None:
        """The results of the call that compiled ``fun`` (``pg.jit``'s first call), computed
        while tracing: None if taken already."""
        return self._first.pop(id(getattr(fun, "__self__", fun)), None)

    def _trace_once(self, fun: Callable, natives: list, dynamic: list | None,
                    bump: int) -> tuple[Graph, list | None]:
        backend = self.backend
        known: dict[int, Any] | None = {} if bump == 0 else None   # id(Var) -> value
        trace = GraphTrace(backend, known)
        values: dict[str, int] = {}
        where: dict[str, tuple[int, int]] = {}
        inputs = []
        for k, n in enumerate(natives):
            shape = list(n.shape)
            for axis, size in sorted(((dynamic or [None] * len(natives))[k] or {}).items()):
                values[size] = shape[axis] + bump
                where.setdefault(size, (k, axis))
                shape[axis] = SymInt(shape[axis] + bump, size)
            inputs.append(Var(tuple(shape), n.dtype, getattr(n, "device", None)))
            if known is not None:
                known[id(inputs[-1])] = n
        sizes = None
        if values:
            sizes = Sizes(values)
            sizes.trace = trace
        token = self._trace.set(trace)
        stoken = _sizes.set(sizes)
        if sizes is not None:
            _hook(+1)
        try:
            with _record_scope(trace):
                outs = fun(*inputs)
        finally:
            if sizes is not None:
                _hook(-1)
            _sizes.reset(stoken)
            self._trace.reset(token)
        outputs = []
        for o in outs:
            v = native_of(o) if type(o) is Array else o
            outputs.append(v if type(v) is Var else Const(v))
        name = getattr(getattr(fun, "__self__", None), "fun", fun)
        graph = Graph(backend, inputs, trace.eqns, outputs, name=getattr(name, "__name__", "fun"))
        graph.sizes = where
        graph.guards = list(dict.fromkeys(sizes.guards)) if sizes is not None else []
        first = None
        if known is not None:
            first = [known.get(id(v)) if type(v) is Var else v.value for v in outputs]
            first = None if any(f is None for f in first) else first
        trace.values = None
        return graph, first


_hooked = [0]


def _hook(step: int) -> None:
    """Install ``_trace.sized_hook`` while any trace with dynamic axes runs (any thread)."""
    from . import _trace

    _hooked[0] += step
    _trace.sized_hook = _sized_hook if _hooked[0] > 0 else None


def _differ(a: Graph, b: Graph) -> str | None:
    """Why two traces of one function at different sizes are not the same program in the
    sizes' names (None if they are)."""
    if len(a.eqns) != len(b.eqns):
        return (f"it is {len(a.eqns)} primitives long at one size and {len(b.eqns)} at another "
                f"(a Python loop or branch on a size?)")
    pairs = {id(x): y for x, y in zip(a.inputs, b.inputs)}
    xp = a.backend.xp

    def same(x: Any, y: Any) -> bool:
        if type(x) is not type(y):
            return False
        t = type(x)
        if t is Var:
            return pairs.get(id(x)) is y
        if t is SymInt or t is SymFloat:
            return x.expr == y.expr
        if t is Const:
            return same_value(x.value, y.value)
        if t is tuple or t is list:
            return len(x) == len(y) and all(same(p, q) for p, q in zip(x, y))
        if t is dict:
            return x.keys() == y.keys() and all(same(x[k], y[k]) for k in x)
        if t is slice:
            return same(x.start, y.start) and same(x.stop, y.stop) and same(x.step, y.step)
        if t is Array:
            return same(native_of(x), native_of(y))
        if hasattr(x, "shape"):
            return same_value(x, y)
        try:
            return bool(x == y)
        except Exception:
            return False

    def same_value(x: Any, y: Any) -> bool:
        if x is y:
            return True
        if not hasattr(x, "shape"):
            return same(x, y)
        try:
            return tuple(x.shape) == tuple(y.shape) and x.dtype == y.dtype and \
                bool(xp.all(x == y))
        except Exception:
            return False

    for i, (e, f) in enumerate(zip(a.eqns, b.eqns)):
        if e.prim is not f.prim or not same(e.invars, f.invars) or \
                not same(e.params, f.params) or len(e.outvars) != len(f.outvars):
            return (f"its primitive {i} ({e.prim.name}) has arguments or parameters that "
                    f"depend on the sizes otherwise than through shapes (a value of a size "
                    f"converted to a fixed number?)")
        for x, y in zip(e.outvars, f.outvars):
            if not same(x.shape, y.shape):
                return (f"the shape of its primitive {i} ({e.prim.name})'s result is not "
                        f"affine in the sizes")
            pairs[id(x)] = y
    if not same(a.outputs, b.outputs):
        return "its outputs depend on the sizes otherwise than through shapes"
    if a.guards != b.guards:
        return "its branches on the sizes differ between sizes"
    return None


# -- tracing --------------------------------------------------------------------------------------
class _NoCompiler(Compiler):
    value_errors = (ConcretizationError,)


def trace_flat(fun: Callable, backend: Backend, natives: list, name: str = "fun",
               adopt: Sequence[Array] = ()) -> tuple[Graph, list]:
    """Trace ``fun`` (from tracer Arrays to a flat list of outputs) into a Graph.

    ``adopt``: Arrays the function closes over that become inputs (after ``natives``' first
    ``len(natives) - len(adopt)`` inputs): they hold tracers meanwhile."""
    trace = GraphTrace(backend)
    tracers = [trace.new_input(n) for n in natives]
    saved = [(a._v, a._trace, a._aux) for a in adopt]
    try:
        for a, t in zip(adopt, tracers[len(tracers) - len(adopt):]):
            a._v, a._trace, a._aux = t._v, trace, None
        with _record_scope(trace):
            outs = fun(tracers[:len(tracers) - len(adopt)], trace)
    except Exception as exc:
        if reads_value(exc, _NoCompiler()):
            raise ConcretizationError(value_message(exc, fun).replace(
                "polygrad.jit:", "polygrad.make_graph:", 1)) from None
        raise
    finally:
        for a, (v, t, aux) in zip(adopt, saved):
            a._v, a._trace, a._aux = v, t, aux
    outputs = []
    for o in outs:
        v = native_of(o) if type(o) is Array else o
        outputs.append(v if type(v) is Var else Const(v))
    graph = Graph(backend, [t._v for t in tracers], trace.eqns, outputs, name=name)
    return graph, outs


def make_graph(fun: Callable, static_argnums: int | Sequence[int] = ()) -> Callable:
    """The program ``fun`` computes, as a :class:`Graph` of primitive applications.

    ``make_graph(fun)(*args)`` traces ``fun`` with the shapes and dtypes of ``args``' arrays
    (their values are never read: a Python branch on a value raises ``ConcretizationError``, as
    in ``pg.jit``); non-array arguments and those in ``static_argnums`` are fixed values. It
    works on derivative programs too: ``make_graph(pg.grad(f))(x)`` shows the forward and the
    backward computations.

    Examples
    --------
    >>> import polygrad as pg, polygrad.numpy as np
    >>> print(pg.make_graph(lambda x: np.sum(np.sin(x) * 2.0))(np.ones(3)))
    { lambda a:f64[3]. let
        b:f64[3] = sin a
        c:f64[3] = multiply b 2.0
        d:f64[] = sum c axis=(0,) keepdims=False
      in (d) }
    """
    from ._jit import _check_static, _static_positions

    statics = _check_static(static_argnums)

    def traced(*args: Any, **kwargs: Any) -> Graph:
        static = _static_positions(statics, len(args))
        leaves, structure = tree_flatten(([a for i, a in enumerate(args) if i not in static],
                                          kwargs))
        backend, natives, spec = _split(leaves, "polygrad.make_graph")

        def flat(tracers: list, trace: GraphTrace) -> list:
            it = iter(tracers)
            positional, kw = tree_unflatten(structure, [next(it) if s is _DYN else s
                                                        for s in spec])
            positional = iter(positional)
            full = [args[i] if i in static else next(positional) for i in range(len(args))]
            out = fun(*full, **kw)
            out_leaves, out_structure = tree_flatten(out)
            flat.out = out_structure, [_DYN if type(o) is Array else o for o in out_leaves]
            return [o for o in out_leaves if type(o) is Array]

        flat.__name__ = getattr(fun, "__name__", "fun")
        graph, _ = trace_flat(flat, backend, natives, name=flat.__name__)
        graph.in_structure, graph.in_spec = structure, spec
        graph.out_structure, graph.out_spec = flat.out
        return graph
    return traced


def _split(leaves: list, where: str | None = None) -> tuple[Backend | None, list, list]:
    """(backend, the arrays' native values, the leaves with each array replaced by ``_DYN``):
    what ``make_graph`` and ``pg.jit`` trace. Host arrays go to the current backend, as they
    would eagerly.

    Arrays on several backends: with ``where`` (a function's public name), a
    ``MixedBackendError`` naming it (``make_graph``: there is no program to make); without, a
    backend of None (``pg.jit``: the function then runs eagerly, which raises that error at the
    primitive that mixes them)."""
    from ._convert import asarray

    backend, natives, spec = None, [], []
    for leaf in leaves:
        if type(leaf) is not Array and not (hasattr(leaf, "shape") and hasattr(leaf, "dtype")):
            spec.append(leaf)
            continue
        x = leaf if type(leaf) is Array else asarray(leaf)
        if backend is None:
            backend = x._backend
        elif x._backend is not backend:
            if where is None:
                return None, [], []
            raise MixedBackendError(
                f"{where}: its arguments live on two backends or devices, {backend.spec!r} and "
                f"{x._backend.spec!r}; polygrad never copies behind your back: move one "
                f"explicitly with Array.to_backend({backend.spec!r}) (or Array.to_device(...) "
                f"for another device)")
        natives.append(native_of(x))
        spec.append(_DYN)
    return backend or get_backend(), natives, spec


# -- passes ---------------------------------------------------------------------------------------
def optimize(graph: Graph, passes: Sequence[str] = ("fold", "simplify", "cse", "dce", "masks",
                                                   "reuse")) -> Graph:
    """The program after the passes, in order: constant folding, elementwise algebra,
    common-subexpression elimination, dead-code elimination, ReLU masks, buffer reuse. Returns
    a new Graph."""
    g = Graph(graph.backend, list(graph.inputs), list(graph.eqns), list(graph.outputs),
              graph.in_structure, graph.in_spec, graph.out_structure, graph.out_spec, graph.name)
    for p in passes:
        g = _PASSES[p](g)
    g.sizes, g.guards = graph.sizes, graph.guards
    return g


def _substitute(obj: Any, env: dict) -> Any:
    if type(obj) is Var:
        return env.get(id(obj), obj)
    if type(obj) is Array:
        v = native_of(obj)
        return env.get(id(v), v) if type(v) is Var else obj
    if type(obj) in (tuple, list):
        return type(obj)(_substitute(o, env) for o in obj) if _has_var(obj) else obj
    if type(obj) is dict:
        return {k: _substitute(o, env) for k, o in obj.items()} if _has_var(obj) else obj
    return obj


def _rewrite(graph: Graph, eqns: list, env: dict) -> Graph:
    new = []
    for e in eqns:
        invars = [_substitute(v, env) for v in e.invars]
        params = _substitute(e.params, env) if env else e.params
        ne = Eqn(e.prim, invars, params, e.outvars)
        ne.inplace = e.inplace
        new.append(ne)
    outputs = [_substitute(v, env) for v in graph.outputs]
    return Graph(graph.backend, graph.inputs, new, outputs, graph.in_structure, graph.in_spec,
                 graph.out_structure, graph.out_spec, graph.name)


def dce(graph: Graph) -> Graph:
    """Dead-code elimination: drop the primitives none of whose results are used."""
    live = {id(v) for v in graph.outputs if type(v) is Var}
    kept = []
    for e in reversed(graph.eqns):
        if any(id(v) in live for v in e.outvars) or getattr(e.prim, "effects", False):
            kept.append(e)
            live.update(id(v) for v in e.invars + _vars_in(e.params) if type(v) is Var)
    kept.reverse()
    return Graph(graph.backend, graph.inputs, kept, graph.outputs, graph.in_structure,
                 graph.in_spec, graph.out_structure, graph.out_spec, graph.name)


def _key_of(v: Any) -> Any:
    if type(v) is Var:
        return ("v", id(v))
    if type(v) is Const:
        return ("c", id(v.value))
    return (type(v), v)


def cse(graph: Graph) -> Graph:
    """Common-subexpression elimination: the same primitive on the same values with the same
    parameters is computed once."""
    env: dict[int, Var] = {}
    seen: dict[Any, Eqn] = {}
    kept = []
    for e in graph.eqns:
        invars = [_substitute(v, env) for v in e.invars]
        params = _substitute(e.params, env)
        try:
            key = (e.prim, tuple(_key_of(v) for v in invars),
                   tuple([(k, _hashable(p)) for k, p in params.items()]))
            hash(key)
        except TypeError:
            key = None
        if key is not None and key in seen and not getattr(e.prim, "effects", False):
            for old, new in zip(e.outvars, seen[key].outvars):
                env[id(old)] = new
            continue
        ne = Eqn(e.prim, invars, params, e.outvars)
        if key is not None:
            seen[key] = ne
        kept.append(ne)
    outputs = [_substitute(v, env) for v in graph.outputs]
    return Graph(graph.backend, graph.inputs, kept, outputs, graph.in_structure,
                 graph.in_spec, graph.out_structure, graph.out_spec, graph.name)


def _hashable(p: Any) -> Any:
    if type(p) is Var:
        return ("v", id(p))
    if type(p) in (tuple, list):
        return (type(p), tuple(_hashable(o) for o in p))
    if type(p) is slice:
        return ("slice", _hashable(p.start), _hashable(p.stop), _hashable(p.step))
    if hasattr(p, "shape"):
        return ("array", id(p))
    hash(p)
    return (type(p), p)


def fold(graph: Graph) -> Graph:
    """Constant folding: a primitive whose arguments do not depend on the inputs is computed
    now, and its results become constants of the program."""
    backend = graph.backend
    env: dict[int, Any] = {}
    kept = []
    for e in graph.eqns:
        invars = [_substitute(v, env) if type(v) is Var else v for v in e.invars]
        params = _substitute(e.params, env)
        if any(type(v) is Var for v in invars) or _has_var(params) or \
                getattr(e.prim, "effects", False) or _has_sym(invars) or _has_sym(params):
            ne = Eqn(e.prim, invars, params, e.outvars)
            kept.append(ne)
            continue
        kernel = kernel_for(e.prim, backend)
        args = [v.value if type(v) is Const else v for v in invars]
        if all(isinstance(a, _SCALARS) for a in args):   # as apply_concrete does
            kept.append(Eqn(e.prim, invars, params, e.outvars))
            continue
        out = kernel(*args, **params)
        outs = out if e.prim.multiple_results else (out,)
        for var, value in zip(e.outvars, outs):
            env[id(var)] = Const(value)
    outputs = [_substitute(v, env) if type(v) is Var else v for v in graph.outputs]
    return Graph(graph.backend, graph.inputs, kept, outputs, graph.in_structure,
                 graph.in_spec, graph.out_structure, graph.out_spec, graph.name)


def reuse(graph: Graph) -> Graph:
    """Buffer reuse: an elementwise primitive whose kernel writes into ``out=`` (NumPy's ufuncs)
    overwrites an argument of the same shape and dtype made by a ufunc (an elementwise one, or
    ``matmul``: a fresh array either way), when this is the argument's last use and it is not an
    output (never a caller's array, never an array a view may share)."""
    backend = graph.backend
    try:
        import numpy
    except ImportError:   # pragma: no cover
        return graph
    ufunc_made: set[int] = set()
    uses: dict[int, int] = {}
    only_ufunc_uses: dict[int, bool] = {}
    kernels = [kernel_for(e.prim, backend) for e in graph.eqns]
    for i, (e, k) in enumerate(zip(graph.eqns, kernels)):
        is_ufunc = _elementwise(k, e, numpy) or getattr(k, "fresh", False)
        for v in e.invars:
            if type(v) is Var:
                uses[id(v)] = i
                only_ufunc_uses[id(v)] = only_ufunc_uses.get(id(v), True) and is_ufunc
        for v in _vars_in(e.params):
            uses[id(v)] = i
            only_ufunc_uses[id(v)] = False
        if isinstance(k, numpy.ufunc) and k.nout == 1 and not e.params:
            ufunc_made.add(id(e.outvars[0]))   # a ufunc's result is a fresh array (matmul's too)
    outputs = {id(v) for v in graph.outputs if type(v) is Var}
    new = []
    for i, (e, k) in enumerate(zip(graph.eqns, kernels)):
        ne = Eqn(e.prim, e.invars, e.params, e.outvars)
        if _elementwise(k, e, numpy):
            out = e.outvars[0]
            for v in e.invars:
                if type(v) is Var and id(v) in ufunc_made and uses.get(id(v)) == i and \
                        only_ufunc_uses.get(id(v)) and id(v) not in outputs and \
                        v.shape == out.shape and v.dtype == out.dtype and v.shape:
                    ne.inplace = v
                    break
        new.append(ne)
    return Graph(graph.backend, graph.inputs, new, graph.outputs, graph.in_structure,
                 graph.in_spec, graph.out_structure, graph.out_spec, graph.name)


def _elementwise(kernel: Any, eqn: Eqn, numpy: Any) -> bool:
    """An elementwise NumPy ufunc with one output (``out=`` may alias an argument)."""
    return isinstance(kernel, numpy.ufunc) and kernel.nout == 1 and kernel.signature is None \
        and not eqn.params


# -- elementwise algebra ---------------------------------------------------------------------------
_ARITH = frozenset(("add", "subtract", "multiply", "divide", "negative", "tanh_backward",
                    "tanh_backward_dy"))


def _pow2(k: Any) -> bool:
    """A Python number that is plus or minus a power of two (1 included): a product by it is
    exact in binary floating point (within range), so such factors may move."""
    if type(k) not in (int, float) or k == 0 or k != k or k in (float("inf"), float("-inf")):
        return False
    return math.frexp(abs(k))[0] == 0.5


def _fits(scale: float) -> bool:
    """A scale ``simplify`` may carry: at most 2 ** 60 either way."""
    return 2.0 ** -60 <= abs(scale) <= 2.0 ** 60


def _floating(dtype: Any) -> bool:
    name = getattr(dtype, "name", None) or str(dtype)
    return "float" in name and "complex" not in name


def simplify(graph: Graph) -> Graph:
    """Elementwise algebra on real floating-point values: the fused rules of higher
    derivatives (``tanh_backward``, ``tanh_backward_dy``) become the products and differences
    their kernels compute; each value is carried as ``s * v`` with ``s`` a power of two, so that
    factors such as the -2 of tanh's derivatives, a multiplication or division by 1 or 4 and a
    pair of negations cost no pass over the array, and are applied once where a value leaves
    this algebra (sums, products and quotients take them along: ``2a + 4b`` is ``2 (a + 2b)``);
    and a product or sum of the same operands in either order is computed once (``t * (1 - t *
    t)`` recomputed by a later rule is the earlier one).

    The values are those of the program before it, bit for bit, with two exceptions: the sign
    of a zero that is the sum of two zeros (``-0.0`` for ``0.0``), and values within a factor of
    the carried scales (at most ``2 ** 60`` here) of the dtype's overflow or underflow threshold,
    where moving a power of two may round differently (multiplying by a power of two is exact
    only while the result is a normal number)."""
    reg = primitives()
    prims = {n: reg.get(n) for n in ("add", "subtract", "multiply", "divide", "negative")}
    if any(p is None for p in prims.values()):   # pragma: no cover (polygrad.numpy not imported)
        return graph
    add, sub, mul, div, neg = (prims[n] for n in ("add", "subtract", "multiply", "divide",
                                                  "negative"))
    eqns: list[Eqn] = []
    scaled: dict[int, tuple[Any, float]] = {}   # id(a Var of the graph) -> (value now, scale)
    made: dict[tuple, Var] = {}   # the products and sums emitted, by operands (for reuse)
    like: list[Var] = []   # the shape and dtype of the eqn being rewritten

    def opkey(v: Any) -> tuple:
        if type(v) is Var:
            return ("v", id(v))
        return ("n", type(v), v, math.copysign(1.0, v) if type(v) is float else 0)

    def emit(prim: Any, a: Any, b: Any = None, ref: Var | None = None) -> Var:
        keys = [opkey(a)] if prim is neg else [opkey(a), opkey(b)]
        if prim is add or prim is mul:
            keys.sort(key=repr)
        key = (prim.name, *keys)
        out = made.get(key)
        if out is None:
            ref = ref or like[0]
            out = made[key] = Var(ref.shape, ref.dtype, ref.device)
            eqns.append(Eqn(prim, [a] if prim is neg else [a, b], {}, [out]))
        return out

    def pair(v: Any) -> tuple[Any, float]:
        return scaled.get(id(v), (v, 1.0)) if type(v) is Var else (v, 1.0)

    def value(p: tuple[Any, float], ref: Var | None = None) -> Any:
        b, s = p
        return b if s == 1.0 else emit(neg, b, ref=ref) if s == -1.0 else emit(mul, b, s, ref)

    def plain(v: Any) -> Any:   # a Var of the graph as an array of the program now
        return value(pair(v), v) if type(v) is Var else v

    def times(p: tuple, q: tuple) -> tuple:
        (a, s), (b, t) = p, q
        if type(a) is not Var:
            (a, s), (b, t) = (b, t), (a, s)
        if type(b) is not Var:   # a number
            return (a, s * b) if _pow2(b) and _fits(s * b) else (emit(mul, a, b), s)
        if not _fits(s * t):
            return emit(mul, value(p), value(q)), 1.0
        return emit(mul, a, b), s * t

    def plus(p: tuple, q: tuple, sign: float, original: Any) -> tuple:
        (a, s), (b, t) = p, q
        if type(a) is not Var or type(b) is not Var:   # a number: as written, unscaled
            return emit(original, value(p), value(q)), 1.0
        t *= sign
        if s == t:
            return emit(add, a, b), s
        if s == -t:
            return emit(sub, a, b), s
        return emit(add, a, emit(mul, b, t / s)), s

    def lower(e: Eqn) -> tuple | None:
        name, args = e.prim.name, e.invars
        if name == "multiply":
            return times(pair(args[0]), pair(args[1]))
        if name == "negative":
            a, s = pair(args[0])
            return a, -s
        if name == "divide":
            (a, s), (b, t) = pair(args[0]), pair(args[1])
            if type(b) is not Var:   # by a number
                return (a, s / b) if _pow2(b) and _fits(s / b) else (emit(div, a, b), s)
            if not _fits(s / t):
                return emit(div, value((a, s)), value((b, t))), 1.0
            return emit(div, a, b), s / t
        if name in ("add", "subtract"):
            return plus(pair(args[0]), pair(args[1]), 1.0 if name == "add" else -1.0, e.prim)
        if name == "tanh_backward":   # g (1 - y y), as its kernel computes it
            g, y = args
            d = plus((1, 1.0), times(pair(y), pair(y)), -1.0, sub)
            return d if type(g) in (int, float) and g == 1 else times(pair(g), d)
        k, arrays = -2, []   # tanh_backward_dy(c, g, y) = -2 c g y, as its kernel computes it
        for v in args:
            if type(v) in (int, float):
                k *= v
            else:
                arrays.append(v)
        if not arrays:
            return None
        p = pair(arrays[0])
        for v in arrays[1:]:
            p = times(p, pair(v))
        return times(p, (k, 1.0))

    for e in graph.eqns:
        out = e.outvars[0]
        ok = e.prim.name in _ARITH and not e.params and len(e.outvars) == 1 and \
            _floating(out.dtype) and all(
                (type(v) is Var and v.shape == out.shape and v.dtype == out.dtype) or
                (type(v) in (int, float)) for v in e.invars) and \
            any(type(v) is Var for v in e.invars)
        if ok:
            like[:] = [out]
            result = lower(e)
            if result is not None:
                scaled[id(out)] = result
                continue
        invars = [plain(v) for v in e.invars]
        params = _replace_vars(e.params, plain) if _has_var(e.params) else e.params
        eqns.append(Eqn(e.prim, invars, params, e.outvars))
    outputs = [plain(v) for v in graph.outputs]
    return Graph(graph.backend, graph.inputs, eqns, outputs, graph.in_structure,
                 graph.in_spec, graph.out_structure, graph.out_spec, graph.name)


def _extremum_weight_kernel(xp: Any) -> Callable:
    import numpy

    def extremum_weight(x, other, larger, dtype):
        taken = numpy.greater(x, other) if larger else numpy.less(x, other)
        ties = numpy.equal(x, other)
        if not ties.any():
            return taken   # (bool: the product with it is the cotangent or a zero)
        w = taken.astype(dtype)
        w[ties] = 0.5
        return w
    extremum_weight.fresh = True   # a new array, never a view of x: x may be overwritten after
    return extremum_weight


#: the weight of select_extremum as a value of its own (made by ``masks``; never registered)
_extremum_weight = Primitive("extremum_weight", _extremum_weight_kernel)


def masks(graph: Graph) -> Graph:
    """ReLU masks (NumPy): each ``select_extremum(g, x, other)`` (the derivative of ``maximum``
    / ``minimum``: every ReLU layer's backward pass) becomes ``g * w``, with the weight ``w``
    (``x > other`` as bool, or 1, 0.5 at ties and 0 as floats where there are ties) computed
    where ``x`` is made, as a hand-written backward pass keeps its mask. ``x`` is then dead
    after the forward pass's own use of it (``maximum(x, 0)``, which ``reuse`` may then do in
    place) instead of kept alive, at its full size, until the backward pass; and the product is
    one pass over ``g`` (in place, after ``reuse``) instead of a cast, a product and a test for
    ties. The values are the same bit for bit: the kernel's are ``taken * g`` and ``g * 0.5``
    at ties."""
    backend = graph.backend
    if getattr(backend, "library", None) != "numpy":
        return graph
    multiply = primitives().get("multiply")
    if multiply is None:   # pragma: no cover (polygrad.numpy not imported)
        return graph
    import numpy

    made = {id(v): i for i, e in enumerate(graph.eqns) for v in e.outvars}
    after: dict[int, list[Eqn]] = {}   # index of an eqn -> the weights to compute after it
    new = []
    for e in graph.eqns:
        if e.prim.name == "select_extremum" and len(e.invars) == 3 and \
                set(e.params) == {"larger"}:
            g, x, other = e.invars
            out = e.outvars[0]
            if type(g) is Var and type(x) is Var and x.shape and g.shape == out.shape and \
                    x.shape == out.shape and g.dtype == out.dtype and \
                    (isinstance(other, (int, float)) and not isinstance(other, bool) or
                     type(other) is Var and other.shape == x.shape):
                w = Var(x.shape, numpy.dtype(bool), out.device)
                we = Eqn(_extremum_weight, [x, other],
                         {"larger": e.params["larger"], "dtype": out.dtype}, [w])
                where = max([made.get(id(x), -1)] +
                            ([made.get(id(other), -1)] if type(other) is Var else []))
                after.setdefault(where, []).append(we)
                new.append(Eqn(multiply, [g, w], {}, e.outvars))
                continue
        new.append(e)
    if not after:
        return graph
    eqns = list(after.get(-1, []))
    for i, ne in enumerate(new):
        eqns.append(ne)
        eqns.extend(after.get(i, []))
    return Graph(graph.backend, graph.inputs, eqns, graph.outputs, graph.in_structure,
                 graph.in_spec, graph.out_structure, graph.out_spec, graph.name)


_PASSES = {"dce": dce, "cse": cse, "fold": fold, "simplify": simplify, "masks": masks,
           "reuse": reuse}
