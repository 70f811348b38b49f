"""Writes of points beyond a retention policy, answered by every write endpoint over real HTTP
(1.6.7's answers to the same batches are pinned in tests/oracle/test_write_v1_requests.py)."""

from __future__ import annotations

import time

import pytest
from aiohttp.test_utils import TestClient

from gateway.backends.native.retention import group_start
from tests.api.helpers import sql

SECOND = 10**9
HOUR = 3600 * SECOND
BEYOND = "points beyond retention policy"


async def influxql(client: TestClient, text: str, db: str = "") -> None:
    response = await client.post("/query", params={"q": text, "db": db})
    body = await response.json()
    assert response.status == 200 and "error" not in body["results"][0], body


async def short_policy(client: TestClient, db: str = "d", default: bool = False) -> None:
    """`short`: one hour, in one-hour shard groups."""
    await influxql(client, f"CREATE DATABASE {db}")
    await influxql(client, f"CREATE RETENTION POLICY short ON {db} DURATION 1h REPLICATION 1"
                           + (" DEFAULT" if default else ""))


def times() -> tuple[int, int, int]:
    """now, the oldest time the one-hour policy keeps, and the start of its shard group; far
    enough apart that a point between them stays between them while the test runs."""
    now = time.time_ns()
    low = now - HOUR
    start = group_start(low, HOUR)
    # `low` near either end of its group: wait, so that every time keeps its place
    if low - start < 30 * SECOND or start + HOUR - low < 30 * SECOND:
        time.sleep(61 - (low - start + 30 * SECOND) % HOUR / SECOND)
        return times()
    return now, low, start


async def values(client: TestClient, table: str = "m") -> list[float]:
    return [r["v"] for r in await sql(client, "d", f"SELECT v FROM {table} ORDER BY v")]


@pytest.mark.parametrize("rp", ["short", ""])
async def test_v1_old_point_is_dropped_and_the_rest_stored(client: TestClient, rp: str) -> None:
    await short_policy(client, default=not rp)
    now, low, _ = times()
    body = f"m v=1 {low - 10 * SECOND}\nm v=2 {now}\nm v=3 1".encode()
    response = await client.post("/write", params={"db": "d", "rp": rp}, data=body)
    assert response.status == 400
    message = f"partial write: {BEYOND} dropped=2"
    assert await response.json() == {"error": message}
    assert response.headers["X-Influxdb-Error"] == message
    assert await values(client) == [2.0]


async def test_an_old_point_in_the_shard_group_of_a_kept_one_is_kept(client: TestClient) -> None:
    """1.x drops a point only when its shard group does not exist for the batch: a point of
    the batch within the duration creates the group holding `now - duration`."""
    await short_policy(client)
    _, low, start = times()
    write = {"db": "d", "rp": "short"}
    body = f"m v=1 {start + SECOND}\nother v=2 {low + 10 * SECOND}".encode()
    assert (await client.post("/write", params=write, data=body)).status == 204
    assert await values(client) == [1.0]
    # alone, the same point is dropped, though its group already holds points
    response = await client.post("/write", params=write, data=f"m v=3 {start + SECOND}".encode())
    assert await response.json() == {"error": f"partial write: {BEYOND} dropped=1"}
    # and the group before it is never covered
    body = f"m v=4 {start - SECOND}\nm v=5 {low + 10 * SECOND}".encode()
    response = await client.post("/write", params=write, data=body)
    assert await response.json() == {"error": f"partial write: {BEYOND} dropped=1"}
    assert await values(client) == [1.0, 5.0]


async def test_infinite_and_other_policies_keep_old_points(client: TestClient) -> None:
    await short_policy(client)
    for rp in ("autogen", ""):  # the default stays autogen
        response = await client.post("/write", params={"db": "d", "rp": rp}, data=b"m v=1 1")
        assert response.status == 204
    assert await values(client) == [1.0]


async def test_a_type_conflict_outranks_points_beyond_retention(client: TestClient) -> None:
    """1.x names a shard's refusal, counting its points alone; the old point is not named,
    and neither is a line that did not parse."""
    await short_policy(client)
    now, _, _ = times()
    write = {"db": "d", "rp": "short"}
    assert (await client.post("/write", params=write, data=f"m v=1i {now}".encode())).status \
        == 204
    body = f"m v=2i 1\nbad\nm v=3 {now + 1}\nm v=4i {now + 2}".encode()
    response = await client.post("/write", params=write, data=body)
    assert await response.json() == {"error": (
        'partial write: field type conflict: input field "v" on measurement "m" is type '
        "float, already exists as type integer dropped=1")}
    # an old point that would conflict is dropped for its age, not its type
    body = f"m v=5 1\nbad\nm v=6i {now + 3}".encode()
    response = await client.post("/write", params=write, data=body)
    assert await response.json() == {"error": f"partial write: {BEYOND} dropped=1"}
    assert await values(client) == [1, 4, 6]


async def test_dropped_points_add_no_columns(client: TestClient) -> None:
    await short_policy(client)
    now, _, _ = times()
    body = f"m,old=x v=1,gone=2 1\nm v=2 {now}".encode()
    await client.post("/write", params={"db": "d", "rp": "short"}, data=body)
    columns = await sql(client, "d", "SELECT column_name FROM information_schema.columns "
                                     "WHERE table_name = 'm' ORDER BY column_name")
    assert [c["column_name"] for c in columns] == ["time", "v"]


async def test_v2_bucket_with_policy_lists_the_dropped_line(client: TestClient) -> None:
    await short_policy(client)
    now, _, _ = times()
    response = await client.post("/api/v2/write", params={"bucket": "d/short"},
                                 data=f"m v=1 {now}\nm v=2 1".encode())
    assert response.status == 400
    assert await response.json() == {
        "code": "invalid", "line": 2,
        "message": f"partial write error (1 written): {BEYOND}"}
    assert await values(client) == [1.0]


async def test_v3_lists_the_dropped_lines_under_the_default_policy(client: TestClient) -> None:
    await short_policy(client, default=True)
    now, _, _ = times()
    response = await client.post("/api/v3/write_lp", params={"db": "d"},
                                 data=f"m v=1 {now}\nm v=2 1\nm v= 3".encode())
    assert response.status == 400
    assert await response.json() == {
        "error": "partial write of line protocol occurred",
        "data": [
            {"original_line": "m v=2 1", "line_number": 2, "error_message": BEYOND},
            {"original_line": "m v= 3", "line_number": 3,
             "error_message": "missing field value"},
        ],
    }
    response = await client.post("/api/v3/write_lp", params={"db": "d", "accept_partial": "false"},
                                 data=f"m v=4 {now + 1}\nm v=5 1".encode())
    assert response.status == 400
    assert (await response.json())["error"] == "write of line protocol failed"
    assert await values(client) == [1.0]
