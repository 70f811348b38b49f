"""Routes to two real InfluxDB 1.6.7 servers: single, mirror (down, back, SIGKILL), shard.

The gateway runs as `python -m gateway serve` with a routing config; the servers are private
influxd processes on loopback. Every comparison is against what the servers themselves hold.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from email.message import Message
from pathlib import Path

import pytest

from tests.support.gateway_process import GatewayProcess, gateway_process
from tests.support.influxd import Influxd, InfluxdMissing, influxd


def _http(method: str, url: str, body: bytes | None = None,
          headers: dict[str, str] | None = None) -> tuple[int, Message, bytes]:
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


def write(url: str, database: str, body: bytes, **params: str) -> tuple[int, bytes]:
    query = urllib.parse.urlencode({"db": database, **params})
    status, _, answer = _http("POST", f"{url}/write?{query}", body)
    return status, answer


def query(url: str, text: str, *, database: str | None = None, method: str = "GET",
          accept: str | None = None, **params: str) -> tuple[int, str, bytes]:
    values = {"q": text, **params}
    if database:
        values["db"] = database
    encoded = urllib.parse.urlencode(values)
    headers = {"Accept": accept} if accept else {}
    if method == "POST":
        status, answer_headers, body = _http(
            "POST", f"{url}/query", encoded.encode(),
            {**headers, "Content-Type": "application/x-www-form-urlencoded"})
    else:
        status, answer_headers, body = _http("GET", f"{url}/query?{encoded}", None, headers)
    return status, answer_headers.get("Content-Type", ""), body


def counts(url: str, database: str, measurement: str) -> dict[str, int]:
    """Points per series, as the server counts them."""
    status, _, body = query(url, f'SELECT count("value") FROM "{measurement}" GROUP BY *',
                            database=database, epoch="ns")
    assert status == 200, body
    out: dict[str, int] = {}
    for series in json.loads(body)["results"][0].get("series", []):
        key = ",".join(f"{k}={v}" for k, v in sorted(series.get("tags", {}).items()))
        out[key] = series["values"][0][1]
    return out


def points(url: str, database: str, measurement: str) -> list[list[object]]:
    status, _, body = query(url, f'SELECT * FROM "{measurement}"', database=database,
                            epoch="ns")
    assert status == 200, body
    series = json.loads(body)["results"][0].get("series", [])
    return series[0]["values"] if series else []



def assert_mirrored(first: Influxd, second: Influxd, database: str, measurement: str,
                    expected: dict[str, int]) -> None:
    """Both servers hold `expected` points per series of `measurement`, and the same points."""
    assert counts(first.url, database, measurement) == expected
    assert counts(second.url, database, measurement) == expected
    assert points(first.url, database, measurement) == points(second.url, database,
                                                                 measurement)

def batch(start: int, size: int, measurement: str = "cpu", hosts: int = 5) -> bytes:
    """`size` points with explicit second timestamps, spread over `hosts` series."""
    return "\n".join(
        f"{measurement},host=h{(start + i) % hosts} value={start + i}i {1_600_000_000 + start + i}"
        for i in range(size)).encode()


def replay_depth(gateway: GatewayProcess) -> int:
    status, _, body = _http("GET", f"{gateway.url}/admin/replay")
    assert status == 200, body
    return sum(t.get("queue", {}).get("depth", 0) for t in json.loads(body)["targets"].values())


def wait_until(condition, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


def routing_config(path: Path, upstreams: dict[str, str], *, mode: str, targets: list[str],
                   extra: str = "") -> Path:
    lines = []
    for name, url in upstreams.items():
        lines += ["[[upstreams]]", f'name = "{name}"', 'type = "influxdb1"', f'url = "{url}"',
                  "timeout_seconds = 5.0", "connect_timeout_seconds = 1.0"]
    lines += ["[[routes]]", 'database = "*"', f'mode = "{mode}"',
              "targets = [" + ", ".join(f'"{t}"' for t in targets) + "]", extra,
              "[replay]", "backoff_initial_seconds = 0.05", "backoff_max_seconds = 0.5"]
    path.write_text("\n".join(lines) + "\n")
    return path


def mirror_config(path: Path, servers: tuple[Influxd, Influxd]) -> Path:
    """A mirror route over every database: the first server the primary, the second its
    mirror."""
    return routing_config(path, {"a": servers[0].url, "b": servers[1].url}, mode="mirror",
                          targets=["a", "b"])


@pytest.fixture
def start_gateway(tmp_path: Path) -> Iterator:
    started: list[GatewayProcess] = []

    def start(config: Path, data: str = "gw") -> GatewayProcess:
        process = gateway_process(tmp_path / data, config).start()
        started.append(process)
        return process

    yield start
    for process in started:
        process.stop()


SINGLE_QUERIES = [
    ('SELECT * FROM "cpu"', {}),
    ('SELECT mean("value") FROM "cpu" GROUP BY time(1m), "host" fill(none)', {}),
    ('SELECT "value" FROM "cpu" WHERE "host" = \'h1\' ORDER BY time DESC LIMIT 3', {}),
    ("SHOW MEASUREMENTS", {}),
    ('SHOW TAG VALUES WITH KEY = "host"', {}),
    ("SHOW FIELD KEYS; SHOW SERIES", {}),
    ('SELECT * FROM "cpu"', {"epoch": "s"}),
    ('SELECT * FROM "cpu"', {"accept": "application/csv"}),
    ('SELECT * FROM "cpu"', {"accept": "application/x-msgpack"}),
    ('SELECT * FROM "cpu" LIMIT 7', {"chunked": "true", "chunk_size": "3"}),
    ('SELECT nonsense FROM', {}),
    ('SELECT * FROM "nowhere"."autogen"."cpu"', {}),
    ('SELECT * FROM "cpu"', {"pretty": "true"}),
    ("SHOW DATABASES", {}),
]


def test_single_route_answers_exactly_what_the_server_answers(servers, start_gateway,
                                                              tmp_path: Path) -> None:
    first, _ = servers
    config = routing_config(tmp_path / "single.toml", {"a": first.url}, mode="single",
                            targets=["a"])
    gateway = start_gateway(config)
    assert query(gateway.url, "CREATE DATABASE single_db", method="POST")[0] == 200
    assert "single_db" in json.dumps(json.loads(query(first.url, "SHOW DATABASES")[2]))
    assert write(gateway.url, "single_db", batch(0, 200)) == (204, b"")
    # A partial write: the gateway relays 1.x's own answer byte for byte.
    bad = b"cpu,host=h1 value=1i 1600000000\ncpu,host=h1 value=\ncpu,host=h2 value=2.5 1600000001"
    via, direct = write(gateway.url, "single_db", bad), write(first.url, "single_db", bad)
    assert via == direct and via[0] == 400
    assert write(gateway.url, "missing_db", batch(0, 1)) == write(first.url, "missing_db",
                                                                   batch(0, 1))
    for text, options in SINGLE_QUERIES:
        options = dict(options)
        accept = options.pop("accept", None)
        via = query(gateway.url, text, database="single_db", accept=accept, **options)
        direct = query(first.url, text, database="single_db", accept=accept, **options)
        assert via == direct, text


def test_mirror_down_under_load_then_replayed(servers, start_gateway, tmp_path: Path) -> None:
    first, second = servers
    config = mirror_config(tmp_path / "mirror.toml", servers)
    gateway = start_gateway(config)
    assert query(gateway.url, "CREATE DATABASE mirrored", method="POST")[0] == 200
    size, sent = 100, 0
    for round_ in range(30):
        if round_ == 10:
            second.stop()  # the mirror goes away under load
        if round_ == 20:
            assert replay_depth(gateway) > 0  # the batches it missed wait on disk
            second.start()
        assert write(gateway.url, "mirrored", batch(sent, size)) == (204, b""), round_
        sent += size
    wait_until(lambda: replay_depth(gateway) == 0)
    expected = {f"host=h{i}": sent // 5 for i in range(5)}
    assert_mirrored(first, second, "mirrored", "cpu", expected)
    metrics = _http("GET", f"{gateway.url}/metrics")[2].decode()
    assert 'influx_gateway_replay_replayed_total{mirror="b"}' in metrics


def test_sigkill_with_a_queue_loses_and_duplicates_nothing(servers, start_gateway,
                                                           tmp_path: Path) -> None:
    first, second = servers
    config = mirror_config(tmp_path / "kill.toml", servers)
    gateway = start_gateway(config, "gw-kill")
    assert query(gateway.url, "CREATE DATABASE killed", method="POST")[0] == 200
    second.stop()
    sent = 0
    for _ in range(12):
        assert write(gateway.url, "killed", batch(sent, 50, "mem")) == (204, b"")
        sent += 50
    assert replay_depth(gateway) > 0
    gateway.kill()
    second.start()
    restarted = start_gateway(config, "gw-kill")
    wait_until(lambda: replay_depth(restarted) == 0)
    expected = {f"host=h{i}": sent // 5 for i in range(5)}
    assert_mirrored(first, second, "killed", "mem", expected)


def test_a_mirror_without_the_retention_policy_does_not_hold_back_its_queue(
        servers, start_gateway, tmp_path: Path) -> None:
    first, second = servers
    config = mirror_config(tmp_path / "rp.toml", servers)
    gateway = start_gateway(config, "gw-rp")
    assert query(gateway.url, "CREATE DATABASE rpless", method="POST")[0] == 200
    # Only the primary has the policy; 1.x answers the mirror's writes to it with a 500.
    assert query(first.url, 'CREATE RETENTION POLICY "short" ON "rpless" DURATION 0s '
                 "REPLICATION 1", method="POST")[0] == 200
    assert write(gateway.url, "rpless", batch(0, 5), rp="short") == (204, b"")
    assert write(gateway.url, "rpless", batch(5, 5)) == (204, b"")
    second.stop()  # the same again from the queue
    assert write(gateway.url, "rpless", batch(10, 5), rp="short") == (204, b"")
    assert write(gateway.url, "rpless", batch(15, 5)) == (204, b"")
    second.start()
    wait_until(lambda: replay_depth(gateway) == 0, timeout=20)
    # Refused and counted like a 4xx; what followed it reached the mirror.
    assert points(second.url, "rpless", "cpu") == points(first.url, "rpless", "cpu")
    assert len(points(second.url, "rpless", "cpu")) == 10
    report = json.loads(_http("GET", f"{gateway.url}/admin/replay")[2])["targets"]["b"]
    assert report["rejected"] == 2 and report["queue"]["rejected"] == 1


def policies(url: str, database: str) -> list[list[object]]:
    status, _, body = query(url, f'SHOW RETENTION POLICIES ON "{database}"')
    assert status == 200, body
    return json.loads(body)["results"][0]["series"][0]["values"]


def test_statements_that_change_data_or_schema_reach_every_mirror(
        servers, start_gateway, tmp_path: Path) -> None:
    first, second = servers
    config = mirror_config(tmp_path / "changes.toml", servers)
    gateway = start_gateway(config, "gw-changes")
    ok = {"results": [{"statement_id": 0}]}
    now = int(time.time())  # inside the 3 h policy
    recent = "\n".join(f"cpu,host=h{i % 5} value={i}i {now - 600 + i}" for i in range(10))

    def run(text: str) -> dict:
        status, _, body = query(gateway.url, text, database="changes", method="POST")
        assert status == 200, body
        return json.loads(body)

    assert run("CREATE DATABASE changes") == ok
    assert run('CREATE RETENTION POLICY "short" ON "changes" DURATION 2h REPLICATION 1') == ok
    assert run('ALTER RETENTION POLICY "short" ON "changes" DURATION 3h') == ok
    assert policies(second.url, "changes") == policies(first.url, "changes")
    assert ["short", "3h0m0s", "1h0m0s", 1, False] in policies(second.url, "changes")
    # The mirror has the policy, so writes to it reach the mirror instead of being refused.
    assert write(gateway.url, "changes", recent.encode(), rp="short", precision="s") == (
        204, b"")
    assert write(gateway.url, "changes", batch(0, 10)) == (204, b"")
    assert run("DELETE FROM \"cpu\" WHERE \"host\" = 'h1'") == ok
    assert run("DROP SERIES FROM \"cpu\" WHERE \"host\" = 'h2'") == ok
    for server in servers:
        assert counts(server.url, "changes", "cpu") == {"host=h0": 2, "host=h3": 2,
                                                        "host=h4": 2}
    assert run("DROP MEASUREMENT \"cpu\"; SHOW MEASUREMENTS") == {
        "results": [{"statement_id": 0}, {"statement_id": 1}]}
    assert points(second.url, "changes", "cpu") == points(first.url, "changes", "cpu") == []
    assert run('DROP RETENTION POLICY "short" ON "changes"') == ok
    assert policies(second.url, "changes") == policies(first.url, "changes")
    # A mirror that is down gets the statement queued, answered as a queued write is; it
    # runs there once the mirror is back, so both end up holding the same points.
    assert write(gateway.url, "changes", batch(0, 10)) == (204, b"")
    second.stop()
    try:
        assert run("DELETE FROM \"cpu\" WHERE \"host\" = 'h0'") == ok
        assert "host=h0" not in counts(first.url, "changes", "cpu")
        assert replay_depth(gateway) == 1
    finally:
        second.start()
    wait_until(lambda: replay_depth(gateway) == 0, timeout=20)
    assert counts(second.url, "changes", "cpu") == counts(first.url, "changes", "cpu")
    assert "host=h0" not in counts(second.url, "changes", "cpu")
    assert run("DROP DATABASE changes") == ok
    for server in servers:
        status, _, body = query(server.url, "SHOW DATABASES")
        assert ["changes"] not in json.loads(body)["results"][0]["series"][0].get("values", [])


def test_create_database_among_other_statements_reaches_every_mirror(
        servers, start_gateway, tmp_path: Path) -> None:
    """CREATE DATABASE with other statements for its database in one request reaches the
    mirrors as a lone one does, live and, for a mirror that is down, queued in its place
    before what follows it."""
    first, second = servers
    gateway = start_gateway(mirror_config(tmp_path / "made.toml", servers), "gw-made")

    def run(text: str, database: str) -> dict:
        status, _, body = query(gateway.url, text, database=database, method="POST")
        assert status == 200, body
        return json.loads(body)

    both = {"results": [{"statement_id": 0}, {"statement_id": 1}]}
    assert run("CREATE DATABASE made; SHOW MEASUREMENTS", "made") == both
    assert "made" in databases_on(second.url)
    second.stop()
    try:
        assert run('CREATE DATABASE later; CREATE RETENTION POLICY "short" ON "later" '
                   "DURATION 2h REPLICATION 1", "later") == both
        assert replay_depth(gateway) == 1  # one request, queued whole
    finally:
        second.start()
    wait_until(lambda: replay_depth(gateway) == 0, timeout=20)
    assert policies(second.url, "later") == policies(first.url, "later")
    assert [p[0] for p in policies(second.url, "later")] == ["autogen", "short"]


def test_a_passthrough_mirror_keeps_what_it_cannot_replay_as_the_caller(
        servers, tmp_path: Path) -> None:
    first, _ = servers
    try:
        mirror = influxd(tmp_path / "influxd-auth", auth=True).start()
    except InfluxdMissing as exc:  # `servers` started one, so it is there
        pytest.fail(str(exc))
    # Until an admin exists, 1.x refuses everything but making one.
    mirror.create_admin("admin", "secret")
    caller = {"u": "admin", "p": "secret"}
    created = urllib.parse.urlencode({"q": "CREATE DATABASE passed", **caller})
    assert _http("POST", f"{mirror.url}/query?{created}")[0] == 200  # 1.x: u/p in the URL
    assert query(first.url, "CREATE DATABASE passed", method="POST")[0] == 200
    config = routing_config(tmp_path / "pass.toml", {"a": first.url, "b": mirror.url},
                            mode="mirror", targets=["a", "b"], extra="passthrough = true")
    gateway = gateway_process(tmp_path / "gw-pass", config).start()
    try:
        assert write(gateway.url, "passed", batch(0, 5), **caller) == (204, b"")
        mirror.stop()
        assert write(gateway.url, "passed", batch(5, 5), **caller) == (204, b"")
        mirror.start()
        # The replay has only the gateway's own (here no) credentials for the mirror: its 401
        # says nothing about the batch, which waits instead of being dropped.
        wait_until(lambda: "401" in json.loads(_http("GET", f"{gateway.url}/admin/replay")[2])
                   ["targets"]["b"]["failed"], timeout=20)
        assert replay_depth(gateway) == 1
        gateway.stop()
        # Given credentials for the mirror, the gateway replays what it kept.
        config.write_text(config.read_text().replace(
            f'url = "{mirror.url}"', f'url = "{mirror.url}"\nusername = "admin"\n'
            'password_env = "MIRROR_PASSWORD"'))
        gateway.env["MIRROR_PASSWORD"] = "secret"
        gateway.start()
        wait_until(lambda: replay_depth(gateway) == 0, timeout=20)
        status, _, body = query(mirror.url, 'SELECT count("value") FROM "cpu"',
                                database="passed", **caller)
        assert json.loads(body)["results"][0]["series"][0]["values"][0][1] == 10
    finally:
        gateway.stop()
        mirror.stop()


def test_two_gateways_cannot_share_a_replay_queue(servers, start_gateway,
                                                 tmp_path: Path) -> None:
    first, second = servers
    config = mirror_config(tmp_path / "shared.toml", servers)
    config.write_text(config.read_text() + f'dir = "{tmp_path / "replay"}"\n')  # in [replay]
    start_gateway(config, "gw-one")
    with pytest.raises(RuntimeError, match="exited"):
        start_gateway(config, "gw-two")
    logs = "".join(p.read_text() for p in tmp_path.glob("gateway-*.log"))
    assert "is in use by another gateway" in logs


def test_shard_by_measurement_spreads_and_show_merges(servers, start_gateway,
                                                      tmp_path: Path) -> None:
    first, second = servers
    config = routing_config(tmp_path / "shard.toml", {"a": first.url, "b": second.url},
                            mode="shard", targets=["a", "b"], extra='shard_by = "measurement"')
    gateway = start_gateway(config, "gw-shard")
    assert query(gateway.url, "CREATE DATABASE sharded", method="POST")[0] == 200
    names = [f"m{i:02d}" for i in range(16)]
    body = b"\n".join(batch(i * 10, 10, name) for i, name in enumerate(names))
    body += b"\nspaced\\ name,host=h0 value=7i 1600000000"
    assert write(gateway.url, "sharded", body) == (204, b"")
    # A read of one measurement goes to the shard its (unescaped) name hashes to.
    answer = json.loads(query(gateway.url, 'SELECT sum("value") FROM "spaced name"',
                              database="sharded")[2])
    assert answer["results"][0]["series"][0]["values"][0][1] == 7
    names.append("spaced name")
    # A read of several measurements asks every shard: each measurement's series, whole.
    answer = json.loads(query(gateway.url, 'SELECT count("value") FROM /^m/ ORDER BY time DESC',
                              database="sharded")[2])
    assert [(s["name"], s["values"][0][1]) for s in answer["results"][0]["series"]] == [
        (name, 10) for name in reversed(names[:-1])]

    def measurements(url: str) -> set[str]:
        answer = json.loads(query(url, "SHOW MEASUREMENTS", database="sharded")[2])
        series = answer["results"][0].get("series", [])
        return {row[0] for row in series[0]["values"]} if series else set()

    on_first, on_second = measurements(first.url), measurements(second.url)
    assert on_first and on_second and not on_first & on_second
    assert on_first | on_second == set(names)
    assert measurements(gateway.url) == set(names)
    for name in names[:-1]:  # each measurement's points are whole on its shard
        assert sum(counts(first.url, "sharded", name).values()) + sum(
            counts(second.url, "sharded", name).values()) == 10
    databases = json.loads(query(gateway.url, "SHOW DATABASES")[2])
    listed = {row[0] for row in databases["results"][0]["series"][0]["values"]}
    assert "sharded" in listed


def databases_on(url: str) -> list[str]:
    status, _, body = query(url, "SHOW DATABASES")
    assert status == 200, body
    return [row[0] for row in json.loads(body)["results"][0]["series"][0].get("values", [])]


def test_database_and_policy_statements_reach_every_shard(servers, start_gateway,
                                                          tmp_path: Path) -> None:
    first, second = servers
    config = routing_config(tmp_path / "statements.toml", {"a": first.url, "b": second.url},
                            mode="shard", targets=["a", "b"])
    gateway = start_gateway(config, "gw-statements")
    ok = {"results": [{"statement_id": 0}]}

    def run(text: str) -> dict:
        status, _, body = query(gateway.url, text, database="kept", method="POST")
        assert status == 200, body
        return json.loads(body)

    def names(url: str) -> list[str]:
        return [policy[0] for policy in policies(url, "kept")]

    assert run("CREATE DATABASE kept") == ok
    assert run('CREATE RETENTION POLICY "short" ON "kept" DURATION 2h REPLICATION 1') == ok
    assert run('ALTER RETENTION POLICY "short" ON "kept" DURATION 3h DEFAULT') == ok
    for server in servers:
        assert policies(server.url, "kept") == [["autogen", "0s", "168h0m0s", 1, False],
                                                ["short", "3h0m0s", "1h0m0s", 1, True]]
    # Beside a read, in order: dropped on every shard, then listed from the first.
    answer = run('DROP RETENTION POLICY "short" ON "kept"; SHOW RETENTION POLICIES ON "kept"')
    assert answer["results"][0] == {"statement_id": 0}
    assert [p[0] for p in answer["results"][1]["series"][0]["values"]] == ["autogen"]
    assert names(first.url) == names(second.url) == ["autogen"]
    assert run("DROP DATABASE kept") == ok
    assert "kept" not in databases_on(first.url) and "kept" not in databases_on(second.url)

    # Each shard runs it; the first error (in the order of the route's targets) is answered,
    # naming its shard when another shard ran it, else in 1.x's words alone.
    assert run("CREATE DATABASE kept") == ok
    made = 'CREATE RETENTION POLICY "odd" ON "kept" DURATION 5h REPLICATION 1'
    assert query(second.url, made, method="POST")[0] == 200
    assert run('CREATE RETENTION POLICY "odd" ON "kept" DURATION 4h REPLICATION 1') == {
        "results": [{"statement_id": 0, "error": "upstream b: retention policy already exists"}]}
    assert ["odd", "4h0m0s", "1h0m0s", 1, False] in policies(first.url, "kept")
    assert query(first.url, "DROP DATABASE kept", method="POST")[0] == 200
    assert run('CREATE RETENTION POLICY "odd" ON "kept" DURATION 7h REPLICATION 1') == {
        "results": [{"statement_id": 0, "error": "database not found: kept"}]}  # both refused
    assert run('CREATE RETENTION POLICY "new" ON "kept" DURATION 7h REPLICATION 1') == {
        "results": [{"statement_id": 0, "error": "upstream a: database not found: kept"}]}
    assert "new" in [p[0] for p in policies(second.url, "kept")]
    assert run("DROP DATABASE kept") == ok
    assert "kept" not in databases_on(second.url)
