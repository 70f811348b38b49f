"""Go's math.Pow as 1.x computes it: not libm's pow, but Go's own walk.

Go's Pow (math/pow.go) splits |y| into its whole and fractional parts, raises x to the
fraction as Exp(yf * Log(x)) with Go's own Exp and Log (`goexp.py`, `golog.py`; a fraction
above one half is taken as yf - 1 with one more whole power), multiplies in the whole power
by repeated squaring of x's mantissa, keeping the exponents apart, and puts them together
with Ldexp (the reciprocal first for a negative y). So its answer is often a unit or two in
the last place from the correctly rounded one Python's math.pow gives.
"""

from __future__ import annotations

import math

from .goexp import go_exp
from .golog import go_log

_BIG = float(1 << 63)
_SCALE_LIMIT = 1 << 12


def go_pow(x: float, y: float) -> float:
    """math.Pow(x, y), its special cases included."""
    special = _special(x, y)
    if special is not None:
        return special
    whole, fraction = math.floor(abs(y)), abs(y) - math.floor(abs(y))
    if fraction != 0 and x < 0:
        return math.nan
    if whole >= _BIG:  # an even power so large it overflows or vanishes (x == -1 aside)
        if x == -1:
            return 1.0
        return 0.0 if (abs(x) < 1) == (y > 0) else math.inf
    value, exponent = 1.0, 0
    if fraction != 0:
        if fraction > 0.5:
            fraction, whole = fraction - 1, whole + 1
        value = go_exp(fraction * go_log(x))
    mantissa, scale = math.frexp(x)
    power = int(whole)
    while power:
        if scale < -_SCALE_LIMIT or _SCALE_LIMIT < scale:
            exponent += scale  # past any float: Ldexp answers the overflow
            break
        if power & 1:
            value *= mantissa
            exponent += scale
        mantissa *= mantissa
        scale <<= 1
        if mantissa < 0.5:
            mantissa += mantissa
            scale -= 1
        power >>= 1
    if y < 0:
        value, exponent = 1 / value, -exponent
    return _ldexp(value, exponent)


def _special(x: float, y: float) -> float | None:
    """Go's special cases, in its order; None when none applies."""
    if y == 0 or x == 1:
        return 1.0
    if y == 1:
        return x
    if math.isnan(x) or math.isnan(y):
        return math.nan
    odd = _odd_integer(y)
    if x == 0:
        if y < 0:
            return math.copysign(math.inf, x) if odd else math.inf
        return x if odd else 0.0
    if math.isinf(y):
        if x == -1:
            return 1.0
        return 0.0 if (abs(x) < 1) == (y > 0) else math.inf
    if math.isinf(x):
        if x < 0:
            return go_pow(1 / x, -y)  # Pow(-0, -y)
        return 0.0 if y < 0 else math.inf
    if y in (0.5, -0.5):
        if x < 0:
            return math.nan  # Go's Sqrt of a negative
        return math.sqrt(x) if y > 0 else 1 / math.sqrt(x)
    return None


def _odd_integer(y: float) -> bool:
    if abs(y) >= 1 << 53:
        return False  # every float this large is even
    return y == math.floor(y) and int(y) % 2 == 1


def _ldexp(value: float, exponent: int) -> float:
    """math.Ldexp: infinity past float64 (Python raises), zero below it."""
    try:
        return math.ldexp(value, exponent)
    except OverflowError:
        return math.copysign(math.inf, value)
