"""Clustering settled rows by series: while the writer is idle, it rewrites each table's older
rows sorted by tags and time, so that one series' hour lies in one row group.

Rows are stored in arrival order, so one series' hour is spread over every row group of that
hour, and a read of it scans them all (DuckDB prunes by row group, on each column's min and
max). Sorted by tags, a row group holds a few series' whole stretch of time, and a read that
pins a tag skips the row groups whose tag range excludes it.

Each table is taken in windows of time: rows before a table's watermark (`through`, kept in
the catalog table `clustered`) have been rewritten. The next window starts at the watermark
and spans about `WINDOW_ROWS` rows, if at least as much newer data follows it (the newest rows
are still arriving). A window is rewritten in pieces of about `PIECE_ROWS` rows, each a range
of the first sort tag's values, in that tag's order, so that the pieces appended one after the
other lay out the whole window sorted. Each piece is one transaction: select its rows sorted,
delete them, append the sorted copy (and with the window's last piece, move the watermark). A
crash at any moment leaves every point exactly once, and a write waits behind at most one
piece. The first sort tag is the window's tag with the most distinct values, the one whose
pinning selects fewest rows.

Rows written later with times before the watermark (late or backfilled points) lower it in
memory, so the windows from there are rewritten again; after a restart that is forgotten, and
such rows stay where they were appended (reads stay right; they only scan more).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

import duckdb
from sqlglot import exp

from translators.lineprotocol import TIME_COLUMN

from . import statements as st
from .catalog import Catalog, Table
from .reader import arrow_rows
from .transaction import append_arrow

log = logging.getLogger(__name__)

ROW_GROUP = 122_880  # DuckDB's rows per row group
WINDOW_ROWS = 6 * ROW_GROUP  # a window's share of one series then falls in one row group
PIECE_ROWS = 65_536  # rows rewritten per transaction: how long a queued write may wait

Key = tuple[str, str]  # (database, table)


@dataclass(slots=True)
class _Window:
    """The window being rewritten: its time range, sort columns and remaining pieces, each a
    condition on the first sort column."""

    low: int
    high: int  # exclusive
    order: list[str]
    descending: bool  # the first sort column's direction
    pieces: list[exp.Expression]


@dataclass(slots=True)
class _State:
    through: int | None = None  # rows before this time (ns) are clustered
    window: _Window | None = None
    descending: bool = False  # the direction of the next window's first sort column


@dataclass(slots=True)
class Clusterer:
    """Per-table clustering state, owned by the writer thread. `backlog` (read by other
    threads) counts tables that may still have settled rows to rewrite."""

    window_rows: int = WINDOW_ROWS
    piece_rows: int = PIECE_ROWS
    backlog: int = -1  # -1 until the tables were first looked at
    finished: bool = False  # the last step ended a window (the writer then checkpoints)
    _tables: dict[Key, _State] = field(default_factory=dict)
    # tables to look at, in turn (an ordered set); None until filled from the catalog
    _waiting: dict[Key, None] | None = None

    def load(self, con: duckdb.DuckDBPyConnection) -> None:
        """Read every table's watermark (at start and after a reopen)."""
        self._tables.clear()
        self._waiting = None
        self.backlog = -1
        rows = con.execute(st.meta_select(st.META_CLUSTERED,
                                          ["database", "table", "through_ns"])).fetchall()
        for database, table, through in rows:
            self._tables[(database, table)] = _State(through=through)

    def written(self, earliest: dict[Key, int]) -> None:
        """After a commit that stored rows: the earliest time written to each table."""
        for key, low in earliest.items():
            state = self._tables.setdefault(key, _State())
            reach = state.through if state.window is None else state.window.high
            if reach is not None and low < reach:  # late rows: rewrite their windows again
                state.window = None
                if state.through is not None:
                    state.through = min(state.through, low)
            if self._waiting is not None:
                self._waiting[key] = None
        if self._waiting is not None:
            self.backlog = len(self._waiting)

    def step(self, con: duckdb.DuckDBPyConnection, catalog: Catalog) -> bool:
        """Do one bounded piece of work on one table; False when every table is done."""
        self.finished = False
        if self._waiting is None:
            self._waiting = {(db.name, t): None for db in catalog.databases.values()
                             for t in db.tables}
        while self._waiting:
            key = next(iter(self._waiting))
            table = catalog.table(*key)
            if table is not None:
                break
            del self._waiting[key]  # dropped
            self._tables.pop(key, None)
        else:
            self.backlog = 0
            return False
        state = self._tables.setdefault(key, _State())
        del self._waiting[key]
        try:
            if state.window is None:
                state.window = self._plan(con, key, table, state)
                again = state.window is not None
            else:
                self._rewrite(con, key, state)
                again = True  # its next piece, or its next window
        except Exception:
            state.window = None  # tried again after the table's next write
            raise
        else:
            if again:
                self._waiting[key] = None  # its turn again after the others'
        finally:
            self.backlog = len(self._waiting)
        return self.backlog > 0

    def _plan(self, con: duckdb.DuckDBPyConnection, key: Key, table: Table,
              state: _State) -> _Window | None:
        """The next window of settled rows and its pieces, or None when there is none."""
        tags = sorted(table.tags)
        if not tags:
            return None  # rows of one series: nothing to cluster
        database, name = key
        after = None if state.through is None else st.time_at_or_after(state.through)
        ((count, low, high),) = con.execute(st.sql(
            exp.select(exp.Count(this=exp.Star()), _epoch(exp.Min(this=st.column(TIME_COLUMN))),
                       _epoch(exp.Max(this=st.column(TIME_COLUMN))))
            .from_(st.table_ref(database, name)).where(after))).fetchall()
        if count < 2 * self.window_rows:
            return None
        span = max(1, (high - low + 1) * self.window_rows // count)
        if low + 2 * span > high + 1:  # no window's worth of newer rows after it
            return None
        end = low + span
        within = st.time_window(low, end)
        distinct = con.execute(st.sql(
            exp.select(*(exp.func("approx_count_distinct", st.column(t)) for t in tags))
            .from_(st.table_ref(database, name)).where(within))).fetchall()[0]
        first = tags[max(range(len(tags)), key=lambda i: (distinct[i] or 0, -i))]
        order = [first, *(t for t in tags if t != first)]
        counts = con.execute(st.sql(
            exp.select(st.column(first), exp.Count(this=exp.Star()))
            .from_(st.table_ref(database, name)).where(within)
            .group_by(st.column(first))
            .order_by(exp.Ordered(this=st.column(first), nulls_first=True)))).fetchall()
        pieces = _pieces(st.column(first), counts, self.piece_rows)
        # Windows alternate the direction of their first sort column, so that the row group
        # where one window's rows end and the next one's begin holds a narrow range of its
        # values (the last ones of the one, the same ones of the other), not all of them.
        descending = state.descending
        state.descending = not descending
        if descending:
            pieces.reverse()
        log.debug("clustering %s.%s rows [%d, %d) by %s in %d pieces", database, name, low,
                  end, order, len(pieces))
        return _Window(low, end, order, descending, pieces)

    def _rewrite(self, con: duckdb.DuckDBPyConnection, key: Key, state: _State) -> None:
        """One piece of the window, in one transaction."""
        window = state.window
        assert window is not None
        database, name = key
        piece = window.pieces[0]
        last = len(window.pieces) == 1
        where = exp.and_(st.time_window(window.low, window.high), piece, copy=False)
        select = (exp.select(exp.Star()).from_(st.table_ref(database, name))
                  .where(where.copy())
                  .order_by(
                      exp.Ordered(this=st.column(window.order[0]), desc=window.descending,
                                  nulls_first=not window.descending),
                      *(exp.Ordered(this=st.column(c), nulls_first=True)
                        for c in [*window.order[1:], TIME_COLUMN])))
        con.begin()
        try:
            rows = arrow_rows(con, st.sql(select, fresh=True))
            if rows.num_rows:
                con.execute(st.sql(exp.delete(st.table_ref(database, name), where=where)))
                append_arrow(con, database, name, rows)
            if last:
                con.execute(st.meta_delete(st.META_CLUSTERED, database=database, table=name))
                con.execute(st.meta_insert(st.META_CLUSTERED, [database, name, window.high]))
            con.commit()
        except BaseException:
            try:
                con.rollback()
            except duckdb.Error:
                pass
            raise
        window.pieces.pop(0)
        if last:
            state.through = window.high
            state.window = None
            self.finished = True


def _epoch(value: exp.Expression) -> exp.Expression:
    return exp.func("epoch_ns", value)


def _pieces(first: exp.Column, counts: Sequence[tuple[str | None, int]],
            rows: int) -> list[exp.Expression]:
    """Conditions on the first sort column splitting the window into runs of about `rows`
    rows, in its order (nulls first). Together they cover every value, also one written
    between two pieces: the first has no lower bound and the last no upper one."""
    pieces: list[exp.Expression] = []
    if counts and counts[0][0] is None:
        pieces.append(exp.Is(this=first.copy(), expression=exp.Null()))
        counts = counts[1:]
    starts: list[str] = []
    size = 0
    for value, count in counts:
        if not starts or size + count > rows:
            starts.append(str(value))
            size = 0
        size += count
    for i in range(len(starts)):
        bounds: list[exp.Expression] = []
        if i > 0:
            bounds.append(exp.GTE(this=first.copy(), expression=exp.Literal.string(starts[i])))
        if i + 1 < len(starts):
            bounds.append(exp.LT(this=first.copy(),
                                 expression=exp.Literal.string(starts[i + 1])))
        pieces.append(exp.and_(*bounds, copy=False) if bounds else
                      exp.Not(this=exp.Is(this=first.copy(), expression=exp.Null())))
    return pieces
