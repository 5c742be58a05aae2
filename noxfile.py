"""nox sessions: tests, lint, examples, bench (more arrive with conformance and docs).

Sessions use the default ``python3`` (no pinned versions). PyTorch is installed from the pin
below first, so that the ``torch`` extra never pulls a multi-GB CUDA build on CPU machines.
"""

from __future__ import annotations

import nox

nox.options.reuse_existing_virtualenvs = True
nox.options.sessions = ["lint", "tests"]

TORCH_PIN = "torch==2.13.0"


def _install(session: nox.Session, extras: str) -> None:
    session.install(TORCH_PIN)
    session.install("-e", f".[{extras}]")


@nox.session
def tests(session: nox.Session) -> None:
    """The test suite on every installed backend (torch, jax, strict included)."""
    _install(session, "torch,jax,strict,test,examples")
    session.run("python", "-m", "pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """Ruff over the packages, tests, examples and benchmarks."""
    session.install("ruff")
    session.run("ruff", "check", "polygrad", "polygrad_backends", "tests", "examples",
                "benchmarks", "noxfile.py")


@nox.session
def examples(session: nox.Session) -> None:
    """Run every example script once."""
    _install(session, "torch,jax,strict,examples")
    session.run("python", "examples/train_mlp.py")
    session.run("python", "examples/minpy_autograd_tutorial.py")
    session.run("python", "examples/mxnet_autograd_tutorial.py")


@nox.session
def bench(session: nox.Session) -> None:
    """Side-by-side benchmarks against the peers (results under benchmarks/results/)."""
    _install(session, "torch,jax,bench")
    session.install("mygrad")
    session.run("python", "benchmarks/case_a_chain.py", *session.posargs)
    session.run("python", "benchmarks/case_d_long_chain.py", *session.posargs)
