"""A differentiable primitive registered without a conformance spec."""

from __future__ import annotations

import polygrad.numpy as np
from polygrad.extend import defjvp, defvjp, primitive

planted_unspecced = primitive("planted_unspecced", lambda xp: xp.sin)
defvjp(planted_unspecced, lambda g, ans, x: g * np.cos(x))
defjvp(planted_unspecced, lambda t, ans, x: t * np.cos(x))
