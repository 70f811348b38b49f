"""holt_winters() fits timed in-process: 30, 200 and 720 buckets, with and without a season.

Each series is a noisy daily-like wave (seeded, so every run and every checkout fits the same
numbers), one value per 10 s bucket as a Grafana panel's `$__interval` gives it; the fit is
`holtwinters.compute("holt_winters", ...)` forecasting 10 buckets, the whole of what the
gateway does for one series of `SELECT holt_winters(mean(v), 10, <season>) ... GROUP BY
time(10s)` once the buckets are read. Prints the median and best CPU seconds of each (CPU time,
not wall time: the fit runs on one thread, and the shared machine's load moves wall time by
half), and a digest of the answers so that two runs can be seen to agree bit for bit.

With --reference, the fit as it stood before it was made fast
(`tests/translators/influxql/holtwinters_reference.py`) is timed too, alternating with the
current one, and the ratio printed; the two answers must be the same bits.

    PYTHONPATH=$PWD .venv/bin/python bench/holt_winters.py [--repeat 3] [--sizes 30,200,720]
                                                           [--reference]
"""

from __future__ import annotations

import argparse
import hashlib
import math
import random
import statistics
import struct
import time
from collections.abc import Callable

from tests.translators.influxql import holtwinters_reference
from translators.influxql import holtwinters

INTERVAL = 10 * 10**9
START = 1_700_000_000 * 10**9
HORIZON = 10
SEASON = 12


def series(buckets: int, seed: int = 7) -> list[tuple[int, float]]:
    """`buckets` values of a wave of period SEASON with drift and noise, 10 s apart."""
    rng = random.Random(seed)
    return [(START + i * INTERVAL,
             50 + 0.02 * i + 10 * math.sin(2 * math.pi * i / SEASON) + rng.gauss(0, 2))
            for i in range(buckets)]


def digest(points: list[tuple[int, float]]) -> str:
    packed = b"".join(struct.pack("<qd", t, v) for t, v in points)
    return hashlib.sha256(packed).hexdigest()[:16]


def timed(compute: Callable[..., list[tuple[int, float]]], points: list[tuple[int, float]],
          season: int) -> tuple[float, list[tuple[int, float]]]:
    began = time.process_time()
    answer = compute("holt_winters", points, (HORIZON, season), INTERVAL)
    return time.process_time() - began, answer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sizes", default="30,200,720")
    parser.add_argument("--reference", action="store_true")
    args = parser.parse_args()
    print(f"{'buckets':>7} {'season':>6} {'median s':>9} {'best s':>8}  answer digest"
          + ("   reference median, best  ratio of medians" if args.reference else ""))
    for size in (int(s) for s in args.sizes.split(",")):
        points = series(size)
        for season in (0, SEASON):
            times: list[float] = []
            before: list[float] = []
            for _ in range(args.repeat):
                took, answer = timed(holtwinters.compute, points, season)
                times.append(took)
                if args.reference:
                    took, expected = timed(holtwinters_reference.compute, points, season)
                    before.append(took)
                    if answer != expected or digest(answer) != digest(expected):
                        raise SystemExit(f"{size} buckets, season {season}: answers differ")
            line = (f"{size:>7} {season:>6} {statistics.median(times):>9.3f} {min(times):>8.3f}"
                    f"  {digest(answer)}")
            if args.reference:
                line += (f"   {statistics.median(before):>7.3f} {min(before):>7.3f}"
                         f"  {statistics.median(before) / statistics.median(times):>6.1f}x")
            print(line, flush=True)


if __name__ == "__main__":
    main()
