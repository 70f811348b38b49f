"""Go's math.Log, Log2 and Log10 as 1.x computes them: the FreeBSD e_log.c polynomial.

Go's Log (math/log.go; the amd64 assembly does the same arithmetic) splits x into 2^k * f
with f in [sqrt(2)/2, sqrt(2)), writes log(f) through s = (f - 1) / (f + 1) as a polynomial
in s^2, and adds k * ln 2 in two parts. Its answer is at times a unit in the last place from
the correctly rounded one Python's math.log gives (`ln(3)` is 1.0986122886681096, not ...98),
which shows where something magnifies it or an infinity makes 1.x answer its text (`log(2,
3)` is 0.6309297535714575). Log10 is Log times 1/ln 10, and Log2 the logarithm of the
fraction times 1/ln 2 plus the exponent (exact for powers of two), as Go writes them.
"""

from __future__ import annotations

import math

# ln 2 split in a high part with trailing zero bits and the rest, and the coefficients of
# the odd series in s (e_log.c's Lg1..Lg7)
_LN2_HI = 6.93147180369123816490e-01
_LN2_LO = 1.90821492927058770002e-10
_LG = (6.666666666666735130e-01, 3.999999999940941908e-01, 2.857142874366239149e-01,
       2.222219843214978396e-01, 1.818357216161805012e-01, 1.531383769920937332e-01,
       1.479819860511658591e-01)
_HALF_SQRT2 = math.sqrt(2) / 2
_INV_LN2 = 1.4426950408889634  # 1/ln 2 rounded once, as Go's constant expression is
_INV_LN10 = 0.4342944819032518  # 1/ln 10 rounded once (Python's 1/math.log(10) is not)


def go_log(x: float) -> float:
    """math.Log of a finite x > 0 (the caller answers zero, negatives and infinities)."""
    fraction, exponent = math.frexp(x)
    if fraction < _HALF_SQRT2:
        fraction, exponent = fraction * 2, exponent - 1
    f = fraction - 1
    k = float(exponent)
    s = f / (2 + f)
    s2 = s * s
    s4 = s2 * s2
    odd = s2 * (_LG[0] + s4 * (_LG[2] + s4 * (_LG[4] + s4 * _LG[6])))
    even = s4 * (_LG[1] + s4 * (_LG[3] + s4 * _LG[5]))
    series = odd + even
    half_square = 0.5 * f * f
    return k * _LN2_HI - ((half_square - (s * (half_square + series) + k * _LN2_LO)) - f)


def go_log2(x: float) -> float:
    """math.Log2 of a finite x > 0."""
    fraction, exponent = math.frexp(x)
    if fraction == 0.5:
        return float(exponent - 1)
    return go_log(fraction) * _INV_LN2 + float(exponent)


def go_log10(x: float) -> float:
    """math.Log10 of a finite x > 0."""
    return go_log(x) * _INV_LN10
