"""A query on a route to a real InfluxDB 1.6.7 is cancelled upstream when the gateway stops
waiting for it: its caller disconnected, or the gateway's query timeout passed. The gateway
closes the upstream connection, and 1.6.7 marks the query killed (SHOW QUERIES), as it does
for a client of its own that goes away. Uncancelled, the query below runs for minutes.
"""

from __future__ import annotations

import concurrent.futures
import json
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.gateway_process import GatewayProcess, gateway_process
from tests.support.influxd import Influxd, InfluxdMissing, influxd
from tests.support.required import unavailable

pytestmark = pytest.mark.slow

# eight series of 1,000 one-second buckets, each fitted with a season of 20: seconds each
SLOW = ("SELECT holt_winters(mean(v), 10, 20) FROM m WHERE time >= 0 AND time < 1000s "
        "GROUP BY time(1s), host")
# SQL for the SQL-to-InfluxQL path (`sql_server`): 400 points of a 10 KB string, which Go's
# regexp matches against this pattern in time proportional to the string's length times the
# pattern's (RE2 does not backtrack, but its NFA runs 2,000 repetitions abreast): a large
# fraction of a second a point, so the query runs for minutes. 1.6.7 lists a query killed at
# once, but filters points below where it looks for the kill: the server is stopped after.
SLOW_SQL = "SELECT count(s) FROM m WHERE s ~ '(x|y){1000}(x|y){1000}z'"
SLOW_SQL_MARK = "(x|y){1000}"  # how SLOW_SQL's InfluxQL shows in SHOW QUERIES
# Seconds within which a timed-out query is answered, and stopped upstream: the timeout is
# 1 s, the query runs for minutes uncancelled, and a loaded machine needs the slack between.
ANSWERED = 30


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Influxd]:
    try:
        started = influxd(tmp_path_factory.mktemp("influxd")).start()
    except InfluxdMissing as exc:
        unavailable(str(exc))
    _post(f"{started.url}/query", {"q": "CREATE DATABASE db"})
    body = "\n".join(f"m,host=h{h} v={(i * 7919 + h) % 1000} {i}"
                     for h in range(8) for i in range(1000)).encode()
    _post(f"{started.url}/write?db=db&precision=s", body=body)
    yield started
    started.stop()


def _post(url: str, form: dict[str, str] | None = None, body: bytes | None = None) -> None:
    data = urllib.parse.urlencode(form).encode() if form is not None else body
    with urllib.request.urlopen(urllib.request.Request(url, data=data, method="POST"),
                                timeout=60) as response:
        assert response.status in (200, 204)


def _route(path: Path, server: Influxd) -> Path:
    path.write_text("\n".join([
        "[[upstreams]]", 'name = "a"', 'type = "influxdb1"', f'url = "{server.url}"',
        "timeout_seconds = 600.0",  # the upstream's own limit is not what ends the query
        "[[routes]]", 'database = "*"', 'mode = "single"', 'targets = ["a"]']) + "\n")
    return path


@pytest.fixture
def start(tmp_path: Path, server: Influxd) -> Iterator:
    started: list[GatewayProcess] = []

    def run(**env: str) -> GatewayProcess:
        process = gateway_process(tmp_path / f"gw{len(started)}",
                                  _route(tmp_path / "route.toml", server), **env).start()
        started.append(process)
        return process

    yield run
    for process in started:
        process.stop()
    _wait_for_no_slow_query(server, within=120)  # the next test starts with an idle server


def _slow_queries(server: Influxd, mark: str = "holt_winters") -> list[str]:
    """The status of each run of SLOW (or of another query whose text holds `mark`) that
    1.6.7 lists (running or killed)."""
    url = f"{server.url}/query?" + urllib.parse.urlencode({"q": "SHOW QUERIES"})
    with urllib.request.urlopen(url, timeout=10) as response:
        series = json.load(response)["results"][0]["series"][0]
    return [row[4] for row in series["values"] if mark in row[1]]


def _wait_until_running(server: Influxd, mark: str = "holt_winters") -> None:
    deadline = time.monotonic() + 30
    while _slow_queries(server, mark) != ["running"]:
        assert time.monotonic() < deadline, "the slow query never started upstream"
        time.sleep(0.1)


def _assert_stopped_upstream(server: Influxd, within: float, mark: str = "holt_winters"
                             ) -> None:
    deadline = time.monotonic() + within
    while "running" in _slow_queries(server, mark):
        assert time.monotonic() < deadline, "the upstream still runs the abandoned query"
        time.sleep(0.1)


def _wait_for_no_slow_query(server: Influxd, within: float) -> None:
    deadline = time.monotonic() + within
    while _slow_queries(server) and time.monotonic() < deadline:
        time.sleep(0.5)


@pytest.mark.parametrize(("path", "expected"), [
    pytest.param("/query", {"results": [{"statement_id": 0,
                                         "error": "query timed out after 1 s"}]}, id="v1"),
    pytest.param("/api/v3/query_influxql", None, id="v3-influxql"),
])
def test_the_query_timeout_cancels_the_upstream_query(start, server: Influxd, path: str,
                                                      expected: object) -> None:
    gateway = start(INFLUX_GATEWAY_QUERY_TIMEOUT_SECONDS="1")
    url = f"{gateway.url}{path}?" + urllib.parse.urlencode({"db": "db", "q": SLOW})
    began = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            status, body = response.status, json.load(response)
    except urllib.error.HTTPError as exc:
        status, body = exc.code, json.load(exc)
    assert time.monotonic() - began < ANSWERED
    if expected is not None:
        assert (status, body) == (200, expected)
    else:  # InfluxDB 3's error shape, as the native store's timed-out query has it
        assert status >= 400 and "query timed out after 1 s" in json.dumps(body)
    _assert_stopped_upstream(server, within=ANSWERED)


@pytest.mark.parametrize("path", ["/query", "/api/v3/query_influxql"])
def test_a_caller_that_leaves_cancels_the_upstream_query(start, server: Influxd,
                                                         path: str) -> None:
    gateway = start()
    target = f"{path}?" + urllib.parse.urlencode({"db": "db", "q": SLOW})
    with socket.create_connection(("127.0.0.1", gateway.port), timeout=10) as client:
        client.sendall(f"GET {target} HTTP/1.1\r\nHost: gw\r\n\r\n".encode())
        _wait_until_running(server)
    _assert_stopped_upstream(server, within=ANSWERED)


def _shards(path: Path, server: Influxd) -> Path:
    """Two shards of every database, both on the one 1.6.7 (each runs its own copy)."""
    path.write_text("\n".join([
        *(line for name in ("a", "b") for line in (
            "[[upstreams]]", f'name = "{name}"', 'type = "influxdb1"', f'url = "{server.url}"',
            "timeout_seconds = 600.0")),
        "[[routes]]", 'database = "*"', 'mode = "shard"', 'shard_by = "series"',
        'targets = ["a", "b"]']) + "\n")
    return path


def test_the_query_timeout_cancels_a_read_sent_to_every_shard(tmp_path: Path,
                                                              server: Influxd) -> None:
    gateway = gateway_process(tmp_path / "gw", _shards(tmp_path / "route.toml", server),
                              INFLUX_GATEWAY_QUERY_TIMEOUT_SECONDS="1").start()
    try:
        url = f"{gateway.url}/query?" + urllib.parse.urlencode({"db": "db", "q": SLOW})
        began = time.monotonic()
        with urllib.request.urlopen(url, timeout=60) as response:
            status, body = response.status, json.load(response)
        assert time.monotonic() - began < ANSWERED
        assert (status, body) == (200, {"results": [
            {"statement_id": 0, "error": "query timed out after 1 s"}]})
        _assert_stopped_upstream(server, within=ANSWERED)
    finally:
        gateway.stop()
        _wait_for_no_slow_query(server, within=120)



def test_the_query_timeout_bounds_a_request_whose_statements_read_several_databases(
        tmp_path: Path, server: Influxd) -> None:
    """Statements of databases on different routes are sent one by one; once the timeout has
    passed the next fails, as on the native store, however quickly each one ran."""
    route = tmp_path / "route.toml"
    route.write_text("\n".join([
        "[[upstreams]]", 'name = "a"', 'type = "influxdb1"', f'url = "{server.url}"',
        "[[routes]]", 'database = "db"', 'mode = "single"', 'targets = ["a"]']) + "\n")
    quick = ("SELECT holt_winters(mean(v), 10, 20) FROM db..m WHERE time >= 0 AND time < 25s "
             "GROUP BY time(1s), host")  # about 0.6 s on 1.6.7
    # enough that their sum passes the timeout on a machine many times faster than this one
    # (eight were once not enough); a form body, as the statements outgrow a request line
    statements = ["SELECT * FROM other..m", *[quick] * 80]  # 'other' is the native store's
    gateway = gateway_process(tmp_path / "gw", route,
                              INFLUX_GATEWAY_QUERY_TIMEOUT_SECONDS="2").start()
    try:
        _post(f"{gateway.url}/query", {"q": "CREATE DATABASE other"})
        request = urllib.request.Request(
            f"{gateway.url}/query", method="POST",
            data=urllib.parse.urlencode({"q": ";".join(statements)}).encode())
        began = time.monotonic()
        with urllib.request.urlopen(request, timeout=120) as response:
            results = json.load(response)["results"]
        took = time.monotonic() - began
    finally:
        gateway.stop()
    assert len(results) < len(statements)
    assert took < 20  # the timeout, one statement cut short and a loaded machine's slack
    # statements are left after the one cut short: 1.x's notice stands for its error
    assert results[-1] == {"statement_id": len(results) - 1, "error": "not executed"}
    assert all("error" not in r for r in results[:-1])


def _failover(path: Path, server: Influxd, first_timeout: float) -> Path:
    """Reads go to "a", then to "b" once "a" has not answered within its `timeout_seconds`;
    both are the one 1.6.7 (each runs its own copy of a query)."""
    path.write_text("\n".join([
        "[[upstreams]]", 'name = "a"', 'type = "influxdb1"', f'url = "{server.url}"',
        f"timeout_seconds = {first_timeout}",
        "[[upstreams]]", 'name = "b"', 'type = "influxdb1"', f'url = "{server.url}"',
        "timeout_seconds = 600.0",
        "[[routes]]", 'database = "*"', 'mode = "single"', 'targets = ["a"]',
        'failover = ["b"]']) + "\n")
    return path


def test_failover_targets_share_the_query_timeout(tmp_path: Path, server: Influxd) -> None:
    """"a" gives up after 6.5 s (its own timeout, a failure that fails over), and "b" is left
    what remains of the 7 s query timeout, not 7 s more: the caller has its answer within
    about 7 s, where a timeout per target answered after 13.5 s. SLOW runs for minutes on
    either, so neither answers first."""
    gateway = gateway_process(tmp_path / "gw", _failover(tmp_path / "route.toml", server, 6.5),
                              INFLUX_GATEWAY_QUERY_TIMEOUT_SECONDS="7").start()
    try:
        url = f"{gateway.url}/query?" + urllib.parse.urlencode({"db": "db", "q": SLOW})
        began = time.monotonic()
        with urllib.request.urlopen(url, timeout=60) as response:
            status, body = response.status, json.load(response)
        took = time.monotonic() - began
        assert (status, body) == (200, {"results": [
            {"statement_id": 0, "error": "query timed out after 7 s"}]})
        assert 6.5 <= took < 12  # "b" was asked, within the one timeout and a loaded machine's
        _assert_stopped_upstream(server, within=ANSWERED)
    finally:
        gateway.stop()
        _wait_for_no_slow_query(server, within=120)


QUICK = ["SELECT count(v) FROM m",
         "SELECT max(v) FROM m WHERE host = 'h1' AND time >= 0 AND time < 1000s "
         "GROUP BY time(100s)"]


def _lines(response: object) -> list[dict]:
    """The JSON objects of a /query answer, one per line when chunked."""
    return [json.loads(line) for line in response.read().splitlines() if line.strip()]


@pytest.mark.parametrize("chunked", [False, True], ids=["unchunked", "chunked"])
def test_statements_finished_before_the_query_timeout_are_kept(
        start, server: Influxd, chunked: bool) -> None:
    """As 1.6.7 answers when its own query-timeout passes (and the native store when the
    gateway's does): the statements done are answered, the one cut short fails with the
    timeout, and each after it is "not executed"; unchunked, an id keeps its last result,
    so the cut statement shows "not executed" when any follow."""
    gateway = start(INFLUX_GATEWAY_QUERY_TIMEOUT_SECONDS="2")
    url = f"{gateway.url}/query?" + urllib.parse.urlencode({
        "db": "db", "q": ";".join([*QUICK, SLOW, QUICK[0]]),
        **({"chunked": "true"} if chunked else {})})
    began = time.monotonic()
    with urllib.request.urlopen(url, timeout=60) as response:
        answer = _lines(response)
    assert time.monotonic() - began < 10
    direct = f"{server.url}/query?" + urllib.parse.urlencode({"db": "db", "q": ";".join(QUICK)})
    with urllib.request.urlopen(direct, timeout=30) as response:
        done = json.load(response)["results"]  # what 1.6.7 answers the quick ones alone
    assert len(done) == 2 and all(r["series"] for r in done)
    if chunked:
        assert answer == [{"results": [r]} for r in [
            *done, {"statement_id": 2, "error": "query timed out after 2 s"},
            {"statement_id": 2, "error": "not executed"}]]
    else:
        assert answer == [{"results": [*done, {"statement_id": 2, "error": "not executed"}]}]
    _assert_stopped_upstream(server, within=3)


def test_the_statement_cut_short_last_answers_the_timeout(start, server: Influxd) -> None:
    gateway = start(INFLUX_GATEWAY_QUERY_TIMEOUT_SECONDS="2")
    url = f"{gateway.url}/query?" + urllib.parse.urlencode({"db": "db", "q": f"{QUICK[0]};{SLOW}"})
    with urllib.request.urlopen(url, timeout=60) as response:
        results = json.load(response)["results"]
    assert [r["statement_id"] for r in results] == [0, 1]
    assert results[0]["series"][0]["columns"] == ["time", "count"]
    assert results[1] == {"statement_id": 1, "error": "query timed out after 2 s"}
    _assert_stopped_upstream(server, within=3)


def test_a_statement_cut_short_while_it_streams_rows_answers_on_time(
        start, server: Influxd) -> None:
    """The statement cut short here answers rows all along (a bucket a second since 1970,
    filled): what it sent before the timeout is stepped over, not decoded, so the caller
    has the statement before it and the timeout promptly, however many rows came."""
    gateway = start(INFLUX_GATEWAY_QUERY_TIMEOUT_SECONDS="2")
    streaming = "SELECT max(v) FROM m WHERE host = 'h1' GROUP BY time(1s)"
    url = f"{gateway.url}/query?" + urllib.parse.urlencode({
        "db": "db", "q": f"{QUICK[0]};{streaming}"})
    began = time.monotonic()
    with urllib.request.urlopen(url, timeout=60) as response:
        results = json.load(response)["results"]
    assert time.monotonic() - began < 6
    assert results[0]["series"][0]["columns"] == ["time", "count"]
    assert results[1:] == [{"statement_id": 1, "error": "query timed out after 2 s"}]


@pytest.fixture
def sql_server(tmp_path: Path) -> Iterator[Influxd]:
    """A 1.6.7 of the test's own holding SLOW_SQL's points, stopped with what it still runs."""
    try:
        started = influxd(tmp_path / "influxd-sql").start()
    except InfluxdMissing as exc:
        pytest.skip(str(exc))
    try:
        _post(f"{started.url}/query", {"q": "CREATE DATABASE sq"})
        text = "xy" * 5000
        body = "\n".join(f'm,k={k} s="{text}" {k}' for k in range(400)).encode()
        _post(f"{started.url}/write?db=sq&precision=s", body=body)
        yield started
    finally:
        started.stop()


def test_the_query_timeout_cancels_sql_translated_for_the_upstream(
        tmp_path: Path, sql_server: Influxd) -> None:
    """/api/v3/query_sql on a 1.x route: the SQL runs upstream as InfluxQL, and the query
    timeout stops it there too (1.6.7 lists it killed), answered in InfluxDB 3's error
    shape."""
    gateway = gateway_process(tmp_path / "gw", _route(tmp_path / "route.toml", sql_server),
                              INFLUX_GATEWAY_QUERY_TIMEOUT_SECONDS="3").start()
    url = f"{gateway.url}/api/v3/query_sql?" + urllib.parse.urlencode(
        {"db": "sq", "q": SLOW_SQL})
    try:
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            began = time.monotonic()
            asked = pool.submit(_answer, url)
            _wait_until_running(sql_server, SLOW_SQL_MARK)  # seen upstream before the timeout
            status, body = asked.result(timeout=60)
        assert time.monotonic() - began < 12
        assert status == 503 and "query timed out after 3 s" in body["error"], body
        _assert_stopped_upstream(sql_server, within=3, mark=SLOW_SQL_MARK)
    finally:
        gateway.stop()


def _answer(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as exc:
        return exc.code, json.load(exc)


def test_a_caller_that_leaves_cancels_sql_translated_for_the_upstream(
        tmp_path: Path, sql_server: Influxd) -> None:
    gateway = gateway_process(tmp_path / "gw", _route(tmp_path / "route.toml", sql_server)
                              ).start()
    target = "/api/v3/query_sql?" + urllib.parse.urlencode({"db": "sq", "q": SLOW_SQL})
    try:
        with socket.create_connection(("127.0.0.1", gateway.port), timeout=10) as client:
            client.sendall(f"GET {target} HTTP/1.1\r\nHost: gw\r\n\r\n".encode())
            _wait_until_running(sql_server, SLOW_SQL_MARK)
        _assert_stopped_upstream(sql_server, within=3, mark=SLOW_SQL_MARK)
    finally:
        gateway.stop()


def _behind(path: Path, far: GatewayProcess, kind: str) -> Path:
    """Every database routed to `far` (a second gateway, routed to the real 1.6.7) as to an
    InfluxDB 2 or 3 of this `kind`."""
    path.write_text("\n".join([
        "[[upstreams]]", 'name = "far"', f'type = "{kind}"', f'url = "{far.url}"',
        "timeout_seconds = 600.0",
        "[[routes]]", 'database = "*"', 'mode = "single"', 'targets = ["far"]']) + "\n")
    return path


@pytest.mark.parametrize(("route", "chunked"), [
    pytest.param("influxdb2", False, id="influxdb2"),
    pytest.param("influxdb3", True, id="influxdb3-chunked"),
    pytest.param("shard", False, id="shards"),
    pytest.param("shard", True, id="shards-chunked"),
])
def test_statements_finished_on_influxdb2_3_and_shards_are_kept(
        tmp_path: Path, server: Influxd, route: str, chunked: bool) -> None:
    """On an InfluxDB 2 or 3 upstream and on a sharded route, whose answers the gateway does
    not read statement by statement, several statements are sent one at a time: the ones
    finished when the query timeout passes are answered as they are alone, the one cut
    short fails with the timeout and each after it is "not executed", as on a 1.x route.
    (They used to fail from the first statement.)"""
    far = None
    if route == "shard":
        config = _shards(tmp_path / "route.toml", server)
    else:
        far = gateway_process(tmp_path / "far", _route(tmp_path / "far.toml", server)).start()
        config = _behind(tmp_path / "route.toml", far, route)
    # long enough for the quick statements through two gateways on a loaded machine; the
    # slow one runs for minutes
    gateway = gateway_process(tmp_path / "gw", config,
                              INFLUX_GATEWAY_QUERY_TIMEOUT_SECONDS="8").start()
    flags = {"chunked": "true"} if chunked else {}
    try:
        alone = f"{gateway.url}/query?" + urllib.parse.urlencode(
            {"db": "db", "q": ";".join(QUICK), **flags})
        with urllib.request.urlopen(alone, timeout=60) as response:
            done = [r for line in _lines(response) for r in line["results"]]
        assert [r["statement_id"] for r in done] == [0, 1] and all(r["series"] for r in done)
        url = f"{gateway.url}/query?" + urllib.parse.urlencode(
            {"db": "db", "q": ";".join([*QUICK, SLOW, QUICK[0]]), **flags})
        with urllib.request.urlopen(url, timeout=60) as response:
            answer = _lines(response)
        if chunked:
            assert answer == [{"results": [r]} for r in [
                *done, {"statement_id": 2, "error": "query timed out after 8 s"},
                {"statement_id": 2, "error": "not executed"}]]
        else:
            assert answer == [{"results": [*done,
                                           {"statement_id": 2, "error": "not executed"}]}]
        _assert_stopped_upstream(server, within=ANSWERED)
    finally:
        gateway.stop()
        if far is not None:
            far.stop()
        _wait_for_no_slow_query(server, within=120)
