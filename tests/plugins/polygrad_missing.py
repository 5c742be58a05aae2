"""A test plugin whose array library is not installed: listed, but unavailable."""

from __future__ import annotations

from polygrad.extend import Backend


class MissingBackend(Backend):
    name = "missing"
    library = "polygrad_test_no_such_array_library"
    native_modules = ("polygrad_test_no_such_array_library",)

    def load(self):
        import polygrad_test_no_such_array_library as xp  # noqa: F401  (never installed)

        return xp
