"""A large write streamed to a `single` route's 1.x upstream is checked for points that crash
1.x (upstream_guard.py) without a long turn of the gateway's event loop: over real HTTP against
a real InfluxDB 1.6.7, the caller sending the body in chunks (no Content-Length), no turn of
the loop takes as much CPU time as half of blanking the body's hazardous point did in one turn
(measured here, on the same machine, as a baseline). The answer stays the native store's."""

from __future__ import annotations

import gzip
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient

from tests.support.influxd import Influxd
from tests.support.loop_turns import busiest_turn
from tests.upstream.test_crash_guard import alive, answer, fresh, gateway, stored
from tests.upstream.test_split_writes_off_loop import CRASH_LINE, PARTIAL, body, least_cpu
from translators.lineprotocol.hazards import guard_body

CHUNK = 64 * 1024


async def chunks(data: bytes) -> AsyncIterator[bytes]:
    for start in range(0, len(data), CHUNK):
        yield data[start:start + CHUNK]


def blanking_cost(plain: bytes) -> float:
    """Blanking the hazardous point out of the body from its chunk on: what the guard did in
    one turn of the loop once it met that point."""
    start = plain.find(b"\n", (plain.find(b'\\\\=') // CHUNK) * CHUNK - 1) + 1
    rest = plain[start:]
    return least_cpu(lambda: guard_body(rest, first_line=CRASH_LINE))


@pytest.mark.parametrize("path", ["/write", "/api/v2/write"])
async def test_a_large_streamed_write_is_guarded_off_the_event_loop(
        aiohttp_client: Callable, tmp_path: Path, servers: tuple[Influxd, Influxd],
        path: str) -> None:
    client: TestClient = await gateway(aiohttp_client, tmp_path, servers, timeout_seconds=60)
    database = fresh(servers[0], "up_streamed")
    plain = body(crash=True)
    cost = blanking_cost(plain)
    params = {"db": "{db}"} if path == "/write" else {"bucket": "{db}"}
    routed, busiest = await busiest_turn(answer(client, path, params, database, chunks(plain)))
    assert busiest < cost / 2, (busiest, cost)
    assert alive(servers[0])
    assert routed == await answer(client, path, params, "native_streamed", chunks(plain))
    if path == "/write":
        assert routed == (400, PARTIAL)
    assert len(stored(servers[0], database)) == 20 * 10  # one point per series, as 1.x keeps


async def test_a_large_streamed_gzip_write_is_guarded_off_the_event_loop(
        aiohttp_client: Callable, tmp_path: Path, servers: tuple[Influxd, Influxd]) -> None:
    """A gzip body whose hazardous point comes after its first chunk has left cannot have it
    blanked: the rest is read (inflated) to name the line, off the loop, and the upstream
    request abandoned, so 1.x stores none of it."""
    client: TestClient = await gateway(aiohttp_client, tmp_path, servers, timeout_seconds=60)
    database = fresh(servers[0], "up_streamed_gzip")
    plain = body(crash=True)
    packed = gzip.compress(plain)
    assert len(packed) > 2 * CHUNK  # the hazard is met after the first chunk has left
    cost = blanking_cost(plain)
    (status, error), busiest = await busiest_turn(answer(
        client, "/write", {"db": "{db}"}, database, chunks(packed), **{"Content-Encoding": "gzip"}))
    assert busiest < cost / 2, (busiest, cost)
    # nothing written: 1.x's words then, without "partial write" and the dropped count
    assert (status, error) == (400, {"error": PARTIAL["error"].removeprefix(
        "partial write: ").removesuffix(" dropped=0")})
    assert alive(servers[0]) and stored(servers[0], database) == []
