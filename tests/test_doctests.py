"""The examples in docstrings and in the documentation pages, run as doctests.

Collects every module of the ``polygrad`` package (the public ones — ``polygrad``,
``polygrad.numpy`` and its submodules, ``polygrad.extend``, ``polygrad.testing``,
``polygrad.special``, ``polygrad.backends``, ``polygrad.cli`` — and the private modules where the
public functions are defined), plus the docstrings of every name in the public namespaces'
``__all__`` that was built at run time (the element-wise functions), plus the ``>>>`` examples of
the user documentation under ``docs/``. Each runs on the NumPy backend, in a fresh namespace.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil
import re
from pathlib import Path

import pytest

import polygrad as pg
from polygrad import _backend

ROOT = Path(__file__).resolve().parent.parent
PUBLIC = ("polygrad", "polygrad.numpy", "polygrad.numpy.linalg", "polygrad.numpy.fft",
          "polygrad.numpy.random", "polygrad.special", "polygrad.extend", "polygrad.testing",
          "polygrad.backends")
SKIP_MODULES = {"polygrad.__main__"}
#: documentation pages written by others, whose examples their own tests own
OTHERS_PAGES = ("dev/", "conformance", "reliability")
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def _modules() -> list[str]:
    names = {"polygrad"}
    for info in pkgutil.walk_packages(pg.__path__, "polygrad."):
        if info.name not in SKIP_MODULES:
            names.add(info.name)
    return sorted(names)


def _docstring_tests() -> list[doctest.DocTest]:
    finder = doctest.DocTestFinder(exclude_empty=True)
    tests, seen = [], set()

    def add(found):
        for test in found:
            key = (test.docstring, test.name.rsplit(".", 1)[-1])
            if test.examples and key not in seen:
                seen.add(key)
                tests.append(test)

    for name in _modules():
        module = importlib.import_module(name)
        add(finder.find(module, name))
    # functions made at run time (unary(), binary()) are not found through their modules
    lone = doctest.DocTestFinder(recurse=False, exclude_empty=True)
    for name in PUBLIC:
        module = importlib.import_module(name)
        for attr in getattr(module, "__all__", ()):
            obj = getattr(module, attr, None)
            if callable(obj) and getattr(obj, "__doc__", None):
                add(lone.find(obj, f"{name}.{attr}", module=False, globs={}))
    return sorted(tests, key=lambda t: t.name)


def _page_tests() -> list[doctest.DocTest]:
    """One doctest per documentation page with ``>>>`` examples (fence lines blanked out)."""
    parser = doctest.DocTestParser()
    tests = []
    for path in sorted((ROOT / "docs").rglob("*.md")):
        rel = path.relative_to(ROOT / "docs").as_posix()
        if rel.startswith(OTHERS_PAGES):
            continue
        text = re.sub(r"(?m)^\s*```.*$", "", path.read_text())
        if ">>>" in text:
            tests.append(parser.get_doctest(text, {}, f"docs/{rel}", str(path), 0))
    return tests


DOCSTRING_TESTS = _docstring_tests()
PAGE_TESTS = _page_tests()


#: a backend named in an example (``use_backend("torch")``, ``x.to_backend("jax")``, ...)
_BACKEND_USE = re.compile(r"""(?:use_backend|set_backend|to_backend)\(\s*["']([\w:]+)["']""")


def _skip_without_backends(test: doctest.DocTest) -> None:
    """Skip, with the reason, examples that use a backend that cannot be loaded here."""
    for example in test.examples:
        for spec in _BACKEND_USE.findall(example.source):
            try:
                _backend.backend_for(spec)
            except pg.BackendUnavailable as exc:
                pytest.skip(f"{test.name} uses backend {spec!r}, not available here: {exc}")


def _run(test: doctest.DocTest) -> None:
    _skip_without_backends(test)
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    report = _Collector()
    before = pg.get_backend()
    try:
        with pg.use_backend("numpy"):
            runner.run(test, out=report)
    finally:
        pg.set_backend(before)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, (f"{test.name}: {result.failed} of {result.attempted} failed\n"
                                + report.text)


class _Collector:
    def __init__(self) -> None:
        self.parts: list[str] = []

    def __call__(self, text: str) -> None:
        self.parts.append(text)

    @property
    def text(self) -> str:
        return "".join(self.parts)


def test_the_public_modules_have_docstring_examples():
    names = {t.name for t in DOCSTRING_TESTS}
    assert len(DOCSTRING_TESTS) >= 40, sorted(names)
    for public in ("polygrad", "polygrad.extend", "polygrad.testing", "polygrad.special",
                   "polygrad.numpy"):
        assert any(n == public or n.startswith(public + ".") for n in names), public


@pytest.mark.parametrize("test", DOCSTRING_TESTS, ids=lambda t: t.name)
def test_docstring_examples(test):
    _run(test)


@pytest.mark.parametrize("test", PAGE_TESTS, ids=lambda t: t.name)
def test_documentation_page_examples(test):
    _run(test)
