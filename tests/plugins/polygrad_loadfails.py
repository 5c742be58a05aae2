"""A test plugin whose probe passes but whose ``load()`` raises (its library fails to import)."""

from __future__ import annotations

from polygrad_backends.numpy_backend import NumpyBackend


class LoadFailsBackend(NumpyBackend):
    name = "loadfails"
    native_modules = ()

    def load(self):
        raise ImportError("loadfails_lib: DLL load failed on purpose")
