"""Spec rows of the ``fft`` extension: the four transform primitives over an axis grid and every
``norm``, the 1-D, 2-D and Hermitian functions composed from them (with cropping and padding to
``n`` / ``s``), and the shifts.

Imports polygrad.numpy, NumPy (references) and the suite's spec types.
"""

from __future__ import annotations

import numpy

import polygrad.numpy as np
from polygrad_conformance.specs._helpers import A, Case, Spec

__all__ = ["specs"]

_FC = ("float", "complex")
_NORMS = ("backward", "ortho", "forward")


def _f(name):
    return lambda x, **kw: getattr(np.fft, name)(x, **kw)


def _r(name):
    return lambda x, **kw: getattr(numpy.fft, name)(x, **kw)


def _nd_cases() -> list:
    cases = [Case(A((4, 3)), norm=n, id=f"4x3,norm={n}") for n in _NORMS]
    return cases + [Case(A((2, 3, 4)), axes=(-1, 0)), Case(A((5,))), Case(A((3, 4)), axes=(0,)),
                    Case(A((3, 4)), s=(5, 2), axes=(0, 1), id="pad-crop")]


def _one_d_cases() -> list:
    cases = [Case(A((6,)), norm=n, id=f"6,norm={n}") for n in _NORMS]
    return cases + [Case(A((3, 5)), axis=0), Case(A((5,)), n=8, id="pad"),
                    Case(A((2, 6)), n=4, axis=-1, id="crop")]


def _half_cases() -> list:
    """Inputs of the inverse real transforms: half spectra."""
    cases = [Case(A((5,)), norm=n, id=f"5,norm={n}") for n in _NORMS]
    return cases + [Case(A((3, 4)), axis=0), Case(A((4,)), n=7, id="n=7")]


def specs() -> list:
    cat = "fft"
    return [
        Spec("fft_fftn", _f("fftn"), _r("fftn"), _nd_cases(), dtypes=_FC,
             covers=("fft.fftn",), category=cat),
        Spec("fft_ifftn", _f("ifftn"), _r("ifftn"), _nd_cases(), dtypes=_FC,
             covers=("fft.ifftn",), category=cat),
        Spec("fft_rfftn", _f("rfftn"), _r("rfftn"), _nd_cases(), covers=("fft.rfftn",),
             category=cat),
        Spec("fft_irfftn", _f("irfftn"), _r("irfftn"), [
            Case(A((4, 3)), norm=n, id=f"4x3,norm={n}") for n in _NORMS] + [
            Case(A((3, 4)), axes=(0,)), Case(A((3, 4)), s=(2, 5), id="s=2x5")],
            dtypes=_FC, covers=("fft.irfftn",), category=cat),
        Spec("fft.fft", _f("fft"), _r("fft"), _one_d_cases(), dtypes=_FC,
             primitives=("fft_fftn",), category=cat),
        Spec("fft.ifft", _f("ifft"), _r("ifft"), _one_d_cases(), dtypes=_FC,
             primitives=("fft_ifftn",), category=cat),
        Spec("fft.rfft", _f("rfft"), _r("rfft"), _one_d_cases(), primitives=("fft_rfftn",),
             category=cat),
        Spec("fft.irfft", _f("irfft"), _r("irfft"), _half_cases(), dtypes=_FC,
             primitives=("fft_irfftn",), category=cat),
        Spec("fft.hfft", _f("hfft"), _r("hfft"), _half_cases(), dtypes=_FC,
             primitives=("fft_irfftn", "conj"), category=cat),
        Spec("fft.ihfft", _f("ihfft"), _r("ihfft"), _one_d_cases(),
             primitives=("fft_rfftn", "conj"), category=cat),
        Spec("fft.fft2", _f("fft2"), _r("fft2"), [Case(A((3, 4))), Case(A((2, 3, 4)),
             norm="ortho")], dtypes=_FC, primitives=("fft_fftn",), category=cat),
        Spec("fft.ifft2", _f("ifft2"), _r("ifft2"), [Case(A((3, 4))), Case(A((2, 3, 4)),
             s=(2, 5))], dtypes=_FC, primitives=("fft_ifftn",), category=cat),
        Spec("fft.rfft2", _f("rfft2"), _r("rfft2"), [Case(A((3, 4))), Case(A((2, 3, 4)),
             norm="forward")], primitives=("fft_rfftn",), category=cat),
        Spec("fft.irfft2", _f("irfft2"), _r("irfft2"), [Case(A((3, 4))), Case(A((2, 3, 3)),
             s=(3, 4))], dtypes=_FC, primitives=("fft_irfftn",), category=cat),
        Spec("fft.fftshift", _f("fftshift"), _r("fftshift"), [
            Case(A((5,))), Case(A((4, 3))), Case(A((4, 3)), axes=-1)], dtypes=_FC,
            primitives=("roll",), category=cat),
        Spec("fft.ifftshift", _f("ifftshift"), _r("ifftshift"), [
            Case(A((5,))), Case(A((4, 3)), axes=(0,))], dtypes=_FC, primitives=("roll",),
            category=cat),
    ]
