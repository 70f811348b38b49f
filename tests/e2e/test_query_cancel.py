"""A query answered "timed out" stops using the CPU: the Python work after DuckDB's answer
(holt_winters' simplex searches, filling and transforming series one by one) sees the read's
cancel flag and ends, and the query worker is free for the next query. So does one running
when the server shuts down, or whose client disconnects.

The gateway runs as a subprocess with one query worker and a one-second timeout; its CPU time
is read from /proc/<pid>/stat. Uncancelled, each query below keeps the worker busy for tens
of seconds of CPU (minutes on a loaded machine) after its answer. So what is bounded is the
CPU time the gateway spends once it should stop, not the wall-clock time: a loaded machine
stretches the one and not the other, and the wall clock is given minutes."""

from __future__ import annotations

import json
import math
import os
import random
import resource
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.gateway_process import GatewayProcess, gateway_process

pytestmark = pytest.mark.slow
TIMED_OUT = {"results": [{"statement_id": 0, "error": "query timed out after 1 s"}]}


@pytest.fixture
def one_worker(tmp_path: Path) -> Iterator[GatewayProcess]:
    process = gateway_process(tmp_path / "gw", INFLUX_GATEWAY_QUERY_TIMEOUT_SECONDS="1",
                              INFLUX_GATEWAY_QUERY_WORKERS="1").start()
    yield process
    process.stop()


def write(gateway: GatewayProcess, lines: list[str]) -> None:
    request = urllib.request.Request(f"{gateway.url}/write?db=db&precision=s",
                                     data="\n".join(lines).encode(), method="POST")
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 204


def query(gateway: GatewayProcess, text: str) -> object:
    url = f"{gateway.url}/query?" + urllib.parse.urlencode({"db": "db", "q": text})
    with urllib.request.urlopen(url, timeout=60) as response:
        assert response.status == 200
        return json.load(response)


def cpu_seconds(pid: int) -> float:
    """The process's user + system CPU time (all its threads)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# CPU seconds a stopped query may still take; uncancelled, it takes tens of them or more
SETTLING = 3.0


def cpu_to_idle(pid: int, within: float = 120.0) -> float | None:
    """The CPU time the process spends until none of its threads runs or waits for a CPU
    over half a second, or None if it first spends SETTLING seconds of CPU (or `within`
    seconds pass). Threads' states, not CPU shares: on a loaded machine a busy thread may
    get a twentieth of a CPU, but it is runnable all the while."""
    began = cpu_seconds(pid)
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        busy = 0
        for _ in range(10):
            busy += runnable_threads(pid)
            time.sleep(0.05)
        now = cpu_seconds(pid)
        if not busy:
            return now - began
        if now - began > SETTLING:
            return None
    return None


def runnable_threads(pid: int) -> int:
    """How many of the process's threads are running or waiting for a CPU (state R)."""
    count = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/stat") as stat:
                count += stat.read().rsplit(")", 1)[1].split()[0] == "R"
        except OSError:  # the thread ended meanwhile
            continue
    return count


def wait_for_cpu(pid: int, seconds: float, within: float = 120.0) -> None:
    """Wait until the process has spent `seconds` more of CPU: the query is running."""
    began = cpu_seconds(pid)
    deadline = time.monotonic() + within
    while cpu_seconds(pid) - began < seconds:
        assert time.monotonic() < deadline, "the query never kept the gateway busy"
        time.sleep(0.1)


def children_cpu() -> float:
    """The CPU time of this process's children that have been waited for."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def write_wave(gateway: GatewayProcess) -> None:
    """2,000 buckets of a noisy wave of period 12: a seasonal fit over them takes minutes of
    CPU (16 searches of 1,000 steps)."""
    rng = random.Random(7)
    write(gateway, [f"m,host=h0 v={50 + 10 * math.sin(2 * math.pi * i / 12) + rng.gauss(0, 2)}"
                    f" {i * 10}" for i in range(2000)])


FIT = ("SELECT holt_winters(mean(v), 10, 12) FROM m WHERE time >= 0 AND time < 20000s "
       "GROUP BY time(10s)")
# 2,000 rows four times over, 1.6e13 combinations to test: hours uninterrupted
JOIN = "SELECT count(*) AS n FROM m a, m b, m c, m d WHERE a.v + b.v + c.v + d.v < 0"


def assert_cancelled(gateway: GatewayProcess, slow: str) -> None:
    assert gateway.process is not None
    assert query(gateway, slow) == TIMED_OUT
    assert cpu_to_idle(gateway.process.pid) is not None
    # the one worker is free: a query queued behind a busy one would time out too
    assert query(gateway, "SELECT count(v) FROM m WHERE host = 'h0'")["results"][0][
        "series"][0]["values"][0][1] > 0


def test_a_long_holt_winters_fit_stops_at_the_timeout(one_worker: GatewayProcess) -> None:
    write_wave(one_worker)
    assert_cancelled(one_worker, FIT)


def test_filling_and_transforming_many_series_stops_at_the_timeout(
        one_worker: GatewayProcess) -> None:
    # 40 series of 50,000 buckets each, filled and differentiated in Python one by one
    write(one_worker, [f"m,host=h{h} v={h + i} {i}" for h in range(40) for i in range(2)])
    assert_cancelled(one_worker, "SELECT derivative(mean(v)) FROM m WHERE time >= 0 "
                                 "AND time < 50000s GROUP BY host, time(1s) fill(0)")


def test_a_long_sql_join_stops_at_the_timeout(one_worker: GatewayProcess) -> None:
    # DuckDB is interrupted: the read pool took the event loop's wrapper of the worker's
    # future for the worker's own, so it never interrupted a running query, and handed its
    # cursor to the next read while the join still ran on it
    assert one_worker.process is not None
    body = "\n".join(f"m v={i} {i}" for i in range(2000)).encode()
    request = urllib.request.Request(f"{one_worker.url}/api/v3/write_lp?db=s", data=body,
                                     method="POST")
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 204
    with pytest.raises(urllib.error.HTTPError) as raised:
        sql(one_worker, JOIN)
    assert raised.value.code == 503
    assert json.load(raised.value) == {"error": "query timed out after 1 s", "data": None}
    assert cpu_to_idle(one_worker.process.pid) is not None
    assert sql(one_worker, "SELECT count(*) AS n FROM m") == [{"n": 2000}]


def sql(gateway: GatewayProcess, text: str) -> object:
    url = f"{gateway.url}/api/v3/query_sql?" + urllib.parse.urlencode({"db": "s", "q": text})
    with urllib.request.urlopen(url, timeout=60) as response:
        return json.load(response)


def test_shutdown_stops_a_running_fit(tmp_path: Path) -> None:
    # The handler is cancelled after server.shutdown_timeout; the process then exits once its
    # query workers have ended, which an uncancelled fit holds up for minutes.
    gateway = gateway_process(tmp_path / "gw", INFLUX_GATEWAY_SERVER_SHUTDOWN_TIMEOUT="1").start()
    try:
        write_wave(gateway)
        assert gateway.process is not None
        pid = gateway.process.pid
        asked = threading.Thread(target=_ask_ignoring_the_answer, args=(gateway, FIT),
                                 daemon=True)
        asked.start()
        wait_for_cpu(pid, 1)  # the fit is running
        reaped, before = children_cpu(), cpu_seconds(pid)
        assert gateway.stop(timeout=120) == 0  # SIGKILLed (-9) if not out by then
        # its whole CPU time once waited for, less what it had spent before the stop
        assert children_cpu() - reaped - before < SETTLING
    finally:
        gateway.kill()


def test_a_client_that_disconnects_stops_its_fit(tmp_path: Path) -> None:
    gateway = gateway_process(tmp_path / "gw", INFLUX_GATEWAY_QUERY_WORKERS="1").start()
    try:
        write_wave(gateway)
        leave_midway(gateway, "/query?" + urllib.parse.urlencode({"db": "db", "q": FIT}))
        # the one worker is free (with the 300 s timeout, a busy one would keep this waiting)
        url = f"{gateway.url}/query?" + urllib.parse.urlencode(
            {"db": "db", "q": "SELECT count(v) FROM m"})
        with urllib.request.urlopen(url, timeout=10) as response:
            assert json.load(response)["results"][0]["series"][0]["values"][0][1] == 2000
    finally:
        gateway.stop()


def test_a_client_that_disconnects_stops_its_sql_join(tmp_path: Path) -> None:
    gateway = gateway_process(tmp_path / "gw", INFLUX_GATEWAY_QUERY_WORKERS="1").start()
    try:
        write(gateway, [f"m v={i} {i}" for i in range(2000)])
        leave_midway(gateway, "/api/v3/query_sql?" + urllib.parse.urlencode(
            {"db": "db", "q": JOIN}))
        url = f"{gateway.url}/api/v3/query_sql?" + urllib.parse.urlencode(
            {"db": "db", "q": "SELECT count(*) AS n FROM m"})
        with urllib.request.urlopen(url, timeout=10) as response:
            assert json.load(response) == [{"n": 2000}]
    finally:
        gateway.stop()


def leave_midway(gateway: GatewayProcess, target: str) -> None:
    """GET `target`, close the connection once the query has used a second of CPU, and
    assert that the gateway is idle before it has spent SETTLING more seconds of CPU."""
    assert gateway.process is not None
    pid = gateway.process.pid
    with socket.create_connection(("127.0.0.1", gateway.port), timeout=10) as client:
        client.sendall(f"GET {target} HTTP/1.1\r\nHost: gw\r\n\r\n".encode())
        wait_for_cpu(pid, 1)  # the query is running
    assert cpu_to_idle(pid) is not None


def _ask_ignoring_the_answer(gateway: GatewayProcess, text: str) -> None:
    try:
        query(gateway, text)
    except (OSError, urllib.error.URLError):  # the server went away first
        pass
