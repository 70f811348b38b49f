"""The native store survives DuckDB's fatal state: a checkpoint that cannot write the database
file (a full disk, made here by lowering the gateway's RLIMIT_FSIZE: writes past the limit fail
with EFBIG, CPython ignoring SIGXFSZ) invalidates the database. The store then answers 503s in
each generation's format, /health fails and /metrics counts it; once files may grow again the
store reopens (DuckDB replays its WAL) with every acknowledged point, and again after kill -9.

Lowering a process's own soft limit, and raising it back up to its hard limit, needs no
privilege (prlimit on a process of the same user), so these tests run as any user.
"""

from __future__ import annotations

import json
import math
import random
import resource
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from gateway.services.sources import SELF_ID
from tests.support.gateway_process import GatewayProcess, gateway_process

pytestmark = pytest.mark.slow
FULL = 65_536  # bytes a file may reach: below the database file, above the WAL's first writes


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> dict[str, object]:
        return json.loads(self.body)


def call(gateway: GatewayProcess, method: str, path: str, body: bytes | None = None,
         **params: str) -> Reply:
    url = f"{gateway.url}{path}" + (f"?{urllib.parse.urlencode(params)}" if params else "")
    request = urllib.request.Request(url, data=body, method=method)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return Reply(response.status, dict(response.headers), response.read())
    except urllib.error.HTTPError as exc:
        return Reply(exc.code, dict(exc.headers), exc.read())


def count(gateway: GatewayProcess) -> int:
    reply = call(gateway, "GET", "/api/v3/query_sql", db="db", q="SELECT count(*) AS n FROM m")
    assert reply.status == 200, reply.body
    return reply.json()[0]["n"]  # type: ignore[index]


def stored_times(gateway: GatewayProcess) -> set[int]:
    reply = call(gateway, "GET", "/query", db="db", epoch="ns",
                 q="SELECT v FROM m WHERE host = 'late'")
    assert reply.status == 200, reply.body
    series = reply.json()["results"][0].get("series", [])  # type: ignore[index]
    return {row[0] for s in series for row in s["values"]}


def metric(gateway: GatewayProcess, name: str) -> float:
    text = call(gateway, "GET", "/metrics").body.decode()
    return next(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
                if line.startswith(name + " ") or line.startswith(name + "{"))


def reopens(gateway: GatewayProcess, outcome: str) -> float:
    text = call(gateway, "GET", "/metrics").body.decode()
    prefix = f'influx_gateway_native_store_reopens_total{{outcome="{outcome}"}} '
    return next(float(line[len(prefix):]) for line in text.splitlines()
                if line.startswith(prefix))


def wait_for(check, timeout: float = 90.0) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def limit_files(gateway: GatewayProcess, size: int) -> None:
    assert gateway.process is not None
    resource.prlimit(gateway.process.pid, resource.RLIMIT_FSIZE,
                     (size, resource.RLIM_INFINITY))


def write_checkpointed(gateway: GatewayProcess, data_dir: Path, lines: int) -> None:
    """Points the database file holds (their WAL folded into it), so it is past FULL."""
    rng = random.Random(7)
    body = "".join(f"m,host=h{i % 50} v={rng.random()},s=\"{rng.getrandbits(64):x}\" {i}\n"
                   for i in range(lines)).encode()
    assert call(gateway, "POST", "/write", body, db="db", precision="s").status == 204
    wal = data_dir / "native.duckdb.wal"
    wait_for(lambda: not wal.exists() or wal.stat().st_size == 0)
    assert (data_dir / "native.duckdb").stat().st_size > FULL


def test_a_checkpoint_on_a_full_disk_takes_the_store_down_until_space_returns(
        tmp_path: Path) -> None:
    data_dir = tmp_path / "gw"
    # every pause folds the WAL, however small (the small writes below must reach a checkpoint)
    gateway = gateway_process(data_dir, INFLUX_GATEWAY_STORAGE_IDLE_CHECKPOINT_SECONDS="0.2",
                              INFLUX_GATEWAY_STORAGE_IDLE_CHECKPOINT_BYTES="0")
    gateway.start()
    try:
        write_checkpointed(gateway, data_dir, 30_000)
        limit_files(gateway, FULL)
        # Small writes still fit the WAL, and are acknowledged; the checkpoint after them
        # cannot write the database file, and DuckDB invalidates the database.
        acked: set[int] = set()
        for second in range(1_000_000, 1_000_020):
            reply = call(gateway, "POST", "/write", b"m,host=late v=1 %d" % second,
                         db="db", precision="s")
            assert reply.status in (204, 503), reply.body
            if reply.status == 503:  # the checkpoint ran meanwhile
                break
            acked.add(second * 10**9)
        assert acked
        wait_for(lambda: call(gateway, "GET", "/health").status == 503)
        down_at = time.monotonic()
        health = call(gateway, "GET", "/health").json()
        assert health["status"] == "fail"
        assert "storage is not available: FATAL Error" in health["message"]  # type: ignore
        assert "File too large" in health["message"]  # type: ignore[operator]

        # Writes and reads: 503 with Retry-After, each generation's error shape, never 500.
        line = b"m,host=late v=2 5"
        answers = {
            "v1 write": (call(gateway, "POST", "/write", line, db="db"), "error"),
            "v2 write": (call(gateway, "POST", "/api/v2/write", line, bucket="db"), "message"),
            "v3 write": (call(gateway, "POST", "/api/v3/write_lp", line, db="db"), "error"),
            "v1 query": (call(gateway, "GET", "/query", db="db", q="SELECT v FROM m"),
                         "error"),
            "v3 sql": (call(gateway, "GET", "/api/v3/query_sql", db="db",
                            q="SELECT * FROM m"), "error"),
            "v3 influxql": (call(gateway, "GET", "/api/v3/query_influxql", db="db",
                                 q="SELECT v FROM m"), "error"),
        }
        for what, (reply, key) in answers.items():
            assert reply.status == 503, (what, reply.status, reply.body)
            assert int(reply.headers["Retry-After"]) >= 1, what
            body = reply.json()
            assert "the store is unavailable after a fatal storage error" in body[key], what
        assert answers["v2 write"][0].json()["code"] == "unavailable"
        assert answers["v3 write"][0].json()["data"] is None
        assert "X-Influxdb-Error" in answers["v1 write"][0].headers

        # While files may not grow, each reopen fails at its checkpoint; attempts back off
        # (at once, then 1, 2, 4 s...) instead of looping.
        wait_for(lambda: reopens(gateway, "failed") >= 2)
        # /health and the self source's health say why the latest attempt failed
        health = call(gateway, "GET", "/health").json()
        message = health["message"]
        assert message.startswith("storage is not available: FATAL Error"), message
        assert "; the latest attempt to reopen it failed: " in message, message
        source = call(gateway, "GET", f"/api/v2/sources/{SELF_ID}/health")
        assert source.status == 503, source.body
        assert source.json()["status"] == "fail"
        assert source.json()["message"] == message
        time.sleep(max(0.0, down_at + 6 - time.monotonic()))
        failed = reopens(gateway, "failed")
        # one attempt in each doubling of the time since: log2, where a loop makes a few a second
        assert failed <= 2 + math.log2(1 + time.monotonic() - down_at), failed
        assert metric(gateway, "influx_gateway_native_store_up") == 0
        assert metric(gateway, "influx_gateway_native_store_fatal_errors_total") == 1
        assert call(gateway, "GET", "/health").status == 503

        limit_files(gateway, resource.RLIM_INFINITY)  # space returns
        wait_for(lambda: call(gateway, "GET", "/health").status == 200)
        assert metric(gateway, "influx_gateway_native_store_up") == 1
        assert reopens(gateway, "recovered") == 1
        assert acked <= stored_times(gateway)
        assert count(gateway) == 30_000 + len(stored_times(gateway))
        reply = call(gateway, "POST", "/write", b"m,host=late v=3 2000000", db="db",
                     precision="s")
        assert reply.status == 204, reply.body
        acked.add(2_000_000 * 10**9)
        assert acked <= stored_times(gateway)

        gateway.kill()
        gateway.start()
        assert acked <= stored_times(gateway)
        assert count(gateway) == 30_000 + len(stored_times(gateway))
    finally:
        gateway.stop()


def test_a_write_whose_commit_meets_the_fatal_state_is_a_503(tmp_path: Path) -> None:
    # With a checkpoint threshold this small DuckDB checkpoints within the COMMIT; when that
    # checkpoint cannot write, the COMMIT raises DuckDB's fatal error. The write's answer is
    # a 503 (DuckDB says the commit itself is durable: a retry writes the same points again).
    data_dir = tmp_path / "gw"
    gateway = gateway_process(data_dir, INFLUX_GATEWAY_STORAGE_CHECKPOINT_THRESHOLD="1B",
                              INFLUX_GATEWAY_STORAGE_IDLE_CHECKPOINT_SECONDS="600")
    gateway.start()
    try:
        write_checkpointed(gateway, data_dir, 30_000)
        limit_files(gateway, FULL)
        for path, name in [("/write", "db"), ("/api/v2/write", "bucket"),
                           ("/api/v3/write_lp", "db")]:
            reply = call(gateway, "POST", path, b"m,host=late v=1 7", precision="s",
                         **{name: "db"})
            assert reply.status == 503, (path, reply.status, reply.body)
            assert int(reply.headers["Retry-After"]) >= 1, path
        assert call(gateway, "GET", "/health").status == 503
        limit_files(gateway, resource.RLIM_INFINITY)
        wait_for(lambda: call(gateway, "GET", "/health").status == 200)
        reply = call(gateway, "POST", "/write", b"m,host=late v=1 7", db="db", precision="s")
        assert reply.status == 204, reply.body
        assert stored_times(gateway) == {7 * 10**9}
        assert count(gateway) == 30_001
    finally:
        gateway.stop()


def test_a_commit_that_cannot_write_the_wal_is_a_503_and_the_store_stays_up(
        tmp_path: Path) -> None:
    # DuckDB refuses such a COMMIT and keeps the database valid (it was a 500 "storage
    # error"): the disk's state, not the write's fault, so clients are told to retry.
    data_dir = tmp_path / "gw"
    gateway = gateway_process(data_dir, INFLUX_GATEWAY_STORAGE_IDLE_CHECKPOINT_SECONDS="600")
    gateway.start()
    try:
        body = "".join(f"m,host=h{i % 50} v={i}.5 {i}\n" for i in range(20_000)).encode()
        assert call(gateway, "POST", "/write", body, db="db", precision="s").status == 204
        wal = data_dir / "native.duckdb.wal"
        limit_files(gateway, wal.stat().st_size)  # the WAL may not grow
        for path, name, key in [("/write", "db", "error"), ("/api/v2/write", "bucket", "message"),
                                ("/api/v3/write_lp", "db", "error")]:
            reply = call(gateway, "POST", path, b"m,host=late v=1 7", precision="s",
                         **{name: "db"})
            assert reply.status == 503, (path, reply.status, reply.body)
            assert reply.headers["Retry-After"] == "1", path
            assert "the store could not commit the write" in reply.json()[key], path
        assert call(gateway, "GET", "/health").status == 200
        assert count(gateway) == 20_000
        limit_files(gateway, resource.RLIM_INFINITY)
        reply = call(gateway, "POST", "/write", b"m,host=late v=1 7", db="db", precision="s")
        assert reply.status == 204, reply.body
        assert stored_times(gateway) == {7 * 10**9}
    finally:
        gateway.stop()


def test_a_gateway_killed_while_its_store_is_down_restarts_with_every_acknowledged_point(
        tmp_path: Path) -> None:
    data_dir = tmp_path / "gw"
    gateway = gateway_process(data_dir, INFLUX_GATEWAY_STORAGE_CHECKPOINT_THRESHOLD="1B",
                              INFLUX_GATEWAY_STORAGE_IDLE_CHECKPOINT_SECONDS="600")
    gateway.start()
    try:
        write_checkpointed(gateway, data_dir, 30_000)
        body = b"m,host=late v=1 1000000\nm,host=late v=1 1000001"
        assert call(gateway, "POST", "/write", body, db="db", precision="s").status == 204
        limit_files(gateway, FULL)
        reply = call(gateway, "POST", "/write", b"m,host=late v=1 7", db="db", precision="s")
        assert reply.status == 503, reply.body
        assert call(gateway, "GET", "/health").status == 503
        gateway.kill()  # still down: no reopen has succeeded
        gateway.start()  # a new process, its files unlimited
        assert call(gateway, "GET", "/health").status == 200
        assert {1_000_000 * 10**9, 1_000_001 * 10**9} <= stored_times(gateway)
        assert count(gateway) == 30_000 + len(stored_times(gateway))
        reply = call(gateway, "POST", "/write", b"m,host=late v=1 8", db="db", precision="s")
        assert reply.status == 204, reply.body
        assert 8 * 10**9 in stored_times(gateway)
    finally:
        gateway.stop()
