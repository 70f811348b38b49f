"""Per bucket, the values of a series' aggregates: struct and list results resolved to a value
(and a selector's time and companions), the functions that need a bucket's points (top,
bottom, sample, distinct, percentile, mode, an integer mean) applied to them in 1.x's read
order, and each integral() computed in one walk over the group's points."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from . import functions as fn
from . import integral as area
from . import topread
from .errors import QueryError
from .fill import bucket_of
from .int64 import wrapped_mean
from .readorder import merge_series
from .results import series_key
from .select_plan import SelectPlan
from .series_rows import SeriesRows, schema_of
from .storage import READ_ORDER, needs_points


def compute(plan: SelectPlan, group: SeriesRows, lower: int, upper: int,
            rng: random.Random) -> tuple[list[tuple[int, list[Any]]],
                                         dict[int, list[tuple[int, float]]]]:
    """Each row's time and final prim values (struct and list results resolved), and apart
    from them the own rows of each integral() and of each sample() beside other calls, by
    prim index, in the order 1.x emits them."""
    rows = group.rows
    if not plan.aggregate:
        return rows, {}  # type: ignore[return-value]
    orders = {i: _ReadOrder(plan, group, i) for i, p in enumerate(plan.prims)
              if p.func in READ_ORDER or p.func in ("top", "bottom")}
    out: list[tuple[int, list[Any]]] = []
    default_time = lower if plan.time_range.lower is not None else 0
    multi = next((i for i, p in enumerate(plan.prims) if p.func in fn.MULTI_ROW), None)
    integrals = _integrals(plan, rows, orders, lower, upper)
    if multi is not None and beside_others(plan):
        # 1.x joins sample()'s points, at their own times, to the other calls' buckets
        integrals.update(_apart_points(plan, rows, rng))
        multi = None
    kept = (topread.kept_points(plan, _ReadOrder(plan, group, multi).runs())
            if multi is not None and topread.reads_limited(plan, plan.prims[multi]) else None)
    # rows of the other functions; the rows apart (integral()'s) are joined to them below
    others = any(p.func not in (None, "integral") and i not in integrals
                 for i, p in enumerate(plan.prims))
    for bucket, values in rows if others or not integrals else []:
        time = bucket if bucket is not None else default_time
        if multi is not None:
            points = values[multi] or []
            if kept is not None:
                points = [p for p in points if id(p) in kept]
            out.extend(_multi_rows(plan, multi, points, time, rng,
                                   _bucket_reads(orders.get(multi), bucket, kept),
                                   _tag_keys(plan, group.name)))
            continue
        resolved: list[Any] = []
        selected: int | None = None
        aux: dict[int, Any] = {}
        for index, (prim, value) in enumerate(zip(plan.prims, values, strict=True)):
            if prim.func is None or index in integrals:
                resolved.append(None)
                continue
            if needs_points(plan, prim):
                order = orders.get(index)
                point, aux_values = _from_points(
                    prim, value or [], lambda o=order, b=bucket: o.points(b) if o else [])
                aux.update(aux_values)
            elif prim.func in ("first", "last") or (
                    prim.func in ("min", "max") and plan.selector):
                point = _from_struct(prim.func, value)
                aux.update(_companions(value))
            else:
                point = (None, value)
            if point is not None and point[0] is not None:
                selected = point[0]
            resolved.append(point[1] if point is not None else None)
        for position, companion in aux.items():
            resolved[position] = companion
        if plan.selector_time and selected is not None:
            time = selected
        out.append((time, resolved))
    return out, integrals


def beside_others(plan: SelectPlan) -> bool:
    """Whether a multi-row call stands beside another call (only sample() may: 1.x refuses
    top(), bottom() and distinct() beside other functions), so that each call's points are
    its own iterator's, joined by time as 1.x's cursor joins them."""
    calls = [p for p in plan.prims if p.func is not None]
    return len(calls) > 1 and any(p.func in fn.MULTI_ROW for p in calls)


def _apart_points(plan: SelectPlan, rows: list[tuple[int | None, list[Any]]],
                  rng: random.Random) -> dict[int, list[tuple[int, Any]]]:
    """Each sample()'s points, by prim index, at their own times (even under GROUP BY time)
    and in 1.x's emission order: bucket after bucket (newest first under ORDER BY time
    DESC), each bucket's points ascending."""
    out: dict[int, list[tuple[int, Any]]] = {}
    buckets = rows[::-1] if plan.descending else rows
    for index, prim in enumerate(plan.prims):
        if prim.func not in fn.MULTI_ROW:
            continue
        size = int(prim.args[0]) if prim.args else 0
        points = out.setdefault(index, [])
        for _, values in buckets:
            held = values[index] or []
            chosen = held if len(held) <= size else rng.sample(held, size)
            points.extend((p["t"], p["v"]) for p in sorted(chosen, key=_sampled_order))
    return out


def _integrals(plan: SelectPlan, rows: list[tuple[int | None, list[Any]]],
               orders: dict[int, _ReadOrder], lower: int,
               upper: int) -> dict[int, list[tuple[int, float]]]:
    """Each integral()'s rows, by prim index: 1.x computes it in one walk over the group's
    points (its series merged in 1.x's read order), window after window (`integral.py`)."""
    out = {}
    interval = plan.interval

    def bucket(time: int) -> tuple[int, int]:
        start = bucket_of(plan, time)
        return start, start + (interval or 0)

    for index, prim in enumerate(plan.prims):
        if prim.func == "integral":
            unit = int(prim.args[0]) if prim.args else 1_000_000_000
            order = orders[index]
            # 1.x walks the series newest first under DESC, merged newest first (`_ReadOrder`)
            points = [(p["t"], p["v"]) for key, _ in (rows[::-1] if plan.descending else rows)
                      for p in order.points(key)]
            out[index] = area.areas(points, unit, bucket=bucket if interval else None,
                                    lower=lower, upper=upper, descending=plan.descending)
    return out


def _bucket_reads(order: _ReadOrder | None, bucket: int | None,
                  kept: set[int] | None) -> Callable[[], list[dict[str, Any]]]:
    """A bucket's points of one prim in 1.x's read order, as far as `kept` lets them in."""
    def read() -> list[dict[str, Any]]:
        points = order.points(bucket) if order is not None else []
        return [p for p in points if kept is None or id(p) in kept]
    return read


def _tag_keys(plan: SelectPlan, name: str) -> list[str]:
    """The measurement's tag keys in the order of a point's series values (its `s`)."""
    schema = schema_of(plan, name)
    return sorted(schema.tags) if schema is not None else []


def _multi_rows(plan: SelectPlan, index: int, points: list[dict[str, Any]], time: int,
                rng: random.Random, read_order: Callable[[], list[dict[str, Any]]],
                tag_keys: list[str]) -> list[tuple[int, list[Any]]]:
    """The rows of top, bottom, sample or distinct for one bucket, companions included."""
    prim = plan.prims[index]
    func = prim.func
    if func == "distinct":
        # 1.x keeps each value's first point in its read order (the newest under DESC) and
        # answers them sorted by that point's time, then by value
        held: dict[Any, int] = {}
        for point in points:
            value, at = point["v"], point["t"]
            if value not in held or (at > held[value] if plan.descending else at < held[value]):
                held[value] = at
        width = len(plan.prims)
        return [(time, [v if i == index else None for i in range(width)])
                for v in sorted(held, key=lambda v: (held[v], v))]
    if func == "sample":
        size = int(prim.args[0]) if prim.args else 0
        chosen = sorted(points if len(points) <= size else rng.sample(points, size),
                        key=_sampled_order)
    else:
        chosen = _top(plan, prim, points, read_order, tag_keys)
    out = []
    for point in chosen:
        values = [None] * len(plan.prims)
        values[index] = point["v"]
        for key, value in point.items():
            if key[0] == "a":
                values[int(key[1:])] = value
        out.append((point["t"] if plan.selector_time else time, values))
    return out


def _sampled_order(point: dict[str, Any]) -> tuple[int, Any]:
    """The order 1.x's sample() answers its points in: by time, then by value (its points'
    sort; false before true), so points of several series at one time come value first."""
    return point["t"], point["v"]


def _top(plan: SelectPlan, prim: Any, points: list[dict[str, Any]],
         read_order: Callable[[], list[dict[str, Any]]],
         tag_keys: list[str]) -> list[dict[str, Any]]:
    """top/bottom: the N largest (smallest) values, one per tag combination when tags are
    given, as 1.x's reducer picks and orders them (`functions.top_reduce`); answered in time
    order. With tags, 1.x first selects each combination's max (min), earliest point first,
    and hands them on by time, then by tag values, oldest first under ORDER BY time DESC too.
    A combination is one of the series' tag values (over a subquery its rows' tags, never a
    field of the name the columns show)."""
    count = int(prim.args[-1])
    sign = -1 if prim.func == "top" else 1
    tags = [t.name for t in prim.args[:-1]]
    if not tags:
        candidates = read_order() if len(points) > 1 else points
    else:
        places = [tag_keys.index(t) if t in tag_keys else None for t in sorted(tags)]
        best: dict[tuple[Any, ...], dict[str, Any]] = {}
        for point in points:
            key = tuple("" if at is None else point["s"][at] for at in places)
            held = best.get(key)
            if held is None or sign * point["v"] < sign * held["v"]:
                best[key] = point
        candidates = [best[key] for key in sorted(best, key=lambda k: (best[k]["t"], k))]
    chosen = fn.top_reduce(candidates, count, largest=prim.func == "top")
    return sorted(chosen, key=lambda p: p["t"])


def _from_struct(func: str, value: dict[str, Any] | None) -> tuple[int, Any] | None:
    if value is None:
        return None
    return value["t"], value["v"]


def _companions(point: dict[str, Any] | None) -> dict[int, Any]:
    """The values read beside a selected point, by prim index (its `a<i>` keys)."""
    if point is None:
        return {}
    return {int(k[1:]): v for k, v in point.items() if k.startswith("a")}


def _from_points(prim: Any, points: list[dict[str, Any]],
                 read_order: Callable[[], list[dict[str, Any]]]
                 ) -> tuple[tuple[int | None, Any] | None, dict[int, Any]]:
    func = prim.func
    if func == "percentile":
        chosen = fn.percentile(points, float(prim.args[0]) if prim.args else 50.0, read_order)
        if chosen is None:
            return None, {}
        return (chosen["t"], chosen["v"]), _companions(chosen)
    if func == "mode":
        found = fn.mode(points, read_order)
        return ((None, found) if found is not None else None), {}
    if func == "mean":  # an integer mean whose partial sums may wrap
        return (None, wrapped_mean(points)), {}
    raise QueryError(f"{func}() is not supported yet by influx-gateway")


class _ReadOrder:
    """One prim's points over a group's buckets in the order 1.x reads them, merged once and
    only when a tie asks for it. Under ORDER BY time DESC they are merged newest first
    (`readorder.merge_series`), each bucket's points in that order."""

    def __init__(self, plan: SelectPlan, group: SeriesRows, index: int) -> None:
        self.plan, self.group, self.index = plan, group, index
        self.by_bucket: dict[int | None, list[dict[str, Any]]] | None = None

    def points(self, bucket: int | None) -> list[dict[str, Any]]:
        if self.by_bucket is None:
            self.by_bucket = self._merge()
        return self.by_bucket.get(bucket, [])

    def runs(self) -> list[list[dict[str, Any]]]:
        """The prim's points of each series of the group, in time order and series-key
        order."""
        schema = schema_of(self.plan, self.group.name)
        tags = sorted(schema.tags) if schema is not None else []
        runs: dict[str, list[dict[str, Any]]] = {}
        for _, values in self.group.rows:
            for point in values[self.index] or []:
                # a measurement without tags (a subquery's) still orders by one value, ""
                key = series_key(self.group.name, tags, tuple(point["s"][:len(tags)]))
                runs.setdefault(key, []).append(point)
        return [runs[key] for key in sorted(runs)]

    def _merge(self) -> dict[int | None, list[dict[str, Any]]]:
        merged: dict[int | None, list[dict[str, Any]]] = {}
        points = [p for _, values in self.group.rows for p in values[self.index] or []]
        if points and "q" in points[0]:
            # a subquery's rows: in the order its cursor emitted them (`storage.py`), read
            # from the last under ORDER BY time DESC, where they were turned ascending
            ordered = sorted(points, key=lambda p: p["q"], reverse=self.plan.descending)
        else:
            ordered = merge_series(self.runs(), self.plan.descending)
        for point in ordered:
            bucket = bucket_of(self.plan, point["t"]) if self.plan.interval is not None else None
            merged.setdefault(bucket, []).append(point)
        return merged
