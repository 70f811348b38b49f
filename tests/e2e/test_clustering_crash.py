"""SIGKILL while the native store clusters rows by series (`compaction.py`): after each
restart every series holds each of its points exactly once."""

from __future__ import annotations

import json
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.support.gateway_process import GatewayProcess, gateway_process

pytestmark = pytest.mark.slow
HOSTS, CPUS, STEPS = 12, 5, 600
BASE = 1_700_000_000_000_000_000
STEP = 10_000_000_000


def post(gateway: GatewayProcess, body: bytes) -> None:
    request = urllib.request.Request(f"{gateway.url}/write?db=c&precision=ns", data=body,
                                     method="POST")
    with urllib.request.urlopen(request, timeout=120) as response:
        assert response.status == 204


def backlog(gateway: GatewayProcess) -> int:
    with urllib.request.urlopen(f"{gateway.url}/metrics", timeout=60) as response:
        for text in response.read().decode().splitlines():
            if text.startswith("influx_gateway_native_store_clustering_backlog "):
                return int(text.split()[1])
    raise AssertionError("no clustering backlog in /metrics")


def counts(gateway: GatewayProcess) -> dict[tuple[str, str], tuple[int, float]]:
    """Per series (host, cpu): its points and the sum of their values."""
    query = "SELECT count(v), sum(v) FROM m GROUP BY host, cpu"
    url = f"{gateway.url}/query?" + urllib.parse.urlencode({"db": "c", "q": query})
    with urllib.request.urlopen(url, timeout=120) as response:
        answer = json.load(response)
    found = {}
    for series in answer["results"][0]["series"]:
        ((_, count, total),) = series["values"]
        found[(series["tags"]["host"], series["tags"]["cpu"])] = (count, total)
    return found


def test_every_point_stays_once_when_killed_while_clustering(tmp_path: Path) -> None:
    gateway = gateway_process(tmp_path / "gw", INFLUX_GATEWAY_STORAGE_CLUSTER_SERIES="true",
                              INFLUX_GATEWAY_STORAGE_CLUSTER_WINDOW_ROWS="3000",
                              INFLUX_GATEWAY_STORAGE_CLUSTER_PIECE_ROWS="200",
                              INFLUX_GATEWAY_STORAGE_IDLE_CHECKPOINT_SECONDS="0.05").start()
    try:
        expected: dict[tuple[str, str], tuple[int, float]] = {}
        for first in range(0, STEPS, 50):
            lines = []
            for k in range(first, first + 50):
                for h in range(HOSTS):
                    for c in range(CPUS):
                        lines.append(f"m,host=h{h:02d},cpu=c{c} v={k} {BASE + k * STEP}")
            post(gateway, "\n".join(lines).encode())
        for h in range(HOSTS):
            for c in range(CPUS):
                expected[(f"h{h:02d}", f"c{c}")] = (STEPS, float(sum(range(STEPS))))
        killed_busy = 0
        for round_ in range(4):
            # kill at a different moment each round, while clustering is still under way
            polls = 0
            while (busy := backlog(gateway)) != 0 and polls < round_ * 3:
                polls += 1
            killed_busy += busy != 0
            gateway.kill()
            gateway.start()
            assert counts(gateway) == expected
        deadline = time.monotonic() + 300  # a bound for a hang, not for the work
        while backlog(gateway) != 0:
            assert time.monotonic() < deadline, "clustering never caught up"
            time.sleep(0.05)
        assert counts(gateway) == expected
        assert killed_busy  # at least one kill came while clustering had work left
        # a late point after clustering is stored once too
        post(gateway, f"m,host=h03,cpu=c1 v=0.5 {BASE + 5 * STEP + 1}".encode())
        gateway.kill()
        gateway.start()
        count, total = expected[("h03", "c1")]
        expected[("h03", "c1")] = (count + 1, total + 0.5)
        assert counts(gateway) == expected
    finally:
        gateway.stop()
