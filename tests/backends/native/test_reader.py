"""How the native store's reads fetch rows as Arrow: straight from DuckDB, or through
execute() when the duckdb package no longer has the module the direct way uses."""

from __future__ import annotations

import duckdb
import pytest

from gateway.backends.native import reader

QUERIES = [
    "SELECT * FROM t ORDER BY time",
    "SELECT epoch_ns(time) AS __t, host, v FROM t WHERE host = 'b' AND v IS NULL",
    "SELECT host, count(*) AS n, sum(i) AS s FROM t GROUP BY host ORDER BY host",
    "SELECT * FROM t WHERE false",
    "SELECT 1 AS one, INTERVAL '1 hour' AS i, [1, 2] AS l",
]


@pytest.fixture
def cursor() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("CREATE TABLE t (time TIMESTAMP_NS, host VARCHAR, v DOUBLE, i BIGINT, "
                "u UBIGINT, b BOOLEAN)")
    con.execute("INSERT INTO t SELECT make_timestamp_ns(r * 1000000001), "
                "CASE WHEN r % 3 = 0 THEN 'a' ELSE 'b' END, "
                "CASE WHEN r % 5 = 0 THEN NULL ELSE r / 7 END, r - 50, r * 3, r % 2 = 0 "
                "FROM range(3000) AS x(r)")
    return con.cursor()


@pytest.mark.parametrize("sql", QUERIES)
def test_both_ways_give_the_same_table(cursor: duckdb.DuckDBPyConnection, sql: str,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    assert reader._submit is not None, "duckdb._seam.submit is gone: reads use the slow way"
    direct = reader.arrow_rows(cursor, sql)
    monkeypatch.setattr(reader, "_submit", None)
    fallback = reader.arrow_rows(cursor, sql)
    assert direct.schema == fallback.schema
    assert direct.equals(fallback)
    assert direct.num_rows == cursor.execute(f"SELECT count(*) FROM ({sql})").fetchone()[0]
