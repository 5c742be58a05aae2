"""The import direction of polygrad's layers, read from the source (no import runs): the core
(``polygrad/_*.py``) never reaches up into the namespace, its modules import each other in the
order docs/dev/architecture.md documents, nothing looks a primitive up by name, and kernels are
looked up and called in ``_trace`` only (and in the reverse trace's fast path: ``KERNEL_CALLERS``;
issue 19 items 1, 2)."""

from __future__ import annotations

import ast
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "polygrad"
CORE = sorted(p for p in PACKAGE.glob("_*.py") if not p.name.startswith("__"))
UPPER = ("numpy", "scipy", "special", "random", "testing", "extend", "cli")

def _tree(path: pathlib.Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _upward(path: pathlib.Path) -> list[str]:
    """Each import in ``path`` (at any depth: module level or inside a function) of a public
    module above the core, as ``line: statement``."""
    found = []
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level == 0:
                parts = module.split(".")
                bad = parts[0] == "polygrad" and len(parts) > 1 and parts[1] in UPPER
            elif node.level == 1:
                bad = module.split(".")[0] in UPPER or (
                    not module and any(a.name in UPPER for a in node.names))
            else:
                bad = False
            if bad:
                names = ", ".join(a.name for a in node.names)
                found.append(f"{node.lineno}: from {'.' * node.level}{module} import {names}")
        elif isinstance(node, ast.Import):
            for a in node.names:
                parts = a.name.split(".")
                if parts[0] == "polygrad" and len(parts) > 1 and parts[1] in UPPER:
                    found.append(f"{node.lineno}: import {a.name}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                node.func.attr == "import_module" and node.args and \
                isinstance(node.args[0], ast.Constant) and \
                str(node.args[0].value).startswith(tuple(f"polygrad.{u}" for u in UPPER)):
            found.append(f"{node.lineno}: import_module({node.args[0].value!r})")
    return found


@pytest.mark.parametrize("path", CORE, ids=lambda p: p.name)
def test_the_core_never_imports_the_namespace(path):
    found = _upward(path)
    assert not found, f"polygrad/{path.name} imports from above the core:\n" + "\n".join(found)


def _documented_order() -> list[str]:
    text = (ROOT / "docs" / "dev" / "architecture.md").read_text(encoding="utf-8")
    section = text.split("## Layers", 1)[1].split("\n\n", 1)[0]
    chain = section.split("(imports run one way)", 1)[1].split(". None of", 1)[0]
    return re.findall(r"`(_\w+)`", chain)


def test_every_core_module_is_in_the_documented_layer_order():
    order = _documented_order()
    missing = [p.stem for p in CORE if p.stem not in order]
    assert not missing, (f"docs/dev/architecture.md's layer order lacks {missing}: add each "
                         f"after the modules it imports")


@pytest.mark.parametrize("path", CORE, ids=lambda p: p.name)
def test_module_level_imports_follow_the_documented_layer_order(path):
    order = _documented_order()
    if path.stem not in order:
        pytest.skip("not in the documented order (the test above fails)")
    here = order.index(path.stem)
    for node in _tree(path).body:
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            names = [node.module.split(".")[0]] if node.module else [a.name for a in node.names]
            for name in names:
                if name in order:
                    assert order.index(name) < here, (
                        f"polygrad/{path.name}:{node.lineno} imports {name} at module level, "
                        f"which docs/dev/architecture.md places above it")


SOURCES = sorted(PACKAGE.rglob("*.py"))

#: the modules that look kernels up: the primitive (its cache), the backend (its overrides) and
#: the dispatch (``_trace``: apply_native, apply_concrete and the elementwise entries); and the
#: reverse trace's fast path, which calls the kernel as apply_native would (falling back to it
#: when unresolved or in debug mode): one call fewer on the hot path of every gradient
KERNEL_CALLERS = ("_trace.py", "_primitive.py", "_backend.py", "_reverse.py")


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_primitive_is_looked_up_by_name_and_no_kernel_called_outside_bind(path):
    found = []
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and \
                node.value.id == "_registry" and path.name != "_primitive.py":
            found.append(f"{node.lineno}: _registry[...] (import the Primitive object instead)")
        if isinstance(node, ast.Attribute) and node.attr in ("kernels", "resolved") and \
                path.name not in KERNEL_CALLERS:
            found.append(f"{node.lineno}: .{node.attr} (call bind or _trace.apply_native)")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                node.func.attr == "resolve" and len(node.args) == 1 and \
                path.name not in ("_trace.py", "_primitive.py") and \
                isinstance(node.args[0], ast.Name) and "backend" in node.args[0].id:
            found.append(f"{node.lineno}: .resolve(backend) (call bind or apply_native)")
    assert not found, f"polygrad/{path.relative_to(PACKAGE)}:\n" + "\n".join(found)
