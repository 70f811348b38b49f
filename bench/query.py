"""InfluxQL query benchmark: the same Telegraf-like dataset in the gateway and in a real
InfluxDB 1.6.7, the same six queries over HTTP against both, same run. Prints the median
latency of each and the ratio InfluxDB / gateway (above 1: the gateway is faster).

    .venv/bin/python bench/query.py [--points 10000000] [--repeat 20]

Targets (issue 3): queries 3, 4 and 5 at least 10x faster than InfluxDB 1.6.7; 1, 2 and 6 no
slower. Both servers get the same bodies; each query is sent once to warm up, then `repeat`
times alternating between the servers, one at a time on one keep-alive connection.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    START_S,
    Servers,
    batches,
    create_database,
    post_all,
    settle,
    workdir,
)

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


def run(points: int, repeat: int) -> None:
    print(f"loading {points:,} Telegraf cpu points (900 series, 10 s apart) into both servers")
    bodies = batches(points, 5000, compress=False)
    with Servers(workdir("query")) as servers:
        targets = {"influxdb-1.6.7": servers.influx.url, "gateway": servers.gateway.url}
        pids = [servers.influx.process.pid, servers.gateway.process.pid]
        for name, url in targets.items():
            create_database(url, "bench")
            seconds = asyncio.run(post_all(f"{url}/write?db=bench&precision=ns", bodies, 4,
                                           False))
            print(f"  {name:15s} loaded in {seconds:.1f} s", flush=True)
        del bodies
        settle(pids, window=5.0, limit=300.0)
        print(f"median latency over {repeat} runs (ms); ratio = influxdb / gateway")
        for label, text in queries(points):
            times = asyncio.run(measure(targets, text, repeat))
            influx = statistics.median(times["influxdb-1.6.7"]) * 1000
            gateway = statistics.median(times["gateway"]) * 1000
            print(f"  {label:42s} influxdb {influx:9.2f}  gateway {gateway:9.2f}  "
                  f"ratio {influx / gateway:6.2f}x", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    run(args.points, args.repeat)


if __name__ == "__main__":
    main()
