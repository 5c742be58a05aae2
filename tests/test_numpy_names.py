"""Every public name of NumPy 2.x's main namespace, ``linalg``, ``fft`` and ``random`` exists in
``polygrad.numpy``, except the checked-in omissions (each with its reason); the list is computed
from the installed NumPy."""

from __future__ import annotations

import types

import numpy
import pytest

import polygrad.numpy as pnp
from polygrad.numpy._omitted import OMITTED

# The checked-in lists of deliberate differences and exclusions describe NumPy 2.4's namespace;
# an older NumPy (the oldest supported, in CI's oldest leg) has other names and signatures.
pytestmark = pytest.mark.skipif(
    numpy.lib.NumpyVersion(numpy.__version__) < "2.4.0",
    reason=f"the checked-in lists describe NumPy 2.4's namespace; NumPy {numpy.__version__} here")


MODULES = {"numpy": (numpy, pnp), "numpy.linalg": (numpy.linalg, pnp.linalg),
           "numpy.fft": (numpy.fft, pnp.fft), "numpy.random": (numpy.random, pnp.random)}


def public_names(module) -> list[str]:
    """NumPy's public names: no underscore, not a submodule."""
    return sorted(n for n in dir(module) if not n.startswith("_")
                  and not isinstance(getattr(module, n), types.ModuleType))


def missing(name: str) -> list[str]:
    theirs, ours = MODULES[name]
    return [n for n in public_names(theirs) if n not in OMITTED[name] and not hasattr(ours, n)]


@pytest.mark.parametrize("name", list(MODULES))
def test_every_numpy_public_name_exists_or_is_omitted_with_a_reason(name):
    assert missing(name) == []


@pytest.mark.parametrize("name", list(MODULES))
def test_the_omissions_are_numpy_names_that_polygrad_lacks(name):
    theirs, ours = MODULES[name]
    stale = [n for n in OMITTED[name] if not hasattr(theirs, n) or hasattr(ours, n)]
    assert stale == [], "drop these from polygrad/numpy/_omitted.py"
    assert all(len(reason) > 20 for reason in OMITTED[name].values())


def test_count_of_numpy_public_names_present():
    present = total = 0
    for theirs, ours in MODULES.values():
        names = public_names(theirs)
        total += len(names)
        present += sum(hasattr(ours, n) for n in names)
    omitted = sum(len(v) for v in OMITTED.values())
    assert present + omitted == total, (present, omitted, total)
