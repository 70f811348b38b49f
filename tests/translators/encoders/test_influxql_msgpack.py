"""1.6.7's MessagePack answers, byte for byte, and as the v1 Python client reads them."""

from __future__ import annotations

import json
from collections.abc import Callable

import msgpack
import pytest
from influxdb.client import _msgpack_parse_hook

from translators.encoders.influxql_json import encode_json
from translators.encoders.influxql_msgpack import (
    encode_msgpack,
    encode_msgpack_chunks,
    encode_msgpack_error,
)
from translators.influxql.results import Series, StatementResult

from . import influxql_results as R


@pytest.mark.parametrize(("golden", "build", "epoch"), [
    pytest.param("select.msgpack", R.select, None, id="time-extension-and-values"),
    pytest.param("multi.msgpack", R.multi, None, id="empty-series-and-bare-error"),
    pytest.param("shows.msgpack", R.shows, None, id="messages-and-nameless-series"),
    pytest.param("ints.msgpack", R.ints, "ns", id="signed-integer-widths"),
])
def test_unchunked_matches_golden(golden: str, build: Callable[[], list[StatementResult]],
                                  epoch: str | None) -> None:
    assert encode_msgpack(build(), epoch=epoch) == R.golden(golden)


def test_chunked_matches_golden() -> None:
    results, kinds = R.chunk_input()
    body = b"".join(encode_msgpack_chunks(results, chunk_size=2, chunking=kinds))
    assert body == R.golden("chunked.msgpack")


def test_request_error() -> None:
    message = "error parsing query: found EOF, expected identifier at line 1, char 15"
    assert encode_msgpack_error(message) == R.golden("error.msgpack")


def _client_view(body: bytes) -> object:
    return msgpack.unpackb(body, ext_hook=_msgpack_parse_hook, raw=False)


def test_the_v1_client_reads_what_json_gives() -> None:
    results = [StatementResult(0, R.cpu_by_host()[:2])]
    decoded: dict = _client_view(encode_msgpack(results))  # type: ignore[assignment]
    expected = json.loads(encode_json(results))
    times = [row.pop(0) for s in decoded["results"][0]["series"] for row in s["values"]]
    for s in expected["results"][0]["series"]:
        for row in s["values"]:
            row.pop(0)
    assert decoded == expected
    # The client renders the time extension itself, to the microsecond.
    assert times == ["2024-01-01T00:00:00Z", "2024-01-01T00:00:00.500000Z",
                     "2024-01-01T00:00:01.123457Z", "2024-01-01T00:00:02Z",
                     "2024-01-01T00:00:03.000100Z"]


def test_the_v1_client_cannot_read_times_before_1970_from_the_real_server_either() -> None:
    # It unpacks the seconds as unsigned (">QI"), so 1.6.7's own answer breaks it too.
    with pytest.raises(OverflowError):
        _client_view(R.golden("select.msgpack"))


def test_times_before_1970_floor_their_seconds() -> None:
    series = Series("m", ["time"], [[-1500000000], [None]], has_time=True)
    body = encode_msgpack([StatementResult(0, [series])])
    assert b"\xc7\x0c\x05\xff\xff\xff\xff\xff\xff\xff\xfe\x1d\xcd\x65\x00" in body
    assert body.endswith(b"\x91\xc0")


@pytest.mark.parametrize(("value", "packed"), [
    (127, b"\x7f"), (128, b"\xd1\x00\x80"), (32768, b"\xd2\x00\x00\x80\x00"),
    (2**31, b"\xd3\x00\x00\x00\x00\x80\x00\x00\x00"), (-33, b"\xd0\xdf"),
    (2**64 - 1, b"\xcf" + b"\xff" * 8), (True, b"\xc3"), (1.0, b"\xcb?\xf0" + b"\x00" * 6),
])
def test_values(value: object, packed: bytes) -> None:
    series = Series("", ["v"], [[value]])
    assert encode_msgpack([StatementResult(0, [series])]).endswith(b"\x91\x91" + packed)
