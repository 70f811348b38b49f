"""The gateway's CPU per 1 M ingested points, read from /proc: steadier than points/s on a
machine that others share, since it does not count time spent waiting for a core.

    .venv/bin/python bench/ingest_cpu.py [--points 1000000] [--rounds 3] [--profile DIR]
                                         [--baseline OTHER_CHECKOUT] [--pause SECONDS]

The gateway runs alone (no InfluxDB beside it); ingest.py's batches are posted as ingest.py
posts them, plain then gzip, each round into a new database. For each round it prints the
process's CPU-seconds per 1 M points while the batches were posted, per thread (the event
loop, the parse and inflate workers, the store's writer), and once the idle checkpoint that
follows has run. `--profile DIR` records each mode's first round with py-spy (native frames).
`--baseline` runs a second gateway from another checkout (e.g. `git worktree add` of the
commit before a change) beside this one, alternating rounds, so that both see the same load.
`--pause` makes each connection wait after each answer, so that the store's idle checkpoint
runs between posts, as under a steady trickle of small writes (e.g. `--points 160000 --batch
2000 --connections 1 --pause 1.3`); its points/s count the pauses.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import signal
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    ROOT,
    batches,
    cpu_seconds,
    create_database,
    gateway_process,
    post_all,
    settle,
    workdir,
)
from tests.support.gateway_process import GatewayProcess  # noqa: E402

# Native frames show where Arrow and DuckDB spend; without them py-spy leaves idle threads out.
SPY_FLAGS = os.environ.get("INGEST_CPU_SPY_FLAGS", "--native -r 200").split()


def thread_seconds(pid: int) -> Counter[int]:
    """CPU-seconds per thread id."""
    out: Counter[int] = Counter()
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:  # the thread ended meanwhile
            continue
        tick = os.sysconf("SC_CLK_TCK")
        out[int(task.name)] = (int(fields[11]) + int(fields[12])) / tick
        out[-int(task.name)] = int(fields[12]) / tick  # system time alone
    return out


def thread_names(pid: int) -> dict[int, str]:
    """Python's names of the threads (py-spy reads them), pools' numbers left off."""
    out = subprocess.run([str(Path(sys.executable).parent / "py-spy"), "dump", "-p", str(pid)],
                         capture_output=True, text=True).stdout
    return {int(tid): re.sub(r"_\d+$", "", name)
            for tid, name in re.findall(r'^Thread (\d+) .*?: "(.*)"', out, re.M)}


def measure(gateway: GatewayProcess, database: str, data: list[bytes], connections: int,
            gzipped: bool, spy_to: Path | None, pause: float = 0.0
            ) -> tuple[float, float, float, Counter[str]]:
    """Post `data` into a new database: seconds, CPU-s while posting, CPU-s until idle again
    (the checkpoint), CPU-s per thread while posting."""
    assert gateway.process is not None
    pid = gateway.process.pid
    create_database(gateway.url, database)
    settle([pid])
    spy = None
    if spy_to is not None:
        spy = subprocess.Popen(
            [str(Path(sys.executable).parent / "py-spy"), "record", *SPY_FLAGS, "--threads",
             "-p", str(pid), "-f", "raw", "-o", str(spy_to)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1.0)
    threads = thread_seconds(pid)
    before = cpu_seconds(pid)
    seconds = asyncio.run(post_all(f"{gateway.url}/write?db={database}&precision=ns", data,
                                   connections, gzipped, pause))
    used = cpu_seconds(pid) - before
    after = thread_seconds(pid)
    if spy is not None:
        spy.send_signal(signal.SIGINT)
        spy.wait()
    names = thread_names(pid)
    per_thread: Counter[str] = Counter()
    for tid, value in after.items():
        name = names.get(abs(tid), "other") + (" (sys)" if tid < 0 else "")
        per_thread[name] += value - threads.get(tid, 0.0)
    settle([pid])
    return seconds, used, cpu_seconds(pid) - before, per_thread


def run(points: int, rounds: int, connections: int, batch: int, profile: Path | None,
        baseline: Path | None, pause: float = 0.0) -> None:
    bodies = {"plain": batches(points, batch, False), "gzip": batches(points, batch, True)}
    scale = 1_000_000 / points
    base = workdir("ingest_cpu")
    # Each gateway imports the code its PYTHONPATH names: PYTHONSAFEPATH keeps `python -m`
    # from putting the working directory (perhaps the other checkout) first.
    gateways = {"gateway": gateway_process(base / "gateway", PYTHONPATH=str(ROOT),
                                           PYTHONSAFEPATH="1")}
    if baseline is not None:
        gateways["baseline"] = gateway_process(base / "baseline", PYTHONPATH=str(baseline),
                                               PYTHONSAFEPATH="1")
    results: dict[tuple[str, str], list[tuple[float, float]]] = {}
    try:
        for gateway in gateways.values():
            gateway.start()
        for mode, data in bodies.items():
            for number in range(rounds):
                order = list(gateways.items())
                for name, gateway in order[number % 2:] + order[:number % 2]:
                    spy_to = None
                    if profile is not None and number == 0:
                        profile.mkdir(parents=True, exist_ok=True)
                        spy_to = profile / f"{name}-{mode}.txt"
                    seconds, used, total, per_thread = measure(
                        gateway, f"cpu_{mode}_{number}", data, connections, mode == "gzip",
                        spy_to, pause)
                    results.setdefault((name, mode), []).append((used * scale, total * scale))
                    split = ", ".join(f"{thread} {value * scale:.2f}" for thread, value in
                                      per_thread.most_common() if value * scale >= 0.01)
                    print(f"{name:8s} {mode:5s} round {number}: {used * scale:.2f} CPU-s per "
                          f"1 M points ({points / seconds:,.0f} points/s; {split}); with the "
                          f"checkpoint after: {total * scale:.2f}", flush=True)
        for (name, mode), values in results.items():
            print(f"{name:8s} {mode:5s} median: "
                  f"{statistics.median(v[0] for v in values):.2f} CPU-s per 1 M points while "
                  f"posting, {statistics.median(v[1] for v in values):.2f} with the checkpoint")
    finally:
        for gateway in gateways.values():
            gateway.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch", type=int, default=5_000)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--profile", type=Path, default=None)
    parser.add_argument("--baseline", type=Path, default=None,
                        help="a checkout whose gateway runs beside this one, rounds alternating")
    parser.add_argument("--pause", type=float, default=0.0,
                        help="seconds each connection waits after each answer")
    args = parser.parse_args()
    run(args.points, args.rounds, args.connections, args.batch, args.profile, args.baseline,
        args.pause)


if __name__ == "__main__":
    main()
