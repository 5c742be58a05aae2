"""``polygrad_conformance``: the finite-difference conformance suite of polygrad's backends.

Run it on any installed backend (here or from a plugin's own repository)::

    POLYGRAD_TEST_BACKEND=NAME pytest --pyargs polygrad_conformance

A user- or plugin-defined primitive joins the suite by shipping a sample spec: build a
:class:`Spec` and pass it to :func:`register_spec` (see docs/conformance.md). Absolute imports
throughout: pytest may import this folder under another name from a source checkout.
"""

from __future__ import annotations

from polygrad_conformance._checks import TOLERANCES, Tol
from polygrad_conformance._extras import InputStrategy
from polygrad_conformance._spec import DOMAINS, Arg, Case, NonDiff, Spec, register_spec

__all__ = ["Arg", "Case", "Spec", "NonDiff", "register_spec", "DOMAINS", "TOLERANCES", "Tol",
           "InputStrategy"]
