"""A subquery's rows in the batches 1.x's cursor answers them in, as a parent reads them.

A subquery's cursor answers a nil where every percentile() window selects nothing; its rows
come numbered by how many such nils came before each (`percentile_windows.after_nils`,
`Series.batches`). 1.x filters the rows with the parent's condition before its reduce
iterators read them (a filter iterator between, which hands a nil on), so a batch the
condition empties leaves two nils in a row: the reducers close their windows there
(`percentile_windows.reduced`), and the executor's rule (a second nil in a row, or one
before any row, ends the read) applies to what they answer (`reduce_batches`). Without such
nils, a fill()ed subquery's runs still come in several windows: a run's leading null stamped
before the parent's lower bound closes one (`range_windows`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyarrow as pa

from . import ast
from .percentile_windows import reduced
from .results import Series, SeriesKey, series_identity
from .shard_index import groups_by
from .timerange import split_condition, utc_offset_ns


def reduce_batches(answered: list[Series], statement: ast.SelectStatement, layers: int,
                   meeting: Callable[[], dict[int, pa.Array] | None],
                   names: frozenset[str], now: int) -> list[Series]:
    """The subquery's series with each row's batch number as the parent's `layers` reduce
    iterators read it (`Series.batches`), the rows they never read or the condition drops
    left out. `statement`: the parent, its dimensions expanded. `meeting()`: per series (by
    number), a mask of the rows the parent's condition keeps; None when it keeps all. A row
    null in every column the calls read (`names`) is a nil point to them, skipped before the
    window's checks, so another group's such row closes no window (1.x's reduce iterator)."""
    grouped = groups_by(statement.dimensions)
    kept = meeting()

    def key(series: Series) -> SeriesKey:
        # the window 1.x's reduce iterators read: measurement and the parent's GROUP BY tags
        return _group_key(series, grouped)

    # each row as (nils before it, its place in the emission order, series, row)
    rows: list[tuple[int, tuple[Any, ...], int, int]] = []
    for number, series in enumerate(answered):
        for at, batch in enumerate(series.batches or ()):
            place = ((series.order[at],) if series.order is not None
                     else (key(series), series.values[at][0], number))
            rows.append((batch, place, number, at))
    rows.sort()
    mask = {number: m.to_pylist() for number, m in kept.items()} if kept is not None else None
    stream: list[int | None] = []
    nils = 0
    read = [[i for i, c in enumerate(s.columns) if c in names] for s in answered]
    for index, (batch, _, number, at) in enumerate(rows):
        stream.extend([None] * (batch - nils))
        nils = batch
        values = answered[number].values[at]
        if (mask is None or mask[number][at]) and any(values[i] is not None
                                                      for i in read[number]):
            stream.append(index)
    window = window_of(statement, now)
    found = reduced(stream, lambda index: (
        key(answered[rows[index][2]]),
        window(answered[rows[index][2]].values[rows[index][3]][0])), layers)
    numbers: dict[tuple[int, int], int] = {}
    for batch, window in enumerate(found):
        for index in window:
            numbers[rows[index][2], rows[index][3]] = batch
    out = []
    for number, series in enumerate(answered):
        places = [at for at in range(series.row_count) if (number, at) in numbers]
        if not places:
            continue
        out.append(Series(series.name, series.columns, [series.values[at] for at in places],
                          series.tags, series.has_time, timezone=series.timezone,
                          order=None if series.order is None
                          else [series.order[at] for at in places],
                          batches=[numbers[number, at] for at in places]))
    return out


def range_windows(answered: list[Series], statement: ast.SelectStatement,
                  lower: int | None, names: frozenset[str]) -> list[Series]:
    """The subquery's series (its fill runs, in read order) with each row's batch number
    (`Series.batches`) as a parent's one reduce iterator (median(), spread()...) windows
    them without GROUP BY time: a window is the parent's range, opened at a point with a
    value (a null one is skipped) and closed by a point of another group or one outside the
    range, so a run's leading null stamped before the lower bound, read after a window
    opened, ends it (fuzz 368-793, 460-588). Unchanged where one window holds it all, or
    where the calls read several columns (`names`; each call reads its own)."""
    if lower is None or len(names) != 1:
        return answered
    name = next(iter(names))
    grouped = groups_by(statement.dimensions)
    opened: SeriesKey | None = None  # the open window's group
    numbers: list[list[int]] = []
    count = 0  # windows opened so far
    for series in answered:
        key = series.name, tuple((k, v) for k, v in sorted((series.tags or {}).items())
                                 if grouped(k))
        column = series.columns.index(name) if name in series.columns else None
        mine: list[int] = []
        for row in series.values:
            value = None if column is None else row[column]
            if opened is not None and row[0] < lower:
                opened = None  # a point out of the window's range closes it, a nil too
            if value is not None and opened != key:
                opened = key  # another group's point closes the window (a nil is skipped)
                count += 1
            # a nil while no window is open goes with the next one: it adds nothing
            mine.append(count if opened is not None else count + 1)
        numbers.append(mine)
    if count <= 1:
        return answered
    return [Series(s.name, s.columns, s.values, s.tags, s.has_time, timezone=s.timezone,
                   batches=mine) for s, mine in zip(answered, numbers, strict=True)]


#: A batch number's factor for its nil batch, its stretch (`emission_stretches`) added
STRIDE = 1 << 20


def emission_stretches(answered: list[Series], dimensions: tuple[ast.Dimension, ...],
                       descending: bool) -> list[Series] | None:
    """A subquery's series whose rows its cursor emitted back and forth between the parent's
    groups (`Series.order`), each row's batch number (`Series.batches`, the nils before it)
    times `STRIDE` plus its stretch of one group in that order: 1.x's raw parent answers
    each stretch as a series of its own (`descending`: the rows were turned ascending,
    their places negated, and are walked back). None where every group's rows come in one
    stretch."""
    grouped = groups_by(dimensions)

    def key(series: Series) -> SeriesKey:
        return _group_key(series, grouped)

    rows = sorted(((place, number, at) for number, series in enumerate(answered)
                   for at, place in enumerate(series.order or ())), reverse=descending)
    numbers: dict[tuple[int, int], int] = {}
    seen: set[SeriesKey] = set()
    last = None
    stretch = 0
    back = False  # a group met again after another's rows
    for _, number, at in rows:
        group = key(answered[number])
        if group != last:
            back = back or group in seen
            seen.add(group)
            stretch, last = stretch + 1, group
        nils = answered[number].batches[at] if answered[number].batches else 0
        numbers[number, at] = nils * STRIDE + stretch
    if not back or stretch >= STRIDE:
        return None
    return [Series(s.name, s.columns, s.values, s.tags, s.has_time, timezone=s.timezone,
                   order=s.order, batches=[numbers[n, at] for at in range(s.row_count)])
            for n, s in enumerate(answered)]


#: The hidden tag a subquery's rows carry their batch number in (`into_batches`): a name no tag
#: can have, a line protocol key never holding a newline, so a user's `__batch` stays theirs.
BATCH = "\nbatch"


def read_raw(found: list[Series], limit: int, offset: int,
              descending: bool, apart: bool = False) -> list[Series]:
    """A raw parent's series per batch (`into_batches`) joined back and paged as 1.x pages them.
    Its limit iterator counts each series' points as they come, batch after batch, and hands
    the subquery's nil between two batches on: the executor's rule then holds for what it
    lets through (a nil with no row since the one before, or before any row, ends the read).
    So an OFFSET that skips a whole batch ends the read there (`SELECT a FROM (SELECT
    percentile(x, 5) AS a ... GROUP BY time(2m)) OFFSET 1` over batches of one row answers
    nothing), and so does a batch the parent's condition empties (`WHERE a < 40`). Under
    ORDER BY time DESC the batches are numbered newest first, as the cursor emits them, and
    the series come in reverse order. `apart`: the batch numbers carry the cursor's stretches
    of one group each (`emission_stretches`), a series apiece."""
    batches: dict[int, list[tuple[int, Series]]] = {}
    for series in found:  # by name and tag set within a batch, as the cursor emitted them
        number = int((series.tags or {}).get(BATCH, "0"))
        nils, stretch = divmod(number, STRIDE) if apart else (number, 0)
        batches.setdefault(nils, []).append((stretch, series))
    joined: dict[SeriesKey, Series] = {}
    out: list[Series] = []
    counted: SeriesKey | None = None  # the limit's series
    points = 0
    for number in range(max(batches, default=-1) + 1):
        rows = False  # a row let through in this batch
        for _, series in sorted(batches.get(number, ()), key=lambda piece: piece[0]):
            tags = {k: v for k, v in (series.tags or {}).items() if k != BATCH} or None
            key = series_identity(series.name, tags)
            if key != counted:
                counted, points = key, 0
            kept = []
            for row in series.values:
                points += 1
                if points > offset and (not limit or points - offset <= limit):
                    kept.append(row)
            if not kept:
                continue
            rows = True
            if key in joined and (not apart or out[-1] is joined[key]):
                joined[key].values = joined[key].values + kept
            else:
                joined[key] = Series(series.name, series.columns, kept, tags,
                                     series.has_time, timezone=series.timezone)
                out.append(joined[key])
        if not rows:  # the nil after this batch finds no row since the one before
            break
    if apart:
        return out
    return [joined[key] for key in sorted(joined, reverse=descending)]


def into_batches(series: Series) -> list[Series]:
    """The series cut where the subquery's cursor ended a batch, each piece tagged with its
    batch number, so that the parent reduces each on its own (`join_batches` joins them)."""
    if not series.batches:
        return [series]
    pieces: dict[int, list[list[object]]] = {}
    places: dict[int, list[int]] = {}  # the rows' places in the emission order, if known
    for at, (number, row) in enumerate(zip(series.batches, series.values, strict=True)):
        pieces.setdefault(number, []).append(row)
        if series.order is not None:
            places.setdefault(number, []).append(series.order[at])
    return [Series(series.name, series.columns, rows,
                   {**(series.tags or {}), BATCH: f"{number:012d}"}, series.has_time,
                   timezone=series.timezone, order=places.get(number))
            for number, rows in sorted(pieces.items())]


def join_batches(found: list[Series], limit: int, offset: int) -> list[Series]:
    """The parent's series per batch joined back, batch after batch, without the tag, then
    cut by LIMIT and OFFSET."""
    joined: dict[SeriesKey, Series] = {}
    # by name and tag set: batch after batch (under ORDER BY time DESC they came last first)
    for series in sorted(found, key=lambda s: (s.tags or {}).get(BATCH, "")):
        tags = {k: v for k, v in (series.tags or {}).items() if k != BATCH} or None
        key = series_identity(series.name, tags)
        if key in joined:
            joined[key].values = joined[key].values + series.values
        else:
            joined[key] = Series(series.name, series.columns, list(series.values), tags,
                                 series.has_time, timezone=series.timezone)
    for series in joined.values():
        series.values = series.values[offset:offset + limit if limit else None]
    # by name and tag set, as without the tag (sorted before the others, it led the order)
    return [joined[key] for key in sorted(joined) if joined[key].values]


def _group_key(series: Series, grouped: Callable[[str], bool]) -> SeriesKey:
    """The series' measurement and those of its tags the parent groups by (`grouped`)."""
    return series_identity(series.name, {k: v for k, v in (series.tags or {}).items()
                                         if grouped(k)})


def window_of(statement: ast.SelectStatement, now: int) -> Callable[[int], int]:
    """A row's time bucket under the parent's GROUP BY time (0 for all without one): 1.x's
    reduce iterators close a window at a point of another bucket too."""
    grid = time_grid(statement, now)
    if grid is None:
        return lambda time: 0
    interval, offset = grid
    return lambda time: (time - offset) // interval


def time_grid(statement: ast.SelectStatement, now: int) -> tuple[int, int] | None:
    """The statement's GROUP BY time interval and the offset its buckets start at (None
    without one). Under tz() buckets are aligned to the zone's offset at the range's start,
    as the planner aligns them."""
    for dimension in statement.dimensions:
        call = dimension.expr
        if isinstance(call, ast.Call) and call.name == "time" and call.args and isinstance(
                call.args[0], ast.DurationLiteral) and call.args[0].nanoseconds > 0:
            interval = call.args[0].nanoseconds
            offset = call.args[1].nanoseconds if len(call.args) == 2 and isinstance(
                call.args[1], ast.DurationLiteral) else 0
            if statement.timezone:
                lower = split_condition(statement.condition, now, statement.timezone)[1].lower
                offset -= utc_offset_ns(statement.timezone, now if lower is None else lower)
            return interval, offset
    return None
