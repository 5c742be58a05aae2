"""The compiler protocol behind ``pg.jit`` (what a backend's ``compiler()`` returns), and the
errors and warnings of compiled code.

Imports array and backend only; array libraries are imported by the backends' compilers.
"""

from __future__ import annotations

import contextlib
import contextvars
import linecache
import os
import sys
import sysconfig
from collections.abc import Callable, Iterator
from typing import Any

from ._array import Array
from ._backend import Backend

__all__ = ["Compiler", "ConcretizationError", "JitWarning", "compiler_of", "compiling",
           "compiling_for", "reads_value", "replay_compiler", "value_message"]


class ConcretizationError(TypeError):
    """Code traced by ``pg.jit`` needed the value of an array, which is not known until run time."""


class JitWarning(UserWarning):
    """``pg.jit`` runs a function eagerly (tracing or compilation failed), or retraces often."""


class Compiler:
    """What a backend's ``compiler()`` hook returns: how ``pg.jit`` traces and compiles for it.

    ``compile(fun, natives)`` returns a callable equivalent to ``fun``, a function from the
    backend's arrays to a list of them, specialised to the shapes and dtypes of ``natives``.
    ``cond``, ``fori_loop`` and ``scan`` (optional) lower ``pg.cond`` & co. to the library's own
    control flow; they take and return flat lists of the library's arrays.
    """

    #: exceptions meaning "traced code asked for an array's value"
    value_errors: tuple[type[BaseException], ...] = ()
    #: a failure to trace or compile runs the function eagerly, with a warning, instead of raising
    fallback: bool = False
    cond: Callable | None = None
    fori_loop: Callable | None = None
    scan: Callable | None = None

    def compile(self, fun: Callable, natives: list) -> Callable:
        raise NotImplementedError

    def is_traced(self, native: Any) -> bool:
        """Whether ``native`` is a symbolic value of a trace in progress (no value yet)."""
        return False

    def wrap(self, native: Any, backend: Backend) -> Array:
        """The polygrad Array the traced function receives for the symbolic input ``native``."""
        return Array(native, backend)

    def adopt(self, array: Array, native: Any) -> None:
        """Let ``array`` (closed over by the traced function) hold the symbolic input ``native``
        while tracing (``pg.jit`` restores it afterwards)."""
        array._v = native


_compilers: dict[Backend, Compiler | None] = {}
_compiling: contextvars.ContextVar[Backend | None] = contextvars.ContextVar(
    "polygrad_compiling", default=None)


def compiler_of(backend: Backend) -> Compiler:
    """The backend's compiler (cached); polygrad's replay compiler where it has none."""
    try:
        return _compilers[backend]
    except KeyError:
        compiler = backend.compiler()
        if compiler is None:
            compiler = replay_compiler(backend)
        _compilers[backend] = compiler
        return compiler


_replays: dict[Backend, Compiler] = {}


def replay_compiler(backend: Backend) -> Compiler:
    """polygrad's own compiler for ``backend``: trace to a Graph, optimise, run it as generated
    straight-line Python calling the backend's kernels (``pg.jit(f, compiler="replay")``)."""
    try:
        return _replays[backend]
    except KeyError:
        from ._graph import ReplayCompiler

        compiler = _replays[backend] = ReplayCompiler(backend)
        return compiler


def compiling() -> Backend | None:
    """The backend whose compiler is tracing a ``pg.jit`` function right now, if any."""
    return _compiling.get()


@contextlib.contextmanager
def compiling_for(backend: Backend) -> Iterator[None]:
    """Mark the block as a ``pg.jit`` trace for ``backend`` (see :func:`compiling`)."""
    token = _compiling.set(backend)
    try:
        yield
    finally:
        _compiling.reset(token)


# -- the error for reading a traced value ----------------------------------------------------------
def reads_value(exc: BaseException, compiler: Compiler) -> bool:
    """Whether ``exc`` came from reading a traced array's value."""
    if isinstance(exc, compiler.value_errors):
        return True
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code is _ASNUMPY:
            return True
        tb = tb.tb_next
    return False


_ASNUMPY = Array._host.__code__
_HERE = os.path.dirname(os.path.abspath(__file__))
_OWN = (_HERE + os.sep, os.path.join(os.path.dirname(_HERE), "polygrad_backends") + os.sep,
        sysconfig.get_paths()["stdlib"] + os.sep)
_LIBRARIES = ("jax", "jaxlib", "torch", "numpy", "array_api_compat", "array_api_strict")


def _user_line(exc: BaseException) -> tuple[str, int] | None:
    """The innermost frame of the traceback in the user's own code."""
    skip = _OWN + tuple(os.path.dirname(m.__file__) + os.sep for m in
                        (sys.modules.get(name) for name in _LIBRARIES)
                        if m is not None and getattr(m, "__file__", None))
    found = None
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if not filename.startswith(skip) and not filename.startswith("<frozen"):
            found = (filename, tb.tb_lineno)
        tb = tb.tb_next
    return found


def value_message(exc: BaseException, fun: Callable) -> str:
    name = _name(fun)
    where = _user_line(exc)
    line = ""
    if where is not None:
        source = linecache.getline(*where).strip()
        line = f" at {where[0]}:{where[1]}" + (f"\n    {source}\n" if source else "")
    return (f"polygrad.jit: {name} reads the value of a traced array{line}"
            f"{'' if line.endswith(chr(10)) else '. '}"
            f"While pg.jit traces {name} only the shapes and dtypes of its arrays are known, so "
            f"Python control flow on array values (if x > 0:, while, float(x), int(x), x.item(), "
            f"bool(x), printing values) cannot run. If the value is a setting rather than data, "
            f"make that argument static: pg.jit(f, static_argnums=(...)). Otherwise write the "
            f"choice with array operations: np.where(x > 0, a, b), pg.cond, pg.fori_loop or "
            f"pg.scan. ({type(exc).__name__}: {_first_line(exc)})")


def _name(fun: Callable) -> str:
    return getattr(fun, "__name__", type(fun).__name__)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:200] if text else ""
