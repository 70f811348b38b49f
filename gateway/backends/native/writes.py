"""Apply a parsed batch inside the writer's transaction: catalog checks, then append or merge.

InfluxDB identifies a point by measurement, tag set and time; writing it again overwrites the
fields it names. Most writes only add newer points to each series, so rows of a series whose
batch times all lie after its last stored time are appended (`series_index`); only the rest pay
for a merge.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import pyarrow as pa
import pyarrow.compute as pc

from translators.lineprotocol import (
    BEYOND_RETENTION,
    TIME_COLUMN,
    FieldType,
    ParsedBatch,
    TableChunk,
)
from translators.lineprotocol.model import MAX_LINE_ERRORS

from . import retention
from . import statements as st
from .catalog import Column, Database, RetentionPolicy, Role, Table
from .ddl import ensure_database, grow_schema
from .series_index import SeriesIndex, SeriesStats, classify, load_series, series_stats
from .transaction import STAGE, Transaction, insert_rows, staged

_TIMESTAMP = pa.timestamp("ns")


@dataclass(slots=True)
class Refusals:
    """Rows the catalog refuses: (line, reason) of the first MAX_LINE_ERRORS in line order,
    and a count. Chunks are checked in the order of their first line, so a later chunk may
    refuse earlier lines: 1.6.7 names the first refusal in line order, and a split write's
    answer describes its parts' first in line order too."""

    kept: list[tuple[int, str]] = field(default_factory=list)
    count: int = 0
    beyond_retention: int = 0  # of `count`, points older than the policy keeps

    def add(self, lines: Sequence[int], reason: str) -> None:
        self.count += len(lines)
        self._keep([(line, reason) for line in lines[:MAX_LINE_ERRORS]])

    def add_rows(self, lines: Sequence[int], rows: pa.Array, reason: str) -> None:
        """Refuse the given row positions (ascending) of a chunk whose rows stand on
        `lines`."""
        self.count += len(rows)
        self._keep([(lines[row], reason) for row in rows[:MAX_LINE_ERRORS].to_pylist()])

    def _keep(self, refused: list[tuple[int, str]]) -> None:
        # a chunk's lines ascend: its first MAX_LINE_ERRORS are all it can add to the first
        kept = self.kept + refused
        if len(kept) > MAX_LINE_ERRORS:
            kept = heapq.nsmallest(MAX_LINE_ERRORS, kept, key=lambda refusal: refusal[0])
        self.kept = kept


@dataclass(frozen=True, slots=True)
class PreparedBatch:
    """A parsed batch with its series statistics, computed before it reaches the writer."""

    parsed: ParsedBatch
    stats: list[SeriesStats]

    @property
    def points(self) -> int:
        return self.parsed.points


def prepare(batch: ParsedBatch) -> PreparedBatch:
    """Work that needs no catalog, done in a parse worker so the writer thread does less."""
    return PreparedBatch(batch, [series_stats(c.table, c.tags) for c in batch.chunks])


def _type_conflict(key: str, measurement: str, got: FieldType, known: FieldType) -> str:
    return (
        f'field type conflict: input field "{key}" on measurement "{measurement}" '
        f"is type {got}, already exists as type {known}"
    )


def apply_write(
    tx: Transaction,
    index: SeriesIndex,
    database: str,
    prepared: PreparedBatch,
    *,
    create: bool,
    now_ns: int,
    policy: str | None = None,
    all_or_nothing: bool = False,
    max_columns: int = 500,
) -> tuple[int, Refusals]:
    """Store the batch; return points written and the refused rows.

    Points beyond the retention policy the write addresses (`policy`, else the default) are
    refused first, as 1.x drops them before its shards see them. Then every chunk is checked,
    each against the catalog plus the columns that earlier chunks of the batch add; with
    `all_or_nothing`, any rejected row means nothing is stored.
    """
    db = tx.catalog.view.databases.get(database)
    rejected = Refusals()
    parsed = _within_retention(prepared.parsed, retention.addressed_policy(db, policy), now_ns,
                               rejected)
    checked, rejected = check_batch(db, parsed, max_columns, rejected)
    if all_or_nothing and rejected.count:
        return 0, rejected
    ensure_database(tx, database, create=create, now_ns=now_ns)
    written = 0
    by_measurement: dict[str, list[tuple[TableChunk, list[Column], SeriesStats]]] = {}
    for (chunk, new_columns), stats in zip(checked, prepared.stats, strict=True):
        if chunk.num_rows:
            by_measurement.setdefault(chunk.measurement, []).append((chunk, new_columns, stats))
    merged = [parts[0] if len(parts) == 1 else _in_line_order(parts)
              for parts in by_measurement.values()]
    stored = tx.catalog.view.databases[database].tables
    for chunk, _, _ in merged:
        if chunk.measurement not in stored:
            index[(database, chunk.measurement)] = {}  # a new table: no series to read back
    # Every new table and column of the batch first, in one go (`grow_schema`).
    grow_schema(tx, database, {chunk.measurement: new_columns
                               for chunk, new_columns, _ in merged})
    for chunk, _, stats in merged:
        if stats is None or chunk.num_rows != stats.data.num_rows:  # rows refused: stale stats
            stats = series_stats(chunk.table, chunk.tags)
        _store_chunk(tx, index, database, chunk, stats)
        written += chunk.num_rows
    return written, rejected


def _in_line_order(parts: list[tuple[TableChunk, list[Column], SeriesStats]]
                   ) -> tuple[TableChunk, list[Column], None]:
    """One measurement's accepted rows from several chunks, as one chunk in line order, so the
    last line wins when several name the same point. The checks left them compatible."""
    chunks = [chunk for chunk, _, _ in parts]
    table = pa.concat_tables([c.table for c in chunks], promote_options="default")
    lines = [n for c in chunks for n in c.lines]
    order = pc.sort_indices(pa.array(lines))
    tags: dict[str, None] = {}
    fields: dict[str, FieldType] = {}
    new_columns: dict[str, Column] = {}
    for chunk, added, _ in parts:
        tags.update(dict.fromkeys(chunk.tags))
        fields.update(chunk.fields)
        new_columns.update((c.name, c) for c in added if c.name not in new_columns)
    merged = TableChunk(chunks[0].measurement, table.take(order), tuple(sorted(tags)), fields,
                        [lines[i] for i in order.to_pylist()])
    return merged, list(new_columns.values()), None


def _within_retention(batch: ParsedBatch, policy: RetentionPolicy | None, now: int,
                      rejected: Refusals) -> ParsedBatch:
    """The batch without the points 1.x drops as beyond the policy, each refused."""
    masks = retention.beyond_retention(batch.chunks, policy, now)
    if masks is None:
        return batch
    chunks = []
    for chunk, mask in zip(batch.chunks, masks, strict=True):
        if mask is None:
            chunks.append(chunk)
            continue
        rows = pc.indices_nonzero(mask)
        rejected.add_rows(chunk.lines, rows, BEYOND_RETENTION)
        rejected.beyond_retention += len(rows)
        keep = pc.invert(mask)
        data = chunk.table.filter(keep)
        # a column only dropped points had must not reach the table (1.x never saw them)
        data = data.select([name for name in data.column_names
                            if name == TIME_COLUMN or data.column(name).null_count < len(data)])
        lines = [n for n, k in zip(chunk.lines, keep.to_pylist(), strict=True) if k]
        chunks.append(_rows_of(chunk, data, lines))
    return replace(batch, chunks=chunks)


def check_batch(db: Database | None, batch: ParsedBatch, max_columns: int = 500,
                rejected: Refusals | None = None
                ) -> tuple[list[tuple[TableChunk, list[Column]]], Refusals]:
    """Check every chunk against the catalog (and the columns earlier chunks add); change
    nothing. Returns each chunk cut down to its accepted rows with the columns it adds, and
    the refused rows (added to `rejected` when given)."""
    rejected = Refusals() if rejected is None else rejected
    added: dict[str, dict[str, Column]] = {}
    tables = db.folded() if db is not None else {}  # folded once: linear in measurements
    checked = [_check_chunk(db, tables, chunk, added, rejected, max_columns)
               for chunk in batch.chunks]
    return checked, rejected


def _check_chunk(
    db: Database | None,
    tables: dict[str, str],
    chunk: TableChunk,
    added: dict[str, dict[str, Column]],
    rejected: Refusals,
    max_columns: int = 500,
) -> tuple[TableChunk, list[Column]]:
    """Rows of the chunk the catalog accepts, and the columns it must gain; changes nothing
    but `added`, the columns earlier chunks of this batch will create, by measurement.

    Rows whose columns clash with the catalog are refused line by line, as in 1.x.
    """
    measurement = chunk.measurement
    table = db.tables.get(measurement) if db is not None else None
    data = chunk.table
    if measurement.startswith(st.RESERVED_PREFIX):
        reason = f'measurement "{measurement}" uses the reserved prefix {st.RESERVED_PREFIX}'
        rejected.add(chunk.lines, reason)
        return _rows_of(chunk, data.slice(0, 0), []), []
    if table is None:
        # `tables`: folded names of the database's measurements and of those earlier chunks
        # of the batch create
        other = tables.get(measurement.casefold())
        if other is not None and other != measurement:
            reason = f'measurement "{measurement}" differs only in case from existing "{other}"'
            rejected.add(chunk.lines, reason)
            return _rows_of(chunk, data.slice(0, 0), []), []
    known = dict(table.columns) if table is not None else {}
    known.update(added.get(measurement, {}))
    folded = {name.casefold(): name for name in known}
    folded[TIME_COLUMN] = TIME_COLUMN  # "Time" cannot sit beside the time column either

    drop: pa.ChunkedArray | None = None
    refused: list[str] = []
    new_columns: list[Column] = []
    for index, name in enumerate(data.column_names):  # by index: a lookup by name is linear
        if name == TIME_COLUMN:
            continue
        role = Role.TAG if name in chunk.tags else Role.FIELD
        ftype = chunk.fields.get(name)
        column = known.get(name)
        reason = None
        if column is not None:
            if column.role is not role:
                reason = (f'{role} "{name}" on measurement "{measurement}" '
                          f"is already a {column.role}")
            elif role is Role.FIELD and column.type is not ftype:
                assert ftype is not None and column.type is not None
                reason = _type_conflict(name, measurement, ftype, column.type)
        elif name.casefold() in folded:
            reason = (f'column "{name}" on measurement "{measurement}" differs only in case '
                      f'from existing "{folded[name.casefold()]}"')
        elif len(known) + (TIME_COLUMN not in known) + len(new_columns) >= max_columns:
            reason = (f'adding column "{name}" to measurement "{measurement}" would exceed '
                      f"the limit of {max_columns} columns per table")
        else:
            new_columns.append(Column(name, role, ftype))
            folded[name.casefold()] = name  # a later name of this batch may clash with it
        if reason is None:
            continue
        refused.append(name)
        mask = pc.is_valid(data.column(index))
        # a point is refused once, for the first of its columns refused, as 1.x counts points
        fresh = mask if drop is None else pc.and_not(mask, drop)
        rejected.add_rows(chunk.lines, pc.indices_nonzero(fresh), reason)
        drop = mask if drop is None else pc.or_(drop, mask)
    lines = chunk.lines
    if drop is not None:
        # rows naming a refused column are gone; the column itself must not reach the INSERT
        keep = pc.invert(drop)
        lines = [n for n, k in zip(lines, keep.to_pylist(), strict=True) if k]
        # select, not drop_columns: that removes one column at a time, copying the table each
        # time (a line with 16,000 fields over the column limit held the writer for 86 s)
        gone = set(refused)
        data = data.filter(keep).select([n for n in data.column_names if n not in gone])
        # a new column only refused rows held values for is not created, nor inserted
        unused = {c.name for c in new_columns if data.column(c.name).null_count == data.num_rows}
        data = data.drop_columns(list(unused))
        new_columns = [c for c in new_columns if c.name not in unused]
    if data.num_rows:
        added.setdefault(measurement, {}).update((c.name, c) for c in new_columns)
        tables.setdefault(measurement.casefold(), measurement)
    return _rows_of(chunk, data, lines), new_columns


def _rows_of(chunk: TableChunk, data: pa.Table, lines: Sequence[int]) -> TableChunk:
    names = set(data.column_names)  # a property that builds a new list at every call
    fields = {k: t for k, t in chunk.fields.items() if k in names}
    return TableChunk(chunk.measurement, data, chunk.tags, fields, lines)


def _store_chunk(
    tx: Transaction,
    index: SeriesIndex,
    database: str,
    chunk: TableChunk,
    stats: SeriesStats,
) -> None:
    """Append or merge a chunk's rows; its table and columns exist already."""
    measurement = chunk.measurement
    data = chunk.table
    table = tx.catalog.view.databases[database].tables[measurement]
    series = load_series(tx, index, database, table)
    tags = [c for c in data.column_names if c in chunk.tags]
    merge_mask = classify(stats, series)
    if stats.series:
        tx.wrote(database, measurement, min(low for _, low, _, _ in stats.series))
    position = data.column_names.index(TIME_COLUMN)
    data = data.set_column(position, TIME_COLUMN, pc.cast(data.column(TIME_COLUMN), _TIMESTAMP))
    if merge_mask is None:
        tx.append(database, measurement, data)
    else:
        tx.append(database, measurement, data.filter(pc.invert(merge_mask)))
        _merge(tx, database, table, data.filter(merge_mask), tags)


def _last_per_point(data: pa.Table, keys: list[str], fields: list[str]) -> pa.Table:
    """One row per point: the last non-null value of each field wins (rows in line order)."""
    # Acero reads names as field paths (".host" would mean "host"), so group on positions.
    safe = data.select([*keys, *fields]).rename_columns(
        [f"c{i}" for i in range(len(keys) + len(fields))])
    key_names = safe.column_names[: len(keys)]
    value_names = safe.column_names[len(keys):]
    grouped = safe.group_by(key_names, use_threads=False).aggregate(
        [(name, "last") for name in value_names])
    return grouped.select([*key_names, *(f"{name}_last" for name in value_names)]
                          ).rename_columns([*keys, *fields])


def _merge(tx: Transaction, database: str, table: Table, data: pa.Table,
           tags: Sequence[str]) -> None:
    """Upsert rows that may already exist: later fields overwrite, unnamed fields are kept."""
    fields = [c for c in data.column_names if c != TIME_COLUMN and c not in tags]
    deduped = _last_per_point(data, [*tags, TIME_COLUMN], fields)
    tx.flush(database, table.name)  # earlier rows of this commit group must be visible
    times = pc.cast(deduped.column(TIME_COLUMN), pa.int64())
    low, high = pc.min(times).as_py(), pc.max(times).as_py()
    columns = deduped.column_names
    con = tx.con
    with staged(con, deduped):
        # Most "risky" rows are new points that arrived out of order: one probe finds out, and
        # only real collisions pay for the update.
        merge = st.Merge(database, table.name, STAGE, table.tags, columns, low, high)
        ((collisions,),) = con.execute(st.merge_probe(merge)).fetchall()
        if collisions:
            con.execute(st.merge_update(merge, fields))
            con.execute(st.merge_insert(merge))
    if not collisions:
        insert_rows(con, database, table, deduped)
