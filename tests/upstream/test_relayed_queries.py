"""InfluxQL on a route that sends a whole database to one upstream is relayed unparsed, over
real HTTP: the answers are a real InfluxDB 1.6.7's own, byte for byte, and the gateway's parser
is not run; statements that name another database, or that 2.x needs rewritten, are still
parsed and routed as before."""

from __future__ import annotations

import dataclasses
import json
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import msgpack
import pytest
from aiohttp.test_utils import TestClient

from gateway.app import create_app
from gateway.config import RouteConfig, UpstreamConfig
from gateway.services import upstream_query
from tests.conftest import GatewayTestServer, make_config
from tests.support.fake_upstreams import FakeInfluxDB2, FakeInfluxDB3
from tests.support.influxd import Influxd

UPSTREAM_LINES = b"m,h=a v=1.5 1000000000\nm,h=b v=2.5 2000000000\nn,h=a w=3i 3000000000"
NATIVE_LINES = b"m,h=z v=10 1000000000"


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The texts the routing layer parsed."""
    texts: list[str] = []
    original = upstream_query.parse_request

    async def counting(text: str, params: object) -> object:
        texts.append(text)
        return await original(text, params)  # type: ignore[arg-type]

    monkeypatch.setattr(upstream_query, "parse_request", counting)
    return texts


async def gateway(aiohttp_client: Callable, tmp_path: Path, upstream: UpstreamConfig,
                  databases: str = "rq_*") -> TestClient:
    config = dataclasses.replace(
        make_config(tmp_path / "data"), upstreams=(upstream,),
        routes=(RouteConfig(database=databases, mode="single", targets=(upstream.name,)),))
    return await aiohttp_client(GatewayTestServer(create_app(config)))


@pytest.fixture
async def client(aiohttp_client: Callable, tmp_path: Path, influxdb1: Influxd) -> TestClient:
    gateway_client = await gateway(aiohttp_client, tmp_path, UpstreamConfig(
        name="one", type="influxdb1", url=influxdb1.url))
    for database, body in (("rq_a", UPSTREAM_LINES), ("local", NATIVE_LINES)):
        answer = await gateway_client.post("/query", data={"q": f"CREATE DATABASE {database}"})
        assert answer.status == 200, await answer.text()
        answer = await gateway_client.post("/write", params={"db": database}, data=body)
        assert answer.status == 204, await answer.text()
    return gateway_client


async def ask(client: TestClient, url: str, text: str, headers: dict[str, str] | None = None,
              **params: str) -> tuple[int, str, bytes]:
    async with client.session.get(f"{url}/query", params={"q": text, **params},
                                  headers=headers or {}) as answer:
        return answer.status, answer.headers.get("Content-Type", ""), await answer.read()


RELAYED = [
    pytest.param('SELECT "v" FROM "m" WHERE "v" > 0.5 AND "h" = \'b\'', {}, id="select"),
    pytest.param('SELECT mean("v") FROM "m" WHERE time < 5s GROUP BY time(1s), "h" fill(none)',
                 {}, id="group-by-time"),
    pytest.param('SELECT * FROM "m"', {"epoch": "s", "Accept": "application/csv"},
                 id="csv"),
    pytest.param('SELECT * FROM "m"', {"Accept": "application/x-msgpack"}, id="msgpack"),
    pytest.param('SELECT * FROM "m"', {"chunked": "true", "chunk_size": "1"}, id="chunked"),
    pytest.param("SELECT nonsense FROM", {}, id="syntax-error"),
]


@pytest.mark.parametrize(("text", "options"), RELAYED)
async def test_a_routed_database_is_relayed_unparsed(client: TestClient, influxdb1: Influxd,
                                                     parsed: list[str], text: str,
                                                     options: dict[str, str]) -> None:
    options = dict(options)
    headers = {"Accept": options.pop("Accept")} if "Accept" in options else {}
    via = await ask(client, str(client.make_url("")).rstrip("/"), text, headers, db="rq_a",
                    **options)
    direct = await ask(client, influxdb1.url, text, headers, db="rq_a", **options)
    assert via == direct
    assert parsed == []


SEVERAL = [
    pytest.param('SHOW MEASUREMENTS; SHOW TAG VALUES WITH KEY = "h"', {}, False, id="json"),
    pytest.param('SHOW MEASUREMENTS; SHOW TAG VALUES WITH KEY = "h"', {"chunked": "true"},
                 False, id="chunked"),
    # Grafana's panel: a regex, strings and a comment holding `;`, as the scan steps over
    pytest.param("SELECT mean(v) FROM m WHERE h =~ /^(a|b;c)$/ AND time >= 0s AND time <= 5s "
                 "GROUP BY time(1s) fill(null); SELECT last(v) FROM m WHERE h = 'a;b' "
                 "-- the last; with a semicolon\n; SELECT max(v) FROM m", {"epoch": "ms"},
                 False, id="grafana-panel"),
    pytest.param('SELECT * FROM "m"; SELECT w FROM n', {"Accept": "application/x-msgpack"},
                 True, id="msgpack-re-encoded"),
    pytest.param("SELECT v / 2 FROM m; SELECT w FROM n", {}, True, id="division-unsure"),
]


@pytest.mark.parametrize(("text", "options", "parses"), SEVERAL)
async def test_several_statements_are_answered_as_1x_answers(
        client: TestClient, influxdb1: Influxd, parsed: list[str], text: str,
        options: dict[str, str], parses: bool) -> None:
    """A request of several statements is asked of 1.x chunked and read as it finishes each,
    so that those finished are kept if the query timeout passes (test_upstream_cancel); the
    caller still gets 1.x's answer, byte for byte. A JSON caller's is relayed unparsed, its
    statements counted from a scan of the text; it is parsed where the scan is unsure (a
    `/` that may be division) or the answer is re-encoded (MessagePack)."""
    options = dict(options)
    headers = {"Accept": options.pop("Accept")} if "Accept" in options else {}
    via = await ask(client, str(client.make_url("")).rstrip("/"), text, headers, db="rq_a",
                    **options)
    direct = await ask(client, influxdb1.url, text, headers, db="rq_a", **options)
    assert via == direct
    assert via[0] == 200 and b"error" not in via[2]
    assert parsed == ([text] if parses else [])


async def test_statements_naming_other_databases_are_still_parsed_and_routed(
        client: TestClient, parsed: list[str]) -> None:
    url = str(client.make_url("")).rstrip("/")
    # The request's database is routed upstream, the statement reads the native store's.
    status, _, body = await ask(client, url, 'SELECT "v" FROM "local".."m"', db="rq_a")
    assert status == 200, body
    assert json.loads(body)["results"][0]["series"][0]["values"] == [
        ["1970-01-01T00:00:01Z", 10]]
    status, _, body = await ask(client, url, "SHOW MEASUREMENTS ON rq_a", db="local")
    assert [row[0] for row in json.loads(body)["results"][0]["series"][0]["values"]] == [
        "m", "n"]
    status, _, body = await ask(client, url, "SHOW DATABASES", db="rq_a")
    names = {row[0] for row in json.loads(body)["results"][0]["series"][0]["values"]}
    assert {"rq_a", "local"} <= names
    assert parsed == ['SELECT "v" FROM "local".."m"', "SHOW MEASUREMENTS ON rq_a",
                      "SHOW DATABASES"]


async def test_an_influxdb2_upstream_gets_rewrites_only_where_needed(
        aiohttp_client: Callable, tmp_path: Path, parsed: list[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("V2_TOKEN", "token")
    async with FakeInfluxDB2(token="token") as fake:
        fake.query_answer = (b'{"results":[{"statement_id":0,"series":[{"name":"m",'
                             b'"columns":["time","v"],"values":[[1000000000,1.5]]}]}]}\n')
        client = await gateway(aiohttp_client, tmp_path, UpstreamConfig(
            name="two", type="influxdb2", url=fake.url, token_env="V2_TOKEN", org="o"))
        url = str(client.make_url("")).rstrip("/")
        status, _, body = await ask(client, url, 'SELECT "v" FROM "m"', db="rq_b")
        assert (status, body) == (200, fake.query_answer)  # relayed as received, unparsed
        assert parsed == []
        # 2.x ignores a policy written in the text: the source is rewritten to parameters.
        await ask(client, url, 'SELECT "v" FROM "rq_b"."weekly"."m"', db="rq_b")
        # MessagePack, which 2.x's /query does not speak, is re-encoded from its JSON.
        status, content_type, body = await ask(
            client, url, 'SELECT "v" FROM "m"', {"Accept": "application/x-msgpack"},
            db="rq_b")
        assert (status, content_type) == (200, "application/x-msgpack")
        values = msgpack.unpackb(body)["results"][0]["series"][0]["values"]
        assert [row[1] for row in values] == [1.5]
        assert parsed == ['SELECT "v" FROM "rq_b"."weekly"."m"', 'SELECT "v" FROM "m"']
        sent = [(r.query["q"], r.query.get("db"), r.query.get("rp"))
                for r in fake.requests_to("/query")]
        assert sent == [('SELECT "v" FROM "m"', "rq_b", None),
                        ("SELECT v FROM m", "rq_b", "weekly"),
                        ('SELECT "v" FROM "m"', "rq_b", None)]


async def test_a_catch_all_route_to_influxdb2_parses_requests_without_a_database(
        aiohttp_client: Callable, tmp_path: Path, parsed: list[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("V2_TOKEN", "token")
    async with FakeInfluxDB2(token="token") as fake:
        client = await gateway(aiohttp_client, tmp_path, UpstreamConfig(
            name="two", type="influxdb2", url=fake.url, token_env="V2_TOKEN", org="o"), "*")
        url = str(client.make_url("")).rstrip("/")
        assert (await ask(client, url, "SHOW MEASUREMENTS", db="any"))[0] == 200
        assert parsed == []
        # Without a database the parsed request decides (the native store answers it).
        await ask(client, url, "SHOW MEASUREMENTS")
        assert parsed == ["SHOW MEASUREMENTS"]
        assert [r.query.get("db") for r in fake.requests_to("/query")] == ["any"]


@pytest.mark.parametrize("generation", ["influxdb2", "influxdb3"])
@pytest.mark.parametrize("text", ["SELEC v FROM m", "SELECT v FROM m; SHOUT MEASUREMENTS",
                                  "SELECT v FROM"])
async def test_a_syntax_error_relayed_to_influxdb2_or_3_is_worded_as_1x_words_it(
        aiohttp_client: Callable, tmp_path: Path, influxdb1: Influxd,
        monkeypatch: pytest.MonkeyPatch, generation: str, text: str) -> None:
    monkeypatch.setenv("TOKEN", "token")
    fake = FakeInfluxDB2(token="token") if generation == "influxdb2" else FakeInfluxDB3(
        token="token")
    async with fake:
        client = await gateway(aiohttp_client, tmp_path, UpstreamConfig(
            name="up", type=generation, url=fake.url, token_env="TOKEN", org="o"))
        url = str(client.make_url("")).rstrip("/")
        via = await ask(client, url, text, db="rq_c")
        direct = await ask(client, influxdb1.url, text, db="rq_c")
        assert direct[0] == 400 and json.loads(direct[2])["error"].startswith(
            "error parsing query: ")
        assert via[0] == direct[0]
        assert via[1].startswith("application/json")
        assert json.loads(via[2]) == json.loads(direct[2])
        # A request the gateway parses but the upstream refuses keeps the upstream's words,
        # in 1.x's shape.
        fake.fail(400, times=1)
        status, content_type, body = await ask(client, url, "SELECT v FROM m", db="rq_c")
        assert (status, content_type) == (400, "application/json")
        assert list(json.loads(body)) == ["error"] and json.loads(body)["error"]


async def test_an_upstream_error_header_with_control_characters_is_relayed_cleaned(
        client: TestClient) -> None:
    """1.6.7 names a line holding \\x01 in X-Influxdb-Error as it is; HTTP forbids that byte
    in a header, so the relayed header has a space where the gateway's own would (was a
    connection closed without an answer: aiohttp refuses to write the header)."""
    answer = await client.post("/write", params={"db": "rq_a"}, data=b"\x01")
    assert answer.status == 400
    assert answer.headers["X-Influxdb-Error"] == "unable to parse ' ': missing fields"
    assert await answer.json() == {"error": "unable to parse '\x01': missing fields"}


@pytest.mark.parametrize("body", [b"m v=1\x00x", b"m v=1 1\nm v=\x00 2\nm v=3 3"],
                         ids=["unable-to-parse", "partial-write"])
async def test_an_upstream_error_header_with_a_nul_is_still_the_upstreams_400(
        client: TestClient, influxdb1: Influxd, body: bytes) -> None:
    """1.6.7 names a line holding a NUL in X-Influxdb-Error as it is; aiohttp's client refuses
    that header in every mode, and the rest of the answer with it (was a 502). The header's
    words say it was 1.x's 400 for lines it could not parse: the caller gets that 400, the
    NUL a space in the header as other control characters, the body 1.6.7's own."""
    assert (await client.post("/query", data={"q": "CREATE DATABASE rq_nul"})).status == 200
    request = urllib.request.Request(f"{influxdb1.url}/write?db=rq_nul", data=body,
                                     method="POST")
    with pytest.raises(urllib.error.HTTPError) as direct:  # http.client reads such a header
        urllib.request.urlopen(request, timeout=10)
    assert direct.value.code == 400
    header = direct.value.headers["X-Influxdb-Error"]
    assert "\x00" in header
    answer = await client.post("/write", params={"db": "rq_nul"}, data=body)
    assert answer.status == 400, await answer.text()
    assert answer.headers["X-Influxdb-Error"] == header.replace("\x00", " ")
    assert answer.headers["Content-Type"] == "application/json"
    assert await answer.read() == direct.value.read()
