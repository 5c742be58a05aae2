"""``polygrad.scipy.integrate``: ``odeint`` (autograd's, with adjoint-method derivatives) and
``trapezoid`` (SciPy's name for ``polygrad.numpy.trapezoid``). Imports ``polygrad.numpy``."""

from __future__ import annotations

from typing import Any

from .. import numpy as np
from ._ode import odeint

__all__ = ["odeint", "trapezoid"]


def trapezoid(y: Any, x: Any = None, dx: float = 1.0, axis: int = -1) -> Any:
    """∫ y along ``axis`` by the trapezoidal rule, at sample points ``x`` or spacing ``dx``.

    Examples
    --------
    >>> import polygrad.numpy as np
    >>> from polygrad.scipy.integrate import trapezoid
    >>> float(trapezoid(np.asarray([0.0, 1.0, 4.0]), dx=0.5))
    1.5
    """
    return np.trapezoid(y, x, dx, axis)
