"""SHOW DATABASES among other statements on `shard` and `mirror` routes lists every target's
databases, as a lone SHOW DATABASES does, over two real InfluxDB 1.6.7 servers behind a
gateway run as `python -m gateway serve` (and beside the InfluxDB 2 fake, in-process)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from gateway.config import RouteConfig
from tests.support.fake_upstreams import FakeInfluxDB2
from tests.support.gateway_process import GatewayProcess, gateway_process
from tests.support.influxd import Influxd
from tests.upstream.test_influxdb1_routes import databases_on, query, routing_config
from tests.upstream.test_translation_routes import routed, v2

__all__ = ["routed"]  # the fixture, imported for the tests here

ROUTES = [
    pytest.param(("shard", ""), id="shard"),
    pytest.param(("shard", 'read = "a"'), id="shard-read"),
    pytest.param(("mirror", ""), id="mirror"),
]


@pytest.fixture
def listing_gateway(servers: tuple[Influxd, Influxd], tmp_path: Path,
                    request: pytest.FixtureRequest) -> Iterator[GatewayProcess]:
    mode, extra = request.param
    first, second = servers
    config = routing_config(tmp_path / "listing.toml", {"a": first.url, "b": second.url},
                            mode=mode, targets=["a", "b"], extra=extra)
    process = gateway_process(tmp_path / "gw", config).start()
    yield process
    process.stop()
    for server in servers:  # each test makes its own databases
        for name in databases_on(server.url):
            query(server.url, f'DROP DATABASE "{name}"', method="POST")


def run(gateway: GatewayProcess, text: str, database: str) -> list[dict]:
    status, _, body = query(gateway.url, text, database=database, method="POST")
    assert status == 200, body
    return json.loads(body)["results"]


def names(result: dict) -> set[str]:
    return {row[0] for row in result["series"][0].get("values", [])}


@pytest.mark.parametrize("listing_gateway", ROUTES, indirect=True)
def test_show_databases_beside_other_statements_lists_every_target(
        servers: tuple[Influxd, Influxd], listing_gateway: GatewayProcess) -> None:
    first, second = servers
    for server, name in ((first, "only_a"), (second, "only_b")):  # made behind its back
        assert query(server.url, f"CREATE DATABASE {name}", method="POST")[0] == 200
    alone = run(listing_gateway, "SHOW DATABASES", "only_a")[0]
    assert {"only_a", "only_b"} <= names(alone)
    for text in ("SHOW DATABASES; SHOW MEASUREMENTS", "SHOW MEASUREMENTS; SHOW DATABASES"):
        results = run(listing_gateway, text, "only_a")
        assert [r["statement_id"] for r in results] == [0, 1]
        listed = results[text.split("; ").index("SHOW DATABASES")]
        assert listed == {**alone, "statement_id": listed["statement_id"]}


@pytest.mark.parametrize("listing_gateway", ROUTES[:1], indirect=True)
def test_the_listing_keeps_its_place_among_database_changes(
        servers: tuple[Influxd, Influxd], listing_gateway: GatewayProcess) -> None:
    """Listed before a CREATE or DROP DATABASE that follows it, after one before it; none
    after a statement that failed."""
    made = run(listing_gateway, "CREATE DATABASE made; SHOW DATABASES", "made")
    assert made[0] == {"statement_id": 0} and "made" in names(made[1])
    listed, gone = run(listing_gateway, "SHOW DATABASES; DROP DATABASE made", "made")
    assert "made" in names(listed) and gone == {"statement_id": 1}
    assert all("made" not in databases_on(server.url) for server in servers)
    results = run(listing_gateway, "SHOW DATABASES; CREATE DATABASE late", "late")
    assert "late" not in names(results[0])
    assert all("late" in databases_on(server.url) for server in servers)
    results = run(listing_gateway, 'SHOW TAG VALUES ON "nowhere" WITH KEY = "k"; SHOW DATABASES',
                  "late")
    assert len(results) == 1 and "error" in results[0]


async def test_create_database_beside_show_databases_reaches_influxdb2(routed) -> None:
    """A SHOW DATABASES is answered apart, so the CREATE DATABASE beside it is one alone: an
    InfluxDB 2 mirror makes the bucket through its API (with other statements, a 400)."""
    async with FakeInfluxDB2(buckets=()) as fake:
        route = RouteConfig(database="*", mode="mirror", targets=("native", "two"))
        client = await routed([v2(fake.url)], [route])
        answer = await client.post("/query", data={"q": "CREATE DATABASE made; SHOW DATABASES",
                                                   "db": "made"})
        body = await answer.json()
        assert answer.status == 200, body
        assert body["results"][0] == {"statement_id": 0} and "made" in names(body["results"][1])
        assert "made" in fake.buckets
