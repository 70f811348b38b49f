"""/api/v3/configure/database and /api/v3/configure/table, and InfluxQL CREATE DATABASE."""

from __future__ import annotations

from aiohttp.test_utils import TestClient

from tests.api.helpers import sql


async def test_database_life_cycle(client: TestClient) -> None:
    assert (await client.post("/api/v3/configure/database", json={"db": "alpha"})).status == 201
    response = await client.post("/api/v3/configure/database", json={"db": "alpha"})
    assert response.status == 409
    assert "already exists" in (await response.json())["error"]
    response = await client.get("/api/v3/configure/database", params={"format": "json"})
    assert await response.json() == {"databases": ["alpha"]}
    response = await client.get("/api/v3/configure/database", params={"format": "csv"})
    assert await response.text() == "iox::database\nalpha\n"
    assert (await client.delete("/api/v3/configure/database", params={"db": "alpha"})).status \
        == 200
    response = await client.delete("/api/v3/configure/database", params={"db": "alpha"})
    assert response.status == 404
    response = await client.get("/api/v3/configure/database", params={"format": "json"})
    assert await response.json() == {"databases": []}


async def test_dropped_database_data_is_gone(client: TestClient) -> None:
    await client.post("/api/v3/write_lp", params={"db": "gone"}, data=b"m v=1 1")
    await client.delete("/api/v3/configure/database", params={"db": "gone"})
    await client.post("/api/v3/write_lp", params={"db": "gone"}, data=b"m v=2 2")
    assert await sql(client, "gone", "SELECT v FROM m") == [{"v": 2.0}]


async def test_create_database_rejects_bad_input(client: TestClient) -> None:
    response = await client.post("/api/v3/configure/database", data=b"{not json")
    assert response.status == 400
    response = await client.post("/api/v3/configure/database", json={})
    assert response.status == 400
    assert (await response.json())["error"] == "missing required field: db"
    response = await client.post("/api/v3/configure/database",
                                 json={"db": "information_schema"})
    assert response.status == 400


async def test_table_life_cycle(client: TestClient) -> None:
    await client.post("/api/v3/configure/database", json={"db": "db1"})
    response = await client.post("/api/v3/configure/table", json={
        "db": "db1", "table": "sensors", "tags": ["room"],
        "fields": [{"name": "temp", "type": "float64"}, {"name": "n", "type": "int64"},
                   {"name": "label", "type": "utf8"}, {"name": "on", "type": "bool"},
                   {"name": "c", "type": "uint64"}],
    })
    assert response.status == 201, await response.text()
    assert await sql(client, "db1", "SELECT * FROM sensors") == []
    # the declared types hold for writes
    response = await client.post("/api/v3/write_lp", params={"db": "db1"},
                                 data=b"sensors,room=k temp=1i 1\nsensors,room=k temp=2 2")
    assert response.status == 400
    assert (await response.json())["data"][0]["line_number"] == 1
    response = await client.post("/api/v3/configure/table", json={
        "db": "db1", "table": "sensors", "tags": []})
    assert response.status == 409
    assert (await client.delete("/api/v3/configure/table",
                                params={"db": "db1", "table": "sensors"})).status == 200
    response = await client.get("/api/v3/query_sql", params={"db": "db1",
                                                             "q": "SELECT * FROM sensors"})
    assert response.status == 400


async def test_table_errors(client: TestClient) -> None:
    response = await client.post("/api/v3/configure/table", json={
        "db": "nope", "table": "t", "tags": []})
    assert response.status == 404
    await client.post("/api/v3/configure/database", json={"db": "db1"})
    response = await client.post("/api/v3/configure/table", json={
        "db": "db1", "table": "t", "tags": [], "fields": [{"name": "x", "type": "decimal"}]})
    assert response.status == 400
    assert "invalid field type 'decimal'" in (await response.json())["error"]
    response = await client.delete("/api/v3/configure/table", params={"db": "db1",
                                                                      "table": "t"})
    assert response.status == 404


async def test_influxql_create_database(client: TestClient) -> None:
    response = await client.post("/query", params={"q": 'CREATE DATABASE "telegraf"'})
    assert response.status == 200
    assert await response.json() == {"results": [{"statement_id": 0}]}
    # idempotent, as in 1.x; GET also works but warns
    response = await client.get("/query", params={"q": "CREATE DATABASE telegraf"})
    assert await response.json() == {"results": [{"statement_id": 0, "messages": [{
        "level": "warning",
        "text": "deprecated use of 'CREATE DATABASE telegraf' in a read only context, please "
                "use a POST request instead"}]}]}
    response = await client.post("/query", data={"q": "CREATE DATABASE two; SHOW DATABASES"})
    assert await response.json() == {"results": [
        {"statement_id": 0},
        {"statement_id": 1, "series": [{"name": "databases", "columns": ["name"],
                                        "values": [["telegraf"], ["two"]]}]},
    ]}


async def test_influxql_statement_errors_are_results(client: TestClient) -> None:
    response = await client.get("/query", params={"q": "SELECT * FROM cpu", "db": "x"})
    assert response.status == 200
    assert await response.json() == {"results": [
        {"statement_id": 0, "error": "database not found: x"}]}
    response = await client.get("/query", params={"q": "SHOW SHARDS"})
    (result,) = (await response.json())["results"]
    assert "not supported yet" in result["error"]
    response = await client.get("/query")
    assert response.status == 400
    assert await response.json() == {"error": 'missing required parameter "q"'}
