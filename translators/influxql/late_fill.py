"""1.x's cursor walk where a percentile()'s fill iterator answers nothing between its points.

1.x reduces percentile() window by window and answers no point (a nil, which its readers take
for an end) for a window holding points it selects none of. The fill iterator above it asks
its input once per call: until the input yields a point it answers nil, and so it does past a
series' last bucket; inside a series a nil is filled like an empty bucket. The cursor makes a
row by peeking every call and then reading every call, each peek or read that finds no point
buffered asking the iterator once: the row's time is the earliest (by series, then time) of
the peeked points (the latest under DESC, where every call reads the series last first); a
call whose read finds nothing, or a point of another row, reads the cursor's default (that
point kept for the next row). A scan where no call peeks a point ends
a batch of rows; 1.x's executor scans again, and a second such scan in a row (or one before any
row) ends the read: when every call is a percentile(), a series whose first two windows select
nothing ends it there, after the series before (its fill hands the cursor both nils).

So a percentile whose first `m` windows of a series select nothing uses up two of them per
row, its fill then starting at the range's first bucket, and those buckets come as rows of
their own, earlier than the rows before them. `rows` answers that walk when some nil reaches
the cursor before a percentile's last point; otherwise the joins of `cursor.py` and
`integral.py` answer the same thing and it leaves them to it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from . import ast
from . import functions as fn
from .cursor import missing_value
from .fill import bucket_of, cast_fill, linear
from .select_plan import SelectPlan, transforms_in


@dataclass(frozen=True, slots=True)
class Point:
    """One point an iterator answers: its series (position in the answer's series order),
    time and value."""

    series: int
    time: int
    value: Any


Item = Point | None  # None: the iterator answered nothing (a nil)


@dataclass(frozen=True, slots=True)
class Series:
    """What the walk needs of one series: a function answering its filled rows (time, prim
    values) in the answer's order, called only when the walk answers (filling is the costly
    part, and most statements leave the walk to the usual joins), integral()'s areas by prim
    index (emission order), the prims without a point in it (`cursor.silent`), each
    percentile's windows holding points in read order (time, selected value or None), and
    each prim's kind."""

    rows: Callable[[], list[tuple[int, list[Any]]]]
    integrals: dict[int, list[tuple[int, float]]]
    quiet: frozenset[int]
    windows: dict[int, list[tuple[int, Any]]]
    kinds: list[str | None]


def applies(plan: SelectPlan) -> bool:
    """Whether the statement is one the walk answers: GROUP BY time with a fill iterator
    over aggregates (integral() among them), a percentile() one of them, the series read
    whole (no subquery's runs; SLIMIT's page is walked alone), no transformation."""
    return (plan.aggregate and plan.interval is not None and not plan.selector_time
            and plan.fill is not ast.FillOption.NONE and plan.paged_by is None
            and (plan.time_range.lower is not None or not plan.descending)
            and any(p.func == "percentile" for p in plan.prims)
            and all(p.func is not None and p.func not in fn.MULTI_ROW for p in plan.prims)
            and not any(transforms_in(node) for node in plan.outputs))


def rows(plan: SelectPlan, series: Sequence[Series], start: int, end: int
         ) -> list[list[tuple[int, list[Any]]]] | None:
    """Each series' rows (time, prim values) in the answer's order, as 1.x's cursor walks
    the calls; None when no percentile's fill answers nil before its last point (the usual
    joins answer the same then). `start`, `end`: the range's first and last bucket."""
    if not any(value is None for one in series for windows in one.windows.values()
               for _, value in windows):
        return None  # only a window that selects nothing answers a nil
    streams: dict[int, list[Item]] = {}
    late: set[int] = set()  # the series whose point comes after a nil that reaches the cursor
    for index, prim in enumerate(plan.prims):
        if prim.func == "percentile":
            stream = _filled(plan, series, index, start, end)
            late.update(_late_series(stream))
            streams[index] = _limited(plan, stream)
    if not late:
        return None
    filled = [one.rows() for one in series]
    for index, prim in enumerate(plan.prims):
        if prim.func == "integral":
            stream = [Point(s, t, v) for s in _read_order(plan, series)
                      for t, v in series[s].integrals.get(index, [])]
        elif prim.func != "percentile":
            stream = [Point(s, t, values[index]) for s in _read_order(plan, series)
                      if index not in series[s].quiet for t, values in filled[s]]
        else:
            continue
        streams[index] = _limited(plan, stream)
    out: list[list[tuple[int, list[Any]]]] = [[] for _ in series]
    for at, time, values in _walk(plan, streams, lambda at, i, last: missing_value(
            plan.fill, plan.fill_value, series[at].kinds[i], last)):
        out[at].append((time, values))
    return out


def _read_order(plan: SelectPlan, series: Sequence[Series]) -> Sequence[int]:
    """The series' positions in the order 1.x's iterators read them: the last first under
    ORDER BY time DESC (the cursor then takes the greatest series and time)."""
    return range(len(series) - 1, -1, -1) if plan.descending else range(len(series))


def _late_series(stream: list[Item]) -> set[int]:
    """The series of the points that come after a nil in a call's answers."""
    out = set()
    after_nil = False
    for item in stream:
        if item is None:
            after_nil = True
        elif after_nil:
            out.add(item.series)
            after_nil = False
    return out


def _filled(plan: SelectPlan, series: Sequence[Series], index: int, start: int,
            end: int) -> list[Item]:
    """What a percentile's fill iterator answers, call by call, until it answers nil past
    its input's end: its input is the windows of every series in read order, a nil for each
    that selects nothing (`percentile_windows`)."""
    assert plan.interval is not None
    step = -plan.interval if plan.descending else plan.interval
    first, last = (end, start) if plan.descending else (start, end)
    reduced: list[Item] = [Point(s, t, v) if v is not None else None
                           for s in _read_order(plan, series) for t, v in series[s].windows[index]]
    kinds = [one.kinds[index] for one in series]
    place = 0
    held: list[Item] = []  # the buffered point an unread leaves (at most one)

    def read() -> Item:
        nonlocal place
        if held:
            return held.pop()
        item = reduced[place] if place < len(reduced) else None
        place += 1
        return item

    def unread(item: Item) -> None:
        if item is not None:
            held.append(item)

    def opening(point: Point) -> int:  # the series' first bucket: the range's, or its own
        return first if plan.time_range.lower is not None else bucket_of(plan, point.time)

    def beyond(time: int) -> bool:
        return time < last if plan.descending else time > last

    out: list[Item] = []
    started = False
    window = (0, 0)  # (series, time) the iterator fills next
    previous: Point | None = None  # the series' last point read, for previous and linear
    while True:
        if not started:
            peeked = read()
            unread(peeked)
            if peeked is None:
                if place > len(reduced):
                    return out
                out.append(None)
                continue
            window, started = (peeked.series, opening(peeked)), True
        point = read()
        if point is None or point.series != window[0]:
            if not beyond(window[1]):
                unread(point)
                point = None
            elif point is None:
                if place > len(reduced):
                    return out
                out.append(None)
                continue
            else:
                window, previous = (point.series, opening(point)), None
        if point is None or (point.time < window[1] if plan.descending
                             else point.time > window[1]):
            unread(point)
            value = _fill_value(plan, kinds[window[0]], window, previous, read, unread)
            out.append(Point(window[0], window[1], value))
        else:
            previous = point
            out.append(point)
        window = (window[0], window[1] + step)


def _fill_value(plan: SelectPlan, kind: str | None, window: tuple[int, int],
                previous: Point | None, read: Callable[[], Item],
                unread: Callable[[Item], None]) -> Any:
    """The value 1.x's fill iterator gives a bucket without a point; fill(linear) peeks its
    input for the next point, which uses up a window that selects nothing."""
    if plan.fill is ast.FillOption.NUMBER:
        return cast_fill(plan.fill_value, kind)
    if plan.fill is ast.FillOption.PREVIOUS:
        return previous.value if previous is not None else None
    if plan.fill is ast.FillOption.LINEAR and previous is not None:
        assert plan.interval is not None
        after = read()
        unread(after)
        if after is not None and after.series == window[0]:
            return linear(window[1], previous.time, after.time, previous.value, after.value,
                          plan.interval)
    return None


def _limited(plan: SelectPlan, stream: list[Item]) -> list[Item]:
    """A call's answers through 1.x's limit iterator: each series' points before OFFSET or
    past LIMIT dropped, a nil passed on."""
    end = plan.rows_end
    if end is None:
        return stream
    counts: dict[int, int] = {}
    out: list[Item] = []
    for item in stream:
        if item is not None:
            counts[item.series] = counts.get(item.series, 0) + 1
            if not plan.offset < counts[item.series] <= end:
                continue
        out.append(item)
    return out


def _walk(plan: SelectPlan, streams: dict[int, list[Item]],
          default: Callable[[int, int, Any], Any], once: bool = False,
          scans: list[int | None] | None = None) -> list[tuple[int, int, list[Any]]]:
    """1.x's cursor over the calls' answers: per row a peek of every call, then a read of
    every call; (series, time, prim values) per row. `default(series, prim, last)`: what a
    call without a point at the row reads (`last`: its value in the row before, in the
    series). `once`: the first scan that finds nothing ends the read (a parent's
    transformations reading a subquery, `SelectPlan.read_once`). `scans`: gets what each
    scan finds (the row's index, None for nothing), and the walk goes on to the end of
    every call's answers (a parent's reducers decide where the read ends:
    `subquery_batches.py`)."""
    places = dict.fromkeys(streams, 0)
    held: dict[int, Point] = {}

    def ask(call: int) -> Item:
        stream = streams[call]
        item = stream[places[call]] if places[call] < len(stream) else None
        places[call] += 1
        return item

    out: list[tuple[int, int, list[Any]]] = []
    last: dict[int, Any] = {}
    rows = False  # a row since the last scan that found nothing
    while True:
        for call in streams:
            if call not in held and (item := ask(call)) is not None:
                held[call] = item
        if not held:
            if scans is not None:
                if all(places[call] > len(streams[call]) for call in streams):
                    return out  # every call read to its end
                scans.append(None)
                continue
            # a scan that finds nothing ends a batch of rows; 1.x's executor scans again,
            # and a second such scan in a row (or one before any row) ends the read
            if not rows or once:
                return out
            rows = False
            continue
        rows = True
        keys = [(p.series, p.time) for p in held.values()]
        at, time = max(keys) if plan.descending else min(keys)
        if out and out[-1][0] != at:
            last = {}
        values: list[Any] = [None] * len(plan.prims)
        for call in streams:
            point = held.pop(call, None) or ask(call)
            if point is not None and (point.series, point.time) == (at, time):
                values[call] = point.value
            else:
                if point is not None:
                    held[call] = point
                values[call] = default(at, call, last.get(call))
            last[call] = values[call]
        if scans is not None:
            scans.append(len(out))
        out.append((at, time, values))
