"""Run one InfluxQL case against InfluxDB 1.6.7 and the gateway and describe any difference.

Shared by the pytest modules and by `python -m tests.oracle.influxql.pending --update`, so the
pending list is computed by exactly the comparison the tests make.
"""

from __future__ import annotations

import csv
import http.client
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgpack

from tests.support.gateway_process import gateway_process
from tests.support.influxd import influxd

from .compare import first_difference
from .dataset import BATCHES, Batch, slice_batch

TIMEOUT = 30
# The gateway clusters stored rows by series in windows this small (`compaction.py`), and the
# dataset is clustered before the cases run: the order rows are stored in must not change
# any answer.
CLUSTERING = {"INFLUX_GATEWAY_STORAGE_CLUSTER_SERIES": "true",
              "INFLUX_GATEWAY_STORAGE_CLUSTER_WINDOW_ROWS": "8",
              "INFLUX_GATEWAY_STORAGE_CLUSTER_PIECE_ROWS": "4",
              "INFLUX_GATEWAY_STORAGE_IDLE_CHECKPOINT_SECONDS": "0.02"}


@dataclass(frozen=True, slots=True)
class Answer:
    """One HTTP answer: status, media type (no parameters) and raw body."""

    status: int
    media_type: str
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict, compare=False)


@dataclass(frozen=True, slots=True)
class Servers:
    """Base URLs of the reference InfluxDB and the gateway under test."""

    influx: str
    gateway: str


def request(url: str, *, data: bytes | None = None,
            headers: Mapping[str, str] | None = None) -> Answer:
    """GET (or POST with `data`) and return the answer, whatever its status; a server that
    cannot be reached or drops the connection answers status 0 with the error as body, so a
    crash is a difference like any other."""
    req = urllib.request.Request(url, data=data, headers=dict(headers or {}),
                                 method="POST" if data is not None else "GET")
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT) as response:
            return Answer(response.status, _media(response.headers.get("Content-Type")),
                          response.read(), dict(response.headers))
    except urllib.error.HTTPError as exc:
        return Answer(exc.code, _media(exc.headers.get("Content-Type")), exc.read(),
                      dict(exc.headers))
    except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
        return Answer(0, "", f"{type(exc).__name__}: {exc}".encode())


def _media(content_type: str | None) -> str:
    return (content_type or "").split(";")[0].strip()


def query(base: str, statement: str, params: Mapping[str, str | None],
          headers: Mapping[str, str] | None = None, *, post: bool = False) -> Answer:
    """GET /query with `q` and the case's parameters (`None` drops a parameter); with `post`,
    POST with `q` in a form body, as clients send statements that change things."""
    fields = {k: v for k, v in params.items() if v is not None}
    if post:
        body = urllib.parse.urlencode({"q": statement}).encode()
        form = {"Content-Type": "application/x-www-form-urlencoded", **(headers or {})}
        return request(f"{base}/query?{urllib.parse.urlencode(fields)}", data=body,
                       headers=form)
    encoded = urllib.parse.urlencode({"q": statement, **fields})
    return request(f"{base}/query?{encoded}", headers=headers)


def write(base: str, batch: Batch, database: str | None = None) -> None:
    """Create the batch's database and write it; both steps must succeed."""
    name = database or batch.database
    created = request(f"{base}/query", data=urllib.parse.urlencode(
        {"q": f'CREATE DATABASE "{name}"'}).encode())
    assert created.status == 200, f"{base}: CREATE DATABASE {name}: {created}"
    written = request(f"{base}/write?db={urllib.parse.quote(name)}&precision=s",
                      data=batch.body)
    assert written.status == 204, f"{base}: write to {name}: {written}"


def load(servers: Servers) -> None:
    """Write the whole dataset to both servers."""
    for base in (servers.influx, servers.gateway):
        for batch in BATCHES:
            write(base, batch)
    clustered(servers.gateway)


def clustered(base: str) -> None:
    """Wait until the gateway has clustered every table's settled rows by series."""
    deadline = time.monotonic() + 300  # a bound for a hang, not for the work
    while True:
        answer = request(f"{base}/metrics")
        backlog = [line for line in answer.body.decode().splitlines()
                   if line.startswith("influx_gateway_native_store_clustering_backlog ")]
        assert backlog, "no clustering backlog in /metrics"
        if backlog[0].split()[1] == "0":
            return
        assert time.monotonic() < deadline, "the gateway never caught up clustering"
        time.sleep(0.02)


def decode(answer: Answer) -> Any:
    """The body as data: JSON (one object, or a list of them when chunked), msgpack, or text."""
    if answer.media_type == "application/x-msgpack":
        unpacker = msgpack.Unpacker(raw=False, strict_map_key=False)
        unpacker.feed(answer.body)
        messages = list(unpacker)  # chunked answers are a stream of maps
        return messages[0] if len(messages) == 1 else messages
    text = answer.body.decode("utf-8", errors="replace")
    if answer.media_type in ("application/csv", "text/csv"):
        return _csv_cells(text)
    if answer.media_type != "application/json":
        return text
    lines = [line for line in text.split("\n") if line.strip()]
    try:
        objects = [json.loads(line) for line in lines]
    except json.JSONDecodeError:
        return text  # e.g. 1.x's "json: unsupported value: -Inf" answered with status 200
    return objects[0] if len(objects) == 1 else objects


def _csv_cells(text: str) -> list[list[str | float]]:
    """CSV rows with each cell written as a float (a "." or an exponent) read as one, so that
    floats are compared as in JSON answers (to a relative 1e-9); every other cell, integers
    included, stays text and must match exactly."""
    def cell(value: str) -> str | float:
        if any(mark in value for mark in ".eE"):
            try:
                return float(value)
            except ValueError:
                return value
        return value

    return [[cell(value) for value in row] for row in csv.reader(text.splitlines())]


def difference(expected: Answer, actual: Answer) -> str | None:
    """Status, media type and body, in that order; `None` when the answers agree."""
    if expected.status != actual.status:
        return (f"status: {expected.status} != {actual.status}\n"
                f"  influxdb: {expected.body[:300]!r}\n  gateway:  {actual.body[:300]!r}")
    if expected.media_type != actual.media_type:
        return f"Content-Type: {expected.media_type!r} != {actual.media_type!r}"
    found = first_difference(decode(expected), decode(actual))
    if found:
        return (f"{found}\n  influxdb: {expected.body[:300]!r}\n"
                f"  gateway:  {actual.body[:300]!r}")
    return None


def compare(servers: Servers, statement: str, params: Mapping[str, str | None],
            headers: Mapping[str, str] | None = None, *, post: bool = False) -> str | None:
    """Ask both servers the same thing; describe the first difference, or `None`."""
    expected = query(servers.influx, statement, params, headers, post=post)
    actual = query(servers.gateway, statement, params, headers, post=post)
    return difference(expected, actual)


@contextmanager
def running_servers(work: Path) -> Iterator[Servers]:
    """A private InfluxDB 1.6.7 and a gateway subprocess, both stopped on exit.

    InfluxDB is our own instance rather than the session fixture so that SHOW DATABASES sees
    only this suite's databases.
    """
    reference = influxd(work / "influxd").start()
    try:
        (work / "gw").parent.mkdir(parents=True, exist_ok=True)
        gateway = gateway_process(work / "gw", **CLUSTERING).start()
        try:
            yield Servers(reference.url, gateway.url)
        finally:
            gateway.stop()
    finally:
        reference.stop()


def compare_mutation(servers: Servers, statement: str, follow_ups: list[str],
                     database: str) -> str | None:
    """Copy a slice of the dataset into `database` on both servers, POST the mutating
    `statement` there (GET with a `GET:` prefix, `db` omitted with `NODB:`), then GET the
    follow-up queries; the first difference, or `None`."""
    batch = slice_batch(database)
    for base in (servers.influx, servers.gateway):
        write(base, batch)
    params: dict[str, str | None] = {"db": database}
    post = True
    if statement.startswith("NODB:"):
        statement, params = statement.removeprefix("NODB:"), {}
    if statement.startswith("GET:"):
        statement, post = statement.removeprefix("GET:"), False
    found = compare(servers, statement.format(db=database), params, post=post)
    if found:
        return f"the statement itself: {found}"
    for number, follow_up in enumerate(follow_ups):
        text = follow_up.format(db=database)
        found = compare(servers, text, {"db": database})
        if found:
            return f"follow-up {number} ({text}): {found}"
    return None
