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
    dims = [columns[dim_name(i)] for i in range(len(dimensions))]
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
    for key in sorted(groups):
        rows = groups[key]
        if plan.aggregate:
            rows.sort(key=lambda r: r[0] if r[0] is not None else 0)
        out.append(SeriesRows(name, tuple(zip(dimensions, key, strict=True)), rows,
                              absent_counts, series.get(key), inputs.get(key)))
    return out


def _segments(plan: SelectPlan, name: str, dimensions: list[str],
              columns: dict[str, list[Any]], absent_counts: frozenset[int]) -> list[SeriesRows]:
    """The rows in the order they came (read from the end under ORDER BY time DESC, within
    each group of the outermost's GROUP BY), a series ending wherever the tags change."""
    keyed = stream_keys(plan) or frozenset()
    dims = [columns[dim_name(i)] for i in range(len(dimensions))]
    prims = [columns[prim_name(i)] for i in range(len(plan.prims))]
    times = columns[TIME]
    out: list[tuple[tuple[str, ...], SeriesRows]] = []
    current: tuple[str, ...] | None = None
    for row in range(len(times) - 1, -1, -1) if plan.descending else range(len(times)):
        key = tuple((d[row] or "") for d in dims)
        if key != current:
            current = key
            paged = tuple(k for k, d in zip(key, dimensions, strict=True) if d in keyed)
            out.append((paged, SeriesRows(name, tuple(zip(dimensions, key, strict=True)), [],
                                          absent_counts)))
        out[-1][1].rows.append((times[row], [p[row] for p in prims]))
    if plan.descending:  # (shape takes each series' rows in time order)
        for _, series in out:
            series.rows.reverse()
        out.sort(key=lambda segment: segment[0])
    return [series for _, series in out]


def schema_of(plan: SelectPlan, name: str) -> MeasurementSchema | None:
    """The schema of a measurement the plan reads, by name."""
    return next((s.schema for s in plan.sources if s.schema.name == name), None)
