"""Which 1.x `/query` answer format a request gets, its Content-Type, and one entry per format.

Observed on 1.6.7: the `Accept` header value (the first header, trimmed of spaces and tabs as Go's
net/http does) is compared whole and case-sensitively: `application/csv` and `text/csv` give
CSV, `application/x-msgpack` gives MessagePack, anything else — absent, `*/*`, lists,
parameters (`text/csv; charset=utf-8`), q-values, `TEXT/CSV` — gives JSON. The Content-Type
carries no charset and is the same for errors; a `format` query parameter is ignored.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Iterator, Sequence

from translators.influxql.results import StatementResult

from .influxql_chunks import DEFAULT_CHUNK_SIZE, ChunkingMap
from .influxql_csv import encode_csv, encode_csv_chunks, encode_csv_error
from .influxql_json import encode_json, encode_json_chunks, encode_json_error
from .influxql_msgpack import encode_msgpack, encode_msgpack_chunks, encode_msgpack_error


class V1Format(enum.StrEnum):
    JSON = "json"
    CSV = "csv"
    MSGPACK = "msgpack"

    @property
    def content_type(self) -> str:
        return V1_CONTENT_TYPES[self]


V1_CONTENT_TYPES: dict[V1Format, str] = {
    V1Format.JSON: "application/json",
    V1Format.CSV: "text/csv",
    V1Format.MSGPACK: "application/x-msgpack",
}

_ACCEPTED: dict[str, V1Format] = {
    "application/csv": V1Format.CSV,
    "text/csv": V1Format.CSV,
    "application/x-msgpack": V1Format.MSGPACK,
}
_GO_INT = re.compile(r"[+-]?[0-9]+")


def negotiate_v1_format(accept: str | None) -> V1Format:
    """1.6.7's choice of answer format from the (first) `Accept` header."""
    return _ACCEPTED.get((accept or "").strip(" \t"), V1Format.JSON)


def parse_chunk_size(text: str | None) -> int:
    """`chunk_size` as 1.6.7 reads it: a base-10 int64 above zero, else the default 10000."""
    if text is None or not _GO_INT.fullmatch(text):
        return DEFAULT_CHUNK_SIZE
    size = int(text)
    return size if 0 < size < 2**63 else DEFAULT_CHUNK_SIZE


def encode_v1(results: Sequence[StatementResult], fmt: V1Format, *,
              epoch: str | None = None, pretty: bool = False,
              chunking: ChunkingMap | None = None) -> bytes:
    """The whole unchunked body; `pretty` only changes JSON, as in 1.6.7."""
    if fmt is V1Format.CSV:
        return encode_csv(results, epoch=epoch, chunking=chunking)
    if fmt is V1Format.MSGPACK:
        return encode_msgpack(results, epoch=epoch, chunking=chunking)
    return encode_json(results, epoch=epoch, pretty=pretty, chunking=chunking)


def encode_v1_chunks(results: Iterable[StatementResult], fmt: V1Format, *,
                     chunk_size: int = DEFAULT_CHUNK_SIZE, epoch: str | None = None,
                     pretty: bool = False, chunking: ChunkingMap | None = None
                     ) -> Iterator[bytes]:
    """The `chunked=true` body, piece by piece (CSV pieces may be empty: skip them)."""
    if fmt is V1Format.CSV:
        return encode_csv_chunks(results, chunk_size=chunk_size, epoch=epoch,
                                 chunking=chunking)
    if fmt is V1Format.MSGPACK:
        return encode_msgpack_chunks(results, chunk_size=chunk_size, epoch=epoch,
                                     chunking=chunking)
    return encode_json_chunks(results, chunk_size=chunk_size, epoch=epoch, pretty=pretty,
                              chunking=chunking)


def encode_v1_error(message: str, fmt: V1Format, *, pretty: bool = False) -> bytes:
    """A request-level error body, in the format the request asked for (same Content-Type)."""
    if fmt is V1Format.CSV:
        return encode_csv_error(message)
    if fmt is V1Format.MSGPACK:
        return encode_msgpack_error(message)
    return encode_json_error(message, pretty)
