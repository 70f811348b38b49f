"""Generated HTTP requests to every route of a real gateway (`python -m gateway serve`), mostly
malformed: never a 5xx of the gateway's own (an upstream's, relayed, is its answer), an error
body in the caller's generation's shape, no traceback in the log, and the process still
answers /ping after each one. Run with --hypothesis-show-statistics to see which routes
answered what.

Three gateways: the native store without authentication, the same with an admin token, and
one whose routes send some databases to a real InfluxDB 1.6.7 (single and mirrored).
HTTP_FUZZ_EXAMPLES sets the examples per gateway (default 300) for longer runs.
"""

from __future__ import annotations

import dataclasses
import http.client
import itertools
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings

from tests.support.gateway_process import GatewayProcess, gateway_process
from tests.support.http_requests import requests
from tests.support.influxd import Influxd
from tests.support.raw_http import Answer, RawRequest, error_shape_problem, ping, send

EXAMPLES = int(os.environ.get("HTTP_FUZZ_EXAMPLES", "300"))
TOKEN = "fuzz-admin-token"
SEED = b"cpu,h=a v=1.5 1700000000000000000\ncpu,h=b v=2.5 1700000060000000000\n"
FUZZ = settings(max_examples=EXAMPLES, deadline=None, print_blob=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _seed(gateway: Gateway, database: str, token: str | None = None) -> None:
    headers = (("Authorization", f"Token {token}".encode()),) if token else ()
    answer = send(gateway.port, RawRequest("POST", f"/write?db={database}", headers, SEED))
    assert answer.status == 204, answer


class Gateway:
    """A started gateway process that prints short in Hypothesis's reports."""

    upstream: int | None = None  # the port of the InfluxDB its routes reach

    def __init__(self, tmp: Path, config: str = "", **env: str) -> None:
        path = None
        if config:
            path = tmp / "gateway.toml"
            path.write_text(config)
        self.server: GatewayProcess = gateway_process(tmp / "data", path, **env).start()
        self.port = self.server.port
        self.log = tmp / f"gateway-{self.port}.log"

    def alive(self) -> bool:
        return self.server.process is not None and self.server.process.poll() is None

    def stop(self) -> None:
        self.server.stop()

    def __repr__(self) -> str:
        return f"<gateway on port {self.port}>"


@pytest.fixture(scope="module")
def native(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    gateway = Gateway(tmp_path_factory.mktemp("fuzz-native"))
    _seed(gateway, "fz")
    yield gateway
    gateway.stop()


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    gateway = Gateway(tmp_path_factory.mktemp("fuzz-token"),
                     '[auth]\nadmin_token_env = "FUZZ_ADMIN_TOKEN"\n', FUZZ_ADMIN_TOKEN=TOKEN)
    _seed(gateway, "fz", TOKEN)
    yield gateway
    gateway.stop()


@pytest.fixture(scope="module")
def routed(tmp_path_factory: pytest.TempPathFactory,
           influxdb1: Influxd) -> Iterator[Gateway]:
    config = "\n".join([
        "[[upstreams]]", 'name = "old"', 'type = "influxdb1"', f'url = "{influxdb1.url}"',
        "timeout_seconds = 2.0",  # 1.6.7 grinds through GROUP BY time(1m) over all time
        "[[routes]]", 'database = "up*"', 'mode = "single"', 'targets = ["old"]',
        "[[routes]]", 'database = "mir*"', 'mode = "mirror"', 'targets = ["old", "native"]',
    ]) + "\n"
    gateway = Gateway(tmp_path_factory.mktemp("fuzz-routed"), config)
    gateway.upstream = influxdb1.port
    for database in ("up_fz", "mir_fz"):
        answer = send(gateway.port, RawRequest(
            "POST", "/query", (("Content-Type", b"application/x-www-form-urlencoded"),),
            f"q=CREATE+DATABASE+{database}".encode()))
        assert answer.status == 200, answer
        _seed(gateway, database)
    yield gateway
    gateway.stop()


FRESH = itertools.count()


def _message(answer: Answer) -> object:
    """An error answer's message (1.x indents it under pretty=true, which the gateway does
    not forward with a write)."""
    try:
        return json.loads(answer.body).get("error")
    except (ValueError, AttributeError):
        return answer.body
# How the gateway words an upstream that did not answer usably (its documented 502/503/504).
UPSTREAM_FAILURES = {502: b"answered something unusable", 503: b"is unavailable",
                     504: b"did not answer in time"}


def upstream_failed(gateway: Gateway, answer: Answer) -> bool:
    """A 502/503/504 naming the upstream: 1.6.7 can take longer than the route's timeout
    over points the fuzzer wrote far apart (GROUP BY time(1m) over all time)."""
    words = UPSTREAM_FAILURES.get(answer.status)
    if gateway.upstream is None or words is None or words not in answer.body:
        return False
    event(f"{answer.status} from an upstream failure")
    return True


def relayed(gateway: Gateway, request: RawRequest, answer: Answer) -> bool:
    """Whether a 5xx is the upstream's own, relayed: the same request sent to the upstream
    directly, into a database of its own, gets the same answer. (1.6.7 answers 500 to the
    first write of a measurement name that is not UTF-8, and 400 to the next.)"""
    if gateway.upstream is None:
        return False
    database = f"relay_check_{next(FRESH)}"
    send(gateway.upstream, RawRequest(
        "POST", "/query", (("Content-Type", b"application/x-www-form-urlencoded"),),
        f"q=CREATE+DATABASE+{database}".encode()))
    # The gateway keeps the caller's credentials (1.6.7 refuses malformed ones even with
    # authentication off) and ignores `consistency`, 1.x's clustering option.
    path, _, query = request.target.partition("?")
    kept = [f"db={database}" if pair.split("=")[0] == "db" else pair
            for pair in query.split("&") if pair.split("=")[0] not in ("consistency", "u", "p")]
    direct = send(gateway.upstream, dataclasses.replace(
        request, target=f"{path}?{'&'.join(kept)}",
        headers=tuple(h for h in request.headers if h[0] != "Authorization")))
    if (direct.status, _message(direct)) != (answer.status, _message(answer)):
        return False
    event(f"{request.method} {request.path[:40]} {answer.status}, relayed from upstream")
    return True


def check(gateway: Gateway, request: RawRequest) -> None:
    log = gateway.log
    start = log.stat().st_size
    try:
        answer = send(gateway.port, request)
    except (http.client.HTTPException, OSError) as exc:
        answer = None
        failure: str | None = f"no complete answer: {exc!r}"
    else:
        failure = None
        event(f"{request.method} {request.path[:40]} {answer.status}")
        if (answer.status >= 500 and not upstream_failed(gateway, answer)
                and not relayed(gateway, request, answer)):
            failure = f"answered {answer.status}"
        elif answer.status >= 400:
            problem = error_shape_problem(request, answer)
            failure = f"{answer.status} {problem}" if problem else None
    if not gateway.alive():
        failure = "the gateway exited"
    elif failure is None and ping(gateway.port) != 204:
        failure = "/ping does not answer 204 afterwards"
    with log.open("rb") as handle:
        handle.seek(start)
        logged = handle.read().decode(errors="replace")
    if failure is None and "Traceback" in logged:
        failure = "a traceback in the log"
    assert failure is None, f"{failure}\n{request}\n{answer}\n{logged[-3000:]}"


@FUZZ
@given(request=requests(databases=("fz", "nope")))
def test_native_store_never_500(native: Gateway, request: RawRequest) -> None:
    check(native, request)


@FUZZ
@given(request=requests(token=TOKEN, databases=("fz", "nope")))
def test_with_an_admin_token_never_500(guarded: Gateway, request: RawRequest) -> None:
    check(guarded, request)


@FUZZ
@given(request=requests(databases=("up_fz", "mir_fz", "up_none", "fz")))
def test_routes_to_influxdb1_never_500(routed: Gateway, request: RawRequest) -> None:
    check(routed, request)
