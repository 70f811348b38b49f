"""A subquery's calls' fill runs joined a stretch of buckets at a time, with Arrow columns.

`subquery_fill.join_calls` walks 1.x's cursor a row at a time: of every call's next point
it takes the least by (series rank, time), the greatest under ORDER BY time DESC, joining
the calls whose next point is there. Each run is a series' every bucket from its first to
the range's end, so the walk goes in stretches: the calls at the least key stay together,
bucket after bucket, until one of their runs ends or another call's next point joins them.
`stretches` finds them from the runs' spans alone (a few per run: how many rows the join
answers is known before anything is filled); `joined_columns` then fills each run's column
(`run_fill.prim_column`) and answers each series' stretches as slices of those columns, a
call without a point there, or with a null one, reading the cursor's default
(`cursor.missing_value`: fill's number, or under fill(previous) its last value while the
series stays). Answers are `join_calls`'s; a column that would mix Python types is left to it
(None).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import pyarrow as pa
import pyarrow.compute as pc

from . import ast, cursor, run_fill
from .fill import own_start
from .select_plan import SelectPlan
from .subquery_fill import limit_rows

Rows = list[tuple[int, list[Any]]]
T = TypeVar("T")


@dataclasses.dataclass(frozen=True, slots=True)
class Stretch:
    """Rows the join answers for one series (`rank`): `count` buckets from bucket number
    `first` (counted from the range's start), ascending (descending under DESC), each
    joining the calls `parts`: (call, run number in the call's runs, offset in the run in
    the answer's order)."""

    rank: int
    first: int
    count: int
    parts: tuple[tuple[int, int, int], ...]


def spans(plan: SelectPlan, per_call: Mapping[int, Sequence[tuple[T, Rows]]],
          rank: Callable[[T], int], start: int) -> dict[int, list[tuple[int, int]]]:
    """Each call's runs as (series rank, first bucket number): a run fills from its
    series' own start (`own_start`) to the range's end."""
    assert plan.interval is not None
    return {call: [(rank(payload), (own_start(plan, start, rows[0][0]) - start) // plan.interval)
                   for payload, rows in runs]
            for call, runs in per_call.items()}


def stretches(runs: Mapping[int, Sequence[tuple[int, int]]], last: int,
              descending: bool) -> list[Stretch]:
    """The join's stretches, in the order it answers them. `runs`: each call's runs, as
    (rank, first bucket number), in its stream's order; `last`: the last bucket's number."""
    # a head's key, least first: (rank, bucket), both negated under DESC but for the walk,
    # which goes from the last bucket down
    def key(call: int, run: int, offset: int) -> tuple[int, int]:
        rank, first = runs[call][run]
        return (-rank, offset - last) if descending else (rank, first + offset)

    def length(call: int, run: int) -> int:
        return last - runs[call][run][1] + 1

    heads = {call: (0, 0) for call, own in runs.items() if own}
    out: list[Stretch] = []
    while heads:
        keys = {call: key(call, *head) for call, head in heads.items()}
        least = min(keys.values())
        parts = [call for call, k in keys.items() if k == least]
        count = min(length(call, heads[call][0]) - heads[call][1] for call in parts)
        for k in keys.values():  # another call's point of this series joins later on
            if k[0] == least[0] and k != least:
                count = min(count, k[1] - least[1])
        rank = -least[0] if descending else least[0]
        bucket = -least[1] if descending else least[1]
        out.append(Stretch(rank, bucket, count, tuple((c, *heads[c]) for c in parts)))
        for call in parts:
            run, offset = heads[call][0], heads[call][1] + count
            if offset == length(call, run):
                run, offset = run + 1, 0
            if run < len(runs[call]):
                heads[call] = (run, offset)
            else:
                del heads[call]
    return out


def row_count(found: Sequence[Stretch]) -> int:
    return sum(s.count for s in found)


def counted(plan: SelectPlan, per_call: Mapping[int, Sequence[tuple[T, Rows]]],
            rank: Callable[[T], int], span: tuple[int, int], max_buckets: int
            ) -> tuple[dict[int, list[tuple[int, int]]], list[Stretch]]:
    """The calls' runs' `spans` and their join's `stretches`, refused past the cap
    (`subquery_fill.limit_rows`) on the rows the join answers. One rule for one call's runs
    (`per_call` of one entry) and several calls': each run counted from its own first
    bucket, as it is filled. `span`: the range's first and last bucket."""
    assert plan.interval is not None
    start, end = span
    found_spans = spans(plan, per_call, rank, start)
    found = stretches(found_spans, (end - start) // plan.interval, plan.descending)
    limit_rows(row_count(found), max_buckets)
    return found_spans, found


def joined_columns(plan: SelectPlan, per_call: Mapping[int, Sequence[tuple[T, Rows]]],
                   runs: Mapping[int, Sequence[tuple[int, int]]], found: Sequence[Stretch],
                   span: tuple[int, int], kinds: Callable[[T], Sequence[str | None]],
                   silent: Callable[[T], frozenset[int]]
                   ) -> list[tuple[T, pa.Array, dict[int, pa.Array]]] | None:
    """Each series' joined rows in the answer's order: its payload, times and each call's
    column. `runs`: each call's runs' `spans`, `found` their `stretches`; `span`: the
    range's first and last bucket; `silent(payload)`: the prims its fill leaves alone (a
    count() of a field the measurement lacks). None where a column would mix Python types."""
    assert plan.interval is not None
    start, end = span
    ascending: dict[int, pa.Array] = {}  # a run's buckets by its first: the runs share them
    columns: dict[tuple[int, int], pa.Array | None] = {}  # by (call, run), in answer order

    def times(first: int) -> pa.Array:
        if first not in ascending:
            assert plan.interval is not None
            ascending[first] = run_fill.buckets(start + first * plan.interval, end,
                                                plan.interval)
        return ascending[first]

    def column(call: int, run: int) -> pa.Array | None:
        if (call, run) not in columns:
            payload, rows = per_call[call][run]
            filled = run_fill.prim_column(plan, rows, times(runs[call][run][1]), call,
                                          call in silent(payload), kinds(payload))
            columns[call, run] = (filled[::-1] if plan.descending and filled is not None
                                  else filled)
        return columns[call, run]

    series: list[tuple[T, list[Stretch]]] = []
    for stretch in found:
        if not series or series[-1][1][-1].rank != stretch.rank:
            call, run, _ = stretch.parts[0]
            series.append((per_call[call][run][0], []))
        series[-1][1].append(stretch)
    out: list[tuple[T, pa.Array, dict[int, pa.Array]]] = []
    for payload, own in series:
        pieces: dict[int, list[pa.Array]] = {call: [] for call in per_call}
        stamps = []
        for stretch in own:
            for call, run, offset in stretch.parts:
                filled = column(call, run)
                if filled is None:
                    return None
                pieces[call].append(filled.slice(offset, stretch.count))
            joined = {call for call, _, _ in stretch.parts}
            for call in pieces.keys() - joined:
                pieces[call].append(pa.nulls(stretch.count))
            call, run, offset = stretch.parts[0]
            stamps.append(_answer_order(plan, times(runs[call][run][1])).slice(
                offset, stretch.count))
        types = kinds(payload)
        calls: dict[int, pa.Array] = {}
        for call, parts in pieces.items():
            if (calls_column := _defaulted(plan, parts, types[call])) is None:
                return None
            calls[call] = calls_column
        out.append((payload, pa.concat_arrays(stamps), calls))
    return out


def _answer_order(plan: SelectPlan, times: pa.Array) -> pa.Array:
    return times[::-1] if plan.descending else times


def _defaulted(plan: SelectPlan, parts: list[pa.Array], kind: str | None) -> pa.Array | None:
    """A call's pieces in one series joined, its missing values read as the cursor's
    default; None when they would mix Python types."""
    typed = {p.type for p in parts if not pa.types.is_null(p.type)}
    if len(typed) > 1:
        return None
    arrow = next(iter(typed), None)
    joined = pa.concat_arrays([p if p.type == arrow or arrow is None
                               else pa.nulls(len(p), arrow) for p in parts])
    default = cursor.missing_value(plan.fill, plan.fill_value, kind, None)
    if plan.fill is ast.FillOption.NUMBER and default is not None and joined.null_count:
        constant = run_fill.constant(default, len(joined))
        if constant is None or arrow is not None and constant.type != arrow:
            return None  # the number beside values of another type
        return constant if arrow is None else pc.fill_null(joined, pa.scalar(default, arrow))
    if plan.fill is ast.FillOption.PREVIOUS and arrow is not None:  # its last value while
        # the series stays
        return pc.fill_null_forward(joined)
    return joined


def applies(plan: SelectPlan, keep: tuple[int, int] | None) -> bool:
    """Whether the joined runs can be answered here: each output a call's column
    (`run_fill.applies`) joined by the cursor, and no percentile() whose nil buckets
    fill(linear) reads (`percentile_windows.nil_windows`)."""
    return (run_fill.applies(plan, keep) and cursor.applies(plan)
            and not (plan.fill is ast.FillOption.LINEAR
                     and any(p.func == "percentile" for p in plan.prims)))
