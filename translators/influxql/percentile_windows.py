"""Where 1.x's cursor stops reading because percentile() windows select no point.

1.x reduces a percentile() window by window (series by series, in read order) and answers no
point at all for a window whose rank falls outside its points (a low rank over a few points):
its iterator returns nil there. A cursor scan where every call returns nil ends a batch of
rows; 1.x's statement executor scans again, and only a second such scan in a row (or one
before any row) ends the read (`_scan`). A fill iterator in between (any fill but none; a
subquery's fill(null) is none) fills such windows inside a series, so here only the cursor's
first peek is answered; past a series' end its nils reach the cursor (`late_fill.py`), and
fill(linear) reads them itself (`nil_windows`, `fill.fill_rows`). Only
percentile() can select nothing from a window holding points, so the rule applies when every
call is one."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from typing import Any, TypeVar

from . import ast
from . import functions as fn
from .select_plan import Prim, SelectPlan, transforms_in
from .series_rows import SeriesRows

Rows = Sequence[tuple[int | None, list[Any]]]  # one series' buckets: (time, prim values)
T = TypeVar("T")


def read_rows(plan: SelectPlan, groups: Sequence[Rows],
              keys: Sequence[Hashable] | None = None,
              end: int | None = None
              ) -> tuple[list[set[int]], list[set[int]], list[dict[int, int]]] | None:
    """Per series (in the answer's order of `groups`), the positions of the buckets 1.x's
    cursor emits, or None when it reads them all; and of those, the ones after which a scan
    finds nothing and ends a batch of rows (which 1.x's emitter answers as a result of its
    own, `Series.breaks`; known only without `keys`); and, when a batch ends inside the
    read, each emitted bucket's batch number, counted across the series (`Series.batches`).
    `keys`: each series' window key, when
    windows span several series. A subquery's reduce iterator windows by its parent's GROUP
    BY tags (1.x hands them down) and time, reducing each of its own groups inside: such a
    window selects nothing only when none of its series selects. `end`: the last bucket."""
    calls = [(i, p) for i, p in enumerate(plan.prims) if p.func is not None]
    if not calls or any(p.func != "percentile" for _, p in calls) or plan.beside_transforms:
        return None
    order = _windows(plan, groups, keys)

    def selecting(call: int, first: bool = False) -> list[tuple[int, bool]]:
        """A call's windows in read order (a bucket where its input has points; `first`:
        the first only), each with whether it selects a point (a percentile's sort, so
        done only for the windows read)."""
        index, prim = calls[call]
        places = (place for place, members in enumerate(order)
                  if any(present(groups[g][r][1][index]) for g, r in members))
        return [(place, any(_selects(groups[g][r][1][index], prim.args)
                            for g, r in order[place]))
                for place in (itertools.islice(places, 1) if first else places)]

    if plan.fill is not ast.FillOption.NONE:
        # the fill iterator's first peek: nothing in any call's first window ends it all
        if not any(window[1] for call in range(len(calls))
                   for window in selecting(call, first=True)):
            return [set() for _ in groups], [set() for _ in groups], [{} for _ in groups]
        if not (plan.read_once and len(calls) == 1 and end is not None
                and plan.interval is not None and not plan.descending
                and plan.fill is not ast.FillOption.LINEAR):
            return None
        cut = _filled_cut(selecting(0), [keys[members[0][0]] if keys else members[0][0]
                                         for members in order],
                          [groups[g][r][0] for g, r in (members[0] for members in order)],
                          end, plan.interval)
        if cut is None:
            return None
        return ([{r for r, _ in enumerate(rows)} if first < cut else set()
                 for rows, first in zip(groups, _first_places(order, len(groups)),
                                              strict=True)], [set() for _ in groups],
                [{} for _ in groups])
    windows = [selecting(call) for call in range(len(calls))]
    if plan.reduce_layers:  # the parent reduces them (`subquery_batches.py`)
        found = after_nils(_scans(windows))
        emitted, ended = {place for window in found for place in window}, set()
    else:
        emitted, ended = _scan(windows, once=plan.read_once)
        found = _batches(sorted(emitted), ended) if ended else []
    kept: list[set[int]] = [set() for _ in groups]
    for place in emitted:
        for g, r in order[place]:
            if any(_selects(groups[g][r][1][index], prim.args) for index, prim in calls):
                kept[g].add(r)
    ends: list[set[int]] = [set() for _ in groups]
    for place in ended if keys is None else ():
        for g, r in order[place]:
            ends[g].add(r)
    batches: list[dict[int, int]] = [{} for _ in groups]
    for number, window in enumerate(found if len(found) > 1 else ()):
        for place in window:
            for g, r in order[place]:
                batches[g][r] = number
    return kept, ends, batches


def kept_rows(plan: SelectPlan, groups: Sequence[SeriesRows], kept: list[set[int]],
              ends: list[set[int]], batches: list[dict[int, int]]
              ) -> tuple[list[SeriesRows], dict[int, tuple[int, ...]], dict[int, list[int]]]:
    """The series (`SeriesRows`) with only the rows `read_rows` keeps, those left with any;
    and by their ids their `Series.breaks`: after how many rows, in the answer's order, a
    batch ends, and their `Series.batches`, each kept row's batch number in the answer's
    order (neither where LIMIT, OFFSET, SLIMIT or SOFFSET cut what the cursor read)."""
    out: list[SeriesRows] = []
    breaks: dict[int, tuple[int, ...]] = {}
    numbers: dict[int, list[int]] = {}
    cut = plan.rows_end is not None or bool(plan.slimit or plan.soffset)
    for group, rows, found, batch in zip(groups, kept, ends, batches, strict=True):
        if not rows:
            continue
        out.append(dataclasses.replace(
            group, rows=[r for i, r in enumerate(group.rows) if i in rows]))
        ordered = sorted(rows, reverse=plan.descending)
        if found and not cut:
            # each row's place in the answer's order, looked up once per batch end
            place = {r: at for at, r in enumerate(ordered)}
            breaks[id(out[-1])] = tuple(sorted(place[r] + 1 for r in found if r in rows))
        if batch and not cut:
            numbers[id(out[-1])] = [batch[r] for r in ordered]
    return out, breaks, numbers


def cursor_rows(plan: SelectPlan, groups: Sequence[Rows], keys: Sequence[Hashable] | None
                ) -> tuple[list[tuple[int, int, list[Any]]], list[int] | None] | None:
    """A subquery's rows as 1.x's cursor emits them when its windows span several series
    (`keys`), a percentile() among its calls, without a fill iterator: (series position,
    time, prim values) in emission order, and each row's batch number when a parent's
    reducers (`reduced`) or a raw parent (`_between_nils`) read them in several; None when
    that order is the usual one (by time, then series, one row per bucket and series). Each
    call answers its windows in time order, a window's series in order (a percentile() a
    nil for a window where no series selects); the cursor takes the least (series, time) of
    the calls' next points, so a call whose next point is a later window's of an earlier
    series answers a row of its own, back in time (under DESC: windows newest first, the
    greatest taken)."""
    if (keys is None or plan.fill is not ast.FillOption.NONE or not plan.prims
            or not any(p.func == "percentile" for p in plan.prims)
            or any(p.func in _OWN_ROWS for p in plan.prims)
            or any(transforms_in(node) for node in plan.outputs)):
        return None
    from .late_fill import Point, _walk  # late_fill reads this module's windows

    order = _windows(plan, groups, keys)
    streams: dict[int, list[Point | None]] = {}
    for index, prim in enumerate(plan.prims):
        stream: list[Point | None] = []
        for members in order:
            picked = [(g, groups[g][r][0], _value(prim, groups[g][r][1][index]))
                      for g, r in sorted(members)]
            if any(value is _STRUCTURED for _, _, value in picked):
                return None  # a value this walk does not resolve (a selector's point...)
            if all(value is _ABSENT for _, _, value in picked):
                continue  # no points: the reduce iterator has no window here
            points = [Point(g, time or 0, value) for g, time, value in picked
                      if value is not _ABSENT and value is not _NOTHING]
            stream.extend(points or [None])
        streams[index] = stream
    scans: list[int | None] | None = (
        [] if plan.reduce_layers or plan.batched_read else None)
    rows = _walk(plan, streams, lambda at, call, last: None, once=plan.read_once, scans=scans)
    numbers: list[int] | None = None
    if scans is not None:
        found = after_nils(scans) if plan.reduce_layers else _between_nils(scans)
        batch_of = {i: number for number, window in enumerate(found) for i in window}
        kept = sorted(batch_of)
        rows = [rows[i] for i in kept]
        numbers = [batch_of[i] for i in kept] if len(found) > 1 else None
    # the usual order: by bucket (newest first under DESC), then series
    keys_in_order = [(-time if plan.descending else time, at) for at, time, _ in rows]
    if all(a < b for a, b in zip(keys_in_order, keys_in_order[1:], strict=False)):
        return None
    return rows, numbers


# Calls whose rows are not one value per bucket and series
_OWN_ROWS = fn.MULTI_ROW | {None, "integral"}
_ABSENT = object()  # no points in the bucket: no window for the call
_NOTHING = object()  # a window a percentile() selects no point of: a nil
_STRUCTURED = object()  # a point or points still to be resolved


def _value(prim: Prim, value: Any) -> Any:
    """What a call's reduce iterator answers for one series' bucket."""
    if prim.func == "percentile":
        if not present(value):
            return _ABSENT
        points = [p for p in value if p["v"] is not None]
        found = fn.percentile(points, float(prim.args[0]) if prim.args else 50.0,
                              lambda: points)
        return _NOTHING if found is None else found["v"]
    if isinstance(value, dict | list):
        return _STRUCTURED
    if value is None or prim.func == "count" and value == 0:
        return _ABSENT  # a count() of no points is no point
    return value


def _scan(windows: list[list[tuple[int, bool]]], once: bool = False
          ) -> tuple[set[int], set[int]]:
    """The places 1.x's cursor emits rows at (`_scans`). A scan where every peek finds nil
    ends the row batch; 1.x's statement executor asks again, and only a second such scan in
    a row (or one before any row) ends the read; with `once` (a parent's transformations
    reading, `SelectPlan.read_once`) the first one does. Also the places after which a
    batch ends and the read goes on (or ends)."""
    emitted: set[int] = set()
    ended: set[int] = set()
    rows = False  # a row since the last scan that found nothing
    step = -1
    for scanned in _scans(windows):
        if scanned is None:
            if not rows or once:
                return emitted, ended
            rows = False
            ended.add(step)
            continue
        step = scanned
        emitted.add(step)
        rows = True
    if rows and not once:
        ended.add(step)
    return emitted, ended


def _scans(windows: list[list[tuple[int, bool]]]) -> Iterator[int | None]:
    """What each scan of 1.x's cursor finds, to the end of every call's windows: a row's
    place, or None where every peek finds nil; found as asked for, so a reader that stops
    early (`_scan`) reads no further. It reads each call's windows (a point where
    it selects, else nil) as its scanners do: a row peeks every call (a nil is used up),
    takes the earliest point, and reads every call at it (one without a point read ahead
    reads its next window there, a nil used up too, a later point put back)."""
    heads = [0] * len(windows)
    held: list[int | None] = [None] * len(windows)

    def read(call: int) -> int | None:
        if heads[call] >= len(windows[call]):
            return None
        place, selects = windows[call][heads[call]]
        heads[call] += 1
        return place if selects else None

    while True:
        before = sum(heads)
        held = [read(call) if h is None else h for call, h in enumerate(held)]
        if all(h is None for h in held):
            if sum(heads) == before:  # every call read to its end
                return
            yield None
            continue
        step = min(h for h in held if h is not None)
        yield step
        for call, h in enumerate(held):
            point = h if h is not None else read(call)
            held[call] = point if point is not None and point != step else None


def _batches(emitted: list[int], ended: set[int]) -> list[list[int]]:
    """The emitted places cut after each place a batch ends at."""
    found: list[list[int]] = [[]]
    for place in emitted:
        found[-1].append(place)
        if place in ended:
            found.append([])
    return [batch for batch in found if batch]


def _between_nils(stream: Iterable[T | None]) -> list[list[T]]:
    """What 1.x's statement executor reads of a stream of rows and nils, in batches: a nil
    ends one, and only a second in a row (or one before any row) ends the read. A raw parent
    reads a subquery's cursor scans (`_scans`) so; a parent's reducers their windows
    (`reduced`)."""
    found: list[list[T]] = []
    rows = False  # a row since the last nil
    for item in stream:
        if item is None:
            if not rows:
                break
            rows = False
            continue
        if not rows:
            found.append([])
        found[-1].append(item)
        rows = True
    return found


def after_nils(scans: Iterable[int | None]) -> list[list[int]]:
    """Every row a subquery's cursor scans (`_scans`), by how many scans found nothing
    before it: a parent's reducers read them all, and the parent's condition filters them
    first (`subquery_batches.py` reduces them with `reduced`)."""
    found: list[list[int]] = [[]]
    for scanned in scans:
        if scanned is None:
            found.append([])
        else:
            found[-1].append(scanned)
    while len(found) > 1 and not found[-1]:
        found.pop()  # a nil after the last row closes what it closes, nothing more
    return found


def reduced(scans: Iterable[int | None], key_of: Callable[[int], Hashable], layers: int
            ) -> list[list[int]]:
    """The places a parent's reducers read a subquery's cursor scans into (`scans`,
    `_scans`), window by window (`SelectPlan.reduce_layers`). Each layer's reduce iterator
    opens a window at its input's next point (a nil read first makes its Next answer nil),
    and closes it at a point of another window (put back) or at a nil (used up); a second
    layer reduces the first one's windows so. 1.x's statement executor then reads the last
    layer: a nil ends the row batch and it asks again, and only a second nil in a row (or
    one before any row) ends the read."""
    stream: list[list[int] | None] = [None if s is None else [s] for s in scans]
    for _ in range(layers):
        out: list[list[int] | None] = []
        at = 0
        while at < len(stream):
            first = stream[at]
            at += 1
            if first is None:
                out.append(None)
                continue
            window, key = list(first), key_of(first[0])
            while at < len(stream):
                following = stream[at]
                if following is not None and key_of(following[0]) != key:
                    break
                at += 1
                if following is None:
                    break
                window.extend(following)
            out.append(window)
        stream = out
    return [window for batch in _between_nils(stream) for window in batch]


def filled_breaks(plan: SelectPlan, groups: Sequence[Rows], end: int | None) -> set[int]:
    """The series (positions in `groups`, read ascending) after whose last bucket a scan
    finds nothing and ends a batch of rows, under a fill iterator when the one call is a
    percentile(): filling the series' empty buckets after its last window, the fill
    iterator reads the next series' leading windows that select nothing, one each, and a
    nil left over reaches the cursor (a second one ends the read: `late_fill.py`)."""
    calls = [(i, p) for i, p in enumerate(plan.prims) if p.func is not None]
    if (len(calls) != 1 or calls[0][1].func != "percentile" or plan.descending
            or plan.fill is ast.FillOption.NONE or plan.interval is None or end is None
            or plan.paged_by is not None
            or plan.beside_transforms or plan.rows_end is not None
            or plan.slimit or plan.soffset):
        return set()
    index, prim = calls[0]
    windows = [[(time, _selects(values[index], prim.args)) for time, values in rows
                if time is not None and present(values[index])] for rows in groups]
    found: set[int] = set()
    for before, (mine, after) in enumerate(zip(windows, windows[1:], strict=False)):
        if not mine or not after:
            continue
        trailing = (end - mine[-1][0]) // plan.interval
        leading = next((i for i, (_, selects) in enumerate(after) if selects), len(after))
        if leading > trailing:
            found.add(before)
    return found


def _filled_cut(windows: list[tuple[int, bool]], key_of: list[Any], time_of: list[Any],
                end: int, interval: int) -> int | None:
    """Where a fill iterator read once ends (`SelectPlan.read_once`), as the first place of
    the series it never reaches, or None. Filling a series' empty buckets after its last
    window, 1.x's fill iterator reads the next series' windows, a nil (a window selecting
    nothing) used up by each; past the series' last bucket a nil left ends the read."""
    runs: list[list[tuple[int, bool]]] = []
    for place, selects in windows:
        if runs and key_of[runs[-1][0][0]] == key_of[place]:
            runs[-1].append((place, selects))
        else:
            runs.append([(place, selects)])
    for before, run in zip(runs, runs[1:], strict=False):
        trailing = (end - time_of[before[-1][0]]) // interval
        leading = next((i for i, (_, selects) in enumerate(run) if selects), len(run))
        if leading > trailing:
            return run[0][0]
    return None


def _first_places(order: list[list[tuple[int, int]]], count: int) -> list[int]:
    """Each series' first place in read order."""
    first = [len(order)] * count
    for place, members in enumerate(order):
        for g, _ in members:
            first[g] = min(first[g], place)
    return first


def _windows(plan: SelectPlan, groups: Sequence[Rows],
             keys: Sequence[Hashable] | None) -> list[list[tuple[int, int]]]:
    """The windows in read order, each as its rows (series position, row position): each
    series' buckets, or with `keys` each key's buckets over its series merged by time;
    newest first under DESC."""
    if keys is None:
        keys = range(len(groups))
    by_key: dict[Hashable, dict[int | None, list[tuple[int, int]]]] = {}
    for g, rows in enumerate(groups):
        buckets = by_key.setdefault(keys[g], {})
        for r, (time, _) in enumerate(rows):
            buckets.setdefault(time, []).append((g, r))
    order = []
    for key in sorted(by_key, reverse=plan.descending):  # type: ignore[type-var]
        buckets = by_key[key]
        times = sorted(buckets, key=lambda t: -1 << 64 if t is None else t)
        order.extend(buckets[t] for t in (reversed(times) if plan.descending else times))
    return order


def nil_windows(plan: SelectPlan, rows: Rows) -> dict[int, frozenset[int]]:
    """Per percentile() call, the buckets of a series where it holds points but selects
    none: its reduce iterator answers nil there, which a fill iterator reads in place of a
    point (`fill.fill_rows`)."""
    found = {}
    for index, prim in enumerate(plan.prims):
        if prim.func == "percentile":
            times = frozenset(t for t, values in rows if t is not None
                              and present(values[index])
                              and not _selects(values[index], prim.args))
            if times:
                found[index] = times
    return found


def present(points: list[dict[str, Any]] | None) -> bool:
    return any(p["v"] is not None for p in points or [])


def _selects(points: list[dict[str, Any]] | None, args: Sequence[Any]) -> bool:
    present = [p for p in points or [] if p["v"] is not None]
    rank = float(args[0]) if args else 50.0
    return fn.percentile(present, rank, lambda: present) is not None
