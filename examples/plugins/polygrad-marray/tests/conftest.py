"""Make ``polygrad_marray`` importable from a source checkout (no install needed)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1]))
