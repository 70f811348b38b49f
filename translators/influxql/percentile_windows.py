"""Where 1.x's cursor stops reading because percentile() windows select no point.

1.x reduces a percentile() window by window (series by series, in read order) and answers no
point at all for a window whose rank falls outside its points (a low rank over a few points):
its iterator returns nil there. A cursor scan where every call returns nil ends a batch of
rows; 1.x's statement executor scans again, and only a second such scan in a row (or one
before any row) ends the read (`_scan`). A fill iterator in between (any fill but none; a
subquery's fill(null) is none) fills such windows, so there only the cursor's first peek can
find nothing; fill(linear) reads the nils itself (`nil_windows`, `fill.fill_rows`). Only
percentile() can select nothing from a window holding points, so the rule applies when every
call is one."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

from . import ast
from . import functions as fn
from .select_plan import SelectPlan

Rows = Sequence[tuple[int | None, list[Any]]]  # one series' buckets: (time, prim values)


def read_rows(plan: SelectPlan, groups: Sequence[Rows],
              keys: Sequence[Hashable] | None = None) -> list[set[int]] | None:
    """Per series (in the answer's order of `groups`), the positions of the buckets 1.x's
    cursor emits, or None when it reads them all. `keys`: each series' window key, when
    windows span several series. A subquery's reduce iterator windows by its parent's GROUP
    BY tags (1.x hands them down) and time, reducing each of its own groups inside: such a
    window selects nothing only when none of its series selects."""
    calls = [(i, p) for i, p in enumerate(plan.prims) if p.func is not None]
    if not calls or any(p.func != "percentile" for _, p in calls):
        return None
    order = _windows(plan, groups, keys)
    # each call's windows in read order (a bucket where its input has points), and whether
    # the window selects a point
    windows = [[(place, any(_selects(groups[g][r][1][index], prim.args) for g, r in members))
                for place, members in enumerate(order)
                if any(present(groups[g][r][1][index]) for g, r in members)]
               for index, prim in calls]
    if plan.fill is not ast.FillOption.NONE:
        # the fill iterator's first peek: nothing in any call's first window ends it all
        if any(w and w[0][1] for w in windows):
            return None
        return [set() for _ in groups]
    emitted = _scan(windows)
    kept: list[set[int]] = [set() for _ in groups]
    for place in emitted:
        for g, r in order[place]:
            if any(_selects(groups[g][r][1][index], prim.args) for index, prim in calls):
                kept[g].add(r)
    return kept


def _scan(windows: list[list[tuple[int, bool]]]) -> set[int]:
    """The places 1.x's cursor emits rows at, reading each call's windows (a point where it
    selects, else nil) as its scanners do: a row peeks every call (a nil is used up), takes
    the earliest point, and reads every call at it (one without a point read ahead reads
    its next window there, a nil used up too, a later point put back). A scan where every
    peek finds nil ends the row batch; 1.x's statement executor asks again, and only a
    second such scan in a row (or one before any row) ends the read."""
    heads = [0] * len(windows)
    held: list[int | None] = [None] * len(windows)

    def read(call: int) -> int | None:
        if heads[call] >= len(windows[call]):
            return None
        place, selects = windows[call][heads[call]]
        heads[call] += 1
        return place if selects else None

    emitted: set[int] = set()
    rows = False  # a row since the last scan that found nothing
    while True:
        held = [read(call) if h is None else h for call, h in enumerate(held)]
        if all(h is None for h in held):
            if not rows:
                return emitted
            rows = False
            continue
        step = min(h for h in held if h is not None)
        emitted.add(step)
        rows = True
        for call, h in enumerate(held):
            point = h if h is not None else read(call)
            held[call] = point if point is not None and point != step else None


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


def _selects(points: list[dict[str, Any]], args: Sequence[Any]) -> bool:
    present = [p for p in points if p["v"] is not None]
    rank = float(args[0]) if args else 50.0
    return fn.percentile(present, rank, lambda: present) is not None
