"""The writer's series index (each series' latest time) offered to reads.

The writer keeps, per table, every stored series' latest time (`series_index.SeriesIndex`): it adds
a batch's series before the batch commits, and replaces a table's whole entry only inside a
write transaction (drops, a rollback, the first write after start-up). So a read that finds no
write transaction begun between two moments, and pins its snapshot between them, holds an index
copy that names every series its snapshot can see, with times no earlier than that snapshot's.
`translators/influxql/recent.py` needs exactly that promise; when it cannot be given (a write
in flight, an index not loaded yet, too many series to copy cheaply) the answer is None and
the read takes the general path.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pyarrow as pa

from translators.lineprotocol import TIME_COLUMN

from .series_index import SeriesIndex

MAX_SERIES = 100_000  # above this, copying the index costs more than it can save


@dataclass(slots=True)
class _Parsed:
    index: dict[str, int]  # the index entry the keys came from (entries only grow)
    size: int
    tags: tuple[str, ...]
    keys: list[str]
    columns: list[pa.Array]


class SeriesWatch:
    def __init__(self, index: SeriesIndex,
                 load: Callable[[str, str], None] = lambda database, table: None) -> None:
        self._index = index
        self._load = load  # asks the writer to read a table's entry (after a restart)
        self.begun = 0  # write transactions started; only the writer thread counts
        self.ended = 0
        self._parsed: dict[tuple[str, str], _Parsed] = {}

    def quiet(self) -> int | None:
        """How many write transactions have begun, when none is open now (else None). A read
        takes this just before it pins its snapshot, and hands it to every `table` call."""
        begun = self.begun
        return begun if begun == self.ended else None

    def table(self, database: str, table: str, tags: Sequence[str],
              since: int) -> pa.Table | None:
        """Each series' tag values and latest `time`, or None when a write transaction began
        after `since` (the index may then name series the read's snapshot lacks, or lack
        some it holds) or the table's entry is not loaded yet."""
        if self.begun != since:
            return None
        series = self._index.get((database, table))
        if series is None:
            self._load(database, table)
            return None
        if len(series) > MAX_SERIES:
            return None
        copy = dict(series)  # one C call: the writer cannot change it half-way
        if self.begun != since:
            return None
        parsed = self._parsed.get((database, table))
        if (parsed is None or parsed.index is not series or parsed.size != len(copy)
                or parsed.tags != tuple(tags)):
            keys = list(copy)
            parsed = _Parsed(series, len(keys), tuple(tags), keys, _tag_columns(keys, tags))
            self._parsed[(database, table)] = parsed
        last = pa.array([copy[key] for key in parsed.keys], pa.int64())
        return pa.table([*parsed.columns, last], names=[*tags, TIME_COLUMN])


def _tag_columns(keys: list[str], tags: Sequence[str]) -> list[pa.Array]:
    """Tag values from series keys ("name NUL value NUL" per present tag,
    `series_index.series_keys`)."""
    values: dict[str, list[str | None]] = {tag: [None] * len(keys) for tag in tags}
    for row, key in enumerate(keys):
        parts = key.split("\x00")
        for position in range(0, len(parts) - 1, 2):
            column = values.get(parts[position])
            if column is not None:
                column[row] = parts[position + 1]
    return [pa.array(values[tag], pa.string()) for tag in tags]
