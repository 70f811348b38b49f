"""Expiry over real HTTP: a retention check every 100 ms deletes the points of shard groups
that every policy of their database has expired, as 1.x's retention service does."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import pytest
from aiohttp.test_utils import TestClient

from gateway.backends.native.retention import group_start
from tests.api.helpers import sql

SECOND = 10**9
HOUR = 3600 * SECOND


@pytest.fixture
async def client(make_client: Callable) -> TestClient:
    return await make_client(storage={"retention_check_interval": "100ms"})


async def influxql(client: TestClient, text: str, db: str = "") -> list[dict]:
    response = await client.post("/query", params={"q": text, "db": db, "epoch": "ns"})
    body = await response.json()
    assert response.status == 200 and "error" not in body["results"][0], body
    return body["results"][0].get("series", [])


async def points(client: TestClient, db: str) -> dict[str, list[list[object]]]:
    """Each series' (time, v) rows through InfluxQL, after checking SQL sees the same."""
    found = {}
    for series in await influxql(client, "SELECT v FROM /.*/ GROUP BY *", db):
        key = series["name"] + "".join(f",{k}={v}" for k, v in series.get("tags", {}).items()
                                       if v)
        found[key] = series["values"]
    rows = sum(len(v) for v in found.values())
    tables = await influxql(client, "SHOW MEASUREMENTS", db)
    names = [row[0] for row in tables[0]["values"]] if tables else []
    assert sorted({key.split(",")[0] for key in found}) == names
    counted = 0
    for name in names:
        counted += (await sql(client, db, f'SELECT count(*) AS n FROM "{name}"'))[0]["n"]
    assert counted == rows
    return found


async def until(check: Callable, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        assert time.monotonic() < deadline, "no retention check deleted the points"
        await asyncio.sleep(0.05)


def times() -> dict[str, int]:
    now = time.time_ns()
    edge = now - 2 * HOUR
    start = group_start(edge, HOUR)
    if start + HOUR - edge < 60 * SECOND:  # the group would expire while the test runs
        time.sleep((start + HOUR - edge) / SECOND + 1)
        return times()
    return {"old": now - 5 * HOUR, "recent": now - 30 * SECOND,
            "edge": start + SECOND}  # older than two hours, in a group not expired yet


async def test_expired_points_go_and_an_infinite_policy_keeps_all(client: TestClient) -> None:
    t = times()
    body = (f"m,host=a v=1 {t['old']}\nm,host=a v=2 {t['recent']}\nm,host=b v=3 {t['old']}\n"
            f"m,host=c v=4 {t['edge']}\ngone v=5 {t['old']}").encode()
    for db in ("fin", "kept"):
        await influxql(client, f"CREATE DATABASE {db}")
        assert (await client.post("/write", params={"db": db}, data=body)).status == 204
    everything = await points(client, "fin")
    assert len(everything) == 4
    # a finite policy beside the infinite autogen expires nothing
    await influxql(client, "CREATE RETENTION POLICY short ON kept DURATION 1h REPLICATION 1")
    # alone, autogen of two hours (in one-hour groups) expires what ended two hours ago
    await influxql(client, "ALTER RETENTION POLICY autogen ON fin DURATION 2h "
                           "SHARD DURATION 1h")
    await until(lambda: _count(client, "fin", 2))
    assert await points(client, "fin") == {"m,host=a": [[t["recent"], 2]],
                                           "m,host=c": [[t["edge"], 4]]}
    assert await points(client, "kept") == everything
    # a shorter duration takes effect at the next check
    await influxql(client, "ALTER RETENTION POLICY autogen ON fin DURATION 1h")
    await until(lambda: _count(client, "fin", 1))
    assert await points(client, "fin") == {"m,host=a": [[t["recent"], 2]]}
    assert await influxql(client, "SHOW SERIES", "fin") == [
        {"columns": ["key"], "values": [["m,host=a"]]}]
    # last() per series reads the writer's series index, which forgot the emptied series
    assert await influxql(client, "SELECT last(v) FROM m GROUP BY host", "fin") == [
        {"name": "m", "tags": {"host": "a"}, "columns": ["time", "last"],
         "values": [[t["recent"], 2]]}]


async def _count(client: TestClient, db: str, expected: int) -> bool:
    """One read (a check may run between two), so the count is of one moment."""
    found = await influxql(client, "SELECT v FROM /.*/ GROUP BY *", db)
    return sum(len(series["values"]) for series in found) == expected


async def test_zero_interval_turns_checks_off(make_client: Callable) -> None:
    client = await make_client(storage={"retention_check_interval": "0"})
    t = times()
    await influxql(client, "CREATE DATABASE d")
    await client.post("/write", params={"db": "d"}, data=f"m v=1 {t['old']}".encode())
    await influxql(client, "ALTER RETENTION POLICY autogen ON d DURATION 1h SHARD DURATION 1h")
    await asyncio.sleep(0.5)
    assert await points(client, "d") == {"m": [[t["old"], 1]]}
