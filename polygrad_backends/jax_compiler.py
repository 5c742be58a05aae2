"""``pg.jit`` on JAX: ``jax.jit``, and ``pg.cond`` / ``fori_loop`` / ``scan`` as ``jax.lax``'s.

Loaded by ``JaxBackend.compiler()`` only. Imports ``polygrad.extend`` and JAX.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax

from polygrad.extend import Compiler

__all__ = ["JaxCompiler"]


class JaxCompiler(Compiler):
    """Traces with ``jax.jit`` (which also caches by shapes and dtypes); lowers control flow to
    ``jax.lax.cond``, ``fori_loop`` and ``scan``."""

    value_errors = (jax.errors.ConcretizationTypeError, jax.errors.TracerArrayConversionError,
                    jax.errors.TracerIntegerConversionError,
                    jax.errors.NonConcreteBooleanIndexError)

    def __init__(self, backend: Any) -> None:
        self.backend = backend

    def compile(self, fun: Callable, natives: list) -> Callable:
        return jax.jit(self._rng_guard(fun))

    def is_traced(self, native: Any) -> bool:
        return isinstance(native, jax.core.Tracer)

    def _rng_guard(self, fun: Callable) -> Callable:
        """``fun`` that refuses ``polygrad.numpy.random``: a traced key would leak out of the
        trace into the backend's global stream (and every call would draw the same numbers)."""
        backend = self.backend

        def guarded(*natives: Any) -> list:
            rng = getattr(backend, "_rng", None)
            key = getattr(rng, "_key", None)
            try:
                out = fun(*natives)
            finally:
                leaked = self._restore(rng, key)
            if leaked:
                raise TypeError(
                    "polygrad.jit: polygrad.numpy.random was called inside a function compiled "
                    "by pg.jit on JAX; its random stream lives outside the compiled program. "
                    "Draw the random numbers outside and pass them in as arguments")
            return out
        return guarded

    def _restore(self, rng: Any, key: Any) -> bool:
        """Put the random stream back as it was if the trace touched it; whether it did."""
        now = getattr(self.backend, "_rng", None)
        if now is None or not self.is_traced(now._key):
            return False
        if rng is None:
            self.backend._rng = None
        else:
            rng._key = key
        return True

    @staticmethod
    def cond(pred: Any, true_fun: Callable, false_fun: Callable, operands: list) -> list:
        return jax.lax.cond(pred, true_fun, false_fun, operands)

    @staticmethod
    def fori_loop(lower: Any, upper: Any, body: Callable, init: list) -> list:
        return jax.lax.fori_loop(lower, upper, body, init)

    @staticmethod
    def scan(f: Callable, init: list, xs: list, length: int | None) -> tuple[list, list]:
        return jax.lax.scan(f, init, xs, length=length)
