"""Statements that change data or schema on `shard` routes: every shard holding data applies
them, with a `read` target set or not, or the request is refused before any shard runs it.

Over two real InfluxDB 1.6.7 servers the gateway runs as `python -m gateway serve` and every
check reads what the servers hold; beside the InfluxDB 2 and 3 fakes it runs in-process.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from gateway.config import RouteConfig
from tests.support.fake_upstreams import FakeInfluxDB2, FakeInfluxDB3
from tests.support.gateway_process import GatewayProcess, gateway_process
from tests.support.influxd import Influxd
from tests.upstream.test_influxdb1_routes import (
    counts,
    databases_on,
    policies,
    query,
    routing_config,
    write,
)
from tests.upstream.test_translation_routes import routed, v2, v3

__all__ = ["routed"]  # the fixture, imported for the tests here

OK = {"results": [{"statement_id": 0}]}


@pytest.fixture
def shard_gateway(servers, tmp_path: Path) -> Iterator:
    """Starts a gateway whose one route shards every database over servers a and b."""
    started: list[GatewayProcess] = []
    first, second = servers

    def start(extra: str = "", name: str = "gw") -> GatewayProcess:
        config = routing_config(tmp_path / f"{name}.toml", {"a": first.url, "b": second.url},
                                mode="shard", targets=["a", "b"], extra=extra)
        process = gateway_process(tmp_path / name, config).start()
        started.append(process)
        return process

    yield start
    for process in started:
        process.stop()
    for server in servers:  # each test makes its own databases
        for name in databases_on(server.url):
            query(server.url, f'DROP DATABASE "{name}"', method="POST")


def run(gateway: GatewayProcess, text: str, database: str) -> dict:
    status, _, body = query(gateway.url, text, database=database, method="POST")
    assert status == 200, body
    return json.loads(body)


def spread(gateway: GatewayProcess, servers: tuple[Influxd, Influxd], database: str) -> None:
    """Ten series of cpu and mem written through the gateway, each shard holding some."""
    body = "\n".join(f"{m},host=h{i} value={i}i {1_600_000_000 + i}"
                     for m in ("cpu", "mem") for i in range(10)).encode()
    assert write(gateway.url, database, body, precision="s") == (204, b"")
    for server in servers:
        assert counts(server.url, database, "cpu"), "a shard holds no cpu series"


def held(servers: tuple[Influxd, Influxd], database: str, measurement: str) -> set[str]:
    """The series of `measurement` both shards hold together."""
    return {key for server in servers for key in counts(server.url, database, measurement)}


@pytest.mark.parametrize("read", ["a", "b"])
def test_a_read_target_does_not_keep_changes_from_the_other_shard(
        servers, shard_gateway, read: str) -> None:
    """With `read` set, DELETE, DROP SERIES, DROP MEASUREMENT and the retention-policy
    statements still reach every shard: the other shard's data does not survive them."""
    gateway = shard_gateway(f'read = "{read}"\nfailover = ["a", "b"]')
    assert run(gateway, "CREATE DATABASE kept", "kept") == OK
    spread(gateway, servers, "kept")

    assert run(gateway, "DELETE FROM cpu WHERE host = 'h1' OR host = 'h2'", "kept") == OK
    assert run(gateway, "DROP SERIES FROM cpu WHERE host = 'h3' OR host = 'h4'", "kept") == OK
    assert held(servers, "kept", "cpu") == {f"host=h{i}" for i in (0, 5, 6, 7, 8, 9)}
    # Beside a read, in order: dropped everywhere, then read from the read target.
    answer = run(gateway, "DROP MEASUREMENT mem; SHOW MEASUREMENTS", "kept")
    assert answer["results"][0] == {"statement_id": 0}
    assert answer["results"][1]["series"][0]["values"] == [["cpu"]]
    assert held(servers, "kept", "mem") == set()

    made = 'CREATE RETENTION POLICY "short" ON "kept" DURATION 2h REPLICATION 1 DEFAULT'
    assert run(gateway, made, "kept") == OK
    for server in servers:
        assert ["short", "2h0m0s", "1h0m0s", 1, True] in policies(server.url, "kept")
    assert run(gateway, 'DROP RETENTION POLICY "short" ON "kept"', "kept") == OK
    for server in servers:
        assert [p[0] for p in policies(server.url, "kept")] == ["autogen"]
    assert run(gateway, "DROP DATABASE kept", "kept") == OK
    for server in servers:
        assert "kept" not in databases_on(server.url)


def test_a_read_target_answers_a_shard_that_failed(servers, shard_gateway) -> None:
    """A shard that refuses the statement is the caller's error, named, though the read
    target ran it: the caller is not told it was done everywhere."""
    first, second = servers
    gateway = shard_gateway('read = "a"')
    assert run(gateway, "CREATE DATABASE odd", "odd") == OK
    made = 'CREATE RETENTION POLICY "odd" ON "odd" DURATION 5h REPLICATION 1'
    assert query(second.url, made, method="POST")[0] == 200
    assert run(gateway, made.replace("5h", "4h"), "odd") == {
        "results": [{"statement_id": 0, "error": "upstream b: retention policy already exists"}]}
    assert ["odd", "4h0m0s", "1h0m0s", 1, False] in policies(first.url, "odd")


@pytest.mark.parametrize("extra", ["", 'read = "a"'], ids=["every-shard-read", "read-set"])
def test_a_shard_that_cannot_be_reached_is_named(servers, shard_gateway, extra: str) -> None:
    """A shard that cannot be reached fails the request with a 503 naming it (no failover
    between shards, which hold different data), not a 500."""
    second = servers[1]
    gateway = shard_gateway(extra)
    assert run(gateway, "CREATE DATABASE gone", "gone") == OK
    spread(gateway, servers, "gone")
    second.stop()
    try:
        reads = [] if extra else ["SELECT * FROM cpu"]  # merged from every shard
        answers = [query(gateway.url, text, database="gone", method="POST")
                   for text in (*reads, "DELETE FROM cpu", "DROP MEASUREMENT mem")]
    finally:
        second.start()
    for status, _, body in answers:
        assert status == 503, body
        assert json.loads(body)["error"].startswith("upstream b is unavailable")
    # The shard that answered ran them, the other keeps its points: the caller was told.
    assert counts(servers[0].url, "gone", "cpu") == {}
    assert counts(second.url, "gone", "cpu") and counts(second.url, "gone", "mem")


@pytest.mark.parametrize("extra", ["", 'read = "b"'], ids=["every-shard-read", "read-set"])
def test_create_database_among_other_statements_reaches_every_shard(
        servers, shard_gateway, extra: str) -> None:
    """CREATE DATABASE with other statements in the request is made on every shard, as a
    lone one is, in its place among them: a policy made on it after is made on every
    shard too."""
    gateway = shard_gateway(extra)
    answer = run(gateway, 'CREATE DATABASE made; CREATE RETENTION POLICY "short" ON "made" '
                 "DURATION 2h REPLICATION 1", "made")
    assert answer == {"results": [{"statement_id": 0}, {"statement_id": 1}]}
    for server in servers:
        assert [p[0] for p in policies(server.url, "made")] == ["autogen", "short"]
    answer = run(gateway, "CREATE DATABASE also; SHOW MEASUREMENTS", "made")
    assert answer == {"results": [{"statement_id": 0}, {"statement_id": 1}]}
    for server in servers:
        assert "also" in databases_on(server.url)


async def native_databases(client) -> list[str]:
    answer = await client.post("/query", data={"q": "SHOW DATABASES"})
    body = await answer.json()
    assert answer.status == 200, body
    return [row[0] for row in body["results"][0]["series"][0].get("values", [])]


@pytest.mark.parametrize("route", [
    pytest.param(RouteConfig(database="*", mode="shard", targets=("native", "two")), id="shard"),
    pytest.param(RouteConfig(database="*", mode="mirror", targets=("native", "two")),
                 id="mirror"),
    pytest.param(RouteConfig(database="*", mode="mirror", targets=("two", "native")),
                 id="mirror-primary"),
])
async def test_drop_database_on_a_route_with_an_influxdb2_target_is_refused(
        routed, route: RouteConfig) -> None:
    """InfluxDB 2's /query has no DROP DATABASE and the gateway does not delete its buckets:
    a 400 naming the shard or mirror before any target drops anything, as v3 configure's
    database delete answers for it (a mirror skipped silently would keep the data)."""
    async with FakeInfluxDB2(buckets=()) as fake:
        client = await routed([v2(fake.url)], [route])
        assert (await client.post("/query", data={"q": "CREATE DATABASE keep"})).status == 200
        assert "keep" in fake.buckets and "keep" in await native_databases(client)
        for text in ("DROP DATABASE keep", "DROP DATABASE keep; SHOW DATABASES"):
            answer = await client.post("/query", data={"q": text, "db": "keep"})
            body = await answer.json()
            assert answer.status == 400, body
            assert "upstream two (InfluxDB 2)" in body["error"]
            assert "nothing was dropped" in body["error"]
        assert "keep" in await native_databases(client)
        assert not [r for r in fake.requests_to("/query") if "DROP" in r.query.get("q", "")]


@pytest.mark.parametrize("mode", ["shard", "mirror"])
@pytest.mark.parametrize("upstream", ["two", "three"])
async def test_create_database_among_statements_bound_for_influxdb2_or_3_is_refused(
        routed, upstream: str, mode: str) -> None:
    """InfluxDB 2 and 3 create a database through their API, one at a time (as a lone
    CREATE DATABASE does there): with other statements, a 400 naming the shard or mirror
    before any target runs the request."""
    fake2, fake3 = FakeInfluxDB2(buckets=("lake",)), FakeInfluxDB3(databases=("lake",))
    async with fake2, fake3:
        config = v2(fake2.url) if upstream == "two" else v3(fake3.url)
        route = RouteConfig(database="*", mode=mode, targets=("native", upstream))
        client = await routed([config], [route])
        answer = await client.post("/query", data={
            "q": "CREATE DATABASE made; CREATE RETENTION POLICY r ON made DURATION 1h "
                 "REPLICATION 1", "db": "made"})
        body = await answer.json()
        assert answer.status == 400, body
        assert f"upstream {upstream} (InfluxDB {upstream == 'two' and 2 or 3})" in body["error"]
        assert "made" not in await native_databases(client)
        assert "made" not in fake2.buckets and "made" not in fake3.databases


def test_create_database_is_routed_by_the_database_it_names(servers, shard_gateway) -> None:
    """With other statements, CREATE DATABASE goes where its database is routed, as a lone
    one and DROP DATABASE do: without a `db` it went to the native store alone."""
    gateway = shard_gateway()
    status, _, body = query(gateway.url, "CREATE DATABASE named; SHOW DATABASES",
                            method="POST")
    assert status == 200, body
    assert json.loads(body)["results"][0] == {"statement_id": 0}
    for server in servers:
        assert "named" in databases_on(server.url)
