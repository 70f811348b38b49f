"""Casts and integer division as DataFusion types them, written for DuckDB.

DataFusion casts with Arrow's kernels: a timestamp cast to an integer is its count of the
type's unit (nanoseconds for `time`), a float cast to an integer is truncated, and
`arrow_cast(value, 'Type')` names the Arrow type to cast to. An integer divided by an integer
is an integer, truncated, and dividing one by zero fails the query (DuckDB's `/` always
divides as floats). DuckDB cannot ask a value's type while it plans, so the type is worked out
here from the query: literals, the database's column types, casts and the functions whose
type is known. Where it cannot be known, the expression is left to DuckDB.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from sqlglot import exp

from .datafusion import Unsupported

# what a value is, as far as these rewrites care: an integer, a float, text, a boolean, or a
# timestamp counted in seconds, milliseconds, microseconds or nanoseconds
INT, FLOAT, TEXT, BOOL = "int", "float", "text", "bool"
_UNITS = {"s": 1_000_000_000, "ms": 1_000_000, "us": 1_000, "ns": 1}
_KIND = "datafusion_kind"  # meta key: the kind of an expression built here

_ARROW_KINDS = {
    **dict.fromkeys(("Int8", "Int16", "Int32", "Int64", "UInt8", "UInt16", "UInt32",
                     "UInt64"), INT),
    "Float32": FLOAT, "Float64": FLOAT, "Utf8": TEXT, "LargeUtf8": TEXT, "Utf8View": TEXT,
    "Dictionary(Int32, Utf8)": TEXT, "Boolean": BOOL, "Timestamp(Nanosecond, None)": "ns",
    "Timestamp(Microsecond, None)": "us", "Timestamp(Millisecond, None)": "ms",
    "Timestamp(Second, None)": "s",
}
# arrow_cast targets the native store answers, and the DuckDB type each is cast to
_TARGETS = {
    "Int8": "TINYINT", "Int16": "SMALLINT", "Int32": "INT", "Int64": "BIGINT",
    "UInt8": "UTINYINT", "UInt16": "USMALLINT", "UInt32": "UINT", "UInt64": "UBIGINT",
    "Float32": "FLOAT", "Float64": "DOUBLE", "Utf8": "VARCHAR", "LargeUtf8": "VARCHAR",
    "Utf8View": "VARCHAR", "Dictionary(Int32, Utf8)": "VARCHAR", "Boolean": "BOOLEAN",
}
_TIMESTAMP_TARGETS = {name: unit for name, unit in _ARROW_KINDS.items() if unit in _UNITS}
# the words Arrow's type parser knows (arrow 56, as InfluxDB 3 uses it)
_ARROW_WORDS = frozenset((
    "Null Boolean Int8 Int16 Int32 Int64 UInt8 UInt16 UInt32 UInt64 Utf8 LargeUtf8 Utf8View "
    "Binary BinaryView LargeBinary Float16 Float32 Float64 Date32 Date64 List LargeList "
    "FixedSizeList Second Millisecond Microsecond Nanosecond Timestamp Time32 Time64 Duration "
    "Interval Dictionary FixedSizeBinary Decimal128 Decimal256 YearMonth DayTime MonthDayNano "
    "Some None Struct").split())

_TYPES = exp.DataType.Type
_TYPE_KINDS = {
    **dict.fromkeys((_TYPES.TINYINT, _TYPES.SMALLINT, _TYPES.INT, _TYPES.BIGINT,
                     _TYPES.UTINYINT, _TYPES.USMALLINT, _TYPES.UINT, _TYPES.UBIGINT), INT),
    **dict.fromkeys((_TYPES.FLOAT, _TYPES.DOUBLE), FLOAT),
    **dict.fromkeys((_TYPES.VARCHAR, _TYPES.TEXT, _TYPES.CHAR), TEXT),
    _TYPES.BOOLEAN: BOOL, _TYPES.TIMESTAMP: "ns", _TYPES.TIMESTAMP_NS: "ns",
    _TYPES.TIMESTAMP_MS: "ms", _TYPES.TIMESTAMP_S: "s",
}
# functions whose value keeps the kind of their first argument
_SAME_KIND = (exp.Paren, exp.Neg, exp.Abs, exp.Min, exp.Max, exp.Sum, exp.First, exp.Last,
              exp.FirstValue, exp.LastValue, exp.Coalesce)
_NANOSECONDS = (exp.DateBin, exp.TimestampTrunc, exp.DateTrunc, exp.CurrentTimestamp,
                exp.UnixToTime)
_TO_TIMESTAMP = {"to_timestamp_seconds": "s", "from_unixtime": "s", "to_timestamp_millis": "ms",
                 "to_timestamp_micros": "us", "to_timestamp_nanos": "ns"}


def rewrite_casts(tree: exp.Expression,
                  columns: Mapping[str, Sequence[tuple[str, str]]] | None) -> exp.Expression:
    """`tree` with arrow_cast, casts to integers and integer division as DataFusion means
    them (raises Unsupported for an arrow_cast the native store cannot answer)."""
    candidates = [node for node in tree.walk() if isinstance(node, exp.Cast | exp.Div)
                  or (isinstance(node, exp.Anonymous) and node.name.lower() == "arrow_cast")]
    if not candidates:
        return tree
    kinds = _column_kinds(tree, columns)
    for node in reversed(candidates):  # children first: an operand is rewritten before use
        new = _rewrite(node, kinds)
        if new is not node:
            if node is tree:
                return new
            node.replace(new)
    return tree


def _rewrite(node: exp.Expression, kinds: Mapping[str, str]) -> exp.Expression:
    if isinstance(node, exp.Anonymous):
        return _arrow_cast(node.expressions, kinds)
    if isinstance(node, exp.Div):
        if kind_of(node.this, kinds) == INT and kind_of(node.expression, kinds) == INT:
            # DataFusion divides integers as integers; DuckDB's // does, and fails on zero
            return exp.IntDiv(this=node.this, expression=node.expression)
        return node
    assert isinstance(node, exp.Cast)
    if _TYPE_KINDS.get(node.to.this) == INT and not node.to.expressions:
        return _to_integer(node.this, node.to, kinds)
    return node


def _to_integer(value: exp.Expression, to: exp.DataType,
                kinds: Mapping[str, str]) -> exp.Expression:
    kind = kind_of(value, kinds)
    if kind in _UNITS:  # Arrow casts a timestamp to the count of its unit since the epoch
        value = _count(value, kind)
        if to.this == _TYPES.BIGINT:
            return value
    elif kind == FLOAT:  # Arrow truncates a float; DuckDB would round it
        value = exp.Trunc(this=value)
    return _marked(exp.Cast(this=value, to=to.copy()), INT)


def _count(value: exp.Expression, unit: str) -> exp.Expression:
    nanos = exp.Anonymous(this="epoch_ns", expressions=[value])
    if unit == "ns":
        return _marked(nanos, INT)
    return _marked(exp.IntDiv(this=nanos, expression=exp.Literal.number(_UNITS[unit])), INT)


def _arrow_cast(args: list[exp.Expression], kinds: Mapping[str, str]) -> exp.Expression:
    if len(args) != 2:
        raise Unsupported(f"Execution error: arrow_cast function requires 2 arguments, "
                          f"got {len(args)}")
    value, target = args
    if not target.is_string or not target.name:
        raise Unsupported("Execution error: arrow_cast requires its second argument to be a "
                          "non-empty constant string")
    written = target.name
    name = _canonical(written)
    if name in _TIMESTAMP_TARGETS:
        return _to_timestamp(value, _TIMESTAMP_TARGETS[name], kinds)
    if name not in _TARGETS:
        raise Unsupported(_refusal(written))
    to = exp.DataType.build(_TARGETS[name])
    if _ARROW_KINDS[name] == INT:
        return _to_integer(value, to, kinds)
    return _marked(exp.Cast(this=value, to=to), _ARROW_KINDS[name])


def _to_timestamp(value: exp.Expression, unit: str,
                  kinds: Mapping[str, str]) -> exp.Expression:
    kind = kind_of(value, kinds)
    count = value  # Arrow reads an integer as a count of the unit
    if kind != INT:
        if unit == "ns":  # to the nanosecond, as nanosecond_casts makes every TIMESTAMP cast
            return _marked(exp.Cast(this=value, to=exp.DataType.build("TIMESTAMP")), "ns")
        if kind not in _UNITS:  # text: read as a timestamp first
            value = exp.Cast(this=value, to=exp.DataType.build("TIMESTAMP"))
        count = _count(value, unit)  # its count of the unit, truncated as Arrow does
    if unit == "s":  # DuckDB builds a timestamp from microseconds
        wide = exp.Cast(this=count, to=exp.DataType.build("BIGINT"))
        count = exp.Mul(this=wide, expression=exp.Literal.number(1_000_000))
    built = {"ns": "make_timestamp_ns", "us": "make_timestamp", "ms": "epoch_ms",
             "s": "make_timestamp"}[unit]
    instant: exp.Expression = exp.Anonymous(this=built, expressions=[count])
    if unit in ("ms", "s"):  # DuckDB has a type for each unit, as Arrow does
        to = _TYPES.TIMESTAMP_MS if unit == "ms" else _TYPES.TIMESTAMP_S
        instant = exp.Cast(this=instant, to=exp.DataType(this=to))
    return _marked(instant, unit)


def _canonical(written: str) -> str:
    """An Arrow type name with the spaces Arrow's parser skips put back as it prints them."""
    return re.sub(r"\s*,\s*", ", ", re.sub(r"\s*([()])\s*", r"\1", written.strip()))


def _refusal(written: str) -> str:
    word = re.split(r"[\s(),:]", written.strip(), maxsplit=1)[0]
    if word in _ARROW_WORDS:
        supported = ", ".join([*_TARGETS, *_TIMESTAMP_TARGETS])
        return (f"arrow_cast to '{written}' is not supported on the native store; it casts "
                f"to {supported}")
    # DataFusion's words for a type Arrow's parser does not know
    return (f"Execution error: Unsupported type '{written}'. Must be a supported arrow type "
            f"name such as 'Int32' or 'Timestamp(Nanosecond, None)'. Error unrecognized word: "
            f"{word}")


def _marked(node: exp.Expression, kind: str) -> exp.Expression:
    node.meta[_KIND] = kind
    return node


def _column_kinds(tree: exp.Expression,
                  columns: Mapping[str, Sequence[tuple[str, str]]] | None) -> dict[str, str]:
    """The kind of each column name that has one kind in every table the query reads."""
    if columns is None:
        return {"time": "ns"}
    seen: dict[str, set[str | None]] = {}
    for name in {table.name for table in tree.find_all(exp.Table)}:
        for column, arrow in columns.get(name, ()):
            seen.setdefault(column, set()).add(_ARROW_KINDS.get(arrow))
    return {column: next(iter(found)) for column, found in seen.items()
            if len(found) == 1 and None not in found}


def kind_of(node: exp.Expression, kinds: Mapping[str, str]) -> str | None:
    """What `node` is as DataFusion types it (see the module's kinds), or None if unknown."""
    marked = node.meta.get(_KIND) if node._meta else None
    if marked is not None:
        return marked
    if isinstance(node, exp.Literal):
        if node.is_string:
            return TEXT
        return INT if re.fullmatch(r"\d+", node.name) else FLOAT
    if isinstance(node, exp.Boolean):
        return BOOL
    if isinstance(node, exp.Column) and isinstance(node.this, exp.Identifier):
        name = node.this.this if node.this.quoted else node.this.this.lower()
        return kinds.get(name)
    if isinstance(node, exp.Cast):
        return None if node.to.expressions else _TYPE_KINDS.get(node.to.this)
    if isinstance(node, _SAME_KIND):
        return kind_of(node.this, kinds) if isinstance(node.this, exp.Expression) else None
    if isinstance(node, exp.Add | exp.Sub | exp.Mul | exp.Mod | exp.IntDiv | exp.Div):
        pair = {kind_of(node.this, kinds), kind_of(node.expression, kinds)}
        return pair.pop() if pair in ({INT}, {FLOAT}) else FLOAT if pair == {INT, FLOAT} \
            else None
    if isinstance(node, exp.Count):
        return INT
    if isinstance(node, exp.Avg):
        return FLOAT
    if isinstance(node, exp.Extract):  # DataFusion's date_part gives integers but for epoch
        return FLOAT if node.this.name.upper() == "EPOCH" else INT
    if isinstance(node, _NANOSECONDS):
        return "ns"
    if isinstance(node, exp.Anonymous):
        return _TO_TIMESTAMP.get(node.name.lower())
    return None
