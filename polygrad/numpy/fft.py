"""The ``fft`` extension of the Array API standard (differentiable)."""

from __future__ import annotations

__all__: list[str] = []
