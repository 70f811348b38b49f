"""InfluxDB 3-shaped InfluxQL answers encoded in process: ms per answer for each v3 format.

An answer like `SELECT mean(f), count(i), last(s), last(b) ... GROUP BY time(1m), host
fill(null)` over far-apart points: `--series` hosts, every second bucket empty (nulls), the
series held as Arrow columns (as `translators/influxql/columnar.py` shapes them) or as Python
rows (`--rows`). Times `statement_table` (the series laid out as one table) and each encoder.

    .venv/bin/python bench/v3_encoders.py                      # 1 M rows and 1,000 rows
    .venv/bin/python bench/v3_encoders.py --rows --profile json  # cProfile of one format
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from translators.encoders import V3_ENCODERS  # noqa: E402
from translators.encoders.influxql_table import statement_table  # noqa: E402
from translators.influxql.results import Series, StatementResult  # noqa: E402

START_NS = 1_700_000_000_000_000_000
MINUTE_NS = 60_000_000_000


def answer(rows: int, series: int, as_rows: bool, seed: int = 1) -> StatementResult:
    rng = random.Random(seed)
    out = []
    per = rows // series
    for host in range(series):
        times = [START_NS + i * MINUTE_NS for i in range(per)]
        filled = [i % 2 == 0 for i in range(per)]
        floats = [rng.random() * 100 if f else None for f in filled]
        counts = [rng.randrange(1, 50) if f else None for f in filled]
        texts = [f"v{rng.randrange(1000)}" if f else None for f in filled]
        flags = [rng.random() < 0.5 if f else None for f in filled]
        columns = ["time", "mean", "count", "last", "last_1"]
        arrays = [pa.array(times, pa.int64()), pa.array(floats, pa.float64()),
                  pa.array(counts, pa.int64()), pa.array(texts, pa.string()),
                  pa.array(flags, pa.bool_())]
        tags = {"host": f"host{host:03d}"}
        if as_rows:
            values = [list(r) for r in zip(times, floats, counts, texts, flags, strict=True)]
            out.append(Series("cpu", columns, values, tags, has_time=True))
        else:
            out.append(Series("cpu", columns, None, tags, has_time=True, arrays=arrays))
    return StatementResult(0, out)


def best_ms(run: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", action="store_true", help="series as Python rows")
    parser.add_argument("--series", type=int, default=4)
    parser.add_argument("--profile", choices=[*V3_ENCODERS, "table"])
    parser.add_argument("--size", type=int, action="append")
    args = parser.parse_args()
    sizes = args.size or [1_000_000, 1_000]
    if args.profile:
        result = answer(sizes[0], args.series, args.rows)
        table = statement_table(result)
        run = ((lambda: statement_table(answer(sizes[0], args.series, args.rows)))
               if args.profile == "table" else lambda: V3_ENCODERS[args.profile].encode(table))
        profiler = cProfile.Profile()
        profiler.runcall(run)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
        return
    shape = "rows" if args.rows else "arrays"
    for size in sizes:
        repeat = 3 if size >= 100_000 else 50
        # statement_table reads each series' arrays once (rows are then kept): fresh answers
        fresh = [answer(size, args.series, args.rows) for _ in range(repeat)]
        table_ms = best_ms(lambda fresh=fresh: statement_table(fresh.pop()), repeat)
        table = statement_table(answer(size, args.series, args.rows))
        line = [f"{size:>9,} rows ({shape}): table {table_ms:8.1f} ms"]
        for name, encoder in V3_ENCODERS.items():
            ms = best_ms(lambda encoder=encoder, table=table: encoder.encode(table), repeat)
            line.append(f"{name} {ms:8.1f}")
        print("  ".join(line), flush=True)


if __name__ == "__main__":
    main()
