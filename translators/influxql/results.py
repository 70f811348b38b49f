"""What an InfluxQL statement answers, before any wire format: series grouped by tag set.

The executor fills these; the encoders (`translators/encoders/influxql_*`) write them as 1.x's
JSON, chunked JSON, CSV or MessagePack, or as InfluxDB 3's tables. Times are kept as integer
nanoseconds since the epoch in the first column of SELECT series (`has_time`), so `epoch` and
RFC3339 rendering are the encoder's choice alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Series:
    name: str
    columns: list[str]
    values: list[list[Any]] = field(default_factory=list)
    # None leaves the "tags" key out, as 1.x does for series without a tag set.
    tags: dict[str, str] | None = None
    # True when column 0 is `time` holding integer nanoseconds (SELECT results).
    has_time: bool = False
    partial: bool = False
    # The query's tz(): RFC3339 times are written in this zone's offset.
    timezone: str | None = None


@dataclass(frozen=True, slots=True)
class Message:
    level: str
    text: str


@dataclass(slots=True)
class StatementResult:
    statement_id: int
    series: list[Series] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    error: str | None = None
    partial: bool = False


_ESCAPE_MEASUREMENT = str.maketrans({",": "\\,", " ": "\\ "})
_ESCAPE_TAG = str.maketrans({",": "\\,", " ": "\\ ", "=": "\\="})


def series_key(name: str, tags: list[str], values: tuple[str | None, ...]) -> str:
    """1.x's series key, `cpu,host=a,region=eu`: escaped as line protocol, tags in the order
    given (sorted by the callers), empty values left out. SHOW SERIES answers it and SLIMIT
    counts series in its order."""
    parts = [name.translate(_ESCAPE_MEASUREMENT)]
    for key, value in zip(tags, values, strict=True):
        if value:
            parts.append(f"{key.translate(_ESCAPE_TAG)}={value.translate(_ESCAPE_TAG)}")
    return ",".join(parts)
