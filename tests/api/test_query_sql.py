"""/api/v3/query_sql: formats, negotiation, POST bodies, parameters, errors, lockdown."""

from __future__ import annotations

import io

import pyarrow.parquet as pq
import pytest
from aiohttp.test_utils import TestClient

from tests.api.helpers import write_lp

DATA = b'cpu,host=a usage=1.5,ok=t,note="x,y" 1700000000\ncpu,host=b usage=2 1700000001\n'


@pytest.fixture
async def loaded(client: TestClient) -> TestClient:
    return await write_lp(client, "db1", DATA, "s")


Q = "SELECT host, time, usage, ok, note FROM cpu ORDER BY host"


async def test_json_default(loaded: TestClient) -> None:
    response = await loaded.get("/api/v3/query_sql", params={"db": "db1", "q": Q})
    assert response.status == 200
    assert response.headers["Content-Type"] == "application/json"
    assert await response.json() == [
        {"host": "a", "time": "2023-11-14T22:13:20", "usage": 1.5, "ok": True, "note": "x,y"},
        {"host": "b", "time": "2023-11-14T22:13:21", "usage": 2.0},
    ]


async def test_jsonl(loaded: TestClient) -> None:
    response = await loaded.get("/api/v3/query_sql",
                                params={"db": "db1", "q": Q, "format": "jsonl"})
    assert response.headers["Content-Type"] == "application/jsonl"
    assert await response.text() == (
        '{"host":"a","time":"2023-11-14T22:13:20","usage":1.5,"ok":true,"note":"x,y"}\n'
        '{"host":"b","time":"2023-11-14T22:13:21","usage":2.0}\n'
    )


async def test_csv(loaded: TestClient) -> None:
    response = await loaded.get("/api/v3/query_sql", params={"db": "db1", "q": Q,
                                                             "format": "csv"})
    assert response.headers["Content-Type"].startswith("text/csv")
    assert await response.text() == (
        "host,time,usage,ok,note\n"
        'a,2023-11-14T22:13:20,1.5,true,"x,y"\n'
        "b,2023-11-14T22:13:21,2.0,,\n"
    )


async def test_parquet(loaded: TestClient) -> None:
    response = await loaded.get("/api/v3/query_sql",
                                params={"db": "db1", "q": Q, "format": "parquet"})
    assert response.headers["Content-Type"] == "application/vnd.apache.parquet"
    table = pq.read_table(io.BytesIO(await response.read()))
    assert table.column("host").to_pylist() == ["a", "b"]
    assert table.column("usage").to_pylist() == [1.5, 2.0]


async def test_pretty(loaded: TestClient) -> None:
    response = await loaded.get("/api/v3/query_sql",
                                params={"db": "db1", "q": "SELECT host, usage FROM cpu "
                                        "ORDER BY host", "format": "pretty"})
    assert await response.text() == (
        "+------+-------+\n"
        "| host | usage |\n"
        "+------+-------+\n"
        "| a    | 1.5   |\n"
        "| b    | 2.0   |\n"
        "+------+-------+\n"
    )


@pytest.mark.parametrize(("accept", "content_type"), [
    ("text/csv", "text/csv; charset=utf-8"),
    ("application/jsonl", "application/jsonl"),
    ("application/vnd.apache.parquet", "application/vnd.apache.parquet"),
    ("application/xml, application/json;q=0.9", "application/json"),
    ("*/*", "application/json"),
])
async def test_accept_negotiation(loaded: TestClient, accept: str, content_type: str) -> None:
    response = await loaded.get("/api/v3/query_sql", params={"db": "db1", "q": Q},
                                headers={"Accept": accept})
    assert response.status == 200
    assert response.headers["Content-Type"] == content_type


@pytest.mark.parametrize("body", [
    {"db": "db1", "q": "SELECT host FROM cpu WHERE host = $h", "params": {"h": "b"}},
    {"database": "db1", "query_str": "SELECT host FROM cpu WHERE host = $h",
     "params": {"h": "b"}, "format": "json"},
])
async def test_post_body_with_parameters(loaded: TestClient, body: dict) -> None:
    response = await loaded.post("/api/v3/query_sql", json=body)
    assert response.status == 200
    assert await response.json() == [{"host": "b"}]


@pytest.mark.parametrize(("params", "status", "fragment"), [
    ({"db": "db1", "q": "SELECT * FROM nope"}, 400, "table 'nope' not found"),
    ({"db": "nodb", "q": "SELECT 1"}, 404, "database not found: nodb"),
    ({"db": "db1"}, 400, "missing required parameter: q"),
    ({"q": "SELECT 1"}, 400, "missing required parameter: db"),
    ({"db": "db1", "q": "SELECT nocolumn FROM cpu"}, 400, "nocolumn"),
    ({"db": "db1", "q": "SELECT * FROM cpu", "format": "xml"}, 400, "invalid format 'xml'"),
    ({"db": "db1", "q": "SELEC 1"}, 400, "error parsing SQL"),
])
async def test_errors(loaded: TestClient, params: dict, status: int, fragment: str) -> None:
    response = await loaded.get("/api/v3/query_sql", params=params)
    assert response.status == status
    body = await response.json()
    assert fragment in body["error"]


@pytest.mark.parametrize("query", [
    "SELECT * FROM read_csv('/etc/passwd')",
    "COPY cpu TO '/tmp/influx-gateway-escape.csv'",
    "ATTACH '/tmp/influx-gateway-escape.db' AS x",
    "SELECT * FROM read_text('/etc/passwd')",
    "INSTALL httpfs",
    "DROP TABLE cpu",
    "CREATE TABLE x AS SELECT 1",
    "SET enable_external_access = true",
])
async def test_lockdown_refuses_and_changes_nothing(loaded: TestClient, query: str,
                                                    tmp_path) -> None:
    response = await loaded.get("/api/v3/query_sql", params={"db": "db1", "q": query})
    assert response.status == 400
    response = await loaded.get("/api/v3/query_sql",
                                params={"db": "db1", "q": "SELECT count(*) AS n FROM cpu"})
    assert await response.json() == [{"n": 2}]
    import os
    assert not os.path.exists("/tmp/influx-gateway-escape.csv")
    assert not os.path.exists("/tmp/influx-gateway-escape.db")


async def test_a_query_sees_only_its_database(client: TestClient) -> None:
    await client.post("/api/v3/write_lp", params={"db": "one"}, data=b"secret v=1 1")
    await client.post("/api/v3/write_lp", params={"db": "two"}, data=b"other v=1 1")
    for query in ["SELECT * FROM secret", 'SELECT * FROM "one".secret',
                  "SELECT * FROM one.secret",
                  "SELECT * FROM LATERAL json_execute_serialized_sql(json_serialize_sql("
                  "'SELECT * FROM one.secret'))",
                  "SELECT * FROM (WITH duckdb_tables AS (SELECT 1) SELECT 1) q, duckdb_tables",
                  "SELECT * FROM (WITH a AS (SELECT 1) SELECT 1) q, __influx_gateway.columns"]:
        response = await client.get("/api/v3/query_sql", params={"db": "two", "q": query})
        assert response.status == 400, query


async def test_ctes_still_work_after_renaming(loaded: TestClient) -> None:
    for query, expected in [
        ("WITH x AS (SELECT host, usage FROM cpu) SELECT x.host FROM x ORDER BY x.host",
         [{"host": "a"}, {"host": "b"}]),
        ("WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) "
         "SELECT sum(n) AS s FROM r", [{"s": 6}]),
    ]:
        response = await loaded.get("/api/v3/query_sql", params={"db": "db1", "q": query})
        assert response.status == 200, await response.text()
        assert await response.json() == expected


async def test_recursive_anchor_cannot_read_the_catalog(loaded: TestClient) -> None:
    query = ("WITH RECURSIVE duckdb_columns(s) AS (SELECT schema_name FROM duckdb_columns "
             "UNION ALL SELECT s FROM duckdb_columns WHERE false) SELECT * FROM duckdb_columns")
    response = await loaded.get("/api/v3/query_sql", params={"db": "db1", "q": query})
    assert response.status == 400
    assert "__influx_gateway" not in await response.text()
