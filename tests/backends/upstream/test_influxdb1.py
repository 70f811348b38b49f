"""The InfluxDB 1.x client against a real InfluxDB 1.6.7, with auth off and with auth on."""

from __future__ import annotations

import gzip
import json
import uuid
from collections.abc import Iterator

import pytest

from gateway.backends.upstream.base import (
    Generation,
    InfluxQLCall,
    PassCredentials,
    UnexpectedReply,
    Upstream,
    UpstreamReply,
)
from gateway.backends.upstream.influxdb1 import basic_authorization, statement_values
from gateway.model import Namespace
from tests.support.influxd import Influxd, InfluxdMissing, influxd
from tests.support.required import unavailable
from translators.lineprotocol import Precision

from .conftest import MakeUpstream

pytestmark = pytest.mark.slow


def unique(prefix: str) -> str:
    """A database name of this test's own: the 1.6.7 server is shared by the session."""
    return f"{prefix}_{uuid.uuid4().hex[:8]}"


@pytest.fixture
def upstream(make_upstream: MakeUpstream, influxdb1: Influxd) -> Upstream:
    return make_upstream("influxdb1", influxdb1.url)


@pytest.fixture
async def database(upstream: Upstream) -> str:
    name = unique("upstream")
    assert (await upstream.create_database(name)).status == 200
    return name


async def select(upstream: Upstream, database: str, text: str, **call: object) -> list[list]:
    reply = await upstream.influxql(InfluxQLCall(text, database=database, epoch="s", **call))
    return statement_values("test", reply)


def test_accepts_every_1x_precision_but_auto(upstream: Upstream) -> None:
    assert [p for p in Precision if not upstream.accepts(p)] == [Precision.AUTO]


async def test_create_database_quotes_the_name(upstream: Upstream) -> None:
    name = unique("needs quoting-") + " and a space"
    reply = await upstream.create_database(name)
    # A POST: 1.x warns about "a read only context" when CREATE DATABASE comes as a GET.
    assert json.loads(reply.body) == {"results": [{"statement_id": 0}]}
    assert reply.generation is Generation.V1
    assert name in await upstream.databases()


@pytest.mark.parametrize(("precision", "stamp", "seconds"), [
    pytest.param(Precision.NANOSECOND, 1_700_000_000_000_000_000, 1_700_000_000, id="n"),
    pytest.param(Precision.MICROSECOND, 1_700_000_000_000_000, 1_700_000_000, id="u"),
    pytest.param(Precision.MILLISECOND, 1_700_000_000_000, 1_700_000_000, id="ms"),
    pytest.param(Precision.SECOND, 1_700_000_000, 1_700_000_000, id="s"),
    pytest.param(Precision.MINUTE, 28_333_333, 1_699_999_980, id="m"),
    pytest.param(Precision.HOUR, 472_222, 1_699_999_200, id="h"),
])
async def test_write_in_each_precision_lands_at_the_right_time(
        upstream: Upstream, database: str, precision: Precision, stamp: int,
        seconds: int) -> None:
    body = f"cpu,host=a usage=1.5 {stamp}\n".encode()
    reply = await upstream.write(Namespace(database, "autogen"), body, precision)
    assert (reply.status, reply.body) == (204, b"")
    assert await select(upstream, database, "SELECT usage FROM cpu") == [[seconds, 1.5]]


async def test_a_gzip_body_is_written(upstream: Upstream, database: str) -> None:
    body = gzip.compress(b"cpu,host=a usage=1 1700000000\ncpu,host=b usage=2 1700000000\n")
    reply = await upstream.write(Namespace(database), body, Precision.SECOND, gzip=True)
    assert reply.status == 204
    rows = await select(upstream, database, "SELECT usage, host FROM cpu")
    assert rows == [[1_700_000_000, 1, "a"], [1_700_000_000, 2, "b"]]


@pytest.mark.parametrize(("target", "body", "status", "message"), [
    pytest.param(Namespace("nope_upstream_db"), b"cpu usage=1", 404,
                 'database not found: "nope_upstream_db"', id="unknown-database"),
    pytest.param(None, b"cpu,host=a usage=", 400,
                 "unable to parse 'cpu,host=a usage=': missing field value", id="bad-line"),
    # 1.x answers 500 for an unknown retention policy; relayed as it is.
    pytest.param("nope", b"cpu usage=1", 500, "retention policy not found: nope",
                 id="unknown-rp"),
])
async def test_write_errors_come_back_as_1x_answered(
        upstream: Upstream, database: str, target: Namespace | str | None, body: bytes,
        status: int, message: str) -> None:
    namespace = target if isinstance(target, Namespace) else Namespace(database, target)
    reply = await upstream.write(namespace, body, Precision.SECOND)
    assert (reply.status, reply.error_message()) == (status, message)
    assert reply.headers["x-influxdb-error"] == message


async def test_influxql_forwards_its_parameters(upstream: Upstream, database: str) -> None:
    body = b"cpu,host=a usage=1 1700000000\ncpu,host=b usage=2 1700000001\n"
    assert (await upstream.write(Namespace(database), body, Precision.SECOND)).status == 204

    bound = await select(upstream, database, "SELECT usage FROM cpu WHERE host = $h",
                         params='{"h": "b"}')
    assert bound == [[1_700_000_001, 2]]

    chunked = await upstream.influxql(InfluxQLCall(
        "SELECT usage FROM cpu", database=database, epoch="s", chunked=True, chunk_size=1))
    chunks = [json.loads(line) for line in chunked.body.splitlines()]
    assert [c["results"][0]["series"][0]["values"] for c in chunks] == [
        [[1_700_000_000, 1]], [[1_700_000_001, 2]]]

    csv = await upstream.influxql(InfluxQLCall("SELECT usage FROM cpu", database=database,
                                               accept="application/csv"))
    assert csv.content_type.startswith("text/csv")
    assert csv.body.splitlines()[0] == b"name,tags,time,usage"


async def test_a_compressed_answer_arrives_decoded(upstream: Upstream, database: str) -> None:
    reply = await upstream.influxql(InfluxQLCall("SHOW MEASUREMENTS", database=database))
    # aiohttp asks for gzip and 1.x sends it; the reply holds the decoded body and no stale
    # Content-Encoding that would make a relay compress-label plain bytes.
    assert "content-encoding" not in reply.headers
    assert json.loads(reply.body) == {"results": [{"statement_id": 0}]}


async def test_ping(upstream: Upstream) -> None:
    reply = await upstream.ping()
    assert reply.status == 204
    assert reply.headers["x-influxdb-version"].startswith("1.6.7")


def _reply(status: int, body: object) -> UpstreamReply:
    return UpstreamReply(status, json.dumps(body).encode())


@pytest.mark.parametrize(("reply", "rows"), [
    pytest.param(_reply(200, {"results": [{"statement_id": 0, "series": [
        {"name": "databases", "columns": ["name"], "values": [["a"], ["b"]]}]}]}),
        [["a"], ["b"]], id="series"),
    pytest.param(_reply(200, {"results": [{"statement_id": 0}]}), [], id="no-series"),
])
def test_statement_values(reply: UpstreamReply, rows: list[list[object]]) -> None:
    assert statement_values("up", reply) == rows


@pytest.mark.parametrize(("reply", "detail"), [
    pytest.param(_reply(401, {"error": "authorization failed"}),
                 "answered 401: authorization failed", id="error-status"),
    pytest.param(_reply(200, {"results": [{"statement_id": 0, "error": "not executed"}]}),
                 "not executed", id="statement-error"),
    pytest.param(UpstreamReply(200, b"not json"), "the answer is not JSON", id="not-json"),
    pytest.param(_reply(200, {"results": []}), "not 1.x JSON", id="no-results"),
    pytest.param(_reply(200, [1]), "not 1.x JSON", id="not-an-object"),
])
def test_statement_values_refuse_anything_else(reply: UpstreamReply, detail: str) -> None:
    with pytest.raises(UnexpectedReply) as caught:
        statement_values("up", reply)
    assert caught.value.reply is reply
    assert detail in caught.value.detail


ADMIN, PASSWORD = "admin", "s3cret"


@pytest.fixture(scope="module")
def influxdb1_auth(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Influxd]:
    """A 1.6.7 of this module's own with auth-enabled = true and one admin user. Missing in
    CI is a failure, never a skip (as the shared fixture)."""
    try:
        server = influxd(tmp_path_factory.mktemp("influxd-auth"), auth=True).start()
    except InfluxdMissing as exc:
        unavailable(str(exc))
    # Until an admin exists 1.x refuses everything but creating one.
    server.create_admin(ADMIN, PASSWORD)
    yield server
    server.stop()


async def test_the_gateways_credentials_sign_in(make_upstream: MakeUpstream,
                                                influxdb1_auth: Influxd) -> None:
    upstream = make_upstream("influxdb1", influxdb1_auth.url, username=ADMIN, secret=PASSWORD)
    name = unique("auth")
    assert (await upstream.create_database(name)).status == 200
    written = await upstream.write(Namespace(name), b"cpu usage=1 1700000000", Precision.SECOND)
    assert written.status == 204
    assert name in await upstream.databases()

    wrong = make_upstream("influxdb1", influxdb1_auth.url, username=ADMIN, secret="nope")
    refused = await wrong.write(Namespace(name), b"cpu usage=1", Precision.SECOND)
    assert (refused.status, refused.error_message()) == (401, "authorization failed")
    with pytest.raises(UnexpectedReply) as caught:
        await make_upstream("influxdb1", influxdb1_auth.url).databases()
    assert caught.value.reply.status == 401


@pytest.mark.parametrize(("gateway_password", "credentials", "status"), [
    # The caller's wrong u/p are sent, not the gateway's right ones.
    pytest.param(PASSWORD, PassCredentials(username=ADMIN, password="wrong"), 401,
                 id="callers-u-p-instead-of-the-gateways"),
    # The caller's right Basic header works where the gateway's own password would not.
    pytest.param("wrong", PassCredentials(authorization=basic_authorization(ADMIN, PASSWORD)),
                 204, id="callers-basic-header"),
    pytest.param("wrong", PassCredentials(username=ADMIN, password=PASSWORD), 204,
                 id="callers-u-p"),
])
async def test_passthrough_sends_the_callers_credentials_only(
        make_upstream: MakeUpstream, influxdb1_auth: Influxd, gateway_password: str,
        credentials: PassCredentials, status: int) -> None:
    admin = make_upstream("influxdb1", influxdb1_auth.url, username=ADMIN, secret=PASSWORD)
    name = unique("pass")
    assert (await admin.create_database(name)).status == 200
    upstream = make_upstream("influxdb1", influxdb1_auth.url, username=ADMIN,
                             secret=gateway_password)
    written = await upstream.write(Namespace(name), b"cpu usage=1 1700000000",
                                   Precision.SECOND, credentials=credentials)
    assert written.status == status
    queried = await upstream.influxql(InfluxQLCall("SHOW MEASUREMENTS", database=name),
                                      credentials=credentials)
    assert queried.status == (200 if status == 204 else 401)
