"""The shared transport: failures mapped once to FailureKind, bounded time, TLS, pooling."""

from __future__ import annotations

import asyncio
import shutil
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from multidict import CIMultiDict

from gateway.backends.upstream.base import FailureKind, InfluxQLCall, UpstreamFailure
from gateway.backends.upstream.http import reply_headers
from tests.support.fake_upstreams import (
    FakeInfluxDB2,
    FakeInfluxDB3,
    FaultServer,
    self_signed_certificate,
    server_tls,
    unaccepting_port,
)
from tests.support.required import unavailable

from .conftest import MakeUpstream

KINDS = ("influxdb1", "influxdb2", "influxdb3")
TIMEOUT = 0.5
# Scheduling slack on a loaded machine (it was 2 s): the bound is what matters, and each case
# without it would take 30 s (the slow fake), 60 s (the total timeout of the connect case) or
# forever (the silent and stalling faults).
MARGIN = 10.0


@pytest.fixture
async def fault(request: pytest.FixtureRequest) -> AsyncIterator[FaultServer]:
    async with FaultServer(request.param) as server:
        yield server


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("fault", "expected"), [
    pytest.param("garbage", FailureKind.PROTOCOL, id="not-http"),
    pytest.param("close_body", FailureKind.PROTOCOL, id="closed-mid-body"),
    pytest.param("hang_up", FailureKind.PROTOCOL, id="closed-before-answering"),
    pytest.param("silent", FailureKind.TIMEOUT, id="never-answers"),
    pytest.param("stall_body", FailureKind.TIMEOUT, id="stalls-mid-body"),
], indirect=["fault"])
async def test_a_broken_server_is_one_failure_kind_within_the_timeout(
        make_upstream: MakeUpstream, fault: FaultServer, expected: FailureKind,
        kind: str) -> None:
    upstream = make_upstream(kind, fault.url, secret="s", timeout_seconds=TIMEOUT,
                             connect_timeout_seconds=TIMEOUT)
    started = time.monotonic()
    with pytest.raises(UpstreamFailure) as caught:
        await upstream.ping()
    assert time.monotonic() - started < TIMEOUT + MARGIN
    assert caught.value.kind is expected
    assert caught.value.upstream == f"up-{kind}"
    assert fault.connections >= 1  # the failure came from the server, not from the client


@pytest.mark.parametrize("kind", KINDS)
async def test_a_stopped_server_refuses(make_upstream: MakeUpstream, kind: str) -> None:
    fake = await FakeInfluxDB3().start()
    await fake.stop()
    upstream = make_upstream(kind, fake.url, secret="s", timeout_seconds=TIMEOUT)
    with pytest.raises(UpstreamFailure) as caught:
        await upstream.ping()
    assert caught.value.kind is FailureKind.REFUSED


async def test_the_connect_timeout_bounds_a_connect_that_hangs(
        make_upstream: MakeUpstream) -> None:
    with unaccepting_port() as port:
        upstream = make_upstream("influxdb2", f"http://127.0.0.1:{port}", secret="s",
                                 connect_timeout_seconds=TIMEOUT, timeout_seconds=60)
        started = time.monotonic()
        with pytest.raises(UpstreamFailure) as caught:
            await upstream.ping()
    assert time.monotonic() - started < TIMEOUT + MARGIN  # the connect bound, not the total
    assert caught.value.kind is FailureKind.TIMEOUT


async def test_the_total_timeout_bounds_a_slow_answer(make_upstream: MakeUpstream,
                                                      fake_v2: FakeInfluxDB2) -> None:
    fake_v2.slow(30)
    upstream = make_upstream("influxdb2", fake_v2.url, secret=fake_v2.token,
                             timeout_seconds=TIMEOUT)
    started = time.monotonic()
    with pytest.raises(UpstreamFailure) as caught:
        await upstream.ping()
    assert time.monotonic() - started < TIMEOUT + MARGIN
    assert caught.value.kind is FailureKind.TIMEOUT


async def test_connections_are_kept_alive_and_bounded(make_upstream: MakeUpstream,
                                                      fake_v2: FakeInfluxDB2) -> None:
    upstream = make_upstream("influxdb2", fake_v2.url, secret=fake_v2.token,
                             max_connections=2)
    for _ in range(3):
        assert (await upstream.ping()).status == 200
    assert len({r.peer for r in fake_v2.received}) == 1  # one connection, reused
    fake_v2.slow(0.2)
    replies = await asyncio.gather(*(upstream.ping() for _ in range(6)))
    assert [r.status for r in replies] == [200] * 6
    assert len(fake_v2.received) == 9
    assert len({r.peer for r in fake_v2.received}) == 2  # never more than max_connections


@pytest.mark.parametrize("kind", KINDS)
async def test_answers_are_asked_for_uncompressed(make_upstream: MakeUpstream,
                                                  fake_v2: FakeInfluxDB2, kind: str) -> None:
    login = {"username": "someone"} if kind == "influxdb1" else {}  # 1.x signs in with Basic
    upstream = make_upstream(kind, fake_v2.url, secret=fake_v2.token, **login)
    reply = await upstream.influxql(InfluxQLCall("SHOW MEASUREMENTS", database="telegraf"))
    assert reply.status == 200
    await upstream.ping()
    assert [r.headers.get("accept-encoding") for r in fake_v2.received] == ["identity"] * 2


def test_reply_headers_are_lower_case_and_describe_the_decoded_body() -> None:
    headers = CIMultiDict([("Content-Type", "application/json"), ("X-Influxdb-Version", "1"),
                           ("Vary", "Accept"), ("vary", "Origin"), ("Content-Encoding", "gzip"),
                           ("Content-Length", "20"), ("Retry-After", "3")])
    assert reply_headers(headers) == {"content-type": "application/json",
                                      "x-influxdb-version": "1", "vary": "Accept, Origin",
                                      "retry-after": "3"}


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        unavailable("the openssl CLI is needed to make a self-signed certificate")
    return self_signed_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture
async def tls_fake(certificate: tuple[Path, Path]) -> AsyncIterator[FakeInfluxDB3]:
    async with FakeInfluxDB3(ssl_context=server_tls(*certificate)) as fake:
        yield fake


async def test_tls_verified_with_the_configured_ca(make_upstream: MakeUpstream,
                                                   tls_fake: FakeInfluxDB3,
                                                   certificate: tuple[Path, Path]) -> None:
    upstream = make_upstream("influxdb3", tls_fake.url, secret=tls_fake.token,
                             ca_file=str(certificate[0]))
    reply = await upstream.ping()
    assert (reply.status, reply.body) == (200, b"OK")


async def test_tls_refused_without_the_ca(make_upstream: MakeUpstream,
                                          tls_fake: FakeInfluxDB3) -> None:
    upstream = make_upstream("influxdb3", tls_fake.url, secret=tls_fake.token)
    with pytest.raises(UpstreamFailure) as caught:
        await upstream.ping()
    assert caught.value.kind is FailureKind.REFUSED
    assert "certificate" in caught.value.detail.lower()
    assert tls_fake.received == []  # no request got through the handshake


async def test_tls_accepted_when_verification_is_off(make_upstream: MakeUpstream,
                                                     tls_fake: FakeInfluxDB3) -> None:
    upstream = make_upstream("influxdb3", tls_fake.url, secret=tls_fake.token,
                             insecure_skip_verify=True)
    assert (await upstream.ping()).status == 200


async def test_cookies_an_upstream_sets_are_never_sent_back(make_upstream: MakeUpstream) -> None:
    """One session serves every caller of an upstream (with passthrough, each with its own
    credentials): a cookie one answer sets must not ride along on another caller's request."""
    seen: list[str | None] = []

    async def ping(request: web.Request) -> web.Response:
        seen.append(request.headers.get("Cookie"))
        answer = web.Response(status=204)
        answer.set_cookie("session", "first-callers")
        return answer

    app = web.Application()
    app.router.add_get("/ping", ping)
    server = TestServer(app, host="localhost")  # a name: aiohttp keeps no cookies of an IP
    await server.start_server()
    try:
        upstream = make_upstream("influxdb1", f"http://localhost:{server.port}")
        for _ in range(2):
            assert (await upstream.ping()).status == 204
    finally:
        await server.close()
    assert seen == [None, None]


@pytest.mark.parametrize("kind", KINDS)
async def test_a_redirect_is_answered_not_followed(make_upstream: MakeUpstream,
                                                   kind: str) -> None:
    """A proxy in front of an upstream may redirect; the gateway talks only to the URL it was
    configured with, so the caller's credentials never go where a Location points."""
    visited: list[str] = []

    async def redirect(request: web.Request) -> web.Response:
        visited.append(request.path)
        raise web.HTTPTemporaryRedirect("/elsewhere?u=admin&p=hunter2")

    async def elsewhere(request: web.Request) -> web.Response:
        visited.append(request.path)
        return web.Response(status=204)

    app = web.Application()
    app.router.add_route("*", "/elsewhere", elsewhere)
    app.router.add_route("*", "/{tail:(?!elsewhere).*}", redirect)
    server = TestServer(app)
    await server.start_server()
    try:
        upstream = make_upstream(kind, f"http://127.0.0.1:{server.port}", secret="s")
        reply = await upstream.ping()
    finally:
        await server.close()
    assert reply.status == 307
    assert visited and "/elsewhere" not in visited
