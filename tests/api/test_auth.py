"""Authentication: off by default, and the single admin token in every scheme when set."""

from __future__ import annotations

import base64

import pytest
from aiohttp.test_utils import TestClient

TOKEN = "s3cr3t-t0ken"


@pytest.fixture
async def secured(make_client, monkeypatch) -> TestClient:
    monkeypatch.setenv("TEST_GATEWAY_TOKEN", TOKEN)
    return await make_client(auth={"admin_token_env": "TEST_GATEWAY_TOKEN"})


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


async def test_credentials_are_ignored_when_auth_is_off(client: TestClient) -> None:
    for headers in ({"Authorization": basic("root", "root")}, {"Authorization": "Token x"}, {}):
        response = await client.post("/write", params={"db": "d"}, data=b"m v=1 1",
                                     headers=headers)
        assert response.status == 204


@pytest.mark.parametrize(("headers", "params"), [
    ({"Authorization": f"Token {TOKEN}"}, {}),
    ({"Authorization": f"Bearer {TOKEN}"}, {}),
    ({"Authorization": basic("anyone", TOKEN)}, {}),
    ({"Authorization": f"Token user:{TOKEN}"}, {}),
    ({}, {"u": "anyone", "p": TOKEN}),
])
async def test_token_in_every_scheme(secured: TestClient, headers: dict, params: dict) -> None:
    for path, extra in (("/write", {"db": "d"}), ("/api/v2/write", {"bucket": "d"}),
                        ("/api/v3/write_lp", {"db": "d"})):
        response = await secured.post(path, params={**params, **extra}, data=b"m v=1 1",
                                      headers=headers)
        assert response.status == 204, (path, await response.text())


@pytest.mark.parametrize(("headers", "params", "v1_error"), [
    ({}, {}, "unable to parse authentication credentials"),
    ({"Authorization": "Token wrong"}, {}, "authorization failed"),
    ({"Authorization": "Bearer wrong"}, {}, "authorization failed"),
    ({"Authorization": basic("root", "root")}, {}, "authorization failed"),
    ({"Authorization": "Basic !!notbase64"}, {}, "authorization failed"),
    # not ASCII, so not base64 at all (was a 500: b64decode's ValueError)
    ({"Authorization": "Basic \u00c3("}, {}, "authorization failed"),
    ({}, {"u": "root", "p": "wrong"}, "authorization failed"),
])
async def test_refusals(secured: TestClient, headers: dict, params: dict, v1_error: str) -> None:
    response = await secured.post("/write", params={"db": "d", **params}, data=b"m v=1",
                                  headers=headers)
    assert response.status == 401
    assert await response.json() == {"error": v1_error}
    assert response.headers["Www-Authenticate"] == 'Basic realm="InfluxDB"'
    assert "X-Influxdb-Error" not in response.headers  # 1.x sends the challenge instead
    response = await secured.post("/api/v2/write", params={"bucket": "d", **params},
                                  data=b"m v=1", headers=headers)
    assert response.status == 401
    assert (await response.json())["code"] == "unauthorized"
    response = await secured.get("/api/v3/query_sql", params={"db": "d", "q": "SELECT 1",
                                                              **params}, headers=headers)
    assert response.status == 401


async def test_open_paths_need_no_token(secured: TestClient) -> None:
    assert (await secured.get("/ping")).status == 204
    assert (await secured.get("/health")).status == 200
    assert (await secured.get("/ready")).status == 200
