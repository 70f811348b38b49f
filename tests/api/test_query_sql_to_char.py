"""to_char and date_format on /api/v3/query_sql format as DataFusion does, with chrono's
strftime specifiers, to the nanosecond and with the offset of a zoned value."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient

from tests.api.helpers import write_lp

# 2023-11-14T22:13:20.012345678Z, a Tuesday, day 318; and one before the epoch
DATA = b"""m,s=a v=1 1700000000012345678
m,s=b v=2 -1500000000
"""


@pytest.fixture
async def loaded(client: TestClient) -> TestClient:
    return await write_lp(client, "db1", DATA, "ns")


async def answer(client: TestClient, query: str) -> tuple[int, object]:
    response = await client.get("/api/v3/query_sql", params={"db": "db1", "q": query})
    return response.status, await response.json()


@pytest.mark.parametrize(("call", "expected"), [
    pytest.param("to_char(time, '%Y-%m-%d')", "2023-11-14", id="date"),
    pytest.param("date_format(time, '%Y-%m-%dT%H:%M:%S')", "2023-11-14T22:13:20",
                 id="date-format-alias"),
    pytest.param("to_char(time, '%H:%M:%S%.3f')", "22:13:20.012", id="milliseconds"),
    pytest.param("to_char(time, '%S.%f')", "20.012345678", id="nanoseconds"),
    pytest.param("to_char(time, '%.6f|%6f|%.9f')", ".012345|012345|.012345678",
                 id="fraction-widths"),
    pytest.param("to_char(time, '%j %a %b %A %B')", "318 Tue Nov Tuesday November",
                 id="names-and-day-of-year"),
    pytest.param("to_char(time, '%s')", "1700000000", id="epoch-seconds"),
    pytest.param("to_char(time, '%F %T %e|%-d|%u 100%%')", "2023-11-14 22:13:20 14|14|2 100%",
                 id="shorthands-and-percent"),
    pytest.param("to_char(tz(time, 'Europe/Paris'), '%H:%M %z %Z')", "23:13 +0100 +01:00",
                 id="zoned-offset"),
    pytest.param("to_char(tz(time, 'America/New_York'), '%d %H %:z')", "14 17 -05:00",
                 id="negative-offset"),
    pytest.param("to_char(tz(time, '+05:30'), '%d %H:%M%z')", "15 03:43+0530",
                 id="fixed-offset-next-day"),
    # DataFusion reads a naive time AT TIME ZONE as that zone's wall clock
    pytest.param("to_char(time AT TIME ZONE '+05:30', '%H:%M%z')", "22:13+0530",
                 id="naive-at-time-zone"),
])
async def test_chrono_formats(loaded: TestClient, call: str, expected: str) -> None:
    status, body = await answer(loaded, f"SELECT {call} AS c FROM m WHERE s = 'a'")
    assert status == 200, body
    assert body == [{"c": expected}]


async def test_before_the_epoch_seconds_and_fractions_round_down(loaded: TestClient) -> None:
    status, body = await answer(loaded, "SELECT to_char(time, '%Y-%m-%d %H:%M:%S%.f %s') AS c "
                                        "FROM m WHERE s = 'b'")
    assert status == 200, body
    assert body == [{"c": "1969-12-31 23:59:58.500 -2"}]


@pytest.mark.parametrize(("call", "message"), [
    pytest.param("to_char(time, '%Q')", "the format specifier '%Q' is not supported",
                 id="unknown-specifier"),
    pytest.param("to_char(time, '%Y %z')", "%z needs a value with a time zone",
                 id="offset-of-a-naive-time"),
    pytest.param("to_char(time, s)", "the format must be a string literal", id="column-format"),
    pytest.param("to_char(time, '%Y%')", "lone '%'", id="lone-percent"),
])
async def test_formats_that_cannot_be_rendered_are_a_400(loaded: TestClient, call: str,
                                                         message: str) -> None:
    status, body = await answer(loaded, f"SELECT {call} AS c FROM m")
    assert status == 400
    assert isinstance(body, dict) and message in body["error"], body
