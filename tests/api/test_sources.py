"""The Sources API over real HTTP: CRUD, secrets never echoed, persistence across restarts,
/buckets and /health that really ask the source (a real InfluxDB 1.6.7, fakes of 2.x and 3),
and writes routed to a source registered at runtime."""

from __future__ import annotations

import dataclasses
import re
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestClient

from gateway.api import keys
from gateway.app import create_app
from gateway.config import UpstreamConfig
from gateway.services.sources import SELF_ID
from tests.conftest import GatewayTestServer, make_config
from tests.support.fake_upstreams import FakeInfluxDB2, FakeInfluxDB3
from tests.support.influxd import Influxd

SOURCES = "/api/v2/sources"
TOKEN = "tok-7c1e-never-echo"
PASSWORD = "pw-52ab-never-echo"
SHARED = "shared-93d0-never-echo"
SECRETS = (TOKEN, PASSWORD, SHARED)


@pytest.fixture
async def fake_v2() -> AsyncIterator[FakeInfluxDB2]:
    async with FakeInfluxDB2(token=TOKEN, buckets=("telegraf", "metrics", "_monitoring")) as fake:
        yield fake


async def create(client: TestClient, **fields: object) -> dict:
    response = await client.post(SOURCES, json=fields)
    assert response.status == 201, await response.text()
    assert response.content_type == "application/json"
    return await response.json()


async def error(response: aiohttp.ClientResponse, status: int, code: str) -> str:
    """The v2 error body's message, after checking the status and code."""
    assert response.status == status, await response.text()
    assert response.content_type == "application/json"
    body = await response.json()
    assert body["code"] == code, body
    return body["message"]


async def put_routes(client: TestClient, *routes: dict) -> None:
    response = await client.put("/admin/routes", json={"routes": list(routes)})
    assert response.status == 200, await response.text()


async def test_crud_round_trip(client: TestClient, fake_v2: FakeInfluxDB2) -> None:
    created = await create(client, name="v2-old", type="v2", url=fake_v2.url, token=TOKEN,
                           org="my-org", orgID="0a3cbb5dd526a000", telegraf="tg",
                           defaultRP="autogen", id="ffffffffffffffff", links={"self": "x"},
                           languages=["example"])
    source_id = created["id"]
    assert re.fullmatch(r"[0-9a-f]{16}", source_id) and source_id != "ffffffffffffffff"
    assert created == {
        "id": source_id, "name": "v2-old", "type": "v2", "url": fake_v2.url, "default": False,
        "insecureSkipVerify": False, "orgID": "0a3cbb5dd526a000", "telegraf": "tg",
        "defaultRP": "autogen", "org": "my-org", "languages": ["flux", "influxql"],
        "links": {"self": f"{SOURCES}/{source_id}", "query": f"{SOURCES}/{source_id}/query",
                  "health": f"{SOURCES}/{source_id}/health",
                  "buckets": f"{SOURCES}/{source_id}/buckets"}}

    response = await client.get(f"{SOURCES}/{source_id}")
    assert response.status == 200 and await response.json() == created

    listed = await (await client.get(SOURCES)).json()
    assert listed["links"] == {"self": SOURCES}
    assert [s["id"] for s in listed["sources"]] == [SELF_ID, source_id]
    assert listed["sources"][1] == created

    # Only the keys given change; OSS's metaURL spelling is taken; null means "not given".
    response = await client.patch(f"{SOURCES}/{source_id}",
                                  json={"name": "v2-new", "metaURL": "http://meta:8091",
                                        "insecureSkipVerify": True, "telegraf": None})
    assert response.status == 200, await response.text()
    patched = await response.json()
    assert patched == {**created, "name": "v2-new", "metaUrl": "http://meta:8091",
                       "insecureSkipVerify": True}
    assert await (await client.get(f"{SOURCES}/{source_id}")).json() == patched
    assert "v2-new" in client.app[keys.ROUTER].upstreams
    assert "v2-old" not in client.app[keys.ROUTER].upstreams

    response = await client.delete(f"{SOURCES}/{source_id}")
    assert response.status == 204 and await response.read() == b""
    message = await error(await client.get(f"{SOURCES}/{source_id}"), 404, "not found")
    assert message == "source not found"
    await error(await client.delete(f"{SOURCES}/{source_id}"), 404, "not found")
    assert "v2-new" not in client.app[keys.ROUTER].upstreams
    listed = await (await client.get(SOURCES)).json()
    assert [s["id"] for s in listed["sources"]] == [SELF_ID]


async def test_secrets_are_never_in_any_answer(client: TestClient,
                                               fake_v2: FakeInfluxDB2) -> None:
    answers: list[bytes] = []

    async def keep(response: aiohttp.ClientResponse) -> aiohttp.ClientResponse:
        answers.append(await response.read() + str(response.headers).encode())
        return response

    v1 = await (await keep(await client.post(SOURCES, json={
        "name": "one", "type": "v1", "url": "http://127.0.0.1:9", "username": "u",
        "password": PASSWORD, "sharedSecret": SHARED, "token": TOKEN}))).json()
    v2 = await (await keep(await client.post(SOURCES, json={
        "name": "two", "type": "v2", "url": fake_v2.url, "token": TOKEN}))).json()
    await keep(await client.get(SOURCES))
    for source in (v1, v2):
        await keep(await client.get(f"{SOURCES}/{source['id']}"))
    # OSS answers PATCH with the raw stored source, secrets included.
    await keep(await client.patch(f"{SOURCES}/{v1['id']}",
                                  json={"password": PASSWORD, "sharedSecret": SHARED}))
    await keep(await client.patch(f"{SOURCES}/{v2['id']}", json={"token": TOKEN}))
    await keep(await client.post(SOURCES, json={"name": "two", "type": "v2",
                                                "url": fake_v2.url, "token": TOKEN}))
    assert len(answers) == 8 and all(answers)
    for answer in answers:
        for secret in SECRETS:
            assert secret.encode() not in answer
    # ...yet the gateway holds the token: the fake takes nothing else.
    response = await client.get(f"{SOURCES}/{v2['id']}/buckets")
    assert response.status == 200, await response.text()
    assert fake_v2.requests_to("/api/v2/buckets")[-1].headers["authorization"] == f"Token {TOKEN}"


@pytest.mark.parametrize(("body", "fragment"), [
    pytest.param({}, "name: required", id="nothing"),
    pytest.param({"name": "a", "type": "v1"}, "url: required", id="no-url"),
    pytest.param({"name": "a", "url": "http://x"}, "type: required", id="no-type"),
    pytest.param({"name": "a", "type": "v9", "url": "http://x"}, "type: expected v1, v2 or v3",
                 id="bad-type"),
    pytest.param({"name": "a", "type": "self", "url": "http://x"}, "type: the self source",
                 id="self-type"),
    pytest.param({"name": "a", "type": "v1", "url": "ftp://x"}, "url: expected an http",
                 id="ftp-url"),
    pytest.param({"name": "a", "type": "v1", "url": "http://x:99999"}, "url: is not a URL",
                 id="bad-port"),
    pytest.param({"name": "a", "type": "v1", "url": f"http://u:{PASSWORD}@x"},
                 "url: credentials go in username", id="credentials-in-url"),
    pytest.param({"name": "a", "type": "v1", "url": "http://x", "metaUrl": "meta"},
                 "metaUrl: expected an http", id="bad-meta-url"),
    pytest.param({"name": "a", "type": "v1", "url": "http://x", "orgID": "my-org"},
                 "orgID: expected 16 hexadecimal", id="bad-org-id"),
    pytest.param({"name": "a", "type": "v1", "url": "http://x", "insecureSkipVerify": "yes"},
                 "insecureSkipVerify: expected true or false", id="string-bool"),
    pytest.param({"name": 5, "type": "v1", "url": "http://x"}, "name: expected a string",
                 id="number-name"),
    pytest.param({"name": "../etc", "type": "v1", "url": "http://x"}, "name: 1 to 64",
                 id="path-name"),
    pytest.param({"name": "a", "type": "v1", "url": "http://x", "tokne": "t"},
                 "tokne: not a field of a source", id="unknown-field"),
    pytest.param({"name": "a", "type": "v1", "url": "http://x", "metaUrl": "http://m",
                  "metaURL": "http://n"}, "metaUrl and metaURL differ", id="two-meta-urls"),
    pytest.param(["a"], "must be a JSON object", id="array"),
])
async def test_invalid_bodies_name_the_field(client: TestClient, body: object,
                                             fragment: str) -> None:
    message = await error(await client.post(SOURCES, json=body), 400, "invalid")
    assert fragment in message and PASSWORD not in message
    assert [s["id"] for s in (await (await client.get(SOURCES)).json())["sources"]] == [SELF_ID]


async def test_bad_json_bad_ids_and_unknown_ids(client: TestClient) -> None:
    message = await error(await client.post(SOURCES, data=b"{name"), 400, "invalid")
    assert "not JSON" in message
    for method in ("GET", "PATCH", "DELETE"):
        response = await client.request(method, f"{SOURCES}/not-an-id", json={})
        assert "sourceID: expected 16 hexadecimal" in await error(response, 400, "invalid")
        response = await client.request(method, f"{SOURCES}/00000000000000ab", json={})
        assert await error(response, 404, "not found") == "source not found"
    for tail in ("buckets", "health"):
        await error(await client.get(f"{SOURCES}/00000000000000ab/{tail}"), 404, "not found")


async def test_names_are_unique_among_upstreams_and_one_source_is_default(
        aiohttp_client: Callable, tmp_path: Path) -> None:
    config = dataclasses.replace(make_config(tmp_path / "data"), upstreams=(
        UpstreamConfig(name="configured", type="influxdb1", url="http://127.0.0.1:9"),))
    client = await aiohttp_client(GatewayTestServer(create_app(config)))
    for name in ("native", "configured"):
        await error(await client.post(SOURCES, json={"name": name, "type": "v1",
                                                     "url": "http://x"}), 409, "conflict")
    first = await create(client, name="a", type="v1", url="http://x", default=True)
    second = await create(client, name="b", type="v3", url="http://y")
    await error(await client.post(SOURCES, json={"name": "a", "type": "v1", "url": "http://z"}),
                409, "conflict")
    await error(await client.patch(f"{SOURCES}/{second['id']}", json={"name": "a"}), 409,
                "conflict")
    message = await error(await client.patch(f"{SOURCES}/{second['id']}",
                                             json={"default": True}), 409, "conflict")
    assert "'a' is already the default" in message
    # The self source is the default until a stored source claims it.
    self_source = await (await client.get(f"{SOURCES}/{SELF_ID}")).json()
    assert self_source["default"] is False
    await client.patch(f"{SOURCES}/{first['id']}", json={"default": False})
    self_source = await (await client.get(f"{SOURCES}/{SELF_ID}")).json()
    assert self_source["default"] is True
    assert client.app[keys.ROUTER].upstreams.keys() == {"configured", "a", "b"}


async def test_the_self_source_is_the_native_store_and_cannot_be_changed(
        client: TestClient) -> None:
    response = await client.post("/write", params={"db": "local_db"}, data=b"m v=1 1")
    assert response.status == 204
    response = await client.get(f"{SOURCES}/{SELF_ID}")
    assert response.status == 200
    assert await response.json() == {
        "id": SELF_ID, "name": "native", "type": "self", "default": True,
        "insecureSkipVerify": False, "languages": ["influxql", "sql"],
        "links": {"self": f"{SOURCES}/{SELF_ID}", "query": f"{SOURCES}/{SELF_ID}/query",
                  "health": f"{SOURCES}/{SELF_ID}/health",
                  "buckets": f"{SOURCES}/{SELF_ID}/buckets"}}
    await error(await client.delete(f"{SOURCES}/{SELF_ID}"), 403, "forbidden")
    await error(await client.patch(f"{SOURCES}/{SELF_ID}", json={"telegraf": "x"}), 403,
                "forbidden")
    response = await client.get(f"{SOURCES}/{SELF_ID}/buckets")
    assert response.status == 200
    assert await response.json() == {"buckets": [{"name": "local_db", "type": "user"}],
                                     "links": {"self": f"{SOURCES}/{SELF_ID}/buckets"}}
    response = await client.get(f"{SOURCES}/{SELF_ID}/health")
    assert response.status == 200
    assert (await response.json())["status"] == "pass"


async def test_sources_and_their_secrets_outlive_a_restart(make_client: Callable,
                                                           fake_v2: FakeInfluxDB2) -> None:
    client = await make_client()
    created = await create(client, name="kept", type="v2", url=fake_v2.url, token=TOKEN)
    await client.close()

    client = await make_client()
    response = await client.get(f"{SOURCES}/{created['id']}")
    assert response.status == 200 and await response.json() == created
    assert "kept" in client.app[keys.ROUTER].upstreams
    response = await client.get(f"{SOURCES}/{created['id']}/buckets")  # the token came back
    assert response.status == 200, await response.text()


async def test_buckets_of_a_real_influxdb_1_6_7(client: TestClient, influxdb1: Influxd) -> None:
    database = f"src_{uuid.uuid4().hex[:8]}"
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{influxdb1.url}/query",
                                data={"q": f'CREATE DATABASE "{database}"'}) as response:
            assert response.status == 200
    source = await create(client, name="real-167", type="v1", url=influxdb1.url)
    response = await client.get(f"{SOURCES}/{source['id']}/buckets")
    assert response.status == 200, await response.text()
    body = await response.json()
    assert {"name": database, "type": "user"} in body["buckets"]
    assert body["links"] == {"self": f"{SOURCES}/{source['id']}/buckets"}
    response = await client.get(f"{SOURCES}/{source['id']}/health")
    assert response.status == 200
    health = await response.json()
    assert health["status"] == "pass" and health["version"] == "1.6.7~rc0"
    assert health["name"] == "real-167" and health["checks"] == []


async def test_buckets_of_fake_2x_and_3(client: TestClient, fake_v2: FakeInfluxDB2) -> None:
    source = await create(client, name="two", type="v2", url=fake_v2.url, token=TOKEN)
    response = await client.get(f"{SOURCES}/{source['id']}/buckets")
    assert response.status == 200, await response.text()
    assert (await response.json())["buckets"] == [
        {"name": "telegraf", "type": "user"}, {"name": "metrics", "type": "user"},
        {"name": "_monitoring", "type": "system"}]
    async with FakeInfluxDB3(token=TOKEN, databases=("sensors",)) as fake_v3:
        source = await create(client, name="three", type="v3", url=fake_v3.url, token=TOKEN)
        response = await client.get(f"{SOURCES}/{source['id']}/buckets")
        assert response.status == 200, await response.text()
        assert (await response.json())["buckets"] == [
            {"name": "_internal", "type": "system"}, {"name": "sensors", "type": "user"}]


async def test_buckets_when_the_upstream_fails(client: TestClient,
                                               fake_v2: FakeInfluxDB2) -> None:
    wrong = await create(client, name="wrong", type="v2", url=fake_v2.url, token="not-it")
    message = await error(await client.get(f"{SOURCES}/{wrong['id']}/buckets"), 502,
                          "unavailable")
    assert "answered 401" in message
    fake_v2.fail(503, retry_after="7")
    right = await create(client, name="right", type="v2", url=fake_v2.url, token=TOKEN)
    response = await client.get(f"{SOURCES}/{right['id']}/buckets")
    await error(response, 503, "unavailable")
    assert response.headers["Retry-After"] == "7"
    fake_v2.recover()
    await fake_v2.stop()
    message = await error(await client.get(f"{SOURCES}/{right['id']}/buckets"), 503,
                          "unavailable")
    assert "upstream right is unavailable" in message


async def test_health_passes_then_fails_when_the_upstream_stops(
        client: TestClient, fake_v2: FakeInfluxDB2) -> None:
    source = await create(client, name="two", type="v2", url=fake_v2.url, token=TOKEN)
    response = await client.get(f"{SOURCES}/{source['id']}/health")
    assert response.status == 200 and response.content_type == "application/json"
    body = await response.json()
    assert body == {"name": "two", "status": "pass", "checks": [], "version": "v2.7.11",
                    "message": f"{fake_v2.url} answered 200"}
    await fake_v2.stop()
    response = await client.get(f"{SOURCES}/{source['id']}/health")
    assert response.status == 503 and response.content_type == "application/json"
    body = await response.json()
    assert body["status"] == "fail" and body["name"] == "two" and body["checks"] == []
    assert body["message"].startswith("refused:")


async def test_health_fails_when_the_upstream_refuses_the_token(client: TestClient) -> None:
    async with FakeInfluxDB3(token=TOKEN) as fake_v3:
        source = await create(client, name="three", type="v3", url=fake_v3.url, token="bad")
        response = await client.get(f"{SOURCES}/{source['id']}/health")
        assert response.status == 503
        body = await response.json()
        assert body["status"] == "fail" and "answered 401" in body["message"]
        await client.patch(f"{SOURCES}/{source['id']}", json={"token": TOKEN})
        response = await client.get(f"{SOURCES}/{source['id']}/health")
        assert response.status == 200, await response.text()


async def test_a_source_named_by_a_route_cannot_be_deleted_or_renamed(
        client: TestClient) -> None:
    source = await create(client, name="routed", type="v1", url="http://127.0.0.1:9")
    await put_routes(client, {"database": "db", "mode": "mirror",
                              "targets": ["native", "routed"]})
    message = await error(await client.delete(f"{SOURCES}/{source['id']}"), 409, "conflict")
    assert "named by a route" in message
    await error(await client.patch(f"{SOURCES}/{source['id']}", json={"name": "other"}), 409,
                "conflict")
    assert (await client.get(f"{SOURCES}/{source['id']}")).status == 200
    assert "routed" in client.app[keys.ROUTER].upstreams
    await put_routes(client)
    response = await client.delete(f"{SOURCES}/{source['id']}")
    assert response.status == 204


async def test_a_route_to_a_new_source_sends_v1_writes_to_a_real_1_6_7(
        client: TestClient, influxdb1: Influxd) -> None:
    database = f"routed_{uuid.uuid4().hex[:8]}"
    await create(client, name="old-167", type="v1", url=influxdb1.url)
    await put_routes(client, {"database": database, "targets": ["old-167"]})
    response = await client.post("/query", data={"q": f'CREATE DATABASE "{database}"'})
    assert response.status == 200, await response.text()
    response = await client.post("/write", params={"db": database, "precision": "s"},
                                 data=b"cpu,host=a value=1.5 1600000000\n"
                                      b"cpu,host=b value=2 1600000001")
    assert response.status == 204, await response.text()
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{influxdb1.url}/query",
                               params={"db": database, "q": "SELECT * FROM cpu",
                                       "epoch": "s"}) as answer:
            series = (await answer.json())["results"][0]["series"][0]
    assert series["columns"] == ["time", "host", "value"]
    assert series["values"] == [[1600000000, "a", 1.5], [1600000001, "b", 2]]
    assert database not in client.app[keys.ADMIN].databases()


async def test_routes_to_a_source_outlive_a_restart(make_client: Callable,
                                                    fake_v2: FakeInfluxDB2) -> None:
    client = await make_client()
    await create(client, name="two", type="v2", url=fake_v2.url, token=TOKEN, org="my-org")
    await put_routes(client, {"database": "metrics", "targets": ["two"]})
    response = await client.post("/write", params={"db": "metrics"}, data=b"m v=1 1")
    assert response.status == 204, await response.text()
    await client.close()

    client = await make_client()
    response = await client.post("/write", params={"db": "metrics"}, data=b"m v=2 2")
    assert response.status == 204, await response.text()
    assert fake_v2.lines["metrics"] == ["m v=1 1", "m v=2 2"]
    assert "metrics" not in client.app[keys.ADMIN].databases()


async def test_the_sources_api_needs_the_admin_token(make_client: Callable,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_SOURCES_TOKEN", "admin-token")
    client = await make_client(auth={"admin_token_env": "TEST_SOURCES_TOKEN"})
    await error(await client.get(SOURCES), 401, "unauthorized")
    await error(await client.post(SOURCES, json={"name": "a", "type": "v1", "url": "http://x"}),
                401, "unauthorized")
    response = await client.get(SOURCES, headers={"Authorization": "Token admin-token"})
    assert response.status == 200
