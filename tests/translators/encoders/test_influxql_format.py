"""Choosing 1.x's answer format from Accept, as 1.6.7 does, and dispatching to its encoder."""

from __future__ import annotations

import pytest

from translators.encoders.influxql_format import (
    V1Format,
    encode_v1,
    encode_v1_chunks,
    encode_v1_error,
    negotiate_v1_format,
    parse_chunk_size,
)

from . import influxql_results as R


@pytest.mark.parametrize(("accept", "fmt"), [
    (None, V1Format.JSON), ("", V1Format.JSON), ("*/*", V1Format.JSON),
    ("application/json", V1Format.JSON), ("text/csv", V1Format.CSV),
    ("application/csv", V1Format.CSV), ("application/x-msgpack", V1Format.MSGPACK),
    (" text/csv \t", V1Format.CSV), ("text/plain", V1Format.JSON),
    ("application/xml", V1Format.JSON), ("TEXT/CSV", V1Format.JSON),
    ("text/csv; charset=utf-8", V1Format.JSON), ("text/csv,", V1Format.JSON),
    ("application/csv;q=0", V1Format.JSON), ("text/html, text/csv", V1Format.JSON),
    ("application/json;q=0.1, text/csv", V1Format.JSON),
    ("application/x-msgpack, application/json", V1Format.JSON),
])
def test_accept_is_compared_whole(accept: str | None, fmt: V1Format) -> None:
    assert negotiate_v1_format(accept) is fmt


def test_content_types() -> None:
    assert [f.content_type for f in V1Format] == [
        "application/json", "text/csv", "application/x-msgpack"]


@pytest.mark.parametrize(("text", "size"), [
    (None, 10000), ("", 10000), ("2", 2), ("+7", 7), ("0", 10000), ("-3", 10000),
    (" 5", 10000), ("1_000", 10000), ("x", 10000), (str(2**63), 10000),
])
def test_chunk_size(text: str | None, size: int) -> None:
    assert parse_chunk_size(text) == size


def test_dispatch() -> None:
    results, kinds = R.chunk_input()
    for fmt, suffix in [(V1Format.JSON, "json"), (V1Format.CSV, "csv"),
                        (V1Format.MSGPACK, "msgpack")]:
        body = b"".join(encode_v1_chunks(results, fmt, chunk_size=2, chunking=kinds))
        assert body == R.golden(f"chunked.{suffix}")
    assert encode_v1(R.select(), V1Format.MSGPACK) == R.golden("select.msgpack")
    assert encode_v1(R.multi(), V1Format.JSON, pretty=True) == R.golden("multi-pretty.json")
    assert encode_v1(R.select(), V1Format.CSV, epoch="s") == R.golden("select-epoch-s.csv")
    message = "error parsing query: found EOF, expected identifier at line 1, char 15"
    assert encode_v1_error(message, V1Format.CSV) == R.golden("error.csv")
    assert encode_v1_error(message, V1Format.JSON, pretty=True) == R.golden("error-pretty.json")
