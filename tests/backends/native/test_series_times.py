"""The writer's series index as reads see it: only when no write transaction ran meanwhile."""

from __future__ import annotations

import pyarrow as pa

from gateway.backends.native.series_times import SeriesWatch
from gateway.backends.native.writes import SeriesIndex, series_keys


def _index() -> SeriesIndex:
    keys = series_keys(pa.table({"host": ["a", "b", None], "dc": ["x", None, None]}),
                       ["host", "dc"]).to_pylist()
    return {("db", "cpu"): dict(zip(keys, [30, 20, 10], strict=True))}


def test_tags_and_latest_times_of_every_series() -> None:
    pins: list[int] = []
    table = SeriesWatch(_index()).table("db", "cpu", ["dc", "host"], lambda: pins.append(1))
    assert table is not None and pins == [1]
    rows = sorted(table.to_pylist(), key=lambda r: r["last_time"])
    assert rows == [{"dc": None, "host": None, "last_time": 10},
                    {"dc": None, "host": "b", "last_time": 20},
                    {"dc": "x", "host": "a", "last_time": 30}]


def test_nothing_while_a_write_transaction_is_open_or_began_meanwhile() -> None:
    watch = SeriesWatch(_index())
    watch.begun += 1
    assert watch.table("db", "cpu", ["host"], lambda: None) is None
    watch.ended += 1

    def write_meanwhile() -> None:
        watch.begun += 1

    assert watch.table("db", "cpu", ["host"], write_meanwhile) is None
    watch.ended += 1
    assert watch.table("db", "cpu", ["host"], lambda: None) is not None
    assert watch.table("db", "mem", ["host"], lambda: None) is None  # not loaded yet


def test_new_series_and_replaced_entries_are_seen() -> None:
    index = _index()
    watch = SeriesWatch(index)
    first = watch.table("db", "cpu", ["host"], lambda: None)
    assert first is not None and first.num_rows == 3
    index[("db", "cpu")]["host\x00c\x00"] = 40
    grown = watch.table("db", "cpu", ["host"], lambda: None)
    assert grown is not None and set(grown.column("host").to_pylist()) == {"a", "b", "c", None}
    index[("db", "cpu")] = {"host\x00z\x00": 5}
    replaced = watch.table("db", "cpu", ["host"], lambda: None)
    assert replaced is not None and replaced.to_pylist() == [{"host": "z", "last_time": 5}]
