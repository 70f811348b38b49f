"""Writes at the extremes of size: numbers of thousands of digits, many fields or tables."""

from __future__ import annotations

import asyncio

import pytest
from aiohttp.test_utils import TestClient

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
    # The store never spills to disk (a query could fill it), so committed rows waiting for a
    # checkpoint must fit under the memory limit: the WAL is folded in at a quarter of it.
    # With the default 256MB threshold the commits failed here: "could not allocate block".
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
