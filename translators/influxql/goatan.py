"""Go's math.Atan, Atan2, Asin and Acos as 1.x computes them: Cephes' rational function.

Go (math/atan.go) takes |x| to [0, 0.66] (through 1/x above tan(3pi/8), through
(x - 1)/(x + 1) between), evaluates a rational function there and adds back pi/2 or pi/4
with the bits of pi/2 a float misses; Asin is that arctangent of x / sqrt(1 - x^2) (of its
inverse from 0.7 on), Acos pi/2 less Asin, and Atan2 the arctangent of y / x moved to its
quadrant. Their answers are at times a unit in the last place from libm's.
"""

from __future__ import annotations

import math

from .gotrig import PI, horner

_HALF_PI = math.pi / 2
_QUARTER_PI = math.pi / 4
_THREE_QUARTERS_PI = float(3 * PI / 4)  # rounded once, as Go's constant 3*Pi/4
_MORE_BITS = 6.123233995736765886130e-17  # pi/2 less its float
_TAN_3PI_8 = 2.41421356237309504880
_P = (-8.750608600031904122785e-01, -1.615753718733365076637e+01,
      -7.500855792314704667340e+01, -1.228866684490136173410e+02,
      -6.485021904942025371773e+01)
_Q = (1.0,  # monic: 1.0 * z is z exactly
      2.485846490142306297962e+01, 1.650270098316988542046e+02, 4.328810604912902668951e+02,
      4.853903996359136964868e+02, 1.945506571482613964425e+02)


def go_atan(x: float) -> float:
    """math.Atan."""
    if x == 0 or math.isnan(x):
        return x
    return _reduced(x) if x > 0 else -_reduced(-x)


def go_asin(x: float) -> float:
    """math.Asin."""
    if x == 0 or math.isnan(x):
        return x
    negative = x < 0
    x = abs(x)
    if x > 1:
        return math.nan
    root = math.sqrt(1 - x * x)
    value = _HALF_PI - _reduced(root / x) if x > 0.7 else _reduced(x / root)
    return -value if negative else value


def go_acos(x: float) -> float:
    """math.Acos."""
    return _HALF_PI - go_asin(x)


def go_atan2(y: float, x: float) -> float:
    """math.Atan2, its special cases included."""
    if math.isnan(x) or math.isnan(y):
        return math.nan
    if y == 0:
        return math.copysign(0.0 if math.copysign(1, x) > 0 else math.pi, y)
    if x == 0:
        return math.copysign(_HALF_PI, y)
    if math.isinf(x):
        if x > 0:
            return math.copysign(_QUARTER_PI if math.isinf(y) else 0.0, y)
        return math.copysign(_THREE_QUARTERS_PI if math.isinf(y) else math.pi, y)
    if math.isinf(y):
        return math.copysign(_HALF_PI, y)
    angle = go_atan(y / x)
    if x < 0:
        return angle + math.pi if angle <= 0 else angle - math.pi
    return angle


def _reduced(x: float) -> float:
    """The arctangent of x > 0 (Go's satan)."""
    if x <= 0.66:
        return _series(x)
    if x > _TAN_3PI_8:
        return _HALF_PI - _series(1 / x) + _MORE_BITS
    return _QUARTER_PI + _series((x - 1) / (x + 1)) + 0.5 * _MORE_BITS


def _series(x: float) -> float:
    """The arctangent of x in [0, 0.66] (Go's xatan)."""
    z = x * x
    z = z * horner(_P, z) / horner(_Q, z)
    return x * z + x
