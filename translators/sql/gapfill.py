"""Gap filling in InfluxDB 3 SQL on the native store: date_bin_gapfill, locf and interpolate.

IOx plans a gap-filling SELECT as its aggregate (date_bin_gapfill read as date_bin) under a
GapFill node that adds a row for every bucket between the WHERE clause's time bounds in every
group, and under the SELECT list. The same is built here in SQL: the aggregate in a CTE; every
group it found crossed with every bucket (generate_series); the aggregate LEFT JOINed onto that,
locf and interpolate as window functions over each group's buckets; and the query's own SELECT
list, HAVING and ORDER BY on top. IOx's errors are reproduced as 400s with its wording.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlglot import exp

from . import intervals, zones
from .datafusion import Unsupported, interval, utc_timestamp
from .fills import interpolate_fill, locf_fill
from .gapfill_limit import guarded_end

_GAPFILL = ("date_bin_gapfill", "date_bin_wallclock_gapfill")
_FILLS = ("locf", "interpolate")
# aggregates sqlglot does not model (IOx selectors, approximations)
_AGGREGATES = frozenset({"selector_first", "selector_last", "selector_min", "selector_max",
                         "approx_percentile_cont", "approx_median"})
_DATA, _GROUPS, _BUCKETS = "__gapfill_data", "__gapfill_groups", "__gapfill_buckets"
_TIME = "__gapfill_time"
_PLANNING = "Error during planning: "


def _name(node: exp.Expression) -> str:
    return str(node.this).lower() if isinstance(node, exp.Anonymous) else ""


def _unwrap(node: exp.Expression) -> exp.Expression:
    while isinstance(node, exp.Alias | exp.Paren):
        node = node.this
    return node


def _own_nodes(node: exp.Expression) -> list[exp.Expression]:
    """`node` and its descendants, without descending into nested queries."""
    return [n for n in node.walk(prune=lambda n: n is not node and isinstance(n, exp.Query))
            if not isinstance(n, exp.Query) or n is node]


def rewrite_gapfill(tree: exp.Expression, limit: int | None = None) -> exp.Expression:
    """`tree` with every gap-filling SELECT rebuilt in plain SQL (raises Unsupported).

    With `limit`, a gap-filling SELECT whose buckets times groups would exceed it stops with
    an error naming it (LIMIT_WORDS) before any bucket is made.
    """
    selects = list(tree.find_all(exp.Select))
    for number, select in enumerate(reversed(selects)):  # inner queries first
        new = _rewrite_select(select, number, limit)
        if new is not select:
            if select is tree:
                tree = new
            else:
                select.replace(new)
    for node in tree.walk():
        name = _name(node)
        if name in _GAPFILL:
            raise Unsupported(f"{_PLANNING}{name} may only be used as a GROUP BY expression")
        if name in _FILLS:
            raise Unsupported(f"{_PLANNING}{name} may only be used in the SELECT list of a "
                              "gap-filling query")
    return tree


def _group_exprs(select: exp.Select) -> list[exp.Expression]:
    """The GROUP BY expressions, with positions and SELECT aliases resolved."""
    group = select.args.get("group")
    if group is None:
        return []
    aliases = {p.alias: p.this for p in select.expressions if isinstance(p, exp.Alias)}
    resolved = []
    for item in group.expressions:
        if isinstance(item, exp.Literal) and item.is_int:
            position = int(item.name)
            if not 1 <= position <= len(select.expressions):
                raise Unsupported(f"GROUP BY position {position} is not in the select list")
            resolved.append(_unwrap(select.expressions[position - 1]))
        elif isinstance(item, exp.Column) and not item.table and item.name in aliases:
            resolved.append(_unwrap(aliases[item.name]))
        else:
            resolved.append(item)
    return resolved


def _find_gapfill(groups: list[exp.Expression]) -> int | None:
    found = [(i, n) for i, g in enumerate(groups) for n in _own_nodes(g)
             if _name(n) in _GAPFILL]
    if not found:
        return None
    if len(found) > 1:
        raise Unsupported(f"{_PLANNING}DATE_BIN_GAPFILL specified more than once")
    index, node = found[0]
    if _unwrap(groups[index]) is not node:
        raise Unsupported(f"{_PLANNING}DATE_BIN_GAPFILL must be a top-level expression in the "
                          "GROUP BY clause when gap filling. It cannot be part of another "
                          "expression or cast")
    return index


def _time_column(source: exp.Expression) -> exp.Column:
    while isinstance(source, exp.Cast | exp.Paren):
        source = source.this
    if not isinstance(source, exp.Column):
        raise Unsupported(f"{_PLANNING}DATE_BIN_GAPFILL requires a column as the source "
                          "argument")
    return source


def _conjuncts(node: exp.Expression | None) -> list[exp.Expression]:
    if node is None:
        return []
    node = _unwrap(node)
    if isinstance(node, exp.And):
        return _conjuncts(node.this) + _conjuncts(node.expression)
    return [node]


_LOWER = {exp.GT: False, exp.GTE: True}  # time > x, time >= x: included?
_UPPER = {exp.LT: False, exp.LTE: True}
_FLIP = {exp.GT: exp.LT, exp.GTE: exp.LTE, exp.LT: exp.GT, exp.LTE: exp.GTE}

Bound = tuple[exp.Expression, bool]  # the bound and whether it is included


def _time_range(where: exp.Where | None, column: exp.Column) -> tuple[Bound, Bound]:
    """The lower and upper time bounds in WHERE, as IOx finds them (the last one wins)."""
    def is_time(node: exp.Expression) -> bool:
        return isinstance(node, exp.Column) and node.name == column.name \
            and (not node.table or not column.table or node.table == column.table)

    lower: Bound | None = None
    upper: Bound | None = None
    for term in _conjuncts(where.this if where is not None else None):
        if isinstance(term, exp.Between) and is_time(term.this):
            lower, upper = (term.args["low"], True), (term.args["high"], True)
            continue
        kind = type(term)
        if kind not in _FLIP:
            continue
        left, right = term.this, term.expression
        if is_time(right) and not is_time(left):
            kind, left, right = _FLIP[kind], right, left
        if not is_time(left):
            continue
        if kind in _LOWER:
            lower = (right, _LOWER[kind])
        else:
            upper = (right, _UPPER[kind])
    if lower is None and upper is None:
        raise Unsupported(f"{_PLANNING}gap-filling query is missing both upper and lower "
                          "time bounds")
    if lower is None:
        raise Unsupported(f"{_PLANNING}gap-filling query is missing lower time bound")
    if upper is None:
        raise Unsupported(f"{_PLANNING}gap-filling query is missing upper time bound")
    for what, (value, _) in (("lower time bound", lower), ("upper time bound", upper)):
        if value.find(exp.Column) is not None:
            raise Unsupported(f"{_PLANNING}{what} for gap fill query must evaluate to a scalar")
    return lower, upper


def _bound_time(bound: Bound, step: int) -> exp.Expression:
    """The first (step 1) or last (step -1) time a bound lets through, to the nanosecond."""
    value, included = bound
    time = utc_timestamp(value.copy())
    if included:
        return time
    tick = exp.Interval(this=exp.Literal.string("1"), unit=exp.Var(this="NANOSECOND"))
    return exp.Add(this=time, expression=tick) if step > 0 else \
        exp.Sub(this=time, expression=tick)


def _is_aggregate(node: exp.Expression) -> bool:
    if isinstance(node, exp.Filter):
        return _is_aggregate(node.this)
    return isinstance(node, exp.AggFunc | exp.FirstValue | exp.LastValue) \
        or _name(node) in _AGGREGATES


def _aggregates(nodes: list[exp.Expression]) -> list[exp.Expression]:
    """The outermost aggregate calls in `nodes`, each once."""
    found: list[exp.Expression] = []

    def visit(node: exp.Expression) -> None:
        if isinstance(node, exp.Window):
            raise Unsupported("window functions are not supported in a gap-filling query on "
                              "the native store")
        if _is_aggregate(node) and not isinstance(node.parent, exp.Filter):
            if node not in found:
                found.append(node)
            return
        for child in node.iter_expressions():
            if not isinstance(child, exp.Query):
                visit(child)

    for node in nodes:
        visit(node)
    return found


def _fill_strategies(projections: list[exp.Expression],
                     aggregates: list[exp.Expression]) -> dict[int, str]:
    strategies: dict[int, str] = {}
    for projection in projections:
        for node in _own_nodes(projection):
            name = _name(node)
            if name not in _FILLS:
                continue
            if len(node.expressions) != 1:
                raise Unsupported(f"{name}() takes 1 argument")
            argument = _unwrap(node.expressions[0])
            if argument not in aggregates:
                raise Unsupported(f"{_PLANNING}{name} must be called on an aggregate column "
                                  "in a gap-filling query")
            index = aggregates.index(argument)
            if strategies.get(index, name) != name:
                raise Unsupported("This feature is not implemented: multiple fill strategies "
                                  "for the same column")
            strategies[index] = name
    return strategies


def _column(name: str, table: str | None = None) -> exp.Column:
    return exp.column(name, table=table, quoted=True)


def _replaced(node: exp.Expression, replace: Callable[[exp.Expression],
                                                      exp.Expression | None]) -> exp.Expression:
    """A copy of `node` with every subexpression `replace` maps replaced, outermost first."""
    new = replace(node)
    if new is not None:
        return new
    node = node.copy()
    for key, value in list(node.args.items()):
        if isinstance(value, exp.Expression) and not isinstance(value, exp.Query):
            node.set(key, _replaced(value, replace))
        elif isinstance(value, list):
            node.set(key, [_replaced(v, replace) if isinstance(v, exp.Expression)
                           and not isinstance(v, exp.Query) else v for v in value])
    return node


def _rewrite_select(select: exp.Select, number: int, limit: int | None) -> exp.Expression:
    groups = _group_exprs(select)
    index = _find_gapfill(groups)
    if index is None:
        return select
    call = _unwrap(groups[index])
    assert isinstance(call, exp.Anonymous)
    args = call.expressions
    if len(args) not in (2, 3):
        raise Unsupported(f"{_PLANNING}DATE_BIN_GAPFILL expects 2 or 3 arguments, got "
                          f"{len(args)}")
    stride, source = args[0], args[1]
    origin = args[2] if len(args) == 3 else None
    if any(unit in stride.sql().lower() for unit in ("month", "year", "mon", "centur")):
        raise Unsupported("gap filling does not support month intervals")
    lower, upper = _time_range(select.args.get("where"), _time_column(source))
    zone = call.meta.get("zone") if _name(call) == "date_bin_wallclock_gapfill" else None

    def bucket(time: exp.Expression) -> exp.Expression:
        return zones.wallclock_bin(stride.copy(), time, zone,
                                   origin.copy() if origin is not None else None)

    others = [i for i in range(len(groups)) if i != index]
    keys = [f"__gapfill_g{i}" for i in others]
    projections = select.expressions
    having = select.args.get("having")
    order = select.args.get("order")
    aggregates = _aggregates([*projections, *([having] if having else []),
                              *([order] if order else [])])
    strategies = _fill_strategies([*projections, *([having] if having else [])], aggregates)
    values = [f"__gapfill_a{i}" for i in range(len(aggregates))]
    suffix = f"_{number}"

    data = select.copy()
    for clause in ("having", "order", "limit", "offset", "distinct", "with_"):
        data.set(clause, None)
    data.set("expressions", [
        *(exp.alias_(groups[i].copy(), k, quoted=True) for i, k in zip(others, keys,
                                                                       strict=True)),
        exp.alias_(bucket(source.copy()), _TIME, quoted=True),
        *(exp.alias_(a.copy(), v, quoted=True) for a, v in zip(aggregates, values,
                                                               strict=True))])
    data.set("group", exp.Group(expressions=[
        *(groups[i].copy() for i in others), bucket(source.copy())]))

    data_name, groups_name, buckets_name = (n + suffix for n in (_DATA, _GROUPS, _BUCKETS))
    series_keys = keys or ["__gapfill_series"]
    distinct = exp.select(*([_column(k) for k in keys] or
                            [exp.alias_(exp.true(), "__gapfill_series", quoted=True)]))
    distinct = distinct.from_(exp.to_table(data_name, quoted=True)).distinct()
    groups_count = exp.select(exp.Count(this=exp.Star())).from_(distinct.subquery())
    buckets = _buckets(stride, zone, origin, lower, upper,
                       None if limit is None else (groups_count.subquery(), limit))

    time = _column(_TIME, buckets_name)
    partition = [_column(k, groups_name) for k in series_keys]
    filled = []
    for i, (aggregate, value) in enumerate(zip(aggregates, values, strict=True)):
        raw = _column(value, data_name)
        strategy = strategies.get(i)
        if strategy == "locf":
            column = locf_fill(raw, partition, time)
        elif strategy == "interpolate":
            column = interpolate_fill(raw, partition, time)
        elif isinstance(aggregate, exp.Count):  # IOx fills a count with 0, not null
            column = exp.Coalesce(this=raw, expressions=[exp.Literal.number(0)])
        else:
            column = raw
        filled.append(exp.alias_(column, value, quoted=True))
    join = exp.and_(*(exp.NullSafeEQ(this=_column(k, data_name), expression=_column(
        k, groups_name)) for k in keys), exp.EQ(this=_column(_TIME, data_name),
                                                expression=time.copy()))
    frame = exp.select(*(_column(k, groups_name) for k in keys), time.copy(), *filled) \
        .from_(exp.alias_(distinct.subquery(), groups_name, table=True, quoted=True)) \
        .join(exp.alias_(buckets.subquery(), buckets_name, table=True, quoted=True),
              join_type="CROSS") \
        .join(exp.to_table(data_name, quoted=True), on=join, join_type="LEFT")

    group_nodes = {i: _unwrap(groups[i]) for i in others}

    def replace(node: exp.Expression) -> exp.Expression | None:
        if _name(node) in _FILLS:
            return _column(values[aggregates.index(_unwrap(node.expressions[0]))])
        if node is call or node == call:
            return _column(_TIME)
        if node in aggregates:
            return _column(values[aggregates.index(node)])
        for i, group in group_nodes.items():
            if node == group or (isinstance(node, exp.Column) and isinstance(group, exp.Column)
                                 and node.name == group.name):
                return _column(keys[others.index(i)])
        return None

    outer = exp.select(*(exp.alias_(_replaced(_unwrap(p), replace), p.alias_or_name,
                                    quoted=True) for p in projections)) \
        .from_(exp.alias_(frame.subquery(), "__gapfill" + suffix, table=True, quoted=True))
    outer.set("with_", select.args.get("with_"))
    outer = outer.with_(exp.to_identifier(data_name, quoted=True), as_=data, copy=False)
    if having is not None:
        outer = outer.where(_replaced(having.this, replace), copy=False)
    if order is not None:
        outer.set("order", _replaced(order, replace))
    else:  # IOx's GapFill emits each group's buckets in time order
        outer = outer.order_by(*(_column(k) for k in keys), _column(_TIME), copy=False)
    for clause in ("limit", "offset", "distinct"):
        if select.args.get(clause) is not None:
            outer.set(clause, select.args[clause].copy())
    return outer


def _buckets(stride: exp.Expression, zone: str | None, origin: exp.Expression | None,
             lower: Bound, upper: Bound, limit: tuple[exp.Expression, int] | None
             ) -> exp.Select:
    """Every bucket from the lower bound's to the upper bound's, as column __gapfill_time.

    With `limit` (the number of groups, and the most rows allowed), the series' end is
    guarded: the bucket count, from the bounds and the stride, times the groups over the
    limit is an error before the series starts.
    """
    def local(bound: Bound, step: int) -> exp.Expression:
        time = _bound_time(bound, step)
        wall = time if zone is None else zones.to_wall(time, zone)
        return exp.DateBin(this=stride.copy(), expression=wall,
                           origin=origin.copy() if origin is not None else None)

    start, end = local(lower, 1), local(upper, -1)
    if limit is not None:
        end = guarded_end(start, end, stride, *limit)
    span = intervals.span_of(stride)
    if span is not None and span.fixed:  # in nanoseconds: DuckDB's intervals stop at micros
        series = exp.GenerateSeries(start=intervals.epoch_nanos(start),
                                    end=intervals.epoch_nanos(end),
                                    step=exp.Literal.number(span.total_nanos))
    else:
        series = exp.GenerateSeries(start=start, end=end, step=interval(stride.copy()))
    source = exp.Table(this=series, alias=exp.TableAlias(
        this=exp.to_identifier("__gapfill_series"),
        columns=[exp.to_identifier("__gapfill_wall")]))
    wall = exp.column("__gapfill_wall")
    if span is not None and span.fixed:
        wall = intervals.from_nanos(wall)
    time = wall if zone is None else zones.from_wall(wall, zone)
    return exp.select(exp.alias_(time, _TIME, quoted=True)).from_(source)

