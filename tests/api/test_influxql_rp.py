"""Retention policies and SELECT INTO over /query and /write, with 1.6.7's answers (the
oracle in tests/oracle/influxql compares the same statements against a real 1.6.7)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from gateway.services.retention import format_go_duration, shard_group_duration

COLUMNS = ["name", "duration", "shardGroupDuration", "replicaN", "default"]
AUTOGEN = ["autogen", "0s", "168h0m0s", 1, True]
H = 3600 * 10**9


async def query(client: TestClient, q: str, method: str = "POST", **params: str) -> Any:
    response = await client.request(method, "/query", params={"q": q, **params})
    assert response.status == 200, await response.text()
    assert response.headers["Content-Type"] == "application/json"
    return await response.json()


def ok(*ids: int) -> dict[str, Any]:
    return {"results": [{"statement_id": i} for i in ids]}


def error(message: str) -> dict[str, Any]:
    return {"results": [{"statement_id": 0, "error": message}]}


def policies(*rows: list[Any]) -> dict[str, Any]:
    return {"results": [{"statement_id": 0, "series": [{"columns": COLUMNS,
                                                        "values": list(rows)}]}]}


@pytest.mark.parametrize(("ns", "text"), [
    pytest.param(0, "0s", id="zero"), pytest.param(168 * H, "168h0m0s", id="week"),
    pytest.param(H + 30 * 60 * 10**9, "1h30m0s", id="minutes"),
    pytest.param(1_500_000_000, "1.5s", id="fraction"), pytest.param(2_000_000, "2ms", id="ms"),
])
def test_durations_formatted_as_go_does(ns: int, text: str) -> None:
    assert format_go_duration(ns) == text


@pytest.mark.parametrize(("duration", "shard"), [
    (0, 168 * H), (H, H), (47 * H, H), (48 * H, 24 * H), (4319 * H, 24 * H),
    (4320 * H, 168 * H),
])
def test_default_shard_group_duration_as_1x(duration: int, shard: int) -> None:
    assert shard_group_duration(duration) == shard


async def test_policy_life_cycle(client: TestClient) -> None:
    assert await query(client, "CREATE DATABASE d") == ok(0)
    assert await query(client, "SHOW RETENTION POLICIES ON d") == policies(AUTOGEN)
    assert await query(client, "CREATE RETENTION POLICY two ON d DURATION 2w REPLICATION 1; "
                               "CREATE RETENTION POLICY one ON d DURATION 1h REPLICATION 3 "
                               "SHARD DURATION 10m DEFAULT") == ok(0, 1)
    assert await query(client, "SHOW RETENTION POLICIES", db="d") == policies(
        ["autogen", "0s", "168h0m0s", 1, False], ["two", "336h0m0s", "24h0m0s", 1, False],
        ["one", "1h0m0s", "1h0m0s", 3, True])
    # the same policy again is fine; a different one, or making it default, is not
    assert await query(client, "CREATE RETENTION POLICY two ON d DURATION 2w "
                               "REPLICATION 1") == ok(0)
    assert await query(client, "CREATE RETENTION POLICY two ON d DURATION 3w "
                               "REPLICATION 1") == error("retention policy already exists")
    assert await query(client, "CREATE RETENTION POLICY two ON d DURATION 2w REPLICATION 1 "
                               "DEFAULT") == error(
        "retention policy conflicts with an existing policy")
    assert await query(client, "ALTER RETENTION POLICY two ON d DURATION 4w SHARD DURATION "
                               "3d DEFAULT") == ok(0)
    assert await query(client, "ALTER RETENTION POLICY two ON d DURATION 2d") == error(
        "retention policy duration must be greater than the shard duration")
    assert await query(client, "DROP RETENTION POLICY one ON d; DROP RETENTION POLICY x ON d"
                       ) == ok(0, 1)
    assert await query(client, "SHOW RETENTION POLICIES ON d") == policies(
        ["autogen", "0s", "168h0m0s", 1, False], ["two", "672h0m0s", "72h0m0s", 1, True])


@pytest.mark.parametrize(("statement", "message"), [
    ("CREATE RETENTION POLICY tiny ON d DURATION 30m REPLICATION 1",
     "retention policy duration must be at least 1h0m0s"),
    ("CREATE RETENTION POLICY s ON d DURATION 2h REPLICATION 1 SHARD DURATION 1d",
     "retention policy duration must be greater than the shard duration"),
    ("CREATE RETENTION POLICY s ON nodb DURATION 2h REPLICATION 1",
     "database not found: nodb"),
    ('CREATE RETENTION POLICY "a/b" ON d DURATION 2h REPLICATION 1', "invalid name"),
    ("ALTER RETENTION POLICY nosuch ON d DURATION 2h", "retention policy not found: nosuch"),
    ("ALTER RETENTION POLICY autogen ON d DURATION 30m",
     "retention policy duration must be at least 1h0m0s"),
    ("CREATE DATABASE d WITH DURATION 3d", "retention policy conflicts with an existing policy"),
])
async def test_refused_changes(client: TestClient, statement: str, message: str) -> None:
    await query(client, "CREATE DATABASE d")
    assert await query(client, statement) == error(message)
    assert await query(client, "SHOW RETENTION POLICIES ON d") == policies(AUTOGEN)


async def test_create_database_with_policy(client: TestClient) -> None:
    assert await query(client, "CREATE DATABASE d WITH DURATION 3d SHARD DURATION 1h "
                               "NAME short") == ok(0)
    assert await query(client, "SHOW RETENTION POLICIES ON d") == policies(
        ["short", "72h0m0s", "1h0m0s", 1, True])
    assert await query(client, "CREATE DATABASE d WITH DURATION 3d NAME short") == error(
        "retention policy conflicts with an existing policy")  # shard duration differs


async def test_policies_survive_restart(make_client: Callable) -> None:
    client = await make_client()
    await query(client, "CREATE DATABASE d; CREATE RETENTION POLICY two ON d DURATION 2w "
                        "REPLICATION 2 DEFAULT; DROP RETENTION POLICY autogen ON d; "
                        "CREATE DATABASE plain")
    await client.close()
    client = await make_client()
    assert await query(client, "SHOW RETENTION POLICIES ON d") == policies(
        ["two", "336h0m0s", "24h0m0s", 2, True])
    assert await query(client, "SHOW RETENTION POLICIES ON plain") == policies(AUTOGEN)


async def test_unknown_policy_in_reads_and_writes(client: TestClient) -> None:
    response = await client.post("/write", params={"db": "d"}, data=b"cpu v=1 1")
    assert response.status == 204
    missing = error("retention policy not found: nosuch")
    assert await query(client, 'SELECT v FROM "d"."nosuch"."cpu"') == missing
    assert await query(client, "SELECT v FROM cpu", db="d", rp="nosuch") == missing
    for name in ("nosuch", "x" * 1000):  # 1.x's 500 is a 404 here (README deviation)
        response = await client.post("/write", params={"db": "d", "rp": name}, data=b"cpu v=2")
        assert response.status == 404
        assert await response.json() == {"error": f"retention policy not found: {name}"}
    # every policy of a database reads the same points (README: deliberate deviation)
    await query(client, "CREATE RETENTION POLICY two ON d DURATION INF REPLICATION 1")
    response = await client.post("/write", params={"db": "d", "rp": "two"}, data=b"cpu v=2 2")
    assert response.status == 204
    assert await query(client, 'SELECT v FROM "d"."autogen"."cpu"') == {"results": [{
        "statement_id": 0, "series": [{"name": "cpu", "columns": ["time", "v"], "values": [
            ["1970-01-01T00:00:00.000000001Z", 1], ["1970-01-01T00:00:00.000000002Z", 2]]}]}]}
    # the default policy keeps its name when dropped, and reads through it then fail
    await query(client, "DROP RETENTION POLICY autogen ON d")
    assert await query(client, "SELECT v FROM cpu", db="d") == error(
        "retention policy not found: autogen")


def written(n: int) -> dict[str, Any]:
    return {"statement_id": 0, "series": [{"name": "result", "columns": ["time", "written"],
                                           "values": [["1970-01-01T00:00:00Z", n]]}]}


async def test_select_into(client: TestClient) -> None:
    body = (b"cpu,host=a,region=x v=1,w=2i,s=\"t\" 60000000000\n"
            b"cpu,host=b v=3,w=4i 120000000000\ncpu,host=a v=5 660000000000")
    assert (await client.post("/write", params={"db": "d"}, data=body)).status == 204
    answer = await query(client, "SELECT max(v) INTO d.autogen.peaks FROM cpu WHERE time >= 0 "
                                 "AND time < 20m GROUP BY time(10m), host fill(null)", db="d")
    assert answer == {"results": [written(3)]}  # buckets without points are no points
    assert await query(client, "SELECT * FROM peaks GROUP BY *", db="d") == {"results": [{
        "statement_id": 0, "series": [
            {"name": "peaks", "tags": {"host": "a"}, "columns": ["time", "max"],
             "values": [["1970-01-01T00:00:00Z", 1], ["1970-01-01T00:10:00Z", 5]]},
            {"name": "peaks", "tags": {"host": "b"}, "columns": ["time", "max"],
             "values": [["1970-01-01T00:00:00Z", 3]]}]}]}
    # without GROUP BY, tags arrive as string fields; types are kept
    assert await query(client, "SELECT * INTO copy FROM cpu", db="d") == {
        "results": [written(3)]}
    assert await query(client, "SHOW FIELD KEYS FROM copy", db="d") == {"results": [{
        "statement_id": 0, "series": [{"name": "copy", "columns": ["fieldKey", "fieldType"],
                                       "values": [["host", "string"], ["region", "string"],
                                                  ["s", "string"], ["v", "float"],
                                                  ["w", "integer"]]}]}]}


async def test_select_into_measurement_backreference_and_get(client: TestClient) -> None:
    await client.post("/write", params={"db": "d"}, data=b"cpu v=1 1\nmem v=2 1")
    await query(client, "CREATE DATABASE archive")
    answer = await query(client, 'SELECT * INTO "archive"..:MEASUREMENT FROM /./', "GET",
                         db="d")
    text = ("deprecated use of 'SELECT * INTO archive.autogen.:MEASUREMENT FROM d.autogen././' "
            "in a read only context, please use a POST request instead")
    assert answer == {"results": [{**written(2), "messages": [
        {"level": "warning", "text": text}]}]}
    assert await query(client, "SHOW MEASUREMENTS", db="archive") == {"results": [{
        "statement_id": 0, "series": [{"name": "measurements", "columns": ["name"],
                                       "values": [["cpu"], ["mem"]]}]}]}


@pytest.mark.parametrize(("statement", "params", "message"), [
    ("SELECT v INTO nodb.autogen.x FROM cpu", {"db": "d"}, "database not found: nodb"),
    ("SELECT v INTO d.nosuch.x FROM cpu", {"db": "d"}, "retention policy not found: nosuch"),
    ("SELECT v INTO x FROM d.autogen.cpu", {}, "database name required"),
])
async def test_select_into_refused(client: TestClient, statement: str,
                                   params: dict[str, str], message: str) -> None:
    await client.post("/write", params={"db": "d"}, data=b"cpu v=1 1")
    assert await query(client, statement, **params) == error(message)
