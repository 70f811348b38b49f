"""The InfluxDB 2.x client against a fake that speaks 2.x's documented wire contract."""

from __future__ import annotations

import gzip
import json

import pytest

from gateway.backends.upstream.base import (
    Generation,
    InfluxQLCall,
    PassCredentials,
    UnexpectedReply,
    Upstream,
)
from gateway.model import Namespace
from tests.support.fake_upstreams import FakeInfluxDB2
from translators.lineprotocol import Precision

from .conftest import MakeUpstream

LINES = b"cpu,host=a usage=1 1700000000\ncpu,host=b usage=2 1700000000\n"


@pytest.fixture
def upstream(make_upstream: MakeUpstream, fake_v2: FakeInfluxDB2) -> Upstream:
    return make_upstream("influxdb2", fake_v2.url, secret=fake_v2.token, org="my-org")


@pytest.mark.parametrize(("precision", "accepted"), [
    pytest.param(Precision.NANOSECOND, True, id="ns"),
    pytest.param(Precision.MICROSECOND, True, id="us"),
    pytest.param(Precision.MILLISECOND, True, id="ms"),
    pytest.param(Precision.SECOND, True, id="s"),
    pytest.param(Precision.MINUTE, False, id="m"),
    pytest.param(Precision.HOUR, False, id="h"),
    pytest.param(Precision.AUTO, False, id="auto"),
])
def test_accepts_only_the_four_v2_precisions(upstream: Upstream, precision: Precision,
                                             accepted: bool) -> None:
    assert upstream.accepts(precision) is accepted


@pytest.mark.parametrize("precision", ["ns", "us", "ms", "s"])
async def test_write_sends_lines_to_the_bucket_with_the_token(
        upstream: Upstream, fake_v2: FakeInfluxDB2, precision: str) -> None:
    reply = await upstream.write(Namespace("telegraf"), LINES, Precision(precision))
    assert (reply.status, reply.generation) == (204, Generation.V2)
    (sent,) = fake_v2.received
    assert (sent.method, sent.path) == ("POST", "/api/v2/write")
    assert sent.query == {"org": "my-org", "bucket": "telegraf", "precision": precision}
    assert sent.headers["authorization"] == f"Token {fake_v2.token}"
    assert fake_v2.lines["telegraf"] == ["cpu,host=a usage=1 1700000000",
                                         "cpu,host=b usage=2 1700000000"]


async def test_a_gzip_body_is_sent_as_is_and_labelled(upstream: Upstream,
                                                      fake_v2: FakeInfluxDB2) -> None:
    reply = await upstream.write(Namespace("telegraf"), gzip.compress(LINES),
                                 Precision.SECOND, gzip=True)
    assert reply.status == 204
    assert fake_v2.received[0].headers["content-encoding"] == "gzip"
    assert len(fake_v2.lines["telegraf"]) == 2


@pytest.mark.parametrize(("bucket", "body", "status", "message"), [
    pytest.param("nope", LINES, 404, 'bucket "nope" not found', id="unknown-bucket"),
    pytest.param("telegraf", b"cpu usage=1\ncpu\n", 400, "unable to parse 'cpu': missing fields",
                 id="bad-line"),
    pytest.param("telegraf", b"x" * (FakeInfluxDB2.max_body_bytes + 1), 413,
                 "unable to read data: points batch is too large", id="too-large"),
])
async def test_write_errors_come_back_as_the_server_answered(
        upstream: Upstream, fake_v2: FakeInfluxDB2, bucket: str, body: bytes, status: int,
        message: str) -> None:
    reply = await upstream.write(Namespace(bucket), body, Precision.SECOND)
    assert reply.status == status
    assert reply.content_type.startswith("application/json")
    assert reply.error_message() == message
    assert json.loads(reply.body)["code"]  # the 2.x error body, untouched
    assert fake_v2.lines["telegraf"] == []


async def test_a_wrong_token_is_the_servers_401(make_upstream: MakeUpstream,
                                                fake_v2: FakeInfluxDB2) -> None:
    upstream = make_upstream("influxdb2", fake_v2.url, secret="wrong", org="my-org")
    reply = await upstream.write(Namespace("telegraf"), LINES, Precision.SECOND)
    assert (reply.status, reply.error_message()) == (401, "unauthorized access")


@pytest.mark.parametrize(("credentials", "sent"), [
    pytest.param(PassCredentials(authorization="Token caller"), "Token caller", id="header"),
    pytest.param(PassCredentials(username="u", password="caller"), "Token caller",
                 id="password-as-token"),
])
async def test_passthrough_sends_the_callers_token_not_the_gateways(
        upstream: Upstream, fake_v2: FakeInfluxDB2, credentials: PassCredentials,
        sent: str) -> None:
    reply = await upstream.write(Namespace("telegraf"), LINES, Precision.SECOND,
                                 credentials=credentials)
    assert reply.status == 401  # the fake knows only the gateway's token
    assert fake_v2.received[0].headers["authorization"] == sent


async def test_influxql_reads_through_the_v1_compatible_query(
        upstream: Upstream, fake_v2: FakeInfluxDB2) -> None:
    fake_v2.query_answer = b'{"results":[{"statement_id":0,"series":[]}]}\n'
    call = InfluxQLCall("SELECT * FROM cpu WHERE host = $h", database="telegraf",
                        retention_policy="autogen", epoch="ms", params='{"h":"a"}',
                        accept="application/json", chunked=True, chunk_size=5)
    reply = await upstream.influxql(call)
    assert (reply.status, reply.body) == (200, fake_v2.query_answer)
    (sent,) = fake_v2.received
    assert (sent.method, sent.path) == ("GET", "/query")
    assert sent.query == {"q": call.text, "db": "telegraf", "rp": "autogen", "epoch": "ms",
                          "params": '{"h":"a"}', "chunked": "true", "chunk_size": "5"}
    assert sent.headers["accept"] == "application/json"
    assert sent.headers["authorization"] == f"Token {fake_v2.token}"


async def test_influxql_that_writes_posts_a_form(upstream: Upstream,
                                                 fake_v2: FakeInfluxDB2) -> None:
    reply = await upstream.influxql(InfluxQLCall("DROP MEASUREMENT cpu", database="telegraf",
                                                 write=True))
    assert reply.status == 200
    (sent,) = fake_v2.received
    assert (sent.method, sent.query) == ("POST", {})
    assert sent.form() == {"q": "DROP MEASUREMENT cpu", "db": "telegraf"}


async def test_influxql_passthrough_forwards_u_and_p(upstream: Upstream,
                                                     fake_v2: FakeInfluxDB2) -> None:
    credentials = PassCredentials(username="someone", password=fake_v2.token)
    reply = await upstream.influxql(InfluxQLCall("SHOW DATABASES"), credentials=credentials)
    assert reply.status == 200
    (sent,) = fake_v2.received
    assert (sent.query["u"], sent.query["p"]) == ("someone", fake_v2.token)
    assert "authorization" not in sent.headers


async def test_create_database_makes_a_bucket_in_the_org(upstream: Upstream,
                                                         fake_v2: FakeInfluxDB2) -> None:
    first = await upstream.create_database("metrics")
    again = await upstream.create_database("metrics")
    other = await upstream.create_database("logs")
    assert first.status == 201
    assert json.loads(first.body)["name"] == "metrics"
    # "already exists" comes back as the server said it: the router decides what it means.
    assert (again.status, again.error_message()) == (422,
                                                     "bucket with name metrics already exists")
    assert other.status == 201
    assert [r.path for r in fake_v2.received].count("/api/v2/orgs") == 1  # the ID is kept
    created = fake_v2.requests_to("/api/v2/buckets")[0]
    assert created.json() == {"orgID": fake_v2.orgs["my-org"], "name": "metrics",
                              "retentionRules": []}
    assert created.headers["authorization"] == f"Token {fake_v2.token}"
    assert set(fake_v2.buckets) == {"telegraf", "metrics", "logs"}


async def test_create_database_in_an_unknown_org_is_the_servers_404(
        make_upstream: MakeUpstream, fake_v2: FakeInfluxDB2) -> None:
    upstream = make_upstream("influxdb2", fake_v2.url, secret=fake_v2.token, org="their-org")
    reply = await upstream.create_database("metrics")
    assert (reply.status, reply.error_message()) == (404,
                                                     'organization name "their-org" not found')
    assert "metrics" not in fake_v2.buckets


async def test_create_database_without_an_org_needs_a_single_org(
        make_upstream: MakeUpstream, fake_v2: FakeInfluxDB2) -> None:
    upstream = make_upstream("influxdb2", fake_v2.url, secret=fake_v2.token)
    assert (await upstream.create_database("metrics")).status == 201  # the only org
    fake_v2.orgs["second-org"] = "0a3cbb5dd526a001"
    other = make_upstream("influxdb2", fake_v2.url, secret=fake_v2.token)
    with pytest.raises(UnexpectedReply, match="exactly one organization"):
        await other.create_database("logs")
    assert "logs" not in fake_v2.buckets


@pytest.mark.parametrize("next_links", [True, False], ids=["links-next", "offset"])
async def test_databases_follows_every_page(make_upstream: MakeUpstream,
                                            next_links: bool) -> None:
    async with FakeInfluxDB2(buckets=tuple(f"b{i:03}" for i in range(200)),
                             next_links=next_links) as fake:
        upstream = make_upstream("influxdb2", fake.url, secret=fake.token, org="my-org")
        names = await upstream.databases()
        assert names == [f"b{i:03}" for i in range(200)]
        offsets = [r.query["offset"] for r in fake.received]
        # 200 buckets in pages of 100: the third request finds the end.
        assert offsets == ["0", "100", "200"]


async def test_databases_raises_on_an_error_answer(make_upstream: MakeUpstream,
                                                   fake_v2: FakeInfluxDB2) -> None:
    upstream = make_upstream("influxdb2", fake_v2.url, secret="wrong", org="my-org")
    with pytest.raises(UnexpectedReply) as caught:
        await upstream.databases()
    assert caught.value.reply.status == 401


async def test_ping_is_health(upstream: Upstream, fake_v2: FakeInfluxDB2) -> None:
    reply = await upstream.ping()
    assert (reply.status, json.loads(reply.body)["status"]) == (200, "pass")
    assert fake_v2.received[0].path == "/health"


@pytest.mark.parametrize(("status", "retry_after"), [(503, "7"), (429, "1.5"), (500, None)])
async def test_overload_answers_are_retryable_with_their_retry_after(
        upstream: Upstream, fake_v2: FakeInfluxDB2, status: int,
        retry_after: str | None) -> None:
    fake_v2.fail(status, retry_after=retry_after, times=1)
    failed = await upstream.write(Namespace("telegraf"), LINES, Precision.SECOND)
    assert (failed.status, failed.retryable) == (status, True)
    assert failed.retry_after() == (float(retry_after) if retry_after else None)
    assert fake_v2.lines["telegraf"] == []
    again = await upstream.write(Namespace("telegraf"), LINES, Precision.SECOND)
    assert again.status == 204
    assert len(fake_v2.lines["telegraf"]) == 2
