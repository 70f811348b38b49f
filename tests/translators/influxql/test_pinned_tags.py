"""Tags a WHERE clause pins to one value leave raw reads' ORDER BY: they cannot order rows."""

from __future__ import annotations

import duckdb
import pytest

from translators.influxql import engine, parser
from translators.influxql.conditions import pinned_tags
from translators.influxql.schema import MeasurementSchema, StaticSchema
from translators.lineprotocol import FieldType

CPU = MeasurementSchema("cpu", ("cpu", "host", "region"), {"v": FieldType.FLOAT,
                                                           "s": FieldType.STRING})


def condition(where: str):  # type: ignore[no-untyped-def]
    return parser.parse_query(f"SELECT v FROM cpu WHERE {where}")[0].condition


@pytest.mark.parametrize(("where", "pinned"), [
    ("host = 'a'", {"host"}),
    ("'a' = host AND (cpu = 'c' AND time > 0)", {"cpu", "host"}),
    ("host = '' AND v > 1", {"host"}),  # pinned to missing
    ("host = 'a' OR cpu = 'c'", set()),
    ("host != 'a' AND host =~ /a/", set()),
    ("host::field = 'a'", set()),  # not the tag
    ("s = 'x'", set()),  # a field
])
def test_pinned_tags(where: str, pinned: set[str]) -> None:
    assert pinned_tags(condition(where), CPU) == pinned


def test_raw_reads_order_by_the_tags_left_free() -> None:
    con = duckdb.connect()
    con.execute('CREATE SCHEMA "db"')
    con.execute('CREATE TABLE "db"."cpu" ("time" TIMESTAMP_NS, cpu VARCHAR, host VARCHAR, '
                'region VARCHAR, v DOUBLE, s VARCHAR)')
    seen: list[str] = []

    def run(query):  # type: ignore[no-untyped-def]
        seen.append(query.sql("duckdb"))
        return con.sql(seen[-1]).to_arrow_table()

    schema = StaticSchema({"db": {"cpu": CPU}})
    # the tags, first of the names selected, order rows of one time (`rawheap.SORTED`)
    for where in ("host = 'a' AND cpu = 'c' AND region = 'r'", "host = 'a'", "v > 0"):
        statement = parser.parse_query(f"SELECT cpu, host, region, v FROM cpu WHERE {where}")[0]
        engine.select(statement, "db", schema, run, 0)
    # 1.x's heap orders them: by time alone, the rest in Arrow (`rawheap.HEAP`)
    engine.select(parser.parse_query("SELECT v FROM cpu WHERE host = 'a'")[0], "db", schema,
                  run, 0)
    # one series: read unsorted, put in time order in Arrow (`timesort.py`)
    assert "ORDER BY" not in seen[0]
    orders = [sql[sql.index("ORDER BY"):] for sql in seen[1:]]
    assert orders[0].startswith('ORDER BY "time", "cpu" NULLS FIRST, "region" NULLS FIRST')
    assert orders[1].startswith('ORDER BY "time", "cpu" NULLS FIRST, "host" NULLS FIRST, '
                                '"region" NULLS FIRST')
    assert orders[2].startswith('ORDER BY "time" LIMIT')
