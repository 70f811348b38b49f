"""Queries at the extremes of size: very long regexes, many statements."""

from __future__ import annotations

import asyncio

from aiohttp.test_utils import TestClient

from tests.api.helpers import write_lp


async def test_a_regex_of_megabytes_answers(client: TestClient) -> None:
    # a hang, not a timing test: Go's syntax check walked the pattern by slicing it, which took
    # minutes at 3 MB (growing with the square); Grafana writes such regexes for
    # multi-value variables, one alternative per host
    await write_lp(client, "db", b"cpu,host=h1 v=1 1\ncpu,host=h2 v=2 2\n", "s")
    hosts = "|".join(f"host{i:06d}" for i in range(200_000))
    query = f"SELECT v FROM cpu WHERE host =~ /^({hosts}|h2)$/"
    response = await asyncio.wait_for(
        client.post("/query", data={"db": "db", "q": query}), 30)
    assert response.status == 200, await response.text()
    assert (await response.json())["results"][0]["series"][0]["values"] == [
        ["1970-01-01T00:00:02Z", 2]]


async def test_thousands_of_statements_stop_at_the_query_timeout(make_client) -> None:
    client = await make_client(query={"timeout_seconds": 0.5})
    await write_lp(client, "db", b"cpu v=1 1\n", "s")
    query = ";".join(["SELECT v FROM cpu"] * 5000)  # each quick, together ~50 s
    response = await asyncio.wait_for(
        client.post("/query", data={"db": "db", "q": query}), 30)
    assert response.status == 200, await response.text()
    results = (await response.json())["results"]
    assert 1 <= len(results) < 5000
    assert results[-1] == {"statement_id": len(results) - 1,
                           "error": "not executed"}  # 1.x's word after a failed statement
    assert results[0]["series"][0]["values"] == [["1970-01-01T00:00:01Z", 1]]
