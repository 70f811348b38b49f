"""Go's math.Exp as 1.x computes it on amd64: a polynomial of its own, not libm's exp.

Go's amd64 Exp (math/exp_amd64.s, after Shibata's SLEEF) reduces the argument by ln 2,
evaluates a Taylor polynomial of a sixteenth of the rest and squares it back four times,
with fused multiply-adds on a CPU that has them (every CPU 1.x ships for today). Its answer
is often one unit in the last place away from the correctly rounded one Python's math.exp
gives (`exp(65.5)`: 2.7943999487401858e+28, not ...853e+28), so it is replayed step by step.
"""

from __future__ import annotations

import math
import struct
from fractions import Fraction

_LOG2E = 1.4426950408889634073599246810018920
_LN2_UPPER = 0.69314718055966295651160180568695068359375
_LN2_LOWER = 0.28235290563031577122588448175013436025525412068e-12
_OVERFLOW = 7.09782712893384e+02
# 1/8!, 1/7!, ... 1/2!, 1: Horner's coefficients of (e^r - 1) / r, as the assembly holds them
_TAYLOR = (2.4801587301587301587e-5, 1.9841269841269841270e-4, 1.3888888888888888889e-3,
           8.3333333333333333333e-3, 4.1666666666666666667e-2, 1.6666666666666666667e-1,
           0.5, 1.0)


def _fma(a: float, b: float, c: float) -> float:
    """a * b + c rounded once (VFMADD): Fraction is exact and int / int rounds correctly."""
    return float(Fraction(a) * Fraction(b) + Fraction(c))


def go_exp(x: float) -> float:
    """e**x, bit for bit as Go's amd64 math.Exp with FMA answers it."""
    if math.isnan(x) or x == math.inf:
        return x
    if x == -math.inf:
        return 0.0
    if x > _OVERFLOW:
        return math.inf
    k = round(x * _LOG2E)  # CVTSD2SL: to the nearest, ties to even
    if not -(2 ** 31) <= k < 2 ** 31:
        return 0.0  # past int32 the conversion answers its "indefinite" minimum: underflow
    rest = _fma(-_LN2_LOWER, k, _fma(-_LN2_UPPER, k, x)) * 0.0625
    poly = _TAYLOR[0]
    for coefficient in _TAYLOR[1:]:
        poly = _fma(poly, rest, coefficient)
    value = poly * rest  # e^(x/16 reduced) - 1
    for _ in range(3):
        value = value * (value + 2.0)  # (1 + v)^2 - 1
    value = _fma(value, value + 2.0, 1.0)
    biased = k + 1023
    if biased <= 0:
        return 0.0
    if biased >= 0x7FF:
        return math.inf
    return value * struct.unpack("<d", struct.pack("<Q", biased << 52))[0]
