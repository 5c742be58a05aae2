"""A working test plugin: NumPy arrays under the backend name ``toy``.

Importing it records itself in ``LOADS`` so tests can tell whether plugin code ran.
"""

from __future__ import annotations

from polygrad_backends.numpy_backend import NumpyBackend

LOADS = ["imported"]


class ToyBackend(NumpyBackend):
    """The NumPy backend under another name, float32 by default."""

    name = "toy"
    native_modules = ()          # NumPy arrays stay host data, owned by no plugin
    default_float_dtype = "float32"

    @classmethod
    def spec_for_native(cls, obj):
        return "toy"
