"""``debug_nans``: raise at the first primitive whose value or derivative holds NaN or inf.

Off, it costs the hot paths one flag test: ``ON`` is read where every primitive's value is made
(``_trace.apply_native``, the one place a kernel runs, calls ``check_forward``) and where the
reverse trace records a node (``ReverseTrace.process`` calls ``locate``, which notes the call
site the derivative's error will name); the slow paths (backward pass, forward mode) read it
once. Nothing is swapped in or out: turning it on sets ``ON``. Imports array only.
"""

from __future__ import annotations

import contextvars
import os
import sys
import threading
from collections.abc import Callable
from typing import Any

from ._array import Array, native_of

__all__ = ["debug_nans", "enabled", "ON"]

#: checking kernels are installed: debug mode is on in some thread, task or process-wide
ON = False
_default = False
_scopes = 0   # open ``with debug_nans()`` blocks, in every thread and task
_lock = threading.Lock()
_local: contextvars.ContextVar[bool | None] = contextvars.ContextVar(
    "polygrad_debug_nans", default=None)
# while a derivative rule (or a backward pass) runs: where it comes from, in words. Forward
# values computed inside rules are not checked (a rule may mask them); rule outputs are.
_inside: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "polygrad_debug_inside", default=None)

_HERE = os.path.dirname(os.path.abspath(__file__))
_OWN = (_HERE + os.sep, os.path.join(os.path.dirname(_HERE), "polygrad_backends") + os.sep)


def debug_nans(enabled: bool | None = None, /) -> DebugNans:
    """Raise ``FloatingPointError`` at the first primitive that produces NaN or inf.

    ``pg.debug_nans(True)`` / ``pg.debug_nans(False)`` set the process-wide default;
    ``with pg.debug_nans():`` (or ``with pg.debug_nans(False):``) sets it for the block only,
    in this thread or asyncio task. Checked are the forward value of every primitive and the
    output of every derivative rule (VJP in reverse mode, JVP in forward mode). The error names
    the primitive, which of the three produced the NaN or inf, and the line of your code that
    called it (for a derivative, the line where the primitive ran forward). Each check reads
    the values back from the device, so expect a slowdown; off, it costs nothing.

    Examples
    --------
    >>> import polygrad as pg, polygrad.numpy as np
    >>> with pg.debug_nans():
    ...     pg.grad(np.sqrt)(0.0)
    Traceback (most recent call last):
    ...
    FloatingPointError: polygrad.debug_nans: the derivative (VJP) of sqrt ...
    """
    if enabled is not None and not isinstance(enabled, bool):
        raise TypeError(f"polygrad.debug_nans: expected True, False or nothing, got "
                        f"{enabled!r}")
    return DebugNans(enabled)


class DebugNans:
    """What ``debug_nans(...)`` returns: the setting, usable as a context manager."""

    def __init__(self, enabled: bool | None) -> None:
        global _default
        self.enabled = True if enabled is None else enabled
        self._previous = None
        if enabled is not None:   # the statement form sets the process-wide default
            with _lock:
                self._previous = _default
                _default = enabled
                _refresh()

    def __enter__(self) -> DebugNans:
        global _default, _scopes
        with _lock:
            if self._previous is not None:   # used with ``with``: local, not process-wide
                _default = self._previous
            _scopes += 1
            _refresh()
        self._token = _local.set(self.enabled)
        return self

    def __exit__(self, *exc: Any) -> None:
        global _scopes
        _local.reset(self._token)
        with _lock:
            _scopes -= 1
            _refresh()

    def __repr__(self) -> str:
        return f"polygrad.debug_nans({self.enabled})"


def enabled() -> bool:
    """Whether debug mode is on in this thread or task."""
    on = _local.get()
    return _default if on is None else on


# -- installing and removing the checks -----------------------------------------------------
def _refresh() -> None:
    want = _default or _scopes > 0
    if want and not ON:
        _install()
    elif not want and ON:
        _uninstall()


def _install() -> None:
    global ON
    ON = True


def _uninstall() -> None:
    global ON
    ON = False


def check_forward(prim: Any, backend: Any, args: tuple | list, out: Any) -> None:
    """Raise if the forward value ``out`` of ``prim`` holds NaN or inf (outside derivative
    rules, in a thread or task where debug mode is on); ``apply_native`` calls it while ON."""
    if _inside.get() is None and enabled():
        bad = _nonfinite_tree(backend, out)
        if bad is not None:
            raise FloatingPointError(
                f"polygrad.debug_nans: the forward value of {prim.name} contains {bad}"
                f"{_inputs_note(backend, args)}; {prim.name} was called {call_site()}")


def locate(out: Any) -> None:
    """Note on the node(s) behind the tracer(s) ``out`` where the primitive was called;
    ``ReverseTrace.process`` calls it while ON."""
    if enabled():
        site = _inside.get() or call_site()
        if type(out) is tuple:
            for o in out:
                o._aux.site = site
            out[0]._aux.parents[0][1].site = site
        else:
            out._aux.site = site


# -- the slow paths: derivative rules ---------------------------------------------------------
def enter_backward() -> contextvars.Token:
    """Mark a backward pass: its forward values are not checked, its rules' outputs are."""
    return _inside.set(_inside.get() or f"in a backward pass started {call_site()}")


def leave(token: contextvars.Token) -> None:
    _inside.reset(token)


def vjp(rule: Callable, node: Any, i: int, g: Any, ans: Any, args: tuple, params: dict) -> Any:
    """Run the VJP ``rule`` of ``node``'s argument ``i`` and check its cotangent."""
    site = getattr(node, "site", None) or "(call site not recorded: debug mode was off then)"
    return _checked_rule("VJP", "cotangent", rule, node.prim, i, g, ans, args, params, site)


def _checked_rule(kind: str, received: str, rule: Callable, prim: Any, i: int, g: Any, ans: Any,
                  args: tuple, params: dict, site: str) -> Any:
    """Run a derivative rule (``kind`` VJP or JVP) and raise if its output is not finite."""
    token = _inside.set(f"inside the {kind} of {prim.name}, which was called {site}")
    try:
        c = rule(g, ans, *args, **params)
    finally:
        _inside.reset(token)
    bad = _nonfinite_value(c)
    if bad is not None:
        incoming = _nonfinite_value(g)
        note = (f" (the {received} it received already contained {incoming})" if incoming
                else f" (the {received} it received was finite)")
        raise FloatingPointError(
            f"polygrad.debug_nans: the derivative ({kind}) of {prim.name} with respect to its "
            f"argument {i} contains {bad}{note}; {prim.name} was called {site}")
    return c


def check_sum(c: Any, node: Any) -> None:
    """The cotangents from several uses of ``node``'s value added up to NaN or inf."""
    bad = _nonfinite_value(c)
    if bad is not None:
        what = ("an input" if node.prim is None else
                f"the output of {node.prim.name}, which was called "
                f"{getattr(node, 'site', None) or '(call site not recorded)'}")
        raise FloatingPointError(
            f"polygrad.debug_nans: adding up the cotangents from the several uses of {what} "
            f"gives {bad} (e.g. inf - inf)")


def jvp(rule: Callable, prim: Any, i: int, t: Any, ans: Any, primals: tuple, params: dict
        ) -> Any:
    """Run the JVP ``rule`` of ``prim``'s argument ``i`` and check its tangent."""
    if not enabled():
        return rule(t, ans, *primals, **params)
    site = _inside.get() or call_site()
    return _checked_rule("JVP", "tangent", rule, prim, i, t, ans, primals, params, site)


# -- finding NaN and inf, and the user's line -------------------------------------------------
def _nonfinite(backend: Any, native: Any) -> str | None:
    """"nan", "inf" or None for one backend array (integers and booleans are never checked)."""
    try:
        kind = backend.dtype_of(native).kind
    except Exception:
        return None
    if kind not in "fc":
        return None
    xp = backend.xp
    if bool(xp.all(xp.isfinite(native))):
        return None
    return "nan" if bool(xp.any(xp.isnan(native))) else "inf"


def _nonfinite_tree(backend: Any, out: Any) -> str | None:
    if type(out) is tuple or type(out) is list:
        for o in out:
            bad = _nonfinite_tree(backend, o)
            if bad is not None:
                return bad
        return None
    return _nonfinite(backend, out)


def _nonfinite_value(x: Any) -> str | None:
    """The same for a polygrad value: an Array (any trace level), a tuple of them, or None."""
    if type(x) is tuple:
        for o in x:
            bad = _nonfinite_value(o)
            if bad is not None:
                return bad
        return None
    if type(x) is not Array:
        return None
    return _nonfinite(x._backend, native_of(x))


def _inputs_note(backend: Any, args: tuple) -> str:
    for a in args:
        if hasattr(a, "shape"):
            bad = _nonfinite(backend, a)
            if bad is not None:
                return (f" (an input already contained {bad}: it did not come from a polygrad "
                        f"primitive; check your data)")
    return " (its inputs were finite)"


def call_site() -> str:
    """``at FILE:LINE in FUNCTION``: the innermost frame outside polygrad's own code."""
    frame = sys._getframe(1)
    while frame is not None:
        code = frame.f_code
        if not code.co_filename.startswith(_OWN):
            return f"at {code.co_filename}:{frame.f_lineno} in {code.co_name}"
        frame = frame.f_back
    return "(outside any Python frame)"
