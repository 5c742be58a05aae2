"""The light author path: ``polygrad conformance --install PATH --backend NAME``.

Makes a virtual environment in a build folder outside the source tree (by default under the
user's cache: ``$XDG_CACHE_HOME/polygrad/conformance/<backend>-<hash>``, ``~/.cache/...`` when
unset, ``%LOCALAPPDATA%\\polygrad\\...`` on Windows), installs into it only polygrad with its
``conformance`` extra (pytest, SciPy, tqdm: no torch, no JAX) and the plugin, and runs the
conformance suite there on the backend; the report goes to ``<build>/report``. The plugin's
known failures and input strategies come from its ``polygrad.conformance`` entry point.

A local polygrad checkout or plugin folder is copied into the build folder first (without
``.git``, ``build``, ``.nox`` and the like) and installed from the copy, so that nothing is
written into either source tree. The folder is kept: a second run reuses its environment.

Standard library only, so that ``python polygrad/_author_run.py ...`` runs it from a checkout
with any Python (the nox ``conformance`` session does).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import time
import venv
from collections.abc import Sequence
from pathlib import Path

__all__ = ["default_build_dir", "run", "main"]

_IGNORE = shutil.ignore_patterns(".git", ".nox", ".venv", "build", "dist", "*.egg-info",
                                 "__pycache__", ".pytest_cache", ".ruff_cache", ".mypy_cache",
                                 "*.pyc")


def default_build_dir(plugin: str, backend: str) -> Path:
    """The build folder for one (plugin, backend) pair under the user's cache folder."""
    if os.name == "nt":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    local = Path(plugin).expanduser()
    key = str(local.resolve()) if local.exists() else plugin
    digest = hashlib.sha256(key.encode()).hexdigest()[:10]
    return base / "polygrad" / "conformance" / f"{backend.partition(':')[0]}-{digest}"


def _is_checkout(root: Path) -> bool:
    pyproject = root / "pyproject.toml"
    return pyproject.is_file() and 'name = "polygrad"' in pyproject.read_text()


def _source_root() -> Path | None:
    """polygrad's source checkout: the one this polygrad runs from (an editable install), else
    the current folder when it is one; None: install this version from the package index."""
    for root in (Path(__file__).resolve().parents[1], Path.cwd()):
        if _is_checkout(root):
            return root
    return None


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("polygrad")
    except metadata.PackageNotFoundError:
        return ""


def _copy(src: Path, dst: Path) -> Path:
    if dst.exists():
        shutil.rmtree(dst)
    shutil.copytree(src, dst, ignore=_IGNORE)
    return dst


def _say(text: str) -> None:
    print(f"polygrad conformance: {text}", file=sys.stderr, flush=True)


def run(plugin: str, backend: str, rest: Sequence[str] = (), build: Path | None = None,
        polygrad: str | None = None) -> int:
    """Install polygrad (``polygrad``: a requirement or folder; default this checkout or this
    version), its conformance extra and ``plugin`` into a fresh environment in ``build``, and
    run the suite on ``backend`` there; returns the suite's exit status."""
    start = time.time()
    build = Path(build) if build is not None else default_build_dir(plugin, backend)
    build.mkdir(parents=True, exist_ok=True)
    src = build / "src"
    src.mkdir(exist_ok=True)
    env_dir = build / "venv"
    python = env_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    if not python.exists():
        _say(f"making a virtual environment in {env_dir}")
        venv.create(env_dir, with_pip=True, clear=True)
    where = polygrad or (str(_source_root()) if _source_root() else None)
    if where and Path(where).is_dir():
        where = str(_copy(Path(where), src / "polygrad"))
    elif where is None:
        version = _version()
        where = f"polygrad=={version}" if version else "polygrad"
    if Path(where).is_dir():
        requirement = f"{where}[conformance]"
    elif where.startswith("polygrad") and "[" not in where:
        requirement = where.replace("polygrad", "polygrad[conformance]", 1)
    else:
        requirement = where
    local = Path(plugin).expanduser()
    plugin_req = str(_copy(local.resolve(), src / "plugin")) if local.is_dir() else plugin
    _say(f"installing polygrad ({where}), its conformance extra and {plugin} into {build}")
    pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check",
           requirement, plugin_req]
    code = subprocess.call(pip, cwd=build)
    if code:
        _say(f"pip failed (exit {code}): {' '.join(pip)}")
        return code
    installed = time.time()
    report = build / "report"
    command = [str(python), "-m", "polygrad", "conformance", "--backend", backend,
               "--report", str(report), *rest]
    env = {k: v for k, v in os.environ.items()
           if k not in ("POLYGRAD_TEST_BACKEND", "POLYGRAD_CONFORMANCE_REPORT", "PYTHONPATH")}
    _say(f"installed in {installed - start:.0f} s; running: {' '.join(command[1:])}")
    code = subprocess.call(command, cwd=build, env=env)
    _say(f"exit {code}; {time.time() - installed:.0f} s for the suite, "
         f"{time.time() - start:.0f} s in all; build folder {build}")
    return code


def main(argv: Sequence[str] | None = None) -> int:
    """``--install PATH --backend NAME [--build-dir DIR] [--polygrad REQ] [-- PYTEST ARGS]``."""
    argv = list(sys.argv[1:] if argv is None else argv)
    rest: list[str] = []
    if "--" in argv:
        i = argv.index("--")
        argv, rest = argv[:i], argv[i + 1:]
    p = argparse.ArgumentParser(prog="polygrad conformance --install",
                                description="the conformance suite on a plugin, installed "
                                            "alone with polygrad in a build folder")
    p.add_argument("--install", required=True, metavar="PATH",
                   help="the plugin: a folder or a requirement")
    p.add_argument("--backend", required=True, metavar="NAME", help="the backend to check")
    p.add_argument("--build-dir", metavar="DIR", help="the build folder (default: under the "
                   "user's cache folder, printed)")
    p.add_argument("--polygrad", metavar="REQ", help="the polygrad to install (default: this "
                   "checkout, or this version from the package index)")
    args, more = p.parse_known_args(argv)
    return run(args.install, args.backend, more + rest,
               Path(args.build_dir) if args.build_dir else None, args.polygrad)


if __name__ == "__main__":
    sys.exit(main())
