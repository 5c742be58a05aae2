"""Conformance extras a backend plugin declares: its known-failures files and input strategies.

A plugin adds an entry point in the group ``polygrad.conformance`` named after its backend; it
points at a callable (or a dict) giving::

    {"known_failures": PATH or [PATH, ...],          # TOML files as in known_failures/
     "strategies": [InputStrategy(...), ...]}        # optional library-specific inputs

The suite loads the entry of the backend under test by itself (no environment variable), reads
its known failures after the shipped ones, and runs every row once more per strategy (case ids
``<case>@<strategy>``). Imports the standard library and the suite's spec types.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

__all__ = ["EXTRAS_ENTRY_POINTS", "InputStrategy", "Extras", "load_extras", "ELEMENTWISE"]

#: entry-point group of plugins' conformance extras (the entry's name is the backend's name)
EXTRAS_ENTRY_POINTS = "polygrad.conformance"

#: row categories whose outputs are element-wise in their (broadcast) inputs: where the
#: ``"filled"`` oracle is defined
ELEMENTWISE = ("elementwise", "numpy_elementwise")


def _elementwise_only(spec: Any) -> str:
    if spec.category in ELEMENTWISE:
        return ""
    return (f"the 'filled' oracle covers element-wise rows only ({spec.name} is in "
            f"{spec.category!r})")


@dataclass
class InputStrategy:
    """Library-specific inputs for every row, and the oracle they are compared against.

    ``make(host, rng)``: a native array of the backend under test from a NumPy array (called
    inside ``use_backend``; ``rng`` is the case's ``numpy.random.Generator``).
    ``unpack(native)``: ``(values, mask)`` as NumPy arrays; ``mask`` True where an entry is
    masked (absent, not computed), or None for a library without masks.
    ``oracle``: ``"filled"`` — NumPy's reference on the values, an output entry masked where any
    input entry it broadcasts from is masked, and values compared at the unmasked entries; the
    derivatives (VJP and JVP) against the NumPy backend's on the values, the cotangent's mask
    the output mask summed back to the argument (masked where every contribution is). Or a
    callable ``oracle(spec, case, wide_inputs, masks, kwargs) -> [(values, mask), ...]`` for
    the values alone.
    ``applies(spec)``: "" when a row runs with these inputs, else the reason it skips (default
    for ``"filled"``: element-wise rows).
    """

    name: str
    make: Callable[[Any, Any], Any]
    unpack: Callable[[Any], tuple]
    oracle: str | Callable = "filled"
    applies: Callable[[Any], str] | None = None
    description: str = ""

    def __post_init__(self) -> None:
        if not self.name.isidentifier():
            raise ValueError(f"InputStrategy: name must be an identifier, got {self.name!r}")
        if isinstance(self.oracle, str) and self.oracle != "filled":
            raise ValueError(f"InputStrategy {self.name!r}: oracle must be 'filled' or a "
                             f"callable, got {self.oracle!r}")
        if self.applies is None:
            self.applies = _elementwise_only if self.oracle == "filled" else (lambda spec: "")

    def skip_reason(self, spec: Any) -> str:
        return self.applies(spec) if self.applies is not None else ""


@dataclass
class Extras:
    """One backend's extras, from its plugin's entry point (empty when it has none)."""

    backend: str
    source: str = ""
    known_failures: list = field(default_factory=list)
    strategies: list = field(default_factory=list)


def _paths(value: Any) -> list[Path]:
    if value is None:
        return []
    if isinstance(value, (str, Path)):
        return [Path(value)]
    return [Path(v) for v in value]


def load_extras(backend_name: str, entry_points: Sequence | None = None) -> Extras:
    """The extras the installed plugins declare for ``backend_name``."""
    eps = entry_points if entry_points is not None else \
        metadata.entry_points(group=EXTRAS_ENTRY_POINTS)
    out = Extras(backend_name)
    for ep in eps:
        if ep.name != backend_name:
            continue
        obj = ep.load()
        data = obj() if callable(obj) else obj
        where = f"entry point {ep.name} = {ep.value} ({EXTRAS_ENTRY_POINTS})"
        if not isinstance(data, dict):
            raise TypeError(f"polygrad_conformance: {where} gave a {type(data).__name__}; "
                            f"expected a dict with 'known_failures' and/or 'strategies'")
        unknown = set(data) - {"backend", "known_failures", "strategies"}
        if unknown:
            raise ValueError(f"polygrad_conformance: {where} has unknown keys {sorted(unknown)}")
        for path in _paths(data.get("known_failures")):
            if not path.is_file():
                raise FileNotFoundError(f"polygrad_conformance: {where} names the known-failure "
                                        f"file {path}, which does not exist")
            out.known_failures.append(path)
        for s in data.get("strategies") or ():
            if not isinstance(s, InputStrategy):
                raise TypeError(f"polygrad_conformance: {where}: strategies must be "
                                f"InputStrategy objects, got {type(s).__name__}")
            if any(s.name == t.name for t in out.strategies):
                raise ValueError(f"polygrad_conformance: {where}: two strategies named "
                                 f"{s.name!r}")
            out.strategies.append(s)
        out.source = where
    return out
