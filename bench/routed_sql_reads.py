"""What the statements routed SQL sends a 1.x upstream cost there: one field alone against the
same with `*` (raw) and `count(*)` (grouped) beside it, and the two SHOW statements.

A real InfluxDB 1.6.7 (tests/support/influxd) holds one measurement of `--fields` float fields
and 10 series, `--points` points in all; each statement is sent once to warm up, then timed
(wall seconds, the answer's bytes).

    PYTHONPATH=$PWD .venv/bin/python bench/routed_sql_reads.py [--fields 40] [--points 100000]
"""

from __future__ import annotations

import argparse
import time
import urllib.parse
import urllib.request

from bench.common import create_database, workdir
from tests.support.influxd import influxd

STATEMENTS = ("SELECT f1 FROM m", "SELECT f1, * FROM m",
              "SELECT mean(f1) FROM m GROUP BY host",
              "SELECT mean(f1), count(*) FROM m GROUP BY host",
              "SHOW FIELD KEYS FROM m; SHOW TAG KEYS FROM m")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fields", type=int, default=40)
    parser.add_argument("--points", type=int, default=100_000)
    args = parser.parse_args()
    server = influxd(workdir("routed_sql_reads")).start()
    try:
        def post(path: str, data: bytes) -> tuple[float, int]:
            started = time.perf_counter()
            with urllib.request.urlopen(urllib.request.Request(f"{server.url}{path}", data=data),
                                        timeout=600) as reply:
                size = len(reply.read())
            return time.perf_counter() - started, size

        def query(text: str) -> tuple[float, int]:
            return post("/query", urllib.parse.urlencode(
                {"q": text, "db": "bench", "epoch": "ns"}).encode())

        create_database(server.url, "bench")
        for start in range(0, args.points, 5000):
            lines = [f"m,host=h{i % 10} " + ",".join(f"f{j}={i * j % 97}.5"
                                                      for j in range(args.fields))
                     + f" {1_600_000_000 + i}000000000"
                     for i in range(start, min(start + 5000, args.points))]
            post("/write?db=bench", "\n".join(lines).encode())
        for text in STATEMENTS:
            query(text)
            seconds, size = query(text)
            print(f"{seconds:8.3f} s {size:>10,d} bytes  {text}")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
