"""Apply a parsed batch inside the writer's transaction: catalog checks, DDL, append or merge.

InfluxDB identifies a point by measurement, tag set and time; writing it again overwrites the
fields it names. Most writes only add newer points to each series, so rows of a series whose
batch times all lie after its last stored time are appended; only the rest pay for a merge.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from gateway.errors import conflict, invalid, not_found
from translators.lineprotocol import TIME_COLUMN, FieldType, ParsedBatch, TableChunk
from translators.lineprotocol.model import MAX_LINE_ERRORS

from . import statements as st
from .catalog import Catalog, CatalogTxn, Column, Database, Role, Table, new_table

STAGE = "__influx_gateway_stage"
# DuckDB's own schemas (and ours) cannot be databases.
RESERVED_SCHEMAS = frozenset({st.META_SCHEMA, "information_schema", "pg_catalog", "temp", "main",
                              "system"})
_TIMESTAMP = pa.timestamp("ns")

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


@dataclass(slots=True)
class Refusals:
    """Rows the catalog refuses: (line, reason) of the first MAX_LINE_ERRORS, and a count."""

    kept: list[tuple[int, str]] = field(default_factory=list)
    count: int = 0

    def add(self, lines: Sequence[int], reason: str) -> None:
        self.count += len(lines)
        room = MAX_LINE_ERRORS - len(self.kept)
        if room > 0:
            self.kept.extend((line, reason) for line in lines[:room])

    def add_rows(self, lines: Sequence[int], rows: pa.Array, reason: str) -> None:
        """Refuse the given row positions of a chunk whose rows stand on `lines`."""
        self.count += len(rows)
        room = MAX_LINE_ERRORS - len(self.kept)
        if room > 0:
            self.kept.extend((lines[row], reason) for row in rows[:room].to_pylist())


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


@contextlib.contextmanager
def staged(con: duckdb.DuckDBPyConnection, data: pa.Table) -> Iterator[None]:
    """`data` visible to SQL as the stage table for the duration of the block."""
    con.register(STAGE, data)
    try:
        yield
    finally:
        try:
            con.unregister(STAGE)
        except duckdb.Error:  # the transaction already failed: keep the original error
            pass


@dataclass(slots=True)
class Transaction:
    """One storage transaction of the writer thread: the connection, catalog changes, and
    rows to append, gathered per table so that a commit group inserts each table once."""

    con: duckdb.DuckDBPyConnection
    catalog: CatalogTxn
    pending: dict[tuple[str, str], list[pa.Table]] = field(default_factory=dict)

    def append(self, database: str, table: str, data: pa.Table) -> None:
        if data.num_rows:
            self.pending.setdefault((database, table), []).append(data)

    def flush(self, database: str | None = None, table: str | None = None) -> None:
        """Insert pending rows (of one table, of one database, or all)."""
        for key in [k for k in self.pending if database in (None, k[0]) and table in
                    (None, k[1])]:
            parts = self.pending.pop(key)
            data = parts[0] if len(parts) == 1 else pa.concat_tables(
                parts, promote_options="default")
            insert_rows(self.con, key[0], self.catalog.view.databases[key[0]].tables[key[1]],
                        data)

    def discard(self, database: str, table: str | None = None) -> None:
        for key in [k for k in self.pending if k[0] == database and table in (None, k[1])]:
            del self.pending[key]


def insert_rows(con: duckdb.DuckDBPyConnection, database: str, table: Table,
                data: pa.Table) -> None:
    """Append rows to a stored table straight from Arrow (no view registered and dropped).

    The relation API inserts by position, so the rows are laid out in the table's own column
    order, which the catalog keeps (`load_catalog` reads it from DuckDB), absent columns null.
    """
    present = set(data.column_names)
    missing = present.difference(table.columns)
    if missing:  # the checks add every column first: reaching here is a bug, never bad input
        raise RuntimeError(f"columns {sorted(missing)} not in table {table.name!r}")
    rows = data.num_rows
    layout = pa.table([data.column(c) if c in present else pa.nulls(rows) for c in
                       table.columns], names=list(table.columns))
    con.from_arrow(layout).insert_into(st.qualified(database, table.name))


def check_name(name: str, what: str) -> None:
    """A name DuckDB can hold: not empty, at most 255 characters, valid UTF-8."""
    if not name:
        raise invalid(f"{what} name required")
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        raise invalid(f"invalid {what} name: not valid UTF-8") from None
    if len(name) > 255:
        raise invalid(f"invalid {what} name: longer than 255 characters")


def check_database_name(name: str) -> None:
    check_name(name, "database")
    if name.casefold() in RESERVED_SCHEMAS:
        raise invalid(f"invalid database name: {name!r}")


def check_new_database(catalog: Catalog, name: str) -> None:
    """Refuse a database that does not exist but differs only in case from one that does."""
    if name not in catalog.databases:
        other = catalog.folded().get(name.casefold())
        if other is not None:
            raise conflict(f"database {name!r} differs only in case from existing {other!r}")


def ensure_database(
    tx: Transaction, name: str, *, create: bool, now_ns: int
) -> Database:
    db = tx.catalog.view.databases.get(name)
    if db is not None:
        return db
    check_database_name(name)
    if not create:
        raise not_found(f"database not found: {json.dumps(name)}")
    check_new_database(tx.catalog.view, name)
    tx.con.execute(st.create_schema(name))
    tx.con.execute(st.meta_insert(st.META_DATABASES, [name, now_ns]))
    work = tx.catalog.writable()
    work.databases[name] = Database(name)
    return work.databases[name]


def create_table(tx: Transaction, database: str, table: str, columns: Sequence[Column], *,
                 checked: bool = False) -> Table:
    """Create a table; `checked` says the caller already ruled out name clashes."""
    db = tx.catalog.view.databases[database]
    other = None if checked else db.folded().get(table.casefold())
    if other is not None:
        raise conflict(f"table {table!r} already exists" if other == table else
                       f"table {table!r} differs only in case from existing {other!r}")
    info = new_table(table)
    for col in columns:
        info.columns[col.name] = col
    tx.con.execute(st.create_table(database, table, [(c.name, _sql_type(c)) for c in
                                                  info.columns.values()]))
    for col in info.columns.values():
        _record_column(tx, database, table, col)
    tx.catalog.writable().databases[database].tables[table] = info
    return info


def _record_column(tx: Transaction, database: str, table: str, col: Column) -> None:
    row = [database, table, col.name, str(col.role), str(col.type) if col.type else None]
    tx.con.execute(st.meta_insert(st.META_COLUMNS, row))


def _sql_type(col: Column) -> str:
    if col.role is Role.TIME:
        return st.TIME_TYPE
    if col.role is Role.TAG:
        return st.TAG_TYPE
    assert col.type is not None
    return st.FIELD_TYPES[col.type]


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
    all_or_nothing: bool = False,
    max_columns: int = 500,
) -> tuple[int, Refusals]:
    """Store the batch; return points written and the refused rows.

    Every chunk is checked first, each against the catalog plus the columns that earlier
    chunks of the batch add; with `all_or_nothing`, any rejected row means nothing is stored.
    """
    checked, rejected = check_batch(tx.catalog.view.databases.get(database), prepared.parsed,
                                    max_columns)
    if all_or_nothing and rejected.count:
        return 0, rejected
    ensure_database(tx, database, create=create, now_ns=now_ns)
    written = 0
    by_measurement: dict[str, list[tuple[TableChunk, list[Column], SeriesStats]]] = {}
    for (chunk, new_columns), stats in zip(checked, prepared.stats, strict=True):
        if chunk.num_rows:
            by_measurement.setdefault(chunk.measurement, []).append((chunk, new_columns, stats))
    for parts in by_measurement.values():
        chunk, new_columns, stats = parts[0] if len(parts) == 1 else _in_line_order(parts)
        if stats is None or chunk.num_rows != stats.data.num_rows:  # rows refused: stale stats
            stats = series_stats(chunk.table, chunk.tags)
        _store_chunk(tx, index, database, chunk, new_columns, stats)
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


def check_batch(db: Database | None, batch: ParsedBatch, max_columns: int = 500
                ) -> tuple[list[tuple[TableChunk, list[Column]]], Refusals]:
    """Check every chunk against the catalog (and the columns earlier chunks add); change
    nothing. Returns each chunk cut down to its accepted rows with the columns it adds, and
    the refused rows."""
    rejected = Refusals()
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
    for name in data.column_names:
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
        mask = pc.is_valid(data.column(name))
        rejected.add_rows(chunk.lines, pc.indices_nonzero(mask), reason)
        drop = mask if drop is None else pc.or_(drop, mask)
    lines = chunk.lines
    if drop is not None:
        # rows naming a refused column are gone; the column itself must not reach the INSERT
        keep = pc.invert(drop)
        lines = [n for n, k in zip(lines, keep.to_pylist(), strict=True) if k]
        data = data.filter(keep).drop_columns(refused)
        new_columns = [c for c in new_columns if data.column(c.name).null_count < data.num_rows]
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
    new_columns: list[Column],
    stats: SeriesStats,
) -> None:
    measurement = chunk.measurement
    data = chunk.table
    table = tx.catalog.view.databases[database].tables.get(measurement)
    if table is None:
        table = create_table(tx, database, measurement, new_columns, checked=True)
        index[(database, measurement)] = {}
    elif new_columns:
        table = tx.catalog.writable_table(database, measurement)
        for col in new_columns:
            tx.con.execute(st.add_column(database, measurement, col.name, _sql_type(col)))
            _record_column(tx, database, measurement, col)
            table.columns[col.name] = col

    series = load_series(tx, index, database, table)
    tags = [c for c in data.column_names if c in chunk.tags]
    merge_mask = _classify(stats, series)
    position = data.column_names.index(TIME_COLUMN)
    data = data.set_column(position, TIME_COLUMN, pc.cast(data.column(TIME_COLUMN), _TIMESTAMP))
    if merge_mask is None:
        tx.append(database, measurement, data)
    else:
        tx.append(database, measurement, data.filter(pc.invert(merge_mask)))
        _merge(tx, database, table, data.filter(merge_mask), tags)


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


def _load_series(con: duckdb.DuckDBPyConnection, database: str, table: Table) -> dict[str, int]:
    stored = con.sql(st.series_last_times(database, table.name, table.tags)).to_arrow_table()
    keys = series_keys(stored, table.tags).to_pylist()
    last = pc.cast(stored.column(TIME_COLUMN), pa.int64()).to_pylist()
    return {k: t for k, t in zip(keys, last, strict=True) if t is not None}


def series_stats(data: pa.Table, tags: Sequence[str]) -> SeriesStats:
    present = tuple(sorted(t for t in tags if t in data.column_names))
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


def _classify(stats: SeriesStats, series: dict[str, int]) -> pa.Array | None:
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


def load_catalog(con: duckdb.DuckDBPyConnection) -> dict[str, Database]:
    databases: dict[str, Database] = {}
    for (name,) in con.execute(st.meta_select(st.META_DATABASES, ["name"])).fetchall():
        databases[name] = Database(name)
    rows = con.execute(
        st.meta_select(st.META_COLUMNS, ["database", "table", "column", "role", "type"])
    ).fetchall()
    for database, table, column, role, ftype in rows:
        db = databases.setdefault(database, Database(database))
        info = db.tables.setdefault(table, Table(table))
        info.columns[column] = Column(column, Role(role), FieldType(ftype) if ftype else None)
    # Columns in the order DuckDB stores them: appends match columns by position.
    order: dict[tuple[str, str], list[str]] = {}
    for schema, table, column in con.execute(st.physical_columns()).fetchall():
        order.setdefault((schema, table), []).append(column)
    for db in databases.values():
        for info in db.tables.values():
            stored = order.get((db.name, info.name), [])
            if sorted(stored) != sorted(info.columns):
                raise RuntimeError(f"catalog and storage disagree on the columns of "
                                   f"{db.name!r}.{info.name!r}")
            info.columns = {name: info.columns[name] for name in stored}
    return databases


def drop_database(tx: Transaction, index: SeriesIndex,
                  name: str) -> None:
    if name not in tx.catalog.view.databases:
        raise not_found(f"database not found: {json.dumps(name)}")
    tx.discard(name)
    tx.con.execute(st.drop_schema(name))
    tx.con.execute(st.meta_delete(st.META_DATABASES, name=name))
    tx.con.execute(st.meta_delete(st.META_COLUMNS, database=name))
    tx.con.execute(st.meta_delete(st.META_RETENTION_POLICIES, database=name))
    tx.con.execute(st.meta_delete(st.META_DEFAULT_POLICIES, database=name))
    del tx.catalog.writable().databases[name]
    for key in [k for k in index if k[0] == name]:
        del index[key]


def drop_table(tx: Transaction, index: SeriesIndex,
               database: str, table: str) -> None:
    db = tx.catalog.view.databases.get(database)
    if db is None:
        raise not_found(f"database not found: {json.dumps(database)}")
    if table not in db.tables:
        raise not_found(f"table not found: {table!r}")
    tx.discard(database, table)
    tx.con.execute(st.drop_table(database, table))
    tx.con.execute(st.meta_delete(st.META_COLUMNS, database=database, table=table))
    del tx.catalog.writable().databases[database].tables[table]
    index.pop((database, table), None)

