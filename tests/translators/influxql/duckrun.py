"""The InfluxQL engine's runner over an in-memory DuckDB connection, for in-process tests."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import duckdb
import pyarrow as pa
from sqlglot import exp

Run = Callable[..., pa.Table]


def runner(con: duckdb.DuckDBPyConnection, sqls: list[str] | None = None) -> Run:
    """Runs a query's DuckDB SQL with `tables` (virtual tables) registered for it alone;
    each SQL is appended to `sqls` when given."""

    def run(query: exp.Expression, tables: Mapping[str, pa.Table] | None = None) -> pa.Table:
        sql = query.sql("duckdb")
        if sqls is not None:
            sqls.append(sql)
        for name, table in (tables or {}).items():
            con.register(name, table)
        try:
            return con.sql(sql).to_arrow_table()
        finally:
            for name in tables or {}:
                con.unregister(name)

    return run
