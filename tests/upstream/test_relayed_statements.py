"""Several statements on a route to a real InfluxDB 1.6.7, under the query timeout (the
default 300 s): the gateway asks 1.x for the caller's request chunked, so the statements that
finish before a timeout are kept, and answers JSON callers with 1.x's own bytes (the chunked
lines, or spliced into the unchunked answer: `unchunk_v1_json`). Each answer here must be
byte for byte what 1.6.7 answers the same request itself.
"""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest

from tests.support.gateway_process import GatewayProcess, gateway_process
from tests.support.influxd import Influxd, InfluxdMissing, influxd
from translators.influxql.v1_json_chunks import finished_v1_json, unchunk_v1_json

pytestmark = pytest.mark.slow

BIG = 12_000  # points of one series: past 1.x's 10,000-point chunks


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Influxd, GatewayProcess]]:
    base = tmp_path_factory.mktemp("relayed")
    try:
        server = influxd(base / "influxd").start()
    except InfluxdMissing as exc:
        pytest.skip(str(exc))
    _send(server.url, "/query", urllib.parse.urlencode({"q": "CREATE DATABASE db"}).encode())
    lines = [f"cpu,host=h{h} v={i * 1.5 + h},n={i}i {1_700_000_000 + 10 * i}"
             for h in range(3) for i in range(40)]
    lines += ['odd,tag=a\\ b\\,c s="q\\"<&>\u00e9 \\\\",v=2.0 1700000000',
              *(f"big v={i % 97} {1_600_000_000 + i}" for i in range(BIG))]
    _send(server.url, "/write?db=db&precision=s", "\n".join(lines).encode())
    config = base / "route.toml"
    config.write_text("\n".join([
        "[[upstreams]]", 'name = "a"', 'type = "influxdb1"', f'url = "{server.url}"',
        "[[routes]]", 'database = "*"', 'mode = "single"', 'targets = ["a"]']) + "\n")
    gateway = gateway_process(base / "gw", config).start()
    yield server, gateway
    gateway.stop()
    server.stop()


def _send(url: str, path: str, data: bytes | None = None) -> tuple[int, str, bytes]:
    request = urllib.request.Request(url + path, data=data)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers["Content-Type"], exc.read()


STATEMENTS = [
    pytest.param(["SELECT v FROM cpu GROUP BY host", "SELECT mean(v) FROM cpu "
                  "WHERE time >= 1700000000s AND time < 1700000400s GROUP BY time(1m), host"],
                 id="series of several results a statement"),
    pytest.param(["SELECT last(v) FROM cpu WHERE host = 'h1'", "SELECT max(n) FROM cpu",
                  "SELECT * FROM odd", "SELECT count(v) FROM cpu GROUP BY host"],
                 id="Grafana-like small answers, escapes, an integral float"),
    pytest.param(["SELECT v FROM cpu LIMIT 2", "SHOW TAG VALUES WITH KEY = host",
                  "SHOW SERIES", "SHOW FIELD KEYS", "SHOW MEASUREMENTS"], id="SHOW"),
    pytest.param(["SELECT v FROM cpu WHERE host = 'h0'", "SELECT nosuch(v) FROM cpu",
                  "SELECT v FROM cpu"], id="a statement failing, the next not executed"),
    pytest.param(["SELECT v FROM cpu WHERE host = 'none'", "SELECT v FROM nosuch",
                  "SELECT count(v) FROM cpu"], id="empty results"),
    pytest.param(["SELECT count(v) FROM cpu", "SELECT v FROM big"],
                 id="a series past 10,000 points (decoded)"),
    pytest.param(["SELECT count(v) FROM cpu", "SELECT v FROM big LIMIT 10000"],
                 id="a series of 10,000 points"),
]

PARAMS = [
    pytest.param({}, id="RFC3339"),
    pytest.param({"epoch": "ms"}, id="epoch=ms"),
    pytest.param({"epoch": "ns"}, id="epoch=ns"),
    pytest.param({"chunked": "true"}, id="chunked"),
    pytest.param({"chunked": "true", "chunk_size": "7", "epoch": "s"}, id="chunk_size=7"),
]


@pytest.mark.parametrize("params", PARAMS)
@pytest.mark.parametrize("statements", STATEMENTS)
def test_several_statements_answer_what_1x_answers(servers, statements: list[str],
                                                   params: dict[str, str]) -> None:
    server, gateway = servers
    query = urllib.parse.urlencode({"db": "db", "q": ";".join(statements), **params})
    direct = _send(server.url, f"/query?{query}")
    assert direct[0] == 200 and b'"statement_id":1' in direct[2]
    assert _send(gateway.url, f"/query?{query}") == direct


@pytest.mark.parametrize("statements", STATEMENTS)
def test_a_chunked_answer_is_spliced_into_1x_unchunked_one(servers,
                                                           statements: list[str]) -> None:
    # the splice itself, on 1.6.7's own answers: its unchunked answer, or None where it
    # declines (a series continued across chunks: there the answer is decoded)
    server, _ = servers
    for params in ({}, {"epoch": "ms"}):
        query = {"db": "db", "q": ";".join(statements), **params}
        whole = _send(server.url, "/query?" + urllib.parse.urlencode(query))[2]
        chunked = _send(server.url, "/query?" + urllib.parse.urlencode(
            {**query, "chunked": "true"}))[2]
        spliced = unchunk_v1_json(chunked)
        if "big" in query["q"] and "LIMIT" not in query["q"]:
            assert spliced is None
        else:
            assert spliced == whole


def test_a_cut_answer_keeps_the_lines_of_finished_statements(servers) -> None:
    server, _ = servers
    query = urllib.parse.urlencode({"db": "db", "chunked": "true", "chunk_size": "7",
                                    "q": "SELECT count(v) FROM cpu; SELECT v FROM cpu"})
    body = _send(server.url, f"/query?{query}")[2]
    first = body.index(b"\n") + 1
    assert [r.statement_id for r in finished_v1_json(body[:first])] == [0]
    for cut in range(first, len(body) - 1, 97):  # inside the second statement's rows
        assert [r.statement_id for r in finished_v1_json(body[:cut])] == [0]
    assert [r.statement_id for r in finished_v1_json(body)] == [0, 1]
    assert finished_v1_json(body[:first - 1]) == []
