"""v1 /write against a real InfluxDB 1.6.7: request parameters (db, rp, precision spellings)
and the deliberate deviations, each with both servers' answers pinned (README lists them).
"""

from __future__ import annotations

import gzip
import json
import urllib.error
import urllib.parse
import urllib.request

import pytest

from tests.oracle.write_support import (
    both,
    create,
    fresh_database,
    gateway_rows,
    post,
    query,
)
from tests.support.gateway_process import GatewayProcess
from tests.support.influxd import Influxd

pytestmark = pytest.mark.slow


def test_missing_database_parameter(influxdb1: Influxd, gateway: GatewayProcess) -> None:
    assert post(f"{gateway.url}/write", b"m v=1") == post(f"{influxdb1.url}/write", b"m v=1")


@pytest.mark.parametrize(("setup", "rp", "expected"), [
    pytest.param("", "nope", (500, '{"error":"retention policy not found: nope"}\n'),
                 id="unknown"),
    pytest.param("CREATE RETENTION POLICY kept ON {db} DURATION INF REPLICATION 1", "kept",
                 (204, ""), id="created"),
    pytest.param("DROP RETENTION POLICY autogen ON {db}", "",
                 (500, '{"error":"retention policy not found: autogen"}\n'),
                 id="default-dropped"),
])
def test_retention_policy_parameter(influxdb1: Influxd, gateway: GatewayProcess, setup: str,
                                    rp: str, expected: tuple[int, str]) -> None:
    """Points go to the named (or default) policy, which must exist. 1.x answers a missing
    one with 500; the gateway gives the same body with 404 (a deliberate deviation: never
    500 to bad input)."""
    database = fresh_database()
    answers = []
    for base in (influxdb1.url, gateway.url):
        create(base, database)
        if setup:
            query(base, setup.format(db=database))
        answers.append(post(f"{base}/write?db={database}&rp={rp}", b"m v=1 1"))
    assert answers[0] == expected
    gateway_expected = (404, expected[1]) if expected[0] == 500 else expected
    assert answers[1] == gateway_expected
    if expected[0] == 204:
        assert gateway_rows(gateway, database, "m") == 1


def _altered(data: bytes, index: int, value: int) -> bytes:
    changed = bytearray(data)
    changed[index] = value
    return bytes(changed)


_GZIP = gzip.compress(b"m v=1 1\n" * 50)


@pytest.mark.parametrize(("body", "expected"), [
    pytest.param(b"", "EOF", id="empty"),
    pytest.param(b"not gzip at all", "gzip: invalid header", id="not-gzip"),
    pytest.param(_GZIP[:5], "unexpected EOF", id="header-cut"),
    pytest.param(_GZIP[:-6], "unexpected EOF", id="data-cut"),
    pytest.param(_GZIP + b"xyz", "unexpected EOF", id="trailing-short"),
    pytest.param(_GZIP + b"x" * 20, "gzip: invalid header", id="trailing-junk"),
    pytest.param(_altered(_GZIP, 3, 0xFF), "unexpected EOF", id="every-flag"),
    pytest.param(_altered(_GZIP, len(_GZIP) - 6, _GZIP[-6] ^ 1), "gzip: invalid checksum",
                 id="crc"),
    pytest.param(_altered(_GZIP, len(_GZIP) - 2, _GZIP[-2] ^ 1), "gzip: invalid checksum",
                 id="size"),
    # Go adds where it stopped ("flate: corrupt input before offset 1"); zlib does not say
    pytest.param(_altered(_GZIP, 10, 0x07), "flate: corrupt input", id="not-deflate"),
])
def test_bad_gzip_bodies(influxdb1: Influxd, gateway: GatewayProcess, body: bytes,
                         expected: str) -> None:
    """A gzip body that cannot be read is a 400 in the words of Go's gzip reader."""
    database = fresh_database()
    answers = []
    for base in (influxdb1.url, gateway.url):
        create(base, database)
        answers.append(post(f"{base}/write?db={database}", body,
                            {"Content-Encoding": "gzip"}))
    assert answers[1] == (400, json.dumps({"error": expected}, separators=(",", ":")) + "\n")
    assert answers[0][0] == 400 and json.loads(answers[0][1])["error"].startswith(expected)


# Deliberate deviations, each with both answers pinned (README lists them).
DEVIATIONS = [
    pytest.param(b"cpu v=5u", "", (400, "unable to parse 'cpu v=5u': invalid number"),
                 (204, ""), id="unsigned-supported"),
    pytest.param(b"cpu v=1\r\ncpu v=2\r\n", "",
                 (400, "unable to parse 'cpu v=1\\r': invalid number\\nunable to parse "
                       "'cpu v=2\\r': invalid number"), (204, ""), id="crlf-accepted"),
    pytest.param(b"cpu,a=x a=1", "", (204, ""),
                 (400, "unable to parse 'cpu,a=x a=1': field \\\"a\\\" has the name of a tag "
                       "of the same point"), id="tag-and-field-same-name"),
    pytest.param(b'cpu v="a"b', "", (204, ""),
                 (400, "unable to parse 'cpu v=\\\"a\\\"b': invalid field format"),
                 id="text-after-string"),
    # 1.x stores `a"\t` at the time of the write: the value runs to the next space
    pytest.param(b'cpu v="a"\t1', "", (204, ""),
                 (400, "unable to parse 'cpu v=\\\"a\\\"\\t1': invalid field format"),
                 id="tab-after-string"),
    # 1.x looks for a space before the `=`: after a tab it stores a field named "" (val0)
    pytest.param(b"cpu \t=1 1", "", (204, ""),
                 (400, "unable to parse 'cpu \\t=1 1': missing field key"),
                 id="empty-field-key-after-tab"),
    pytest.param(b"cpu f\\\\=1,b=2 5", "", (204, ""),
                 (400, "unable to parse 'cpu f\\\\\\\\=1,b=2 5': invalid field format"),
                 id="field-key-taking-in-the-next-field"),
    pytest.param(b"m v=1", "&precision=xx", (204, ""),
                 (400, "invalid precision 'xx': expected one of n, ns, u, µ, us, ms, s, "
                       "m, h"), id="unknown-precision"),
]


@pytest.mark.parametrize(("body", "query", "influx", "ours"), DEVIATIONS)
def test_deliberate_deviations(influxdb1: Influxd, gateway: GatewayProcess, body: bytes,
                               query: str, influx: tuple[int, str],
                               ours: tuple[int, str]) -> None:
    _, influx_answer, our_answer = both(influxdb1, gateway, body, query=query)

    def expected(answer: tuple[int, str]) -> tuple[int, str]:
        status, message = answer
        return status, f'{{"error":"{message}"}}\n' if message else ""

    assert influx_answer == expected(influx)
    assert our_answer == expected(ours)


@pytest.mark.parametrize("precision", ["us", "%C2%B5"])
def test_microsecond_spellings(influxdb1: Influxd, gateway: GatewayProcess,
                               precision: str) -> None:
    """1.6.7 knows only `u` for microseconds and reads `us` and `µ` as nanoseconds; the
    gateway reads all three as microseconds, as InfluxDB 2 and 3 read `us` (README)."""
    database, influx, ours = both(influxdb1, gateway, b"m v=1 1",
                                  query=f"&precision={precision}")
    assert influx == ours == (204, "")

    def stored(base: str) -> object:
        url = f"{base}/query?" + urllib.parse.urlencode(
            {"db": database, "q": "SELECT * FROM m", "epoch": "ns"})
        with urllib.request.urlopen(url, timeout=10) as response:
            return json.load(response)["results"][0]["series"][0]["values"]

    assert stored(influxdb1.url) == [[1, 1]]
    assert stored(gateway.url) == [[1000, 1]]


@pytest.mark.parametrize("escaped", [",x=y", " x", "=x", '"x'])
def test_measurement_with_a_backslash_before_an_escaped_character(
        influxdb1: Influxd, gateway: GatewayProcess, escaped: str) -> None:
    """`C:\\\\,x=y`: 1.x accepts it, lists it as `C:,x=y` and returns nothing under either
    name; the gateway keeps the name 1.x's write path reads (`C:\\,x=y`), readable (README).
    The same for an escaped space, `=` or quote."""
    database, influx, ours = both(influxdb1, gateway, f"C:\\\\{escaped} f=1 1".encode())
    assert influx == ours == (204, "")

    def answer(base: str, statement: str) -> object:
        url = f"{base}/query?" + urllib.parse.urlencode({"db": database, "q": statement})
        with urllib.request.urlopen(url, timeout=10) as response:
            return json.load(response)["results"][0].get("series")

    def quoted(name: str) -> str:
        return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'

    listed, kept = f"C:{escaped}", f"C:\\{escaped}"
    assert answer(influxdb1.url, "SHOW MEASUREMENTS")[0]["values"] == [[listed]]
    for name in (listed, kept):
        assert answer(influxdb1.url, f"SELECT * FROM {quoted(name)}") is None
    assert answer(gateway.url, "SHOW MEASUREMENTS")[0]["values"] == [[kept]]
    assert answer(gateway.url, f"SELECT * FROM {quoted(kept)}")[0]["values"] == [
        ["1970-01-01T00:00:00.000000001Z", 1]]


def test_series_written_with_and_without_an_escaped_quote(influxdb1: Influxd,
                                                          gateway: GatewayProcess) -> None:
    """`a\\"b` and `a"b` name one measurement, and with the same tags one series, as 1.x's
    index lists them; 1.6.7 reads back only the points of the spelling that wrote the series
    first, the gateway every point (README)."""
    body = b'a\\"b,t=x v=1 1\na"b,t=x v=2 2\na"b,t=y v=3 3'
    database, influx, ours = both(influxdb1, gateway, body)
    assert influx == ours == (204, "")

    def answer(base: str, statement: str) -> object:
        url = f"{base}/query?" + urllib.parse.urlencode(
            {"db": database, "q": statement, "epoch": "ns"})
        with urllib.request.urlopen(url, timeout=10) as response:
            return json.load(response)["results"][0]["series"]

    listed = answer(influxdb1.url, "SHOW SERIES")
    assert listed[0]["values"] == [['a"b,t=x'], ['a"b,t=y']]
    assert answer(gateway.url, "SHOW SERIES") == listed
    select = 'SELECT v FROM "a\\"b" GROUP BY t'
    assert [s["values"] for s in answer(influxdb1.url, select)] == [[[1, 1]], [[3, 3]]]
    assert [s["values"] for s in answer(gateway.url, select)] == [[[1, 1], [2, 2]], [[3, 3]]]


def test_refusals_in_several_shard_groups(influxdb1: Influxd, gateway: GatewayProcess) -> None:
    """1.6.7 writes each shard group (7 days) on its own and answers with the refusals of
    whichever group's write failed first, counting only those; the gateway names the first
    refusal and counts them all (README)."""
    body = b"cpu,time=a v=1 1\nmem,time=b v=1 1500000000000000000"
    _, influx, ours = both(influxdb1, gateway, body)

    def refused(measurement: str, dropped: int) -> tuple[int, str]:
        return 400, ('{"error":"partial write: invalid tag key: input tag \\"time\\" on '
                     f'measurement \\"{measurement}\\" is invalid dropped={dropped}"}}\n')

    assert influx in (refused("cpu", 1), refused("mem", 1))
    assert ours == refused("cpu", 2)


def test_unknown_database_is_created(influxdb1: Influxd, gateway: GatewayProcess) -> None:
    """1.x answers 404; the gateway creates it, as InfluxDB 3 does (configurable)."""
    assert post(f"{influxdb1.url}/write?db=never_created", b"m v=1") == (
        404, '{"error":"database not found: \\"never_created\\""}\n')
    assert post(f"{gateway.url}/write?db=never_created", b"m v=1") == (204, "")
