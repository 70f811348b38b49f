"""casts.py: the DuckDB SQL written for DataFusion's casts and integer division."""

from __future__ import annotations

import pytest

from translators.sql import translate_query

COLUMNS = {"cpu": [("host", "Dictionary(Int32, Utf8)"), ("idle", "Int64"),
                   ("time", "Timestamp(Nanosecond, None)"), ("usage", "Float64")],
           "mem": [("idle", "Float64"), ("time", "Timestamp(Nanosecond, None)")]}


def translate(text: str) -> str:
    return translate_query(text, schema="db", tables=["cpu", "mem"], columns=COLUMNS)


@pytest.mark.parametrize(("text", "fragment"), [
    pytest.param("SELECT time::bigint AS t FROM cpu", "EPOCH_NS(time) AS t", id="time-bigint"),
    pytest.param("SELECT CAST(now() AS INT) AS t", "CAST(EPOCH_NS(", id="now-int"),
    pytest.param("SELECT CAST(usage AS BIGINT) AS u FROM cpu", "CAST(TRUNC(usage) AS BIGINT)",
                 id="float-truncated"),
    pytest.param("SELECT CAST(host AS BIGINT) AS h FROM cpu", "CAST(host AS BIGINT)",
                 id="text-left-to-duckdb"),
    pytest.param("SELECT idle / 2 AS q FROM cpu", "idle // 2", id="integer-division"),
    pytest.param("SELECT idle / 2.5 AS q FROM cpu", "idle / 2.5", id="float-literal"),
    pytest.param("SELECT idle / usage AS q FROM cpu", "idle / usage", id="float-column"),
    # the sum wrapped into Int64 (wrapping.py), then divided as integers
    pytest.param("SELECT sum(idle) / count(*) AS q FROM cpu", "AS BIGINT) // COUNT(*)",
                 id="integer-aggregates"),
    pytest.param("SELECT avg(idle) / 2 AS q FROM cpu", "AVG(idle) / 2", id="avg-is-a-float"),
    # idle is an integer in cpu and a float in mem: not known, left to DuckDB
    pytest.param("SELECT cpu.idle / 2 AS q FROM cpu JOIN mem ON cpu.time = mem.time",
                 "cpu.idle / 2", id="ambiguous-column"),
    pytest.param("SELECT x / 2 AS q FROM (SELECT idle AS x FROM cpu)", "x / 2",
                 id="subquery-column-unknown"),
    pytest.param("SELECT arrow_cast(idle, 'Timestamp(Second, None)') AS t FROM cpu",
                 "CAST(MAKE_TIMESTAMP(CAST(idle AS BIGINT) * 1000000) AS TIMESTAMP_S)",
                 id="integer-as-seconds"),
])
def test_casts(text: str, fragment: str) -> None:
    assert fragment in translate(text)
