"""A type checker sees ``polygrad.Array``'s operators, methods and properties (issue 19, item 3):
mypy (pinned in the ``test`` extra) on a small user program reveals ``x + 1``, ``1 + x``,
``x @ y``, ``x.sum()``, ``x.T``, ``x[0]`` ... as ``Array``; the core array modules check clean.

Skipped, saying so, where mypy is not installed.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytest.importorskip("mypy", reason="mypy is not installed (pip install 'polygrad[test]')")

ROOT = Path(__file__).resolve().parents[1]
ARRAY = "polygrad._array.Array"

PROGRAM = textwrap.dedent('''\
    import polygrad as pg
    import polygrad.numpy as np

    x = np.asarray([1.0, 2.0])
    y = np.asarray([3.0, 4.0])
    reveal_type(x)  # asarray
    reveal_type(x + 1)  # x + 1
    reveal_type(1 + x)  # 1 + x
    reveal_type(x @ y)  # x @ y
    reveal_type(x.sum())  # x.sum()
    reveal_type(x.T)  # x.T
    reveal_type(x[0])  # x[0]
    reveal_type(x == y)  # x == y
    reveal_type(-x)  # -x
    reveal_type(x.reshape(2, 1))  # x.reshape
    reveal_type(x.grad)  # x.grad
    reveal_type(np.sin(x))  # np.sin(x)
    reveal_type(pg.grad(lambda v: np.sum(v * v))(x))  # pg.grad(f)(x)
    ''')
# what each line must reveal; the namespace's functions and pg.grad are not annotated yet, so
# a checker sees Any there (an Array annotation later passes too)
EXPECTED = {
    "asarray": {"Any", ARRAY}, "x + 1": {ARRAY}, "1 + x": {ARRAY}, "x @ y": {ARRAY},
    "x.sum()": {ARRAY}, "x.T": {ARRAY}, "x[0]": {ARRAY}, "x == y": {ARRAY}, "-x": {ARRAY},
    "x.reshape": {ARRAY}, "x.grad": {f"{ARRAY} | None", f"Union[{ARRAY}, None]"},
    "np.sin(x)": {"Any", ARRAY}, "pg.grad(f)(x)": {"Any", ARRAY},
}


def _mypy(tmp_path: Path, *targets: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, MYPYPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--no-incremental", "--follow-imports=silent",
         "--cache-dir", str(tmp_path / "mypy-cache"), "--no-error-summary", *targets],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=600)


def test_mypy_sees_array_operators_methods_and_properties(tmp_path):
    program = tmp_path / "user_program.py"
    program.write_text(PROGRAM, encoding="utf-8")
    run = _mypy(tmp_path, str(program))
    assert run.returncode == 0, run.stdout + run.stderr
    lines = PROGRAM.splitlines()
    revealed = {}
    for m in re.finditer(r":(\d+): note: Revealed type is \"(.*)\"", run.stdout):
        label = lines[int(m.group(1)) - 1].split("# ")[-1]
        revealed[label] = m.group(2)
    assert set(revealed) == set(EXPECTED), run.stdout
    wrong = {k: v for k, v in revealed.items() if v not in EXPECTED[k]}
    assert wrong == {}, f"revealed types that are not Array: {wrong}"


def test_the_core_array_modules_type_check(tmp_path):
    run = _mypy(tmp_path, "polygrad/_array.py", "polygrad/_ndarray.py", "polygrad/_optable.py",
                "polygrad/_dtypes.py", "polygrad/_tape.py")
    assert run.returncode == 0, run.stdout + run.stderr
