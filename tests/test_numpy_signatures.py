"""polygrad.numpy's functions take NumPy's signatures (issue 17): for every public function of
NumPy's main namespace, ``linalg``, ``fft`` and ``random`` that polygrad.numpy also has, the
parameters (names, order, kinds, defaults) equal NumPy's, less the deliberate differences listed
below with their reasons; and every function of the Array API standard still accepts every call
written to the standard's signature (NumPy's form is a superset of it).

The names compared are computed from the installed NumPy, so functions added later are checked
too. The counts (signatures equal / shared names) are printed with ``-s``.
"""

from __future__ import annotations

import inspect

import numpy
import pytest

import polygrad.numpy as np

# The checked-in lists of deliberate differences and exclusions describe NumPy 2.4's namespace;
# an older NumPy (the oldest supported, in CI's oldest leg) has other names and signatures.
pytestmark = pytest.mark.skipif(
    numpy.lib.NumpyVersion(numpy.__version__) < "2.4.0",
    reason=f"the checked-in lists describe NumPy 2.4's namespace; NumPy {numpy.__version__} here")


P = inspect.Parameter
NOVALUE = getattr(numpy, "_NoValue", object())

MODULES = {"": (numpy, np), "linalg.": (numpy.linalg, np.linalg), "fft.": (numpy.fft, np.fft),
           "random.": (numpy.random, np.random)}

#: NumPy parameters polygrad leaves out wherever they occur, each with its reason. A call that
#: uses one fails with Python's own TypeError naming the parameter.
OMITTED_EVERYWHERE = {
    "like": "NEP 35 array creation like another library's array: polygrad creates arrays on "
            "the current backend (pg.use_backend, device=)",
    "subok": "keeps an ndarray subclass; polygrad has one array class",
    "casting": "NumPy's casting rules for out= and dtype=; polygrad casts with astype",
    "where": "masked reductions; write np.sum(np.where(mask, a, 0)) (differentiable)",
    "initial": "a reduction's starting value; combine it explicitly (np.maximum(np.max(a), v))",
    "overwrite_input": "a memory hint for NumPy's in-place partial sort; polygrad never "
                       "overwrites an input",
    "ndmax": "a limit for NumPy's nested-sequence discovery (new in NumPy 2.4)",
}

#: NumPy's ufunc keywords (after the inputs: out, where, casting, order, dtype, subok,
#: signature) are not taken by polygrad's elementwise functions, which keep the standard's
#: ``(x, /)`` and ``(x1, x2, /)``: they are the hot path of every program (benchmark A), and
#: each keyword has a differentiable spelling: y = f(x) for out=, np.where for where=, astype
#: for dtype=.
UFUNC_REASON = "ufunc keywords: elementwise functions keep the standard's (x, /) signature"

#: per function: NumPy parameters left out, with the reason
OMITTED = {
    "argsort": {"kind": "sorting algorithm choice: polygrad's sort is always stable",
                "order": "structured-array fields: polygrad has no structured dtypes"},
    "sort": {"kind": "sorting algorithm choice: polygrad's sort is always stable",
             "order": "structured-array fields: polygrad has no structured dtypes"},
    "isin": {"kind": "algorithm choice"},
    "percentile": {"weights": "weighted quantiles are not provided"},
    "quantile": {"weights": "weighted quantiles are not provided"},
    "einsum": {"out": "einsum makes a new array", "kwargs": "NumPy's dtype=/order=/casting= "
               "are given as polygrad's dtype= keyword"},
    "clip": {"kwargs": "ufunc keywords (where=, casting=, ...)"},
    "std": {"mean": "a precomputed mean (NumPy 2 speed hint)"},
    "var": {"mean": "a precomputed mean (NumPy 2 speed hint)"},
}
for _name in ("fft", "ifft", "rfft", "irfft", "hfft", "ihfft", "fft2", "ifft2", "rfft2",
              "irfft2", "fftn", "ifftn", "rfftn", "irfftn"):
    OMITTED["fft." + _name] = {"out": "FFTs make a new array"}

#: per function: parameters polygrad adds (keyword-only, optional), with the reason
ADDED = {
    "sort": {"descending": "the standard's"}, "argsort": {"descending": "the standard's"},
    "vecdot": {"axis": "the standard's"},
    "einsum": {"dtype": "NumPy's einsum takes dtype= through **kwargs"},
    "fft.fftfreq": {"dtype": "the standard's"}, "fft.rfftfreq": {"dtype": "the standard's"},
    "linalg.cholesky": {},
}
for _name in ("normal", "rand", "randn", "random", "random_sample", "standard_normal",
              "uniform"):
    ADDED["random." + _name] = {"dtype": "the dtype to draw in (the backend's default float "
                                "unless given; NumPy always draws float64)"}

#: per function and parameter: a default that differs from NumPy's, with the reason
DEFAULTS = {
    ("sort", "stable"): "the standard's default, True: polygrad's sort is always stable "
                        "(NumPy's None picks an algorithm that may not be)",
    ("argsort", "stable"): "as for sort",
    ("eye", "dtype"): "None: the backend's default float dtype (NumPy: float)",
    ("random.randint", "dtype"): "'int64': NumPy's int is int64 on the platforms polygrad "
                                 "runs on",
}
for _name in ("fft", "ifft", "rfft", "irfft", "hfft", "ihfft", "fft2", "ifft2", "rfft2",
              "irfft2", "fftn", "ifftn", "rfftn", "irfftn"):
    DEFAULTS[("fft." + _name, "norm")] = ("'backward', the standard's default; NumPy's None "
                                          "means the same")


def _signature(fn):
    try:
        return inspect.signature(fn)
    except (TypeError, ValueError):
        return None


def shared_names() -> list[str]:
    """Public functions of NumPy (main, linalg, fft, random) that polygrad.numpy also has."""
    out = []
    for prefix, (theirs, ours) in MODULES.items():
        for name in sorted(dir(theirs)):
            fn = getattr(theirs, name)
            if name.startswith("_") or inspect.ismodule(fn) or isinstance(fn, type) or \
                    not callable(fn):
                continue
            mine = getattr(ours, name, None)
            if mine is not None and callable(mine) and not isinstance(mine, type):
                out.append(prefix + name)
    return out


def _lookup(qualname: str):
    prefix, _, name = qualname.rpartition(".")
    theirs, ours = MODULES[prefix + "." if prefix else ""]
    return getattr(theirs, name), getattr(ours, name)


def _params(sig) -> list[tuple]:
    return [(p.name if p.kind is not P.VAR_POSITIONAL else "*", p.kind, p.default)
            for p in sig.parameters.values()]


def differences(qualname: str) -> list[str]:
    """How polygrad's signature of ``qualname`` differs from NumPy's, less the listed
    deliberate differences (empty: the same)."""
    theirs_fn, ours_fn = _lookup(qualname)
    theirs, ours = _signature(theirs_fn), _signature(ours_fn)
    if theirs is None:
        return []   # NumPy gives no signature to compare with
    if ours is None:
        return ["polygrad's function has no signature"]
    omitted = dict(OMITTED_EVERYWHERE, **OMITTED.get(qualname, {}))
    params = _params(theirs)
    if isinstance(theirs_fn, numpy.ufunc):   # keep the inputs only
        params = [p for p in params if p[1] is P.POSITIONAL_ONLY]
    # a parameter listed as left out but taken after all is compared as any other
    omitted = {name: why for name, why in omitted.items() if name not in ours.parameters}
    kept = [p for p in params if p[0] not in omitted]
    problems = []
    positional = [i for i, p in enumerate(params) if p[1] is not P.KEYWORD_ONLY]
    dropped = [i for i in positional if params[i][0] in omitted]
    if dropped and any(i > min(dropped) and params[i][0] not in omitted for i in positional):
        problems.append("a left-out positional parameter shifts the ones after it")
    added = ADDED.get(qualname, {})
    mine = [p for p in _params(ours) if p[0] not in added]
    for name in added:
        p = ours.parameters.get(name)
        if p is None or p.kind is not P.KEYWORD_ONLY or p.default is P.empty:
            problems.append(f"added parameter {name} is not keyword-only and optional")
    if [(n, k) for n, k, _ in mine] != [(n, k) for n, k, _ in kept]:
        problems.append(f"parameters {[(n, k.description) for n, k, _ in mine]} != NumPy's "
                        f"{[(n, k.description) for n, k, _ in kept]}")
        return problems
    for (name, _, d_ours), (_, _, d_theirs) in zip(mine, kept):
        if d_theirs is NOVALUE:   # NumPy's "not given": any default of ours
            if d_ours is P.empty:
                problems.append(f"{name} has no default")
        elif (d_ours != d_theirs or type(d_ours) is not type(d_theirs)) and \
                (qualname, name) not in DEFAULTS:
            problems.append(f"{name}: default {d_ours!r}, NumPy's {d_theirs!r}")
    return problems


SHARED = shared_names()


@pytest.mark.parametrize("qualname", SHARED)
def test_signature_is_numpys(qualname):
    assert differences(qualname) == []


def test_signature_counts(capsys):
    equal = [n for n in SHARED if not differences(n)]
    with capsys.disabled():
        print(f"\nNumPy signatures equal (less the listed differences): {len(equal)} / "
              f"{len(SHARED)} shared names")
    assert len(SHARED) > 200


def test_every_listed_difference_is_still_needed():
    """An entry of OMITTED / ADDED / DEFAULTS names a shared function (no stale entries)."""
    names = set(SHARED)
    for table in (OMITTED, ADDED):
        assert set(table) <= names | {"linalg.cholesky"}, set(table) - names
    assert {q for q, _ in DEFAULTS} <= names, {q for q, _ in DEFAULTS} - names


# -- the standard's call forms keep working ---------------------------------------------------
def standard_call_forms_accepted(ours, theirs) -> list[str]:
    """What a call written to the standard's signature ``theirs`` could not do with ``ours``
    (empty: every such call works). A positional-only parameter of the standard may have any
    name (NumPy's), a keyword-only one may also be positional, and ``ours`` may add optional
    parameters."""
    ours_params = list(inspect.signature(ours).parameters.values())
    theirs_params = list(inspect.signature(theirs).parameters.values())
    by_name = {p.name: p for p in ours_params}
    problems = []
    for i, p in enumerate(theirs_params):
        if p.kind is P.VAR_POSITIONAL:
            if not any(q.kind is P.VAR_POSITIONAL for q in ours_params):
                problems.append(f"*{p.name}: no *args")
            continue
        if p.kind in (P.POSITIONAL_ONLY, P.POSITIONAL_OR_KEYWORD):
            q = ours_params[i] if i < len(ours_params) else None
            if q is None or q.kind not in (P.POSITIONAL_ONLY, P.POSITIONAL_OR_KEYWORD):
                problems.append(f"{p.name}: not positional at {i}")
                continue
            named = by_name.get(p.name)
            if p.kind is P.POSITIONAL_OR_KEYWORD and q.name != p.name and (
                    named is None or named.kind is not P.KEYWORD_ONLY):
                problems.append(f"{p.name}: named {q.name}")   # (clip: a_min, and min=)
            q = named if p.kind is P.POSITIONAL_OR_KEYWORD and named is not None else q
        else:
            q = by_name.get(p.name)
            if q is None or q.kind not in (P.KEYWORD_ONLY, P.POSITIONAL_OR_KEYWORD):
                problems.append(f"{p.name}: not a keyword")
                continue
        undef = type(p.default).__name__ == "Undef"   # array_api_strict's own "not given"
        if p.default is not P.empty and q.default != p.default and not (
                undef and q.default is None):
            problems.append(f"{p.name}: default {q.default!r}, the standard's {p.default!r}")
    required = [q for q in ours_params if q.default is P.empty and
                q.kind not in (P.VAR_POSITIONAL, P.VAR_KEYWORD)]
    if len(required) > len([p for p in theirs_params if p.default is P.empty and
                            p.kind is not P.VAR_POSITIONAL]):
        problems.append(f"requires {[q.name for q in required]}")
    return problems


def _standard_functions() -> list[str]:
    strict = pytest.importorskip("array_api_strict", reason="array_api_strict gives the "
                                 "standard's signatures")
    out = []
    for prefix, mod in (("", strict), ("linalg.", strict.linalg), ("fft.", strict.fft)):
        for name in mod.__all__:
            fn = getattr(mod, name)
            if inspect.isfunction(fn) and "array_api_strict" not in name:
                out.append(prefix + name)
    return out


try:
    STANDARD = _standard_functions()
except pytest.skip.Exception:   # collected without array_api_strict: the test below skips
    STANDARD = []


@pytest.mark.parametrize("qualname", STANDARD)
def test_standard_call_forms_work(qualname):
    import array_api_strict as strict

    prefix, _, name = qualname.rpartition(".")
    theirs = getattr(getattr(strict, prefix) if prefix else strict, name)
    ours = getattr(getattr(np, prefix) if prefix else np, name)
    assert standard_call_forms_accepted(ours, theirs) == []
