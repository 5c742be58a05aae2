"""The repository stands alone: no tracked text file points to files outside the checkout."""

from __future__ import annotations

import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
# spelled in pieces so that this file does not match itself
OUTSIDE = ("../" + "shared", "DESIGN" + " §", "STYLE" + ".md", "DESIGN" + ".md")


def _tracked_text_files() -> list[pathlib.Path]:
    try:
        out = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout (an installed copy): nothing to scan")
    suffixes = {".py", ".md", ".toml", ".yml", ".yaml", ".txt", ".cfg", ".sh", ""}
    return [ROOT / line for line in out.splitlines()
            if pathlib.Path(line).suffix in suffixes and (ROOT / line).is_file()]


def test_no_tracked_file_refers_outside_the_repository():
    offenders = []
    for path in _tracked_text_files():
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            if any(marker in line for marker in OUTSIDE):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offenders, "references to files outside the repository:\n" + "\n".join(offenders)
