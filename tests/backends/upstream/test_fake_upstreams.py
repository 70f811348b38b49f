"""The fakes refuse what the real servers refuse, so client tests against them mean something.
Sync tests: they also show the fakes running in a thread of their own."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from tests.support.fake_upstreams import FakeInfluxDB2, FakeInfluxDB3

V2_TOKEN = {"Authorization": "Token fake-v2-token"}
V3_TOKEN = {"Authorization": "Bearer fake-v3-token"}


def call(url: str, method: str = "GET", body: bytes | None = None,
         headers: dict[str, str] | None = None) -> tuple[int, object]:
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            status, raw = answer.status, answer.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:
        return status, raw


@pytest.fixture(scope="module")
def fake_v2() -> Iterator[FakeInfluxDB2]:
    with FakeInfluxDB2().threaded() as fake:
        yield fake


@pytest.fixture(scope="module")
def fake_v3() -> Iterator[FakeInfluxDB3]:
    with FakeInfluxDB3().threaded() as fake:
        yield fake


@pytest.mark.parametrize(("method", "target", "headers", "body", "status", "code"), [
    pytest.param("POST", "/api/v2/write?org=my-org&bucket=telegraf", {}, b"m f=1", 401,
                 "unauthorized", id="no-token"),
    pytest.param("POST", "/api/v2/write?org=my-org&bucket=telegraf",
                 {"Authorization": "Bearer fake-v2-token"}, b"m f=1", 204, None,
                 id="bearer-is-taken-too"),
    pytest.param("POST", "/api/v2/write?bucket=telegraf", V2_TOKEN, b"m f=1", 400, "invalid",
                 id="no-org"),
    pytest.param("POST", "/api/v2/write?org=my-org&bucket=nope", V2_TOKEN, b"m f=1", 404,
                 "not found", id="unknown-bucket"),
    pytest.param("POST", "/api/v2/write?org=my-org&bucket=telegraf&precision=m", V2_TOKEN,
                 b"m f=1", 400, "invalid", id="1x-precision"),
    pytest.param("POST", "/api/v2/write?org=my-org&bucket=telegraf",
                 {**V2_TOKEN, "Content-Encoding": "gzip"}, b"m f=1", 400, "invalid",
                 id="gzip-label-on-plain-bytes"),
    pytest.param("GET", "/api/v2/buckets?limit=0", V2_TOKEN, None, 400, "invalid",
                 id="limit-out-of-range"),
    pytest.param("GET", "/health", {}, None, 200, None, id="health-without-auth"),
])
def test_fake_v2_contract(fake_v2: FakeInfluxDB2, method: str, target: str,
                          headers: dict[str, str], body: bytes | None, status: int,
                          code: str | None) -> None:
    answered, document = call(fake_v2.url + target, method, body, headers)
    assert answered == status
    if code is not None:
        assert isinstance(document, dict)
        assert document["code"] == code and document["message"]


@pytest.mark.parametrize(("method", "target", "headers", "body", "status"), [
    pytest.param("POST", "/api/v3/write_lp?db=x&precision=second", {}, b"m f=1", 401,
                 id="no-token"),
    pytest.param("POST", "/api/v3/write_lp?db=x", V3_TOKEN, b"m f=1", 400,
                 id="no-precision"),
    pytest.param("POST", "/api/v3/write_lp?db=x&precision=s", V3_TOKEN, b"m f=1", 400,
                 id="short-precision-word"),
    pytest.param("POST", "/api/v3/write_lp?precision=second", V3_TOKEN, b"m f=1", 400,
                 id="no-db"),
    pytest.param("POST", "/api/v3/write_lp?db=strict&precision=second&accept_partial=false",
                 V3_TOKEN, b"m f=1\nbad", 400, id="all-or-nothing"),
    pytest.param("POST", "/api/v3/query_sql", V3_TOKEN,
                 b'{"db": "_internal", "q": "SELECT 1", "format": "xml"}', 400,
                 id="unknown-format"),
    pytest.param("GET", "/api/v3/configure/database", V3_TOKEN, None, 400, id="no-format"),
    pytest.param("GET", "/query?q=SHOW+DATABASES", {**V3_TOKEN, "Accept":
                                                    "application/x-msgpack"}, None, 400,
                 id="msgpack-not-served"),
    pytest.param("GET", "/query?q=SHOW+DATABASES&u=any&p=fake-v3-token", {}, None, 200,
                 id="token-as-password"),
    pytest.param("GET", "/health", {}, None, 401, id="health-needs-the-token"),
])
def test_fake_v3_contract(fake_v3: FakeInfluxDB3, method: str, target: str,
                          headers: dict[str, str], body: bytes | None, status: int) -> None:
    answered, document = call(fake_v3.url + target, method, body, headers)
    assert answered == status
    if status >= 400:
        assert isinstance(document, dict)
        assert set(document) == {"error", "data"} and document["error"]
    if "accept_partial=false" in target:  # the good line was not kept either
        assert "strict" not in fake_v3.lines and "strict" not in fake_v3.databases
