"""The series index: each stored series' latest time, which tells appends from merges.

A batch's rows of a series whose times all lie after the series' last stored time (and do not
repeat) are new points and are appended; the rest may collide with stored or batched points.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from translators.lineprotocol import TIME_COLUMN

from . import statements as st
from .catalog import Table
from .transaction import Transaction

# (database, table) -> series key -> latest stored time (ns). Owned by the writer thread.
SeriesIndex = dict[tuple[str, str], dict[str, int]]


@dataclass(frozen=True, slots=True)
class SeriesStats:
    """Per series of a chunk: key, earliest and latest time, and whether a time repeats; and
    the chunk's rows with the tags they carry, to find the rows of given series."""

    data: pa.Table
    tags: tuple[str, ...]
    series: list[tuple[str, int, int, bool]]

    def rows_of(self, keys: list[str]) -> pa.Array | pa.ChunkedArray:
        """Mask of the rows belonging to any of the series `keys`."""
        return pc.is_in(series_keys(self.data, self.tags), value_set=pa.array(keys, pa.string()))


def series_keys(data: pa.Table, tags: Sequence[str]) -> pa.ChunkedArray | pa.Array:
    """A string per row naming its tag set; absent and null tags are left out alike.

    Each present tag adds "name NUL value NUL". Line protocol with NUL is refused, so no
    choice of names and values can make two tag sets share a key, and the key does not
    depend on which other tag columns the table has.
    """
    if not tags:
        return pa.repeat(pa.scalar("", pa.string()), data.num_rows)
    ordered = sorted(tags)
    if not any(data.column(tag).null_count for tag in ordered):
        # every row has every tag (the common case): one kernel joins them all
        pieces: list[object] = []
        for tag in ordered:
            pieces += [tag, data.column(tag)]
        return pc.binary_join_element_wise(*pieces, "", "\x00")
    parts = [
        pc.fill_null(pc.binary_join_element_wise(f"{tag}\x00", data.column(tag), "\x00", ""),
                     "")
        for tag in ordered
    ]
    if len(parts) == 1:
        return parts[0]
    return pc.binary_join_element_wise(*parts, "")


def load_series(tx: Transaction, index: SeriesIndex, database: str,
                table: Table) -> dict[str, int]:
    """The table's entry in the series index, read from storage the first time."""
    series = index.get((database, table.name))
    if series is None:
        tx.flush(database, table.name)
        series = _load_series(tx.con, database, table)
        index[(database, table.name)] = series
    return series


def forget_before(index: SeriesIndex, database: str, table: str, cutoff: int) -> None:
    """After the table's rows before `cutoff` were deleted: drop the series whose latest time
    was before it (they have no row left). The entry is replaced, never changed in place:
    readers may hold it (`series_times`)."""
    series = index.get((database, table))
    if series is not None:
        index[(database, table)] = {k: t for k, t in series.items() if t >= cutoff}


def _load_series(con: duckdb.DuckDBPyConnection, database: str, table: Table) -> dict[str, int]:
    stored = con.sql(st.series_last_times(database, table.name, table.tags)).to_arrow_table()
    keys = series_keys(stored, table.tags).to_pylist()
    last = pc.cast(stored.column(TIME_COLUMN), pa.int64()).to_pylist()
    return {k: t for k, t in zip(keys, last, strict=True) if t is not None}


# Below this many rows a Python loop over the series keys beats an Acero group-by, whose fixed
# cost (0.15 to 0.4 ms) was most of the preparing of a batch of thousands of one-line
# measurements.
SMALL_CHUNK = 64


def series_stats(data: pa.Table, tags: Sequence[str]) -> SeriesStats:
    present = tuple(sorted(t for t in tags if t in data.column_names))
    if data.num_rows <= SMALL_CHUNK:
        return SeriesStats(data, present, _few_rows_series(data, present))
    # Grouped on the tag columns themselves (no key per row); Acero reads names as field
    # paths (".host" would mean "host"), so the columns go by position.
    names = [f"c{i}" for i in range(len(present))]
    grouped = (
        pa.table([*(data.column(t) for t in present), data.column(TIME_COLUMN)],
                 names=[*names, "t"])
        .group_by(names, use_threads=False)
        .aggregate([("t", "min"), ("t", "max"), ("t", "count"), ("t", "count_distinct")])
    )
    keys = series_keys(grouped.select(names).rename_columns(present), present)
    stats = grouped.select(["t_min", "t_max", "t_count", "t_count_distinct"]).to_pydict()
    series = [
        (key, low, high, count != distinct)
        for key, low, high, count, distinct in zip(
            keys.to_pylist(), stats["t_min"], stats["t_max"], stats["t_count"],
            stats["t_count_distinct"], strict=True,
        )
    ]
    return SeriesStats(data, present, series)


def _few_rows_series(data: pa.Table, present: tuple[str, ...]
                     ) -> list[tuple[str, int, int, bool]]:
    """`series_stats`'s series, row by row."""
    times: dict[str, list[int]] = {}
    keys = series_keys(data, present).to_pylist()
    for key, time in zip(keys, data.column(TIME_COLUMN).to_pylist(), strict=True):
        times.setdefault(key, []).append(time)
    return [(key, min(ts), max(ts), len(set(ts)) != len(ts)) for key, ts in times.items()]


def classify(stats: SeriesStats, series: dict[str, int]) -> pa.Array | None:
    """Mask of rows that may collide with a stored or batched point, or None if none may."""
    risky: list[str] = []
    for key, low, high, repeats in stats.series:
        last = series.get(key)
        if repeats or (last is not None and low <= last):
            risky.append(key)
        if last is None or high > last:
            series[key] = high
    if not risky:
        return None
    return stats.rows_of(risky)
