"""Which bodies of a write fuzz case gave their lines without a timestamp one time.

A line without a timestamp is stored at the server's "now" when the body arrives, cut to the
body's precision (1.x and the gateway alike), so two bodies whose such lines fall in one second
under `precision=s` write the same points (the second's fields join the first's), and in two
seconds two points. Which it is depends on the clock, and may differ between the two servers
of a case even though each stored what it should: a point in one row on one side, two rows
with each other's fields missing on the other (a `b` of None beside a stored `b=t`). `pairs`
tells, from the wall-clock span of each request, for every two bodies holding such lines
whether their times were surely one (True), surely two (False) or could be either (None); a
case is compared only where both servers' pairs are sure and alike.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from tests.oracle import lpgen, lptwice

Span = tuple[int, int]  # a request's start and end, ns since the epoch, on the local clock

UNIT_NS = {"": 1, "n": 1, "ns": 1, "u": 10**3, "ms": 10**6, "s": 10**9, "m": 60 * 10**9,
           "h": 3600 * 10**9}


def pairs(batches: Sequence[lpgen.Batch], spans: Sequence[Span]
          ) -> dict[tuple[int, int], bool | None]:
    """For each two bodies with a line without a timestamp (steps i < j), whether their
    default times were one."""
    untimed = [step for step, batch in enumerate(batches)
               if any(line.group == "now" for line in lptwice.read_lines(step, batch))]
    return {(i, j): one_time(spans[i], UNIT_NS[batches[i].precision],
                             spans[j], UNIT_NS[batches[j].precision])
            for at, i in enumerate(untimed) for j in untimed[at + 1:]}


def one_time(first: Span, first_unit: int, second: Span, second_unit: int) -> bool | None:
    """Whether a time taken in span `first` cut to `first_unit` equals one taken in `second`
    cut to `second_unit`: surely (True), surely not (False), or None when it depends on
    when within the spans the times were taken. Units divide one another (ns up to h)."""
    if first_unit <= second_unit:
        fine, fine_unit, coarse, unit = first, first_unit, second, second_unit
    else:
        fine, fine_unit, coarse, unit = second, second_unit, first, first_unit
    # One time iff both fall in one `unit` and the fine one is in that unit's first
    # `fine_unit` (cut to its own unit, it is then the start of the coarse one).
    fine_units = range(fine[0] // unit, fine[1] // unit + 1)
    coarse_units = range(coarse[0] // unit, coarse[1] // unit + 1)
    common = [k for k in fine_units if k in coarse_units]
    possible = [k for k in common
                if fine[0] < k * unit + fine_unit and fine[1] >= k * unit]
    if not possible:
        return False
    if (len(fine_units) == len(coarse_units) == 1 and fine_units == coarse_units
            and fine[1] < possible[0] * unit + fine_unit):
        return True
    return None


def comparable(batches: Sequence[lpgen.Batch], theirs: Sequence[Span],
               ours: Sequence[Span]) -> bool:
    """Whether both servers surely gave the same bodies one default time."""
    one, other = pairs(batches, theirs), pairs(batches, ours)
    return None not in one.values() and one == other


def at_a_second_start() -> None:
    """Wait for the local clock's next whole second: a case run again from there has its
    bodies under `precision=s` in one second where it takes less than one."""
    time.sleep(1 - time.time_ns() % 10**9 / 10**9)
