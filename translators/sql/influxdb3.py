"""Translate a user's InfluxDB 3 SQL query into DuckDB SQL confined to one database.

The query is parsed with sqlglot (PostgreSQL's grammar is the closest to DataFusion's) and
rejected unless it is a single read statement whose tables all belong to the addressed
database. Table references are resolved scope by scope (a CTE name counts only where that CTE
is visible) and rewritten to that database's DuckDB schema. FROM and JOIN take tables,
subqueries, UNNEST and VALUES only; LATERAL takes a subquery only. Functions sqlglot knows are
standard SQL and allowed unless they touch files or settings; any other function must be on
an allowlist, because DuckDB has functions that run SQL text or list every schema. `$name`
parameters are replaced by literals. The storage engine is also locked down, but nothing
refused here ever reaches it.

`parse_query` and `bind_parameters` are also how the translation to InfluxQL (to_influxql.py)
reads SQL, so both paths accept, refuse and word their refusals alike.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.dialects.postgres import Postgres
from sqlglot.errors import ParseError, SqlglotError, TokenError
from sqlglot.optimizer.scope import traverse_scope
from sqlglot.tokens import TokenType

from . import information_schema
from .casts import rewrite_casts
from .clauses import check_clauses
from .datafusion import Unsupported, nanosecond_casts, rewrite_functions
from .date_bin import build_date_bin, check_date_bins
from .gapfill import rewrite_gapfill
from .gapfill_limit import GUARD
from .numbers import type_big_integers
from .result_names import WRITTEN_PART, name_results
from .size_guards import UNBOUNDED, guard_sizes
from .text_times import UnreadableTime, read_time_text
from .to_char import CHRONO, build_to_char, render_to_char
from .type_checks import check_types, coerce_comparisons
from .wrapping import mark_wrapping, wrap_integers
from .zones import rewrite_zones


def _parse_date_part(parser: Postgres.Parser) -> exp.Expression:
    """date_part('part', value) as sqlglot reads it (an EXTRACT), keeping the part as written:
    DataFusion names the column by it (`date_part(Utf8("hour"),cpu.time)`)."""
    first = parser._curr
    node = Postgres.Parser.FUNCTION_PARSERS["DATE_PART"](parser)
    if first is not None and first.token_type is TokenType.STRING:
        node.meta[WRITTEN_PART] = first.text
    elif not isinstance(node.this, exp.Parameter | exp.Placeholder):
        # sqlglot reads a column or NULL there as a part's name (`s` as seconds); DataFusion
        # wants a text literal and refuses the query
        node.meta[_PART_NOT_TEXT] = True
    return node


_PART_NOT_TEXT = "part_not_text"  # meta key: a date_part() whose part is no text literal
_DATE_PART_PART = "Execution error: First argument of `DATE_PART` must be non-null scalar Utf8"


class InfluxSql(Postgres):
    """PostgreSQL as sqlglot reads it, with DATE_BIN's arguments read by position and
    DataFusion's aliases datetrunc, datepart and mean read as date_trunc, date_part and avg."""

    class Parser(Postgres.Parser):
        FUNCTIONS = {**Postgres.Parser.FUNCTIONS, "DATE_BIN": build_date_bin,
                     "TO_CHAR": build_to_char, "DATE_FORMAT": build_to_char,
                     "DATETRUNC": Postgres.Parser.FUNCTIONS["DATE_TRUNC"],
                     # DataFusion's alias of avg; the result is named avg(...), as it plans it
                     "MEAN": Postgres.Parser.FUNCTIONS["AVG"]}
        FUNCTION_PARSERS = {**Postgres.Parser.FUNCTION_PARSERS,
                            "DATE_PART": _parse_date_part, "DATEPART": _parse_date_part}


READ_DIALECT = InfluxSql
WRITE_DIALECT = "duckdb"
# InfluxDB 3 exposes tables as iox.<table> (and public.iox.<table>) as well as bare names.
TABLE_SCHEMAS = frozenset({"iox"})
TABLE_CATALOGS = frozenset({"public"})

_DENIED_PREFIXES = ("read_", "duckdb_", "pragma_", "parquet_", "sqlite_", "postgres_",
                    "mysql_", "iceberg_", "delta_")
# Functions sqlglot does not model (exp.Anonymous) that may be used; DuckDB has others that run
# SQL text (json_execute_serialized_sql, query) or describe every schema (duckdb_tables).
ALLOWED_UNMODELLED = frozenset({
    "epoch_ns", "epoch_us", "epoch_ms", "make_timestamp_ns", "to_timestamp_ns",
    "regexp_matches", "string_split", "list_value", "greatest", "least", "hash",
    "time_bucket", "arg_max", "arg_min", "quantile_cont", "quantile_disc", "median", "mode",
    "stddev_samp", "stddev_pop", "var_samp", "var_pop", "bit_count", "ln", "log2", "log10",
    "approx_quantile", "make_timestamp", "typeof", "cast_to_type",
})
_SOURCES = (exp.Table, exp.Subquery, exp.Unnest, exp.Values, exp.Lateral)
_DENIED = frozenset({
    "glob", "getenv", "current_setting", "getvariable", "query", "query_table", "sniff_csv",
    "parquet_scan", "csv_scan", "json_scan", "icu_calendar_names", "which_secret",
    "load_aws_credentials", "set_variable", "read_text", "read_blob", "txid_current",
})


class SqlRejected(ValueError):
    """The query cannot run: it does not parse, or does something other than read."""


@dataclass(frozen=True, slots=True)
class Translation:
    """DuckDB SQL for a query, and the time zone of each result column that has one (the
    SQL gives every time as a naive UTC instant; see zones.apply_zones)."""

    sql: str
    zones: Mapping[str, str] = field(default_factory=dict)
    explain: Explain | None = None  # the query's plan is asked for, not its rows


@dataclass(frozen=True, slots=True)
class Explain:
    """`EXPLAIN [ANALYZE] [VERBOSE]` before a query: its plan, run (with its metrics) or not."""

    analyze: bool
    verbose: bool


def split_explain(text: str) -> tuple[Explain | None, str]:
    """The EXPLAIN words leading `text`, if any, and the statement they ask about."""
    try:
        tokens = InfluxSql().tokenize(text)
        if not tokens or tokens[0].token_type is not TokenType.COMMAND \
                or tokens[0].text.upper() != "EXPLAIN":
            return None, text
        rest = text[tokens[0].end + 1:]  # sqlglot reads it as one string: read its words
        words = InfluxSql().tokenize(rest)
    except TokenError:
        return None, text  # parse_query words the error
    analyze = bool(words) and words[0].text.upper() == "ANALYZE"
    verbose = len(words) > analyze and words[int(analyze)].text.upper() == "VERBOSE"
    first = int(analyze) + int(verbose)
    if first >= len(words):
        raise SqlRejected("error parsing SQL: EXPLAIN needs a statement to explain")
    return Explain(analyze, verbose), rest[words[first].start:]


def _function_name(node: exp.Func) -> str:
    if isinstance(node, exp.Anonymous):
        return str(node.this).lower()
    return node.sql_name().lower()


def _name(identifier: exp.Identifier | str) -> str:
    if isinstance(identifier, exp.Identifier):
        return identifier.this if identifier.quoted else identifier.this.lower()
    return identifier.lower()


def _literal(value: object) -> exp.Expression:
    if value is None:
        return exp.Null()
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, float) and not math.isfinite(value):
        # written as a number, nan or inf would be read back as a column name
        raise SqlRejected(f"unsupported parameter value: {value}")
    if isinstance(value, int | float):
        return exp.Literal.number(value)
    if isinstance(value, str):
        return exp.Literal.string(value)
    raise SqlRejected(f"unsupported parameter value type: {type(value).__name__}")


def parse_query(text: str) -> exp.Query:
    """The one read-only query in `text`, as InfluxDB 3 SQL; raises SqlRejected (with the
    line and column of a syntax error)."""
    try:
        statements = [s for s in sqlglot.parse(text, read=READ_DIALECT) if s is not None]
    except ParseError as exc:
        first = exc.errors[0] if exc.errors else {}
        where = f" at line {first.get('line')}, column {first.get('col')}" if first else ""
        raise SqlRejected(f"error parsing SQL: {first.get('description', exc)}{where}") from None
    except TokenError as exc:
        raise SqlRejected(f"error parsing SQL: {exc}") from None
    if not statements:
        raise SqlRejected("no SQL statement given")
    if len(statements) > 1:
        raise SqlRejected("only one SQL statement may be sent per query")
    tree = statements[0]
    if not isinstance(tree, exp.Query) or tree.find(exp.Into) is not None:
        raise SqlRejected("only SELECT queries are allowed")
    for node in tree.walk():
        if isinstance(node, exp.Command | exp.DDL | exp.DML | exp.Pragma | exp.Set):
            raise SqlRejected("only SELECT queries are allowed")
        if node.meta.get(_PART_NOT_TEXT) if node._meta else False:
            raise SqlRejected(_DATE_PART_PART)
    try:
        check_date_bins(tree)
    except Unsupported as exc:
        raise SqlRejected(str(exc)) from None
    return tree


def bind_parameters(tree: exp.Expression, params: Mapping[str, object] | None) -> None:
    """Replace every `$name` parameter in `tree` by its value, as a literal, and check the
    bound values as written ones are checked."""
    params = params or {}
    bound = False
    for node in list(tree.walk()):
        if isinstance(node, exp.Placeholder | exp.Parameter):
            if node.name not in params:
                raise SqlRejected(f"no value given for parameter ${node.name}")
            node.replace(_literal(params[node.name]))
            bound = True
    if bound:  # a date_bin origin given as a parameter is refused in DataFusion's words too
        try:
            check_date_bins(tree)
        except Unsupported as exc:
            raise SqlRejected(str(exc)) from None


def translate_query(text: str, **options: Any) -> str:
    """DuckDB SQL for `text`: `translate(text, **options).sql`."""
    return translate(text, **options).sql


def translate(
    text: str,
    *,
    schema: str,
    tables: Collection[str],
    params: Mapping[str, object] | None = None,
    row_limit: int | None = None,
    columns: information_schema.Columns | None = None,
    fill_limit: int | None = None,
    size_limit: int | None = None,
) -> Translation:
    """The translation of `text`, reading only tables of `schema` (raises SqlRejected).

    With `row_limit`, the query is wrapped to return at most that many rows. With `columns`
    (each table's columns and their Arrow types), `information_schema` and SHOW TABLES /
    SHOW COLUMNS describe the database. With `fill_limit`, gap filling that would make more
    rows stops first with an error naming it; with `size_limit`, so does a repeat, space, lpad,
    rpad or generate_series call that would make a larger value (size_guards.py).
    """
    try:
        return _translate(text, schema, tables, params, row_limit, columns, fill_limit,
                          size_limit)
    except RecursionError:
        raise SqlRejected("the query nests too deeply") from None
    except SqlglotError as exc:  # a rewrite met a shape it cannot build: the query's, not a 500
        raise SqlRejected(f"cannot translate the query: {exc}") from None


def _translate(text: str, schema: str, tables: Collection[str],
               params: Mapping[str, object] | None, row_limit: int | None,
               columns: information_schema.Columns | None,
               fill_limit: int | None, size_limit: int | None) -> Translation:
    explain, text = split_explain(text)
    show = information_schema.show_query(text)
    if show is None:
        tree = parse_query(text)
    elif columns is None:
        raise SqlRejected("SHOW is not supported here")
    elif isinstance(show, str):
        raise SqlRejected(f"SHOW COLUMNS: cannot read the table name {show!r}")
    else:
        tree = show
    _check_sources(tree)
    _rewrite_tables(tree, schema, tables, columns)
    name_results(tree)  # before binding: an unaliased `$name` keeps its name
    # DataFusion binds parameters before planning, so the rewrites below see the values
    bind_parameters(tree, params)
    try:
        check_clauses(tree)
        check_types(tree, columns)
        tree = coerce_comparisons(tree, columns)
        mark_wrapping(tree, columns)  # while the types can be told; wrapped below
        tree = rewrite_casts(tree, columns)  # arrow_cast, casts to integers, integer division
        tree = nanosecond_casts(tree)  # the user's casts only, before the rewrites add theirs
        tree = read_time_text(tree)
        tree, zones = rewrite_zones(tree)
        tree = rewrite_gapfill(tree, fill_limit)
        tree = _render_to_chars(tree)
        tree = rewrite_functions(tree)
        tree = wrap_integers(tree)
        tree = guard_sizes(tree, size_limit)
        tree = type_big_integers(tree)
    except (Unsupported, UnreadableTime) as exc:
        raise SqlRejected(str(exc)) from None
    for node in tree.walk():
        if isinstance(node, exp.Func):
            name = _function_name(node)
            if name in _DENIED or name.startswith(_DENIED_PREFIXES):
                raise SqlRejected(f"function {name} is not allowed")
            if name in UNBOUNDED or isinstance(node, exp.Anonymous) and name not in \
                    ALLOWED_UNMODELLED and not node.meta.get(GUARD):  # the guards' error()
                raise SqlRejected(f"function {name} is not supported")
    names = [n for n in tree.named_selects if n]  # unnamed expressions get DuckDB's names
    if "*" not in names and len(set(names)) != len(names):
        duplicates = sorted({n for n in names if names.count(n) > 1})
        raise SqlRejected("result column names must be unique: " + ", ".join(duplicates))
    if row_limit is not None and explain is None:  # a plan is a few rows
        # the tree is this request's own: sqlglot's defensive copies of it are not needed
        tree = exp.select(exp.Star(), copy=False).from_(
            tree.subquery("__result", copy=False), copy=False).limit(row_limit, copy=False)
    return Translation(tree.sql(dialect=WRITE_DIALECT), zones, explain)


def _render_to_chars(tree: exp.Expression) -> exp.Expression:
    """Every to_char/date_format call rendered with its chrono format (zones already read)."""
    for node in reversed(list(tree.find_all(exp.TimeToStr))):
        if node.meta.get(CHRONO):
            new = render_to_char(node)
            if node is tree:
                return new
            node.replace(new)
    return tree


def _check_sources(tree: exp.Expression) -> None:
    """FROM and JOIN read tables, subqueries, UNNEST or VALUES; LATERAL only subqueries."""
    for clause in tree.find_all(exp.From, exp.Join):
        source = clause.this
        if not isinstance(source, _SOURCES):
            raise SqlRejected(f"{type(source).__name__.lower()} is not allowed in FROM")
    for lateral in tree.find_all(exp.Lateral):
        if not isinstance(lateral.this, exp.Subquery | exp.Query):
            raise SqlRejected("LATERAL takes a subquery only")


def _rewrite_tables(tree: exp.Expression, schema: str, tables: Collection[str],
                    columns: information_schema.Columns | None = None) -> None:
    """Resolve every table reference in the scope it stands in.

    Every CTE gets a generated name and exactly the references sqlglot resolves to it are
    renamed, so no unqualified name can mean a CTE to sqlglot and a catalog view to DuckDB
    (a recursive CTE's anchor, names that fold alike in one and not the other). Any other
    table must be one of the database's own.
    """
    try:
        scopes = list(traverse_scope(tree))
    except SqlglotError as exc:
        raise SqlRejected(f"cannot resolve the query's tables: {exc}") from None
    generated = {id(cte): f"__cte_{n}" for n, cte in enumerate(tree.find_all(exp.CTE))}
    seen: set[int] = set()
    for scope in scopes:
        for table in scope.tables:
            if id(table) in seen:
                continue
            seen.add(id(table))
            qualified = table.args.get("db") or table.args.get("catalog")
            source = None if qualified else scope.cte_sources.get(table.name)
            if source is None:
                _rewrite_table(table, schema, tables, columns)
                continue
            cte = source.expression if isinstance(source.expression, exp.CTE) else \
                source.expression.find_ancestor(exp.CTE)
            if cte is None or id(cte) not in generated:
                raise SqlRejected(f"cannot resolve table '{table.name}'")
            if not table.alias:  # keep `name.column` references working
                table.set("alias", exp.TableAlias(this=exp.to_identifier(table.name,
                                                                         quoted=True)))
            table.set("this", exp.to_identifier(generated[id(cte)], quoted=True))
    if any(id(table) not in seen for table in tree.find_all(exp.Table)):
        raise SqlRejected("a table reference could not be resolved")
    for cte in tree.find_all(exp.CTE):
        alias = cte.args.get("alias")
        if not isinstance(alias, exp.TableAlias):
            raise SqlRejected("a CTE needs a name")
        alias.set("this", exp.to_identifier(generated[id(cte)], quoted=True))


def _rewrite_table(node: exp.Table, schema: str, tables: Collection[str],
                   columns: information_schema.Columns | None) -> None:
    if not isinstance(node.this, exp.Identifier):
        raise SqlRejected("table functions are not allowed")
    for part in ("db", "catalog"):
        if node.args.get(part) is not None and not isinstance(node.args[part], exp.Identifier):
            raise SqlRejected("unsupported table reference")
    name = _name(node.this)
    qualifier = _name(node.args["db"]) if node.args.get("db") else None
    catalog = _name(node.args["catalog"]) if node.args.get("catalog") else None
    if catalog is not None and catalog not in TABLE_CATALOGS:
        raise SqlRejected(f"table '{node.sql(dialect=READ_DIALECT)}' not found")
    if qualifier == information_schema.SCHEMA and columns is not None:
        rows = information_schema.view(name, columns)
        if rows is None:
            raise SqlRejected(f"table '{node.sql(dialect=READ_DIALECT)}' not found")
        alias = exp.TableAlias(this=exp.to_identifier(node.alias or name, quoted=True))
        node.replace(exp.Subquery(this=rows, alias=alias))
        return
    if qualifier is not None and qualifier not in TABLE_SCHEMAS:
        raise SqlRejected(f"table '{node.sql(dialect=READ_DIALECT)}' not found")
    if name not in tables:
        raise SqlRejected(f"table '{name}' not found")
    alias = node.alias
    node.set("this", exp.to_identifier(name, quoted=True))
    node.set("db", exp.to_identifier(schema, quoted=True))
    node.set("catalog", None)
    if not alias:  # keep `cpu.usage` style references working after qualification
        node.set("alias", exp.TableAlias(this=exp.to_identifier(name, quoted=True)))
