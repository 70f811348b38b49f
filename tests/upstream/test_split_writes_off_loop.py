"""Large writes split among targets, and rescaled for a target that does not take the caller's
precision, are read in a worker thread: over real HTTP against real InfluxDB 1.6.7 servers, no
turn of the gateway's event loop takes as much CPU time as half the work it did in one turn
before (measured here, on the same machine, as a baseline). The answers stay the native
store's for the same body."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient

from gateway.app import create_app
from gateway.config import RouteConfig, UpstreamConfig
from gateway.services.part_refusals import joined
from gateway.services.routing import HashRing
from tests.conftest import GatewayTestServer, make_config
from tests.support.influxd import Influxd
from tests.support.loop_turns import busiest_turn
from tests.upstream.test_crash_guard import CRASH, alive, answer, fresh, stored
from translators.lineprotocol.rewrite import Part, resolve_auto, split_numbered

LINES = 100_000
MEASUREMENTS = 20
HOSTS = 10
# The crashing line's number in `body()`: blanked before the split, named in the answer.
CRASH_LINE = LINES // 2 + 1
PARTIAL = {"error": "partial write: unable to parse 'm f\\\\=\"=\" 2': unbalanced quotes "
                    "dropped=0"}


async def gateway(aiohttp_client: Callable, tmp_path: Path, servers: tuple[Influxd, Influxd],
                  *routes: RouteConfig) -> TestClient:
    """Upstreams `a` and `b` (the two servers) and `routes`; other databases are native."""
    config = dataclasses.replace(
        make_config(tmp_path / "data"),
        # 1.6.7 takes seconds to store 100,000 lines on a busy machine
        upstreams=tuple(UpstreamConfig(name=name, type="influxdb1", url=server.url,
                                       timeout_seconds=60)
                        for name, server in zip("ab", servers, strict=True)),
        routes=routes)
    return await aiohttp_client(GatewayTestServer(create_app(config)))


def body(*, crash: bool = False) -> bytes:
    """LINES points without timestamps of MEASUREMENTS measurements on HOSTS hosts each (a
    1.x server stores one point per series of a write), with the crashing line amid them."""
    lines = [b"m%d,host=h%d usage=%d.5,n=%di" % (i % MEASUREMENTS, i // MEASUREMENTS % HOSTS,
                                                 i, i) for i in range(LINES)]
    if crash:
        lines.insert(CRASH_LINE - 1, CRASH)
    return b"\n".join(lines) + b"\n"


def least_cpu(work: Callable[[], object]) -> float:
    """The least CPU time `work` takes in this thread, of three tries."""
    costs = []
    for _ in range(3):
        start = time.thread_time()
        work()
        costs.append(time.thread_time() - start)
    return min(costs)


def split_cost(plain: bytes) -> float:
    """Splitting `plain` by measurement and joining each part's lines: part of what a split
    write did in one turn of the loop before it was moved to a worker thread."""
    return least_cpu(lambda: [joined([part]) for part in
                              split_numbered(plain, "measurement").values()])


def count(servers: tuple[Influxd, Influxd], database: str) -> list[int]:
    return [len(stored(server, database)) for server in servers]


async def test_a_large_shard_write_is_split_off_the_event_loop(
        aiohttp_client: Callable, tmp_path: Path, servers: tuple[Influxd, Influxd]) -> None:
    client = await gateway(aiohttp_client, tmp_path, servers, RouteConfig(
        database="up*", mode="shard", shard_by="measurement", targets=("a", "b")))
    database = fresh(servers[1], fresh(servers[0], "up_shard"))
    plain = body(crash=True)
    cost = split_cost(plain)
    routed, busiest = await busiest_turn(answer(client, "/write", {"db": "{db}"}, database,
                                                plain))
    assert busiest < cost / 2, (busiest, cost)
    assert alive(servers[0]) and alive(servers[1])
    # the crashing line is named by its line in the caller's body, as the native store does
    assert routed == (400, PARTIAL)
    assert routed == await answer(client, "/write", {"db": "{db}"}, "native_shard", plain)
    stored_by = count(servers, database)
    assert sum(stored_by) == MEASUREMENTS * HOSTS and all(stored_by), stored_by


async def test_a_large_write_split_by_measurement_is_split_off_the_event_loop(
        aiohttp_client: Callable, tmp_path: Path, servers: tuple[Influxd, Influxd]) -> None:
    client = await gateway(aiohttp_client, tmp_path, servers,
                           RouteConfig(database="up*", measurement="m0", targets=("a",)),
                           RouteConfig(database="up*", targets=("b",)))
    database = fresh(servers[1], fresh(servers[0], "up_measurement"))
    plain = body(crash=True)
    cost = split_cost(plain)
    params = {"bucket": "{db}", "org": "my-org"}
    routed, busiest = await busiest_turn(answer(client, "/api/v2/write", params, database,
                                                plain))
    assert busiest < cost / 2, (busiest, cost)
    assert alive(servers[0]) and alive(servers[1])
    assert routed == await answer(client, "/api/v2/write", params, "native_measurement", plain)
    assert routed[0] == 400
    assert count(servers, database) == [HOSTS, (MEASUREMENTS - 1) * HOSTS]


@pytest.mark.parametrize("mode", ["single", "shard"])
async def test_a_large_write_rescaled_for_its_target_is_rescaled_off_the_event_loop(
        aiohttp_client: Callable, tmp_path: Path, servers: tuple[Influxd, Influxd],
        mode: str) -> None:
    """v3's precision `auto` is guessed for a 1.x target, which cannot guess: every time
    rewritten in a unit 1.x takes, for the whole body (single) or each part (shard)."""
    targets = ("a",) if mode == "single" else ("a", "b")
    client = await gateway(aiohttp_client, tmp_path, servers, RouteConfig(
        database="up*", mode=mode, shard_by="measurement", targets=targets))
    database = fresh(servers[1], fresh(servers[0], f"up_auto_{mode}"))
    # seconds since the epoch, as `auto` reads them: one point per series and second
    plain = b"".join(line + b" %d\n" % (1_700_000_000 + number % 7)
                     for number, line in enumerate(body().splitlines()))
    # each target's part is rescaled on its own: the largest part's rescaling is the baseline
    ring = HashRing(targets)
    parts: dict[str, list[Part]] = {}
    for key, part in split_numbered(plain, "measurement").items():
        parts.setdefault(ring.target(key), []).append(part)
    cost = max(least_cpu(lambda sent=sent: resolve_auto(joined(sent)))
               for sent in parts.values())
    routed, busiest = await busiest_turn(answer(client, "/api/v3/write_lp", {"db": "{db}"},
                                                database, plain))
    assert routed == (204, None)
    assert busiest < cost / 2, (busiest, cost)
    points = {(line.partition(b" ")[0], line.rpartition(b" ")[2]) for line in plain.splitlines()}
    assert sum(count(servers, database)) == len(points)
