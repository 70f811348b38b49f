"""Reads of a database sharded by series over two real InfluxDB 1.6.7 servers, compared with a
third 1.6.7 that holds all the data.

One gateway serves both: database `sharded` is a `shard_by = "series"` route over servers a and
b, database `whole` a single route to server c. The same points are written to both through the
gateway; every statement must then answer the same from `sharded` as from `whole`, in v1 JSON,
CSV and MessagePack and in /api/v3/query_influxql's JSON and CSV.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterator

import msgpack
import pytest

from tests.support.gateway_process import GatewayProcess, gateway_process
from tests.support.influxd import Influxd, InfluxdMissing, influxd
from tests.support.required import unavailable
from tests.upstream.test_influxdb1_routes import _http, query, write

BASE = 1_600_000_000  # seconds
START, END = f"{BASE}s", f"{BASE + 600}s"
WINDOW = f"time >= {START} AND time < {END}"


def points() -> bytes:
    """Twelve series over two measurements; every point at its own second, so that no two
    rows of one answer share a time (1.x orders such ties by no fixed rule)."""
    keys = [f"cpu,host=h{i},region={'eu' if i % 2 else 'us'}" for i in range(6)]
    keys += ["cpu,host=h6", "cpu,host=h7"]  # no region
    keys += [f"mem,host=h{i}" for i in range(4)]
    lines = []
    for step in range(40):
        for index, key in enumerate(keys):
            time = BASE + step * len(keys) + index
            value = (step * 7 + index * 3) % 23
            usage = ((step + index) % 9) / 2  # halves: sums are exact in float64
            extra = f",temp={step}i" if key.endswith("h6") else ""
            lines.append(f"{key} value={value}i,usage={usage}{extra} {time}")
    return "\n".join(lines).encode()


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GatewayProcess]:
    servers: list[Influxd] = []
    try:
        for name in "abc":
            servers.append(influxd(tmp_path_factory.mktemp(f"influxd-{name}")).start())
    except InfluxdMissing as exc:
        unavailable(str(exc))
    lines = []
    for name, server in zip("abc", servers, strict=True):
        lines += ["[[upstreams]]", f'name = "{name}"', 'type = "influxdb1"',
                  f'url = "{server.url}"', "timeout_seconds = 10.0"]
    lines += ["[[routes]]", 'database = "sharded"', 'mode = "shard"', 'shard_by = "series"',
              'targets = ["a", "b"]',
              "[[routes]]", 'database = "whole"', 'mode = "single"', 'targets = ["c"]']
    config = tmp_path_factory.mktemp("config") / "gateway.toml"
    config.write_text("\n".join(lines) + "\n")
    process = gateway_process(tmp_path_factory.mktemp("gw") / "data", config).start()
    try:
        body = points()
        for database in ("sharded", "whole"):
            assert query(process.url, f"CREATE DATABASE {database}", method="POST")[0] == 200
            assert write(process.url, database, body, precision="s") == (204, b"")
        # Both shards hold part of the series, none of them all.
        held = [_series(server.url, database)
                for server, database in zip(servers, ("sharded", "sharded", "whole"),
                                            strict=True)]
        assert held[0] and held[1] and not held[0] & held[1]
        assert held[0] | held[1] == held[2] and len(held[2]) == 12
        yield process
    finally:
        process.stop()
        for server in servers:
            server.stop()


def _series(url: str, database: str) -> set[str]:
    status, _, body = query(url, "SHOW SERIES", database=database)
    assert status == 200, body
    series = json.loads(body)["results"][0].get("series", [])
    return {row[0] for s in series for row in s["values"]}


def v1(gateway: GatewayProcess, database: str, text: str, accept: str | None = None,
       **params: str) -> tuple[int, str, bytes]:
    return query(gateway.url, text, database=database, accept=accept, **params)


def v3(gateway: GatewayProcess, database: str, text: str, fmt: str) -> tuple[int, bytes]:
    encoded = urllib.parse.urlencode({"db": database, "q": text, "format": fmt})
    status, _, body = _http("GET", f"{gateway.url}/api/v3/query_influxql?{encoded}")
    return status, body


MERGED = [
    # Raw rows: one series merged by time, LIMIT/OFFSET after the merge.
    "SELECT * FROM cpu",
    f"SELECT value, usage FROM cpu WHERE {WINDOW} LIMIT 7 OFFSET 5",
    "SELECT value FROM cpu ORDER BY time DESC LIMIT 9 OFFSET 2",
    "SELECT value * 2 AS doubled, abs(usage) FROM cpu WHERE usage > 2",
    "SELECT value FROM cpu, mem GROUP BY host LIMIT 3 SLIMIT 2 SOFFSET 1",
    # Raw rows grouped by some tags: series spread over shards, merged per series.
    "SELECT value FROM cpu GROUP BY region LIMIT 4 OFFSET 1",
    "SELECT * FROM cpu GROUP BY host LIMIT 2 SLIMIT 3 SOFFSET 2",
    # Series whole on one shard: GROUP BY * or every tag key.
    "SELECT * FROM /.*/ GROUP BY * ORDER BY time DESC LIMIT 2",
    "SELECT * FROM mem GROUP BY * ORDER BY time DESC LIMIT 2 SLIMIT 2 SOFFSET 1",
    f"SELECT mean(usage), spread(value) FROM cpu WHERE {WINDOW} GROUP BY time(1m), *",
    f"SELECT derivative(mean(value), 1m) FROM cpu WHERE {WINDOW} "
    "GROUP BY time(2m), host, region fill(0)",
    "SELECT top(value, 2) FROM cpu GROUP BY host, /reg/ ORDER BY time DESC",
    "SELECT median(usage), mode(value) FROM cpu GROUP BY region, host",
    "SELECT last(value) FROM mem GROUP BY host SLIMIT 2",
    # Aggregates combined from the shards' partial ones.
    "SELECT count(value), sum(value), min(usage), max(usage), mean(value) FROM cpu",
    f"SELECT count(value) FROM cpu WHERE {WINDOW} AND value > 10 GROUP BY time(1m) fill(none)",
    f"SELECT sum(usage), mean(usage) FROM cpu WHERE {WINDOW} GROUP BY time(1m), region",
    f"SELECT mean(value) AS m, max(value), max(usage) FROM cpu, mem WHERE {WINDOW} "
    "GROUP BY time(2m) ORDER BY time DESC LIMIT 3 OFFSET 1 SLIMIT 1",
    "SELECT max(value) FROM cpu",
    "SELECT min(usage) FROM cpu GROUP BY region",
    # Metadata: the union.
    "SHOW MEASUREMENTS",
    "SHOW MEASUREMENTS LIMIT 1 OFFSET 1",
    "SHOW TAG KEYS",
    "SHOW TAG KEYS LIMIT 1 SLIMIT 1 SOFFSET 1",
    'SHOW TAG VALUES WITH KEY = "host"',
    'SHOW TAG VALUES FROM cpu WITH KEY IN ("host", "region") LIMIT 5 OFFSET 2',
    "SHOW FIELD KEYS",
    "SHOW SERIES",
    "SHOW SERIES FROM cpu WHERE region = 'eu' LIMIT 2 OFFSET 1",
    "SELECT count(value) FROM mem; SHOW TAG KEYS FROM mem; SELECT value FROM mem LIMIT 2",
    # SLIMIT/SOFFSET pick series in 1.x's tag-set order: h6 and h7 (no region) come first
    # under GROUP BY host, region, though they are answered after h0 and in tag-value order.
    "SELECT value FROM cpu GROUP BY host, region LIMIT 1 SLIMIT 3",
    "SELECT last(value) FROM cpu GROUP BY host, region ORDER BY time DESC SLIMIT 3 SOFFSET 1",
    "SELECT * FROM /.*/ GROUP BY * LIMIT 1 SLIMIT 2 SOFFSET 1",
    f"SELECT max(usage) FROM cpu WHERE {WINDOW} GROUP BY time(5m), host, region SLIMIT 4",
    # now(): one instant for every shard, written into the statement.
    "SELECT value FROM cpu WHERE time <= now() AND host = 'h3' LIMIT 3",
    "SELECT count(value), mean(usage) FROM cpu WHERE time > now() - 3650d "
    "GROUP BY time(3650d)",
    "SELECT last(value) FROM cpu WHERE time < now() + 1h GROUP BY *",
    # Statements that read no series go to the first shard, between merged ones.
    "SHOW RETENTION POLICIES; SELECT count(value) FROM cpu; SHOW RETENTION POLICIES; "
    "SHOW MEASUREMENTS",
]


@pytest.mark.parametrize("text", MERGED)
def test_sharded_answers_equal_one_server_holding_everything(gateway, text: str) -> None:
    status, kind, body = v1(gateway, "sharded", text)
    expected = v1(gateway, "whole", text)
    assert (status, kind) == expected[:2], body
    answer, reference = json.loads(body), json.loads(expected[2])
    assert "error" not in json.dumps(reference)
    assert all(r.get("series") for r in reference["results"]), reference  # answers rows
    assert answer == reference


def _between(first: int, last: int) -> str:
    return f"time >= {BASE + first}s AND time < {BASE + last}s"


# Time ranges that leave some series without a point: 1.x still counts them for SLIMIT and
# SOFFSET, as its index lists them (cpu h0-h7 write at seconds 0-7 of each 12, mem h0-h3 8-11).
PAGED = [
    f"SELECT value FROM cpu WHERE {_between(3, 6)} GROUP BY host SLIMIT 3 SOFFSET 2",
    f"SELECT * FROM cpu WHERE {_between(3, 6)} GROUP BY * ORDER BY time DESC SLIMIT 3 SOFFSET 4",
    f"SELECT count(value), max(usage) FROM cpu, mem WHERE {_between(5, 10)} GROUP BY host "
    "SLIMIT 2 SOFFSET 4",
    f"SELECT value FROM cpu WHERE {_between(0, 6)} AND value > 3 AND region = 'eu' "
    "GROUP BY host SLIMIT 2 SOFFSET 1",
    f"SELECT usage FROM cpu WHERE {_between(0, 30)} AND (host = 'h1' OR usage > 100) "
    "GROUP BY host, region LIMIT 1 SLIMIT 3 SOFFSET 1",
    f"SELECT mean(usage) FROM cpu WHERE {_between(0, 180)} GROUP BY time(1m), * fill(0) "
    "SLIMIT 2 SOFFSET 1",
    f"SELECT value FROM cpu, mem WHERE {_between(6, 10)} GROUP BY host SLIMIT 6 SOFFSET 1",
]


@pytest.mark.parametrize("text", PAGED)
def test_series_paging_counts_series_without_points(gateway, text: str) -> None:
    status, _, body = v1(gateway, "sharded", text)
    expected = json.loads(v1(gateway, "whole", text)[2])
    assert status == 200 and expected["results"][0].get("series"), expected
    assert json.loads(body) == expected


@pytest.mark.parametrize("text", [
    "SELECT value FROM cpu GROUP BY host SOFFSET 1",
    "SELECT * FROM /.*/ GROUP BY * LIMIT 1 SOFFSET 2",
    "SELECT count(value) FROM cpu, mem GROUP BY host SOFFSET 3",
])
def test_soffset_without_slimit_answers_no_series(gateway, text: str) -> None:
    status, _, body = v1(gateway, "sharded", text)
    expected = json.loads(v1(gateway, "whole", text)[2])
    assert expected == {"results": [{"statement_id": 0}]}  # 1.x pages no tag set
    assert (status, json.loads(body)) == (200, expected)


FORMATS = [
    f"SELECT value, usage FROM cpu WHERE {WINDOW} LIMIT 7 OFFSET 5",
    f"SELECT mean(usage), spread(value) FROM cpu WHERE {WINDOW} GROUP BY time(1m), *",
    f"SELECT sum(usage), mean(usage) FROM cpu WHERE {WINDOW} GROUP BY time(1m), region",
    'SHOW TAG VALUES WITH KEY = "host"',
]


@pytest.mark.parametrize("text", FORMATS)
def test_sharded_answers_in_every_format(gateway, text: str) -> None:
    for params in ({"epoch": "s"}, {"chunked": "true", "chunk_size": "3"}, {"pretty": "true"}):
        via, direct = v1(gateway, "sharded", text, **params), v1(gateway, "whole", text, **params)
        assert via[:2] == direct[:2]
        if params.get("chunked"):
            assert via[2].splitlines() and via[2].count(b"\n") == direct[2].count(b"\n")
        assert _chunks(via[2]) == _chunks(direct[2]), params
    via, direct = (v1(gateway, db, text, "application/csv") for db in ("sharded", "whole"))
    assert via[:2] == direct[:2] and via[2] == direct[2]
    via, direct = (v1(gateway, db, text, "application/x-msgpack") for db in ("sharded", "whole"))
    assert via[:2] == direct[:2]
    assert _unpacked(via[2]) == _unpacked(direct[2])
    for fmt in ("json", "csv"):
        via3, direct3 = v3(gateway, "sharded", text, fmt), v3(gateway, "whole", text, fmt)
        assert via3[0] == direct3[0] == 200, via3
        assert via3[1] == direct3[1] and via3[1].strip(b"[]\n")


def _chunks(body: bytes) -> list[object]:
    decoder, text, out, pos = json.JSONDecoder(), body.decode(), [], 0
    while pos < len(text.rstrip()):
        document, pos = decoder.raw_decode(text, pos)
        out.append(document)
        while pos < len(text) and text[pos].isspace():
            pos += 1
    return out


def _unpacked(body: bytes) -> list[object]:
    unpacker = msgpack.Unpacker(raw=False, strict_map_key=False)
    unpacker.feed(body)
    return list(unpacker)


REFUSED = [
    ("SELECT median(value) FROM cpu", "median(value)"),
    ("SELECT count(value) FROM cpu GROUP BY time(1m) fill(previous)", "fill(previous)"),
    ("SELECT max(value), host FROM cpu", "host"),
    ("SELECT spread(value) FROM cpu GROUP BY host", "spread(value)"),
    ("SHOW SERIES CARDINALITY", "CARDINALITY"),
    ("SELECT sum(n) FROM (SELECT value AS n FROM cpu)", "subqueries"),
]


@pytest.mark.parametrize(("text", "named"), REFUSED)
def test_statements_that_cannot_be_merged_exactly_are_refused(gateway, text: str,
                                                              named: str) -> None:
    status, _, body = v1(gateway, "sharded", text)
    assert status == 200
    (result,) = json.loads(body)["results"]
    assert result == {"statement_id": 0, "error": result["error"]}
    assert "shard" in result["error"] and named in result["error"]
    status, body3 = v3(gateway, "sharded", text, "json")
    assert status == 400 and named in json.loads(body3)["error"]


def test_statements_after_a_refused_one_are_not_run(gateway) -> None:
    """A refused statement fails as 1.x's statements fail: its error, then "not executed"
    for each after it, under its id; unchunked, 1.x keeps an id's last result, so the notice
    stands in the error's place (alone, or last, the error shows)."""
    text = "SELECT count(value) FROM cpu; SELECT mode(value) FROM cpu; SHOW MEASUREMENTS"
    body = v1(gateway, "sharded", text, chunked="true")[2]
    results = [json.loads(line)["results"][0] for line in body.splitlines()]
    assert [r["statement_id"] for r in results] == [0, 1, 1]
    assert results[0]["series"][0]["values"][0][1] == 320
    assert "mode(value)" in results[1]["error"]
    assert results[2] == {"statement_id": 1, "error": "not executed"}
    results = json.loads(v1(gateway, "sharded", text)[2])["results"]
    assert results[1:] == [{"statement_id": 1, "error": "not executed"}]
    results = json.loads(v1(gateway, "sharded", text.rpartition(";")[0])[2])["results"]
    assert [r["statement_id"] for r in results] == [0, 1]
    assert "mode(value)" in results[1]["error"]


def test_delete_reaches_every_shard(gateway) -> None:
    body = "\n".join(f"gone,host=g{i} value={i}i {BASE + i}" for i in range(12)).encode()
    assert write(gateway.url, "sharded", body, precision="s") == (204, b"")

    def count() -> object:
        answer = json.loads(v1(gateway, "sharded", "SELECT count(value) FROM gone")[2])
        return answer["results"][0].get("series", [{}])[0].get("values")

    assert count() == [[0, 12]] or count() == [["1970-01-01T00:00:00Z", 12]]
    status, _, answer = query(gateway.url, "DELETE FROM gone WHERE host =~ /^g/",
                              database="sharded", method="POST")
    assert (status, json.loads(answer)) == (200, {"results": [{"statement_id": 0}]})
    assert count() is None
