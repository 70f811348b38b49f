"""The storage query's rows grouped into series: one `SeriesRows` per measurement and GROUP BY
tag set (or, for a raw subquery reading subqueries, per run of rows with the same tags),
each with its rows' times and prim values, and the raw rows' series keys and FROM mentions
when transformations read them apart."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .schema import MeasurementSchema
from .select_plan import SelectPlan, stream_keys
from .sqlnames import COUNTED, INPUT, SERIES, TIME, dim_name, prim_name


@dataclass(slots=True)
class SeriesRows:
    name: str
    tags: tuple[tuple[str, str], ...]
    rows: list[tuple[int | None, list[Any]]]  # (time, prim values)
    absent_counts: frozenset[int] = frozenset()  # fill.absent_counts of its measurement
    series: list[Any] | None = None  # each raw row's series key, when transformations read it
    inputs: list[int] | None = None  # each raw row's FROM mention, when FROM names several


def group_rows(plan: SelectPlan, name: str, dimensions: list[str],
               columns: dict[str, list[Any]],
               absent_counts: frozenset[int] = frozenset()) -> list[SeriesRows]:
    if stream_keys(plan) is not None:  # a raw subquery reading subqueries: series as they come
        return _segments(plan, name, dimensions, columns, absent_counts)
    times = columns[TIME]
    fixed, dims = _split_dims(columns, len(dimensions))
    prims = [columns[prim_name(i)] for i in range(len(plan.prims))]
    counts = columns.get(COUNTED)
    keys = columns.get(SERIES) if not plan.aggregate else None
    mentions = columns.get(INPUT) if not plan.aggregate else None
    groups: dict[tuple[str, ...], list[tuple[int | None, list[Any]]]] = {}
    series: dict[tuple[str, ...], list[Any]] = {}
    inputs: dict[tuple[str, ...], list[int]] = {}
    for row in range(len(times)):
        if counts is not None and not counts[row]:
            continue
        key = tuple((d[row] or "") for d in dims)
        groups.setdefault(key, []).append((times[row], [p[row] for p in prims]))
        if keys is not None:
            series.setdefault(key, []).append(keys[row])
        if mentions is not None:
            inputs.setdefault(key, []).append(mentions[row])
    out = []
    for key in sorted(groups):  # the fixed tags are the same in every key: order is kept
        rows = groups[key]
        if plan.aggregate:
            rows.sort(key=lambda r: r[0] if r[0] is not None else 0)
        tags = tuple(zip(dimensions, _whole_key(key, fixed), strict=True))
        out.append(SeriesRows(name, tags, rows, absent_counts, series.get(key),
                              inputs.get(key)))
    return out


def _split_dims(columns: dict[str, list[Any]], count: int
                ) -> tuple[dict[int, str], list[list[Any]]]:
    """The GROUP BY tag columns holding one value in every row (by position: that value),
    and the others: a row's key is built from those others only, so that thousands of tags
    a measurement lacks (all null) cost one pass each, not one step per row."""
    fixed: dict[int, str] = {}
    varying = []
    for i in range(count):
        values = columns[dim_name(i)]
        first = values[0] if values else None
        if values.count(first) == len(values):
            fixed[i] = first or ""
        else:
            varying.append(values)
    return fixed, varying


def _whole_key(key: tuple[str, ...], fixed: dict[int, str]) -> tuple[str, ...]:
    """A key of the varying tags with the fixed ones put back in their places."""
    if not fixed:
        return key
    rest = iter(key)
    return tuple(fixed[i] if i in fixed else next(rest) for i in range(len(key) + len(fixed)))


def _segments(plan: SelectPlan, name: str, dimensions: list[str],
              columns: dict[str, list[Any]], absent_counts: frozenset[int]) -> list[SeriesRows]:
    """The rows in the order they came (read from the end under ORDER BY time DESC, within
    each group of the outermost's GROUP BY), a series ending wherever the tags change."""
    keyed = stream_keys(plan) or frozenset()
    fixed, dims = _split_dims(columns, len(dimensions))
    prims = [columns[prim_name(i)] for i in range(len(plan.prims))]
    times = columns[TIME]
    out: list[tuple[tuple[str, ...], SeriesRows]] = []
    current: tuple[str, ...] | None = None
    for row in range(len(times) - 1, -1, -1) if plan.descending else range(len(times)):
        key = tuple((d[row] or "") for d in dims)
        if key != current:
            current = key
            whole = _whole_key(key, fixed)
            paged = tuple(k for k, d in zip(whole, dimensions, strict=True) if d in keyed)
            out.append((paged, SeriesRows(name, tuple(zip(dimensions, whole, strict=True)),
                                          [], absent_counts)))
        out[-1][1].rows.append((times[row], [p[row] for p in prims]))
    if plan.descending:  # (shape takes each series' rows in time order)
        for _, series in out:
            series.rows.reverse()
        out.sort(key=lambda segment: segment[0])
    return [series for _, series in out]


def schema_of(plan: SelectPlan, name: str) -> MeasurementSchema | None:
    """The schema of a measurement the plan reads, by name."""
    return next((s.schema for s in plan.sources if s.schema.name == name), None)
