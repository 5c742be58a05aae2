"""nox sessions: lint, tests, oldest, conformance, fuzz, examples, docs, bench (``nox -l``).

Install nox with the ``dev`` extra (``pip install -e ".[dev]"``). Sessions use the Python that
runs nox, except ``oldest`` (Python 3.10). PyTorch is installed from the pin below first, so that
the ``torch`` extra never pulls a multi-GB CUDA build on CPU machines.
"""

from __future__ import annotations

import glob
import os
import re

import nox

nox.options.reuse_existing_virtualenvs = True
nox.options.sessions = ["lint", "tests"]

TORCH_PIN = "torch==2.13.0"


#: the oldest versions pyproject.toml allows, shared with CI's oldest leg (.ci/run)
OLDEST_CONSTRAINTS = ".ci/oldest-constraints.txt"


def _install(session: nox.Session, extras: str) -> None:
    session.install(TORCH_PIN)
    session.install("-e", f".[{extras}]")


def _python(version: str) -> str:
    """``version`` for nox, or the path of pyenv's interpreter of that version (which nox's
    discovery does not find when it is not on PATH)."""
    root = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
    found = glob.glob(os.path.join(root, "versions", f"{version}.*", "bin", f"python{version}"))
    found = [path for path in found if re.search(rf"/{re.escape(version)}\.\d+/bin/", path)]
    return max(found, key=lambda path: int(path.split("/bin/")[0].rsplit(".", 1)[1])) \
        if found else version


@nox.session
def tests(session: nox.Session) -> None:
    """The test suite on every installed backend (torch, jax, strict included)."""
    _install(session, "torch,jax,strict,test,examples")
    session.run("python", "-m", "pytest", *session.posargs)


@nox.session(python=_python("3.10"))
def oldest(session: nox.Session) -> None:
    """The test suite against the oldest NumPy, array-api-compat, SciPy and pytest that
    pyproject.toml allows (.ci/oldest-constraints.txt), on the oldest Python it allows; the
    optional backends' libraries at whatever versions those admit, torch and jax not installed."""
    session.install("-c", OLDEST_CONSTRAINTS, "-e", ".[test]")
    session.run("python", "-m", "pip", "list")
    session.run("python", "-m", "pytest", *session.posargs)


@nox.session
def fuzz(session: nox.Session) -> None:
    """Differential fuzzing at length (tests/test_fuzz.py): random compositions of primitives,
    in-place updates with repeated indices, writes through views, ``checkpoint`` and ``jit`` of
    closures, near-singular linear algebra; polygrad's values and derivatives against NumPy,
    torch.autograd, JAX and central differences. ``POLYGRAD_FUZZ_EXAMPLES`` sets the number of
    programs, shared among the families (default here 5000: about 20 minutes on 2 cores); each
    run draws new ones and prints the programs and disagreements per family at the end.
    ``POLYGRAD_FUZZ_VERBOSE=1`` prints every disagreement. Extra arguments go to pytest."""
    _install(session, "torch,jax,test")
    examples = os.environ.get("POLYGRAD_FUZZ_EXAMPLES", "5000")
    session.run("python", "-m", "pytest", "-p", "no:cacheprovider", "-s", "-q",
                "tests/test_fuzz.py", *session.posargs,
                env={"POLYGRAD_FUZZ_EXAMPLES": examples,
                     "POLYGRAD_FUZZ_VERBOSE": os.environ.get("POLYGRAD_FUZZ_VERBOSE", "")})


@nox.session
def conformance(session: nox.Session) -> None:
    """The conformance suite (polygrad_conformance) on every installed backend, or one.

    ``-- --backend NAME`` runs one backend (repeatable); ``-- --full`` the full grid; anything
    after a second ``--`` goes to pytest. The merged report is written to
    build/polygrad-conformance/report.md and .json (see docs/conformance.md).

    ``-- --install PATH --backend NAME`` is the light author path instead, the same as
    ``polygrad conformance --install PATH --backend NAME``: polygrad (this checkout), its
    ``conformance`` extra and the plugin alone (no torch, no JAX) in a build folder under the
    user's cache folder (``--build-dir DIR`` to choose), the plugin's known failures found
    through its entry point; nothing is installed into this session's own environment (nox
    still makes it, empty, under .nox/).
    """
    args = list(session.posargs)
    if "--install" in args:
        session.run("python", "polygrad/_author_run.py", *args)
        return
    _install(session, "torch,jax,strict,test")
    session.run("python", "-m", "polygrad_conformance", *args)


@nox.session
def lint(session: nox.Session) -> None:
    """Ruff over the packages, tests, examples and benchmarks."""
    session.install("ruff")
    session.run("ruff", "check", "polygrad", "polygrad_backends", "tests", "examples",
                "conformance", "benchmarks", "noxfile.py")


@nox.session
def examples(session: nox.Session) -> None:
    """Run every example script once."""
    _install(session, "torch,jax,strict,examples")
    backend = ("--backend", session.posargs[0]) if session.posargs else ()
    for script in ("train_mlp.py", "minpy_autograd_tutorial.py", "mxnet_autograd_tutorial.py",
                   "tape_training.py", "newton_hvp.py", "tanh_derivatives.py",
                   "numpy_unchanged.py"):
        session.run("python", f"examples/{script}", *backend)


@nox.session
def docs(session: nox.Session) -> None:
    """The documentation site (MkDocs Material + mkdocstrings, strict: any warning fails) into
    build/site/; regenerates docs/reference/functions.md first. ``-- serve`` serves it instead."""
    session.install("-e", ".[docs]")
    session.run("python", "docs/gen_function_table.py")
    command = "serve" if "serve" in session.posargs else "build"
    session.run("mkdocs", command, "--strict", env={"NO_MKDOCS_2_WARNING": "1"})


@nox.session
def bench(session: nox.Session) -> None:
    """Side-by-side benchmarks against the peers (benchmarks/run.py; results in a temporary
    folder it prints, or ``-- --out DIR``; ``-- --out benchmarks/results`` records a run).

    ``nox -s bench -- --case B,E --quick`` passes its arguments on; ``-- --readme`` rewrites
    benchmarks/README.md's results section from the recorded results.
    """
    _install(session, "torch,jax,bench")
    session.install("mygrad")
    session.run("python", "benchmarks/run.py", *session.posargs)
