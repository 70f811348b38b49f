"""Generated HTTP requests to every route of a real gateway (`python -m gateway serve`), mostly
malformed: never a 5xx of the gateway's own (an upstream's, relayed, is its answer), an error
body in the caller's generation's shape, no traceback in the log, and the process still
answers /ping after each one. Run with --hypothesis-show-statistics to see which routes
answered what.

Three gateways: the native store without authentication, the same with an admin token, and
one whose routes send some databases to a real InfluxDB 1.6.7 (single and mirrored).
HTTP_FUZZ_EXAMPLES sets the examples per gateway (default 300) for longer runs. Each gateway
answers at most `MAX_ROWS` rows, so that no request (GROUP BY time(1m) over the far-apart
points the fuzzer writes) costs seconds.
"""

from __future__ import annotations

import http.client
import json
import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, event, given, settings

from tests.support.gateway_process import GatewayProcess, gateway_process
from tests.support.http_requests import requests
from tests.support.influxd import Influxd
from tests.support.raw_http import Answer, RawRequest, error_shape_problem, ping, send

EXAMPLES = int(os.environ.get("HTTP_FUZZ_EXAMPLES", "300"))
TOKEN = "fuzz-admin-token"
SEED = b"cpu,h=a v=1.5 1700000000000000000\ncpu,h=b v=2.5 1700000060000000000\n"
MAX_ROWS = 20_000
LIMITS = f"[query]\nmax_rows = {MAX_ROWS}\n"
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
        path = tmp / "gateway.toml"
        path.write_text(LIMITS + config)
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


def from_upstream(gateway: Gateway, answer: Answer, logged: str) -> bool:
    """Whether a 5xx on a gateway with routes is its upstream's doing: the upstream's own 5xx,
    relayed (1.6.7 answers 500 to an unknown retention policy on /write, and to the first
    write of a measurement name that is not UTF-8), or the gateway's documented 502/503/504
    for an upstream that did not answer in time (1.6.7 grinds through GROUP BY time(1m) over
    the far-apart points the fuzzer writes). The middleware logs every 500 of the gateway's
    own at ERROR; these it does not."""
    if gateway.upstream is None or " ERROR " in logged:
        return False
    event(f"{answer.status} from the upstream: {answer.body[:100]!r}")
    return True


def check(gateway: Gateway, request: RawRequest) -> None:
    start = gateway.log.stat().st_size
    answer: Answer | None = None
    try:
        answer = send(gateway.port, request)
    except (http.client.HTTPException, OSError) as exc:
        failure: str | None = f"no complete answer: {exc!r}"
    else:
        failure = None
    with gateway.log.open("rb") as handle:  # the middleware logs before it answers
        handle.seek(start)
        logged = handle.read().decode(errors="replace")
    if answer is not None:
        event(f"{request.method} {request.path[:40]} {answer.status}")
        if answer.status >= 500 and not from_upstream(gateway, answer, logged):
            failure = f"answered {answer.status}"
        elif answer.status >= 400:  # an upstream's 5xx too, re-worded for other generations
            problem = error_shape_problem(request, answer)
            failure = f"{answer.status} {problem}" if problem else None
    if failure is None and "Traceback" in logged:
        failure = "a traceback in the log"
    if not gateway.alive():
        failure = "the gateway exited"
    elif failure is None and ping(gateway.port) != 204:
        failure = "/ping does not answer 204 afterwards"
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


def test_an_answer_over_the_row_limit_is_a_v3_error(native: Gateway) -> None:
    """What the limit turns the fuzzer's slowest request into: a quick 4xx in v3's shape."""
    far = b"far v=1 1700000000000000000\nfar v=2 1700086400000000000\n"  # a day: 1,441 rows
    assert send(native.port, RawRequest("POST", "/write?db=fz", (), far)).status == 204
    statement = "SELECT mean(v) FROM far WHERE time >= '2023-11-14T22:13:20Z' AND time < {} " \
                "GROUP BY time({})"
    fits = statement.format("'2023-11-15T22:13:21Z'", "1m")
    over = statement.format("'2023-12-14T22:13:21Z'", "1m")  # 30 days: 43,201 rows
    answers = [send(native.port, RawRequest(
        "GET", "/api/v3/query_influxql?" + urlencode({"db": "fz", "q": q, "format": "jsonl"}),
        (), b"")) for q in (fits, over)]
    assert answers[0].status == 200, answers[0]
    assert len(answers[0].body.splitlines()) == 1_441
    assert 400 <= answers[1].status < 500, answers[1]
    request = RawRequest("GET", "/api/v3/query_influxql", (), b"")
    assert error_shape_problem(request, answers[1]) is None, answers[1]
    assert str(MAX_ROWS) in json.loads(answers[1].body)["error"], answers[1]
