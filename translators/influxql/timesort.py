"""Raw reads ordered by time alone: DuckDB reads them unsorted, Arrow puts them in time order.

A raw SELECT of one series (every tag pinned by WHERE, so no tag orders its rows) asks DuckDB
for `ORDER BY time`. DuckDB sets up a sort for it whatever the row count: measured on the query
benchmark's store, 0.3 to 0.5 ms of a 2.5 ms read of 360 rows. Without ORDER BY DuckDB keeps
the rows in the order they were stored (`preserve_insertion_order`, on by default), which for
a series written as agents send it is already time order; checking that in Arrow costs a few
microseconds, and a stable sort puts the rare late-written rows in place.

Only reads whose answer does not depend on which rows DuckDB reads first qualify: no LIMIT or
OFFSET of the statement's own (the engine's row guard is added after), no QUALIFY, no other
sort key. Rows tied on time keep their stored order, which an ORDER BY on time alone leaves
unspecified anyway.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
from sqlglot import exp

from .sqlnames import STORED_TIME, TIME


def take_time_order(query: exp.Select) -> bool:
    """Remove the query's ORDER BY when it sorts on the stored time alone, ascending, and
    nothing else in the query reads that order; True when it did (the rows must then be put
    in order with `in_time_order`)."""
    if any(query.args.get(key) is not None for key in ("limit", "offset", "qualify", "group",
                                                       "distinct")):
        return False
    order = query.args.get("order")
    if order is None or len(order.expressions) != 1:
        return False
    key = order.expressions[0]
    if (not isinstance(key, exp.Ordered) or key.args.get("desc")
            or not isinstance(key.this, exp.Column) or key.this.table
            or key.this.name != STORED_TIME):
        return False
    if TIME not in query.named_selects:
        return False
    query.set("order", None)
    return True


def in_time_order(table: pa.Table) -> pa.Table:
    """The rows sorted on `TIME` (stable: rows of one time keep their order); the table
    itself when they already are."""
    if table.num_rows < 2:
        return table
    times = table.column(TIME)
    if pc.all(pc.less_equal(times[:-1], times[1:])).as_py() is not False:
        return table
    return table.take(pc.sort_indices(times))  # Arrow's sort_indices is stable
