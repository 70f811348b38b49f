"""Helpers for the v1 /write oracle tests: the same request to InfluxDB 1.6.7 and the gateway."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from itertools import count

from tests.support.gateway_process import GatewayProcess
from tests.support.influxd import Influxd

_databases = count()


def fresh_database() -> str:
    """A database name no case has used yet (each case writes into its own)."""
    return f"oracle{next(_databases)}"


def post(url: str, body: bytes, headers: dict[str, str] | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, data=body, method="POST", headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def create(base: str, database: str) -> None:
    data = urllib.parse.urlencode({"q": f'CREATE DATABASE "{database}"'}).encode()
    status, _ = post(f"{base}/query", data)
    assert status == 200


def influx_rows(server: Influxd, database: str, measurement: str) -> int:
    url = f"{server.url}/query?" + urllib.parse.urlencode(
        {"db": database, "q": f'SELECT * FROM "{measurement}"'})
    with urllib.request.urlopen(url, timeout=10) as response:
        result = json.load(response)["results"][0]
    return sum(len(s["values"]) for s in result.get("series", []))


def gateway_rows(gateway: GatewayProcess, database: str, measurement: str) -> int:
    url = f"{gateway.url}/api/v3/query_sql?" + urllib.parse.urlencode(
        {"db": database, "q": f'SELECT count(*) AS n FROM "{measurement}"'})
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return json.load(response)[0]["n"]
    except urllib.error.HTTPError:
        return 0  # no such table: nothing was stored


def both(influxdb1: Influxd, gateway: GatewayProcess, body: bytes, setup: bytes = b"",
         query: str = "") -> tuple[str, tuple[int, str], tuple[int, str]]:
    database = fresh_database()
    answers = []
    for base in (influxdb1.url, gateway.url):
        create(base, database)
        if setup:
            assert post(f"{base}/write?db={database}", setup)[0] == 204
        answers.append(post(f"{base}/write?db={database}{query}", body))
    return database, answers[0], answers[1]


def select_all(base: str, database: str, source: str = '"cpu"') -> object:
    url = f"{base}/query?" + urllib.parse.urlencode(
        {"db": database, "q": f"SELECT * FROM {source} GROUP BY *"})
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)


def post_as(url: str, body: bytes, accept: str) -> tuple[int, str | None, bytes]:
    request = urllib.request.Request(url, data=body, method="POST", headers={"Accept": accept})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, None, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Content-Type"), exc.read()


def query(base: str, statement: str) -> None:
    status, body = post(f"{base}/query", urllib.parse.urlencode({"q": statement}).encode())
    assert (status, "error" in body) == (200, False), body
