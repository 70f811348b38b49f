"""What 1.x's top() and bottom() read under LIMIT or OFFSET, and how fill() reaches their rows.

Without tag arguments 1.x builds top()'s input as a plain field read and hands it the
statement's LIMIT and OFFSET, which every other function has cleared: the storage engine then
stops each shard's read of a group (its series merged in time order, newest first under ORDER
BY time DESC) after OFFSET + LIMIT + 1 points, as its limit iterator leaves offsets to the
layer above and checks the count before reading. top() selects from those points only, bucket
by bucket; LIMIT and OFFSET then cut its rows as usual. So `top(x, 2) ... LIMIT 2` answers the
larger two of a group's first three points, not of the range.

1.x's fill never adds a bucket for the functions answering several rows, but it still runs
over their rows: a companion left null in one (a tag its tag set lacks) reads fill's number
as written or, under fill(previous), the value of the row before it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from . import ast
from .readorder import by_shard_group, heap_merge
from .select_plan import Prim, SelectPlan

Point = dict[str, Any]


def reads_limited(plan: SelectPlan, prim: Prim) -> bool:
    """Whether 1.x cuts this call's read (top/bottom with only a count, LIMIT or OFFSET):
    the storage engine's, so never a subquery's rows."""
    return prim.func in ("top", "bottom") and len(prim.args) == 1 \
        and bool(plan.limit or plan.offset) \
        and not plan.reads_subquery


def kept_points(plan: SelectPlan, runs: Sequence[Sequence[Point]]) -> set[int]:
    """The ids of the points 1.x reads, from a group's series (time-ordered runs in
    series-key order): per shard group, the first OFFSET + LIMIT + 1 of their merge."""
    count = plan.offset + plan.limit + 1
    kept: set[int] = set()
    for shard_runs in by_shard_group(runs).values():
        if plan.descending:  # 1.x reverses the tag set's series and reads newest first
            merged = heap_merge([run[::-1] for run in shard_runs[::-1]],
                                lambda x, y: bool(x["t"] > y["t"]), count)
        else:
            merged = heap_merge(shard_runs, lambda x, y: bool(x["t"] < y["t"]), count)
        kept.update(id(point) for point in merged)
    return kept


def fill_companions(plan: SelectPlan, rows: list[tuple[int, list[Any]]]
                    ) -> list[tuple[int, list[Any]]]:
    """The rows of top/bottom/sample/distinct (in the answer's order) with fill(<number>)
    or fill(previous) applied to their null companions, as 1.x's fill iterator does (and
    without GROUP BY time its cursor, whose default for a null aux value is the same)."""
    if plan.fill not in (ast.FillOption.NUMBER, ast.FillOption.PREVIOUS):
        return rows
    companions = [i for i, p in enumerate(plan.prims) if p.func is None]
    previous: dict[int, Any] = {}
    out = []
    for time, values in rows:
        values = list(values)
        for index in companions:
            if values[index] is None:
                values[index] = (plan.fill_value if plan.fill is ast.FillOption.NUMBER
                                 else previous.get(index))
            if values[index] is not None:
                previous[index] = values[index]
        out.append((time, values))
    return out
