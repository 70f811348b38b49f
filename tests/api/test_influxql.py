"""InfluxQL over HTTP: /query parameters and formats, /api/v3/query_influxql, bounded answers.

Answer-for-answer equality with InfluxDB 1.6.7 is the oracle suite's job (tests/oracle/
influxql); these pin the HTTP surface and the gateway's own limits.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import msgpack
import pyarrow as pa
from aiohttp.test_utils import TestClient

from gateway.api.v1 import INLINE_CELLS, _cost
from translators.influxql.results import Series, StatementResult

LINES = b"\n".join(
    f"cpu,host=h{i % 2} v={i}.5,n={i}i {1_704_067_200 + 60 * i}000000000".encode()
    for i in range(10)) + b"\n"


async def loaded(client: TestClient) -> TestClient:
    response = await client.post("/write?db=db", data=LINES)
    assert response.status == 204
    return client


async def test_query_json_epoch_and_pretty(client: TestClient) -> None:
    await loaded(client)
    response = await client.get("/query", params={
        "db": "db", "q": "SELECT v FROM cpu WHERE host = 'h1' LIMIT 2", "epoch": "s"})
    assert response.status == 200
    assert response.headers["Content-Type"] == "application/json"
    assert await response.json() == {"results": [{"statement_id": 0, "series": [
        {"name": "cpu", "columns": ["time", "v"],
         "values": [[1_704_067_260, 1.5], [1_704_067_380, 3.5]]}]}]}
    pretty = await client.get("/query", params={
        "db": "db", "q": "SELECT count(v) FROM cpu", "pretty": "true"})
    text = await pretty.text()
    assert text.startswith("{\n") and json.loads(text)["results"][0]["series"][0][
        "values"] == [["1970-01-01T00:00:00Z", 10]]


async def test_query_answer_gzipped_for_clients_that_accept_it(client: TestClient) -> None:
    """As 1.x: Go's client (Grafana's) accepts gzip; a 4xx answer stays plain."""
    await loaded(client)
    asked = {"db": "db", "q": "SELECT count(v) FROM cpu"}
    gzipped = await client.get("/query", params=asked, headers={"Accept-Encoding": "gzip"})
    assert gzipped.headers["Content-Encoding"] == "gzip"
    assert gzipped.headers["Content-Type"] == "application/json"
    assert (await gzipped.json())["results"][0]["series"][0]["values"] == [
        ["1970-01-01T00:00:00Z", 10]]
    chunked = await client.get("/query", params={**asked, "chunked": "true"},
                               headers={"Accept-Encoding": "gzip"})
    assert chunked.headers["Content-Encoding"] == "gzip"
    assert json.loads(await chunked.text())["results"][0]["series"][0]["values"][0][1] == 10
    plain = await client.get("/query", params=asked, headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers
    assert (await plain.json())["results"][0]["series"][0]["values"][0][1] == 10
    bad = await client.get("/query", params={"db": "db", "q": "SELECT"},
                           headers={"Accept-Encoding": "gzip"})
    assert bad.status == 400 and "Content-Encoding" not in bad.headers
    assert (await bad.json())["error"].startswith("error parsing query")


async def test_gzip_is_isal_and_a_big_answer_inflates_intact(client: TestClient) -> None:
    """aiohttp deflates with ISA-L once the app is made (zlib took 51 ms for a 1.9 MB
    answer, ISA-L 4 ms); what a gzip client reads back is the answer, byte for byte."""
    from aiohttp.compression_utils import ZLibBackend
    from isal import isal_zlib
    assert ZLibBackend._zlib_backend is isal_zlib
    lines = "\n".join(f"big,host=h{i % 50} v={i * 0.37},w=\"{'x' * (i % 17)}\" {i}"
                      for i in range(20_000))
    assert (await client.post("/write", params={"db": "db"}, data=lines)).status == 204
    asked = {"db": "db", "q": "SELECT * FROM big GROUP BY host"}
    plain = await client.get("/query", params=asked, headers={"Accept-Encoding": "identity"})
    gzipped = await client.get("/query", params=asked, headers={"Accept-Encoding": "gzip"})
    assert gzipped.headers["Content-Encoding"] == "gzip"
    assert await gzipped.read() == await plain.read()


async def test_query_form_body_and_bound_parameters(client: TestClient) -> None:
    await loaded(client)
    response = await client.post("/query", data={
        "db": "db", "q": "SELECT max(n) FROM cpu WHERE host = $host",
        "params": json.dumps({"host": "h0"})})
    assert await response.json() == {"results": [{"statement_id": 0, "series": [
        {"name": "cpu", "columns": ["time", "max"],
         "values": [["2024-01-01T00:08:00Z", 8]]}]}]}


async def test_query_chunked_is_one_json_object_per_chunk(client: TestClient) -> None:
    await loaded(client)
    response = await client.get("/query", params={
        "db": "db", "q": "SELECT n FROM cpu", "chunked": "true", "chunk_size": "4"})
    chunks = [json.loads(line) for line in (await response.text()).splitlines() if line]
    sizes = [len(c["results"][0]["series"][0]["values"]) for c in chunks]
    assert sizes == [4, 4, 2]
    assert [c["results"][0].get("partial") for c in chunks] == [True, True, None]


async def test_large_chunked_answer_matches_the_unchunked_one(client: TestClient) -> None:
    """Past INLINE_CELLS the chunks are encoded off the event loop, in batches: none is lost,
    reordered or cut differently."""
    lines = b"\n".join(f"big,host=h{i % 3} v={i}.25 {60 * i}000000000".encode()
                       for i in range(6000))
    assert (await client.post("/write?db=db", data=lines)).status == 204
    q = {"db": "db", "q": "SELECT v FROM big GROUP BY host tz('Asia/Kolkata')"}
    whole = (await (await client.get("/query", params=q)).json())["results"][0]["series"]
    response = await client.get("/query", params={**q, "chunked": "true", "chunk_size": "30"})
    chunks = [json.loads(line) for line in (await response.text()).splitlines()]
    assert len(chunks) == 3 * 67  # 2000 rows per host, 30 per chunk
    pieces = [c["results"][0]["series"][0] for c in chunks]
    for series in whole:
        mine = [p for p in pieces if p["tags"] == series["tags"]]
        assert [row for p in mine for row in p["values"]] == series["values"]
        assert all(p.get("partial") for p in mine[:-1]) and "partial" not in mine[-1]
    assert whole[0]["values"][0] == ["1970-01-01T05:30:00+05:30", 0.25]


async def test_large_csv_and_msgpack_answers_chunked_or_not(client: TestClient) -> None:
    """12,000 rows x 2 columns held as Arrow columns: past INLINE_CELLS even at a quarter a
    cell, so encoded in a worker thread; every row arrives, in order, chunked or not."""
    lines = b"\n".join(f"big,host=h{i % 3} v={i}.25 {i}000000000".encode()
                       for i in range(12_000))
    assert (await client.post("/write?db=db", data=lines)).status == 204
    q = {"db": "db", "q": "SELECT v FROM big GROUP BY host", "epoch": "s"}
    hosts = [[i for i in range(12_000) if i % 3 == h] for h in range(3)]
    expected_csv = "name,tags,time,v\n" + "".join(
        f"big,host=h{h},{i},{i}.25\n" for h in range(3) for i in hosts[h])
    for chunked in ("false", "true"):
        params = {**q, "chunked": chunked, "chunk_size": "1000"}
        csv = await client.get("/query", params=params, headers={"Accept": "application/csv"})
        assert await csv.text() == expected_csv
        packed = await client.get("/query", params=params,
                                  headers={"Accept": "application/x-msgpack"})
        unpacker = msgpack.Unpacker(raw=False, strict_map_key=False)
        unpacker.feed(await packed.read())
        values: dict[str, list[list[object]]] = {}
        for body in unpacker:
            for series in body["results"][0]["series"]:
                values.setdefault(series["tags"]["host"], []).extend(series["values"])
        assert values == {f"h{h}": [[i, i + 0.25] for i in hosts[h]] for h in range(3)}


async def test_query_csv_and_msgpack(client: TestClient) -> None:
    await loaded(client)
    q = {"db": "db", "q": "SELECT n FROM cpu WHERE host = 'h0' LIMIT 2"}
    csv = await client.get("/query", params=q, headers={"Accept": "application/csv"})
    assert csv.headers["Content-Type"] == "text/csv"
    assert await csv.text() == ("name,tags,time,n\ncpu,,1704067200000000000,0\n"
                                "cpu,,1704067320000000000,2\n")
    packed = await client.get("/query", params=q,
                              headers={"Accept": "application/x-msgpack"})
    assert packed.headers["Content-Type"] == "application/x-msgpack"
    body = msgpack.unpackb(await packed.read(), raw=False, strict_map_key=False,
                           ext_hook=lambda code, data: (code, len(data)))
    series = body["results"][0]["series"][0]
    assert series["columns"] == ["time", "n"]
    assert [row[1] for row in series["values"]] == [0, 2]
    assert series["values"][0][0] == (5, 12)  # 1.x's time extension: 8 + 4 bytes


async def test_parse_error_in_the_callers_format(client: TestClient) -> None:
    response = await client.get("/query", params={"q": "SELECT FROM"},
                                headers={"Accept": "application/csv"})
    assert response.status == 400
    assert await response.text() == (
        'error\n"error parsing query: found FROM, expected identifier, string, number, bool'
        ' at line 1, char 8"\n')


async def test_query_influxql_v3_shape(client: TestClient) -> None:
    await loaded(client)
    response = await client.get("/api/v3/query_influxql", params={
        "db": "db", "q": "SELECT max(n) FROM cpu GROUP BY host", "format": "jsonl"})
    assert response.status == 200
    rows = [json.loads(line) for line in (await response.text()).splitlines()]
    assert rows == [
        {"iox::measurement": "cpu", "time": "2024-01-01T00:08:00", "host": "h0", "max": 8},
        {"iox::measurement": "cpu", "time": "2024-01-01T00:09:00", "host": "h1", "max": 9},
    ]
    two = await client.post("/api/v3/query_influxql", json={
        "db": "db", "q": "SHOW DATABASES; SHOW DATABASES"})
    assert two.status == 400
    assert "only one InfluxQl statement" in (await two.json())["error"]


async def test_answers_are_bounded(make_client: Callable) -> None:
    client = await loaded(await make_client(query={"max_rows": 8}))
    response = await client.get("/query", params={"db": "db", "q": "SELECT * FROM cpu"})
    (result,) = (await response.json())["results"]
    assert result["error"].startswith("the answer would exceed 8 rows")
    # A stray old point must not make GROUP BY time fill millions of buckets.
    await client.post("/write?db=db", data=b"cpu,host=h0 v=1 1000000000\n")
    response = await client.get("/query", params={
        "db": "db", "q": "SELECT count(v) FROM cpu WHERE host = 'h0' GROUP BY time(1m)"})
    (result,) = (await response.json())["results"]
    assert "more than 8 buckets" in result["error"]


async def test_last_per_group_follows_the_latest_point_holding_the_field(
        client: TestClient) -> None:
    """A lone last() reads from the series' latest times when it can (native store); the
    answer must not change when a series' latest line lacks the field or a write moves it."""
    await loaded(client)
    query = {"db": "db", "q": "SELECT last(v) FROM cpu GROUP BY host", "epoch": "s"}

    async def answer() -> list[object]:
        body = await (await client.get("/query", params=query)).json()
        return [(s["tags"]["host"], s["values"]) for s in body["results"][0]["series"]]

    assert await answer() == [("h0", [[1_704_067_680, 8.5]]), ("h1", [[1_704_067_740, 9.5]])]
    # h0's newest line carries only n: its last v stays the earlier point.
    response = await client.post("/write?db=db&precision=s",
                                 data=b"cpu,host=h0 n=100i 1704068000\n")
    assert response.status == 204
    assert await answer() == [("h0", [[1_704_067_680, 8.5]]), ("h1", [[1_704_067_740, 9.5]])]
    response = await client.post("/write?db=db&precision=s",
                                 data=b"cpu,host=h1 v=42 1704068100\ncpu,host=h2 v=7 1600000000\n")
    assert response.status == 204
    assert await answer() == [("h0", [[1_704_067_680, 8.5]]), ("h1", [[1_704_068_100, 42]]),
                              ("h2", [[1_600_000_000, 7]])]


async def test_infinite_math_answers_go_marshal_error_and_nan_null(client: TestClient) -> None:
    # 1.6.7 computes math as Go does: log2(0) is -Inf, which its JSON encoder refuses (status
    # 200, a body that is not JSON); sqrt(-1) is NaN, which its cursor answers as null.
    await loaded(client)
    response = await client.get("/query", params={
        "db": "db", "q": "SELECT log2(n - 3), log10(n - 3) FROM cpu WHERE host = 'h1' LIMIT 2",
        "epoch": "s"})
    assert response.status == 200
    assert (await response.text()).startswith(
        "json: error calling MarshalJSON for type httpd.Response")
    assert "json: unsupported value: -Inf" in await response.text()
    response = await client.get("/query", params={
        "db": "db", "q": "SELECT sqrt(n - 4) FROM cpu WHERE host = 'h1' LIMIT 2", "epoch": "s"})
    assert response.status == 200
    assert await response.json() == {"results": [{"statement_id": 0, "series": [
        {"name": "cpu", "columns": ["time", "sqrt"],
         "values": [[1_704_067_260, None], [1_704_067_380, None]]}]}]}


async def test_subquery_field_named_like_a_grouped_tag_is_answered(client: TestClient) -> None:
    await loaded(client)
    response = await client.get("/query", params={
        "db": "db", "q": "SELECT * FROM (SELECT mean(v) AS host FROM cpu GROUP BY host) "
                         "GROUP BY host"})
    assert response.status == 200
    result = (await response.json())["results"][0]
    assert "error" not in result and len(result["series"]) == 2


def test_columnar_cells_weigh_a_quarter_of_row_cells() -> None:
    """Every v1 format writes Arrow columns about 4x cheaper per cell than rows."""
    arrays = [pa.array(range(8_000), pa.int64()), pa.array([0.5] * 8_000)]
    columnar = Series("m", ["time", "v"], None, has_time=True, arrays=arrays)
    rows = Series("m", ["time", "v"], [[i, 0.5] for i in range(8_000)], has_time=True)
    assert _cost([StatementResult(0, [columnar])]) == 4_000 <= INLINE_CELLS
    assert _cost([StatementResult(0, [rows])]) == 16_000 > INLINE_CELLS


async def test_a_fill_value_no_int64_holds_fills_integers_as_go_converts_it(
        client: TestClient) -> None:
    """Go's int64() of a float past int64 is -2^63 (1.6.7 fills with it); a number past int64
    in a subquery's rows failed the answer with a 500."""
    await client.post("/query", params={"q": "CREATE DATABASE fills"})
    response = await client.post("/write", params={"db": "fills"},
                                 data=b"m v=1i 1000000000\nm v=3i 3000000000")
    assert response.status == 204
    fill = "fill(100000000000000000000000.5)"
    expected = [[0, INT64], [1, 1], [2, INT64], [3, 3]]
    for text in (f"SELECT sum(v) FROM m WHERE time >= 0 AND time < 4s GROUP BY time(1s) {fill}",
                 f"SELECT * FROM (SELECT sum(v) FROM m WHERE time >= 0 AND time < 4s "
                 f"GROUP BY time(1s) {fill})"):
        response = await client.post("/query", params={"q": text, "db": "fills", "epoch": "s"})
        assert response.status == 200, await response.text()
        series = (await response.json())["results"][0]["series"]
        assert [s["values"] for s in series] == [expected]


INT64 = -(2**63)


async def test_long_conditions_answer_and_deep_ones_are_refused(
        client: TestClient, monkeypatch) -> None:
    """A WHERE with thousands of ORs (1.x answers it) used to be a 500: every pass after the
    parser recursed once per operator. Now the run is balanced and answers; a tree deeper
    than the passes can walk is a parse error, and should a pass still run out of Python's
    recursion, the statement fails with the same words, never a 500."""
    await loaded(client)
    hosts = " OR ".join([f"host = 'x{i}'" for i in range(3000)] + ["host = 'h1'"])
    response = await client.get("/query", params={
        "db": "db", "epoch": "s", "q": f"SELECT count(v) FROM cpu WHERE {hosts}"})
    assert response.status == 200
    (result,) = (await response.json())["results"]
    assert result["series"][0]["values"][0][1] == 5  # h1: the odd five of ten
    plus = " + ".join(["v"] * 300)
    response = await client.get("/query", params={
        "db": "db", "q": f"SELECT v FROM cpu WHERE {plus} > 0"})
    assert response.status == 400
    assert await response.json() == {"error": "error parsing query: query is nested too deeply"}
    monkeypatch.setattr("translators.influxql.parser.MAX_DEPTH", 100_000)
    response = await client.get("/query", params={
        "db": "db", "q": f"SELECT v FROM cpu WHERE {plus} > 0"})
    assert response.status == 200
    assert await response.json() == {"results": [{
        "statement_id": 0, "error": "query is nested too deeply"}]}
