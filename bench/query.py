"""InfluxQL query benchmark: the same Telegraf-like dataset in the gateway and in a real
InfluxDB 1.6.7, the same six queries over HTTP against both, same run. Prints the median
latency of each and the ratio InfluxDB / gateway (above 1: the gateway is faster).

    .venv/bin/python bench/query.py [--points 10000000] [--repeat 20] [--compare]

Targets (issue 3): queries 3, 4 and 5 at least 10x faster than InfluxDB 1.6.7; 1, 2 and 6 no
slower. Both servers get the same bodies; each query is sent once to warm up, then `repeat`
times alternating between the servers, one at a time on one keep-alive connection.

With storage.cluster_series on, the gateway's store clusters settled rows by series in the
background; queries start once it has caught up (/metrics' clustering backlog at 0), as 1.6.7
has compacted its TSM files by then. `--compare` loads the gateway with clustering off, then
serves a copy of its data with clustering on and the original with it off, side by side.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import sys
import time
import urllib.request
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    START_S,
    batches,
    create_database,
    post_all,
    settle,
    workdir,
)
from tests.support.gateway_process import GatewayProcess, gateway_process  # noqa: E402
from tests.support.influxd import influxd  # noqa: E402

HOUR = 3600


def queries(points: int) -> list[tuple[str, str]]:
    series = 900
    span = (points // series) * 10  # seconds of data
    mid = START_S + span // 2
    mid -= mid % HOUR
    hour = f"time >= {mid}s AND time < {mid + HOUR}s"
    day_start = max(START_S, mid - 12 * HOUR)
    day = f"time >= {day_start}s AND time < {day_start + 24 * HOUR}s"
    return [
        ("1 mean per 1m over 1h, one host",
         f"SELECT mean(usage_user) FROM cpu WHERE host = 'host042' AND {hour} GROUP BY time(1m)"),
        ("2 last value per host",
         "SELECT last(usage_user) FROM cpu GROUP BY host"),
        ("3 count GROUP BY cpu, all data",
         "SELECT count(usage_user) FROM cpu GROUP BY cpu"),
        ("4 raw 1h window LIMIT 1000",
         f"SELECT * FROM cpu WHERE {hour} LIMIT 1000"),
        ("5 mean and max per 5m per host over 24h",
         f"SELECT mean(usage_user), max(usage_user) FROM cpu WHERE {day} "
         "GROUP BY time(5m), host"),
        ("6 one series raw over 1h",
         f"SELECT usage_user FROM cpu WHERE host = 'host042' AND cpu = 'cpu3' AND {hour}"),
    ]


async def timed(session: aiohttp.ClientSession, url: str, query: str) -> tuple[float, int]:
    started = time.perf_counter()
    async with session.get(f"{url}/query", params={"db": "bench", "q": query}) as response:
        body = await response.read()
        if response.status != 200 or b'"error"' in body[:200]:
            raise RuntimeError(f"{url}: {response.status} {body[:300]!r}")
    return time.perf_counter() - started, len(body)


async def measure(targets: dict[str, str], text: str, repeat: int) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {name: [] for name in targets}
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=600)) as session:
        sizes = {}
        for name, url in targets.items():
            _, sizes[name] = await timed(session, url, text)  # warm-up
        for _ in range(repeat):
            for name, url in targets.items():
                seconds, _ = await timed(session, url, text)
                out[name].append(seconds)
    return out


def clustering_backlog(url: str) -> int | None:
    """The gateway's count of tables still to cluster by series (None: not reported)."""
    with urllib.request.urlopen(f"{url}/metrics", timeout=60) as response:
        for line in response.read().decode().splitlines():
            if line.startswith("influx_gateway_native_store_clustering_backlog "):
                return int(line.split()[1])
    return None


def wait_clustered(name: str, url: str) -> None:
    started = time.perf_counter()
    while (backlog := clustering_backlog(url)) not in (0, None):
        time.sleep(0.5)
    if backlog is None:
        print(f"  {name:15s} reports no clustering (an older build)", flush=True)
    else:
        print(f"  {name:15s} clustered by series (or clustering off) after "
              f"{time.perf_counter() - started:.1f} s", flush=True)


def run(points: int, repeat: int, compare: bool) -> None:
    print(f"loading {points:,} Telegraf cpu points (900 series, 10 s apart) into both servers")
    bodies = batches(points, 5000, compress=False)
    work = workdir("query")
    off = {"INFLUX_GATEWAY_STORAGE_CLUSTER_SERIES": "false"}
    influx = influxd(work / "influxd").start()
    gateways: dict[str, GatewayProcess] = {}
    try:
        gateways["gateway"] = gateway_process(work / "gateway", **(off if compare else {}))
        gateways["gateway"].start()
        targets = {"influxdb-1.6.7": influx.url, "gateway": gateways["gateway"].url}
        for name, url in targets.items():
            create_database(url, "bench")
            seconds = asyncio.run(post_all(f"{url}/write?db=bench&precision=ns", bodies, 4,
                                           False))
            print(f"  {name:15s} loaded in {seconds:.1f} s", flush=True)
        del bodies
        if compare:
            # the same stored data twice: a copy served clustered, the original not
            gateways["gateway"].stop()
            shutil.copytree(work / "gateway", work / "gateway-clustered")
            gateways["unclustered"] = gateway_process(work / "gateway", **off).start()
            gateways["gateway"] = gateway_process(
                work / "gateway-clustered", INFLUX_GATEWAY_STORAGE_CLUSTER_SERIES="true").start()
            targets = {"influxdb-1.6.7": influx.url, "gateway": gateways["gateway"].url,
                       "unclustered": gateways["unclustered"].url}
        for name, gateway in gateways.items():
            wait_clustered(name, gateway.url)
        pids = [influx.process.pid, *(g.process.pid for g in gateways.values()
                                      if g.process is not None)]
        settle(pids, window=5.0, limit=300.0)
        print(f"median latency over {repeat} runs (ms); ratio = influxdb / gateway")
        for label, text in queries(points):
            times = asyncio.run(measure(targets, text, repeat))
            influx_ms = statistics.median(times["influxdb-1.6.7"]) * 1000
            gateway_ms = statistics.median(times["gateway"]) * 1000
            other = ""
            if "unclustered" in times:
                unclustered_ms = statistics.median(times["unclustered"]) * 1000
                other = (f"  unclustered {unclustered_ms:9.2f} "
                         f"ratio {influx_ms / unclustered_ms:6.2f}x")
            print(f"  {label:42s} influxdb {influx_ms:9.2f}  gateway {gateway_ms:9.2f}  "
                  f"ratio {influx_ms / gateway_ms:6.2f}x{other}", flush=True)
    finally:
        for gateway in gateways.values():
            gateway.stop()
        influx.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--compare", action="store_true",
                        help="also serve the same data unclustered, side by side")
    args = parser.parse_args()
    run(args.points, args.repeat, args.compare)


if __name__ == "__main__":
    main()
