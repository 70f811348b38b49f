"""EXPLAIN [ANALYZE] [VERBOSE] on /api/v3/query_sql: InfluxDB 3's answer shape (`plan_type`,
`plan`) over the native store, the plan being DuckDB's; what may not run may not be explained
either."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient

from tests.api.helpers import sql, write_lp

DATA = b"""cpu,host=a usage=1.5 1700000000
cpu,host=b usage=2 1700000001
"""


@pytest.fixture
async def loaded(client: TestClient) -> TestClient:
    return await write_lp(client, "db1", DATA, "s")


async def test_explain_answers_the_plan_without_running_it(loaded: TestClient) -> None:
    # the cast fails on every row once the query runs
    query = "SELECT CAST(host AS BIGINT) AS h FROM cpu WHERE usage > 1"
    rows = await sql(loaded, "db1", f"EXPLAIN {query}")
    assert [row["plan_type"] for row in rows] == ["physical_plan"]
    plan = rows[0]["plan"]
    assert "cpu" in plan and "Scan" in plan, plan
    assert "__result" not in plan  # the row-limit wrapper is not part of the user's query
    response = await loaded.get("/api/v3/query_sql",
                                params={"db": "db1", "q": f"EXPLAIN ANALYZE {query}"})
    assert response.status == 400, await response.text()


@pytest.mark.parametrize("words", ["EXPLAIN ANALYZE", "explain analyze verbose",
                                   "/* why slow */ EXPLAIN\n  ANALYZE"])
async def test_explain_analyze_runs_the_query(loaded: TestClient, words: str) -> None:
    rows = await sql(loaded, "db1", f"{words} SELECT host, usage FROM cpu WHERE host = 'a'")
    assert [row["plan_type"] for row in rows] == ["Plan with Metrics"]
    assert "Total Time" in rows[0]["plan"], rows[0]["plan"]


async def test_explain_verbose_and_show(loaded: TestClient) -> None:
    rows = await sql(loaded, "db1", "explain verbose SELECT avg(usage) FROM cpu")
    assert [row["plan_type"] for row in rows] == ["physical_plan"]
    rows = await sql(loaded, "db1", "EXPLAIN SHOW TABLES")
    assert [row["plan_type"] for row in rows] == ["physical_plan"]


@pytest.mark.parametrize(("query", "fragment"), [
    ("EXPLAIN", "EXPLAIN needs a statement"),
    ("EXPLAIN ANALYZE VERBOSE", "EXPLAIN needs a statement"),
    ("EXPLAIN DROP TABLE cpu", "only SELECT queries are allowed"),
    ("EXPLAIN ANALYZE INSERT INTO cpu VALUES (1)", "only SELECT queries are allowed"),
    ("EXPLAIN SELECT * FROM read_csv('/etc/passwd')", "not allowed"),
    ("EXPLAIN SELECT * FROM nosuch", "nosuch"),
    ("EXPLAIN SELECT 1; SELECT 2", "only one SQL statement"),
])
async def test_what_cannot_run_cannot_be_explained(loaded: TestClient, query: str,
                                                   fragment: str) -> None:
    response = await loaded.get("/api/v3/query_sql", params={"db": "db1", "q": query})
    assert response.status == 400, await response.text()
    assert fragment in (await response.json())["error"]
