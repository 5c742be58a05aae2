"""See what a gradient computes: the program of ``grad`` of the MinPy tutorial's SimpleNet loss.

``pg.make_graph(fun)(*args)`` traces ``fun`` with the shapes and dtypes of its arguments (never
their values) and returns the program: one line per primitive, the forward computation first,
then the backward one. ``optimize`` applies the passes ``pg.jit`` uses (constant folding,
elementwise algebra, common subexpressions, dead code, ReLU masks, buffer reuse). ``to_dot()`` is
Graphviz source; with the ``graphviz`` package and Graphviz's ``dot`` program installed,
``--render`` draws it to SVG.

    python examples/print_graph.py                      # text forms, and simple_net_grad.dot
    python examples/print_graph.py --render             # also simple_net_grad.svg
"""

from __future__ import annotations

import argparse
import importlib.util
from pathlib import Path

import polygrad as pg
import polygrad.numpy as np
from polygrad._graph import optimize

HERE = Path(__file__).resolve().parent


def _tutorial():
    spec = importlib.util.spec_from_file_location("minpy_autograd_tutorial",
                                                  HERE / "minpy_autograd_tutorial.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default="numpy")
    parser.add_argument("--out", default="simple_net_grad", help="file name without suffix")
    parser.add_argument("--render", action="store_true", help="draw an SVG (needs graphviz)")
    args = parser.parse_args(argv)
    pg.set_backend(args.backend)
    minpy = _tutorial()
    np.random.seed(0)
    net = minpy.SimpleNet(input_size=4, num_class=3)
    x, y = minpy.make_data(batch_size=5, input_size=4, num_class=3)
    w, b = net.params["w"], net.params["b"]
    grad = pg.grad(minpy.make_loss_func(net), argnum=[0, 1])

    graph = pg.make_graph(grad)(w, b, x, y)
    print(f"grad of SimpleNet's loss, as traced ({len(graph.eqns)} primitives):")
    print(graph)
    small = optimize(graph)
    print(f"\nafter the passes ({len(small.eqns)} primitives):")
    print(small)
    dot = Path(args.out + ".dot")
    dot.write_text(graph.to_dot())
    print(f"\nGraphviz source: {dot}")
    if args.render:
        print(f"drawn: {graph.render(args.out, format='svg')}")
    gw, gb = small(w, b, x, y)
    ew, eb = grad(w, b, x, y)
    return float(np.max(np.abs(gw - ew))) + float(np.max(np.abs(gb - eb)))


if __name__ == "__main__":
    main()
