"""The state of one conformance run: the backend under test, the spec table, known failures and
the results collected for the report. Configured by environment variables (options of a
conftest inside site-packages are not seen under ``pytest --pyargs``).

Imports polygrad's public API and the suite's own modules.
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import polygrad as pg
from polygrad.extend import primitives
from polygrad_conformance._extras import Extras, load_extras
from polygrad_conformance._known import KnownFailures, load_known_failures
from polygrad_conformance._spec import Spec, registered_specs

__all__ = ["Session", "session", "all_specs", "SPEC_ENTRY_POINTS", "ENV",
           "installed_but_unavailable", "allow_unavailable"]

#: entry-point group of plugin packages that ship conformance specs (a module or a callable
#: returning an iterable of Spec)
SPEC_ENTRY_POINTS = "polygrad_conformance.specs"

#: the environment variables the suite reads
ENV = {
    "backend": "POLYGRAD_TEST_BACKEND",
    "full": "POLYGRAD_CONFORMANCE_FULL",
    "report": "POLYGRAD_CONFORMANCE_REPORT",
    "known": "POLYGRAD_CONFORMANCE_KNOWN_FAILURES",
    "modules": "POLYGRAD_CONFORMANCE_MODULES",
    "order": "POLYGRAD_CONFORMANCE_ORDER",
    "shard": "POLYGRAD_CONFORMANCE_SHARD",
    "allow_unavailable": "POLYGRAD_CONFORMANCE_ALLOW_UNAVAILABLE",
}


def allow_unavailable() -> bool:
    """Whether a run on an installed backend that cannot run here (no GPU) may skip every test
    and pass; by default such a run fails, so that a green run always tested something."""
    return os.environ.get(ENV["allow_unavailable"], "").strip().lower() not in (
        "", "0", "false", "no")


def _load_plugin_specs() -> list:
    """Specs from entry points and POLYGRAD_CONFORMANCE_MODULES (importing a module may call
    register_spec); returns those handed back directly."""
    out = []
    for ep in metadata.entry_points(group=SPEC_ENTRY_POINTS):
        obj = ep.load()
        if callable(obj) and not isinstance(obj, type(os)):
            got = obj()
            if got is not None:
                out += list(got)
    for name in os.environ.get(ENV["modules"], "").replace(";", ",").split(","):
        if name.strip():
            importlib.import_module(name.strip())
    return out


def all_specs() -> dict[str, Spec]:
    """Every row: the shipped tables, then plugins' (entry points, modules, register_spec)."""
    import polygrad.special  # noqa: F401  (registers its primitives)
    from polygrad_conformance.specs import builtin_specs

    table: dict[str, Spec] = {}
    for spec in builtin_specs():
        if spec.name in table:
            raise ValueError(f"polygrad_conformance: two shipped specs are named {spec.name!r}")
        table[spec.name] = spec
    returned = _load_plugin_specs()
    for spec in returned + list(registered_specs().values()):
        if spec.name in table and table[spec.name] is not spec:
            raise ValueError(f"polygrad_conformance: the spec {spec.name!r} from "
                             f"{spec.source} clashes with a shipped one")
        if spec.source == "polygrad":
            spec.source = "plugin"
        table[spec.name] = spec
    prims = primitives()
    for spec in table.values():
        if not spec.primitives and spec.name in prims:
            spec.primitives = (spec.name,)
    return table


@dataclass
class Session:
    backend_spec: str
    full: bool
    report_dir: Path
    backend: Any = None
    order: int | None = None
    shard: tuple = (0, 1)
    error: str = ""
    skip: str = ""   # an installed backend that cannot run here (no GPU): every test skips
    known: KnownFailures | None = None
    extras: Extras | None = None
    specs: dict = field(default_factory=dict)
    results: list = field(default_factory=list)

    def load(self) -> None:
        try:
            self.backend = pg.use_backend(self.backend_spec).__enter__()
        except Exception as exc:  # noqa: BLE001 - shown as a usage error by the plugin
            text = (f"polygrad_conformance: cannot use backend {self.backend_spec!r} "
                    f"({ENV['backend']}): {exc}")
            if installed_but_unavailable(self.backend_spec, exc):
                self.skip = text
            else:
                self.error = text
            return
        # leave the backend entered for the whole run: every check runs inside use_backend too
        # the plugin's own extras (entry point polygrad.conformance): its known failures are
        # read after the shipped ones, its input strategies add a run of every row each
        self.extras = load_extras(self.backend.name)
        self.known = load_known_failures(self.backend.name, os.environ.get(ENV["known"]),
                                         plugin_files=self.extras.known_failures)
        self.specs = all_specs()


def installed_but_unavailable(spec: str, exc: Exception) -> bool:
    """Whether ``spec`` names an installed backend that cannot run here (its device or library
    is missing), as opposed to an unknown, broken or rejected one: the first skips, the
    others fail the run."""
    if not isinstance(exc, pg.BackendUnavailable):
        return False
    name = spec.partition(":")[0]
    from polygrad._backend import ALIASES

    name = ALIASES.get(name, name).partition(":")[0]
    return any(row["name"] == name and row["status"] in ("available", "unavailable")
               for row in pg.backends())


_session: Session | None = None


def _shard(text: str) -> tuple[int, int]:
    """``"i/n"`` (0 ≤ i < n): this process runs every n-th case from the i-th."""
    if not text.strip():
        return (0, 1)
    i, _, n = text.partition("/")
    shard = (int(i), int(n))
    if not 0 <= shard[0] < shard[1]:
        raise ValueError(f"{ENV['shard']}={text!r}: expected i/n with 0 <= i < n")
    return shard


def session() -> Session:
    """The run's state, made on first use from the environment."""
    global _session
    if _session is None:
        spec = (os.environ.get(ENV["backend"]) or os.environ.get("POLYGRAD_BACKEND")
                or "numpy").strip()
        full = os.environ.get(ENV["full"], "").strip().lower() not in ("", "0", "false", "no")
        report = Path(os.environ.get(ENV["report"]) or Path("build") / "polygrad-conformance")
        order = os.environ.get(ENV["order"], "").strip()
        _session = Session(spec, full, report.resolve(), order=int(order) if order else None,
                           shard=_shard(os.environ.get(ENV["shard"], "")))
        _session.load()
    return _session
