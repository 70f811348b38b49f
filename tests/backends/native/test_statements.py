"""The native store's statements, as DuckDB SQL, with names quoted whatever they contain."""

from __future__ import annotations

import pytest

from gateway.backends.native import statements as st

EVIL = 'x"; DROP TABLE y; --'


@pytest.mark.parametrize(("sql", "expected"), [
    (st.create_schema("db"), 'CREATE SCHEMA IF NOT EXISTS "db"'),
    (st.drop_schema("db"), 'DROP SCHEMA IF EXISTS "db" CASCADE'),
    (st.drop_table("db", "t"), 'DROP TABLE IF EXISTS "db"."t"'),
    (st.create_table("db", "t", [("time", "TIMESTAMP_NS"), ("v", "DOUBLE")]),
     'CREATE TABLE IF NOT EXISTS "db"."t" ("time" TIMESTAMP_NS, "v" DOUBLE)'),
    (st.add_column("db", "t", "n", "BIGINT"), 'ALTER TABLE "db"."t" ADD COLUMN "n" BIGINT'),
    (st.qualified(EVIL, 'a."b'), '"x""; DROP TABLE y; --"."a.""b"'),
    (st.physical_columns(),
     'SELECT "schema_name", "table_name", "column_name" FROM DUCKDB_COLUMNS() WHERE '
     '"database_name" = CURRENT_DATABASE() ORDER BY "schema_name", "table_name", '
     '"column_index"'),
    (st.drop_schema(EVIL), 'DROP SCHEMA IF EXISTS "x""; DROP TABLE y; --" CASCADE'),
    (st.meta_insert("columns", ["d", EVIL, None]),
     'INSERT INTO "__influx_gateway"."columns" VALUES (\'d\', \'x"; DROP TABLE y; --\', NULL)'),
])
def test_statements(sql: str, expected: str) -> None:
    assert sql == expected


def test_merge_matches_tags_null_safely_within_the_time_window() -> None:
    merge = st.Merge("db", "cpu", "stage", ["host", "region"], ["time", "host", "v"], 10, 20)
    sql = st.merge_update(merge, ["v"])
    stored, staged = '"__influx_gateway_stored"', '"__influx_gateway_staged"'
    assert sql.startswith(f'UPDATE "db"."cpu" AS {stored} SET "v" = COALESCE({staged}."v", '
                          f'{stored}."v") FROM "stage" AS {staged}')
    assert f'{stored}."host" IS NOT DISTINCT FROM {staged}."host"' in sql
    assert f'{stored}."region" IS NULL' in sql  # a tag the staged rows do not have
    assert "BETWEEN CAST(MAKE_TIMESTAMP_NS(10) AS TIMESTAMP_NS) AND " in sql
    probe = st.merge_probe(merge)
    assert probe.startswith(f'SELECT COUNT(*) FROM "stage" AS {staged} JOIN "db"."cpu" AS '
                            f'{stored} ON ')
    assert f'{stored}."region" IS NULL' in probe
    insert = st.merge_insert(merge)
    assert insert.startswith('INSERT INTO "db"."cpu" ("time", "host", "v") SELECT ')
    assert "WHERE NOT EXISTS(SELECT 1 FROM" in insert
