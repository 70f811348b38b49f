"""GROUP BY time buckets: how many an answer may hold, and fill() for the empty ones."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from . import ast
from .errors import QueryError
from .functions import MULTI_ROW
from .readrange import moved_bounds
from .schema import MeasurementSchema
from .select_plan import SelectPlan
from .storage import absent
from .timerange import MIN_TIME


def bucket_of(plan: SelectPlan, time: int) -> int:
    assert plan.interval is not None
    return time - (time - plan.interval_offset) % plan.interval


def bucket_span(plan: SelectPlan, lower: int, upper: int, firsts: Iterable[int | None],
                max_buckets: int) -> tuple[int | None, int]:
    """The first and last bucket of a GROUP BY time answer, over the range its calls span
    (`moved_bounds`): from the range's start, or without one from the earliest bucket of any
    series (`firsts`, looked at only then); no more than `max_buckets` of them."""
    assert plan.interval is not None
    read_lower, read_upper = moved_bounds(plan, lower, upper)
    start: int | None
    if plan.time_range.lower is not None:
        start = bucket_of(plan, read_lower)
        if start < MIN_TIME:  # a bucket starting before time can: the next is the first
            start += plan.interval  # (1.x's int64 arithmetic wraps such buckets around)
    else:
        known = [first for first in firsts if first is not None]
        start = min(known) if known else None
    end = bucket_of(plan, read_upper)
    if start is not None:
        limit_buckets(plan, start, end, max_buckets)
    return start, end


def own_start(plan: SelectPlan, start: int, first: int | None) -> int:
    """The first bucket 1.x fills in a series: the range's start, or without a lower bound
    the bucket of the series' own first point (`first`), whatever the other series hold;
    under ORDER BY time DESC the fill stops there, at the series' oldest point."""
    if plan.time_range.lower is not None or first is None:
        return start
    return max(start, bucket_of(plan, first))


def limit_buckets(plan: SelectPlan, start: int, end: int, max_buckets: int) -> None:
    assert plan.interval is not None
    if (end - start) // plan.interval + 1 > max_buckets:
        raise QueryError(
            f"the query would return more than {max_buckets} buckets per series; "
            "narrow its time range or widen the GROUP BY time interval")


def absent_counts(plan: SelectPlan, schema: MeasurementSchema) -> frozenset[int]:
    """The count() prims over a field the measurement lacks: 1.x has no iterator for them,
    so fill(null) leaves their empty buckets null rather than 0."""
    return frozenset(i for i, p in enumerate(plan.prims)
                     if p.func == "count" and absent(schema, p))


# The kind of a call 1.x could not type (`max(nosuch)`): it builds no fill for it
UNTYPED = "untyped"


def cast_fill(value: float | int | None, kind: str | None) -> Any:
    """fill(<number>)'s value as 1.x casts it to a call's type: truncated for integers, a
    float for floats (so math over it reads a float: `abs()` of an integer is left as is),
    and for booleans and text their zero value (a number is neither: `false`, `""`); none
    for an untyped call."""
    if value is None or kind == UNTYPED:
        return None
    if kind == "integer":
        return _go_int64(value)
    if kind == "unsigned":
        return _go_uint64(value)
    if kind == "float":
        return float(value)
    if kind == "boolean":
        return False
    if kind == "string":
        return ""
    return value


def cursor_fill(value: float | int | None, kind: str | None) -> Any:
    """fill(<number>)'s value as 1.x's cursor reads it for a column without a point of its
    own (a call without a point in the series or at a joined row's time, a selector's
    companion in a filled bucket): cast only to a numeric kind (`code` reads 2 under
    fill(2.5)), the number as written for text and booleans (`ok` reads 2.5)."""
    return cast_fill(value, kind if kind in ("integer", "unsigned", "float", UNTYPED) else None)


def fill_point_companions(plan: SelectPlan, rows: list[tuple[int, list[Any]]],
                          kinds: Sequence[str | None]) -> list[tuple[int, list[Any]]]:
    """Without GROUP BY time, a lone selector's companions (max(b), a) left null at the
    selected point read 1.x's cursor default: fill(<number>)'s value as `cursor_fill` casts
    it (fuzz 432-404); top() and the like have theirs from `topread.fill_companions`."""
    if (plan.interval is not None or plan.fill is not ast.FillOption.NUMBER
            or not plan.selector_time or any(p.func in MULTI_ROW for p in plan.prims)):
        return rows
    companions = [i for i, p in enumerate(plan.prims) if p.func is None]
    return [(time, [cursor_fill(plan.fill_value, kinds[i]) if v is None and i in companions
                    else v for i, v in enumerate(values)]) for time, values in rows]


_INT64_MIN = -(1 << 63)  # what Go's float conversions answer out of range (amd64)
_TWO_63, _TWO_64 = 2.0**63, 1 << 64


def _go_int64(value: float | int) -> int:
    """Go's int64(value) on amd64: a float truncated, -2^63 when out of range, so a fill
    value no int64 holds answers what 1.6.7 answers rather than a number JSON cannot carry."""
    if isinstance(value, int):
        return value
    if value != value or not -_TWO_63 <= value < _TWO_63:
        return _INT64_MIN
    return int(value)


def _go_uint64(value: float | int) -> int:
    """Go's uint64(value) on amd64: an integer's bits read unsigned; a float from 2^63 on
    converted as int64(value - 2^63) with the top bit set."""
    if isinstance(value, int):
        return value % _TWO_64
    if value < _TWO_63:
        return _go_int64(value) % _TWO_64
    return (_go_int64(value - _TWO_63) % _TWO_64) | (1 << 63)


def fill_rows(plan: SelectPlan, rows: list[tuple[int, list[Any]]], start: int,
              end: int, silent: frozenset[int] = frozenset(),
              kinds: Sequence[str | None] = (),
              nils: Mapping[int, frozenset[int]] | None = None) -> list[tuple[int, list[Any]]]:
    """Every bucket from start to end, filled. `kinds`: each prim's type, which 1.x casts
    fill(<number>)'s value to (`cast_fill`). `silent`: the prims without a point in
    the series (a count() of a field the measurement lacks...): 1.x's fill never starts for
    them, so they are left null. A count() of 0 beside a call with points in its bucket is
    no point in 1.x either: it is filled like an empty bucket (`fill(3)` answers 3, fill(null)
    0, fill(none) and the ends of fill(linear) null). `nils`: per prim, the buckets where
    its iterator answers nil rather than a point (a low percentile()'s), which fill(linear)
    reads as 1.x's fill iterator does (`_interpolate_stream`)."""
    assert plan.interval is not None
    by_time = {t: v for t, v in rows}
    width = len(plan.prims)
    numbers = fill_numbers(plan, kinds)
    out: list[tuple[int, list[Any]]] = []
    option = plan.fill
    previous: list[Any] = [None] * width
    counts = frozenset(i for i, p in enumerate(plan.prims) if p.func == "count")
    # fill(null)'s 0 for count(): from the range's start, or without a lower bound from the
    # count's own first point (before it each call's fill has not begun: the cursor's null)
    zero_from = {i: start if plan.time_range.lower is not None else min(
        (t for t, v in rows if v[i] not in (None, 0)), default=start) for i in counts}
    # fill(previous) follows the answer's order: under DESC the later bucket fills the earlier
    times = range(start, end + 1, plan.interval)
    for time in reversed(times) if plan.descending else times:
        values = by_time.get(time)
        if values is None:
            if option is ast.FillOption.NONE:
                continue
            values = [None] * width
            for index in range(width):
                if index in silent:
                    continue
                if option is ast.FillOption.NUMBER:
                    values[index] = numbers[index]
                elif option is ast.FillOption.PREVIOUS:
                    values[index] = previous[index]
                elif option is ast.FillOption.NULL and index in counts:
                    values[index] = 0 if time >= zero_from[index] else None
        else:
            values = list(values)
            for index in range(width):
                if index in silent:
                    continue
                if index in counts and values[index] == 0:
                    zero = option is ast.FillOption.NULL and time >= zero_from[index]
                    values[index] = 0 if zero else None
                if values[index] is None:
                    if option is ast.FillOption.NUMBER:
                        values[index] = numbers[index]
                    elif option is ast.FillOption.PREVIOUS:
                        values[index] = previous[index]
        for index in range(width):
            if values[index] is not None:
                previous[index] = values[index]
        out.append((time, values))
    if option is ast.FillOption.LINEAR:  # in the answer's order, as 1.x walks it
        # a selector's companions (raw fields, tags) are the fill point's aux values, which
        # 1.x's linear fill leaves nil: only the calls are interpolated
        calls = [i for i, p in enumerate(plan.prims) if p.func is not None]
        nils = nils or {}
        _interpolate(out, [i for i in calls if i not in nils], plan.interval)
        for index in calls:
            if index in nils:
                _interpolate_stream(out, index, nils[index], plan.interval)
    if plan.descending:
        out.reverse()
    return out


def fill_numbers(plan: SelectPlan, kinds: Sequence[str | None] = ()) -> list[Any]:
    """fill(<number>)'s value for each prim, cast to its type (`kinds`) as 1.x casts it."""
    return [(cursor_fill if p.func is None else cast_fill)(
        plan.fill_value, kinds[i] if kinds else None) for i, p in enumerate(plan.prims)]


def _interpolate(rows: list[tuple[int, list[Any]]], indices: Iterable[int],
                 interval: int) -> None:
    """fill(linear) between a call's points (`indices`: the calls' columns); text and
    booleans stay null (1.x has no linear fill for them)."""
    for index in indices:
        known = [i for i, (_, v) in enumerate(rows) if v[index] is not None]
        if any(isinstance(rows[i][1][index], str | bool) for i in known):
            continue
        for a, b in zip(known, known[1:], strict=False):
            if b - a < 2:
                continue
            (ta, va), (tb, vb) = rows[a], rows[b]
            for i in range(a + 1, b):
                rows[i][1][index] = linear(rows[i][0], ta, tb, va[index], vb[index], interval)


def _interpolate_stream(rows: list[tuple[int, list[Any]]], index: int,
                        nils: frozenset[int], interval: int) -> None:
    """fill(linear) of a call whose iterator answers nil at the buckets `nils` (in place of
    a point, though 1.x skips a bucket without points), walked as 1.x's fill iterator
    walks its input: a nil read for a bucket fills it, and so does a point later than it,
    from the point before and the next point, which it peeks for; a nil found by that peek
    is used up and leaves the bucket null."""
    stream = [(i, rows[i][1][index]) for i in range(len(rows))
              if rows[i][1][index] is not None or rows[i][0] in nils]
    if any(isinstance(v, str | bool) for _, v in stream):
        return
    head = 0
    held: tuple[int, Any] | None = None  # a point read ahead and put back
    before: tuple[int, Any] | None = None

    def read() -> tuple[int, Any] | None:
        nonlocal head, held
        if held is not None:
            item, held = held, None
            return item
        if head < len(stream):
            head += 1
            return stream[head - 1]
        return None

    for at, (time, values) in enumerate(rows):
        item = read()
        if item is not None and item[1] is not None and item[0] == at:
            before = item
            continue
        if item is not None and item[1] is not None:
            held = item
        after = held if held is not None else read()
        if after is not None and after[1] is not None:
            held = after
        if before is None or after is None or after[1] is None:
            values[index] = None
        else:
            values[index] = linear(time, rows[before[0]][0], rows[after[0]][0], before[1],
                                    after[1], interval)


def linear(time: int, before: int, after: int, first: Any, last: Any, interval: int) -> Any:
    """1.x's linearFloat/linearInteger: the slope per bucket (each time divided by the
    interval first, as Go divides), then `m*x + b` from the point before in the answer's
    order (the later one under DESC); rounded this way, not as a slope per nanosecond."""
    start, x0, x1 = (_go_quotient(t, interval) for t in (time, before, after))
    if isinstance(first, int) and isinstance(last, int):
        # Go subtracts the int64s (wrapping) before the float division, and truncates
        delta = (last - first + (1 << 63)) % _TWO_64 - (1 << 63)
        return int(float(delta) / float(x1 - x0) * float(start - x0) + float(first))
    return (last - first) / float(x1 - x0) * float(start - x0) + first


def _go_quotient(a: int, b: int) -> int:
    """Go's integer division, truncated toward zero."""
    q = abs(a) // abs(b)
    return q if (a < 0) == (b < 0) else -q
