"""Clustering settled rows by series (`compaction.py`): every point stays exactly once, the
rows before the watermark lie sorted by series, late and merged writes are kept and
clustered again, and the watermark survives a restart and goes with a dropped table."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from sqlglot import exp

from gateway.backends.native import compaction, writes
from gateway.backends.native import statements as st
from gateway.backends.native.store import NativeStore
from gateway.model import Namespace
from translators.lineprotocol import Precision, parse_lines

BASE = 1_700_000_000_000_000_000
STEP = 10_000_000_000  # 10 s
HOSTS = [f"h{i}" for i in range(6)]
CPUS = ["c0", "c1", "c2"]
# (host, cpu) of each series; ("h9", None): a series without the cpu tag
SERIES = [(h, c) for h in HOSTS for c in CPUS] + [("h9", None)]
WINDOW, PIECE = 1000, 300


def line(host: str, cpu: str | None, stamp: int, value: float) -> str:
    tags = f",cpu={cpu}" if cpu is not None else ""
    return f"m{tags},host={host} v={value} {stamp}"


def open_store(path: Path, **options: object) -> NativeStore:
    options = {"cluster_series": True, **options}
    store = NativeStore(path, idle_checkpoint_seconds=0.01, cluster_window_rows=WINDOW,
                        cluster_piece_rows=PIECE, **options)  # type: ignore[arg-type]
    store.open()
    return store


async def write(store: NativeStore, lines: list[str]) -> None:
    body = "\n".join(lines).encode()
    await store.write(Namespace("d"), writes.prepare(
        parse_lines(body, Precision.NANOSECOND, 0)))


async def load(store: NativeStore, steps: int) -> dict[tuple[str, str | None, int], float]:
    """`steps` times of every series, written time after time in batches, as agents send."""
    points: dict[tuple[str, str | None, int], float] = {}
    for first in range(0, steps, 20):
        lines = []
        for k in range(first, min(first + 20, steps)):
            for number, (host, cpu) in enumerate(SERIES):
                stamp = BASE + k * STEP
                points[(host, cpu, stamp)] = float(k * 100 + number)
                lines.append(line(host, cpu, stamp, points[(host, cpu, stamp)]))
        await write(store, lines)
    return points


async def caught_up(store: NativeStore) -> None:
    deadline = time.monotonic() + 300  # a bound for a hang, not for the work
    while store.status().clustering_backlog != 0:
        assert time.monotonic() < deadline, "clustering never caught up"
        await asyncio.sleep(0.01)


def raw(store: NativeStore, query: str) -> list[tuple[object, ...]]:
    con = store._writer.con
    assert con is not None
    return con.cursor().execute(query).fetchall()


def stored(store: NativeStore) -> dict[tuple[str, str | None, int], float]:
    found = raw(store, 'SELECT host, cpu, epoch_ns(time), v FROM d.m')
    points = {(h, c, t): v for h, c, t, v in found}
    assert len(points) == len(found), "a point is stored twice"
    return points


def watermark(store: NativeStore) -> int | None:
    found = raw(store, st.meta_select(st.META_CLUSTERED, ["database", "table", "through_ns"]))
    marks = {(d, t): n for d, t, n in found}
    assert len(marks) == len(found)
    return marks.get(("d", "m"))


def layout(store: NativeStore, through: int) -> tuple[int, int, bool]:
    """Of the rows before `through` in storage order: how many, how often the series changes
    from one row to the next, and whether each series' times ascend."""
    found = raw(store, 'SELECT host, cpu, epoch_ns(time) FROM d.m WHERE time < '
                f'make_timestamp_ns({through}) ORDER BY rowid')
    changes = sum(1 for a, b in zip(found, found[1:], strict=False) if a[:2] != b[:2])
    last: dict[tuple[str, str | None], int] = {}
    ascending = True
    for host, cpu, stamp in found:
        if stamp < last.get((host, cpu), stamp):
            ascending = False
        last[(host, cpu)] = stamp
    return len(found), changes, ascending


async def test_settled_rows_are_rewritten_sorted_by_series_each_point_once(
        tmp_path: Path) -> None:
    store = open_store(tmp_path / "x.duckdb")
    try:
        points = await load(store, 400)  # 7,600 rows, in arrival order
        await caught_up(store)
        assert stored(store) == points
        through = watermark(store)
        assert through is not None
        rows, changes, ascending = layout(store, through)
        # the newest rows (two windows' worth at most) are left as they arrived
        assert len(points) - 2 * WINDOW - len(SERIES) <= rows < len(points) - WINDOW
        # in arrival order the series changes at every row; clustered, once per series per
        # window
        windows = -(-rows // WINDOW)
        assert changes <= (len(SERIES) + 1) * (windows + 1), (changes, rows)
        assert ascending
    finally:
        await store.close()


async def test_switched_off_rows_stay_in_arrival_order(tmp_path: Path) -> None:
    store = open_store(tmp_path / "x.duckdb", cluster_series=False)
    try:
        points = await load(store, 400)
        await caught_up(store)
        assert stored(store) == points
        assert watermark(store) is None
        rows, changes, _ = layout(store, BASE + 400 * STEP)
        assert rows == len(points) and changes >= rows - 400
    finally:
        await store.close()


async def test_late_and_merged_points_are_kept_and_clustered_again(tmp_path: Path) -> None:
    store = open_store(tmp_path / "x.duckdb")
    try:
        points = await load(store, 400)
        await caught_up(store)
        before = watermark(store)
        assert before is not None
        late = [("h0", "c0", BASE + 5 * STEP + 1), ("h3", None, BASE + 7 * STEP),
                ("h7", "c1", BASE + 2 * STEP)]  # a new point, a new series, a new series
        lines = [line(h, c, t, -1.0) for h, c, t in late]
        points.update({key: -1.0 for key in late})
        # an existing point written again: its field is overwritten (the merge path)
        points[("h1", "c2", BASE + 3 * STEP)] = -2.0
        lines.append(line("h1", "c2", BASE + 3 * STEP, -2.0))
        await write(store, lines)
        await caught_up(store)
        assert stored(store) == points
        after = watermark(store)
        assert after is not None and after >= before
        rows, changes, ascending = layout(store, after)
        windows = -(-rows // WINDOW)
        assert changes <= (len(SERIES) + 3) * (windows + 1), (changes, rows)
        assert ascending  # the late rows were moved in among their series' rows
    finally:
        await store.close()


async def test_writes_between_pieces_are_kept(tmp_path: Path) -> None:
    """Writes that arrive while clustering is under way run between its pieces."""
    store = open_store(tmp_path / "x.duckdb")
    try:
        points = await load(store, 400)
        for k in range(400, 460):  # newer points, one time per write
            lines = []
            for number, (host, cpu) in enumerate(SERIES):
                stamp = BASE + k * STEP
                points[(host, cpu, stamp)] = float(number)
                lines.append(line(host, cpu, stamp, float(number)))
            await write(store, lines)
        await write(store, [line("h2", "c1", BASE + 50 * STEP + 3, 7.0)])
        points[("h2", "c1", BASE + 50 * STEP + 3)] = 7.0
        await caught_up(store)
        assert stored(store) == points
    finally:
        await store.close()


async def test_the_watermark_survives_a_restart_and_goes_with_its_table(
        tmp_path: Path) -> None:
    path = tmp_path / "x.duckdb"
    store = open_store(path)
    try:
        points = await load(store, 400)
        await caught_up(store)
        through = watermark(store)
    finally:
        await store.close()
    store = open_store(path)
    try:
        await caught_up(store)
        assert watermark(store) == through
        assert stored(store) == points
        await store.drop_table("d", "m")
        assert watermark(store) is None
        await load(store, 10)
        await caught_up(store)
        assert watermark(store) is None  # too few rows to settle
    finally:
        await store.close()


def test_pieces_cover_every_value_in_order() -> None:
    first = st.column("host")
    counts = [(None, 5), ("a", 200), ("b", 200), ("c", 50), ("d", 400), ("e", 10)]
    pieces = compaction._pieces(first, counts, 300)
    texts = [st.sql(p) for p in pieces]
    assert texts == ['"host" IS NULL', '"host" < \'b\'', '"host" >= \'b\' AND "host" < \'d\'',
                     '"host" >= \'d\' AND "host" < \'e\'', '"host" >= \'e\'']
    lone = compaction._pieces(first, [("a", 10)], 300)
    assert [st.sql(p) for p in lone] == ['NOT "host" IS NULL']
    assert isinstance(pieces[0], exp.Is)


@pytest.mark.parametrize("tags", [[], ["host"]])
async def test_tables_too_small_or_without_tags_are_left_alone(tmp_path: Path,
                                                                tags: list[str]) -> None:
    store = open_store(tmp_path / "x.duckdb")
    try:
        lines = [f"n{''.join(f',{t}=x{k % 3}' for t in tags)} v={k} {BASE + k}"
                 for k in range(3000 if not tags else 1500)]
        await write(store, lines)
        await caught_up(store)
        found = raw(store, st.meta_select(st.META_CLUSTERED, ["table"]))
        assert found == []
        (count,), = raw(store, "SELECT count(*) FROM d.n")
        assert count == len(lines)
    finally:
        await store.close()
