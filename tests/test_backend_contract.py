"""The backend contract: ``Backend``'s declared hooks, the docs' hook table, the namespace parts the
core needs, and the imports backends may use."""

from __future__ import annotations

import ast
import inspect
import pathlib
import re

import numpy
import pytest

import polygrad as pg
import polygrad.numpy as pnp
import polygrad.numpy.fft  # noqa: F401  (registers the fft primitives)
import polygrad.numpy.linalg  # noqa: F401
import polygrad.special as sp
from polygrad.extend import Backend, default_kernel, primitives
from polygrad_backends.numpy_backend import NumpyBackend

ROOT = pathlib.Path(__file__).resolve().parent.parent
NOT_HOOKS = {"hooks", "required", "required_namespace", "optional_namespace", "missing_hooks",
             "missing_namespace", "xp", "rng", "spec", "on_device"}


def _signature(hook: str) -> str:
    """How the docs write a hook: its name, and for a method its parameters without annotations."""
    value = inspect.getattr_static(Backend, hook)
    if isinstance(value, (classmethod, staticmethod)):
        fn = value.__func__
    elif inspect.isfunction(value):
        fn = value
    else:
        return hook
    params = list(inspect.signature(fn).parameters.values())
    if not isinstance(value, staticmethod):
        params = params[1:]   # self / cls
    shown = [p.replace(annotation=inspect.Parameter.empty) for p in params]
    return f"{hook}{inspect.Signature(shown)}"


def _doc_table() -> dict[str, tuple[str, bool]]:
    """hook name -> (signature as documented, required) from docs/plugins.md's hook table."""
    text = (ROOT / "docs" / "plugins.md").read_text()
    table = text[text.index("| hook | required |"):]
    table = table[:table.index("\n\n")]
    rows = {}
    for line in table.splitlines()[2:]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        sig = re.fullmatch(r"`([^`]+)`", cells[0]).group(1)
        rows[re.match(r"\w+", sig).group(0)] = (sig, cells[1] == "yes")
    return rows


def test_every_public_attribute_is_a_declared_hook_or_a_named_helper():
    public = {n for n in dir(Backend) if not n.startswith("_")} | {"__init__"}
    assert public - NOT_HOOKS == set(Backend.hooks)
    assert set(Backend.required) <= set(Backend.hooks)


def test_every_declared_method_hook_says_how_it_is_called():
    for hook in Backend.hooks:
        value = inspect.getattr_static(Backend, hook)
        value = getattr(value, "__func__", value)
        if inspect.isfunction(value):
            assert (value.__doc__ or "").strip(), f"Backend.{hook} has no docstring"


def test_docs_hook_table_equals_the_declared_hooks():
    documented = _doc_table()
    assert list(documented) == list(Backend.hooks)       # every hook documented, nothing else
    for hook, (sig, required) in documented.items():
        assert sig == _signature(hook), hook
        assert required == (hook in Backend.required), hook


def test_a_backend_missing_a_required_hook_says_which():
    class NoLoad(Backend):
        name = "noload"

    class Complete(Backend):
        name = "complete"

        def load(self):
            return numpy

    assert NoLoad.missing_hooks() == ["load"]
    assert Complete.missing_hooks() == []
    assert NumpyBackend.missing_hooks() == []


# -- the namespace ------------------------------------------------------------------------------
def test_the_declared_namespace_covers_what_the_core_calls():
    used = set()
    for path in (ROOT / "polygrad").rglob("*.py"):
        used |= set(re.findall(r"\bxp\.([a-z_][a-z_0-9]*)", path.read_text()))
    used -= {"ndim", "shape"}   # (numpy.interp's argument named xp, not a namespace)
    for name, prim in primitives().items():
        if getattr(prim.kernel, "__qualname__", "").startswith("Primitive.__init__"):
            used.add(name)      # the default kernel: the namespace's function of that name
    declared = set(Backend.required_namespace) | set(Backend.optional_namespace)
    assert used - declared == set()


@pytest.mark.parametrize("spec", ["numpy", "strict", "torch", "jax", "dask"])
def test_shipped_backends_have_the_required_namespace(spec):
    from polygrad._backend import backend_for

    try:
        backend = backend_for(spec)
    except pg.BackendUnavailable as exc:
        pytest.skip(str(exc))
    required, _ = backend.missing_namespace()
    assert required == []


class NoLinalgBackend(NumpyBackend):
    """NumPy without the linalg extension, and a kernel filling one gap."""

    name = "nolinalg"
    native_modules = ()
    kernels = {**NumpyBackend.kernels,
               "linalg_solve": lambda xp: lambda a, b: numpy.linalg.solve(a, b)}

    def load(self):
        class Namespace:
            def __getattr__(self, name):
                if name == "linalg":
                    raise AttributeError(name)
                return getattr(numpy, name)
        return Namespace()


def test_a_missing_optional_part_names_the_kernel_to_supply():
    backend = NoLinalgBackend()
    a = pg.asarray(numpy.array([[2.0, 1.0], [1.0, 3.0]]), backend=backend)
    with pytest.raises(NotImplementedError, match=r"'linalg_det' needs xp\.linalg .*"
                                                  r"Backend\.kernels\['linalg_det'\]"):
        pnp.linalg.det(a)
    assert backend.missing_namespace() == ([], ["linalg"])


def test_a_kernel_fills_a_missing_optional_part():
    backend = NoLinalgBackend()
    a0 = numpy.array([[2.0, 1.0], [1.0, 3.0]])
    b0 = numpy.array([1.0, 2.0])
    a = pg.asarray(a0, backend=backend)
    b = pg.asarray(b0, backend=backend)
    x = pnp.linalg.solve(a, b)
    numpy.testing.assert_allclose(numpy.asarray(x), numpy.linalg.solve(a0, b0))
    g = pg.grad(lambda b: pnp.sum(pnp.linalg.solve(a, b)))(b)
    numpy.testing.assert_allclose(numpy.asarray(g), numpy.linalg.solve(a0.T, numpy.ones(2)))


# -- how kernels are called ---------------------------------------------------------------------
def test_kernels_receive_parameters_by_keyword():
    calls = []

    def polygamma(xp):
        def kernel(*args, **params):
            calls.append((len(args), sorted(params)))
            return numpy.zeros_like(args[0])
        return kernel

    class Recording(NumpyBackend):
        name = "recording"
        native_modules = ()
        kernels = {**NumpyBackend.kernels, "polygamma": polygamma}

    x = pg.asarray(numpy.array([1.0, 2.0]), backend=Recording())
    sp.polygamma(1, x)
    assert calls == [(1, ["n"])]


def test_default_kernel_is_the_portable_kernel():
    k = default_kernel("log_softmax", numpy)
    numpy.testing.assert_allclose(k(numpy.zeros(2), axis=(0,)), numpy.log([0.5, 0.5]))
    with pytest.raises(KeyError, match="no primitive named 'nope'"):
        default_kernel("nope", numpy)


def test_repr_shows_the_mask_to_numpy_keeps():
    class Masked(NumpyBackend):
        name = "masked"
        native_modules = ()

        def to_numpy(self, native):   # NaN stands for a masked entry here
            return numpy.ma.masked_invalid(numpy.asarray(native))

    x = pg.asarray(numpy.array([1.0, numpy.nan, 3.0]), backend=Masked())
    assert repr(x).startswith("Array([1.0, --, 3.0], dtype=float64")


# -- imports --------------------------------------------------------------------------------------
def _polygrad_imports(path: pathlib.Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                 else [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level
                 else [])
        found += [n for n in names if n.split(".")[0] == "polygrad"]
    return found


def test_backends_import_only_polygrad_extend():
    files = sorted((ROOT / "polygrad_backends").glob("*.py"))
    files += sorted((ROOT / "examples" / "plugins").glob("*/*.py"))
    assert len(files) > 5
    bad = {str(f.relative_to(ROOT)): [n for n in _polygrad_imports(f) if n != "polygrad.extend"]
           for f in files}
    assert {f: n for f, n in bad.items() if n} == {}
