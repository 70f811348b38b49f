"""InfluxDB 3 SQL to DuckDB: confinement to one database, read-only, parameters."""

from __future__ import annotations

import pytest
from sqlglot import exp
from sqlglot.errors import SqlglotError

from translators.sql import SqlRejected, influxdb3, translate_query

TABLES = {"cpu", "mem", "Mixed"}


def translate(text: str, **params: object) -> str:
    return translate_query(text, schema="db1", tables=TABLES, params=params)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("SELECT * FROM cpu", 'SELECT * FROM "db1"."cpu" AS "cpu"', id="bare"),
        pytest.param("select usage from CPU", 'SELECT usage FROM "db1"."cpu" AS "cpu"',
                     id="unquoted-folds-to-lower"),
        pytest.param('SELECT * FROM "Mixed"', 'SELECT * FROM "db1"."Mixed" AS "Mixed"',
                     id="quoted-keeps-case"),
        pytest.param("SELECT * FROM iox.cpu c", 'SELECT * FROM "db1"."cpu" AS c',
                     id="iox-schema-alias"),
        pytest.param("SELECT * FROM public.iox.cpu", 'SELECT * FROM "db1"."cpu" AS "cpu"',
                     id="catalog-schema"),
        pytest.param("WITH x AS (SELECT * FROM cpu) SELECT * FROM x",
                     'WITH "__cte_0" AS (SELECT * FROM "db1"."cpu" AS "cpu") SELECT * FROM '
                     '"__cte_0" AS "x"', id="cte"),
        pytest.param("SELECT * FROM cpu WHERE host = $h AND n > $n",
                     "SELECT * FROM \"db1\".\"cpu\" AS \"cpu\" WHERE host = 'it''s' AND n > 3",
                     id="params"),
    ],
)
def test_translation(text: str, expected: str) -> None:
    assert translate(text, h="it's", n=3) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("SELECT * FROM read_csv('/etc/passwd')", "table functions are not allowed",
                     id="read_csv"),
        pytest.param("SELECT * FROM read_parquet('x.parquet')", "table functions", id="parquet"),
        pytest.param("SELECT read_text('/etc/passwd')", "function read_text is not allowed",
                     id="read_text"),
        pytest.param("SELECT * FROM glob('/*')", "table functions|error parsing", id="glob"),
        pytest.param("SELECT * FROM '/etc/passwd'", "table '/etc/passwd' not found",
                     id="file-as-table"),
        pytest.param("SELECT current_setting('memory_limit')", "current_setting", id="setting"),
        pytest.param("SELECT getenv('HOME')", "getenv", id="getenv"),
        pytest.param("COPY cpu TO '/tmp/x.csv'", "only SELECT", id="copy"),
        pytest.param("ATTACH '/tmp/x.db' AS x", "error parsing SQL", id="attach"),
        pytest.param("INSTALL httpfs", "only SELECT", id="install"),
        pytest.param("LOAD httpfs", "only SELECT", id="load"),
        pytest.param("SET threads = 1", "only SELECT", id="set"),
        pytest.param("PRAGMA version", "only SELECT", id="pragma"),
        pytest.param("CREATE TABLE t (x INT)", "only SELECT", id="create"),
        pytest.param("DROP TABLE cpu", "only SELECT", id="drop"),
        pytest.param("DELETE FROM cpu", "only SELECT", id="delete"),
        pytest.param("INSERT INTO cpu VALUES (1)", "only SELECT", id="insert"),
        pytest.param("UPDATE cpu SET v = 1", "only SELECT", id="update"),
        pytest.param("SELECT * INTO t2 FROM cpu", "only SELECT", id="select-into"),
        pytest.param("SELECT 1; SELECT 2", "only one SQL statement", id="two-statements"),
        pytest.param("SELECT * FROM nope", "table 'nope' not found", id="unknown-table"),
        pytest.param("SELECT * FROM otherdb.cpu", "not found", id="other-database"),
        pytest.param("SELECT * FROM __influx_gateway.columns", "not found", id="catalog-schema"),
        pytest.param("SELECT * FROM information_schema.tables", "not found", id="info-schema"),
        pytest.param("SELECT * FROM (SELECT * FROM read_json('x'))", "table functions",
                     id="nested-table-function"),
        pytest.param("SELECT * FROM cpu WHERE x = $missing", r"no value given for parameter \$",
                     id="missing-param"),
        pytest.param("SELEC * FROM cpu", "error parsing SQL", id="syntax"),
        pytest.param("", "no SQL statement", id="empty"),
    ],
)
def test_rejected(text: str, message: str) -> None:
    with pytest.raises(SqlRejected, match=message):
        translate(text)


@pytest.mark.parametrize(("text", "message"), [
    pytest.param("SELECT * FROM LATERAL json_execute_serialized_sql(json_serialize_sql("
                 "'SELECT * FROM other.secret'))", "LATERAL takes a subquery only",
                 id="lateral-sql-runner"),
    pytest.param("SELECT json_execute_serialized_sql('x')", "not supported", id="sql-runner"),
    pytest.param("SELECT * FROM LATERAL range(3)", "LATERAL", id="lateral-range"),
    pytest.param("SELECT schema_name FROM (WITH duckdb_tables AS (SELECT 1) SELECT 1) q, "
                 "duckdb_tables", "table 'duckdb_tables' not found", id="cte-out-of-scope"),
    pytest.param("SELECT * FROM (WITH a AS (SELECT 1) SELECT 1) q, a", "table 'a' not found",
                 id="cte-name-leak"),
    pytest.param("SELECT * FROM pg_settings", "not found", id="pg-settings"),
    pytest.param("SELECT * FROM duckdb_databases()", "table functions|not allowed",
                 id="duckdb-databases"),
    pytest.param("SELECT checkpoint()", "not supported", id="checkpoint"),
    pytest.param("SELECT * FROM cpu, LATERAL force_checkpoint()", "LATERAL", id="force-ckpt"),
    pytest.param("SELECT * FROM $x.cpu", "unsupported table reference", id="parameter-schema"),
    pytest.param("SELECT " + "(" * 400 + "1" + ")" * 400, "nests too deeply|error parsing",
                 id="deep-nesting"),
])
def test_sandbox_escapes_are_refused(text: str, message: str) -> None:
    with pytest.raises(SqlRejected, match=message):
        translate(text)


@pytest.mark.parametrize(("text", "fragment"), [
    ("WITH a AS (SELECT * FROM cpu), b AS (SELECT * FROM a) SELECT * FROM b JOIN mem ON true",
     'SELECT * FROM "__cte_1" AS "b" JOIN "db1"."mem"'),
    ("WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) "
     "SELECT * FROM r", 'FROM "__cte_0" AS "r" WHERE n < 3) SELECT * FROM "__cte_0" AS "r"'),
    ("SELECT * FROM cpu c, LATERAL (SELECT * FROM mem WHERE mem.h = c.h) x",
     'LATERAL (SELECT * FROM "db1"."mem" AS "mem"'),
    ("SELECT * FROM cpu WHERE v IN (SELECT v FROM mem)", 'IN (SELECT v FROM "db1"."mem"'),
    ("SELECT epoch_ns(time), count(*), avg(v), coalesce(v, 1) FROM cpu GROUP BY 1",
     'EPOCH_NS(time)'),
    ("SELECT * FROM (VALUES (1)) AS t(x)", "VALUES (1)"),
])
def test_ordinary_queries_pass(text: str, fragment: str) -> None:
    assert fragment in translate(text)


@pytest.mark.parametrize("text", [
    # sqlglot reads the anchor's name as the CTE itself; DuckDB would read the catalog view
    "WITH RECURSIVE duckdb_columns(s) AS (SELECT schema_name FROM duckdb_columns UNION ALL "
    "SELECT s FROM duckdb_columns WHERE false) SELECT * FROM duckdb_columns",
    # KELVIN SIGN lowercases to "k" in Python but not in DuckDB
    'WITH "duc\u212adb_tables" AS (SELECT 1) SELECT schema_name FROM duckdb_tables',
])
def test_cte_names_never_reach_catalog_views(text: str) -> None:
    try:
        sql = translate(text)
    except SqlRejected:
        return
    # the name may survive as an alias; it must not be what a FROM reads
    assert "FROM duckdb_" not in sql and 'FROM "duckdb_' not in sql
    assert "__cte_0" in sql


def test_a_rewrite_failing_on_a_query_is_a_rejection(monkeypatch: pytest.MonkeyPatch) -> None:
    """A sqlglot error raised while rewriting (a query shape a rewrite cannot build) is the
    query's fault to the caller: SqlRejected, so a 400, never a 500."""
    def failing(tree: exp.Expression) -> exp.Expression:
        raise SqlglotError("cannot build this")

    monkeypatch.setattr(influxdb3, "rewrite_functions", failing)
    with pytest.raises(SqlRejected, match="cannot translate the query: cannot build this"):
        influxdb3.translate("SELECT 1", schema="db", tables=())
