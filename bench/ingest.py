"""Ingest benchmark: Telegraf-like cpu points over HTTP into the gateway and into a real
InfluxDB 1.6.7, same run, same client. Prints points/s and the ratio gateway / InfluxDB.

    .venv/bin/python bench/ingest.py [--points 1000000] [--memory-points 10000000]

Every acknowledgement is a durable one on both sides (InfluxDB fsyncs its WAL before a 204;
the gateway commits before a 204).
"""

from __future__ import annotations

import argparse
import asyncio
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
    workdir,
)


def run(points: int, batch: int, connections: int, memory_points: int) -> None:
    plain = batches(points, batch, compress=False)
    packed = batches(points, batch, compress=True)
    print(f"{points:,} points, {len(plain)} batches of {batch} lines, {connections} connections")
    results: dict[tuple[str, str], float] = {}
    with Servers(workdir("ingest")) as servers:
        targets = {"influxdb-1.6.7": servers.influx.url, "gateway": servers.gateway.url}
        for mode, bodies, gz in (("plain", plain, False), ("gzip", packed, True)):
            for name, url in targets.items():
                database = f"bench_{mode}"
                create_database(url, database)
                seconds = asyncio.run(post_all(f"{url}/write?db={database}&precision=ns",
                                               bodies, connections, gz))
                results[(name, mode)] = points / seconds
                print(f"  {name:15s} {mode:5s} {points / seconds:>12,.0f} points/s "
                      f"({seconds:.2f} s)", flush=True)
        for mode in ("plain", "gzip"):
            ratio = results[("gateway", mode)] / results[("influxdb-1.6.7", mode)]
            print(f"ratio gateway / influxdb-1.6.7 ({mode}): {ratio:.2f}x")

        if memory_points:
            extra = batches(memory_points, batch, compress=False)
            for url in targets.values():
                create_database(url, "bench_memory")
                asyncio.run(post_all(f"{url}/write?db=bench_memory&precision=ns", extra,
                                     connections, False))
            gateway_rss = rss_mb(servers.gateway.process.pid)
            influx_rss = rss_mb(servers.influx.process.pid)
            total = 2 * points + memory_points
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
    parser.add_argument("--memory-points", type=int, default=0,
                        help="points to add afterwards before reading resident memory")
    args = parser.parse_args()
    run(args.points, args.batch, args.connections, args.memory_points)


if __name__ == "__main__":
    main()
