"""Upstream routing benchmark: what routing through the gateway costs against InfluxDB 1.6.7
itself, each figure against a baseline measured side by side in the same run.

    .venv/bin/python bench/upstream.py [--points 500000] [--rounds 3] [--quick]

Two private InfluxDB 1.6.7 servers, A and B, and two gateways: one with a `single` route to A,
one with a `mirror` route to A then B. Targets:

1. writes through the single route / the same client writing to A directly: >= 0.95
2. small InfluxQL queries at 16 concurrent clients, through the single route against A
   directly: <= 1 ms added to the median latency (p90, and one client alone, shown too)
3. writes through the mirror route (A and B) / through the single route (A): >= 0.9

Writes are Telegraf-like `cpu` points with nanosecond timestamps in 5,000-line batches over 4
keep-alive connections, each run into a new database; the sides alternate (the one that goes
first changes every round) and medians are reported.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    batches,
    cpu_seconds,
    create_database,
    post_all,
    settle,
    telegraf_cpu_lines,
    workdir,
)
from tests.support.gateway_process import GatewayProcess, gateway_process  # noqa: E402
from tests.support.influxd import Influxd, influxd  # noqa: E402

QUERIES = [
    ("last usage_idle, one host", "SELECT last(\"usage_idle\") FROM \"cpu\" "
                                  "WHERE \"host\" = 'host001'"),
    ("SHOW MEASUREMENTS", "SHOW MEASUREMENTS"),
]
QUERY_DATABASE = "bench_query"
QUERY_POINTS = 3_600  # 10 hosts x 1 cpu, an hour 10 s apart


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the closing table."""

    measure: str
    baseline: str
    gateway: str
    result: str
    target: str
    met: bool


def routing_config(path: Path, upstreams: dict[str, str], mode: str, targets: list[str]) -> Path:
    lines: list[str] = []
    for name, url in upstreams.items():
        lines += ["[[upstreams]]", f'name = "{name}"', 'type = "influxdb1"', f'url = "{url}"']
    lines += ["[[routes]]", 'database = "*"', f'mode = "{mode}"',
              "targets = [" + ", ".join(f'"{t}"' for t in targets) + "]"]
    path.write_text("\n".join(lines) + "\n")
    return path


def get_json(url: str, path: str, **params: str) -> dict:
    query = f"?{urllib.parse.urlencode(params)}" if params else ""
    with urllib.request.urlopen(f"{url}{path}{query}", timeout=60) as response:
        return json.loads(response.read())


def count_points(url: str, database: str) -> int:
    answer = get_json(url, "/query", db=database, q='SELECT count("usage_idle") FROM "cpu"')
    series = answer["results"][0].get("series") or [{"values": [[0, 0]]}]
    return int(series[0]["values"][0][1])


def check_counts(label: str, urls: dict[str, str], database: str, expected: int) -> None:
    for name, url in urls.items():
        found = count_points(url, database)
        if found != expected:
            raise SystemExit(f"{label}: {name} holds {found:,} points in {database}, "
                             f"expected {expected:,}")
    print(f"  checked: {database} holds all {expected:,} points on "
          f"{' and '.join(urls)}", flush=True)


def write_rounds(sides: dict[str, str], create_on: dict[str, list[str]], bodies: list[bytes],
                 points: int, connections: int, rounds: int, processes: dict[str, int],
                 tag: str) -> tuple[dict[str, list[float]], dict[str, list[str]]]:
    """points/s per side and per round, each run into a new database, sides alternating;
    prints the cores each server process kept busy on each side."""
    rates: dict[str, list[float]] = {name: [] for name in sides}
    databases: dict[str, list[str]] = {name: [] for name in sides}
    busy: dict[str, dict[str, float]] = {name: dict.fromkeys(processes, 0.0) for name in sides}
    names = list(sides)
    for number in range(rounds):
        order = names if number % 2 == 0 else names[::-1]
        for name in order:
            database = f"bench_{tag}_{names.index(name)}_{number}"
            for url in create_on[name]:
                create_database(url, database)
            settle(list(processes.values()))
            before = {p: cpu_seconds(pid) for p, pid in processes.items()}
            seconds = asyncio.run(post_all(f"{sides[name]}/write?db={database}&precision=ns",
                                           bodies, connections, False))
            for p, pid in processes.items():
                busy[name][p] += (cpu_seconds(pid) - before[p]) / seconds / rounds
            rates[name].append(points / seconds)
            databases[name].append(database)
    for name in names:
        cores = ", ".join(f"{p} {c:.2f}" for p, c in busy[name].items() if c >= 0.005)
        print(f"  {name:16s} {statistics.median(rates[name]):>10,.0f} points/s "
              f"(rounds: {', '.join(f'{r:,.0f}' for r in rates[name])}; cores busy: {cores})",
              flush=True)
    return rates, databases


Params = dict[str, str] | Callable[[], dict[str, str]]  # the same each time, or made anew


async def query_worker(url: str, params: Params, requests: int, out: list[float]) -> None:
    """`requests` timed GETs of /query with `params` on one keep-alive connection, after
    one untimed request that opens it; any error or statement error stops the run."""
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as session:
        for index in range(requests + 1):
            sent = params() if callable(params) else params
            started = time.perf_counter()
            async with session.get(f"{url}/query", params=sent) as response:
                body = await response.read()
            if response.status != 200 or b'"error"' in body:
                raise RuntimeError(f"{url}: {response.status} {body[:300]!r}")
            if index:  # the first request opens the connection: not timed
                out.append(time.perf_counter() - started)


async def query_load(url: str, params: Params, clients: int,
                     requests: int) -> list[float]:
    """The request times of `clients` query workers side by side."""
    out: list[float] = []
    await asyncio.gather(*(query_worker(url, params, requests, out) for _ in range(clients)))
    return out


@dataclass
class Latencies:
    """One side's query timings: seconds per request, and the run's totals."""

    seconds: list[float]
    wall: float = 0.0
    gateway_cpu: float = 0.0

    @property
    def median_ms(self) -> float:
        return statistics.median(self.seconds) * 1000

    @property
    def p90_ms(self) -> float:
        return statistics.quantiles(self.seconds, n=10)[8] * 1000


def query_latencies(sides: dict[str, str], text: str, clients: int, requests: int,
                    rounds: int, gateway_pid: int) -> dict[str, Latencies]:
    """Timings at `clients` concurrent keep-alive clients, one session each, sides
    alternating, with the CPU the gateway process used meanwhile."""
    out = {name: Latencies([]) for name in sides}
    names = list(sides)
    for number in range(rounds):
        for name in names if number % 2 == 0 else names[::-1]:
            cpu, started = cpu_seconds(gateway_pid), time.perf_counter()
            out[name].seconds += asyncio.run(query_load(
                sides[name], {"db": QUERY_DATABASE, "q": text}, clients, requests))
            out[name].wall += time.perf_counter() - started
            out[name].gateway_cpu += cpu_seconds(gateway_pid) - cpu
    return out


def same_answers(direct: str, gateway: str, text: str) -> None:
    answers = [get_json(url, "/query", db=QUERY_DATABASE, q=text) for url in (direct, gateway)]
    if answers[0] != answers[1]:
        raise SystemExit(f"{text}: the gateway answered {answers[1]}, A answered {answers[0]}")


@dataclass
class Rig:
    """Servers A and B and the two gateways in front of them."""

    a: Influxd
    b: Influxd
    single: GatewayProcess  # single route to A
    mirror: GatewayProcess  # mirror route to A, then B

    def processes(self) -> dict[str, int]:
        servers = {"A": self.a.process, "B": self.b.process, "gateway": self.single.process,
                   "mirror gateway": self.mirror.process}
        return {name: p.pid for name, p in servers.items() if p is not None}


def write_phase(rig: Rig, bodies: list[bytes], points: int, connections: int,
                rounds: int) -> Row:
    print("(1) writes: gateway single route to A vs A directly")
    sides = {"A directly": rig.a.url, "gateway -> A": rig.single.url}
    rates, databases = write_rounds(sides, {name: [rig.a.url] for name in sides}, bodies,
                                    points, connections, rounds, rig.processes(), "write")
    check_counts("(1)", {"A": rig.a.url}, databases["gateway -> A"][0], points)
    baseline = statistics.median(rates["A directly"])
    gateway = statistics.median(rates["gateway -> A"])
    return Row("(1) write points/s, via / direct", f"{baseline:,.0f}", f"{gateway:,.0f}",
               f"{gateway / baseline:.2f}x", ">= 0.95x", gateway / baseline >= 0.95)


def query_phase(rig: Rig, clients: int, requests: int, rounds: int) -> list[Row]:
    print(f"(2) queries: {requests} requests per client, round and side, {rounds} rounds")
    create_database(rig.a.url, QUERY_DATABASE)
    asyncio.run(post_all(f"{rig.a.url}/write?db={QUERY_DATABASE}&precision=ns",
                         [b"\n".join(telegraf_cpu_lines(QUERY_POINTS, hosts=10, cpus=1))],
                         1, False))
    settle(list(rig.processes().values()))
    sides = {"A directly": rig.a.url, "gateway -> A": rig.single.url}
    gateway_pid = rig.processes()["gateway"]
    rows = []
    for label, text in QUERIES:
        same_answers(rig.a.url, rig.single.url, text)
        # One client shows the hop's own cost; at `clients` it also queues behind the others.
        for concurrency in sorted({1, clients}):
            times = query_latencies(sides, text, concurrency, requests, rounds, gateway_pid)
            direct, via = times["A directly"], times["gateway -> A"]
            for name, t in times.items():
                cpu = (f", gateway CPU {t.gateway_cpu / len(t.seconds) * 1000:.2f} ms/query"
                       if t is via else "")
                print(f"  {label:25s} {concurrency:2d} clients  {name:12s}  median "
                      f"{t.median_ms:6.2f} ms  p90 {t.p90_ms:6.2f} ms  "
                      f"{len(t.seconds) / t.wall:6,.0f} queries/s{cpu}", flush=True)
            added = via.median_ms - direct.median_ms
            where = f"(2) {label}, {concurrency} client{'s' if concurrency > 1 else ''}"
            target = "<= +1 ms" if concurrency == clients else "(shown)"
            rows.append(Row(f"{where}, median ms", f"{direct.median_ms:.2f}",
                            f"{via.median_ms:.2f}", f"{added:+.2f} ms", target, added <= 1.0))
            rows.append(Row(f"{where}, p90 ms", f"{direct.p90_ms:.2f}", f"{via.p90_ms:.2f}",
                            f"{via.p90_ms - direct.p90_ms:+.2f} ms", "(shown)", True))
    return rows


def mirror_phase(rig: Rig, bodies: list[bytes], points: int, connections: int,
                 rounds: int) -> Row:
    print("(3) writes: gateway mirror route to A and B vs gateway single route to A")
    sides = {"gateway -> A": rig.single.url, "gateway -> A+B": rig.mirror.url}
    create_on = {"gateway -> A": [rig.a.url], "gateway -> A+B": [rig.a.url, rig.b.url]}
    rates, databases = write_rounds(sides, create_on, bodies, points, connections, rounds,
                                    rig.processes(), "mirror")
    check_counts("(3)", {"A": rig.a.url, "B": rig.b.url}, databases["gateway -> A+B"][0],
                 points)
    # A mirror that missed a batch would have it queued: then B was not written at full speed.
    report = get_json(rig.mirror.url, "/admin/replay")["targets"]
    for name, entry in sorted(report.items()):
        if entry["failed"] or entry["queued"] or entry["rejected"]:
            raise SystemExit(f"(3) target {name} did not take every batch live: {entry}")
    baseline = statistics.median(rates["gateway -> A"])
    gateway = statistics.median(rates["gateway -> A+B"])
    return Row("(3) write points/s, mirror / single", f"{baseline:,.0f}", f"{gateway:,.0f}",
               f"{gateway / baseline:.2f}x", ">= 0.9x", gateway / baseline >= 0.9)


def print_table(rows: list[Row]) -> None:
    header = Row("measure", "baseline", "gateway", "result", "target", True)
    fields = ("measure", "baseline", "gateway", "result", "target")
    widths = [max(len(getattr(r, f)) for r in [header, *rows]) for f in fields]
    for row in [header, *rows]:
        cells = [getattr(row, f) for f in fields]
        verdict = ""
        if row is not header and row.target != "(shown)":
            verdict = "met" if row.met else "missed"
        line = "  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                         for i, (c, w) in enumerate(zip(cells, widths, strict=True)))
        print(f"{line}  {verdict}".rstrip())


def run(points: int, batch: int, connections: int, rounds: int, clients: int,
        requests: int) -> None:
    bodies = batches(points, batch, compress=False)
    print(f"{points:,} points per write run, {len(bodies)} batches of {batch} lines, "
          f"{connections} connections, median of {rounds} rounds (each into a new database)")
    base = workdir("upstream")
    upstreams = {"a": influxd(base / "influxd-a"), "b": influxd(base / "influxd-b")}
    gateways = {
        "single": gateway_process(base / "gw-single", routing_config(
            base / "single.toml", {n: s.url for n, s in upstreams.items()}, "single", ["a"])),
        "mirror": gateway_process(base / "gw-mirror", routing_config(
            base / "mirror.toml", {n: s.url for n, s in upstreams.items()}, "mirror",
            ["a", "b"])),
    }
    servers: list[Influxd | GatewayProcess] = [*upstreams.values(), *gateways.values()]
    try:
        for server in servers:
            server.start()
        rig = Rig(upstreams["a"], upstreams["b"], gateways["single"], gateways["mirror"])
        rows = [write_phase(rig, bodies, points, connections, rounds)]
        rows += query_phase(rig, clients, requests, rounds)
        rows.append(mirror_phase(rig, bodies, points, connections, rounds))
    finally:
        for server in reversed(servers):
            server.stop()
    print()
    print_table(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--points", type=int, default=500_000, help="points per write run")
    parser.add_argument("--batch", type=int, default=5_000)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", type=int, default=16, help="concurrent query clients")
    parser.add_argument("--requests", type=int, default=100,
                        help="queries per client per round and side")
    parser.add_argument("--quick", action="store_true",
                        help="a short smoke run: 50,000 points, 2 rounds, 10 requests")
    args = parser.parse_args()
    if args.quick:
        args.points, args.rounds, args.requests = 50_000, 2, 10
    run(args.points, args.batch, args.connections, args.rounds, args.clients, args.requests)


if __name__ == "__main__":
    main()
