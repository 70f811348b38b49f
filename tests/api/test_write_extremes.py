"""Writes at the extremes of size: numbers of thousands of digits, many fields or tables."""

from __future__ import annotations

import asyncio

import pytest
from aiohttp.test_utils import TestClient

from tests.api.helpers import write_lp

DIGITS = "1" + "0" * 5000  # past the 4,300 digits Python's int() reads


@pytest.mark.parametrize(("line", "words"), [
    pytest.param(f"m f={DIGITS}i 1", f"unable to parse integer {DIGITS}: strconv.ParseInt",
                 id="integer"),
    pytest.param(f"m f=-{DIGITS}i 1", f"unable to parse integer -{DIGITS}: strconv.ParseInt",
                 id="negative-integer"),
    pytest.param(f"m f={DIGITS}u 1", f"unable to parse unsigned {DIGITS}: strconv.ParseUint",
                 id="unsigned"),
    pytest.param(f"m f=1 {DIGITS}", f'strconv.ParseInt: parsing "{DIGITS}"', id="timestamp"),
])
async def test_numbers_of_thousands_of_digits_are_out_of_range(
        client: TestClient, line: str, words: str) -> None:
    response = await client.post("/write", params={"db": "db"}, data=line.encode())
    assert response.status == 400, await response.text()
    message = (await response.json())["error"]
    assert words in message and message.endswith("value out of range")


async def test_a_line_of_thirty_thousand_fields_is_refused_at_once(client: TestClient) -> None:
    # a hang, not a timing test: refusing the columns past the limit copied the table once
    # per column, which held the writer for minutes (50 s at 20,000 fields, growing with the
    # square); now it takes about a second
    line = "wide " + ",".join(f"f{i}={i}" for i in range(30_000)) + " 1\nwide f0=2 2"
    response = await asyncio.wait_for(
        client.post("/write", params={"db": "db"}, data=line.encode()), 30)
    assert response.status == 400, await response.text()
    assert "the limit of 500 columns per table" in (await response.json())["error"]
    response = await client.get("/query", params={"db": "db", "q": "SELECT * FROM wide"})
    assert (await response.json())["results"][0]["series"][0]["values"] == [
        ["1970-01-01T00:00:00.000000002Z", 2]]


async def test_writes_under_a_small_memory_limit_do_not_run_out_of_memory(make_client) -> None:
    # Committed rows wait in memory for the next checkpoint (256MB of WAL by default) and
    # spill to disk past the limit; a store without a temp directory (tried, against queries
    # filling the disk: see the spill bound) failed these commits "could not allocate block".
    client = await make_client(storage={"memory_limit": "32MB", "idle_checkpoint_seconds": 600})
    fields = ",".join(f"f{i}=1.5" for i in range(10))
    for batch in range(30):
        body = b"".join(b"cpu,host=h%d %s %d\n" % (i % 100, fields.encode(),
                                                  batch * 20_000 + i)
                        for i in range(20_000))
        response = await client.post("/write", params={"db": "db", "precision": "s"},
                                     data=body)
        assert response.status == 204, await response.text()
    response = await client.get("/query", params={"db": "db",
                                                  "q": "SELECT count(f9) FROM cpu"})
    assert (await response.json())["results"][0]["series"][0]["values"][0][1] == 600_000


async def test_a_write_past_the_memory_limit_is_a_503_and_keeps_nothing(make_client) -> None:
    # DuckDB may refuse a COMMIT for memory (here a 3MB limit; in practice a query holding
    # the memory): the server's state, not the write's fault, and nothing of it was kept, so
    # the answer is 503 with Retry-After (clients retry), not a 500 "storage error".
    client = await make_client(storage={"memory_limit": "3MB"})
    big = b"".join(b"mem,host=h%d v=%d.5,w=%di %d\n" % (i % 50, i, i, i)
                   for i in range(200_000))
    response = await client.post("/write", params={"db": "db", "precision": "s"}, data=big)
    assert response.status == 503, await response.text()
    assert response.headers["Retry-After"] == "1"
    assert "out of memory" in (await response.json())["error"]
    await write_lp(client, "db", b"mem,host=h1 v=1.5,w=1i 1\n", "s")
    await client.close()
    client = await make_client()  # the same data directory, opened again
    response = await client.get("/query", params={"db": "db", "q": "SELECT count(v) FROM mem"})
    assert (await response.json())["results"][0]["series"][0]["values"][0][1] == 1
