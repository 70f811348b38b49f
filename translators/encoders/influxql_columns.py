"""Series held as Arrow columns (`Series.arrays`), gathered for the encoders that write them.

An answer of many small series (a last() per host) would pay each Arrow call's overhead once
per series, so the column encoders (`influxql_json_columns`, `influxql_csv_columns`,
`influxql_msgpack_columns`) write every series of the same column types at once: the columns
are laid end to end, turned into cells, the cells of a row joined, and the rows cut back into
one text per series here.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import accumulate

import pyarrow as pa
import pyarrow.compute as pc

from translators.influxql.results import Series, StatementResult


@dataclass(frozen=True, slots=True)
class ColumnGroup:
    """Series sharing their column types: `columns[i]` holds column i of each member, in turn."""

    members: list[int]  # positions in the sequence given to `column_groups`
    counts: list[int]  # each member's rows
    columns: list[pa.Array]
    has_time: bool
    timezone: str | None


def column_groups(many: Sequence[Series], by_zone: bool = False) -> list[ColumnGroup] | None:
    """`many` (all with arrays) grouped by column types and `has_time` (and tz() when the
    format writes zoned times), or None when one has no columns."""
    groups: dict[tuple[object, ...], list[int]] = {}
    for index, series in enumerate(many):
        arrays = series.arrays
        if not arrays:
            return None
        key = (tuple(a.type for a in arrays), series.has_time,
               series.timezone if by_zone else None)
        groups.setdefault(key, []).append(index)
    out = []
    for (types, has_time, zone), members in groups.items():
        if len(members) == 1:  # one series: its own arrays, not copies
            columns = list(many[members[0]].arrays)  # type: ignore[arg-type]
        else:
            columns = [pa.concat_arrays([many[i].arrays[p]  # type: ignore[index]
                                         for i in members]) for p in range(len(types))]
        out.append(ColumnGroup(members, [many[i].row_count for i in members], columns,
                               bool(has_time), zone))  # type: ignore[arg-type]
    return out


def joined_rows(rows: pa.Array, counts: list[int], separator: object) -> pa.Array:
    """Each series' rows (consecutive in `rows`, `counts` of them) joined by `separator`, a
    scalar or one per series."""
    offsets = pa.array(accumulate(counts, initial=0), pa.int32())
    return pc.binary_join(pa.ListArray.from_arrays(offsets, rows), separator)


# Pieces whose columnar series are written together: one pass per column for many small
# pieces (a series per host), few enough rows to keep the answer streaming.
_BATCH_ROWS = 50_000


def piece_batches(pieces: Iterable[StatementResult]) -> Iterator[list[StatementResult]]:
    """The chunks of a `chunked=true` answer in batches of about `_BATCH_ROWS` rows."""
    batch: list[StatementResult] = []
    rows = 0
    for piece in pieces:
        batch.append(piece)
        rows += sum(s.row_count for s in piece.series)
        if rows >= _BATCH_ROWS:
            yield batch
            batch, rows = [], 0
    if batch:
        yield batch
