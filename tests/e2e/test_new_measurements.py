"""One write naming thousands of new measurements (Telegraf's prometheus input writes one per
metric family): answered within a generous bound, every point readable, before and after a
restart, and points written again still one each."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp
import pytest

from tests.support.gateway_process import GatewayProcess, gateway_process

pytestmark = pytest.mark.slow
MEASUREMENTS = 5000
BASE = 1_700_000_000_000_000_000
# A hang guard, not a timing test: the store used to take about 7 ms per new table, so this
# write took over 35 s; a client with a 10 s timeout retried it for ever. Pinned to one core
# beside a busy loop, this test took 637 s here: the bound is for a hang, not for the
# machine's speed, and every request, the restart and the stop have it.
GUARD_SECONDS = 900
TIMEOUT = aiohttp.ClientTimeout(total=GUARD_SECONDS)


def lines(value: int, count: int = MEASUREMENTS) -> bytes:
    return "\n".join(f"m_{i},host=h{i % 7} v={i + value},n={i}i {BASE + i}"
                     for i in range(count)).encode()


async def write(session: aiohttp.ClientSession, gateway: GatewayProcess, body: bytes) -> None:
    async def post() -> None:
        async with session.post(f"{gateway.url}/write", params={"db": "many"},
                                data=body) as response:
            assert response.status == 204, await response.text()

    await asyncio.wait_for(post(), GUARD_SECONDS)


async def stored(session: aiohttp.ClientSession, gateway: GatewayProcess
                 ) -> dict[str, list[list[object]]]:
    """Every measurement's rows (time, host, n, v), through one InfluxQL query."""
    params = {"db": "many", "q": "SELECT * FROM /^m_/", "epoch": "ns"}
    async with session.get(f"{gateway.url}/query", params=params) as response:
        assert response.status == 200, await response.text()
        answer = await response.json()
    (result,) = answer["results"]
    series = result.get("series", [])
    assert all(s["columns"] == ["time", "host", "n", "v"] for s in series)
    return {s["name"]: s["values"] for s in series}


def expected(value: int, count: int = MEASUREMENTS) -> dict[str, list[list[object]]]:
    """What `lines(value, count)` stores over `lines(0)`."""
    return {f"m_{i}": [[BASE + i, f"h{i % 7}", i, i + (value if i < count else 0)]]
            for i in range(MEASUREMENTS)}


async def test_thousands_of_new_measurements_in_one_write(tmp_path: Path) -> None:
    gateway = gateway_process(tmp_path / "gw").start()
    try:
        async with aiohttp.ClientSession(timeout=TIMEOUT) as session:
            await write(session, gateway, lines(0))
            assert await stored(session, gateway) == expected(0)
        assert gateway.stop(timeout=GUARD_SECONDS) == 0  # not SIGKILLed before its checkpoint
        gateway.start(timeout=GUARD_SECONDS)
        async with aiohttp.ClientSession(timeout=TIMEOUT) as session:
            assert await stored(session, gateway) == expected(0)
            # some of the same points again (each a merge): overwritten, not added
            await write(session, gateway, lines(1, 500))
            assert await stored(session, gateway) == expected(1, 500)
    finally:
        gateway.stop()
