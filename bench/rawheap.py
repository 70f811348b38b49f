"""Raw reads of many series at shared times, timed in-process through the InfluxQL engine.

Loads `--hours` of the query benchmark's Telegraf `cpu` layout (900 series, 10 s apart, every
series at every time) into a native store in a temporary directory, then times each statement
through `engine.select` on the store's reader (no HTTP, no encoding): the cost of reading the
rows and putting rows of one time in 1.x's heap order (`translators/influxql/rawheap.py`).
Prints the median and best milliseconds and the rows answered of each (the best is the
steadier figure on a shared machine).

    PYTHONPATH=$PWD .venv/bin/python bench/rawheap.py [--hours 2] [--repeat 15]

To compare with another checkout, run this file with that checkout first on PYTHONPATH.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.common import START_S, telegraf_cpu_lines
from gateway.backends.native import writes
from gateway.backends.native.reader import Reader
from gateway.backends.native.schema import CatalogSchema
from gateway.backends.native.store import NativeStore
from gateway.model import Namespace
from translators.influxql import engine
from translators.influxql.parser import parse_query
from translators.lineprotocol import Precision, parse_lines

SERIES = 900
HOUR = 3600


def statements(hours: int) -> list[str]:
    mid = START_S + hours * HOUR // 2
    mid -= mid % HOUR
    hour = f"time >= {mid}s AND time < {mid + HOUR}s"
    return [
        f"SELECT usage_user FROM cpu WHERE {hour} LIMIT 1000",
        f"SELECT usage_user FROM cpu WHERE {hour} LIMIT 1000 OFFSET 5000",
        f"SELECT usage_user FROM cpu WHERE {hour} ORDER BY time DESC LIMIT 1000",
        f"SELECT usage_user FROM cpu WHERE {hour}",
        f"SELECT usage_user FROM cpu WHERE {hour} ORDER BY time DESC",
        f"SELECT * FROM cpu WHERE {hour} LIMIT 1000",
        f"SELECT usage_user FROM cpu WHERE {hour} GROUP BY host LIMIT 10",
    ]


async def load(store: NativeStore, hours: int) -> None:
    steps = hours * HOUR // 10 + 1
    lines = telegraf_cpu_lines(steps * SERIES)
    while True:
        chunk = [line for _, line in zip(range(50_000), lines, strict=False)]
        if not chunk:
            return
        body = b"\n".join(chunk)
        await store.write(Namespace("bench"),
                          writes.prepare(parse_lines(body, Precision.NANOSECOND, 0)))


async def measure(store: NativeStore, text: str, repeat: int) -> tuple[float, float, int]:
    (statement,) = parse_query(text, None)

    def work(reader: Reader) -> tuple[float, int]:
        started = time.perf_counter()
        found = engine.select(statement, "bench", CatalogSchema(reader.catalog), reader.run,
                              time.time_ns(), engine.Limits(), reader.series_times)
        return time.perf_counter() - started, sum(len(s.values) for s in found)

    await store.read(work)  # warm-up
    runs = [await store.read(work) for _ in range(repeat)]
    seconds = [s for s, _ in runs]
    return statistics.median(seconds) * 1000, min(seconds) * 1000, runs[0][1]


async def run(hours: int, repeat: int) -> None:
    with tempfile.TemporaryDirectory() as directory:
        store = NativeStore(Path(directory) / "store.duckdb")
        store.open()
        try:
            started = time.perf_counter()
            await load(store, hours)
            print(f"loaded {hours} h x {SERIES} series in {time.perf_counter() - started:.1f} s",
                  file=sys.stderr)
            for text in statements(hours):
                median, best, rows = await measure(store, text, repeat)
                short = re.sub(r"time >= \d+s AND time < \d+s", "<1 h>", text)
                print(f"{median:8.1f} ms (best {best:6.1f}) {rows:7d} rows  {short}", flush=True)
        finally:
            await store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    asyncio.run(run(args.hours, args.repeat))


if __name__ == "__main__":
    main()
