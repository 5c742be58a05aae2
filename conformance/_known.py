"""Known failures and loosened tolerances of a backend, read from TOML data files.

Each ``[[failure]]`` entry excuses the failing checks it matches (the case then counts as
``xfail``); each ``[[tolerance]]`` entry multiplies the tolerance of the checks it matches.
Both need a ``reason``. An entry that matched cases but excused nothing is *stale*: it is
reported, and fails the run unless it says ``strict = false``. Imports the standard library.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

__all__ = ["Entry", "KnownFailures", "load_known_failures", "describe", "KNOWN_DIR"]

KNOWN_DIR = Path(__file__).parent / "known_failures"
_KEYS = {"spec", "case", "dtype", "check", "backend", "reason", "strict", "factor"}


def _toml(path: Path) -> dict:
    try:
        import tomllib
    except ImportError:   # Python 3.10
        try:
            import tomli as tomllib
        except ImportError:
            raise ImportError(f"polygrad_conformance: reading {path} needs Python >= 3.11 or "
                              f"the 'tomli' package") from None
    with open(path, "rb") as f:
        return tomllib.load(f)


@dataclass
class Entry:
    """One known failure (``factor`` None) or loosened tolerance (``factor`` > 1)."""

    spec: str
    reason: str
    source: str
    case: str = "*"
    dtype: str = "*"
    check: str = "*"
    backend: str = "*"
    strict: bool = True
    factor: float | None = None
    matched: int = 0     # cases run that this entry applies to
    used: int = 0        # cases where it excused a failure (or its factor was needed)
    #: "row|case|dtype" of the cases it applies to that passed all the same (a glob wider than
    #: the failures it excuses: warned about, since it would hide a regression there)
    passing: list = field(default_factory=list)

    def applies(self, spec: str, case: str, dtype: str, backend: str) -> bool:
        return (fnmatchcase(spec, self.spec) and fnmatchcase(case, self.case)
                and fnmatchcase(dtype, self.dtype) and _backend_match(backend, self.backend))

    def covers(self, check: str) -> bool:
        return fnmatchcase(check, self.check)

    @property
    def stale(self) -> bool:
        return self.matched > 0 and self.used == 0

    def describe(self) -> str:
        return describe(self.as_dict())

    def as_dict(self) -> dict:
        return {"spec": self.spec, "case": self.case, "dtype": self.dtype, "check": self.check,
                "backend": self.backend, "reason": self.reason, "source": self.source,
                "strict": self.strict, "factor": self.factor, "matched": self.matched,
                "used": self.used, "stale": self.stale, "passing": list(self.passing)}


def describe(e: dict) -> str:
    """One line for an entry (as in ``Entry.as_dict()``)."""
    where = [f"spec={e['spec']}"] + [f"{k}={e[k]}" for k in ("case", "dtype", "check",
                                                            "backend") if e[k] != "*"]
    kind = f"tolerance x{e['factor']:g}" if e["factor"] else "known failure"
    return f"{kind} [{', '.join(where)}] ({e['source']}): {e['reason']}"


def _backend_match(spec: str, pattern: str) -> bool:
    name = spec.split(":", 1)[0]
    return fnmatchcase(spec, pattern) or fnmatchcase(name, pattern)


class KnownFailures:
    """The entries that apply to one backend."""

    def __init__(self, failures: list, tolerances: list, files: list) -> None:
        self.failures = failures
        self.tolerances = tolerances
        self.files = files

    def entries(self) -> list:
        return self.failures + self.tolerances

    def loosen(self, result: Any) -> None:
        """Apply the tolerance entries to a case result's checks."""
        for entry in self.tolerances:
            if not entry.applies(result.spec, result.case, result.dtype, result.backend):
                continue
            entry.matched += 1
            for check in result.checks:
                if check.tol > 0 and entry.covers(check.check):
                    needed = not check.ok
                    check.tol *= entry.factor
                    check.ok = bool(check.err <= check.tol)
                    if needed and check.ok:
                        entry.used += 1
                        check.message += f" (tolerance x{entry.factor:g}: {entry.reason})"

    def split(self, result: Any) -> tuple[list, list]:
        """(known, unknown) failures of a case result, each known one with its entry."""
        applicable = [e for e in self.failures
                      if e.applies(result.spec, result.case, result.dtype, result.backend)]
        for e in applicable:
            e.matched += 1
        known, unknown = [], []
        for check in result.failures:
            entry = next((e for e in applicable if e.covers(check.check)), None)
            if entry is None:
                unknown.append(check)
            else:
                known.append((check, entry))
        for e in {id(e): e for _, e in known}.values():
            e.used += 1
        for e in applicable:
            if not any(e.covers(c.check) for c in result.failures) and not (
                    result.skipped and not result.checks):
                e.passing.append(f"{result.spec}|{result.case}|{result.dtype}")
        return known, unknown

    def stale(self) -> list:
        return [e for e in self.entries() if e.stale]

    def too_wide(self) -> list:
        """Failure entries that excused some cases but also match cases that pass."""
        return [e for e in self.failures if e.used and e.passing]


def _read(path: Path, backend_filter: str | None) -> tuple[list, list]:
    data = _toml(path)
    failures, tolerances = [], []
    unknown_tables = set(data) - {"failure", "tolerance"}
    if unknown_tables:
        raise ValueError(f"{path}: unknown tables {sorted(unknown_tables)}; expected [[failure]] "
                         f"and [[tolerance]]")
    for kind in ("failure", "tolerance"):
        for i, raw in enumerate(data.get(kind, [])):
            extra = set(raw) - _KEYS
            if extra:
                raise ValueError(f"{path}: [[{kind}]] #{i + 1} has unknown keys {sorted(extra)}")
            if not str(raw.get("reason", "")).strip():
                raise ValueError(f"{path}: [[{kind}]] #{i + 1} ({raw.get('spec')!r}) needs a "
                                 f"reason")
            if "spec" not in raw:
                raise ValueError(f"{path}: [[{kind}]] #{i + 1} needs spec = '...'")
            factor = raw.get("factor")
            if kind == "tolerance" and not (isinstance(factor, (int, float)) and factor > 1):
                raise ValueError(f"{path}: [[tolerance]] #{i + 1} needs factor > 1")
            entry = Entry(spec=raw["spec"], reason=raw["reason"].strip(), source=path.name,
                          case=raw.get("case", "*"), dtype=raw.get("dtype", "*"),
                          check=raw.get("check", "*"),
                          backend=raw.get("backend", backend_filter or "*"),
                          strict=bool(raw.get("strict", True)),
                          factor=float(factor) if kind == "tolerance" else None)
            (tolerances if kind == "tolerance" else failures).append(entry)
    return failures, tolerances


def load_known_failures(backend_name: str, extra: str | None = None,
                        plugin_files: list | tuple = ()) -> KnownFailures:
    """The shipped ``common.toml`` and ``<backend>.toml``, the plugin's own files
    (``plugin_files``, from its ``polygrad.conformance`` entry point), then the files in
    ``extra`` (``os.pathsep``-separated, e.g. from ``POLYGRAD_CONFORMANCE_KNOWN_FAILURES``)."""
    paths = [KNOWN_DIR / "common.toml", KNOWN_DIR / f"{backend_name}.toml"]
    paths += [Path(p) for p in plugin_files]
    if extra:
        paths += [Path(p) for p in extra.split(os.pathsep) if p.strip()]
    failures, tolerances, files = [], [], []
    for path in paths:
        if not path.exists():
            if path.parent != KNOWN_DIR:
                raise FileNotFoundError(f"polygrad_conformance: known-failure file {path} "
                                        f"does not exist")
            continue
        own = path.name == f"{backend_name}.toml" or path in paths[2:2 + len(plugin_files)]
        f, t = _read(path, backend_name if own else None)
        failures += f
        tolerances += t
        files.append(str(path))
    return KnownFailures(failures, tolerances, files)
