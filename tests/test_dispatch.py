"""One dispatch path: every namespace function reaches a kernel through ``bind``'s concrete
path, and arguments are checked before dispatch, so an error never depends on which kernels
happen to be cached already (issue 19 item 1)."""

from __future__ import annotations

import subprocess
import sys

import pytest

import polygrad.numpy as np


def _matmul_scalars_raises():
    with pytest.raises(ValueError, match="polygrad.numpy.matmul: operands must have at least"):
        np.matmul(np.asarray(2.0), np.asarray(3.0))


def test_matmul_of_0d_arrays_raises_with_no_kernel_cached(backend):
    np.matmul.primitive.resolved.pop(backend, None)   # as in a fresh process
    _matmul_scalars_raises()


def test_matmul_of_0d_arrays_raises_after_another_matmul(backend):
    a = np.ones((2, 2))
    assert float(np.sum(np.matmul(a, a))) == 8.0   # the kernel is cached now
    _matmul_scalars_raises()
    _matmul_scalars_raises()


@pytest.mark.parametrize("name", ["numpy", "torch"])
def test_matmul_of_0d_arrays_raises_in_a_fresh_process(name):
    pytest.importorskip(name)
    code = (
        "import polygrad as pg, polygrad.numpy as np\n"
        f"pg.use_backend({name!r}).__enter__()\n"
        "for _ in range(2):\n"
        "    try:\n"
        "        np.matmul(np.asarray(2.0), np.asarray(3.0))\n"
        "    except ValueError as e:\n"
        "        print('ValueError', e)\n"
        "    except Exception as e:\n"
        "        print('other', type(e).__name__, e)\n"
        "    np.matmul(np.ones((2, 2)), np.ones((2, 2)))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.splitlines()
    assert len(out) == 2 and all(line.startswith("ValueError polygrad.numpy.matmul")
                                 for line in out), out
