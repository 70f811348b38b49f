"""Shared pieces of the benchmarks: servers side by side, Telegraf-like data, measurements."""

from __future__ import annotations

import asyncio
import gzip
import os
import random
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.gateway_process import gateway_process  # noqa: E402
from tests.support.influxd import influxd  # noqa: E402

CPU_FIELDS = ["usage_user", "usage_system", "usage_idle", "usage_nice", "usage_iowait",
              "usage_irq", "usage_softirq", "usage_steal", "usage_guest", "usage_guest_nice"]
START_S = 1_700_000_000


def telegraf_cpu_lines(points: int, hosts: int = 100, cpus: int = 9, seed: int = 1
                       ) -> Iterator[bytes]:
    """Telegraf `cpu` input lines: hosts x cpus series, 10 float fields, 10 s apart, in
    time order (each series moving forward, as agents send)."""
    rng = random.Random(seed)
    series = [(h, c) for h in range(hosts) for c in range(cpus)]
    for index in range(points):
        host, cpu = series[index % len(series)]
        stamp = (START_S + 10 * (index // len(series))) * 1_000_000_000
        values = ",".join(f"{f}={rng.random() * 100:.4f}" for f in CPU_FIELDS)
        yield f"cpu,cpu=cpu{cpu},host=host{host:03d} {values} {stamp}".encode()


def batches(points: int, size: int, compress: bool) -> list[bytes]:
    out, current = [], []
    for line in telegraf_cpu_lines(points):
        current.append(line)
        if len(current) == size:
            out.append(b"\n".join(current) + b"\n")
            current = []
    if current:
        out.append(b"\n".join(current) + b"\n")
    return [gzip.compress(b, 1) for b in out] if compress else out


async def post_all(url: str, bodies: list[bytes], connections: int, gzipped: bool,
                   pause: float = 0.0) -> float:
    """Send every body over `connections` keep-alive connections, each connection waiting
    `pause` seconds after each answer (a trickle of agents' flushes); seconds taken."""
    headers = {"Content-Type": "text/plain; charset=utf-8"}
    if gzipped:
        headers["Content-Encoding"] = "gzip"
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    for body in bodies:
        queue.put_nowait(body)
    connector = aiohttp.TCPConnector(limit=connections)
    async with aiohttp.ClientSession(connector=connector, headers=headers,
                                     timeout=aiohttp.ClientTimeout(total=600)) as session:
        async def worker() -> None:
            while not queue.empty():
                body = queue.get_nowait()
                async with session.post(url, data=body) as response:
                    if response.status != 204:
                        raise RuntimeError(f"{url}: {response.status} {await response.text()}")
                if pause:
                    await asyncio.sleep(pause)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(connections)))
        return time.perf_counter() - started


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def settle(pids: list[int], idle: float = 0.05, window: float = 1.5, limit: float = 60.0) -> None:
    """Wait until every process uses under `idle` of a core over `window` seconds (background
    compactions and checkpoints of one server must not run during the other's round)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        before = [cpu_seconds(p) for p in pids]
        time.sleep(window)
        if all(cpu_seconds(p) - b < idle * window for p, b in zip(pids, before, strict=True)):
            return


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def du_mb(path: Path) -> float:
    out = subprocess.run(["du", "-sk", str(path)], capture_output=True, text=True, check=True)
    return int(out.stdout.split()[0]) / 1024


@dataclass
class Servers:
    """A real InfluxDB 1.6.7 and the gateway, each with its own fresh data directory."""

    workdir: Path

    def __enter__(self) -> Servers:
        self.influx = influxd(self.workdir / "influxd").start()
        self.gateway = gateway_process(self.workdir / "gateway").start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.gateway.stop()
        self.influx.stop()


def create_database(url: str, name: str) -> None:
    import urllib.parse
    import urllib.request
    data = urllib.parse.urlencode({"q": f'CREATE DATABASE "{name}"'}).encode()
    with urllib.request.urlopen(f"{url}/query", data=data, timeout=30) as response:
        assert response.status == 200


def workdir(name: str) -> Path:
    base = Path(os.environ.get("BENCH_DIR", ROOT / "bench" / "out")) / name
    subprocess.run(["rm", "-rf", str(base)], check=True)
    base.mkdir(parents=True)
    return base
