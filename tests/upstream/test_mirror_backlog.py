"""A mirror with a backlog, against two real InfluxDB 1.6.7 servers: statements changing data
or schema wait in its queue behind the writes queued before them, a queue left by an older
gateway replays, and a live 401/403 from a mirror keeps the batch instead of dropping it.

The gateway runs as `python -m gateway serve`; comparisons are against what the servers hold.
"""

from __future__ import annotations

import json
import shutil
import time
import urllib.parse
from pathlib import Path

import pytest

from tests.support.gateway_process import GatewayProcess
from tests.support.influxd import Influxd, InfluxdMissing, influxd
from tests.upstream.test_influxdb1_routes import (
    _http,
    assert_mirrored,
    batch,
    counts,
    mirror_config,
    points,
    policies,
    query,
    replay_depth,
    routing_config,
    start_gateway,
    wait_until,
    write,
)

__all__ = ["start_gateway"]  # the fixture, imported for the tests here

OLD_QUEUE = Path(__file__).parents[1] / "backends" / "fixtures" / "queue_before_statements"


def report(gateway: GatewayProcess) -> dict:
    status, _, body = _http("GET", f"{gateway.url}/admin/replay")
    assert status == 200, body
    return json.loads(body)["targets"]["b"]


def run(gateway: GatewayProcess, text: str, database: str) -> dict:
    status, _, body = query(gateway.url, text, database=database, method="POST")
    assert status == 200, body
    return json.loads(body)


def held_replay(path: Path, servers: tuple[Influxd, Influxd]) -> Path:
    """A mirror route whose replayer, once failing, waits half an hour or more before it tries
    again: the window in which a mirror is back but its queue not yet drained lasts until
    the test restarts the gateway with `fast_replay`."""
    config = mirror_config(path, servers)
    config.write_text(config.read_text()
                      .replace("backoff_initial_seconds = 0.05", "backoff_initial_seconds = 3600.0")
                      .replace("backoff_max_seconds = 0.5", "backoff_max_seconds = 3600.0"))
    return config


def fast_replay(path: Path) -> None:
    path.write_text(path.read_text()
                    .replace("backoff_initial_seconds = 3600.0", "backoff_initial_seconds = 0.05")
                    .replace("backoff_max_seconds = 3600.0", "backoff_max_seconds = 0.5"))


def test_a_delete_while_the_queue_drains_is_not_undone_by_the_replay(
        servers, start_gateway, tmp_path: Path) -> None:
    first, second = servers
    config = held_replay(tmp_path / "drain.toml", servers)
    gateway = start_gateway(config, "gw-drain")
    assert run(gateway, "CREATE DATABASE draining", "draining")["results"][0].get(
        "error") is None
    second.stop()
    try:
        assert write(gateway.url, "draining", batch(0, 20)) == (204, b"")
        # The replayer's first attempt failed: it sleeps 30 to 60 minutes before its next
        # (it records the failure and starts that sleep in one step of the event loop).
        wait_until(lambda: report(gateway)["queue"]["last_error"] is not None, timeout=30)
    finally:
        second.start()
    # The mirror is back, its queue still full: the batch and the DELETE wait in order.
    assert write(gateway.url, "draining", batch(20, 20)) == (204, b"")
    assert run(gateway, "DELETE FROM \"cpu\" WHERE \"host\" = 'h1'", "draining") == {
        "results": [{"statement_id": 0}]}
    assert report(gateway)["queue"]["depth"] == 3
    assert report(gateway)["queue"]["statements_appended"] == 1
    # The nudge: restarted with a short backoff, the gateway replays its queue from disk.
    gateway.stop()
    fast_replay(config)
    gateway.start()
    wait_until(lambda: replay_depth(gateway) == 0, timeout=30)
    expected = {"host=h0": 8, "host=h2": 8, "host=h3": 8, "host=h4": 8}
    assert_mirrored(first, second, "draining", "cpu", expected)


def test_a_policy_created_while_the_mirror_is_down_reaches_it_before_its_writes(
        servers, start_gateway, tmp_path: Path) -> None:
    first, second = servers
    gateway = start_gateway(mirror_config(tmp_path / "later.toml", servers), "gw-later")
    ok = {"results": [{"statement_id": 0}]}
    assert run(gateway, "CREATE DATABASE later", "later") == ok
    now = int(time.time())
    recent = "\n".join(f"cpu,host=h{i % 5} value={i}i {now - 60 + i}" for i in range(10))
    second.stop()
    try:
        assert run(gateway, 'CREATE RETENTION POLICY "soon" ON "later" DURATION 2h '
                   "REPLICATION 1", "later") == ok
        assert write(gateway.url, "later", recent.encode(), rp="soon", precision="s") == (
            204, b"")
        assert replay_depth(gateway) == 2
    finally:
        second.start()
    wait_until(lambda: replay_depth(gateway) == 0, timeout=30)
    assert policies(second.url, "later") == policies(first.url, "later")

    def stored(url: str) -> list:
        status, _, body = query(url, 'SELECT * FROM "later"."soon"."cpu"', database="later",
                                epoch="ns")
        assert status == 200, body
        return json.loads(body)["results"][0]["series"][0]["values"]

    assert len(stored(second.url)) == 10 and stored(second.url) == stored(first.url)
    assert report(gateway)["rejected"] == 0


def test_a_queue_left_by_an_older_gateway_replays_after_the_upgrade(
        servers, start_gateway, tmp_path: Path) -> None:
    first, second = servers
    config = mirror_config(tmp_path / "upgrade.toml", servers)
    config.write_text(config.read_text() + f'dir = "{tmp_path / "replay"}"\n')  # in [replay]
    shutil.copytree(OLD_QUEUE, tmp_path / "replay" / "b")
    assert query(second.url, "CREATE DATABASE upgraded", method="POST")[0] == 200
    gateway = start_gateway(config, "gw-upgrade")
    wait_until(lambda: replay_depth(gateway) == 0, timeout=30)
    # The first of its four writes had been delivered before the upgrade.
    assert counts(second.url, "upgraded", "old") == {f"host=h{i}": 1 for i in range(1, 5)}
    assert report(gateway)["queue"]["replayed"] == 3


def test_a_live_401_or_403_from_a_passthrough_mirror_keeps_the_batch(
        servers, tmp_path: Path, start_gateway, monkeypatch: pytest.MonkeyPatch) -> None:
    first, _ = servers
    try:
        mirror = influxd(tmp_path / "influxd-auth", auth=True).start()
    except InfluxdMissing as exc:  # `servers` started one, so it is there
        pytest.fail(str(exc))
    try:
        admin = {"u": "admin", "p": "secret"}
        mirror.create_admin("admin", "secret")
        for text in ("CREATE DATABASE kept", "CREATE USER reader WITH PASSWORD 'r'",
                     'GRANT READ ON "kept" TO "reader"'):
            asked = urllib.parse.urlencode({"q": text, **admin})  # 1.x: u/p in the URL
            assert _http("POST", f"{mirror.url}/query?{asked}")[0] == 200, text
        assert query(first.url, "CREATE DATABASE kept", method="POST")[0] == 200
        config = routing_config(tmp_path / "kept.toml", {"a": first.url, "b": mirror.url},
                                mode="mirror", targets=["a", "b"], extra="passthrough = true")
        # The gateway's own credentials for the mirror, which the replay uses.
        config.write_text(config.read_text().replace(
            f'url = "{mirror.url}"', f'url = "{mirror.url}"\nusername = "admin"\n'
            'password_env = "MIRROR_PASSWORD"'))
        monkeypatch.setenv("MIRROR_PASSWORD", "secret")
        gateway = start_gateway(config, "gw-kept")
        # The primary (no auth) takes both; the mirror answers the caller's credentials 401
        # (wrong password) and 403 (a reader). Kept and replayed, not dropped.
        assert write(gateway.url, "kept", batch(0, 5), u="admin", p="wrong") == (204, b"")
        wait_until(lambda: replay_depth(gateway) == 0, timeout=30)  # else the next queues
        assert write(gateway.url, "kept", batch(5, 5), u="reader", p="r") == (204, b"")
        wait_until(lambda: replay_depth(gateway) == 0, timeout=30)
        failed = report(gateway)["failed"]
        assert failed.get("401") == 1 and failed.get("403") == 1, failed
        assert report(gateway)["rejected"] == 0
        status, _, body = query(mirror.url, 'SELECT count("value") FROM "cpu"',
                                database="kept", **admin)
        assert json.loads(body)["results"][0]["series"][0]["values"][0][1] == 10
    finally:
        mirror.stop()


def test_a_database_dropped_and_made_again_while_the_mirror_is_down_ends_the_same(
        servers, start_gateway, tmp_path: Path) -> None:
    first, second = servers
    gateway = start_gateway(mirror_config(tmp_path / "again.toml", servers), "gw-again")
    ok = {"results": [{"statement_id": 0}]}
    assert run(gateway, "CREATE DATABASE again", "again") == ok
    assert write(gateway.url, "again", batch(0, 10)) == (204, b"")
    second.stop()
    try:
        assert write(gateway.url, "again", batch(10, 10)) == (204, b"")
        assert run(gateway, "DROP DATABASE again", "again") == ok
        # Queued behind the DROP, not run past it: the writes after it keep their database.
        assert run(gateway, "CREATE DATABASE again", "again") == ok
        assert write(gateway.url, "again", batch(100, 5)) == (204, b"")
        assert replay_depth(gateway) == 4
    finally:
        second.start()
    wait_until(lambda: replay_depth(gateway) == 0, timeout=30)
    assert counts(first.url, "again", "cpu") == {f"host=h{i}": 1 for i in range(5)}
    assert points(second.url, "again", "cpu") == points(first.url, "again", "cpu")
    assert report(gateway)["queued_statements"] == 2


def test_a_queued_statement_the_mirror_refuses_is_dropped_and_holds_nothing_back(
        servers, start_gateway, tmp_path: Path) -> None:
    first, second = servers
    gateway = start_gateway(mirror_config(tmp_path / "refused.toml", servers), "gw-refused")
    assert query(first.url, "CREATE DATABASE lonely", method="POST")[0] == 200
    assert query(gateway.url, "CREATE DATABASE shared", method="POST")[0] == 200
    second.stop()
    try:
        # Only the primary has `lonely`: the mirror will answer the DELETE with an error.
        assert run(gateway, 'DELETE FROM "cpu"', "lonely") == {"results": [{"statement_id": 0}]}
        assert write(gateway.url, "shared", batch(0, 10)) == (204, b"")
    finally:
        second.start()
    wait_until(lambda: replay_depth(gateway) == 0, timeout=30)
    assert points(second.url, "shared", "cpu") == points(first.url, "shared", "cpu")
    assert len(points(second.url, "shared", "cpu")) == 10
    queue = report(gateway)["queue"]
    assert (queue["rejected"], queue["replayed"]) == (1, 1)
    logs = "".join(p.read_text() for p in tmp_path.glob("gateway-*.log"))
    assert "refused a queued statement to database 'lonely'" in logs
    assert "database not found: lonely" in logs


def test_drop_oldest_never_drops_a_queued_drop_measurement(servers, start_gateway,
                                                           tmp_path: Path) -> None:
    # A DROP MEASUREMENT the mirror missed waits first in its queue when the bound is reached:
    # dropped, it would leave the mirror holding "cpu" for good. Kept, and the writes that
    # find it waiting first at the bound are refused (503, stored nowhere) as under reject.
    first, second = servers
    config = mirror_config(tmp_path / "bounded.toml", servers)
    size = len(batch(0, 20, "mem"))
    config.write_text(config.read_text()
                      + f'when_full = "drop_oldest"\nmax_bytes = {5 * size // 2}\n')
    gateway = start_gateway(config, "gw-bounded")
    assert run(gateway, "CREATE DATABASE bounded", "bounded")["results"][0].get("error") is None
    assert write(gateway.url, "bounded", batch(0, 20, "cpu")) == (204, b"")
    second.stop()
    try:
        assert run(gateway, 'DROP MEASUREMENT "cpu"', "bounded") == {
            "results": [{"statement_id": 0}]}
        for start in (0, 20):
            assert write(gateway.url, "bounded", batch(start, 20, "mem")) == (204, b"")
        status, body = write(gateway.url, "bounded", batch(40, 20, "mem"))  # over the bound
        assert status == 503 and b"replay.max_bytes" in body
        queue = report(gateway)["queue"]
        assert (queue["head"], queue["depth"], queue["dropped"], queue["refused"]) == (
            "statement", 3, 0, 1)
    finally:
        second.start()
    wait_until(lambda: replay_depth(gateway) == 0, timeout=30)
    expected = {f"host=h{i}": 8 for i in range(5)}  # the refused batch is stored nowhere
    assert_mirrored(first, second, "bounded", "mem", expected)
    assert counts(second.url, "bounded", "cpu") == counts(first.url, "bounded", "cpu") == {}


def test_drop_oldest_keeps_its_byte_bound_with_a_write_waiting_before_a_statement(
        servers, start_gateway, tmp_path: Path) -> None:
    # The queue holds a small write, a DROP MEASUREMENT and a write. A write that dropping
    # the first one cannot make room for (the DROP and what follows it stay) is refused with
    # a 503, stored nowhere, instead of taking the queue past replay.max_bytes.
    first, second = servers
    config = mirror_config(tmp_path / "true-bound.toml", servers)
    size = len(batch(0, 20, "mem"))
    bound = 5 * size // 2
    config.write_text(config.read_text()
                      + f'when_full = "drop_oldest"\nmax_bytes = {bound}\n')
    gateway = start_gateway(config, "gw-true-bound")
    assert run(gateway, "CREATE DATABASE capped", "capped")["results"][0].get("error") is None
    assert write(gateway.url, "capped", batch(0, 20, "cpu")) == (204, b"")
    second.stop()
    try:
        assert write(gateway.url, "capped", batch(0, 10, "mem")) == (204, b"")
        assert run(gateway, 'DROP MEASUREMENT "cpu"', "capped") == {
            "results": [{"statement_id": 0}]}
        assert write(gateway.url, "capped", batch(10, 20, "mem")) == (204, b"")
        status, body = write(gateway.url, "capped", batch(30, 40, "mem"))
        assert status == 503 and b"replay.max_bytes" in body
        queue = report(gateway)["queue"]
        assert (queue["head"], queue["depth"], queue["dropped"], queue["refused"]) == (
            "write", 3, 0, 1)
        assert queue["bytes"] <= bound
        metrics = _http("GET", f"{gateway.url}/metrics")[2].decode().splitlines()
        assert 'influx_gateway_replay_refused_total{mirror="b"} 1' in metrics
        assert 'influx_gateway_replay_dropped_total{mirror="b"} 0' in metrics
        assert f'influx_gateway_replay_queue_bytes{{mirror="b"}} {queue["bytes"]}' in metrics
    finally:
        second.start()
    wait_until(lambda: replay_depth(gateway) == 0, timeout=30)
    # the refused batch (points 30 to 69) is stored nowhere; the queued ones reach the mirror
    expected = {f"host=h{i}": 6 for i in range(5)}
    assert_mirrored(first, second, "capped", "mem", expected)
    assert counts(second.url, "capped", "cpu") == counts(first.url, "capped", "cpu") == {}
