"""What the wheel ships: every package of the source tree, and the version in one place."""

from __future__ import annotations

import importlib.metadata
import pathlib
import sys

import pytest

import polygrad as pg

ROOT = pathlib.Path(__file__).resolve().parents[1]
#: import name -> folder in the checkout
ROOTS = {"polygrad": "polygrad", "polygrad_backends": "polygrad_backends",
         "polygrad_conformance": "conformance"}


def _pyproject() -> dict:
    if sys.version_info >= (3, 11):
        import tomllib
    else:
        import tomli as tomllib
    path = ROOT / "pyproject.toml"
    if not path.is_file():
        pytest.skip("not a source checkout: no pyproject.toml")
    return tomllib.loads(path.read_text())


def test_every_package_of_the_source_tree_is_listed_for_the_wheel():
    listed = set(_pyproject()["tool"]["setuptools"]["packages"])
    found = set()
    for name, folder in ROOTS.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            parts = init.parent.relative_to(ROOT / folder).parts
            found.add(".".join((name, *parts)))
    assert found - listed == set(), "packages missing from [tool.setuptools] packages"
    for name in listed - found:   # data-only packages (known_failures' TOML files)
        root, *parts = name.split(".")
        assert ROOT.joinpath(ROOTS[root], *parts).is_dir(), f"{name}: no such folder"


def test_the_version_is_the_installed_metadata():
    assert pg.__version__ == importlib.metadata.version("polygrad")
    assert "version" not in _pyproject()["project"].get("dynamic", [])
