"""Multi-statement InfluxQL relayed to InfluxDB 1.6.7: this checkout's gateway against another
build's, side by side, as Grafana sends a panel's queries (joined by `;`, unchunked JSON,
`epoch=ms`).

    cd /tmp && PYTHONPATH=/path/to/checkout .venv/bin/python -m bench.relay_multi \\
        --baseline /tmp/relaybase [--other NAME=TREE ...] [--rounds 4] [--requests 60] [--fresh]

One private InfluxDB 1.6.7 server, A, holding Telegraf-like `cpu` points (10 hosts, one cpu,
10 s apart); two gateways with a `single` route to A: the baseline build (a source tree,
e.g. `git archive f25cd04 | tar -x -C /tmp/relaybase`) and this checkout. Run it from a
directory holding no `gateway` package: each gateway imports the tree its PYTHONPATH names.
`--other` adds builds. For each case the sides take turns (the order reverses every round):
median and p90 latency, and the gateway's CPU per request read from /proc. Each gateway's
answer must be byte for byte A's, or the run stops. `--fresh` moves each request's upper time
bounds one millisecond further than the last request's (no point lies within them), as a
dashboard's refresh writes new bounds: no text is sent twice, so no cache of parsed texts
answers for the parse.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import re
import statistics
import sys
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    START_S,
    cpu_seconds,
    create_database,
    post_all,
    settle,
    telegraf_cpu_lines,
    workdir,
)
from bench.upstream import query_load, routing_config  # noqa: E402
from tests.support.gateway_process import gateway_process  # noqa: E402
from tests.support.influxd import influxd  # noqa: E402

DATABASE = "bench_multi"
HOSTS = 10
POINTS = 36_000  # 10 hosts, 3,600 points each: ten hours 10 s apart
CHECKOUT = Path(__file__).resolve().parent.parent


def _range(hours: float) -> str:
    start_ms = START_S * 1000
    return f"time >= {start_ms}ms AND time <= {start_ms + int(hours * 3_600_000)}ms"


# (label, statements): a Grafana panel's queries, as its InfluxQL data source writes them
CASES = [
    ("2 statements, 2 rows", [
        f'SELECT last("usage_idle") FROM "cpu" WHERE "host" = \'host001\' AND {_range(10)}',
        f'SELECT max("usage_user") FROM "cpu" WHERE {_range(10)}']),
    ("3 statements, 180 rows", [
        f'SELECT mean("{field}") FROM "cpu" WHERE "host" = \'host002\' AND {_range(1)} '
        'GROUP BY time(1m) fill(null)' for field in ("usage_idle", "usage_user",
                                                     "usage_system")]),
    ("4 statements, 2,400 rows", [
        f'SELECT mean("{field}") FROM "cpu" WHERE {_range(1)} GROUP BY time(1m), "host" '
        'fill(null)' for field in ("usage_idle", "usage_user", "usage_system", "usage_iowait")]),
    ("5 statements, 10,000 rows", [
        f'SELECT "{field}" FROM "cpu" WHERE "host" = \'host00{n}\' AND {_range(5.55)}'
        for n, field in enumerate(("usage_idle", "usage_user", "usage_system", "usage_iowait",
                                   "usage_nice"))]),
]


_UPPER = re.compile(r"time <= ([0-9]+)ms")
_MOVED = itertools.count(1)  # milliseconds: a few thousand requests stay below 10 s


def fresh_params(text: str) -> Callable[[], dict[str, str]]:
    """The request's parameters, each time with its upper time bounds a millisecond later
    than any request's before."""

    def params() -> dict[str, str]:
        shift = next(_MOVED)
        return {"db": DATABASE, "epoch": "ms",
                "q": _UPPER.sub(lambda m: f"time <= {int(m.group(1)) + shift}ms", text)}

    return params


def get(url: str, text: str) -> bytes:
    query = urllib.parse.urlencode({"db": DATABASE, "q": text, "epoch": "ms"})
    with urllib.request.urlopen(f"{url}/query?{query}", timeout=120) as response:
        return response.read()


def run(baseline: Path, others: dict[str, Path], rounds: int, requests: int,
        clients: int, fresh: bool = False) -> None:
    base = workdir("relay_multi")
    a = influxd(base / "influxd-a")
    config = routing_config(base / "single.toml", {"a": a.url}, "single", ["a"])
    builds = {"baseline": baseline, **others, "this checkout": CHECKOUT}
    gateways = {name: gateway_process(base / f"gw-{index}", config, PYTHONPATH=str(tree))
                for index, (name, tree) in enumerate(builds.items())}
    servers = [a, *gateways.values()]
    try:
        for server in servers:
            server.start()
        create_database(a.url, DATABASE)
        asyncio.run(post_all(f"{a.url}/write?db={DATABASE}&precision=ns",
                             [b"\n".join(telegraf_cpu_lines(POINTS, hosts=HOSTS, cpus=1))],
                             1, False))
        pids = {name: g.process.pid for name, g in gateways.items() if g.process}
        print(f"{', '.join(f'{n} {t}' for n, t in builds.items())}; {clients} client(s), "
              f"{requests} requests per round and side, {rounds} rounds")
        for label, statements in CASES:
            text = "; ".join(statements)
            direct = get(a.url, text)
            for name, gateway in gateways.items():
                if get(gateway.url, text) != direct:
                    raise SystemExit(f"{label}: {name}'s answer differs from A's")
            times: dict[str, list[float]] = {name: [] for name in gateways}
            cpu = dict.fromkeys(gateways, 0.0)
            names = list(gateways)
            for number in range(rounds):
                for name in names if number % 2 == 0 else names[::-1]:
                    settle([a.process.pid, *pids.values()] if a.process else list(pids.values()))
                    before = cpu_seconds(pids[name])
                    params = (fresh_params(text) if fresh
                              else {"db": DATABASE, "q": text, "epoch": "ms"})
                    times[name] += asyncio.run(query_load(
                        gateways[name].url, params, clients, requests))
                    cpu[name] += cpu_seconds(pids[name]) - before
            print(f"{label} ({len(direct):,} bytes answered)")
            for name in names:
                seconds = times[name]
                p90 = statistics.quantiles(seconds, n=10)[8]
                print(f"  {name:14s} median {statistics.median(seconds) * 1000:7.2f} ms  "
                      f"p90 {p90 * 1000:7.2f} ms  gateway CPU "
                      f"{cpu[name] / len(seconds) * 1000:6.2f} ms/request", flush=True)
    finally:
        for server in reversed(servers):
            server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline", type=Path, required=True,
                        help="a source tree of the gateway to compare against")
    parser.add_argument("--other", action="append", default=[], metavar="NAME=TREE",
                        help="another build to measure beside them")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--clients", type=int, default=1)
    parser.add_argument("--fresh", action="store_true",
                        help="new time bounds in every request, as a dashboard's refresh")
    args = parser.parse_args()
    if (Path.cwd() / "gateway").is_dir():
        raise SystemExit("run from a directory without a gateway package (its own would be "
                         "imported by both gateways)")
    os.environ.pop("PYTHONPATH", None)  # each gateway is given its own
    others = {name: Path(tree).resolve()
              for name, tree in (item.split("=", 1) for item in args.other)}
    run(args.baseline.resolve(), others, args.rounds, args.requests, args.clients,
        args.fresh)


if __name__ == "__main__":
    main()
