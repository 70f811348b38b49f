"""The writer's series index as reads see it: only when no write transaction ran meanwhile."""

from __future__ import annotations

import pyarrow as pa

from gateway.backends.native.series_index import SeriesIndex, series_keys
from gateway.backends.native.series_times import SeriesWatch


def _index() -> SeriesIndex:
    keys = series_keys(pa.table({"host": ["a", "b", None], "dc": ["x", None, None]}),
                       ["host", "dc"]).to_pylist()
    return {("db", "cpu"): dict(zip(keys, [30, 20, 10], strict=True))}


def test_tags_and_latest_times_of_every_series() -> None:
    watch = SeriesWatch(_index())
    since = watch.quiet()
    assert since == 0
    table = watch.table("db", "cpu", ["dc", "host"], since)
    assert table is not None
    rows = sorted(table.to_pylist(), key=lambda r: r["time"])
    assert rows == [{"dc": None, "host": None, "time": 10},
                    {"dc": None, "host": "b", "time": 20},
                    {"dc": "x", "host": "a", "time": 30}]


def test_nothing_once_a_write_transaction_began_after_the_snapshot() -> None:
    loads: list[tuple[str, str]] = []
    watch = SeriesWatch(_index(), lambda database, table: loads.append((database, table)))
    watch.begun += 1
    assert watch.quiet() is None  # one is open: no snapshot may be pinned
    watch.ended += 1
    since = watch.quiet()
    assert since == 1 and watch.table("db", "cpu", ["host"], since) is not None
    # A later measurement of the same read, after a write ran: refused, even though that
    # write is over (its index changes are not in the read's snapshot).
    watch.begun += 1
    watch.ended += 1
    assert watch.table("db", "cpu", ["host"], since) is None
    assert watch.table("db", "mem", ["host"], watch.quiet() or 0) is None  # not loaded yet
    assert loads == [("db", "mem")]


def test_new_series_and_replaced_entries_are_seen() -> None:
    index = _index()
    watch = SeriesWatch(index)
    first = watch.table("db", "cpu", ["host"], 0)
    assert first is not None and first.num_rows == 3
    index[("db", "cpu")]["host\x00c\x00"] = 40
    grown = watch.table("db", "cpu", ["host"], 0)
    assert grown is not None and set(grown.column("host").to_pylist()) == {"a", "b", "c", None}
    index[("db", "cpu")] = {"host\x00z\x00": 5}
    replaced = watch.table("db", "cpu", ["host"], 0)
    assert replaced is not None and replaced.to_pylist() == [{"host": "z", "time": 5}]
