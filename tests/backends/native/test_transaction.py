"""How the writer appends Arrow rows to a stored table: through `duckdb._seam`'s registered
source, or through the relation API when the duckdb package no longer has that module. Both
lay the rows out in the table's column order, absent columns null."""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pytest

from gateway.backends.native import transaction
from gateway.backends.native.catalog import Column, FieldType, Role, new_table


def _stored_table() -> tuple[duckdb.DuckDBPyConnection, object]:
    con = duckdb.connect()
    con.execute('CREATE SCHEMA "my db"')
    con.execute('CREATE TABLE "my db"."cpu load" (time TIMESTAMP_NS, host VARCHAR, '
                "v DOUBLE, i BIGINT, s VARCHAR, b BOOLEAN)")
    table = new_table("cpu load")
    table.columns["host"] = Column("host", Role.TAG)
    for name, kind in (("v", FieldType.FLOAT), ("i", FieldType.INTEGER),
                       ("s", FieldType.STRING), ("b", FieldType.BOOLEAN)):
        table.columns[name] = Column(name, Role.FIELD, kind)
    return con, table


ROWS = pa.table({  # not in the table's column order, `s` and `b` absent
    "v": pa.array([1.5, None, -2.0]),
    "host": pa.array(["a", "b", None]),
    "time": pa.array([3, 1, 2], pa.timestamp("ns")),
    "i": pa.array([7, None, -9], pa.int64()),
})


def _append(monkeypatch: pytest.MonkeyPatch, direct: bool) -> list[tuple[object, ...]]:
    if not direct:
        monkeypatch.setattr(transaction, "_register_source", None)
    con, table = _stored_table()
    transaction.insert_rows(con, "my db", table, ROWS)  # type: ignore[arg-type]
    transaction.insert_rows(con, "my db", table, ROWS.slice(0, 1))  # type: ignore[arg-type]
    return con.execute('SELECT epoch_ns(time), host, v, i, s, b FROM "my db"."cpu load" '
                       "ORDER BY ALL").fetchall()


def test_both_ways_append_the_same_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    assert transaction._register_source is not None, (
        "duckdb._seam.register_source is gone: appends use the slow way")
    direct = _append(monkeypatch, direct=True)
    assert direct == [(1, "b", None, None, None, None), (2, None, -2.0, -9, None, None),
                      (3, "a", 1.5, 7, None, None), (3, "a", 1.5, 7, None, None)]
    assert _append(monkeypatch, direct=False) == direct
