"""The installed backends, as a table: ``pg.backends()`` and ``python -m polygrad.backends``.

Imports the core's discovery only; array libraries are imported just with ``load=True``.
The module is callable, so ``pg.backends()`` keeps working once ``polygrad.backends`` has been
imported (the import system then binds the package attribute to this module).
"""

from __future__ import annotations

import argparse
import json
import sys
import types
from typing import Any

from . import _backend

__all__ = ["list_backends", "format_table", "main"]

_COLUMNS = ("name", "distribution", "version", "status", "default_device",
            "default_float_dtype", "float64", "complex", "devices", "reason")
_ALIASES = "cuda is short for torch:cuda; a backend's accelerator rows follow it"
_HEADERS = ("name", "distribution", "version", "status", "device", "float", "f64", "complex",
            "devices", "reason")


def list_backends(load: bool = False) -> list[dict[str, Any]]:
    """One row per installed backend; see ``polygrad.backends`` for the keys.

    Without ``load`` no array library is imported: the status comes from ``Backend.probe()``
    and the capabilities from the backend class. With ``load=True`` every available backend is
    loaded (its library imported) and ``devices`` lists the devices it can use.
    """
    rows = [_row(name, ep, load) for name, ep in sorted(_backend._discover().items())]
    for name, entries in sorted(_backend._skipped.items()):
        for ep, status, why in entries:
            row = _blank(name, ep)
            row.update(status=status, reason=why)
            rows.append(row)
    return rows


def _blank(name: str, ep: Any) -> dict[str, Any]:
    dist = getattr(ep, "dist", None)
    return {"name": name, "entry_point": ep.value, "builtin": _backend.is_builtin(ep),
            "distribution": dist.name if dist is not None else None,
            "version": dist.version if dist is not None else None,
            "library": None, "status": "unknown", "reason": "", "default_device": None,
            "default_float_dtype": None, "float64": None, "complex": None, "devices": None,
            "accelerators": []}


def _row(name: str, ep: Any, load: bool) -> dict[str, Any]:
    row = _blank(name, ep)
    try:
        backend = ep.load()()
    except Exception as exc:   # a broken plugin is reported, never raised
        row.update(status="broken", reason=f"failed to import: {type(exc).__name__}: {exc}")
        return row
    row.update(library=backend.library or None, default_device=backend.device,
               default_float_dtype=str(backend.default_float_dtype),
               float64=bool(backend.supports_float64), complex=bool(backend.supports_complex))
    try:
        ok, why = backend.probe()
    except Exception as exc:
        ok, why = False, f"probe failed: {type(exc).__name__}: {exc}"
    row.update(status="available" if ok else "unavailable", reason=why)
    if load and ok:
        try:
            loaded = _backend.backend_for(name)
            loaded.xp   # noqa: B018  (imports the library)
            row["devices"] = list(loaded.devices())
        except Exception as exc:
            row.update(status="unavailable", reason=f"loading failed: {type(exc).__name__}: {exc}")
    row["accelerators"] = [_accelerator(backend, kind, load) for kind in backend.accelerators]
    return row


def _accelerator(backend: Any, kind: str, load: bool) -> dict[str, Any]:
    """``{"spec", "status", "reason"}`` of the backend's accelerator ``kind`` (e.g. cuda)."""
    spec = f"{backend.name}:{kind}"
    try:
        on_device = type(backend)(kind)
        ok, why = on_device.probe() if load else on_device.probe_without_import()
    except Exception as exc:
        ok, why = False, f"probe failed: {type(exc).__name__}: {exc}"
    status = "unchecked" if ok is None else "available" if ok else "unavailable"
    return {"spec": spec, "status": status, "reason": why}


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ",".join(value)
    return str(value)


def format_table(rows: list[dict[str, Any]]) -> str:
    """The rows as an aligned text table (the output of ``python -m polygrad.backends``)."""
    cells = [list(_HEADERS)]
    for r in rows:
        cells.append([_cell(r[c]) for c in _COLUMNS])
        for acc in r.get("accelerators", ()):
            blank = ["-"] * (len(_COLUMNS) - 3)
            cells.append([acc["spec"], *blank[:2], acc["status"], *blank[2:], acc["reason"]])
    widths = [max(len(line[i]) for line in cells) for i in range(len(_COLUMNS) - 1)]
    lines = []
    for line in cells:
        text = "  ".join(cell.ljust(w) for cell, w in zip(line, widths))
        lines.append(f"{text}  {line[-1]}".rstrip())
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """``python -m polygrad.backends [--load] [--json]``."""
    parser = argparse.ArgumentParser(prog="python -m polygrad.backends",
                                     description="List polygrad's installed backends.")
    parser.add_argument("--load", action="store_true",
                        help="load each available backend (imports its array library) and "
                             "list its devices")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    rows = list_backends(load=args.load)
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        print(format_table(rows))
        print(f"\n({_ALIASES})")
        if not args.load:
            print("(devices: run with --load to import each library and list its devices)")
    return 0


class _CallableModule(types.ModuleType):
    """Lets ``pg.backends()`` work whether it names the function or this module."""

    def __call__(self, load: bool = False) -> list[dict[str, Any]]:
        return list_backends(load=load)


sys.modules[__name__].__class__ = _CallableModule

if __name__ == "__main__":
    sys.exit(main())
