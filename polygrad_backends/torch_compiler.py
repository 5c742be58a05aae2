"""``pg.jit`` on torch: trace to a graph of aten operations with fake tensors, then
``torch.compile`` it.

Tracing first (``make_fx``) means polygrad's Python never reaches TorchDynamo, so it causes no
graph breaks; ``torch.compile`` sees only torch operations. Loaded by
``TorchBackend.compiler()`` only. Imports ``polygrad.extend`` and torch.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import torch
from torch._subclasses.fake_tensor import (DataDependentOutputException,
                                           DynamicOutputShapeException, FakeTensor)
from torch.fx.experimental.proxy_tensor import make_fx

from polygrad.extend import Compiler, JitWarning

__all__ = ["TorchCompiler"]


class TorchCompiler(Compiler):
    """Traces with ``make_fx(tracing_mode="fake")``, compiles with ``torch.compile``; control
    flow runs in Python at trace time (``cond`` on a traced predicate evaluates both branches)."""

    fallback = True

    def __init__(self, backend: Any) -> None:
        self.backend = backend

    def compile(self, fun: Callable, natives: list) -> Callable:
        try:
            graph = make_fx(fun, tracing_mode="fake")(*natives)
        except AssertionError as exc:
            if "FakeTensor" not in str(exc):
                raise
            raise RuntimeError(
                "it uses a torch tensor that is neither an argument nor held by an Array that "
                "pg.jit found among those the function closes over (closure variables, the "
                "globals it names, defaults, and the lists, dicts and objects among them); "
                "pass that array as an argument") from None
        return _Inductor(graph)

    def compile_replayed(self, run: Callable, natives: list, dynamic: list) -> Callable:
        """``pg.jit(dynamic_axes=...)``: ``run`` is polygrad's replay program, which reads the
        sizes of the dynamic axes from its inputs' shapes; ``torch.compile(dynamic=True)``
        compiles it once for every size (Dynamo still specialises sizes 0 and 1)."""
        return _Inductor(run, dynamic=True)

    def is_traced(self, native: Any) -> bool:
        return isinstance(native, FakeTensor)

    @property
    def value_errors(self) -> tuple[type[BaseException], ...]:
        # imported when an error is met: symbolic_shapes takes a noticeable time to import
        from torch.fx.experimental.symbolic_shapes import GuardOnDataDependentSymNode

        return (DataDependentOutputException, DynamicOutputShapeException,
                GuardOnDataDependentSymNode)


class _Inductor:
    """A traced graph, compiled by ``torch.compile`` on its first call; should that fail, the
    graph itself runs (still without polygrad's Python), after a warning."""

    def __init__(self, graph: Any, dynamic: bool = False) -> None:
        self.graph = graph
        self.dynamic = dynamic
        self.run = self._first

    def __call__(self, *natives: Any) -> Any:
        return self.run(*natives)

    def _first(self, *natives: Any) -> Any:
        compiled = torch.compile(self.graph, dynamic=self.dynamic)
        try:
            out = compiled(*natives)
        except Exception as exc:
            warnings.warn(f"pg.jit: torch.compile failed ({type(exc).__name__}: "
                          f"{str(exc).strip()[:200]}); running the traced graph uncompiled",
                          JitWarning, stacklevel=2)
            self.run = self.graph
            return self.graph(*natives)
        self.run = compiled
        return out
