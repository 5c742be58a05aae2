"""Case F: polygrad on the torch backend — cases A and B again, against torch eager on the same
tensors — and B scaled up (width 4096, batch 1024, float32) on CUDA, which runs only where
``torch.cuda.is_available()`` and otherwise reports that it was skipped and why.

Run alone: python benchmarks/run.py --case F
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import case_a_chain  # noqa: E402
import case_b_mlp  # noqa: E402


def run(settings):
    return (case_a_chain.run_torch(settings) + case_b_mlp.run_torch(settings)
            + case_b_mlp.run_cuda(settings))


if __name__ == "__main__":
    import run as harness

    sys.exit(harness.main(["--case", "F", *sys.argv[1:]]))
