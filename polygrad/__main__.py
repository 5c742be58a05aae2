"""``python -m polygrad``: the same command line as ``polygrad`` (see ``polygrad.cli``)."""

from __future__ import annotations

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
