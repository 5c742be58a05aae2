"""A backend plugin with a planted kernel bug: NumPy arrays under the name ``offexp``, whose
``exp`` is off by 1e-3."""

from __future__ import annotations

from polygrad_backends.numpy_backend import NumpyBackend


def _exp(xp):
    return lambda x: xp.exp(x) + 1e-3


class OffExpBackend(NumpyBackend):
    """The NumPy backend with a wrong ``exp`` kernel."""

    name = "offexp"
    native_modules = ()          # NumPy arrays stay host data
    kernels = dict(NumpyBackend.kernels, exp=_exp)

    @classmethod
    def spec_for_native(cls, obj):
        return "offexp"
