"""Values the line-protocol parser produces: field types, line errors, per-table chunks."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field

import pyarrow as pa


class FieldType(enum.StrEnum):
    """InfluxDB field types, named as InfluxQL's SHOW FIELD KEYS names them."""

    FLOAT = "float"
    INTEGER = "integer"
    UNSIGNED = "unsigned"
    STRING = "string"
    BOOLEAN = "boolean"

    @property
    def arrow(self) -> pa.DataType:
        return _ARROW[self]

    @property
    def sql_type(self) -> str:
        """The DuckDB type the native store keeps such a field as."""
        return _SQL[self]

    @classmethod
    def from_arrow(cls, dtype: pa.DataType) -> FieldType:
        for ftype, arrow in _ARROW.items():
            if arrow == dtype:
                return ftype
        raise ValueError(f"no field type for arrow type {dtype}")


_ARROW = {
    FieldType.FLOAT: pa.float64(),
    FieldType.INTEGER: pa.int64(),
    FieldType.UNSIGNED: pa.uint64(),
    FieldType.STRING: pa.string(),
    FieldType.BOOLEAN: pa.bool_(),
}

_SQL = {
    FieldType.FLOAT: "DOUBLE",
    FieldType.INTEGER: "BIGINT",
    FieldType.UNSIGNED: "UBIGINT",
    FieldType.STRING: "VARCHAR",
    FieldType.BOOLEAN: "BOOLEAN",
}

TIME_COLUMN = "time"
# 1.x's models.MaxKeyLength: the bytes of a series key as written (measurement and tags,
# escapes included), and of the key with any field key and the 4-byte separator TSM puts
# between them.
MAX_KEY_LENGTH = 65535
FIELD_KEY_SEPARATOR = 4
# Rejected lines described one by one; beyond this they are only counted, so a body of
# millions of bad lines cannot turn into gigabytes of messages.
MAX_LINE_ERRORS = 1000


@dataclass(frozen=True, slots=True)
class LineError:
    """One rejected line: its 1-based number in the body, its text, and why."""

    line_number: int
    line: str
    reason: str
    parsed: bool = False  # True when the line parsed but the store refused it

    def describe(self) -> str:
        """1.x's wording: parse failures quote the line, store refusals give the reason."""
        if self.parsed:
            return self.reason
        return f"unable to parse '{self.line}': {self.reason}"


def time_tag_refusal(measurement: str) -> str:
    return f'invalid tag key: input tag "time" on measurement "{measurement}" is invalid'


def time_field_refusal(measurement: str) -> str:
    return f'invalid field name: input field "time" on measurement "{measurement}" is invalid'


def refused_for_time_key(reason: str) -> bool:
    """True for 1.x's refusal of a point with a `time` tag, or a `time` field alone: every
    shard refuses such a point, whatever it holds, and the parser refuses it too."""
    return reason.startswith(_TIME_KEY_REFUSALS)


_TIME_TAG_REFUSAL = time_tag_refusal("")[:time_tag_refusal("").index(" on ")]
_TIME_KEY_REFUSALS = (_TIME_TAG_REFUSAL, time_field_refusal("").partition(" on ")[0])


# 1.x's reason for points older than the retention policy the write addresses allows.
BEYOND_RETENTION = "points beyond retention policy"


def named_refusal(errors: Sequence[LineError]) -> str | None:
    """The refusal 1.x names for the points of a write its shards refused: a shard checks
    every point's tags before any point's fields, so the first `time` tag, else the first
    refusal in line order. Points beyond retention never reach a shard."""
    refusals = [e.reason for e in errors if e.parsed and e.reason != BEYOND_RETENTION]
    tagged = [r for r in refusals if r.startswith(_TIME_TAG_REFUSAL)]
    return (tagged or refusals or [None])[0]


def reported_refusal(errors: Sequence[LineError], dropped: int,
                     beyond_retention: int) -> tuple[str | None, int]:
    """The reason and `dropped` count of 1.x's "partial write" for refused points: a shard's
    refusal, counting that shard's points alone, outranks the points beyond retention, which
    are reported only when no shard refused any (1.x's PointsWriter.WritePoints)."""
    refused = dropped - beyond_retention
    if refused:
        return named_refusal(errors), refused
    return BEYOND_RETENTION, beyond_retention


@dataclass(slots=True)
class TableChunk:
    """Rows for one measurement: `time` (int64 ns), tag columns (utf8), typed field columns.

    `lines[i]` is the 1-based body line number of row i, in ascending order.
    """

    measurement: str
    table: pa.Table
    tags: tuple[str, ...]
    fields: dict[str, FieldType]
    lines: Sequence[int]

    @property
    def num_rows(self) -> int:
        return self.table.num_rows


@dataclass(slots=True)
class ParsedBatch:
    """The outcome of parsing one body: chunks and the lines that did not parse.

    Chunks come in the order of their first line. A measurement has several chunks when its
    lines disagree on a column's role or type (then each is a run of lines that agree, in
    line order) or name too many columns for one; the store keeps what its catalog allows,
    chunk by chunk, so the type of the earliest line it keeps wins for a new field, as in
    InfluxDB.
    """

    chunks: list[TableChunk] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)  # the first MAX_LINE_ERRORS
    error_count: int = 0  # all rejected lines
    refused_count: int = 0  # of those, lines that parsed but are refused (1.x's dropped)

    def reject(self, error: LineError) -> None:
        self.error_count += 1
        self.refused_count += error.parsed
        if len(self.errors) < MAX_LINE_ERRORS:
            self.errors.append(error)

    @property
    def points(self) -> int:
        return sum(chunk.num_rows for chunk in self.chunks)

    def measurement(self, name: str) -> TableChunk:
        """The single chunk of a measurement (for tests and callers that know there is one)."""
        (chunk,) = [c for c in self.chunks if c.measurement == name]
        return chunk
