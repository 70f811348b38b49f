"""A subquery's fill() runs near the cap: the gateway beside InfluxDB 1.6.7, answers compared.

A sparse measurement (one point every `--gap` seconds, hosts in turn) read by a subquery
`GROUP BY time(1s), host fill(0)` over `--days`: 1.x's fill iterator starts a run over the
whole range at every change of host, so the subquery answers points x buckets rows, which a
parent `count()` (and a raw parent cut by LIMIT...) reads. Two calls have a fill iterator
each, joined by 1.x's cursor: `max(u)` (a field every third point holds) has runs of its own,
so the join answers more rows than either call. The cap (10 x query.max_buckets rows the
subquery answers) lets the two-day range through; the last two statements reach a day past
it: the gateway refuses them at once, where 1.6.7 answers. Prints each statement's seconds
on both servers and their ratio, and whether the answers agree.

    .venv/bin/python bench/subquery_fill.py                  # 40 runs x 2 days: 6.9 M rows
    .venv/bin/python bench/subquery_fill.py --keep /tmp/sf   # leave both servers running
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.gateway_process import gateway_process  # noqa: E402
from tests.support.influxd import influxd  # noqa: E402

START_S = 1_700_006_400  # a day boundary, as 1.x's shard groups are
DATABASE = "sparse"


def lines(points: int, hosts: int, gap: int) -> bytes:
    def fields(k: int) -> str:  # u on every third point only
        return f"v={k * 1.5},u={k}" if k % 3 == 0 else f"v={k * 1.5}"

    return b"".join(f"m,host=h{k % hosts} {fields(k)} {START_S + 1 + k * gap}\n".encode()
                    for k in range(points))


def statements(days: int) -> list[str]:
    end = START_S + days * 86_400
    where = f"time >= {START_S}s AND time < {end}s"
    inner = f"SELECT mean(v) AS v FROM m WHERE {where} GROUP BY time(1s), host fill(0)"
    previous = inner.replace("fill(0)", "fill(previous)")
    linear = inner.replace("fill(0)", "fill(linear)")
    two = inner.replace("mean(v) AS v", "mean(v) AS v, max(v) AS w")
    apart = previous.replace("mean(v) AS v", "mean(v) AS v, max(u) AS w")  # runs of its own
    over = inner.replace(f"time < {end}s", f"time < {end + 86_400}s")  # past the cap
    two_over = over.replace("mean(v) AS v", "mean(v) AS v, max(u) AS w")
    return [
        f"SELECT count(v) FROM ({inner})",
        f"SELECT count(v), sum(v) FROM ({previous})",
        f"SELECT v FROM ({inner}) LIMIT 5",
        f"SELECT count(v) FROM ({previous}) GROUP BY host",
        f"SELECT mean(v) FROM ({linear}) WHERE {where}",
        f"SELECT count(v) FROM ({two})",
        f"SELECT count(v), count(w), sum(w) FROM ({apart}) GROUP BY host",
        f"SELECT v, w FROM ({apart} ORDER BY time DESC) ORDER BY time DESC LIMIT 5",
        f"SELECT count(v) FROM ({over})",
        f"SELECT count(w) FROM ({two_over})",
    ]


def post(url: str, data: bytes) -> int:
    request = urllib.request.Request(url, data=data, method="POST")
    with urllib.request.urlopen(request, timeout=600) as response:
        return response.status


def ask(base: str, statement: str) -> tuple[float, object]:
    query = urllib.parse.urlencode({"db": DATABASE, "q": statement, "epoch": "s"})
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(f"{base}/query?{query}", timeout=900) as response:
            body = response.read()
    except urllib.error.HTTPError as exc:
        body = exc.read()
    return time.perf_counter() - started, json.loads(body)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--points", type=int, default=40)
    parser.add_argument("--hosts", type=int, default=4)
    parser.add_argument("--days", type=int, default=2)
    parser.add_argument("--keep", type=Path, help="a directory: leave the servers running")
    args = parser.parse_args()
    gap = args.days * 86_400 // (args.points + 1)
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-subquery-fill-"))
    reference = influxd(work / "influxd").start()
    gateway = gateway_process(work / "gw").start(timeout=60)
    try:
        for base in (reference.url, gateway.url):
            post(f"{base}/query", urllib.parse.urlencode(
                {"q": f"CREATE DATABASE {DATABASE}"}).encode())
            post(f"{base}/write?db={DATABASE}&precision=s",
                 lines(args.points, args.hosts, gap))
        rows = args.points * args.days * 86_400
        print(f"{args.points} runs x {args.days * 86_400} buckets = {rows:,} subquery rows")
        for statement in statements(args.days):
            influx_s, expected = ask(reference.url, statement)
            gateway_s, actual = ask(gateway.url, statement)
            same = "same" if expected == actual else f"DIFFERENT: {expected} != {actual}"
            print(f"{influx_s:7.2f} s 1.6.7 {gateway_s:7.2f} s gateway "
                  f"{gateway_s / influx_s:5.2f}x  {same}\n    {statement[:100]}")
        if args.keep:
            print(f"influxd {reference.url} (pid {reference.process.pid}), "
                  f"gateway {gateway.url} (pid {gateway.process.pid})")
            return
    except BaseException:
        gateway.stop()
        reference.stop()
        raise
    gateway.stop()
    reference.stop()


if __name__ == "__main__":
    main()
