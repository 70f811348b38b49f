"""Time zones in InfluxDB 3 SQL (tz(), AT TIME ZONE, date_bin_wallclock) on the native store.

InfluxDB 3 keeps a zone in a timestamp's Arrow type. Here every timestamp inside the translated
query stays a naive UTC instant, as `time` is: a zoned value is computed as its instant, the
zone of every value is worked out from the query text (`ZoneReader`, which follows columns of
subqueries and CTEs to the expressions that make them), and the result is typed with the zones
of its columns afterwards (`apply_zones`), so the encoders print each time with its offset.
Wall-clock work (date_bin_wallclock, to_local_time, and date_part/EXTRACT, date_trunc and
to_char of a zoned value, which DataFusion reads in local time, and the days and months of an
interval added to one) converts to the zone's local time and back.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pyarrow as pa
from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.optimizer.scope import Scope, traverse_scope

from .datafusion import Unsupported, utc_timestamp
from .intervals import shift_parts, span_of

_OFFSET = re.compile(r"([+-])(\d{2}):(\d{2})")
# a text timestamp that names its offset is a zoned value to DataFusion; one without is not
_TEXT_OFFSET = re.compile(r"(?:[zZ]|[+-]\d{2}(?::?\d{2})?)\s*$")
_WALLCLOCK = ("date_bin_wallclock", "date_bin_wallclock_gapfill")
_BINS = ("date_bin_gapfill", *_WALLCLOCK)
# aggregates and wrappers whose value is one of their argument's, zone included
_KEEPS_ZONE = (exp.Min, exp.Max, exp.FirstValue, exp.LastValue, exp.First, exp.Last,
               exp.AnyValue, exp.Window, exp.Filter, exp.IgnoreNulls, exp.RespectNulls,
               exp.Order)
# expressions whose value is one of several, coerced to one type by DataFusion
_CHOOSES = (exp.Case, exp.Coalesce, exp.Greatest, exp.Least)


def check_zone(name: str) -> str:
    """`name` if it is a time zone InfluxDB 3 accepts (IANA name or +HH:MM), else a 400."""
    if _OFFSET.fullmatch(name):
        return name
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise Unsupported(f"invalid time zone '{name}'") from None
    return name


def _zone_literal(node: exp.Expression) -> str:
    if not node.is_string:
        raise Unsupported("the time zone must be given as a string literal")
    return check_zone(node.name)


def _name(node: exp.Expression) -> str:
    return str(node.this).lower() if isinstance(node, exp.Anonymous) else ""


class ZoneReader:
    """The zone InfluxDB 3 gives each value of one query (None: naive), read from the query
    text as written; a column of a subquery or CTE has the zone of the expression behind it."""

    def __init__(self, tree: exp.Expression) -> None:
        self._columns: dict[int, str | None] = {}  # by id of a Column node
        self._outputs: dict[int, dict[str, str]] = {}  # by id of a SELECT: its zoned columns
        try:  # sqlglot resolves sources lazily: a repeated alias is found here
            for scope in traverse_scope(tree):  # inner scopes come first
                for column in scope.columns:
                    self._columns[id(column)] = self._column_zone(scope, column)
                if isinstance(scope.expression, exp.Select):
                    self._outputs[id(scope.expression)] = self._select_zones(scope)
        except SqlglotError as exc:
            raise Unsupported(f"cannot resolve the query's columns: {exc}") from None

    def of(self, node: exp.Expression) -> str | None:
        while isinstance(node, exp.Alias | exp.Paren):
            node = node.this
        if isinstance(node, exp.Column):
            return self._columns.get(id(node))
        if isinstance(node, exp.AtTimeZone):
            return _zone_literal(node.args["zone"])
        if isinstance(node, exp.DateBin):
            return self.of(node.expression)
        if isinstance(node, (exp.TimestampTrunc, *_KEEPS_ZONE)):  # the argument's zone
            return self.of(node.this)
        if isinstance(node, _CHOOSES):  # one type for every branch: the first zoned one's
            return next((z for z in map(self.of, branches(node)) if z is not None), None)
        shift = shift_parts(node)
        if shift is not None:  # Arrow adds an interval to a zoned time in its zone
            return self.of(shift[0])
        name = _name(node)
        if name == "tz":
            return _tz_zone(node)
        if name in _BINS and len(node.expressions) >= 2:
            return self.of(node.expressions[1])
        return None

    def outputs(self, query: exp.Expression) -> dict[str, str]:
        """Each result column of `query` that has a zone, by name, with that zone."""
        while isinstance(query, exp.Subquery | exp.SetOperation):
            query = query.this  # a set operation's columns are its first query's
        return self._outputs.get(id(query), {})

    def _source(self, source: object) -> dict[str, str]:
        return self.outputs(source.expression) if isinstance(source, Scope) else {}

    def _column_zone(self, scope: Scope, column: exp.Column) -> str | None:
        if column.table:
            return _lookup(self._source(scope.sources.get(column.table)), column.this)
        # a valid query names an unqualified column in one source only
        found = (_lookup(self._source(source), column.this)
                 for _, source in scope.selected_sources.values())
        return next((zone for zone in found if zone is not None), None)

    def _select_zones(self, scope: Scope) -> dict[str, str]:
        zones: dict[str, str] = {}
        for projection in scope.expression.expressions:
            if isinstance(projection, exp.Star):  # every column of every source
                for _, source in scope.selected_sources.values():
                    zones.update(self._source(source))
            elif isinstance(projection, exp.Column) and isinstance(projection.this, exp.Star):
                zones.update(self._source(scope.sources.get(projection.table)))
            else:
                zone = self.of(projection)
                if zone is not None and projection.alias_or_name:
                    zones[projection.alias_or_name] = zone
        return zones


def branches(node: exp.Expression) -> list[exp.Expression]:
    """The values a CASE, COALESCE, GREATEST or LEAST may answer."""
    if isinstance(node, exp.Case):
        values = [branch.args["true"] for branch in node.args.get("ifs") or []]
        default = node.args.get("default")
        return values + ([default] if default is not None else [])
    return [node.this, *node.expressions]


def _tz_zone(node: exp.Expression) -> str:
    args = node.expressions
    if not 1 <= len(args) <= 2:
        raise Unsupported("tz() takes 1 or 2 arguments")
    return _zone_literal(args[1]) if len(args) == 2 else "UTC"


def _lookup(zones: dict[str, str], name: exp.Expression) -> str | None:
    """The zone of the column `name` (an identifier: unquoted, any case matches)."""
    if name.name in zones or not isinstance(name, exp.Identifier) or name.quoted:
        return zones.get(name.name)
    folded = name.name.lower()
    return next((z for n, z in zones.items() if n.lower() == folded), None)


def _has_offset(node: exp.Expression) -> bool:
    return node.is_string and _TEXT_OFFSET.search(node.name) is not None


def _instant(node: exp.Expression) -> exp.Expression:
    """A rewritten argument as a naive UTC instant (text without an offset is read as UTC)."""
    return utc_timestamp(node) if node.is_string else node


def _offset_minutes(zone: str) -> int | None:
    match = _OFFSET.fullmatch(zone)
    if match is None:
        return None
    minutes = int(match.group(2)) * 60 + int(match.group(3))
    return -minutes if match.group(1) == "-" else minutes


def _operand(node: exp.Expression) -> exp.Expression:
    return exp.Paren(this=node) if isinstance(node, exp.Binary) else node


def _shift(node: exp.Expression, minutes: int) -> exp.Expression:
    interval = exp.Interval(this=exp.Literal.string(str(abs(minutes))),
                            unit=exp.Var(this="MINUTE"))
    cls = exp.Add if minutes >= 0 else exp.Sub
    return cls(this=_operand(node), expression=interval)


def _at(node: exp.Expression, zone: str) -> exp.AtTimeZone:
    return exp.AtTimeZone(this=_operand(node), zone=exp.Literal.string(zone))


def to_wall(instant: exp.Expression, zone: str) -> exp.Expression:
    """The local (wall-clock) time in `zone` of a naive UTC instant."""
    minutes = _offset_minutes(zone)
    if minutes is not None:
        return _shift(instant, minutes)
    return _at(_at(instant, "UTC"), zone)


def from_wall(wall: exp.Expression, zone: str) -> exp.Expression:
    """The naive UTC instant of a local (wall-clock) time in `zone`."""
    minutes = _offset_minutes(zone)
    if minutes is not None:
        return _shift(wall, -minutes)
    return _at(_at(wall, zone), "UTC")


def wallclock_bin(stride: exp.Expression, instant: exp.Expression, zone: str | None,
                  origin: exp.Expression | None) -> exp.Expression:
    """date_bin_wallclock: bins of local time in `zone`, as naive UTC instants."""
    if zone is None:  # a naive time is its own wall clock
        return exp.DateBin(this=stride, expression=instant, origin=origin)
    local = exp.DateBin(this=stride, expression=to_wall(instant, zone), origin=origin)
    return from_wall(local, zone)


def rewrite_zones(tree: exp.Expression) -> tuple[exp.Expression, dict[str, str]]:
    """`tree` with tz(), AT TIME ZONE, date_bin_wallclock, to_local_time and the wall-clock
    reads of zoned values computed on naive UTC instants, and the zone of each result column
    that has one, by name (raises Unsupported)."""
    reader = ZoneReader(tree)
    # zones are read from the query as written, before any argument is rewritten
    results = reader.outputs(tree)
    nodes = list(tree.walk())
    zones = {id(n): _argument_zone(n, reader) for n in nodes}
    for node in nodes:  # after the walk: the conversions added here are not rewritten again
        if isinstance(node, _CHOOSES):
            _coerce_branches(node, reader)
    for node in reversed(nodes):  # children first
        new = _rewrite(node, zones.get(id(node)))
        if new is not node:
            if node is tree:
                return new, results
            node.replace(new)
    return tree, results


def _coerce_branches(node: exp.Expression, reader: ZoneReader) -> None:
    """Naive branches of a zoned CASE or COALESCE read as wall-clock times in its zone, as
    Arrow casts a time without a zone to one with (text with an offset keeps its instant)."""
    zone = reader.of(node)
    if zone is None:
        return
    for branch in branches(node):
        if isinstance(branch, exp.Null) or reader.of(branch) is not None:
            continue
        if _has_offset(branch):
            branch.replace(_instant(branch.copy()))
            continue
        hole = exp.Null()
        branch.replace(hole)
        hole.replace(from_wall(_instant(branch), zone))


def _argument_zone(node: exp.Expression, reader: ZoneReader) -> str | None:
    if isinstance(node, exp.AtTimeZone | exp.TimestampTrunc | exp.TimeToStr):
        return reader.of(node.this)
    if isinstance(node, exp.Extract):
        return reader.of(node.expression)
    shift = shift_parts(node)
    if shift is not None:
        return reader.of(shift[0])
    name = _name(node)
    if name in ("tz", "to_local_time") and node.expressions:
        return reader.of(node.expressions[0])
    if name in _WALLCLOCK and len(node.expressions) >= 2:
        return reader.of(node.expressions[1])
    return None


def _rewrite(node: exp.Expression, zone: str | None) -> exp.Expression:
    if isinstance(node, exp.AtTimeZone):
        target = _zone_literal(node.args["zone"])
        value = node.this
        if zone is not None or _has_offset(value):
            return _instant(value)  # a zoned value keeps its instant
        # DataFusion reads a naive time as the wall clock in the target zone
        return from_wall(_instant(value), target)
    if zone is not None and _reads_wall_clock(node):
        return _in_local_time(node, zone)
    if zone is not None and isinstance(node, exp.Add | exp.Sub):
        return _shift_in_zone(node, zone)
    name = _name(node)
    if name == "tz":
        _tz_zone(node)  # checks the zone and the arguments
        return _instant(node.expressions[0])
    if name == "to_local_time":
        if len(node.expressions) != 1:
            raise Unsupported("to_local_time() takes 1 argument")
        value = _instant(node.expressions[0])
        return value if zone is None else to_wall(value, zone)
    if name == "date_bin_wallclock":
        args = node.expressions
        if len(args) not in (2, 3):
            raise Unsupported("date_bin_wallclock() takes 2 or 3 arguments")
        origin = args[2] if len(args) == 3 else None
        return wallclock_bin(args[0], _instant(args[1]), zone, origin)
    if name == "date_bin_wallclock_gapfill":
        node.meta["zone"] = zone  # for gapfill.py, which runs next and sees tz() rewritten
    return node


def _reads_wall_clock(node: exp.Expression) -> bool:
    if isinstance(node, exp.Extract):  # the epoch is the instant's, not the local clock's
        return node.this.name.lower() != "epoch"
    return isinstance(node, exp.TimestampTrunc | exp.TimeToStr)


def _shift_in_zone(node: exp.Add | exp.Sub, zone: str) -> exp.Expression:
    """A zoned time ± a literal interval as Arrow computes it: months and days on the zone's
    wall clock (a day after 12:00 is 12:00 the next day across a daylight-saving change), the
    rest on the instant. A fixed offset's wall clock moves with the instant."""
    value, interval = shift_parts(node) or (node, node)
    span = span_of(interval)
    if span is None or span.months == span.days == 0 or _offset_minutes(zone) is not None:
        return node
    op = exp.Add if isinstance(node, exp.Add) else exp.Sub
    calendar = exp.Interval(this=exp.Literal.string(f"{span.months} months {span.days} days"))
    moved = from_wall(op(this=to_wall(_instant(value), zone), expression=calendar), zone)
    if span.nanos == 0:
        return moved
    rest = exp.Interval(this=exp.Literal.string(f"{span.nanos} nanoseconds"))
    return op(this=_operand(moved), expression=rest)


def _in_local_time(node: exp.Expression, zone: str) -> exp.Expression:
    """date_part/EXTRACT, date_trunc and to_char of a zoned value, read on its local time as
    DataFusion reads it; date_trunc's result is zoned again (DataFusion keeps the zone)."""
    if isinstance(node, exp.Extract):
        return exp.Extract(this=node.this, expression=to_wall(node.expression, zone))
    if isinstance(node, exp.TimeToStr):
        local = exp.TimeToStr(this=to_wall(node.this.copy(), zone),
                              format=node.args.get("format"))
        # to_char.py prints %z and %Z from the instant and its local time
        local.meta.update(node.meta, zone=zone, instant=_instant(node.this))
        return local
    local = exp.TimestampTrunc(this=to_wall(node.this, zone), unit=node.args.get("unit"))
    return from_wall(local, zone)


def apply_zones(table: pa.Table, zones: Mapping[str, str]) -> pa.Table:
    """`table` with each named timestamp column typed with its zone (instants unchanged)."""
    for name, zone in zones.items():
        index = table.schema.get_field_index(name)
        if index < 0:
            continue
        field = table.schema.field(index)
        if not pa.types.is_timestamp(field.type):
            continue
        typed = pa.timestamp(field.type.unit, tz=zone)
        table = table.set_column(index, field.with_type(typed), table.column(index).cast(typed))
    return table
