"""Ingest benchmark: Telegraf-like cpu points over HTTP into the gateway and into a real
InfluxDB 1.6.7, same run, same client. Prints points/s and the ratio gateway / InfluxDB.

    .venv/bin/python bench/ingest.py [--points 1000000] [--memory-points 10000000]

Every acknowledgement is a durable one on both sides (InfluxDB fsyncs its WAL before a 204;
the gateway commits before a 204).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    Servers,
    batches,
    create_database,
    du_mb,
    post_all,
    rss_mb,
    settle,
    workdir,
)


def run(points: int, batch: int, connections: int, rounds: int, memory_points: int) -> None:
    plain = batches(points, batch, compress=False)
    packed = batches(points, batch, compress=True)
    print(f"{points:,} points, {len(plain)} batches of {batch} lines, {connections} connections,"
          f" median of {rounds} rounds (each into a new database)")
    results: dict[tuple[str, str], list[float]] = {}
    with Servers(workdir("ingest")) as servers:
        targets = {"influxdb-1.6.7": servers.influx.url, "gateway": servers.gateway.url}
        pids = [servers.influx.process.pid, servers.gateway.process.pid]
        for mode, bodies, gz in (("plain", plain, False), ("gzip", packed, True)):
            for number in range(rounds):  # alternate targets so drift hits both alike
                for name, url in targets.items():
                    database = f"bench_{mode}_{number}"
                    create_database(url, database)
                    settle(pids)
                    seconds = asyncio.run(post_all(f"{url}/write?db={database}&precision=ns",
                                                   bodies, connections, gz))
                    results.setdefault((name, mode), []).append(points / seconds)
            for name in targets:
                rates = results[(name, mode)]
                print(f"  {name:15s} {mode:5s} {statistics.median(rates):>12,.0f} points/s "
                      f"(rounds: {', '.join(f'{r:,.0f}' for r in rates)})", flush=True)
        for mode in ("plain", "gzip"):
            ratio = (statistics.median(results[("gateway", mode)])
                     / statistics.median(results[("influxdb-1.6.7", mode)]))
            print(f"ratio gateway / influxdb-1.6.7 ({mode}): {ratio:.2f}x")

        if memory_points:
            extra = batches(memory_points, batch, compress=False)
            sustained = {}
            for name, url in targets.items():
                create_database(url, "bench_memory")
                settle(pids)
                seconds = asyncio.run(post_all(f"{url}/write?db=bench_memory&precision=ns",
                                               extra, connections, False))
                sustained[name] = memory_points / seconds
                print(f"  {name:15s} sustained {sustained[name]:>12,.0f} points/s over "
                      f"{memory_points:,} points (checkpoints and compactions included)",
                      flush=True)
            print(f"ratio gateway / influxdb-1.6.7 (sustained): "
                  f"{sustained['gateway'] / sustained['influxdb-1.6.7']:.2f}x")
            settle(pids)
            gateway_rss = rss_mb(servers.gateway.process.pid)
            influx_rss = rss_mb(servers.influx.process.pid)
            total = 2 * rounds * points + memory_points
            print(f"after {total:,} points: resident memory gateway {gateway_rss:,.0f} MB, "
                  f"influxdb-1.6.7 {influx_rss:,.0f} MB (ratio {gateway_rss / influx_rss:.2f}x)")
    gateway_disk = du_mb(servers.gateway.data_dir)
    influx_disk = du_mb(servers.influx.data_dir)
    print(f"disk after shutdown: gateway {gateway_disk:,.0f} MB, influxdb-1.6.7 "
          f"{influx_disk:,.0f} MB (ratio {gateway_disk / influx_disk:.2f}x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=5_000)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--memory-points", type=int, default=0,
                        help="points to add afterwards before reading resident memory")
    args = parser.parse_args()
    run(args.points, args.batch, args.connections, args.rounds, args.memory_points)


if __name__ == "__main__":
    main()
