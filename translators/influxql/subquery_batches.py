"""The batches (windows) a parent's reducers read a subquery's rows in.

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
from .results import Series
from .shard_index import groups_by


def reduce_batches(answered: list[Series], statement: ast.SelectStatement, layers: int,
                   meeting: Callable[[], dict[int, pa.Array] | None]) -> list[Series]:
    """The subquery's series with each row's batch number as the parent's `layers` reduce
    iterators read it (`Series.batches`), the rows they never read or the condition drops
    left out. `statement`: the parent, its dimensions expanded. `meeting()`: per series (by
    number), a mask of the rows the parent's condition keeps; None when it keeps all. A row
    null in every column the calls read is a nil point to them, skipped before the window's
    checks, so another group's such row closes no window (1.x's reduce iterator)."""
    grouped = groups_by(statement.dimensions)
    names = _read_columns(statement)
    kept = meeting()

    def key(series: Series) -> tuple[str, tuple[tuple[str, str], ...]]:
        # the window 1.x's reduce iterators read: measurement and the parent's GROUP BY tags
        return series.name, tuple((k, v) for k, v in sorted((series.tags or {}).items())
                                  if grouped(k))

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
    found = reduced(stream, lambda index: key(answered[rows[index][2]]), layers)
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
                  lower: int | None) -> list[Series]:
    """The subquery's series (its fill runs, in read order) with each row's batch number
    (`Series.batches`) as a parent's one reduce iterator (median(), spread()...) windows
    them without GROUP BY time: a window is the parent's range, opened at a point with a
    value (a null one is skipped) and closed by a point of another group or one outside the
    range, so a run's leading null stamped before the lower bound, read after a window
    opened, ends it (fuzz 368-793, 460-588). Unchanged where one window holds it all, or
    where the calls read several columns (each call reads its own)."""
    names = _read_columns(statement)
    if lower is None or len(names) != 1:
        return answered
    name = next(iter(names))
    grouped = groups_by(statement.dimensions)
    opened: tuple[str, tuple[tuple[str, str], ...]] | None = None  # the open window's group
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


def _read_columns(statement: ast.SelectStatement) -> set[str]:
    """The names the statement's calls read."""
    return {v.name for item in statement.fields for c in ast.calls(item.expr)
            for v in ast.var_refs(c)}


#: A batch number's factor for its nil batch, its stretch (`emission_stretches`) added
STRIDE = 1 << 20


def emission_stretches(answered: list[Series], dimensions: tuple[ast.Dimension, ...]
                       ) -> list[Series] | None:
    """A subquery's series whose rows its cursor emitted back and forth between the parent's
    groups (`Series.order`), each row's batch number (`Series.batches`, the nils before it)
    times `STRIDE` plus its stretch of one group in that order: 1.x's raw parent answers
    each stretch as a series of its own. None where every group's rows come in one
    stretch."""
    grouped = groups_by(dimensions)

    def key(series: Series) -> tuple[str, tuple[tuple[str, str], ...]]:
        return series.name, tuple((k, v) for k, v in sorted((series.tags or {}).items())
                                  if grouped(k))

    rows = sorted((place, number, at) for number, series in enumerate(answered)
                  for at, place in enumerate(series.order or ()))
    numbers: dict[tuple[int, int], int] = {}
    seen: set[tuple[str, tuple[tuple[str, str], ...]]] = set()
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
