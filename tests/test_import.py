"""Importing polygrad loads no array library; using the NumPy backend loads NumPy and only NumPy.

Each check runs in a fresh interpreter, since this one has long since imported everything.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

LIBRARIES = ("numpy", "torch", "jax", "jaxlib", "array_api_strict", "dask")


def _loaded_after(code: str) -> dict[str, bool]:
    """Run ``code`` in a fresh interpreter; report which array libraries it left imported."""
    probe = (f"{code}\nimport json, sys\n"
             f"print(json.dumps({{m: m in sys.modules for m in {LIBRARIES!r}}}))")
    env = dict(os.environ)
    env.pop("POLYGRAD_BACKEND", None)   # these checks are about the default (NumPy) backend
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_import_polygrad_and_namespace_loads_no_array_library():
    loaded = _loaded_after("import polygrad, polygrad.numpy, polygrad.extend, polygrad.testing")
    assert not any(loaded.values()), loaded


def test_listing_backends_imports_no_array_library():
    loaded = _loaded_after("import polygrad as pg\nassert pg.backends()")
    assert not any(loaded.values()), loaded


def test_differentiating_on_numpy_backend_loads_numpy_but_not_torch_or_jax():
    loaded = _loaded_after(
        "import polygrad as pg, polygrad.numpy as np\n"
        "x = np.asarray([1.0, 2.0])\n"
        "assert float(pg.grad(lambda x: np.sum(np.sin(x) * x))(x)[0]) != 0.0")
    assert loaded["numpy"]
    others = {m: v for m, v in loaded.items() if m != "numpy"}
    assert not any(others.values()), others
