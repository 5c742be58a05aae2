"""tanh and its first four derivatives, each one the ``grad`` of the one before.

    python examples/tanh_derivatives.py [--backend numpy|torch|jax|...] [--out PATH]
    python examples/tanh_derivatives.py --out docs/images/tanh_derivatives.png   # the docs' figure

Nests ``pg.elementwise_grad`` four times, checks each derivative against its closed form in
``t = tanh(x)`` and draws the five curves (matplotlib) into ``--out`` (default: a file in the
system's temporary folder, printed, so that running the example never changes the source tree;
``--out ''`` skips the drawing).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import polygrad as pg
import polygrad.numpy as np

DEFAULT_OUTPUT = Path(tempfile.gettempdir()) / "polygrad-examples" / "tanh_derivatives.png"


def derivatives(fun, n):
    """``[fun, fun′, …, fun⁽ⁿ⁾]``, each the elementwise gradient of the one before."""
    out = [fun]
    for _ in range(n):
        out.append(pg.elementwise_grad(out[-1]))
    return out


def closed_forms(x):
    """tanh and its first four derivatives written in ``t = tanh(x)`` and ``s = 1 - t²``."""
    t = np.tanh(x)
    s = 1 - t ** 2
    return [t, s, -2 * t * s, -2 * s * (1 - 3 * t ** 2), 8 * t * s * (2 - 3 * t ** 2)]


def draw(x, curves, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8.0, 4.5), dpi=100)
    labels = ["tanh(x)", "1st derivative", "2nd derivative", "3rd derivative", "4th derivative"]
    host_x = x.asnumpy()
    for y, label in zip(curves, labels):
        ax.plot(host_x, y.asnumpy(), label=label, linewidth=1.8)
    ax.axhline(0.0, color="0.6", linewidth=0.6)
    ax.set_xlim(float(host_x[0]), float(host_x[-1]))
    ax.set_xlabel("x")
    ax.set_title("tanh and its first four derivatives, by polygrad.elementwise_grad")
    ax.legend(loc="lower right", frameon=False)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default=None, help="polygrad backend, e.g. numpy, torch, jax")
    parser.add_argument("--out", "--output", dest="output", default=str(DEFAULT_OUTPUT),
                        metavar="PATH", help=f"where to write the PNG ('' for no figure; "
                                             f"default {DEFAULT_OUTPUT})")
    parser.add_argument("--points", type=int, default=400)
    args = parser.parse_args(argv)
    if args.backend is not None:
        pg.set_backend(args.backend)
    print(f"backend: {pg.get_backend().spec}, default float dtype {pg.get_default_dtype()}")

    x = np.linspace(-6.0, 6.0, args.points)
    curves = [f(x) for f in derivatives(np.tanh, 4)]
    worst = 0.0
    for order, (y, exact) in enumerate(zip(curves, closed_forms(x))):
        err = float(np.max(np.abs(y - exact)))
        worst = max(worst, err)
        print(f"order {order}: max |autodiff - closed form| = {err:.1e}")
    if args.output:
        try:
            draw(x, curves, Path(args.output))
            print("figure written to", args.output)
        except ImportError:
            print("matplotlib is not installed: no figure")
    return worst


if __name__ == "__main__":
    main()
