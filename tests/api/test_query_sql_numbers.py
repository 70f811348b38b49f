"""/api/v3/query_sql: integer literals past Int64, typed and named as DataFusion does."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient

from tests.api.helpers import sql, write_lp


@pytest.fixture
async def loaded(client: TestClient) -> TestClient:
    return await write_lp(client, "db1", b"cpu v=1 1700000000\n", "s")


@pytest.mark.parametrize(("literal", "row"), [
    pytest.param("9223372036854775807", {"Int64(9223372036854775807)": 9223372036854775807},
                 id="int64-max"),
    pytest.param("-9223372036854775808",
                 {"Int64(-9223372036854775808)": -9223372036854775808}, id="int64-min"),
    pytest.param("18446744073709551615",
                 {"UInt64(18446744073709551615)": 18446744073709551615}, id="uint64-max"),
    pytest.param("-9223372036854775809",
                 {"Float64(-9.223372036854776e+18)": -9.223372036854776e18}, id="below-int64"),
    pytest.param("170141183460469231731687303715884105728",
                 {"Float64(1.7014118346046923e+38)": 1.7014118346046923e38},
                 id="past-int128"),  # DuckDB alone answers a wrapped-around negative decimal
    pytest.param("9" * 53, {"Float64(1e+53)": 1e53}, id="bignum"),  # DuckDB: opaque bytes
])
async def test_big_integer_literals(loaded: TestClient, literal: str, row: dict) -> None:
    assert await sql(loaded, "db1", f"SELECT {literal}") == [row]


async def test_thousands_of_digits(loaded: TestClient) -> None:
    # past Python's int() digit limit: the name was a 500
    response = await loaded.get("/api/v3/query_sql",
                                params={"db": "db1", "q": "SELECT 1" + "0" * 5000,
                                        "format": "csv"})
    assert response.status == 200, await response.text()
    assert (await response.text()).splitlines() == ["Float64(inf)", "inf"]


async def test_big_integer_in_a_filter(loaded: TestClient) -> None:
    rows = await sql(loaded, "db1", "SELECT v FROM cpu WHERE v < 99999999999999999999999999")
    assert rows == [{"v": 1.0}]


async def test_big_integer_parameters(loaded: TestClient) -> None:
    body = '{"db": "db1", "q": "SELECT $n AS n", "params": {"n": 18446744073709551616}}'
    response = await loaded.post("/api/v3/query_sql", data=body,
                                 headers={"Content-Type": "application/json"})
    assert response.status == 200, await response.text()
    assert await response.json() == [{"n": 1.8446744073709552e19}]
    digits = "1" + "0" * 5000  # past the digit limit of Python's int(): a 400, not a 500
    body = '{"db": "db1", "q": "SELECT $n AS n", "params": {"n": ' + digits + "}}"
    response = await loaded.post("/api/v3/query_sql", data=body,
                                 headers={"Content-Type": "application/json"})
    assert response.status == 400, await response.text()
    assert "error" in await response.json()
