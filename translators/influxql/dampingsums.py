"""The damping of holt_winters()' trend: running sums of Go's integer powers of phi.

1.x's model multiplies the trend by phi, then phi + phi**1, then phi + phi**1 + phi**2, and so
on, each power from Go's math.Pow, which for an integer exponent multiplies x's repeated
squares by their exponent's bits (`gopow.py`), so phi**t rounds as it does in 1.x only if made
the same way.
"""

from __future__ import annotations

import math

from .gopow import go_pow

# A power of phi below this share of the damping sum cannot change the sum (half its last
# place is 2**-54 of it at least); Go's powers err by far less than the margin left.
_NEGLIGIBLE = 2.0**-60


def _go_pow(x: float, n: int) -> float:
    """x**n for an integer n >= 1 as Go's math.Pow computes it (`gopow.py`): mantissa and
    exponent kept apart, the mantissa squared and multiplied in bit order."""
    return go_pow(x, float(n))


def _go_powers(x: float, count: int) -> list[float]:
    """[_go_pow(x, 1), ..., _go_pow(x, count)], each in O(1).

    Go multiplies the squared mantissas from the lowest bit up, so x**t is x**(t - b) times
    the square for t's highest bit b, rounded once more: the same products, the same result.
    """
    squares: list[tuple[float, int]] = []
    mantissa, exponent = math.frexp(x)
    for _ in range(count.bit_length()):
        if exponent < -4096 or exponent > 4096 or math.isnan(x) or x == 1.0:
            return [_go_pow(x, t) for t in range(1, count + 1)]
        squares.append((mantissa, exponent))
        mantissa *= mantissa
        exponent *= 2
        if mantissa < 0.5:
            mantissa += mantissa
            exponent -= 1
    accs, exps = [1.0], [0]
    out: list[float] = []
    try:
        for t in range(1, count + 1):
            high = t.bit_length() - 1
            square, square_exp = squares[high]
            rest = t - (1 << high)
            accs.append(accs[rest] * square)
            exps.append(exps[rest] + square_exp)
            out.append(math.ldexp(accs[t], exps[t]))
    except OverflowError:
        return [_go_pow(x, t) for t in range(1, count + 1)]
    return out


def damping_sums(phi: float, count: int) -> list[float]:
    """The damping each step of the model multiplies the trend by: phi, then phi + phi**1,
    phi + phi**1 + phi**2, ..., `count` running sums added in 1.x's order, each power as Go's
    math.Pow makes it."""
    if phi == 1.0:
        return [float(t) for t in range(1, count + 1)]  # Pow(1, y) is 1: the sums count
    sums = [phi]
    total = phi
    if not 0.0 < phi < 1.0:
        for power in _go_powers(phi, count - 1):
            total += power
            sums.append(total)
        return sums
    # Go's x**t is the product of x's repeated squares for t's bits, lowest bit first: for t
    # in [2**k, 2**(k+1)), x**(t - 2**k) times the k-th square. Go keeps the exponents apart,
    # but a power that still counts is at least 2**-60 of phi: if phi >= 2**-962 it and its
    # factors are normal numbers, whose plain products round as Go's mantissas do; if phi is
    # smaller, every power past phi itself is 0 both ways.
    powers = [1.0]
    square = phi
    while len(powers) < count:
        for lower in powers[:count - len(powers)]:
            power = lower * square
            if power < total * _NEGLIGIBLE:
                # Later powers are smaller still: none of them changes the sum any more.
                sums.extend([total] * (count - len(sums)))
                return sums
            powers.append(power)
            total += power
            sums.append(total)
        square *= square
    return sums
