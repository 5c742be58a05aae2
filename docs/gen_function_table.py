"""Write docs/reference/functions.md: every public function of polygrad's namespaces with its
category, whether it is differentiable, and its forward / reverse / higher-order status.

    python docs/gen_function_table.py [--check] [--output PATH]

The facts come from the primitive registry (``polygrad.extend.primitives()``): a function bound
to a primitive reports that primitive's rules; a function composed of primitives reports the
primitives its code refers to (found by reading its bytecode, its closures and the functions it
calls, recursively). Where the conformance suite (``polygrad_conformance``) is installed, its spec
table adds the derivative order each function is checked to. ``--check`` exits 1 if the page on
disk differs from what would be written (the docs session regenerates it before building).
"""

from __future__ import annotations

import argparse
import dis
import importlib
import importlib.util
import inspect
import sys
import types
from pathlib import Path

import polygrad.special  # noqa: F401  (registers its primitives)
from polygrad.extend import Primitive, primitives

OUTPUT = Path(__file__).resolve().parent / "reference" / "functions.md"

#: the namespaces listed, with the prefix of their primitives' registry names
NAMESPACES = [("polygrad.numpy", ""), ("polygrad.numpy.linalg", "linalg_"),
              ("polygrad.numpy.fft", "fft_"), ("polygrad.special", ""),
              ("polygrad.numpy.random", "random_")]

#: the category of a name: the module of polygrad.numpy whose ``__all__`` lists it
CATEGORY_MODULES = {
    "_creation": "creation", "_data_types": "data types", "_elementwise": "element-wise",
    "_indexing": "indexing", "_linear_algebra": "linear algebra",
    "_manipulation": "manipulation", "_searching": "searching", "_sets": "sets",
    "_sorting": "sorting", "_statistics": "statistics", "_utility": "utility",
    "_compat_math": "NumPy compat: math", "_compat_reductions": "NumPy compat: reductions",
    "_compat_shape": "NumPy compat: shape", "_compat_products": "NumPy compat: products",
    "_compat_calculus": "NumPy compat: calculus",
}

#: categories whose functions never carry derivatives (their outputs are drawn, not computed)
NEVER_DIFFERENTIABLE = {"random"}


# -- which primitives a function reaches --------------------------------------------------------
def _codes(code: types.CodeType):
    yield code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _codes(const)


def _referenced(fn: types.FunctionType) -> list:
    """Objects a function's code names: globals, closure cells and names it imports."""
    out = []
    glob = fn.__globals__
    if fn.__closure__:
        for cell in fn.__closure__:
            try:
                out.append(cell.cell_contents)
            except ValueError:   # an empty cell
                pass
    for code in _codes(fn.__code__):
        module = None
        for ins in dis.get_instructions(code):
            if ins.opname in ("LOAD_GLOBAL", "LOAD_NAME") and ins.argval in glob:
                out.append(glob[ins.argval])
            elif ins.opname == "IMPORT_NAME":
                module = _import(ins.argval, glob.get("__package__"), code, ins)
            elif ins.opname == "IMPORT_FROM" and module is not None:
                out.append(getattr(module, ins.argval, None))
            elif ins.opname in ("LOAD_ATTR", "LOAD_METHOD") and out and \
                    isinstance(out[-1], types.ModuleType):
                out.append(getattr(out[-1], ins.argval, None))
    return out


def _import(name: str, package: str | None, code: types.CodeType, ins: dis.Instruction):
    """The module an ``IMPORT_NAME`` loads (its level is the constant two instructions before)."""
    instructions = list(dis.get_instructions(code))
    i = next(k for k, other in enumerate(instructions) if other.offset == ins.offset)
    level = instructions[i - 2].argval if i >= 2 and instructions[i - 2].opname == "LOAD_CONST" \
        else 0
    try:
        return importlib.import_module(importlib.util.resolve_name("." * (level or 0) + name,
                                                                     package or ""))
    except (ImportError, ValueError):
        return None


def reached(obj, seen: set | None = None) -> set[str]:
    """Names of the registered primitives ``obj`` binds, directly or through what it calls."""
    seen = set() if seen is None else seen
    if id(obj) in seen:
        return set()
    seen.add(id(obj))
    if isinstance(obj, Primitive):
        return {obj.name}
    prim = getattr(obj, "primitive", None)
    if isinstance(prim, Primitive):
        return {prim.name}
    if not isinstance(obj, types.FunctionType) or not obj.__module__.startswith("polygrad"):
        return set()
    found: set[str] = set()
    for ref in _referenced(obj):
        if isinstance(ref, (Primitive, types.FunctionType)):
            found |= reached(ref, seen)
    return found


# -- the status of one function -------------------------------------------------------------------
def _rule_ok(rules) -> bool:
    if type(rules) is not tuple:     # a variadic rule (concat, stack): one rule for every input
        return True
    return any(r is not None for r in rules)


def _rules_reach_only_rules(prim: Primitive, registry: dict) -> bool:
    """Whether every primitive used by ``prim``'s rules has rules of its own (or is nondiff):
    then the rules differentiate again, to any order."""
    rules = list(prim.vjps) + list(prim.jvps) if type(prim.vjps) is tuple else \
        [prim.vjps.rule] + ([prim.jvps.rule] if hasattr(prim.jvps, "rule") else [])
    used: set[str] = set()
    for rule in rules:
        if rule is not None:
            used |= reached(rule)
    for name in used:
        other = registry.get(name)
        if other is not None and not other.nondiff and not (_rule_ok(other.vjps)
                                                            and _rule_ok(other.jvps)):
            return False
    return True


def status(name: str, obj, category: str, registry: dict, checked: str = "") -> dict:
    """The table row of a public function; ``checked`` is what the conformance suite checks
    ("order N", "values" or "" without a spec row), which decides differentiability when the
    function's code names no differentiable primitive that the registry knows of."""
    prim = getattr(obj, "primitive", None)
    if not isinstance(prim, Primitive):
        prim = None
    prims = {prim.name} if prim is not None else reached(obj)
    diff = [registry[p] for p in sorted(prims) if p in registry and not registry[p].nondiff]
    row = {"name": name, "category": category, "primitives": sorted(prims),
           "composite": prim is None, "conformance": checked}
    differentiable = (checked.startswith("order") if checked else bool(diff)) \
        and category not in NEVER_DIFFERENTIABLE
    if not differentiable:
        row.update(differentiable=False, reverse="—", forward="—", higher="—")
        return row
    if not diff:    # composed through operators (x[i], x * y) the code scan does not follow
        row.update(differentiable=True, reverse="✓ ¹", forward="✓ ¹", higher="✓ ¹")
        return row
    rev = all(_rule_ok(p.vjps) for p in diff)
    fwd = all(_rule_ok(p.jvps) for p in diff)
    higher = rev and fwd and all(_rules_reach_only_rules(p, registry) for p in diff)
    row.update(differentiable=True, reverse="✓" if rev else "✗", forward="✓" if fwd else "✗",
               higher="✓" if higher else "✗")
    return row


def _category(namespace: str, name: str) -> str:
    if namespace != "polygrad.numpy":
        return namespace.rsplit(".", 1)[-1]
    for module, label in CATEGORY_MODULES.items():
        mod = importlib.import_module(f"polygrad.numpy.{module}")
        if name in getattr(mod, "__all__", ()):
            return label
    return "namespace"


def _conformance_orders() -> dict[str, str]:
    """Public name -> what the conformance suite checks (empty when it is not installed)."""
    if importlib.util.find_spec("polygrad_conformance") is None:
        return {}
    try:
        from polygrad_conformance._session import all_specs
        specs = all_specs()
    except Exception as exc:   # the suite is optional here: say why and go on
        print(f"conformance specs not read: {type(exc).__name__}: {exc}", file=sys.stderr)
        return {}
    out: dict[str, str] = {}
    for spec in specs.values():
        text = "values" if spec.nondiff else f"order {spec.order}"
        for public in (spec.name, *spec.covers):
            out.setdefault(public.replace("linalg_", "linalg.").replace("fft_", "fft."), text)
    return out


def rows() -> list[dict]:
    registry = primitives()
    checked = _conformance_orders()
    out = []
    for namespace, _prefix in NAMESPACES:
        module = importlib.import_module(namespace)
        short = namespace.removeprefix("polygrad.numpy").lstrip(".") or ""
        if namespace == "polygrad.special":
            short = "special"
        for name in module.__all__:
            obj = getattr(module, name)
            if not callable(obj) or isinstance(obj, type) or inspect.ismodule(obj):
                continue
            qualified = f"{short}.{name}" if short else name
            row = status(name, obj, _category(namespace, name), registry,
                         checked.get(qualified, ""))
            row["qualified"] = qualified
            out.append(row)
    return out


# -- the page -------------------------------------------------------------------------------------
HEADER = """# Function table

Every public function of `polygrad.numpy` (with `linalg`, `fft` and `random`) and
`polygrad.special`: its category, whether derivatives flow through it, and which modes it
supports. *Generated* by `docs/gen_function_table.py` from the primitive registry
(`polygrad.extend.primitives()`) and the namespaces' `__all__`; do not edit by hand.

- **primitive**: the function binds one registered primitive, whose rules are listed; a
  *composite* is written with other polygrad functions and differentiates through the primitives
  named (found by reading its code).
- **reverse** / **forward**: the primitives have VJP (reverse mode) / JVP (forward mode) rules.
- **higher order**: the rules are themselves written with differentiable primitives, so they
  differentiate again (`grad(grad(f))`, `jvp` of `grad`, ...).
- **conformance**: the highest derivative order the [conformance suite](../conformance.md)
  checks against finite differences on every backend ("values": forward values only); empty when
  the function has no spec row of its own yet.
- ¹ A composite that the code scan cannot follow (it works through operators such as `x[i]`):
  its status comes from the conformance suite's spec row.
- Not differentiable (—): random functions, comparisons, rounding, integer and boolean
  results, functions of shapes and dtypes. Their outputs carry a zero derivative; asking `grad`
  for a derivative *with respect to* an integer or boolean array raises `TypeError`.

"""


def _cell_prims(row: dict) -> str:
    if not row["composite"]:
        return f"`{row['primitives'][0]}`"
    if not row["primitives"]:
        return "composite"
    shown = ", ".join(row["primitives"][:4])
    more = f" +{len(row['primitives']) - 4}" if len(row["primitives"]) > 4 else ""
    return f"composite: {shown}{more}"


def render(table: list[dict]) -> str:
    lines = [HEADER]
    n_diff = sum(r["differentiable"] for r in table)
    lines.append(f"{len(table)} functions, {n_diff} differentiable; "
                 f"{len(primitives())} registered primitives.\n")
    for section in dict.fromkeys(r["qualified"].rpartition(".")[0] or "polygrad.numpy"
                                 for r in table):
        lines.append(f"\n## {section if section.startswith('polygrad') else 'polygrad.' + section}"
                     "\n")
        lines.append("| function | category | differentiable | primitives | reverse | forward "
                     "| higher order | conformance |")
        lines.append("|---|---|---|---|---|---|---|---|")
        for r in table:
            if (r["qualified"].rpartition(".")[0] or "polygrad.numpy") != section:
                continue
            lines.append(f"| `{r['qualified']}` | {r['category']} | "
                         f"{'yes' if r['differentiable'] else 'no'} | {_cell_prims(r)} | "
                         f"{r['reverse']} | {r['forward']} | {r['higher']} | "
                         f"{r['conformance']} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument("--check", action="store_true",
                        help="exit 1 if the page on disk is out of date; write nothing")
    args = parser.parse_args(argv)
    text = render(rows())
    if args.check:
        current = args.output.read_text() if args.output.exists() else ""
        if current != text:
            print(f"{args.output} is out of date: run python docs/gen_function_table.py")
            return 1
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text)
    print(f"written {args.output} ({len(text.splitlines())} lines)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
