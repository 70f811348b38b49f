"""Routes across generations and faults, over real HTTP: the gateway in-process, its
upstreams the InfluxDB 2 and 3 fakes, fault servers, a real InfluxDB 1.6.7 and a second
gateway acting as an InfluxDB 3."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import time
from collections.abc import Callable
from pathlib import Path

import msgpack
import pytest
from aiohttp.test_utils import TestClient

from gateway.app import create_app
from gateway.config import DbrpConfig, ReplayConfig, RouteConfig, UpstreamConfig
from tests.conftest import GatewayTestServer, make_config
from tests.support.fake_upstreams import FakeInfluxDB2, FakeInfluxDB3, FaultServer
from tests.support.gateway_process import gateway_process
from tests.support.influxd import Influxd

V2_TOKEN, V3_TOKEN = "fake-v2-token", "fake-v3-token"


@pytest.fixture
def routed(aiohttp_client: Callable, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A gateway client whose config has these upstreams and routes."""
    monkeypatch.setenv("V2_TOKEN", V2_TOKEN)
    monkeypatch.setenv("V3_TOKEN", V3_TOKEN)

    async def build(upstreams: list[UpstreamConfig], routes: list[RouteConfig],
                    dbrps: tuple[DbrpConfig, ...] = (), **replay: object) -> TestClient:
        config = dataclasses.replace(
            make_config(tmp_path / "data"), upstreams=tuple(upstreams), routes=tuple(routes),
            dbrps=dbrps, replay=ReplayConfig(backoff_initial_seconds=0.02,
                                             backoff_max_seconds=0.1, **replay))
        return await aiohttp_client(GatewayTestServer(create_app(config)))

    return build


def v2(url: str, name: str = "two", **extra: object) -> UpstreamConfig:
    return UpstreamConfig(name=name, type="influxdb2", url=url, token_env="V2_TOKEN",
                          org="my-org", **extra)


def v3(url: str, name: str = "three", **extra: object) -> UpstreamConfig:
    return UpstreamConfig(name=name, type="influxdb3", url=url, token_env="V3_TOKEN", **extra)


def v1(url: str, name: str = "one", **extra: object) -> UpstreamConfig:
    return UpstreamConfig(name=name, type="influxdb1", url=url, **extra)


def single(target: str, database: str = "*") -> RouteConfig:
    return RouteConfig(database=database, mode="single", targets=(target,))


async def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


# -- names and precision on the way to InfluxDB 2 and 3 -------------------------------------

async def test_v1_names_become_v2_buckets(routed) -> None:
    async with FakeInfluxDB2(buckets=("telegraf", "telegraf/weekly", "mapped")) as fake:
        client = await routed([v2(fake.url)], [single("two")],
                              dbrps=(DbrpConfig("legacy", "autogen", "mapped"),))
        for params in ({"db": "telegraf"}, {"db": "telegraf", "rp": "autogen"},
                       {"db": "telegraf", "rp": "weekly"}, {"db": "legacy"}):
            answer = await client.post("/write", params=params, data=b"m v=1 1")
            assert answer.status == 204, await answer.text()
        buckets = [r.query["bucket"] for r in fake.requests_to("/api/v2/write")]
        assert buckets == ["telegraf", "telegraf", "telegraf/weekly", "mapped"]
        assert all(r.headers["authorization"] == f"Token {V2_TOKEN}"
                   for r in fake.requests_to("/api/v2/write"))


async def test_precision_passes_untouched_or_is_rescaled_once(routed) -> None:
    async with FakeInfluxDB2() as fake:
        client = await routed([v2(fake.url)], [single("two")])
        body = b"m,t=a v=1 27000000\nm,t=b v=2"
        assert (await client.post("/write", params={"db": "telegraf", "precision": "ms"},
                                  data=body)).status == 204
        assert (await client.post("/write", params={"db": "telegraf", "precision": "m"},
                                  data=body)).status == 204
        sent_ms, sent_m = fake.requests_to("/api/v2/write")
        assert (sent_ms.query["precision"], sent_ms.body) == ("ms", body)  # as the caller sent it
        assert sent_m.query["precision"] == "s"
        assert sent_m.body.split(b"\n")[0] == b"m,t=a v=1 1620000000"  # minutes * 60
        assert sent_m.body.split(b"\n")[1] == b"m,t=b v=2"


async def test_rescaling_reads_tabs_as_the_parser_does(routed) -> None:
    # a tab separates nothing: `v=2\t3` is one (invalid) value, not a value and a time, and
    # goes upstream as written, for the server to refuse; blanks after a space are kept
    async with FakeInfluxDB2() as fake:
        client = await routed([v2(fake.url)], [single("two")])
        body = b"m,t=a v=1 \t2  \nm,t=b v=2\t3\nm,t=c v=3 4"
        await client.post("/write", params={"db": "telegraf", "precision": "m"}, data=body)
        (sent,) = fake.requests_to("/api/v2/write")
        assert sent.query["precision"] == "s"
        assert sent.body == b"m,t=a v=1 \t120  \nm,t=b v=2\t3\nm,t=c v=3 240"


async def test_v1_precision_h_reaches_a_gateway_acting_as_influxdb3(routed, tmp_path) -> None:
    upstream = gateway_process(tmp_path / "far").start()
    try:
        client = await routed([UpstreamConfig(name="far", type="influxdb3", url=upstream.url)],
                              [single("far")])
        answer = await client.post("/write", params={"db": "hourly", "precision": "h"},
                                   data=b"temp,room=a c=21.5 450000")
        assert answer.status == 204, await answer.text()
        async with client.session.get(f"{upstream.url}/api/v3/query_sql", params={
                "db": "hourly", "q": "SELECT room, c, time FROM temp", "format": "json"}) as r:
            rows = await r.json()
        assert rows == [{"room": "a", "c": 21.5, "time": "2021-05-03T00:00:00"}]
        # And read back through the first gateway, as a 1.x client asking for MessagePack
        # (which InfluxDB 3's /query does not speak: decoded and re-encoded on the way).
        answer = await client.get("/query", params={"db": "hourly", "q": "SELECT * FROM temp",
                                                    "epoch": "s"},
                                  headers={"Accept": "application/x-msgpack"})
        assert answer.status == 200
        assert answer.headers["Content-Type"] == "application/x-msgpack"
        decoded = msgpack.unpackb(await answer.read())
        assert decoded["results"][0]["series"][0]["values"] == [[1620000000, 21.5, "a"]]
    finally:
        upstream.stop()


# Mixed magnitudes, as v3's precision=auto reads them: seconds, milliseconds, microseconds,
# nanoseconds, all the same instant but for the last digit.
AUTO_LINES = (b"m,u=s v=1 1600000000\nm,u=ms v=2 1600000000001\n"
              b"m,u=us v=3 1600000000000002\nm,u=ns v=4 1600000000000000003")
AUTO_NANOS = {"s": 1600000000000000000, "ms": 1600000000001000000,
              "us": 1600000000000002000, "ns": 1600000000000000003}


async def test_precision_auto_is_resolved_for_an_influxdb2_upstream(routed) -> None:
    async with FakeInfluxDB2(buckets=("auto", "both")) as fake:
        mirrored = RouteConfig(database="both", mode="mirror", targets=("native", "two"))
        client = await routed([v2(fake.url)], [mirrored, single("two")])
        answer = await client.post("/api/v3/write_lp", params={"db": "auto"}, data=AUTO_LINES)
        assert answer.status == 204, await answer.text()
        seconds = b"m v=1 1600000000\nm v=2 1600000001"
        answer = await client.post("/api/v3/write_lp", params={"db": "auto"}, data=seconds)
        assert answer.status == 204, await answer.text()
        mixed, plain = fake.requests_to("/api/v2/write")
        assert mixed.query["precision"] == "ns"
        assert mixed.body == b"\n".join(b"m,u=%s v=%d %d" % (unit.encode(), i + 1, nanos)
                                        for i, (unit, nanos) in enumerate(AUTO_NANOS.items()))
        assert (plain.query["precision"], plain.body) == ("s", seconds)  # one unit: as sent
        # A mirror stores the times the native primary guessed.
        answer = await client.post("/api/v3/write_lp", params={"db": "both"}, data=AUTO_LINES)
        assert answer.status == 204, await answer.text()
        assert fake.requests_to("/api/v2/write")[-1].body == mixed.body
        answer = await client.get("/query", params={
            "db": "both", "epoch": "ns", "q": "SELECT v FROM m GROUP BY u"})
        series = json.loads(await answer.text())["results"][0]["series"]
        assert {s["tags"]["u"]: s["values"][0][0] for s in series} == AUTO_NANOS


async def test_precision_auto_lands_at_the_right_instants_on_influxdb1(
        routed, influxdb1: Influxd) -> None:
    client = await routed([v1(influxdb1.url)], [single("one", "autov1")])
    assert (await client.post("/query", data={"q": "CREATE DATABASE autov1"})).status == 200
    for precision in ({}, {"precision": "auto"}):
        answer = await client.post("/api/v3/write_lp", params={"db": "autov1", **precision},
                                   data=AUTO_LINES.replace(b"m,", b"m%d," % len(precision)))
        assert answer.status == 204, await answer.text()
        async with client.session.get(f"{influxdb1.url}/query", params={
                "db": "autov1", "epoch": "ns",
                "q": f"SELECT v FROM m{len(precision)} GROUP BY u"}) as direct:
            series = (await direct.json())["results"][0]["series"]
        assert {s["tags"]["u"]: s["values"][0][0] for s in series} == AUTO_NANOS


async def test_precision_m_is_rescaled_for_a_string_open_to_the_final_newline(
        routed, influxdb1: Influxd, tmp_path: Path) -> None:
    """After a leading space 1.x's splitter reads the field key's quote as opening a string
    that runs to the end of the body; 1.6.7 strips the final newline and stores the point at
    its time. A v1 `precision=m` write routed to an InfluxDB 3 (a second gateway, itself
    routed to 1.6.7) is rescaled to seconds on the way, and lands where the same write sent
    straight to 1.6.7 does: at 60 s, not at 1 s (its timestamp read as `1\\n` went out
    unscaled)."""
    body = b' c:\\,cpu=cpu q"t=0.0 1\n'
    for database in ("openm", "openmdirect"):
        assert influxdb1.query(f"CREATE DATABASE {database}")[0] == 200
    config = tmp_path / "far.toml"
    config.write_text(f'[[upstreams]]\nname = "one"\ntype = "influxdb1"\nurl = "{influxdb1.url}"'
                      '\n[[routes]]\ndatabase = "openm"\nmode = "single"\ntargets = ["one"]\n')
    upstream = gateway_process(tmp_path / "far", config).start()
    try:
        client = await routed([UpstreamConfig(name="far", type="influxdb3", url=upstream.url)],
                              [single("far", "openm")])
        answer = await client.post("/write", params={"db": "openm", "precision": "m"},
                                   data=body)
        assert answer.status == 204, await answer.text()
    finally:
        upstream.stop()
    async with client.session.post(f"{influxdb1.url}/write",
                                   params={"db": "openmdirect", "precision": "m"},
                                   data=body) as direct:
        assert direct.status == 204, await direct.text()
    stored = []
    for database in ("openm", "openmdirect"):
        async with client.session.get(f"{influxdb1.url}/query", params={
                "db": database, "epoch": "ns", "q": "SELECT * FROM /.*/"}) as read:
            stored.append((await read.json())["results"][0]["series"])
    assert stored[0] == stored[1] == [
        {"name": "c:,cpu=cpu", "columns": ["time", 'q"t'], "values": [[60_000_000_000, 0]]}]


# -- answers re-encoded for the caller's generation ------------------------------------------

async def test_v3_sql_and_influxql_against_a_real_influxdb1(routed, influxdb1: Influxd) -> None:
    client = await routed([v1(influxdb1.url)], [single("one", "sqlv1")])
    assert (await client.post("/query", data={"q": "CREATE DATABASE sqlv1"})).status == 200
    lines = b"cpu,host=a usage=10 1000000000\ncpu,host=b usage=30 2000000000\n" \
            b"cpu,host=a usage=20 61000000000"
    assert (await client.post("/write", params={"db": "sqlv1"}, data=lines)).status == 204
    answer = await client.get("/api/v3/query_sql", params={
        "db": "sqlv1", "format": "json",
        "q": "SELECT host, avg(usage) AS mean FROM cpu GROUP BY host"})
    assert answer.status == 200, await answer.text()
    text = await answer.text()
    assert json.loads(text) == [{"host": "a", "mean": 15.0}, {"host": "b", "mean": 30.0}]
    assert '"mean":30.0' in text  # a whole float stays a float (1.x's JSON would say 30)
    answer = await client.get("/api/v3/query_sql", params={
        "db": "sqlv1", "format": "csv",
        "q": "SELECT date_bin(INTERVAL '1 minute', time) AS time, count(usage) AS n FROM cpu "
             "WHERE time >= '1970-01-01T00:00:00Z' AND time < '1970-01-01T00:02:00Z' "
             "GROUP BY 1 ORDER BY time"})
    assert answer.status == 200, await answer.text()
    assert (await answer.text()).splitlines() == [
        "time,n", "1970-01-01T00:00:00,2", "1970-01-01T00:01:00,1"]
    answer = await client.get("/api/v3/query_sql", params={
        "db": "sqlv1", "q": "SELECT a.usage FROM cpu a JOIN cpu b ON a.host = b.host"})
    assert answer.status == 400
    assert "JOIN" in (await answer.json())["error"]
    answer = await client.get("/api/v3/query_influxql", params={
        "db": "sqlv1", "format": "jsonl", "q": "SELECT usage FROM cpu WHERE host = 'b'"})
    assert answer.status == 200, await answer.text()
    row = json.loads((await answer.text()).splitlines()[0])
    assert row["iox::measurement"] == "cpu" and row["usage"] == 30.0


async def test_v3_sql_to_an_influxdb2_upstream_asks_for_its_schema_in_the_same_request(
        routed) -> None:
    """The 1.x /query of InfluxDB 2 takes several statements separated by `;` and answers a
    result for each; one that answers fewer is a 502, not the gateway's own 500."""
    async with FakeInfluxDB2() as fake:
        client = await routed([v2(fake.url)], [single("two")])
        fake.query_answer = json.dumps({"results": [
            {"statement_id": 0, "series": [{"name": "cpu", "columns": ["fieldKey", "fieldType"],
                                            "values": [["usage", "float"]]}]},
            {"statement_id": 1, "series": [{"name": "cpu", "columns": ["tagKey"],
                                            "values": [["host"]]}]},
            {"statement_id": 2, "series": [{"name": "cpu", "columns": ["time", "usage", "host",
                                                                       "usage_1"],
                                            "values": [[1000, 2.5, "a", 2.5]]}]},
        ]}).encode()
        params = {"db": "telegraf", "q": "SELECT usage, host FROM cpu"}
        answer = await client.get("/api/v3/query_sql", params=params)
        assert answer.status == 200, await answer.text()
        assert await answer.json() == [{"usage": 2.5, "host": "a"}]
        (sent,) = fake.requests_to("/query")
        assert sent.query["q"] == ("SHOW FIELD KEYS FROM cpu; SHOW TAG KEYS FROM cpu; "
                                   "SELECT usage, host, * FROM cpu")
        for body in (b'{"results":[{"statement_id":0}]}', b'{"results":[]}'):
            fake.query_answer = body
            answer = await client.get("/api/v3/query_sql", params=params)
            assert answer.status == 502, await answer.text()
            assert (await answer.json())["error"] == (
                f"upstream two answered {body.count(b'statement_id')} results to 3 statements")


async def test_v3_sql_passes_through_to_an_influxdb3_upstream(routed) -> None:
    async with FakeInfluxDB3(databases=("lake",)) as fake:
        client = await routed([v3(fake.url)], [single("three")])
        answer = await client.post("/api/v3/query_sql", json={
            "db": "lake", "q": "SELECT 1", "format": "jsonl"})
        assert answer.status == 200, await answer.text()
        (sent,) = fake.requests_to("/api/v3/query_sql")
        assert sent.json()["q"] == "SELECT 1" and sent.json()["format"] == "jsonl"
        assert sent.headers["authorization"] == f"Bearer {V3_TOKEN}"


@pytest.mark.parametrize("chunked", [False, True], ids=["unchunked", "chunked"])
async def test_several_statements_reach_an_influxdb3_one_at_a_time(routed,
                                                                   chunked: bool) -> None:
    """InfluxDB 3's /query runs one statement a request ("must provide only one InfluxQl
    statement per query"): a 1.x caller's request of several is sent them one at a time and
    answered as one, each result under its own statement's id."""
    series = {"name": "m", "columns": ["time", "v"], "values": [[1000, 2.5]]}
    async with FakeInfluxDB3(databases=("lake",)) as fake:
        fake.influxql_answer = json.dumps(
            {"results": [{"statement_id": 0, "series": [series]}]}).encode()
        client = await routed([v3(fake.url)], [single("three")])
        answer = await client.get("/query", params={
            "db": "lake", "q": "SELECT v FROM m; SELECT v FROM m WHERE time > 0; ",
            "epoch": "ns", **({"chunked": "true"} if chunked else {})})
        assert answer.status == 200, await answer.text()
        lines = [json.loads(line) for line in (await answer.read()).splitlines()]
        results = [{"statement_id": n, "series": [series]} for n in (0, 1)]
        assert lines == ([{"results": [r]} for r in results] if chunked
                         else [{"results": results}])
        assert [r.query["q"] for r in fake.requests_to("/query")] == [
            "SELECT v FROM m", "SELECT v FROM m WHERE time > 0"]


# -- faults: the caller's own format, in time, and the process keeps serving ------------------

@pytest.mark.parametrize(("mode", "status"), [("garbage", 502), ("close_body", 502),
                                              ("silent", 504)])
async def test_a_broken_upstream_is_a_5xx_in_the_callers_format(routed, mode: str,
                                                                  status: int) -> None:
    async with FaultServer(mode) as fault:
        client = await routed([v1(fault.url, timeout_seconds=1.0)], [single("one")])
        started = time.monotonic()
        answer = await client.post("/write", params={"db": "x"}, data=b"m v=1 1")
        assert answer.status == status
        assert "error" in await answer.json()
        answer = await client.post("/api/v2/write", params={"bucket": "x", "org": "o"},
                                   data=b"m v=1 1")
        assert answer.status == status
        assert (await answer.json())["code"] == "unavailable"
        # two requests, each cut at 1 s, and a loaded machine's slack; uncut, the silent
        # fault would hold each until the default timeout (30 s)
        assert time.monotonic() - started < 2 * 1.0 + 20
        assert (await client.get("/ping")).status == 204


async def test_a_refused_connection_is_503_and_a_429_keeps_its_retry_after(routed) -> None:
    async with FakeInfluxDB2() as fake:
        client = await routed([v2(fake.url)], [single("two")])
        fake.fail(429, retry_after="7")
        answer = await client.post("/write", params={"db": "telegraf"}, data=b"m v=1 1")
        assert answer.status == 429 and answer.headers["Retry-After"] == "7"
        assert "error" in await answer.json()  # reworded in 1.x's format
        # A caller of the upstream's own generation gets its answer as it was.
        answer = await client.post("/api/v2/write", params={"bucket": "telegraf", "org": "o"},
                                   data=b"m v=1 1")
        assert answer.status == 429 and (await answer.json())["code"] == "too many requests"
        await fake.stop()
        answer = await client.post("/api/v3/write_lp", params={"db": "telegraf",
                                                                "precision": "second"},
                                   data=b"m v=1 1")
        assert answer.status == 503
        assert "unavailable" in (await answer.json())["error"]


async def test_failover_reads_from_the_next_target(routed, influxdb1: Influxd) -> None:
    async with FaultServer("hang_up") as fault:
        route = RouteConfig(database="fo", mode="single", targets=("dead",),
                            failover=("one",))
        client = await routed([v1(fault.url, name="dead"), v1(influxdb1.url)], [route])
        answer = await client.get("/query", params={"q": "SHOW DATABASES"})
        assert answer.status in (502, 503)  # SHOW DATABASES asks every target
        answer = await client.get("/query", params={"q": "SHOW MEASUREMENTS", "db": "fo"})
        assert answer.status == 200, await answer.text()
        assert json.loads(await answer.text())["results"][0]["statement_id"] == 0


# -- mirrors: 4xx counted, 5xx queued and replayed, a full queue refuses before the primary ----

async def test_mirror_4xx_is_counted_and_5xx_is_queued_then_replayed(routed) -> None:
    async with FakeInfluxDB2() as fake:
        route = RouteConfig(database="*", mode="mirror", targets=("native", "two"))
        client = await routed([v2(fake.url)], [route])
        fake.fail(400, times=1)
        assert (await client.post("/write", params={"db": "telegraf"},
                                  data=b"m v=1 1")).status == 204
        fake.fail(503)
        assert (await client.post("/write", params={"db": "telegraf"},
                                  data=b"m v=2 2\nm v=3")).status == 204
        report = (await (await client.get("/admin/replay")).json())["targets"]["two"]
        assert report["rejected"] == 1 and report["queue"]["depth"] == 1
        fake.recover()
        await wait_for(lambda: bool(fake.lines["telegraf"]))
        replayed = fake.lines["telegraf"]
        assert replayed[0] == "m v=2 2"
        assert replayed[1].startswith("m v=3 ")  # stamped once, before it left
        native = await client.get("/query", params={"db": "telegraf", "q": "SELECT v FROM m",
                                                     "epoch": "ns"})
        values = json.loads(await native.text())["results"][0]["series"][0]["values"]
        assert [v[1] for v in values] == [1, 2, 3]
        assert str(values[2][0]) == replayed[1].split(" ")[-1]  # the same time on both sides
        # The fake holds the lines before the replayer has its answer and counts the entry:
        # wait for the queue to empty before reading the counters.
        deadline = time.monotonic() + 10
        while (await (await client.get("/admin/replay")).json()
               )["targets"]["two"]["queue"]["depth"]:
            assert time.monotonic() < deadline, "the replayed entry stayed queued"
            await asyncio.sleep(0.02)
        metrics = await (await client.get("/metrics")).text()
        assert 'influx_gateway_mirror_rejected_total{target="two"} 1' in metrics
        assert 'influx_gateway_replay_replayed_total{mirror="two"} 1' in metrics


async def test_a_full_queue_refuses_the_write_before_the_primary_stores_it(routed) -> None:
    async with FakeInfluxDB2() as fake:
        route = RouteConfig(database="*", mode="mirror", targets=("native", "two"))
        client = await routed([v2(fake.url)], [route], max_bytes=300, when_full="reject")
        fake.fail(503)
        body = b"m,host=a v=1 " + b"1"
        assert (await client.post("/write", params={"db": "telegraf"},
                                  data=body)).status == 204
        big = b"\n".join(b"m,host=b v=%d %d" % (i, i + 10) for i in range(40))
        answer = await client.post("/write", params={"db": "telegraf"}, data=big)
        assert answer.status == 503 and "Retry-After" in answer.headers
        native = await client.get("/query", params={"db": "telegraf",
                                                     "q": "SELECT count(v) FROM m"})
        counted = json.loads(await native.text())["results"][0]["series"][0]["values"][0][1]
        assert counted == 1  # the refused batch reached no target


async def test_the_callers_credentials_go_upstream_only_on_passthrough_routes(routed) -> None:
    async with FakeInfluxDB2() as fake:
        plain = RouteConfig(database="plain", mode="single", targets=("two",))
        passing = RouteConfig(database="passing", mode="single", targets=("two",),
                              passthrough=True)
        fake.add_bucket("plain")
        fake.add_bucket("passing")
        client = await routed([v2(fake.url)], [plain, passing])
        wrong = {"Authorization": "Token not-the-token"}
        answer = await client.post("/write", params={"db": "plain"}, data=b"m v=1 1",
                                   headers=wrong)
        assert answer.status == 204  # the gateway's own token
        answer = await client.post("/write", params={"db": "passing"}, data=b"m v=1 1",
                                   headers=wrong)
        assert answer.status == 401  # the caller's, refused by the upstream
        right = {"Authorization": f"Token {V2_TOKEN}"}
        answer = await client.post("/write", params={"db": "passing"}, data=b"m v=1 1",
                                   headers=right)
        assert answer.status == 204
        sent = [r.headers["authorization"] for r in fake.requests_to("/api/v2/write")]
        assert sent == [f"Token {V2_TOKEN}", "Token not-the-token", f"Token {V2_TOKEN}"]
        for database in ("plain", "passing"):
            await client.get("/query", params={"db": database, "q": "SELECT * FROM m"},
                             headers=wrong)
        sent = [r.headers.get("authorization") for r in fake.requests_to("/query")]
        assert sent == [f"Token {V2_TOKEN}", "Token not-the-token"]
        # CREATE DATABASE (a bucket through the API) goes the same way.
        answers = [await (await client.post("/query", params={"q": f"CREATE DATABASE {name}"},
                                            headers=wrong)).json()
                   for name in ("plain", "passing")]
        assert answers[0] == {"results": [{"statement_id": 0}]}  # exists: as 1.x's, idempotent
        assert "unauthorized access" in answers[1]["results"][0]["error"]
        sent = [r.headers.get("authorization") for r in fake.requests_to("/api/v2/buckets")
                if r.method == "POST"]
        assert sent == [f"Token {V2_TOKEN}", "Token not-the-token"]
