"""``python -m polygrad_conformance``: the suite on every available backend (see ``run.py``)."""

from __future__ import annotations

import sys

from polygrad_conformance.run import main

sys.exit(main())
