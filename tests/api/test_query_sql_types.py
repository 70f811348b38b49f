"""/api/v3/query_sql: a boolean compared with a number, and a number column as a WHERE, are
refused in DataFusion's planning words (DuckDB alone casts and answers rows)."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient

from tests.api.helpers import sql_tuples, write_lp


@pytest.fixture
async def loaded(client: TestClient) -> TestClient:
    return await write_lp(client, "db1", b'cpu,host=a b=true,f=1.5,i=2i,u=3u,s="x" 1700000000\n',
                          "s")


@pytest.mark.parametrize(("query", "message"), [
    pytest.param("SELECT f FROM cpu WHERE b = 1",
                 "Cannot infer common argument type for comparison operation Boolean = Int64",
                 id="bool-equals-int"),
    pytest.param("SELECT f FROM cpu WHERE f = true",
                 "Cannot infer common argument type for comparison operation Float64 = Boolean",
                 id="float-equals-true"),
    pytest.param("SELECT f FROM cpu WHERE u >= b",
                 "Cannot infer common argument type for comparison operation UInt64 >= Boolean",
                 id="unsigned-and-bool-columns"),
    pytest.param("SELECT b != 2.5 AS x FROM cpu",
                 "Cannot infer common argument type for comparison operation Boolean != Float64",
                 id="in-the-select-list"),
    pytest.param("SELECT f FROM cpu WHERE f",
                 "Cannot create filter with non-boolean predicate 'cpu.f' returning Float64",
                 id="float-as-the-filter"),
    pytest.param("SELECT c.i FROM cpu AS c WHERE i",
                 "Cannot create filter with non-boolean predicate 'c.i' returning Int64",
                 id="aliased-integer-as-the-filter"),
])
async def test_refused_in_datafusions_words(loaded: TestClient, query: str,
                                            message: str) -> None:
    response = await loaded.get("/api/v3/query_sql", params={"db": "db1", "q": query})
    assert response.status == 400, await response.text()
    assert await response.json() == {"error": "Error during planning: " + message, "data": None}


@pytest.mark.parametrize(("query", "rows"), [
    pytest.param("SELECT f FROM cpu WHERE b = true", [(1.5,)], id="bool-with-bool"),
    pytest.param("SELECT f FROM cpu WHERE b", [(1.5,)], id="bool-as-the-filter"),
    pytest.param("SELECT f FROM cpu WHERE i = 2", [(1.5,)], id="int-with-int"),
    pytest.param("SELECT f FROM cpu WHERE f > 1", [(1.5,)], id="float-with-int"),
    pytest.param("SELECT f FROM cpu WHERE NOT b", [], id="not-bool"),
    # a CTE's or subquery's column is its own, whatever a table's column of that name is
    pytest.param("WITH t AS (SELECT i > 1 AS f FROM cpu) SELECT f FROM t WHERE f", [(True,)],
                 id="cte-column-shadows-a-float"),
    pytest.param("SELECT f FROM (SELECT i > 1 AS f FROM cpu) AS t WHERE f = true", [(True,)],
                 id="subquery-column-shadows-a-float"),
])
async def test_same_kinds_still_compare(loaded: TestClient, query: str,
                                        rows: list[tuple[object, ...]]) -> None:
    assert await sql_tuples(loaded, "db1", query) == rows


@pytest.mark.parametrize(("query", "message"), [
    pytest.param("SELECT sum(b) FROM cpu",
                 "the function sum does not support inputs of type Boolean", id="sum-of-bool"),
    pytest.param("SELECT avg(s) FROM cpu",
                 "the function avg does not support inputs of type Utf8", id="avg-of-text"),
    pytest.param("SELECT mean(host) FROM cpu", "the function avg does not support inputs of "
                 "type Dictionary(Int32, Utf8)", id="mean-of-a-tag"),
])
async def test_sums_of_what_is_no_number(loaded: TestClient, query: str, message: str) -> None:
    response = await loaded.get("/api/v3/query_sql", params={"db": "db1", "q": query})
    assert response.status == 400, await response.text()
    assert await response.json() == {"error": message, "data": None}


async def test_sums_of_numbers(loaded: TestClient) -> None:
    rows = await sql_tuples(loaded, "db1", "SELECT sum(i), avg(f), sum(u) FROM cpu")
    assert rows == [(2, 1.5, 3)]
