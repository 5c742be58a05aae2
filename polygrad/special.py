"""``polygrad.special``: logsumexp, softmax, erf, gammaln, ... (differentiable)."""

from __future__ import annotations

__all__: list[str] = []
