"""InfluxDB 3 SQL to InfluxQL, for `/api/v3/query_sql` answered by a 1.x or 2.x upstream.

Covers the SQL that dashboards send to one table: plain columns, `*`, a handful of aggregates
and selectors, WHERE over time, tags and fields, GROUP BY `date_bin(...)` and tags, ORDER BY
time and GROUP BY tags, LIMIT and OFFSET. Anything else raises `Untranslatable`, whose message
names the construct. The InfluxQL is built as an `ast.SelectStatement` and written by
`render()`, so every identifier and literal is quoted by InfluxQL's own rules. This module
reads the SQL and puts the statement together; influxql_where translates conditions and time values,
influxql_select plans the SELECT list, GROUP BY, ORDER BY and LIMIT, influxql_answer rebuilds
the rows, and influxql_translation holds the types they share.

InfluxQL answers series, not rows, so the translation also describes each SQL output column
(`OutputColumn`) and `answer_table()` rebuilds SQL's rows from the upstream's series:

- a GROUP BY tag comes back in each series' tags, not as a column (1.x refuses tags beside
  aggregates): it is put back as a column, an empty or missing value as NULL;
- an aggregate without GROUP BY time answers time 0 (the epoch) or a selector's point time:
  that time is dropped unless the SQL selected a time bucket or a selector's `['time']`;
- buckets without points: 1.x fills them with nulls (`fill(null)`), SQL's date_bin answers
  none, so the statement asks for `fill(none)`;
- LIMIT and OFFSET cut each series in InfluxQL (and, with GROUP BY time, each aggregate's
  buckets before they are joined into rows) but the whole answer in SQL: grouped, the
  statement asks for `LIMIT limit+offset` per series and the cut is made after the merge
  (rows re-sorted across series by the ORDER BY keys, time and GROUP BY tags, a missing tag
  as NULL, first or last as the SQL says or implies);
- an aggregate over no rows at all is one row in SQL (count 0, others NULL), no series in 1.x;
- `count(*)` counts rows; InfluxQL's `count(*)` counts each field, so the row count is taken
  as the largest of those counts (exact when some field is present in every point);
- a raw query answers every point in SQL, but 1.x leaves out those whose selected columns
  are all null (or tags): the statement selects `*` besides, which every point has;
- a group (bucket or tag set) whose points all lack the aggregated fields is a row in SQL
  (counts 0, others NULL) and none in 1.x: grouped statements also ask for `count(*)`, which
  keeps such a group, and a group it counts no points in is dropped.

Refused because 1.x cannot answer them exactly: `first_value`/`last_value` without IGNORE
NULLS (1.x's first() and last() skip nulls), and beside GROUP BY `count(DISTINCT ...)` and a
selector's `['time']`, which cannot stand beside the `count(*)` above. The translation knows no
schema; where the answer depends on it (GROUP BY a field, which 1.x takes for a tag no point
has; an aggregate of a tag, which 1.x answers with nothing; a column the table lacks, NULL
to 1.x; a column compared with a value of another type or a tag with '', which 1.x finds no
point for or takes a missing tag to equal; min, max, sum... of text or booleans, which 1.x
refuses), `SqlTranslation.schema` is asked for in the same request and `check_schema()`
refuses. Text and booleans compared with <, <=, > or >= are refused without it (1.x orders
neither).

Left as they are (documented, not emulated): GROUP BY time without an upper time bound stops
at now(), and a tag missing from a point is NULL in SQL but "" in 1.x, so `tag != 'x'` and
`tag !~ 'x'` also keep the points without the tag.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlglot import exp

from translators.influxql import ast

from .influxdb3 import (
    READ_DIALECT,
    TABLE_CATALOGS,
    TABLE_SCHEMAS,
    SqlRejected,
    bind_parameters,
    parse_query,
)
from .influxql_answer import answer_table, check_schema
from .influxql_select import (
    ROW_COUNT,
    SelectPlan,
    clause_count,
    display_name,
    is_aggregate,
    order_keys,
)
from .influxql_translation import Origin, OutputColumn, SqlTranslation, Untranslatable
from .influxql_where import Where, identifier_name

__all__ = ["Origin", "OutputColumn", "SqlTranslation", "Untranslatable", "answer_table",
           "check_schema", "translate_sql"]


# -- parsing ------------------------------------------------------------------------------------

# Select clauses the subset leaves unsupported, by sqlglot's argument name.
_CLAUSES = {
    "with_": "WITH (common table expressions)", "joins": "JOIN", "having": "HAVING",
    "qualify": "QUALIFY", "windows": "WINDOW", "laterals": "LATERAL", "sample": "TABLESAMPLE",
    "pivots": "PIVOT", "exclude": "SELECT * EXCLUDE", "connect": "CONNECT BY",
    "distribute": "DISTRIBUTE BY", "sort": "SORT BY", "cluster": "CLUSTER BY",
    "locks": "FOR UPDATE",
}
_SUPPORTED = frozenset({"expressions", "from_", "where", "group", "order", "limit", "offset"})


def _parse(text: str, params: Mapping[str, object] | None) -> exp.Select:
    """One SELECT, read as the native path reads SQL, with `$name` parameters bound."""
    tree = parse_query(text)
    if isinstance(tree, exp.SetOperation):
        raise Untranslatable(type(tree).__name__.upper())
    if not isinstance(tree, exp.Select):
        raise SqlRejected("only SELECT queries are allowed")
    bind_parameters(tree, params)
    return tree


def _check_shape(tree: exp.Select) -> None:
    for key, value in tree.args.items():
        if key in _SUPPORTED or value in (None, [], False):
            continue
        if key == "distinct":
            raise Untranslatable("DISTINCT ON" if value.args.get("on") else "SELECT DISTINCT")
        if key == "joins" and all(not j.args.get("on") and not j.args.get("kind")
                                  and not j.args.get("side") for j in value):
            raise Untranslatable("a query over several tables")
        raise Untranslatable(_CLAUSES.get(key, key.upper()))
    for node in tree.walk():
        if node is not tree and isinstance(node, exp.Query | exp.Subquery):
            raise Untranslatable("a subquery")
        if isinstance(node, exp.Window):
            raise Untranslatable("window functions (OVER)")


def _source(tree: exp.Select) -> tuple[str, str]:
    """(measurement, the name columns may be qualified with)."""
    clause = tree.args.get("from_")
    if clause is None:
        raise Untranslatable("a SELECT without FROM")
    table = clause.this
    if not isinstance(table, exp.Table) or not isinstance(table.this, exp.Identifier):
        raise Untranslatable(f"FROM {type(table).__name__.lower()}")
    db, catalog = table.args.get("db"), table.args.get("catalog")
    if (db is not None and identifier_name(db) not in TABLE_SCHEMAS) or (
            catalog is not None and identifier_name(catalog) not in TABLE_CATALOGS):
        raise Untranslatable(f"table '{table.sql(dialect=READ_DIALECT)}'")
    alias = table.args.get("alias")
    if alias is not None and alias.args.get("columns"):
        raise Untranslatable("column aliases on a table")
    name = identifier_name(table.this)
    return name, identifier_name(alias.this) if alias is not None and alias.this else name


# -- the translation ----------------------------------------------------------------------------


def translate_sql(text: str, params: Mapping[str, object] | None = None) -> SqlTranslation:
    """InfluxQL for one InfluxDB 3 SQL SELECT, and how to read its answer back as SQL rows.

    Raises `SqlRejected` for SQL that does not parse or is not one SELECT, `Untranslatable`
    (a subclass) for SQL outside the subset InfluxQL can express.
    """
    try:
        return _translate(_parse(text, params))
    except RecursionError:
        raise SqlRejected("the query nests too deeply") from None


def _translate(tree: exp.Select) -> SqlTranslation:
    _check_shape(tree)
    measurement, qualifier = _source(tree)
    where = Where(qualifier)
    items = [(identifier_name(e.args["alias"]) if isinstance(e, exp.Alias)
               else display_name(e, qualifier),
              e.this if isinstance(e, exp.Alias) else e) for e in tree.expressions]
    names = [n for n, _ in items]
    if len(set(names)) != len(names):
        duplicates = sorted({n for n in names if names.count(n) > 1})
        raise SqlRejected("result column names must be unique: " + ", ".join(duplicates))
    aggregate = tree.args.get("group") is not None or any(is_aggregate(e) for _, e in items)
    plan = SelectPlan(where, items, aggregate)
    plan.group(tree.args.get("group"))
    columns = [plan.output(name, node) for name, node in items]
    grouped = tree.args.get("group") is not None
    if plan.selector_time is not None:
        if plan.bucket is not None or plan.row_count or plan.fields not in (
                [], [plan.selector_time]):
            # 1.x answers a point's time only for a lone selector without GROUP BY time.
            raise Untranslatable("a selector's ['time'] beside other aggregates or date_bin")
        if grouped:
            # A group without the field is a NULL row in SQL and no series in 1.x, which
            # only a row count beside the selector could tell; with one, 1.x answers time 0.
            raise Untranslatable("a selector's ['time'] with GROUP BY")
        plan.position(plan.selector_time)
    distinct = any(isinstance(f, ast.Call) and f.args and isinstance(f.args[0], ast.Call)
                   and f.args[0].name == "distinct" for f in plan.fields)
    if distinct and len(plan.fields) > 1:
        # 1.x: "aggregate function distinct() cannot be combined with other functions or fields"
        raise Untranslatable("count(DISTINCT ...) beside other aggregates")
    if distinct and grouped:
        # A group whose points lack the column counts 0 in SQL; 1.x answers no row for it,
        # and the row count that would tell cannot stand beside distinct().
        raise Untranslatable("count(DISTINCT ...) with GROUP BY")
    presence = 0
    raw_points = not aggregate and ast.Wildcard() not in plan.fields
    if plan.row_count or not plan.fields or grouped or raw_points:
        # No field named: 1.x still needs one; counting every field keeps every point/group.
        # Raw, 1.x answers no row for a point whose selected columns are all null or tags,
        # where SQL answers a row: `*` beside them keeps every point.
        # Grouped, SQL answers a row for every group with points, where 1.x answers none for
        # a bucket or tag set whose points lack every aggregated field: the row count tells
        # those groups apart from the ones with no points (fill(none) leaves those out).
        columns = [OutputColumn(c.name, c.origin, position=len(plan.fields) + 1, count=True)
                   if c.origin is Origin.ROW_COUNT else c for c in columns]
        plan.fields.append(ROW_COUNT if aggregate else ast.Wildcard())
        presence = len(plan.fields) if grouped else 0
    condition = where.condition(tree.args["where"].this) if tree.args.get("where") else None
    order = order_keys(tree.args.get("order"), plan)
    # Each series comes back in time order; the SQL's time direction is asked for, so that
    # the rows a per-series LIMIT keeps are the ones the whole answer's order starts with.
    descending = next((k.descending for k in order if k.tag is None), None)
    limit = clause_count(tree.args.get("limit"), "LIMIT")
    offset = clause_count(tree.args.get("offset"), "OFFSET") or 0
    # 1.x cuts each series, with OFFSET alone answering one row and LIMIT 0 meaning none.
    pushed_limit, pushed_offset, post_offset, post_limit = 0, 0, offset, limit
    global_aggregate = aggregate and not grouped
    if global_aggregate:
        pass  # one row at most, perhaps made up here: cut only afterwards
    elif limit == 0:
        pushed_limit = 1
    elif limit is not None and not aggregate:
        pushed_limit, pushed_offset, post_offset, post_limit = limit, offset, 0, None
    elif limit is not None:
        # 1.x cuts each aggregate's own buckets (fill(none) drops different ones for each
        # field) before it joins them into rows: the first limit+offset of each hold every
        # row of the answer, and the cut is made after the join.
        pushed_limit = limit + offset
    dimensions = [ast.Dimension(plan.interval)] if plan.interval is not None else []
    dimensions += [ast.Dimension(ast.VarRef(tag)) for tag in plan.tags]
    statement = ast.SelectStatement(
        fields=tuple(ast.Field(f) for f in plan.fields),
        sources=(ast.Measurement(measurement),), condition=condition,
        dimensions=tuple(dimensions),
        fill=ast.FillOption.NONE if plan.interval is not None else ast.FillOption.NULL,
        sort_fields=(ast.SortField("time", False),) if descending else (),
        limit=pushed_limit, offset=pushed_offset)
    return SqlTranslation(statement, tuple(columns), global_aggregate=global_aggregate,
                          presence=presence,
                          descending=descending, order=order, offset=post_offset,
                          limit=post_limit)

