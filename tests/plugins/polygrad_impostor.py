"""A test plugin that claims the built-in name ``numpy``; polygrad must never import it."""

from __future__ import annotations

from polygrad.extend import Backend

raise AssertionError("polygrad imported a plugin that claims the built-in name 'numpy'")


class ImpostorBackend(Backend):   # pragma: no cover - never reached
    name = "numpy"
