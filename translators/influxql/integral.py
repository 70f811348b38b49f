"""integral() as InfluxDB 1.6.7 answers it: one walk over a group's points, emitting an area
whenever a point crosses the edge of the current window, and the rows of the other functions
joined to those areas by time.

1.x's integral is not a per-bucket aggregate, and its quirks follow from the walk:

- The line between a window's last point and the next window's first is cut at the window
  edge, the edge value interpolated, and each part's area goes to its window (all of it to the
  later window when empty windows lie between). For integer fields the part after the edge
  averages the edge value with the last point's instead of the next point's.
- An area is stamped with the window's start. Under ORDER BY time DESC the walk runs newest
  first and the window's start is its later edge, so areas are negative, stamped with the
  bucket's end, and a point on a bucket's start closes the bucket and opens it again: a second
  row of 0 at the same time.
- Without GROUP BY time a float field has no window (its area is stamped at the epoch), while
  an integer field's window is the query's range: stamped with the lower bound (the epoch
  without one), or under DESC with the upper bound plus 1 ns.
- The last window is left out when the walk ends on its start (a lone point at the lower
  bound has no area and no row).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from .timerange import MIN_TIME

Point = tuple[int, Any]  # (time, value)
Window = Callable[[int], tuple[int, int]]  # time → (start, end) of its window
Row = tuple[int, list[Any]]  # (time, prim values)


def areas(points: Iterable[Point], unit: int, *, bucket: Window | None, lower: int,
          upper: int, descending: bool = False) -> list[tuple[int, float]]:
    """The (time, area) rows 1.x emits for one group's points, given in the order it reads
    them (oldest first, or newest first under DESC); `bucket` is the GROUP BY time window,
    `lower`/`upper` the query's inclusive range."""
    out: list[tuple[int, float]] = []
    window: Window | None = bucket
    start = end = 0
    total = 0.0
    previous: Point | None = None
    for time, value in points:
        if value is None:
            continue
        if previous is None:
            previous = (time, value)
            if window is None and isinstance(value, int) and not isinstance(value, bool):
                window = lambda _: (lower, upper + 1)  # noqa: E731 - integers window the range
            if window is not None:
                start, end = _oriented(window(time), descending)
                if start == MIN_TIME:
                    start = 0  # 1.x's integer reducer: no lower bound is the epoch
            continue
        if time == previous[0]:
            previous = (time, value)  # of points at one time, the last read counts
            continue
        right = float(value)
        if window is not None and (time <= end if descending else time >= end):
            if previous[0] != end:
                left = float(previous[1])
                cut = (right - left) / (time - previous[0]) * (end - previous[0]) + left
                total += 0.5 * (cut + left) * ((end - previous[0]) / unit)
                if isinstance(previous[1], int):
                    right = cut  # 1.x's integer reducer keeps the old value past the edge
                    previous = (end, previous[1])
                else:
                    previous = (end, cut)
            out.append((start, total))
            start, end = _oriented(window(time), descending)
            total = 0.0
        total += 0.5 * (right + previous[1]) * ((time - previous[0]) / unit)
        previous = (time, value)
    if previous is not None and previous[0] != start:
        out.append((start, total))
    return out


def _oriented(window: tuple[int, int], descending: bool) -> tuple[int, int]:
    """(start, end) in the walk's direction: under DESC a window starts at its later edge."""
    return (window[1], window[0]) if descending else window


def join(rows: Sequence[Row], columns: dict[int, list[tuple[int, float]]],
         descending: bool, defaults: Sequence[Any], carry: bool = False,
         cut: tuple[int, int] | None = None) -> list[Row]:
    """The other functions' rows (ascending, filled) joined with each integral's areas (in
    emission order) as 1.x's emitter joins its iterators: at each step the earliest time (the
    latest under DESC) among their heads makes one row of every head at that time; a function
    without a point there reads its `defaults` entry (the cursor's, `cursor.missing_value`;
    one per column), or with `carry`
    (fill(previous)) keeps what the row before held. `cut`: OFFSET and where LIMIT stops,
    which 1.x applies to each iterator before the join, so `LIMIT 3` may answer six rows.
    Answered ascending, as the caller reverses the rows for DESC."""
    main = list(rows[::-1] if descending else rows)
    if cut is not None:
        main = main[cut[0]:cut[1]]
        columns = {index: areas[cut[0]:cut[1]] for index, areas in columns.items()}
    heads = dict.fromkeys(columns, 0)
    out: list[Row] = []
    taken = 0
    while True:
        times = [main[taken][0]] if taken < len(main) else []
        times.extend(columns[i][at][0] for i, at in heads.items() if at < len(columns[i]))
        if not times:
            break
        time = max(times) if descending else min(times)
        values = list(out[-1][1]) if carry and out else list(defaults)
        if taken < len(main) and main[taken][0] == time:
            if carry:  # 1.x's scanners leave a value without a point of its own untouched
                values = [v if v is not None else held
                          for v, held in zip(main[taken][1], values, strict=True)]
            else:
                values = list(main[taken][1])
            taken += 1
        for index, at in heads.items():
            if at < len(columns[index]) and columns[index][at][0] == time:
                values[index] = columns[index][at][1]
                heads[index] = at + 1
        out.append((time, values))
    return out[::-1] if descending else out
