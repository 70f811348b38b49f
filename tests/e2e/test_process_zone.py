"""A text time without an offset is UTC on the native store whatever zone the process runs in,
as DataFusion reads it (DuckDB alone would read it in the machine's zone).

Most text times are read by the translation itself; casts to TIMESTAMPTZ are left to DuckDB,
which reads text and naive times in its TimeZone setting, so those cases fail if the store
leaves that setting to the process's zone."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest

from tests.support.gateway_process import GatewayProcess, gateway_process

# 2024-01-01T00:00:00Z and 05:00:00Z: midnight UTC and midnight in New York
DATA = b"cpu,host=a v=1 1704067200\ncpu,host=a v=2 1704085200\n"


@pytest.fixture(scope="module")
def new_york(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GatewayProcess]:
    data_dir = tmp_path_factory.mktemp("zone") / "gw"
    process = gateway_process(data_dir, TZ="America/New_York").start()
    request = urllib.request.Request(f"{process.url}/api/v3/write_lp?db=db1&precision=s",
                                     data=DATA, method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 204
    yield process
    process.stop()


def sql(gateway: GatewayProcess, query: str) -> list[dict[str, object]]:
    url = f"{gateway.url}/api/v3/query_sql?" + urllib.parse.urlencode({"db": "db1", "q": query})
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.load(response)


@pytest.mark.parametrize(("query", "expected"), [
    pytest.param("SELECT to_timestamp('2024-01-01 00:00:00') AS t",
                 [{"t": "2024-01-01T00:00:00"}], id="to-timestamp"),
    pytest.param("SELECT v FROM cpu WHERE time >= to_timestamp('2024-01-01T00:00:00') "
                 "AND time < to_timestamp('2024-01-01 05:00:00')", [{"v": 1.0}],
                 id="where-bounds"),
    pytest.param("SELECT v FROM cpu WHERE time > '2024-01-01 00:00:00'", [{"v": 2.0}],
                 id="where-text"),
    pytest.param("SELECT date_bin(INTERVAL '1 day', time, '2024-01-01') AS b, v FROM cpu "
                 "ORDER BY v", [{"b": "2024-01-01T00:00:00", "v": 1.0},
                                {"b": "2024-01-01T00:00:00", "v": 2.0}],
                 id="date-bin-origin"),
    pytest.param("SELECT CAST('2024-01-01 00:00:00' AS TIMESTAMPTZ) AS t",
                 [{"t": "2024-01-01T00:00:00Z"}], id="cast-text-to-timestamptz"),
    pytest.param("SELECT CAST(time AS TIMESTAMPTZ) AS t FROM cpu ORDER BY time LIMIT 1",
                 [{"t": "2024-01-01T00:00:00Z"}], id="cast-time-to-timestamptz"),
    pytest.param("SELECT date_trunc('day', CAST(time AS TIMESTAMPTZ)) AS t FROM cpu "
                 "WHERE v = 2", [{"t": "2024-01-01T00:00:00Z"}], id="day-of-a-timestamptz"),
    pytest.param("SELECT tz(time, 'Europe/Paris') AS p FROM cpu ORDER BY time LIMIT 1",
                 [{"p": "2024-01-01T01:00:00+01:00"}], id="zoned-result"),
])
def test_text_times_are_utc_under_another_process_zone(new_york: GatewayProcess, query: str,
                                                         expected: list) -> None:
    assert sql(new_york, query) == expected
