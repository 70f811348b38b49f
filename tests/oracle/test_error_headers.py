"""X-Influxdb-Error on v1 answers, against a real InfluxDB 1.6.7: which answers carry it, and
what it holds (the error text, newlines flattened, cut at 1,024 bytes)."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

import pytest

from tests.oracle import lpexplain
from tests.oracle.lpgen import Batch
from tests.support.gateway_process import GatewayProcess
from tests.support.influxd import Influxd

pytestmark = pytest.mark.slow
DATABASE = "headers"
MANY_BAD_LINES = "\n".join(f"cpu v=bad{i}" for i in range(200)).encode()


@pytest.fixture(scope="module")
def servers(influxdb1: Influxd, gateway: GatewayProcess) -> tuple[str, str]:
    for base in (influxdb1.url, gateway.url):
        assert send(base, "POST", "/query", {"q": f"CREATE DATABASE {DATABASE}"})[0] == 200
    return influxdb1.url, gateway.url


def send(base: str, method: str, path: str, params: dict[str, str], body: bytes | None = None,
         headers: dict[str, str] | None = None) -> tuple[int, str | None, bytes]:
    url = f"{base}{path}?{urllib.parse.urlencode(params)}"
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers.get("X-Influxdb-Error"), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("X-Influxdb-Error"), exc.read()


CASES = [
    pytest.param("GET", "/query", {}, None, {}, id="query-without-q"),
    pytest.param("POST", "/query", {}, None, {}, id="post-query-without-q"),
    pytest.param("GET", "/query", {"q": "SELEC"}, None, {}, id="query-parse-error"),
    pytest.param("GET", "/query", {"q": "SELEC"}, None, {"Accept": "application/csv"},
                 id="query-parse-error-csv"),
    pytest.param("GET", "/query", {"q": "SELECT " + "a" * 2000 + " FROM"}, None, {},
                 id="query-long-parse-error"),
    pytest.param("GET", "/query", {"q": "SELECT * FROM cpu"}, None, {},
                 id="statement-error-is-a-200-without-it"),
    pytest.param("GET", "/query", {"q": "SHOW DATABASES"}, None, {}, id="success"),
    pytest.param("POST", "/write", {}, b"m v=1", {}, id="write-without-db"),
    pytest.param("POST", "/write", {"db": DATABASE}, b"m v=", {}, id="write-parse-error"),
    pytest.param("POST", "/write", {"db": DATABASE}, MANY_BAD_LINES, {},
                 id="write-long-error-is-cut"),
    pytest.param("POST", "/write", {"db": DATABASE}, b"m v=1 1", {}, id="write-success"),
    # Go's net/http flattens CR and LF only, and trims blanks and tabs at the ends
    pytest.param("POST", "/write", {"db": DATABASE}, b"m v=\tx\nm\tv=1\n\tm v=x\t", {},
                 id="write-tabs-are-kept"),
    pytest.param("POST", "/write", {"db": DATABASE}, "m v=ü<".encode(), {},
                 id="write-non-ascii"),
]


@pytest.mark.parametrize(("method", "path", "params", "body", "headers"), CASES)
def test_same_error_header_as_influxdb(servers: tuple[str, str], method: str, path: str,
                                       params: dict[str, str], body: bytes | None,
                                       headers: dict[str, str]) -> None:
    influx, ours = (send(base, method, path, params, body, headers) for base in servers)
    assert ours[:2] == influx[:2]
    if ours[1] is not None and ours[2].startswith(b"{"):  # the header holds the body's text
        message = json.loads(ours[2])["error"].replace("\n", " ")
        header = ours[1].encode("latin-1").decode()  # http.client reads headers as latin-1
        assert message.encode()[:1024].decode().strip() == header


def test_bad_query_parameters_carry_it(servers: tuple[str, str]) -> None:
    """The JSON parsers' words differ (Go's and Python's); the header is there on both."""
    influx, ours = (send(base, "GET", "/query", {"q": "SHOW DATABASES", "params": "x"})
                    for base in servers)
    assert influx[0] == ours[0] == 400
    for _, header, body in (influx, ours):
        assert header == json.loads(body)["error"]
        assert header.startswith("error parsing query parameters: ")


def test_a_long_header_is_cut_before_a_character(servers: tuple[str, str]) -> None:
    """Deviation (README): 1.6.7 cuts the message at 1,024 bytes even inside a UTF-8
    character, which aiohttp cannot send; the gateway stops before that character."""
    body = ("m v=" + "x" * 1002 + "ü").encode()  # the 1,024th byte is ü's first
    influx, ours = (send(base, "POST", "/write", {"db": DATABASE}, body) for base in servers)
    assert influx[0] == ours[0] == 400
    assert influx[2] == ours[2]  # the body holds the whole message on both
    theirs, mine = (header.encode("latin-1") for header in (influx[1], ours[1]))
    assert len(theirs) == 1024 and theirs[-1:] == "ü".encode()[:1]
    assert mine == theirs[:-1]
    answers = [[(status, header, text.decode()), ([], None)] for status, header, text in
               (influx, ours)]
    assert lpexplain.explain([Batch(body, "")], *answers) == lpexplain.HEADER_CUT
