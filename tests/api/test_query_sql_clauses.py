"""/api/v3/query_sql: LIMIT, OFFSET and ORDER BY positions DataFusion refuses are a 400 in
the v3 error shape, worded without DuckDB's binder or conversion errors."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient

from tests.api.helpers import sql_tuples, write_lp


@pytest.fixture
async def loaded(client: TestClient) -> TestClient:
    return await write_lp(client, "db1", b"cpu v=1 1700000000\ncpu v=2 1700000001\n", "s")


@pytest.mark.parametrize(("query", "message"), [
    pytest.param("SELECT v FROM cpu LIMIT -1",
                 "LIMIT must be a count of rows from 0 to 9223372036854775807, not -1",
                 id="negative-limit"),
    pytest.param("SELECT v FROM cpu LIMIT 1e20",
                 "LIMIT must be a count of rows from 0 to 9223372036854775807, not 1e20",
                 id="float-limit"),
    pytest.param("SELECT v FROM cpu LIMIT 9223372036854775808",
                 "LIMIT must be a count of rows from 0 to 9223372036854775807, "
                 "not 9223372036854775808", id="limit-past-int64"),
    pytest.param("SELECT v FROM cpu LIMIT 1 OFFSET -2",
                 "OFFSET must be a count of rows from 0 to 9223372036854775807, not -2",
                 id="negative-offset"),
    pytest.param("SELECT v FROM (SELECT v FROM cpu LIMIT -1) AS s",
                 "LIMIT must be a count of rows from 0 to 9223372036854775807, not -1",
                 id="in-a-subquery"),
    pytest.param("SELECT v FROM cpu ORDER BY 5",
                 "Error during planning: Order by column out of bounds, specified: 5, max: 1",
                 id="position-past-the-select-list"),
    pytest.param("SELECT v, time FROM cpu ORDER BY 1, 3 DESC",
                 "Error during planning: Order by column out of bounds, specified: 3, max: 2",
                 id="second-key"),
    pytest.param("SELECT v FROM cpu ORDER BY 0",
                 "Error during planning: Order by index starts at 1 for column indexes",
                 id="position-zero"),
])
async def test_refused_with_a_clear_message(loaded: TestClient, query: str,
                                            message: str) -> None:
    response = await loaded.get("/api/v3/query_sql", params={"db": "db1", "q": query})
    assert response.status == 400, await response.text()
    body = await response.json()
    assert body == {"error": message, "data": None}


async def test_negative_limit_as_a_parameter(loaded: TestClient) -> None:
    response = await loaded.post("/api/v3/query_sql", json={
        "db": "db1", "q": "SELECT v FROM cpu LIMIT $n", "params": {"n": -1}})
    assert response.status == 400, await response.text()
    assert (await response.json())["error"].startswith("LIMIT must be a count of rows")


@pytest.mark.parametrize(("query", "rows"), [
    pytest.param("SELECT v FROM cpu ORDER BY 1 DESC LIMIT 1", [(2.0,)], id="position-in-range"),
    pytest.param("SELECT v FROM cpu ORDER BY v LIMIT 0", [], id="limit-zero"),
    pytest.param("SELECT v FROM cpu ORDER BY v LIMIT 9223372036854775807 OFFSET 1", [(2.0,)],
                 id="largest-limit"),
    pytest.param("SELECT * FROM cpu ORDER BY 2 DESC", [("2023-11-14T22:13:21", 2.0),
                                                       ("2023-11-14T22:13:20", 1.0)],
                 id="position-over-a-star"),
])
async def test_counts_and_positions_in_range(loaded: TestClient, query: str,
                                             rows: list[tuple[object, ...]]) -> None:
    assert await sql_tuples(loaded, "db1", query) == rows
