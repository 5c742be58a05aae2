"""The vmap checks of a conformance row (issue 20): ``pg.vmap`` of the row's function on a batch of
two examples equals a Python loop of unbatched calls (shapes, dtypes, values), with the batch axis
first and last and with unbatched (None) arguments mixed in; and ``vmap(grad)`` equals the loop of
``grad``. No primitive may fall back to the per-example loop.

Imports polygrad's public API and the suite's own modules.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy

import polygrad as pg
import polygrad.numpy as pnp
from polygrad_conformance._checks import TOLERANCES, _Setup
from polygrad_conformance._spec import make_inputs

__all__ = ["check_vmap", "NOT_BATCHED"]

B = 2

#: rows pg.vmap cannot batch by nature, and why (the test expects them to fail, saying so)
NOT_BATCHED = {
    "unique_values": "its output's shape depends on the values (a clear error)",
}


def _leaves(out: Any) -> list:
    if isinstance(out, (tuple, list)):
        return [x for o in out for x in _leaves(o)]
    return [out]


def _compare(got: Any, loop: list, tol: Any, what: str) -> str | None:
    got_leaves = _leaves(got)
    per = [_leaves(o) for o in loop]
    for k, g in enumerate(got_leaves):
        ones = [p[k] for p in per]
        if not isinstance(g, pg.Array) or not isinstance(ones[0], pg.Array):
            continue
        if g.shape != (B,) + ones[0].shape:
            return f"{what}: output {k} has shape {g.shape}, the loop's {(B,) + ones[0].shape}"
        if g.dtype != ones[0].dtype:
            return f"{what}: output {k} has dtype {g.dtype}, the loop's {ones[0].dtype}"
        want = numpy.stack([o.asnumpy() for o in ones])
        have = g.asnumpy()
        if tol is None or have.dtype.kind not in "fc":
            if not numpy.array_equal(have, want, equal_nan=True):
                return f"{what}: output {k} differs from the loop"
            continue
        scale = max(float(numpy.max(numpy.abs(want), initial=0.0)), 1.0)
        err = float(numpy.max(numpy.abs(have - want), initial=0.0)) / scale
        bound = 100 * tol.rtol if hasattr(tol, "rtol") else 1e-6
        if not err <= bound:
            return f"{what}: output {k} differs from the loop by {err:.3g} (> {bound:.3g})"
    return None


def check_vmap(spec: Any, case: Any, dtype: str, backend: Any) -> str | None:
    """None when the checks pass, else what failed; raises pytest's skip where nothing batches."""
    import pytest

    setup = _Setup(spec, case, dtype)
    second = []
    for arg in case.args:
        vals = make_inputs(arg, setup.rng, setup.complex and arg.dtype is None)
        second.append(numpy.asarray(vals).astype(dtype) if arg.dtype is None else vals)
    cand = [i for i, a in enumerate(case.args)
            if a.dtype != "py" and a.values is None]
    if not cand:
        pytest.skip("no argument of this case takes generated values")
    tol = TOLERANCES.get(dtype)
    kwargs = case.kwargs

    def fun(*xs):
        return spec.fn(*xs, **kwargs)
    patterns = [set(cand)] + ([{cand[0]}] if len(cand) > 1 else [])
    with pg.use_backend(backend), warnings.catch_warnings():
        warnings.filterwarnings("error", message="polygrad.vmap")
        for batched in patterns:
            hosts = [setup.host, second]
            try:
                loop = [fun(*setup.arrays([h[i] if i in batched else setup.host[i]
                                           for i in range(len(case.args))]))
                        for h in hosts]
            except Exception as exc:   # noqa: BLE001 - the unbatched call itself fails
                pytest.skip(f"the unbatched call raised {type(exc).__name__}")
            for axis in (0, -1):
                stacked = [numpy.stack([setup.host[i], second[i]], axis=axis if numpy.ndim(
                    setup.host[i]) else 0) if i in batched else setup.host[i]
                    for i in range(len(case.args))]
                in_axes = tuple((axis if numpy.ndim(setup.host[i]) else 0) if i in batched
                                else None for i in range(len(case.args)))
                xs = setup.arrays(stacked)
                what = f"vmap, in_axes={in_axes}"
                try:
                    got = pg.vmap(fun, in_axes=in_axes)(*xs)
                except Exception as exc:   # noqa: BLE001 - reported
                    return f"{what} raised {type(exc).__name__}: {exc}"
                problem = _compare(got, loop, tol, what)
                if problem:
                    return problem
        diff = [i for i in setup.diff_idx if i in patterns[0]]
        if spec.nondiff or not diff or setup.family() != "float":
            return None
        n = diff[0]

        def scalar(*xs):
            return sum(pnp.sum(pnp.real(o)) for o in _leaves(fun(*xs))
                       if isinstance(o, pg.Array) and o.dtype.kind in "fc")
        g = pg.grad(scalar, argnum=n)
        try:
            loop = [g(*setup.arrays(h)) for h in (setup.host,
                                                  [second[i] if i in patterns[0]
                                                   else setup.host[i]
                                                   for i in range(len(case.args))])]
        except Exception as exc:   # noqa: BLE001
            pytest.skip(f"the unbatched grad raised {type(exc).__name__}")
        stacked = [numpy.stack([setup.host[i], second[i]]) if i in patterns[0]
                   else setup.host[i] for i in range(len(case.args))]
        in_axes = tuple(0 if i in patterns[0] else None for i in range(len(case.args)))
        try:
            got = pg.vmap(g, in_axes=in_axes)(*setup.arrays(stacked))
        except Exception as exc:   # noqa: BLE001
            return f"vmap(grad) raised {type(exc).__name__}: {exc}"
        return _compare(got, loop, tol, "vmap(grad)")
