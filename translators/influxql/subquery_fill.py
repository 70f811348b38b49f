"""A subquery's fill() as 1.x runs it: over each parent group's series merged, run by run.

1.x hands a parent's GROUP BY tags down to its subquery as the dimensions its iterators are
ordered by, while the points keep the subquery's own tags. So the fill iterator of a
subquery grouped by more tags than its parent reads one stream per parent group: that
group's series merged by bucket, then by tag set (both descending under ORDER BY time DESC).
It starts a new run each time the stream's series changes, and every run covers the whole
range: fill(<number>) or fill(previous) buckets before and after the run's points, even
where the same series has a point in another run. `fill(-1)` over two series reaching two
buckets in turn answers four runs, the second run of each series filling the bucket its
first run held. fill(linear) interpolates only between points of one run. fill(null), which
1.x turns into fill(none) in a subquery, and the functions 1.x never fills make no runs.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from typing import Any, TypeVar

from . import ast
from .errors import QueryError
from .functions import AGGREGATES, MULTI_ROW, SELECTORS
from .select_plan import SelectPlan

#: The fill options whose iterator 1.x runs over a subquery's buckets.
_FILLED = (ast.FillOption.NUMBER, ast.FillOption.PREVIOUS, ast.FillOption.LINEAR)

Rows = list[tuple[int, list[Any]]]
T = TypeVar("T")


def fills_in_runs(fill: ast.FillOption, interval: bool, calls: Iterable[str | None]) -> bool:
    """Whether a subquery's answer is its fill iterator's runs: GROUP BY time, a fill that
    fills, and calls 1.x fills (not top, bottom, sample, distinct, nor integral() alone)."""
    funcs = [c for c in calls if c is not None]
    return (interval and fill in _FILLED and bool(funcs)
            and not any(f in MULTI_ROW for f in funcs)
            and not all(f == "integral" for f in funcs))


def statement_fills_in_runs(statement: ast.SelectStatement) -> bool:
    """`fills_in_runs` for a subquery's statement as its parent adjusted it."""
    interval = any(isinstance(d.expr, ast.Call) and d.expr.name == "time"
                   for d in statement.dimensions)
    calls = [c for f in statement.fields for c in _calls(f.expr)]
    return fills_in_runs(statement.fill, interval, calls)


def _calls(expr: ast.Expr) -> list[str]:
    """The aggregate and selector calls an expression reads."""
    match expr:
        case ast.Call(name, args):
            own = [name] if name in AGGREGATES or name in SELECTORS else []
            return own + [c for a in args for c in _calls(a)]
        case ast.Distinct():
            return ["distinct"]
        case ast.BinaryExpr(_, lhs, rhs):
            return _calls(lhs) + _calls(rhs)
        case ast.ParenExpr(inner):
            return _calls(inner)
    return []


def limit_runs(plan: SelectPlan, count: int, start: int, end: int, max_buckets: int) -> None:
    """Every run fills the whole range, so runs multiply the buckets: no more of them in all
    than ten series' worth (1.x answers millions of rows for a few hundred points)."""
    assert plan.interval is not None
    if count * ((end - start) // plan.interval + 1) > 10 * max_buckets:
        raise QueryError(
            f"the subquery's fill() would answer more than {10 * max_buckets} buckets "
            "(a run per change of series); narrow its time range or widen its GROUP BY time")


def runs(series: Sequence[tuple[T, Hashable, Rows]], descending: bool
         ) -> list[tuple[T, Rows]]:
    """Each run of 1.x's fill iterator, in the order it emits them. `series`: each series'
    payload, parent group (its measurement and parent's GROUP BY tag values) and unfilled
    rows (ascending), sorted by tag set. A run is answered with its series' payload and its
    rows, ascending, still to be filled."""
    groups: dict[Hashable, list[int]] = {}
    for number, (_, group, _rows) in enumerate(series):
        groups.setdefault(group, []).append(number)
    out: list[tuple[T, Rows]] = []
    for numbers in groups.values():
        # (1.6.7 meets a bucket's series in tag order under ORDER BY time DESC too)
        merged = sorted(((time, number, values) for number in numbers
                         for time, values in series[number][2]),
                        key=lambda point: (-point[0] if descending else point[0], point[1]))
        current: int | None = None
        for time, number, values in merged:
            if number != current:
                out.append((series[number][0], []))
                current = number
            out[-1][1].append((time, values))
    if descending:
        out = [(payload, rows[::-1]) for payload, rows in out]
    return out
