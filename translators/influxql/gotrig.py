"""Go's math.Sin, Cos and Tan as 1.x computes them: Cephes' polynomials, not libm's.

Go (math/sin.go, tan.go) finds the octant j of |x| from x * 4/pi, takes an odd j to the
next even one, subtracts j * pi/4 in three parts (Cody and Waite's extended precision) and
evaluates a polynomial in the rest z: sin's or cos's as the octant asks (tan a rational one,
inverted for octants 2 and 6), the sign from x and the octant. A quarter to a third of its
answers are a unit in the last place from the correctly rounded ones Python's math gives.
From 2^29 on Go reduces the argument with Payne and Hanek's method instead, which lands
near libm's answer: there libm's is answered (not matched to the last bit).
"""

from __future__ import annotations

import math
from fractions import Fraction

# pi exactly enough for Go's constant expressions, which round once at the end
PI = Fraction("3.14159265358979323846264338327950288419716939937510582")
# 4/pi rounded once, as Go's constant expression is; pi/4 in three parts of fewer bits
_FOUR_OVER_PI = float(4 / PI)
_PI4 = (7.85398125648498535156e-1, 3.77489470793079817668e-8, 2.69515142907905952645e-15)
_REDUCE_THRESHOLD = float(1 << 29)
# Horner's coefficients, highest power first
_SIN = (1.58962301576546568060e-10, -2.50507477628578072866e-8, 2.75573136213857245213e-6,
        -1.98412698295895385996e-4, 8.33333333332211858878e-3, -1.66666666666666307295e-1)
_COS = (-1.13585365213876817300e-11, 2.08757008419747316778e-9, -2.75573141792967388112e-7,
        2.48015872888517045348e-5, -1.38888888888730564116e-3, 4.16666666666665929218e-2)
_TAN_P = (-1.30936939181383777646e4, 1.15351664838587416140e6, -1.79565251976484877988e7)
_TAN_Q = (1.0, 1.36812963470692954678e4,  # monic: 1.0 * zz is zz exactly
          -1.32089234440210967447e6, 2.50083801823357915839e7,
          -5.38695755929454629881e7)


def go_sin(x: float) -> float:
    """math.Sin."""
    if x == 0 or not math.isfinite(x):
        return x if x == 0 or math.isnan(x) else math.nan
    if abs(x) >= _REDUCE_THRESHOLD:
        return math.sin(x)
    negative = x < 0
    octant, z = _octant(abs(x))
    if octant > 3:
        negative, octant = not negative, octant - 4
    value = _cos_series(z) if octant in (1, 2) else _sin_series(z)
    return -value if negative else value


def go_cos(x: float) -> float:
    """math.Cos."""
    if not math.isfinite(x):
        return math.nan
    if abs(x) >= _REDUCE_THRESHOLD:
        return math.cos(x)
    octant, z = _octant(abs(x))
    negative = False
    if octant > 3:
        negative, octant = True, octant - 4
    if octant > 1:
        negative = not negative
    value = _sin_series(z) if octant in (1, 2) else _cos_series(z)
    return -value if negative else value


def go_tan(x: float) -> float:
    """math.Tan."""
    if x == 0 or not math.isfinite(x):
        return x if x == 0 or math.isnan(x) else math.nan
    if abs(x) >= _REDUCE_THRESHOLD:
        return math.tan(x)
    octant, z = _octant(abs(x), wrap=False)
    zz = z * z
    value = z
    if zz > 1e-14:
        numerator = zz * horner(_TAN_P, zz)
        denominator = horner(_TAN_Q, zz)
        value = z + z * (numerator / denominator)
    if octant & 2:
        value = -1 / value
    return -value if x < 0 else value


def _octant(x: float, wrap: bool = True) -> tuple[int, float]:
    """The even octant of x >= 0 (modulo 8 if `wrap`) and x less that many quarters of pi."""
    octant = int(x * _FOUR_OVER_PI)
    quarters = float(octant)
    if octant & 1:  # map zeros to the origin
        octant, quarters = octant + 1, quarters + 1
    z = ((x - quarters * _PI4[0]) - quarters * _PI4[1]) - quarters * _PI4[2]
    return (octant & 7 if wrap else octant), z


def _sin_series(z: float) -> float:
    zz = z * z
    return z + z * zz * horner(_SIN, zz)


def _cos_series(z: float) -> float:
    zz = z * z
    return 1.0 - 0.5 * zz + zz * zz * horner(_COS, zz)


def horner(coefficients: tuple[float, ...], x: float) -> float:
    """The polynomial with `coefficients` (highest power first) at x, in Horner's order, as
    Go's math functions write theirs out."""
    value = coefficients[0]
    for c in coefficients[1:]:
        value = value * x + c
    return value
