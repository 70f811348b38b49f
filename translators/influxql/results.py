"""What an InfluxQL statement answers, before any wire format: series grouped by tag set.

The executor fills these; the encoders (`translators/encoders/influxql_*`) write them as 1.x's
JSON, chunked JSON, CSV or MessagePack, or as InfluxDB 3's tables. Times are kept as integer
nanoseconds since the epoch in the first column of SELECT series (`has_time`), so `epoch` and
RFC3339 rendering are the encoder's choice alone.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa


class Series:
    """One series of an answer: a name, a tag set, column names and rows.

    The rows are Python lists (`values`), or Arrow arrays, one per column (`arrays`), when
    the engine shaped the series a column at a time; the encoders that can write straight from
    the arrays do, and reading `values` builds the rows once (the arrays are then let go, so
    the rows are the one truth from there on).
    """

    __slots__ = ("name", "columns", "tags", "has_time", "partial", "timezone", "_rows",
                 "_arrays", "order", "breaks", "batches")

    def __init__(self, name: str, columns: list[str], values: list[list[Any]] | None = None,
                 tags: dict[str, str] | None = None, has_time: bool = False,
                 partial: bool = False, timezone: str | None = None, *,
                 arrays: Sequence[pa.Array] | None = None,
                 order: list[int] | None = None, breaks: tuple[int, ...] = (),
                 batches: list[int] | None = None) -> None:
        self.name = name
        self.columns = columns
        # None leaves the "tags" key out, as 1.x does for series without a tag set.
        self.tags = tags
        # True when column 0 is `time` holding integer nanoseconds (SELECT results).
        self.has_time = has_time
        self.partial = partial
        # The query's tz(): RFC3339 times are written in this zone's offset.
        self.timezone = timezone
        self._rows: list[list[Any]] | None = [] if values is None and arrays is None else values
        self._arrays = None if arrays is None else tuple(arrays)
        # A subquery's rows' places in the order 1.x emits them across its series, when
        # that is not by time then series (`percentile_windows.cursor_rows`)
        self.order = order
        # After how many rows (ascending) 1.x's cursor found nothing and ended a batch of
        # rows, which its emitter answers as a result of its own, not partial
        # (`percentile_windows.read_rows`); the encoders cut the series there when chunked
        self.breaks = breaks
        # A subquery's rows' batch numbers (how many batches 1.x's cursor ended, across its
        # series, before each row), when one ended inside the read: a parent's reducer
        # reading the subquery's cursor directly closes its window there
        # (`subquery.py`, `percentile_windows.read_rows`)
        self.batches = batches

    @property
    def values(self) -> list[list[Any]]:
        if self._rows is None:
            self._rows = _rows_of(self._arrays or ())
            self._arrays = None
        return self._rows

    @values.setter
    def values(self, rows: list[list[Any]]) -> None:
        self._rows, self._arrays = rows, None

    @property
    def arrays(self) -> tuple[pa.Array, ...] | None:
        """The columns as Arrow arrays while nobody has asked for the rows, else None."""
        return self._arrays

    @property
    def row_count(self) -> int:
        if self._arrays is not None:
            return len(self._arrays[0]) if self._arrays else 0
        return len(self.values)

    def piece(self, start: int = 0, stop: int | None = None,
              partial: bool | None = None) -> Series:
        """Rows `start:stop` as a series of their own (Arrow slices, not copies), marked
        `partial` when given."""
        flag = self.partial if partial is None else partial
        if self._arrays is not None:
            end = self.row_count if stop is None else min(stop, self.row_count)
            arrays = [a.slice(start, max(end - start, 0)) for a in self._arrays]
            return Series(self.name, self.columns, None, self.tags, self.has_time, flag,
                          self.timezone, arrays=arrays)
        return Series(self.name, self.columns, self.values[start:stop], self.tags,
                      self.has_time, flag, self.timezone)

    def _key(self) -> tuple[Any, ...]:
        rows = self._rows if self._rows is not None else _rows_of(self._arrays or ())
        return (self.name, self.columns, rows, self.tags, self.has_time, self.partial,
                self.timezone)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Series):
            return NotImplemented
        return self._key() == other._key()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        name, columns, rows, tags, has_time, partial, timezone = self._key()
        return (f"Series(name={name!r}, columns={columns!r}, values={rows!r}, tags={tags!r}, "
                f"has_time={has_time!r}, partial={partial!r}, timezone={timezone!r})")


# A series by measurement and tag set, as answers group and join series.
SeriesKey = tuple[str, tuple[tuple[str, str], ...]]


def series_identity(name: str, tags: Mapping[str, str] | None) -> SeriesKey:
    """The measurement and tag set of a series, comparable and hashable."""
    return name, tuple(sorted((tags or {}).items()))


def _rows_of(arrays: Sequence[pa.Array]) -> list[list[Any]]:
    return list(map(list, zip(*(a.to_pylist() for a in arrays), strict=True)))


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


NOT_EXECUTED = "not executed"  # 1.x's result for each statement after a failed one


def stopped_at(finished: list[StatementResult], failed: StatementResult, count: int,
               chunked: bool) -> list[StatementResult]:
    """The results of a request of `count` statements whose `finished` ones answered and
    whose next one `failed` (its error, and any messages it had), as 1.x answers it: the
    failed result under the next id, then "not executed" under that same id for each
    statement left; an unchunked answer keeps an id's last result, so there the notice
    replaces the error when any are left. A request already stopped by a statement's error
    (or with nothing left to fail) is answered as it was."""
    if any(r.error is not None for r in finished) or len(finished) >= max(count, 1):
        return finished
    index = len(finished)
    failed = dataclasses.replace(failed, statement_id=index)
    left = max(count - 1 - index, 0)
    if chunked:
        return [*finished, failed,
                *(StatementResult(index, error=NOT_EXECUTED) for _ in range(left))]
    return [*finished, dataclasses.replace(failed, error=NOT_EXECUTED) if left else failed]


_ESCAPE_MEASUREMENT = str.maketrans({",": "\\,", " ": "\\ "})
_ESCAPE_TAG = str.maketrans({",": "\\,", " ": "\\ ", "=": "\\="})


def series_key(name: str, tags: Sequence[str], values: tuple[str | None, ...]) -> str:
    """1.x's series key, `cpu,host=a,region=eu`: escaped as line protocol, tags in the order
    given (sorted by the callers), empty values left out. SHOW SERIES answers it and SLIMIT
    counts series in its order."""
    return _series_key(name, tuple(tags), values)


# Keys are asked for the same series query after query (first()/last() ties, SLIMIT).
@functools.lru_cache(maxsize=1 << 16)
def _series_key(name: str, tags: tuple[str, ...], values: tuple[str | None, ...]) -> str:
    parts = [name.translate(_ESCAPE_MEASUREMENT)]
    for key, value in zip(tags, values, strict=True):
        if value:
            parts.append(f"{key.translate(_ESCAPE_TAG)}={value.translate(_ESCAPE_TAG)}")
    return ",".join(parts)
