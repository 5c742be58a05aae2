"""``jit``: hand a whole polygrad computation, derivatives included, to the backend's compiler.

The function is traced once per cache key with the backend's symbolic arrays (JAX tracers, torch
fake tensors) wrapped as polygrad Arrays, so polygrad's Python runs at trace time only. Imports
util, array, backend, closures, trace, reverse, args, compiler and graph; array
libraries only through ``Backend.compiler()``.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Sequence
from typing import Any

from ._args import check_callable
from ._array import Array, native_of
from ._backend import Backend
from ._closures import LIMIT, closed_over
from ._compiler import (Compiler, ConcretizationError, JitWarning, compiler_of, compiling,
                        compiling_for, reads_value, replay_compiler, value_message)
from ._graph import _DYN as _DYNAMIC   # marks the leaves passed to the compiled program
from ._graph import NotGeneric, Retrace, _split
from ._reverse import TAPE_LEAF
from ._trace import tracing
from ._util import tree_flatten, tree_unflatten

__all__ = ["jit"]

_warned: set[str] = set()


def jit(fun: Callable, static_argnums: int | Sequence[int] = (), *,
        compiler: str | None = None, retrace_warning: int = 8,
        dynamic_axes: dict[int, int | Sequence[int]] | None = None) -> Callable:
    """Compile ``fun``, derivatives inside it included, with the backend's compiler.

    On JAX the function is traced through ``jax.jit``; on torch it is traced to a graph of
    torch operations and compiled by ``torch.compile``. On every other backend (NumPy,
    array-api-strict, Dask, plugins), and on any backend with ``compiler="replay"``, it is
    traced to a program (see ``pg.make_graph``), optimised (constant folding, elementwise
    algebra, common subexpressions, dead code, ReLU masks, buffer reuse) and run as generated
    straight-line Python that calls the backend's kernels directly. Either way polygrad's own
    Python runs only while tracing. ``jitted.trace_count()`` counts the traces; after
    ``retrace_warning`` of them a ``JitWarning`` names the argument whose shape, dtype or value
    changed. Compiled versions are cached by the arguments' structure, shapes, dtypes, backend
    and device, and by the values of everything that is not an array: the arguments in
    ``static_argnums`` and Python numbers, strings and ``None`` anywhere in the arguments.
    Reading an array's value while tracing (``if x > 0:``, ``float(x)``) raises
    :class:`ConcretizationError` naming the line; see ``pg.cond``, ``pg.fori_loop``, ``pg.scan``.
    Called while a derivative is being taken (``grad(jit(f))``) ``fun`` runs eagerly, so that
    polygrad differentiates it.

    ``dynamic_axes={argnum: axis or axes}`` marks axes of the arrays of positional argument
    ``argnum`` (of each array, where the argument is a list, tuple or dict of them) whose size
    may change between calls without a new trace: ``pg.jit(step, dynamic_axes={1: 0, 2: 0})``
    for ``step(params, x, y)`` serves the last, smaller minibatch of an epoch with the program
    traced for the full ones. Axes of equal size at a call share one size (here the batch
    size); sizes that differ at a call are separate ones. The replay compiler (NumPy,
    array-api-strict, Dask, plugins; ``compiler="replay"`` anywhere) traces the program with
    the sizes as names, and traces it once more with each size two larger to check that the
    two programs agree (else it warns and traces once per size); comparisons on a size (``if
    n > 1``) become guards checked at each call, and a call that fails one is traced anew. On
    torch the program is traced with symbolic sizes (``make_fx(tracing_mode="symbolic")``) and
    compiled by ``torch.compile(dynamic=True)``. ``jax.jit`` compiles one program per shape:
    on JAX ``dynamic_axes`` has no effect except with ``compiler="replay"`` (pad the last
    minibatch instead); a ``JitWarning`` says so once.

    Examples
    --------
    >>> import polygrad as pg, polygrad.numpy as np
    >>> step = pg.jit(pg.grad(lambda w: np.sum(np.tanh(w) ** 2)))
    >>> round(float(step(np.asarray(0.5))), 6)   # on JAX: one XLA program, gradient included
    0.726862
    """
    check_callable("jit", fun)
    statics = _check_static(static_argnums)
    if compiler not in (None, "replay"):
        raise ValueError(f"polygrad.jit: compiler must be None (the backend's own) or "
                         f"'replay', got {compiler!r}")
    if not isinstance(retrace_warning, int) or retrace_warning < 1:
        raise ValueError(f"polygrad.jit: retrace_warning must be a positive int, got "
                         f"{retrace_warning!r}")
    dynamic = _check_dynamic(dynamic_axes, statics)
    cache: dict[tuple, _Entry] = {}
    stats = _Stats(compiler, retrace_warning, dynamic)

    @functools.wraps(fun)
    def jitted(*args: Any, **kwargs: Any) -> Any:
        return _call(fun, statics, cache, args, kwargs, stats)
    jitted.cache_size = cache.__len__
    jitted.trace_count = lambda: stats.traces
    return jitted


class _Stats:
    """What one jitted function has traced: the count, and the last signature (for the
    warning that names the argument that changed)."""

    __slots__ = ("mode", "limit", "traces", "last", "warned", "dynamic", "said", "fast")

    def __init__(self, mode: str | None, limit: int, dynamic: dict | None) -> None:
        self.mode, self.limit, self.dynamic = mode, limit, dynamic
        self.said: set[str] = set()   # the dynamic-axes warnings given
        self.traces = 0
        self.last: list | None = None
        self.warned = False
        #: the entries of calls with concrete Arrays only, by backend, shapes and dtypes
        self.fast: dict[tuple, _Entry] = {}

    def traced(self, fun: Callable, signature: list) -> None:
        self.traces += 1
        last, self.last = self.last, signature
        if self.traces > self.limit and not self.warned and last is not None:
            self.warned = True
            changed = [f"{where}: {a} -> {b}" for (where, a), (_, b) in zip(last, signature)
                       if a != b] or ["the arguments' structure"]
            name = getattr(fun, "__name__", "the function")
            warnings.warn(f"pg.jit: {name} has been traced {self.traces} times (one per new "
                          f"signature); the last retrace because {'; '.join(changed[:3])}. Pass "
                          f"values that change as arrays, or keep shapes fixed (pad the last "
                          f"minibatch)", JitWarning, stacklevel=4)


def _check_dynamic(dynamic_axes: Any, statics: tuple) -> dict[int, tuple[int, ...]] | None:
    if dynamic_axes is None:
        return None
    if not isinstance(dynamic_axes, dict):
        raise TypeError(f"polygrad.jit: dynamic_axes must be a dict from a positional "
                        f"argument's index to an axis or a tuple of axes, e.g. {{0: 0}}; got "
                        f"{type(dynamic_axes).__name__} {dynamic_axes!r:.60}")
    out = {}
    for k, axes in dynamic_axes.items():
        one = (axes,) if isinstance(axes, int) else axes
        if not isinstance(k, int) or isinstance(k, bool) or not isinstance(one, (tuple, list)) \
                or not all(isinstance(a, int) and not isinstance(a, bool) for a in one):
            raise TypeError(f"polygrad.jit: dynamic_axes must map an argument's index (int) to "
                            f"an axis (int) or a tuple of axes; got {k!r}: {axes!r}")
        if k in statics:
            raise ValueError(f"polygrad.jit: argument {k} is in static_argnums and in "
                             f"dynamic_axes; a static argument has no axes")
        out[k] = tuple(one)
    return out


def _check_static(static_argnums: Any) -> tuple[int, ...]:
    nums = (static_argnums,) if isinstance(static_argnums, int) else static_argnums
    if not isinstance(nums, (tuple, list)) or not all(
            isinstance(n, int) and not isinstance(n, bool) for n in nums):
        raise TypeError(f"polygrad.jit: static_argnums must be an int or a tuple of ints, got "
                        f"{static_argnums!r}")
    return tuple(nums)


def _call(fun: Callable, statics: tuple, cache: dict, args: tuple, kwargs: dict,
          stats: _Stats, sized: bool = False) -> Any:
    if tracing() or compiling() is not None:
        return fun(*args, **kwargs)   # differentiated, or inside another jit: part of its trace
    plain = not kwargs and not statics and stats.dynamic is None and not sized and args and \
        all(type(a) is Array and a._trace is None for a in args)
    if plain:   # only concrete Arrays: a program already traced for these shapes, found fast
        entry, natives, closures = _fast(fun, args, stats)
        if entry is not None:
            return entry(natives, list(args), closures)
    static = _static_positions(statics, len(args))
    leaves, structure = tree_flatten(([a for i, a in enumerate(args) if i not in static], kwargs))
    backend, natives, spec = _split(leaves)
    if backend is None:
        return fun(*args, **kwargs)   # arrays of two backends: eager raises the clear error
    compiler = replay_compiler(backend) if stats.mode == "replay" else compiler_of(backend)
    closures, stopped = closed_over(fun, backend)
    if stopped:
        _warn_search(fun)
    dims = None
    if stats.dynamic and not sized:
        if getattr(compiler, "compile_replayed", None) is not None:
            compiler = _Replayed(replay_compiler(backend), compiler)
        if getattr(compiler, "dynamic", False):
            dims = _dims(stats.dynamic, args, static, natives)
        else:
            _say(stats, fun, backend)
    natives += [native_of(a) for a in closures]
    key = _key(backend, structure, spec, [args[i] for i in static], natives, static, dims)
    entry = cache.get(key)
    if entry is not None and entry.specialized:   # traced per size after all
        return _call(fun, statics, cache, args, kwargs, stats, sized=True)
    if entry is None:
        entry = cache[key] = _Entry(fun, backend, compiler, structure, spec, static, args,
                                    dims and dims + [None] * len(closures))
        stats.traced(fun, _signature(args, static, natives))
    if entry.eager:
        return fun(*args, **kwargs)
    try:
        out = entry(natives, leaves, closures)
        if plain and not stopped and backend is args[0]._backend:
            fast = _fast_key(backend, len(args), natives)
            if fast is not None:
                stats.fast[fast] = entry
        return out
    except Retrace:   # sizes the program's guards exclude: a program for these sizes
        return _call(fun, statics, cache, args, kwargs, stats, sized=True)
    except NotGeneric as exc:
        entry.specialized = True
        _warn_specialized(fun, exc)
        return _call(fun, statics, cache, args, kwargs, stats, sized=True)
    except Exception as exc:
        if entry.traced:
            raise   # an error of the compiled program at run time
        del cache[key]
        if reads_value(exc, compiler):
            raise ConcretizationError(value_message(exc, fun)) from None
        if not compiler.fallback:
            raise
        cache[key] = entry
        entry.eager = True
        _warn_untraced(fun, backend, exc)
        return fun(*args, **kwargs)


def _fast(fun: Callable, args: tuple, stats: _Stats) -> tuple[Any, list, list]:
    """(the entry of a call whose arguments are all concrete Arrays, or None; the natives of
    the arguments and of the arrays ``fun`` closes over; those arrays): the cache key of such a
    call is its backend and the shapes and dtypes alone, without flattening the arguments."""
    backend = args[0]._backend
    for a in args:
        if a._backend is not backend:
            return None, [], []
    closures, stopped = closed_over(fun, backend)
    if stopped:
        return None, [], []
    natives = [a._v for a in args] + [native_of(c) for c in closures]
    key = _fast_key(backend, len(args), natives)
    return (stats.fast.get(key) if key is not None else None), natives, closures


def _fast_key(backend: Backend, nargs: int, natives: list) -> tuple | None:
    key = (backend, nargs, tuple([(n.shape, n.dtype) for n in natives]))
    try:
        hash(key)
    except TypeError:
        return None
    return key


def _signature(args: tuple, static: frozenset, natives: list) -> list:
    """(where, what) for each argument: shapes and dtypes of arrays, values of the rest."""
    out = []
    for i, a in enumerate(args):
        leaves, _ = tree_flatten(a)
        for j, leaf in enumerate(leaves):
            where = f"argument {i}" + (f" (leaf {j})" if len(leaves) > 1 else "")
            if i not in static and (type(leaf) is Array or hasattr(leaf, "shape")):
                out.append((where, f"{getattr(leaf, 'dtype', '')}{list(leaf.shape)}"))
            else:
                out.append((where, repr(leaf)[:40]))
    out.append(("the shapes of all arrays, closed-over ones included",
                [tuple(n.shape) for n in natives]))
    return out


def _static_positions(statics: tuple, n: int) -> frozenset:
    for i in statics:
        if not -n <= i < n:
            raise ValueError(f"polygrad.jit: static_argnums {i} is out of range for a call with "
                             f"{n} positional argument(s)")
    return frozenset(i % n for i in statics)


def _dims(dynamic: dict, args: tuple, static: frozenset, natives: list) -> list | None:
    """For each of the arguments' arrays, None or {axis: the name of its size}: axes of equal
    size share a name (s0, s1, ... in order of appearance)."""
    leaf_arg = []
    for i, a in enumerate(args):
        if i not in static:
            for leaf in tree_flatten(a)[0]:
                if type(leaf) is Array or (hasattr(leaf, "shape") and hasattr(leaf, "dtype")):
                    leaf_arg.append(i)
    for k in dynamic:
        if not -len(args) <= k < len(args):
            raise ValueError(f"polygrad.jit: dynamic_axes names argument {k}, but the call has "
                             f"{len(args)} positional argument(s)")
    wanted = {k % len(args): axes for k, axes in dynamic.items()}
    names: dict[int, str] = {}
    out: list = []
    for i, n in zip(leaf_arg, natives):   # keyword arguments' arrays come last: never dynamic
        axes = wanted.get(i)
        if axes is None:
            out.append(None)
            continue
        shape = tuple(n.shape)
        found = {}
        for a in axes:
            if not -len(shape) <= a < len(shape):
                raise ValueError(f"polygrad.jit: dynamic_axes marks axis {a} of argument {i}, "
                                 f"which has an array of shape {shape}")
            size = shape[a]
            found[a % len(shape)] = names.setdefault(size, f"s{len(names)}")
        out.append(found)
    out += [None] * (len(natives) - len(out))
    return out if names else None


def _key(backend: Backend, structure: Any, spec: list, static_args: list, natives: list,
         static: frozenset, dims: list | None = None) -> tuple:
    values = tuple((type(v), v) for v in spec if v is not _DYNAMIC)
    if dims is None:
        shapes = tuple((tuple(n.shape), n.dtype) for n in natives)
    else:
        shapes = tuple((tuple(d.get(a, s) for a, s in enumerate(n.shape)) if d else
                        tuple(n.shape), n.dtype)
                       for n, d in zip(natives, dims + [None] * (len(natives) - len(dims))))
    key = (backend, _frozen(structure), values, tuple((type(v), v) for v in static_args),
           tuple(sorted(static)), shapes, dims is not None)
    try:
        hash(key)
    except TypeError:
        raise TypeError(_unhashable(values, static_args)) from None
    return key


def _unhashable(values: tuple, static_args: list) -> str:
    for what, v in [("a non-array leaf of the arguments", v) for _, v in values] + \
            [("a static argument (static_argnums)", v) for v in static_args]:
        try:
            hash(v)
        except TypeError:
            return (f"polygrad.jit: {what} is part of the compiled function's cache key and "
                    f"must be hashable; got {type(v).__name__} {v!r:.80}")
    return "polygrad.jit: the arguments cannot be hashed into a cache key"


def _frozen(structure: Any) -> Any:
    if type(structure) is list or type(structure) is tuple:
        return tuple(_frozen(s) for s in structure)
    return structure


class _Replayed(Compiler):
    """Dynamic axes on a compiler that takes a replay program (torch): the function is traced
    by the replay compiler with the sizes as names, and its generated program handed to the
    backend's compiler (``compile_replayed``), which compiles it for every size."""

    dynamic = True

    def __init__(self, replay: Compiler, compiler: Compiler) -> None:
        self.replay, self.compiler = replay, compiler
        self.value_errors = replay.value_errors
        self.fallback = replay.fallback
        self.wrap, self.adopt, self.is_traced = replay.wrap, replay.adopt, replay.is_traced

    def compile(self, fun: Callable, natives: list, dynamic: list | None = None) -> Callable:
        run = self.replay.compile(fun, natives, dynamic)
        return self.compiler.compile_replayed(run, natives, dynamic)


class _Entry:
    """One compiled version of a function: for one cache key, traced on its first call."""

    def __init__(self, fun: Callable, backend: Backend, compiler: Compiler, structure: Any,
                 spec: list, static: frozenset, args: tuple, dims: list | None = None) -> None:
        self.fun, self.backend, self.compiler = fun, backend, compiler
        self.dims = dims   # dynamic axes: per input, None or {axis: size name}
        self.specialized = False   # its program proved to depend on the sizes: trace per size
        self.structure, self.spec = structure, spec
        self.static = {i: args[i] for i in static}
        self.nargs = len(args)
        self.out: tuple | None = None    # the outputs' structure, non-array leaves, rebound inputs
        self.run: Callable | None = None
        self.traced = False   # the first call went through: errors now are run-time errors
        self.eager = False
        self.closures: list[Array] = []

    def __call__(self, natives: list, leaves: list, closures: list) -> Any:
        # natives: the arguments' arrays, then those of the arrays the function closes over
        self.closures = closures   # for flat, should the compiler trace it now
        try:
            out = None
            if self.run is None:
                self.run = self.compiler.compile(self.flat, natives, self.dims) if self.dims \
                    else self.compiler.compile(self.flat, natives)
                take = getattr(self.compiler, "take_first", None)
                out = take(self.flat) if take is not None else None
            if out is None:
                out = self.run(*natives)
        finally:
            self.closures = []
        self.traced = True
        structure, spec, rebound = self.out
        backend = self.backend
        if rebound:
            inputs = [leaf for leaf, s in zip(leaves, self.spec) if s is _DYNAMIC] + closures
            for k, native in zip(rebound, out[len(out) - len(rebound):]):
                _rebind(inputs[k], native)
        it = iter(out)
        return tree_unflatten(structure, [Array(next(it), backend) if s is _DYNAMIC else s
                                          for s in spec])

    def flat(self, *natives: Any) -> list:
        """The function on the backend's arrays, as the compiler traces it; its outputs, then
        the inputs that ``x[i] = v`` rebound (written back to the caller's Arrays).

        The arrays the function closes over hold the compiler's symbolic inputs meanwhile, so
        that the program reads them at each call instead of keeping their values of now."""
        closures = self.closures
        saved = [(a._v, a._trace, a._aux) for a in closures]
        try:
            for a, n in zip(closures, natives[len(natives) - len(closures):]):
                self.compiler.adopt(a, n)
            return self._outputs(natives, closures)
        finally:
            for a, (v, trace, aux) in zip(closures, saved):
                a._v, a._trace, a._aux = v, trace, aux

    def _outputs(self, natives: tuple, closures: list) -> list:
        backend = self.backend
        wrap = self.compiler.wrap
        inputs = [wrap(n, backend) for n in natives[:len(natives) - len(closures)]]
        it = iter(inputs)
        leaves = [next(it) if s is _DYNAMIC else s for s in self.spec]
        positional, kwargs = tree_unflatten(self.structure, leaves)
        positional = iter(positional)
        args = [self.static[i] if i in self.static else next(positional)
                for i in range(self.nargs)]
        with compiling_for(backend):
            out = self.fun(*args, **kwargs)
        leaves, structure = tree_flatten(out)
        dynamic, spec = [], []
        for leaf in leaves:
            if type(leaf) is Array or self.compiler.is_traced(leaf):
                dynamic.append(native_of(leaf) if type(leaf) is Array else leaf)
                spec.append(_DYNAMIC)
            else:
                spec.append(leaf)
        inputs += closures
        rebound = [k for k, (x, n) in enumerate(zip(inputs, natives)) if native_of(x) is not n]
        self.out = (structure, spec, rebound)
        return dynamic + [native_of(inputs[k]) for k in rebound]


def _rebind(leaf: Any, native: Any) -> None:
    """The caller's Array now holds ``native``, as after ``x[i] = v`` run eagerly."""
    if type(leaf) is Array:
        leaf._v = native
        if leaf._trace is TAPE_LEAF:
            leaf._aux = None
        else:
            leaf._trace = leaf._aux = None


def _say(stats: _Stats, fun: Callable, backend: Backend) -> None:
    if backend.name not in stats.said:
        stats.said.add(backend.name)
        name = getattr(fun, "__name__", "the function")
        warnings.warn(f"pg.jit: {name} has dynamic_axes, but the {backend.name} backend's "
                      f"compiler makes one program per shape (jax.jit does): each new size "
                      f"traces and compiles again. Pad the last minibatch to the batch size, or "
                      f"use pg.jit(..., compiler='replay'), which serves every size with one "
                      f"program", JitWarning, stacklevel=4)


def _warn_specialized(fun: Callable, exc: BaseException) -> None:
    name = getattr(fun, "__name__", "the function")
    warnings.warn(f"pg.jit: {name}'s program depends on the sizes of its dynamic axes otherwise "
                  f"than through shapes: {exc}. It is traced once per size instead",
                  JitWarning, stacklevel=4)


def _warn_search(fun: Callable) -> None:
    name = getattr(fun, "__name__", "the function")
    if f"search:{name}" not in _warned:
        _warned.add(f"search:{name}")
        warnings.warn(f"pg.jit: looking for the arrays {name} closes over, polygrad stopped after "
                      f"{LIMIT} objects; arrays it reaches only beyond them are constants of the "
                      f"compiled program: pass them as arguments", JitWarning, stacklevel=4)


def _warn_untraced(fun: Callable, backend: Backend, exc: BaseException) -> None:
    name = getattr(fun, "__name__", "the function")
    warnings.warn(f"pg.jit: could not trace {name} for the {backend.name} compiler "
                  f"({type(exc).__name__}: {str(exc).strip()[:200]}); running it eagerly",
                  JitWarning, stacklevel=4)
