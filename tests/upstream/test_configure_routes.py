"""InfluxDB 3's configure endpoints on routed databases, over real HTTP: the gateway
in-process, its InfluxDB 3 upstream a second gateway on its native store, its InfluxDB 2
upstream the fake. (Real InfluxDB 1.6.7 targets: test_configure_influxdb1_routes.py.)"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from aiohttp import ClientSession

from gateway.config import RouteConfig, UpstreamConfig
from tests.support.fake_upstreams import FakeInfluxDB2, FakeInfluxDB3
from tests.support.gateway_process import GatewayProcess, gateway_process
from tests.upstream.test_translation_routes import V3_TOKEN, routed, single, v2, v3

__all__ = ["routed"]  # the fixture, imported for the tests here


@pytest.fixture
def far(tmp_path: Path):
    """A second gateway, answering as an InfluxDB 3 on its native store."""
    process = gateway_process(tmp_path / "far").start()
    yield process
    process.stop()


def as_v3(process: GatewayProcess) -> UpstreamConfig:
    return UpstreamConfig(name="far", type="influxdb3", url=process.url)


async def far_databases(process: GatewayProcess) -> list[str]:
    async with ClientSession() as session, session.get(
            f"{process.url}/api/v3/configure/database", params={"format": "json"}) as answer:
        assert answer.status == 200
        return sorted((await answer.json())["databases"])


async def far_tables(process: GatewayProcess, database: str) -> list[str]:
    async with ClientSession() as session, session.get(
            f"{process.url}/api/v3/query_sql",
            params={"db": database, "q": "SHOW TABLES", "format": "json"}) as answer:
        assert answer.status == 200, await answer.text()
        return sorted(r["table_name"] for r in await answer.json() if r["table_schema"] == "iox")


async def listed(client) -> list[str]:
    answer = await client.get("/api/v3/configure/database", params={"format": "json"})
    assert answer.status == 200
    return sorted((await answer.json())["databases"])


async def test_an_influxdb3_target_gets_each_configure_request(routed, far) -> None:
    client = await routed([as_v3(far)], [single("far", "up*")])
    answer = await client.post("/api/v3/configure/database", json={"db": "up_lake"})
    assert answer.status == 201, await answer.text()
    answer = await client.post("/api/v3/configure/database", json={"db": "up_lake"})
    assert answer.status == 409
    assert "already exists" in (await answer.json())["error"]
    # No route matches "local": the native store's, as without routes.
    assert (await client.post("/api/v3/configure/database", json={"db": "local"})).status == 201
    assert await far_databases(far) == ["up_lake"]
    assert await listed(client) == ["local", "up_lake"]
    answer = await client.get("/api/v3/configure/database", params={"format": "csv"})
    assert sorted((await answer.text()).split()) == ["iox::database", "local", "up_lake"]

    answer = await client.post("/api/v3/configure/table", json={
        "db": "up_lake", "table": "cpu", "tags": ["host"],
        "fields": [{"name": "usage", "type": "float64"}]})
    assert answer.status == 201, await answer.text()
    assert await far_tables(far, "up_lake") == ["cpu"]
    answer = await client.delete("/api/v3/configure/table",
                                 params={"db": "up_lake", "table": "cpu"})
    assert answer.status == 200, await answer.text()
    assert await far_tables(far, "up_lake") == []

    answer = await client.delete("/api/v3/configure/database", params={"db": "up_lake"})
    assert answer.status == 200, await answer.text()
    assert await far_databases(far) == []
    assert await listed(client) == ["local"]
    # The upstream's own 404, in InfluxDB 3's error shape.
    answer = await client.delete("/api/v3/configure/database", params={"db": "up_lake"})
    assert answer.status == 404
    assert "error" in await answer.json()


async def test_a_mirror_that_is_down_gets_the_drop_queued(routed, far) -> None:
    mirror = RouteConfig(database="*", mode="mirror", targets=("native", "far"))
    client = await routed([as_v3(far)], [mirror])
    assert (await client.post("/api/v3/configure/database", json={"db": "twin"})).status == 201
    assert await far_databases(far) == ["twin"]
    assert "twin" in await listed(client)
    far.stop()
    try:
        answer = await client.delete("/api/v3/configure/database", params={"db": "twin"})
        assert answer.status == 200, await answer.text()  # the primary's answer
        report = await (await client.get("/admin/replay")).json()
        assert report["targets"]["far"]["queue"]["depth"] == 1
    finally:
        far.start()
    await drained(client, "far")
    assert await far_databases(far) == []
    assert "twin" not in await listed(client)


async def drained(client, mirror: str) -> None:
    for _ in range(400):
        report = await (await client.get("/admin/replay")).json()
        if not report["targets"][mirror]["queue"]["depth"]:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the queue did not drain")


async def test_a_queued_drop_reaches_an_influxdb3_mirror_through_its_api(routed) -> None:
    async with FakeInfluxDB3(databases=("twin",)) as fake:
        mirror = RouteConfig(database="*", mode="mirror", targets=("native", "three"))
        client = await routed([v3(fake.url)], [mirror])
        assert (await client.post("/api/v3/configure/database",
                                   json={"db": "twin"})).status == 201
        fake.fail(503)
        answer = await client.delete("/api/v3/configure/database", params={"db": "twin"})
        assert answer.status == 200, await answer.text()
        assert "twin" in fake.databases
        fake.recover()
        await drained(client, "three")
        assert "twin" not in fake.databases
        dropped = [r for r in fake.requests_to("/api/v3/configure/database")
                   if r.method == "DELETE"]
        assert dropped and all(r.query == {"db": "twin"} for r in dropped)
        assert not fake.requests_to("/query")


async def test_a_queued_table_delete_reaches_an_influxdb3_mirror_through_its_api(
        routed) -> None:
    async with FakeInfluxDB3(databases=("twin",)) as fake:
        mirror = RouteConfig(database="*", mode="mirror", targets=("native", "three"))
        client = await routed([v3(fake.url)], [mirror])
        assert (await client.post("/api/v3/configure/database",
                                   json={"db": "twin"})).status == 201
        assert (await client.post("/api/v3/write_lp", params={"db": "twin"},
                                  data=b"cpu,host=a v=1 1\nmem v=2 1")).status == 204
        assert fake.tables["twin"] == {"cpu", "mem"}
        fake.fail(503)
        answer = await client.delete("/api/v3/configure/table",
                                     params={"db": "twin", "table": "cpu"})
        assert answer.status == 200, await answer.text()  # the primary's answer
        assert fake.tables["twin"] == {"cpu", "mem"}
        fake.recover()
        await drained(client, "three")
        assert fake.tables["twin"] == {"mem"}
        dropped = [r for r in fake.requests_to("/api/v3/configure/table")
                   if r.method == "DELETE"]
        assert dropped and all(r.query == {"db": "twin", "table": "cpu"} for r in dropped)
        assert not fake.requests_to("/query")
        # A table gone from the mirror before its turn comes is dropped already: not refused.
        fake.fail(503)
        answer = await client.delete("/api/v3/configure/table",
                                     params={"db": "twin", "table": "mem"})
        assert answer.status == 200, await answer.text()
        fake.tables["twin"].discard("mem")
        fake.recover()
        await drained(client, "three")
        assert fake.requests_to("/api/v3/configure/table")[-1].query == {"db": "twin",
                                                                          "table": "mem"}
        replay = (await (await client.get("/admin/replay")).json())["targets"]["three"]
        assert (replay["rejected"], replay["queue"]["rejected"]) == (0, 0)


async def test_an_influxdb2_target(routed) -> None:
    async with FakeInfluxDB2(buckets=("old",)) as fake:
        client = await routed([v2(fake.url)], [single("two")])
        answer = await client.post("/api/v3/configure/database", json={"db": "fresh"})
        assert answer.status == 201, await answer.text()
        (sent,) = [r for r in fake.requests_to("/api/v2/buckets") if r.method == "POST"]
        assert sent.json()["name"] == "fresh"
        assert await listed(client) == ["fresh", "old"]
        # InfluxDB 3's answer for a database that exists, in its error shape.
        answer = await client.post("/api/v3/configure/database", json={"db": "old"})
        assert answer.status == 409
        assert await answer.json() == {"error": "database 'old' already exists", "data": None}
        # No tables to create, and its buckets are not deleted by the gateway: a 400 that
        # names the target, before anything is sent.
        answer = await client.post("/api/v3/configure/table", json={
            "db": "fresh", "table": "cpu", "tags": ["host"]})
        assert answer.status == 400
        assert "upstream two (InfluxDB 2.x)" in (await answer.json())["error"]
        answer = await client.delete("/api/v3/configure/database", params={"db": "fresh"})
        assert answer.status == 400
        assert "upstream two (InfluxDB 2.x)" in (await answer.json())["error"]
        assert "fresh" in await listed(client)
        # A table delete is DROP MEASUREMENT over its 1.x-compatible /query, once SHOW
        # MEASUREMENTS there says the table exists (DROP MEASUREMENT would succeed anyway).
        assert (await client.post("/api/v3/write_lp", params={"db": "fresh"},
                                  data=b"cpu,host=a v=1 1\nmem v=2 1")).status == 204
        answer = await client.delete("/api/v3/configure/table",
                                     params={"db": "fresh", "table": "cpu"})
        assert answer.status == 200, await answer.text()
        asked = [{**r.query, **r.form()} for r in fake.requests_to("/query")]
        assert [(a["q"], a["db"]) for a in asked] == [
            ("SHOW MEASUREMENTS WITH MEASUREMENT = cpu", "fresh"),
            ("DROP MEASUREMENT cpu", "fresh")]
        assert fake.lines["fresh"] == ["mem v=2 1"]
        answer = await client.delete("/api/v3/configure/table",
                                     params={"db": "fresh", "table": "cpu"})
        assert answer.status == 404
        assert await answer.json() == {"error": "table not found: 'cpu'", "data": None}
        assert len(fake.requests_to("/query")) == 3  # asked, not dropped again


async def test_a_mirror_route_answers_as_influxdb3_for_what_exists_or_not(routed, far) -> None:
    """Native primary, InfluxDB 3 mirror: a 409 for a database the primary holds, a 404 for a
    database or table it lacks, with nothing sent to the mirror."""
    mirror = RouteConfig(database="*", mode="mirror", targets=("native", "far"))
    client = await routed([as_v3(far)], [mirror])
    assert (await client.post("/api/v3/configure/database", json={"db": "twin"})).status == 201
    answer = await client.post("/api/v3/configure/database", json={"db": "twin"})
    assert answer.status == 409
    assert await answer.json() == {"error": "database 'twin' already exists", "data": None}
    answer = await client.delete("/api/v3/configure/table",
                                 params={"db": "twin", "table": "cpu"})
    assert answer.status == 404
    assert await answer.json() == {"error": "table not found: 'cpu'", "data": None}
    answer = await client.delete("/api/v3/configure/table",
                                 params={"db": "none", "table": "cpu"})
    assert answer.status == 404
    assert await answer.json() == {"error": 'database not found: "none"', "data": None}
    answer = await client.delete("/api/v3/configure/database", params={"db": "none"})
    assert answer.status == 404
    assert await answer.json() == {"error": 'database not found: "none"', "data": None}

    assert (await client.post("/api/v3/write_lp", params={"db": "twin"},
                              data=b"cpu,host=a v=1 1")).status == 204
    assert await far_tables(far, "twin") == ["cpu"]
    answer = await client.delete("/api/v3/configure/table",
                                 params={"db": "twin", "table": "cpu"})
    assert answer.status == 200, await answer.text()
    assert await far_tables(far, "twin") == []
    assert (await client.delete("/api/v3/configure/database", params={"db": "twin"})).status \
        == 200
    assert await far_databases(far) == []


async def test_a_mirror_that_is_down_gets_the_table_queued_behind_its_database(
        routed, far) -> None:
    mirror = RouteConfig(database="*", mode="mirror", targets=("native", "far"))
    client = await routed([as_v3(far)], [mirror])
    table = {"db": "later", "table": "cpu", "tags": ["host"],
             "fields": [{"name": "usage", "type": "float64"}, {"name": "n", "type": "int64"}]}
    far.stop()
    try:
        assert (await client.post("/api/v3/configure/database",
                                   json={"db": "later"})).status == 201
        answer = await client.post("/api/v3/configure/table", json=table)
        assert answer.status == 201, await answer.text()  # the primary's answer
        # The primary's 409 for a table it has; nothing more is queued for the mirror.
        answer = await client.post("/api/v3/configure/table", json=table)
        assert answer.status == 409
        report = await (await client.get("/admin/replay")).json()
        assert report["targets"]["far"]["queue"]["depth"] == 2
    finally:
        far.start()
    await drained(client, "far")
    report = await (await client.get("/admin/replay")).json()
    assert report["targets"]["far"]["queue"]["depth"] == 0
    assert await far_databases(far) == ["later"]
    assert await far_tables(far, "later") == ["cpu"]
    # Made with the declared types: a write of another type is refused there.
    async with ClientSession() as session, session.post(
            f"{far.url}/api/v3/write_lp", params={"db": "later"},
            data=b"cpu,host=a n=1.5 1") as refused:
        assert refused.status == 400


async def test_a_mirror_that_has_the_table_already_takes_it_as_made(routed, far) -> None:
    mirror = RouteConfig(database="*", mode="mirror", targets=("native", "far"))
    client = await routed([as_v3(far)], [mirror])
    assert (await client.post("/api/v3/configure/database", json={"db": "both"})).status == 201
    table = {"db": "both", "table": "cpu", "tags": ["host"]}
    async with ClientSession() as session, session.post(
            f"{far.url}/api/v3/configure/table", json=table) as made:
        assert made.status == 201
    answer = await client.post("/api/v3/configure/table", json=table)
    assert answer.status == 201, await answer.text()
    assert await sql_tables(client, "both") == ["cpu"]
    report = await (await client.get("/admin/replay")).json()
    assert report["targets"]["far"]["queue"]["depth"] == 0


async def sql_tables(client, database: str) -> list[str]:
    answer = await client.get("/api/v3/query_sql", params={
        "db": database, "q": "SHOW TABLES", "format": "json"})
    assert answer.status == 200, await answer.text()
    return sorted(r["table_name"] for r in await answer.json() if r["table_schema"] == "iox")


async def test_the_callers_credentials_go_upstream_only_on_passthrough_routes(routed) -> None:
    async with FakeInfluxDB3(databases=("passing",)) as fake:
        fake.tables["passing"].add("old")
        plain = RouteConfig(database="plain*", mode="single", targets=("three",))
        passing = RouteConfig(database="pass*", mode="single", targets=("three",),
                              passthrough=True)
        client = await routed([v3(fake.url)], [plain, passing])
        wrong = {"Authorization": "Bearer not-the-token"}

        async def configure(method: str, what: str, values: dict[str, object],
                            headers: dict[str, str]) -> int:
            path = f"/api/v3/configure/{what}"
            if method == "POST":
                answer = await client.post(path, json=values, headers=headers)
            else:
                answer = await client.delete(path, params=values, headers=headers)
            return answer.status

        # The gateway's own token on a plain route, whatever the caller sent.
        assert [await configure(method, what, values, wrong) for method, what, values in [
            ("POST", "database", {"db": "plain"}),
            ("POST", "table", {"db": "plain", "table": "cpu", "tags": ["host"]}),
            ("DELETE", "table", {"db": "plain", "table": "cpu"}),
            ("DELETE", "database", {"db": "plain"})]] == [201, 201, 200, 200]
        # The caller's on a passthrough route, refused there: nothing changes.
        assert [await configure(method, what, values, wrong) for method, what, values in [
            ("POST", "database", {"db": "pass_new"}),
            ("POST", "table", {"db": "passing", "table": "cpu", "tags": ["host"]}),
            ("DELETE", "table", {"db": "passing", "table": "old"}),
            ("DELETE", "database", {"db": "passing"})]] == [401, 401, 401, 401]
        assert fake.databases == ["_internal", "passing"]
        assert fake.tables["passing"] == {"old"}
        sent = {(r.method, r.path, r.headers.get("authorization"))
                for r in fake.received if r.path.startswith("/api/v3/configure/")}
        assert {auth for _, _, auth in sent} == {f"Bearer {V3_TOKEN}", "Bearer not-the-token"}
        refused = {(m, p) for m, p, auth in sent if auth == "Bearer not-the-token"}
        assert ("GET", "/api/v3/configure/database") in refused  # the check
        assert ("POST", "/api/v3/configure/table") in refused  # the change itself
        # The caller's own token, accepted there.
        right = {"Authorization": f"Bearer {V3_TOKEN}"}
        assert await configure("POST", "database", {"db": "pass_new"}, right) == 201
        assert await configure("POST", "table", {"db": "passing", "table": "cpu"}, right) == 201
        assert fake.tables["passing"] == {"old", "cpu"}


async def test_racing_creations_on_an_influxdb3_get_its_own_409(routed) -> None:
    """Both checks find no database (each request waits at the server, so both lists are
    answered before either creation): InfluxDB 3's own answer to the second creation is
    the caller's 409, not a 201 for a database that was made by the other."""
    async with FakeInfluxDB3() as fake:
        client = await routed([v3(fake.url)], [single("three")])
        fake.slow(0.3)
        answers = await asyncio.gather(*(
            client.post("/api/v3/configure/database", json={"db": "raced"})
            for _ in range(2)))
        assert sorted(a.status for a in answers) == [201, 409]
        listed_first = [r for r in fake.requests_to("/api/v3/configure/database")
                        if r.method == "GET"]
        assert len(listed_first) == 2
        assert fake.databases.count("raced") == 1


async def test_a_table_made_on_a_shard_route_is_made_where_a_shard_lacks_it(routed) -> None:
    """Every shard is read: the caller's 409 means every shard had the table already; a
    shard that has it while another lacks it takes it as made, and the other makes it."""
    async with FakeInfluxDB3() as fake:
        shard = RouteConfig(database="*", mode="shard", targets=("native", "three"))
        client = await routed([v3(fake.url)], [shard])
        assert (await client.post("/api/v3/configure/database",
                                   json={"db": "lake"})).status == 201
        fake.tables["lake"].add("cpu")  # on one shard only
        table = {"db": "lake", "table": "cpu", "tags": ["host"]}
        answer = await client.post("/api/v3/configure/table", json=table)
        assert answer.status == 201, await answer.text()
        # Both have it now: the native store made it, so the second is InfluxDB 3's 409.
        answer = await client.post("/api/v3/configure/table", json=table)
        assert answer.status == 409
        assert await answer.json() == {"error": "table 'cpu' already exists", "data": None}
        answer = await client.post("/api/v3/configure/table",
                                   json={"db": "lake", "table": "mem"})
        assert answer.status == 201, await answer.text()
        assert fake.tables["lake"] == {"cpu", "mem"}
        made = [r.json()["table"] for r in fake.requests_to("/api/v3/configure/table")
                if r.method == "POST"]
        assert made == ["cpu", "cpu", "mem"]


async def test_a_shard_routes_read_target_answers_for_the_table(routed) -> None:
    """With `read` set, that shard is where the caller sees the table: its 409 is the
    caller's, before any other shard is sent it."""
    async with FakeInfluxDB3(databases=("lake",)) as fake:
        fake.tables["lake"].add("cpu")
        shard = RouteConfig(database="*", mode="shard", targets=("native", "three"),
                            read="three")
        client = await routed([v3(fake.url)], [shard])
        answer = await client.post("/api/v3/configure/table",
                                   json={"db": "lake", "table": "cpu", "tags": ["host"]})
        assert answer.status == 409
        assert "already exists" in (await answer.json())["error"]
        # A database the read shard lacks: its own 404.
        answer = await client.post("/api/v3/configure/table",
                                   json={"db": "none", "table": "cpu"})
        assert answer.status == 404
        assert "database not found" in (await answer.json())["error"]
