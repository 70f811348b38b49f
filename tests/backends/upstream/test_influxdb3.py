"""The InfluxDB 3 client against a fake that speaks 3's documented wire contract, and against a
second gateway process whose native store serves InfluxDB 3's API."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from gateway.backends.upstream.base import (
    Generation,
    InfluxQLCall,
    PassCredentials,
    UnexpectedReply,
    Upstream,
    UpstreamReply,
)
from gateway.backends.upstream.influxdb3 import database_names
from gateway.model import Namespace
from tests.support.fake_upstreams import FakeInfluxDB3
from tests.support.gateway_process import GatewayProcess, gateway_process
from translators.lineprotocol import Precision

from .conftest import MakeUpstream

LINES = b"cpu,host=a usage=1 1700000000\ncpu,host=b usage=2 1700000000\n"


@pytest.fixture
def upstream(make_upstream: MakeUpstream, fake_v3: FakeInfluxDB3) -> Upstream:
    return make_upstream("influxdb3", fake_v3.url, secret=fake_v3.token)


@pytest.mark.parametrize(("precision", "word"), [
    pytest.param(Precision.NANOSECOND, "nanosecond", id="ns"),
    pytest.param(Precision.MICROSECOND, "microsecond", id="us"),
    pytest.param(Precision.MILLISECOND, "millisecond", id="ms"),
    pytest.param(Precision.SECOND, "second", id="s"),
    pytest.param(Precision.AUTO, "auto", id="auto"),
])
async def test_write_lp_with_3s_precision_words_and_a_bearer_token(
        upstream: Upstream, fake_v3: FakeInfluxDB3, precision: Precision, word: str) -> None:
    assert upstream.accepts(precision)
    reply = await upstream.write(Namespace("metrics", "autogen"), LINES, precision)
    assert (reply.status, reply.generation) == (204, Generation.V3)
    (sent,) = fake_v3.received
    assert (sent.method, sent.path) == ("POST", "/api/v3/write_lp")
    assert sent.query == {"db": "metrics", "precision": word, "accept_partial": "true"}
    assert sent.headers["authorization"] == f"Bearer {fake_v3.token}"
    assert fake_v3.lines["metrics"] == ["cpu,host=a usage=1 1700000000",
                                        "cpu,host=b usage=2 1700000000"]


@pytest.mark.parametrize("precision", [Precision.MINUTE, Precision.HOUR])
def test_minutes_and_hours_need_rewriting(upstream: Upstream, precision: Precision) -> None:
    assert not upstream.accepts(precision)


async def test_a_gzip_body_is_sent_as_is_and_labelled(upstream: Upstream,
                                                      fake_v3: FakeInfluxDB3) -> None:
    reply = await upstream.write(Namespace("metrics"), gzip.compress(LINES), Precision.SECOND,
                                 gzip=True)
    assert reply.status == 204
    assert fake_v3.received[0].headers["content-encoding"] == "gzip"
    assert len(fake_v3.lines["metrics"]) == 2


async def test_a_partial_write_comes_back_with_its_rejected_lines(
        upstream: Upstream, fake_v3: FakeInfluxDB3) -> None:
    reply = await upstream.write(Namespace("metrics"), b"cpu usage=1\ncpu\ncpu usage=3\n",
                                 Precision.SECOND)
    assert reply.status == 400
    assert json.loads(reply.body) == {
        "error": "partial write of line protocol occurred",
        "data": [{"original_line": "cpu", "line_number": 2, "error_message": "missing fields"}],
    }
    assert reply.error_message() == "partial write of line protocol occurred"
    assert fake_v3.lines["metrics"] == ["cpu usage=1", "cpu usage=3"]


async def test_a_wrong_token_is_the_servers_401(make_upstream: MakeUpstream,
                                                fake_v3: FakeInfluxDB3) -> None:
    upstream = make_upstream("influxdb3", fake_v3.url, secret="wrong")
    reply = await upstream.write(Namespace("metrics"), LINES, Precision.SECOND)
    assert (reply.status, reply.error_message()) == (401, "unauthorized access")
    assert fake_v3.lines == {}


@pytest.mark.parametrize(("credentials", "sent"), [
    pytest.param(PassCredentials(authorization="Token caller"), "Token caller", id="header"),
    pytest.param(PassCredentials(username="u", password="caller"), "Bearer caller",
                 id="password-as-token"),
])
async def test_passthrough_sends_the_callers_token_not_the_gateways(
        upstream: Upstream, fake_v3: FakeInfluxDB3, credentials: PassCredentials,
        sent: str) -> None:
    reply = await upstream.sql("metrics", "SELECT 1", credentials=credentials)
    assert reply.status == 401
    assert fake_v3.received[0].headers["authorization"] == sent


async def test_sql_posts_the_query_as_json(upstream: Upstream, fake_v3: FakeInfluxDB3) -> None:
    fake_v3.databases.append("metrics")
    fake_v3.sql_rows = [{"host": "a", "usage": 1.0}]
    reply = await upstream.sql("metrics", "SELECT host, usage FROM cpu WHERE host = $host",
                               params={"host": "a"}, format="jsonl")
    assert (reply.status, reply.content_type) == (200, "application/jsonl")
    assert reply.body == b'{"host": "a", "usage": 1.0}\n'
    (sent,) = fake_v3.received
    assert (sent.method, sent.path) == ("POST", "/api/v3/query_sql")
    assert sent.json() == {"db": "metrics", "q": "SELECT host, usage FROM cpu WHERE host = $host",
                           "format": "jsonl", "params": {"host": "a"}}
    missing = await upstream.sql("nope", "SELECT 1")
    assert (missing.status, missing.error_message()) == (404, "database not found: nope")


@pytest.mark.parametrize(("write", "method"), [(False, "GET"), (True, "POST")])
async def test_influxql_puts_every_parameter_in_the_url(
        upstream: Upstream, fake_v3: FakeInfluxDB3, write: bool, method: str) -> None:
    call = InfluxQLCall("SELECT usage FROM cpu", database="metrics", epoch="s",
                        accept="application/csv", pretty=True, write=write)
    reply = await upstream.influxql(call)
    assert (reply.status, reply.content_type) == (200, "application/csv")
    assert reply.body == fake_v3.influxql_answer
    (sent,) = fake_v3.received
    assert (sent.method, sent.path, sent.body) == (method, "/query", b"")
    assert sent.query == {"q": "SELECT usage FROM cpu", "db": "metrics", "epoch": "s",
                          "pretty": "true"}
    assert sent.headers["accept"] == "application/csv"
    assert sent.headers["authorization"] == f"Bearer {fake_v3.token}"


async def test_create_database_and_list_them(upstream: Upstream,
                                             fake_v3: FakeInfluxDB3) -> None:
    created = await upstream.create_database("metrics")
    again = await upstream.create_database("metrics")
    assert created.status == 201
    assert fake_v3.received[0].json() == {"db": "metrics"}
    # "already exists" comes back as the server said it: the router decides what it means.
    assert (again.status, again.error_message()) == (
        409, "attempted to create resource that already exists")
    assert await upstream.databases() == ["_internal", "metrics"]
    assert fake_v3.received[-1].query == {"format": "json"}


def _reply(status: int, body: object) -> UpstreamReply:
    return UpstreamReply(status, json.dumps(body).encode(), {}, Generation.V3)


@pytest.mark.parametrize(("reply", "names"), [
    pytest.param(_reply(200, [{"iox::database": "a"}, {"iox::database": "b"}]), ["a", "b"],
                 id="rows"),
    pytest.param(_reply(200, []), [], id="no-rows"),
    pytest.param(_reply(200, {"databases": ["a"]}), ["a"], id="documented-shape"),
])
def test_database_names_read_both_shapes(reply: UpstreamReply, names: list[str]) -> None:
    assert database_names("up", reply) == names


@pytest.mark.parametrize("reply", [
    pytest.param(_reply(401, {"error": "unauthorized access"}), id="error-status"),
    pytest.param(UpstreamReply(200, b"<html>", {}, Generation.V3), id="not-json"),
    pytest.param(_reply(200, [{"name": "a"}]), id="other-column"),
    pytest.param(_reply(200, ["a"]), id="not-rows"),
    pytest.param(_reply(200, {"dbs": []}), id="other-object"),
])
def test_database_names_refuse_anything_else(reply: UpstreamReply) -> None:
    with pytest.raises(UnexpectedReply) as caught:
        database_names("up", reply)
    assert caught.value.reply is reply


async def test_ping_is_health_or_ping_on_older_servers(make_upstream: MakeUpstream) -> None:
    for has_health, path, body in [(True, "/health", b"OK"),
                                   (False, "/ping", b'{"version": "3.0.0", "revision": "fake"}')]:
        async with FakeInfluxDB3(health=has_health) as fake:
            upstream = make_upstream("influxdb3", fake.url, secret=fake.token)
            reply = await upstream.ping()
            assert (reply.status, reply.body) == (200, body)
            assert fake.received[-1].path == path
            assert fake.received[-1].headers["authorization"] == f"Bearer {fake.token}"


GATEWAY_TOKEN = "upstream-gateway-token"


@pytest.fixture
def native_gateway(tmp_path: Path) -> Iterator[GatewayProcess]:
    """A second gateway whose native store is the InfluxDB 3 upstream, with auth on."""
    process = gateway_process(tmp_path / "upstream-gw",
                              INFLUX_GATEWAY_AUTH_ADMIN_TOKEN_ENV="UPSTREAM_GW_TOKEN",
                              UPSTREAM_GW_TOKEN=GATEWAY_TOKEN).start()
    yield process
    process.stop()


@pytest.mark.slow
async def test_a_gateways_native_store_as_the_upstream(make_upstream: MakeUpstream,
                                                       native_gateway: GatewayProcess) -> None:
    upstream = make_upstream("influxdb3", native_gateway.url, secret=GATEWAY_TOKEN)
    assert (await upstream.ping()).status == 200
    assert (await upstream.create_database("weather")).ok
    body = b"weather,city=paris temp=21.5 1700000000\nweather,city=oslo temp=3 1700000060\n"
    written = await upstream.write(Namespace("weather"), body, Precision.SECOND)
    assert written.status == 204
    assert "weather" in await upstream.databases()

    rows = await upstream.sql("weather", "SELECT city, temp FROM weather ORDER BY city")
    assert rows.status == 200
    assert json.loads(rows.body) == [{"city": "oslo", "temp": 3.0},
                                     {"city": "paris", "temp": 21.5}]

    series = await upstream.influxql(InfluxQLCall(
        "SELECT temp FROM weather WHERE city = 'paris'", database="weather", epoch="s"))
    assert series.status == 200
    (result,) = json.loads(series.body)["results"]
    assert result["series"][0]["values"] == [[1700000000, 21.5]]

    stranger = make_upstream("influxdb3", native_gateway.url, secret="not-the-token")
    refused = await stranger.write(Namespace("weather"), body, Precision.SECOND)
    assert refused.status == 401
