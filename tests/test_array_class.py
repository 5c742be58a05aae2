"""``polygrad.Array`` is defined in one place (issue 19, item 3): every attribute of the class
and of its polygrad bases is written in the class body; no module sets one from outside. The
namespace reaches the class's methods only through the core's operation table (``_optable``)."""

from __future__ import annotations

import ast
import inspect
import sys
from pathlib import Path

import polygrad  # noqa: F401  (the whole package imported: everything that could attach has run)
from polygrad import Array

PACKAGE = Path(polygrad.__file__).parent
# set by Python itself when the class is made
_AUTOMATIC = {"__module__", "__qualname__", "__doc__", "__slots__", "__dict__", "__weakref__",
              "__firstlineno__", "__static_attributes__", "__annotations__",
              "__annotate_func__", "__annotations_cache__"}


def _body_names(cls: type) -> set[str]:
    """The names a fresh read of ``cls``'s source defines in its class body."""
    tree = ast.parse(inspect.getsource(sys.modules[cls.__module__]))
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == cls.__name__:
            names: set[str] = set()
            for st in node.body:
                if isinstance(st, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    names.add(st.name)
                elif isinstance(st, ast.Assign):
                    names.update(t.id for t in st.targets if isinstance(t, ast.Name))
                elif isinstance(st, ast.AnnAssign) and isinstance(st.target, ast.Name):
                    names.add(st.target.id)
            return names
    raise LookupError(f"class {cls.__name__} not found in {cls.__module__}")


def test_every_attribute_of_array_is_written_in_its_class_body():
    outside = []
    for cls in Array.__mro__:
        if cls is object:
            continue
        assert cls.__module__.startswith("polygrad."), cls
        written = _body_names(cls) | set(getattr(cls, "__slots__", ()))
        outside += [f"{cls.__name__}.{k}" for k in cls.__dict__
                    if k not in _AUTOMATIC and k not in written]
    assert outside == [], f"set on the class from outside its body: {outside}"


def test_the_operators_methods_and_properties_are_there():
    # the names users rely on, each found in a class body of Array's MRO (not attached later)
    for name in ("__add__", "__radd__", "__iadd__", "__matmul__", "__rmatmul__", "__eq__",
                 "__neg__", "__getitem__", "__setitem__", "__iter__", "T", "mT", "sum",
                 "reshape", "attach_grad", "grad", "backward", "detach", "__array_namespace__"):
        owner = next(c for c in Array.__mro__ if name in c.__dict__)
        assert name in _body_names(owner), name
    assert Array.__hash__ is None


def test_no_module_assigns_onto_array():
    """No ``setattr(Array, ...)`` nor ``Array.x = ...`` anywhere in the package."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            targets: list[ast.expr] = []
            if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and \
                        t.value.id in ("Array", "NDArrayMethods"):
                    found.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
                    node.func.id == "setattr" and node.args and \
                    isinstance(node.args[0], ast.Name) and node.args[0].id in ("Array",
                                                                               "NDArrayMethods"):
                found.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert found == []


def test_array_dtypes_and_ndarray_modules_do_not_import_the_namespace():
    """The core's array modules reach polygrad.numpy only through the operation table."""
    for name in ("_array.py", "_ndarray.py", "_dtypes.py", "_tape.py", "_optable.py"):
        source = (PACKAGE / name).read_text(encoding="utf-8")
        tree = ast.parse(source)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                assert not any(a.name.startswith("polygrad.numpy") for a in node.names), name
            elif isinstance(node, ast.ImportFrom):
                module = node.module or ""
                assert not (node.level == 1 and module.split(".")[0] == "numpy"), name
                assert not module.startswith("polygrad.numpy"), name
        assert 'sys.modules["polygrad.numpy"]' not in source, name
        assert "sys.modules.get(\"polygrad.numpy\")" not in source, name


def test_the_operation_table_is_filled_by_the_namespace():
    import polygrad.numpy as np
    from polygrad._optable import OPS

    assert OPS.namespace is np
    assert OPS.add is np.add and OPS.matmul is np.matmul and OPS.astype is np.astype
    x = np.asarray([1.0, 2.0])
    assert x.__array_namespace__() is np
    assert np.float32(x).dtype == np.float32     # DType.__call__ through the table


def test_an_unfilled_table_entry_says_what_is_missing():
    from polygrad._optable import Operations

    import pytest

    with pytest.raises(RuntimeError, match="polygrad.numpy has not been imported"):
        Operations().add  # noqa: B018
