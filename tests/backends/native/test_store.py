"""NativeStore: group commit isolation, series identity across restarts, no_sync validation."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
from sqlglot import exp

from gateway.api import keys
from gateway.backends.native import ddl, transaction, writes
from gateway.backends.native import statements as st
from gateway.backends.native.reader import Reader
from gateway.backends.native.schema import CatalogSchema
from gateway.backends.native.store import NativeStore
from gateway.errors import Category, GatewayError, StoreDown
from gateway.memory_limit import available_memory
from gateway.model import Namespace, SqlQuery
from translators.influxql import engine
from translators.influxql.parser import parse_query
from translators.lineprotocol import Precision, parse_lines


def batch(body: bytes) -> writes.PreparedBatch:
    return writes.prepare(parse_lines(body, Precision.NANOSECOND, 0))


async def rows(store: NativeStore, database: str, query: str) -> list[dict[str, object]]:
    return (await store.query_sql(SqlQuery(Namespace(database), query))).to_pylist()


async def hold_writer(store: NativeStore) -> tuple[threading.Event, asyncio.Future[object]]:
    """Keep the writer busy until the event returned is set: jobs submitted meanwhile wait in
    its queue and then run as one group, however long the test takes to submit them."""
    release, holding = threading.Event(), threading.Event()

    def hold(tx: transaction.Transaction) -> None:
        holding.set()
        assert release.wait(60), "the test never let the writer go"

    held = asyncio.wrap_future(store.submit(hold))
    assert await asyncio.to_thread(holding.wait, 30)
    return release, held


async def until_queued(store: NativeStore, jobs: int) -> None:
    """Wait until `jobs` jobs wait in the busy writer's queue."""
    deadline = time.monotonic() + 30
    while store._writer._queue.qsize() < jobs:
        assert time.monotonic() < deadline, "the jobs never reached the writer's queue"
        await asyncio.sleep(0.01)


@pytest.fixture
async def store(tmp_path: Path):
    native = NativeStore(tmp_path / "x.duckdb")
    native.open()
    yield native
    await native.close()


async def test_a_failing_job_costs_its_group_nothing(store: NativeStore) -> None:
    await store.write(Namespace("d"), batch(b"m v=1 1"))

    def failing(tx: transaction.Transaction) -> None:
        writes.apply_write(tx, {}, "d", batch(b"other v=1 1"), create=True, now_ns=0)
        raise GatewayError(Category.CONFLICT, "after changing data")

    release, hold = await hold_writer(store)  # the writer is busy: the rest queue up
    good = asyncio.ensure_future(store.write(Namespace("d"), batch(b"m v=2 2")))
    await until_queued(store, 1)
    bad = store.submit(failing)
    await until_queued(store, 2)  # one group: the good write's and the failing job
    release.set()
    await hold
    outcome = await good
    with pytest.raises(GatewayError, match="after changing data"):
        await asyncio.wrap_future(bad)
    assert outcome.written == 1
    assert await rows(store, "d", "SELECT v FROM m ORDER BY v") == [{"v": 1.0}, {"v": 2.0}]
    assert "other" not in store.catalog.databases["d"].tables  # rolled back, not half-kept


@pytest.mark.parametrize("idle_bytes, folded", [
    pytest.param(1 << 20, False, id="below-the-floor-waits"),
    pytest.param(0, True, id="no-floor-folds"),
])
async def test_a_pause_folds_the_wal_only_once_it_holds_idle_checkpoint_bytes(
        tmp_path: Path, idle_bytes: int, folded: bool) -> None:
    # Each checkpoint compresses a table's last, partly filled row group again: folding a
    # small WAL at every pause cost five to seven times the CPU per row of folding many rows.
    path = tmp_path / "x.duckdb"
    wal = Path(f"{path}.wal")
    body = b"".join(b"m,host=h%d v=%d %d\n" % (i % 10, i, i) for i in range(2_000))
    store = NativeStore(path, idle_checkpoint_seconds=600, idle_checkpoint_bytes=idle_bytes)
    store.open()
    try:
        await store.write(Namespace("d"), batch(body))
        pending = wal.stat().st_size
        assert 0 < pending < 1 << 20
        store._writer.stop()  # the pause, on this thread: nothing else uses the connection
        store._writer._checkpoint_if_needed()
        assert (wal.exists() and wal.stat().st_size) == (0 if folded else pending)
    finally:
        await store.close()
    again = NativeStore(path)  # replays what was not folded: nothing is lost either way
    again.open()
    try:
        assert await rows(again, "d", "SELECT count(*) AS n, sum(v) AS s FROM m") == [
            {"n": 2_000, "s": 1_999_000.0}]
    finally:
        await again.close()


async def test_series_keys_cannot_collide(tmp_path: Path) -> None:
    """Tag values holding the key's own separators must not alias another tag set."""
    path = tmp_path / "k.duckdb"
    first = NativeStore(path)
    first.open()
    await first.write(Namespace("d"), batch(b"n,a=x,b=y f=1 300"))
    await first.write(Namespace("d"), batch(b"n,a=x\x1fb\x1ey f=2 100"))
    await first.close()
    second = NativeStore(path)  # the series index is rebuilt from storage
    second.open()
    await second.write(Namespace("d"), batch(b"n,a=x,b=y f=3 300"))
    result = await rows(second, "d", "SELECT a, b, f FROM n ORDER BY f")
    await second.close()
    assert result == [{"a": "x\x1fb\x1ey", "b": None, "f": 2.0}, {"a": "x", "b": "y", "f": 3.0}]


async def test_no_sync_validates_before_acknowledging(store: NativeStore) -> None:
    await store.write(Namespace("d"), batch(b"ns f=1i 1"))
    outcome = await store.write(Namespace("d"), batch(b"ns f=1.5 2"), sync=False,
                                all_or_nothing=True)
    assert outcome.written == 0
    assert [e.line_number for e in outcome.errors] == [1]
    outcome = await store.write(Namespace("d"), batch(b"ns f=2i 3\nns f=2.5 4"), sync=False)
    assert (outcome.written, [e.line_number for e in outcome.errors]) == (1, [2])
    await store.write(Namespace("d"), batch(b"later v=1 1"))  # after the no_sync commit
    assert await rows(store, "d", "SELECT f FROM ns ORDER BY f") == [{"f": 1}, {"f": 2}]


async def test_no_sync_sees_columns_of_batches_queued_before_it(store: NativeStore) -> None:
    """Found by the soak test: two no_sync batches in a row, the first adding field f as a
    float and the second writing f as a string, were both acknowledged while the writer was
    busy (the second was checked against a catalog without f) and the string line was then
    refused after its 204: an acknowledged point lost."""
    release, hold = await hold_writer(store)  # neither batch is committed before both
    first = asyncio.ensure_future(store.write(Namespace("d"), batch(b"ns f=1.5 1"),
                                              sync=False))
    await until_queued(store, 1)
    second = asyncio.ensure_future(store.write(Namespace("d"), batch(b'ns f="s" 2\nns g=1 3'),
                                               sync=False))
    await until_queued(store, 2)
    release.set()
    await hold
    assert (await first).written == 1
    outcome = await second
    assert (outcome.written, [e.line_number for e in outcome.errors]) == (1, [1])
    await store.write(Namespace("d"), batch(b"later v=1 1"))  # after the no_sync commits
    assert await rows(store, "d", "SELECT f, g FROM ns ORDER BY time") == [
        {"f": 1.5, "g": None}, {"f": None, "g": 1.0}]


async def test_a_read_outlives_a_drop_of_a_table_its_catalog_names(store: NativeStore) -> None:
    """Found by the soak test: a read takes the catalog when it begins and DuckDB's snapshot
    when each statement runs, so a table dropped in between failed the read with DuckDB's
    'Catalog Error: Table ... does not exist' (SHOW TAG VALUES, a regex FROM, SQL). The read
    starts again with the catalog as it is now."""
    await store.write(Namespace("d"), batch(b"m1 v=1 1\nm2 v=2 2"))
    took, dropping = threading.Event(), threading.Event()
    seen: list[list[str]] = []

    def work(reader: Reader) -> dict[str, object]:
        tables = sorted(reader.catalog.databases["d"].tables)
        seen.append(tables)
        if len(seen) == 1:
            took.set()
            dropping.wait(60)  # the drop commits now, after this read took its catalog
        counts = {}
        for name in tables:
            query = exp.select(exp.Count(this=exp.Star())).from_(st.table_ref("d", name))
            counts[name] = reader.run(query).column(0)[0].as_py()
        return counts

    reading = asyncio.ensure_future(store.read(work))
    assert await asyncio.to_thread(took.wait, 30)  # not a guess at how soon reads start
    await store.drop_table("d", "m1")
    dropping.set()
    assert await reading == {"m2": 1}
    assert seen == [["m1", "m2"], ["m2"]]
    with pytest.raises(GatewayError, match="Catalog Error"):  # a name that is really missing
        await store.read(lambda reader: reader.run(
            exp.select("*").from_(st.table_ref("d", "m1"))))


async def test_measurements_named_like_merge_aliases(store: NativeStore) -> None:
    for body in (b"s,host=a f=1,g=1 100", b"s,host=a f=2 100", b"t,host=a f=1 1",
                 b"t,host=a f=2 1"):
        await store.write(Namespace("d"), batch(body))
    assert await rows(store, "d", "SELECT f, g FROM s") == [{"f": 2.0, "g": 1.0}]
    assert await rows(store, "d", "SELECT f FROM t") == [{"f": 2.0}]


async def test_last_line_wins_across_chunks_of_one_body(store: NativeStore) -> None:
    await store.write(Namespace("d"), batch(b'm,host=a g="x" 1'))
    # lines 1 and 3 share a chunk, line 2 (g a string) is another; line 1 is refused (g int)
    outcome = await store.write(Namespace("d"), batch(
        b'm,host=a f=1,g=1i 10\nm,host=a f=2,g="s" 10\nm,host=a f=3 10'))
    assert [e.line_number for e in outcome.errors] == [1]
    assert await rows(store, "d", "SELECT f, g FROM m WHERE g = 's'") == [{"f": 3.0, "g": "s"}]


async def test_many_measurements_in_one_body(store: NativeStore) -> None:
    body = b"\n".join(f"m{i} v=1 1".encode() for i in range(3000))
    outcome = await store.write(Namespace("d"), batch(body))
    assert outcome.written == 3000
    assert len(store.catalog.databases["d"].tables) == 3000


async def test_no_sync_refuses_a_database_differing_in_case(store: NativeStore) -> None:
    await store.write(Namespace("db1"), batch(b"m v=1 1"))
    with pytest.raises(GatewayError, match="differs only in case"):
        await store.write(Namespace("DB1"), batch(b"m v=1 1"), sync=False)


async def test_reads_get_series_times_once_the_writer_has_loaded_them(tmp_path: Path) -> None:
    """After a restart the series index is empty: the first read asks the writer to load the
    table's entry and goes without; later reads get every series' latest time."""
    path = tmp_path / "s.duckdb"
    first = NativeStore(path)
    first.open()
    await first.write(Namespace("d"), batch(b"m,h=a v=1 10\nm,h=b v=2 20\nm,h=a v=3 30"))
    await first.close()
    store = NativeStore(path)
    store.open()
    try:
        assert await store.read(lambda reader: reader.series_times("d", "m")) is None
        assert await store.read(lambda reader: reader.series_times("d", "nope")) is None
        await store.run(lambda tx: None)  # the load was queued before this job
        found = await store.read(lambda reader: reader.series_times("d", "m"))
        assert found is not None
        assert sorted(found.to_pylist(), key=lambda r: r["h"]) == [
            {"h": "a", "time": 30}, {"h": "b", "time": 20}]
    finally:
        await store.close()


async def _last_per_host(store: NativeStore, text: str,
                         between: Callable[[str], None] = lambda m: None) -> list[object]:
    (statement,) = parse_query(text, None)

    def work(reader: Reader) -> list[object]:
        def series_times(database: str, measurement: str) -> object:
            between(measurement)
            return reader.series_times(database, measurement)

        found = engine.select(statement, "d", CatalogSchema(reader.catalog), reader.run,
                              time.time_ns(), engine.Limits(), series_times)  # type: ignore[arg-type]
        return [(s.name, s.tags, s.values) for s in found]

    return await store.read(work)  # type: ignore[no-any-return]


async def test_last_over_two_measurements_ignores_writes_after_its_snapshot(
        store: NativeStore) -> None:
    """A write between a read's two measurements (drop b, write b again) must not reach the
    second one's series times: the answer is the read's snapshot, not a mix."""
    await store.write(Namespace("d"), batch(b"a,host=a v=1 5\nb,host=a v=1 2000\nb,host=b v=2 20"))
    text = "SELECT last(v) FROM a, b GROUP BY host"
    before = await _last_per_host(store, text)
    assert before == [("a", {"host": "a"}, [[5, 1.0]]), ("b", {"host": "a"}, [[2000, 1.0]]),
                      ("b", {"host": "b"}, [[20, 2.0]])]

    def rewrite_b(measurement: str) -> None:
        if measurement == "b":
            store.submit(lambda tx: ddl.drop_table(tx, store._index, "d", "b")).result()
            store.submit(lambda tx: writes.apply_write(
                tx, store._index, "d", batch(b"b,host=a v=9 1000"), create=True,
                now_ns=0)).result()

    assert await _last_per_host(store, text, rewrite_b) == before
    assert await _last_per_host(store, text) == [
        ("a", {"host": "a"}, [[5, 1.0]]), ("b", {"host": "a"}, [[1000, 9.0]])]


async def test_last_with_tags_named_like_internal_columns(store: NativeStore) -> None:
    await store.write(Namespace("d"), batch(b"m,last_time=x,__d0=y v=1 5\nm,last_time=z v=2 7"))
    await store.run(lambda tx: None)
    for key, expected in (("last_time", [("m", {"last_time": "x"}, [[5, 1.0]]),
                                         ("m", {"last_time": "z"}, [[7, 2.0]])]),
                          ("__d0", [("m", {"__d0": ""}, [[7, 2.0]]),
                                    ("m", {"__d0": "y"}, [[5, 1.0]])])):
        assert await _last_per_host(store, f'SELECT last(v) FROM m GROUP BY "{key}"') == expected


def _scan_a_local_table(cursor) -> list[tuple[object, ...]]:
    import pyarrow as pa

    secret = pa.table({"x": [1]})  # noqa: F841 - what a replacement scan would find
    return cursor.sql("SELECT * FROM secret").fetchall()


async def test_sql_cannot_name_python_variables(store: NativeStore) -> None:
    """DuckDB's replacement scans read a Python DataFrame or Arrow table by its variable
    name from the calling frame; the store turns them off for every cursor it makes (its
    lockdown of external access already stops this scan; the setting is a second wall)."""
    cursor = store._writer.con.cursor()
    try:
        assert cursor.sql("SELECT current_setting('python_enable_replacements')"
                          ).fetchall() == [(False,)]
        with pytest.raises(Exception, match="secret"):
            _scan_a_local_table(cursor)
    finally:
        cursor.close()


async def test_appends_match_columns_by_name_in_any_layout(tmp_path: Path) -> None:
    """Rows are appended by column position in the stored table's own order: lines naming
    columns in other orders, or only some of them, land in the right columns, also after a
    restart that reads the catalog's rows back in another order than the columns."""
    path = tmp_path / "o.duckdb"
    first = NativeStore(path)
    first.open()
    await first.write(Namespace("d"), batch(b"m,t=a f=1i 1"))
    await first.write(Namespace("d"), batch(b'm,u=b,t=c s="x",b=true 2'))  # new columns
    await first.close()
    # The catalog's rows, listed in reverse: their order must not decide the layout.
    con = duckdb.connect(str(path))
    meta = st.table_ref(st.META_SCHEMA, st.META_COLUMNS).sql("duckdb")
    kept = con.sql(f"SELECT * FROM {meta}").fetchall()
    con.execute(f"DELETE FROM {meta}")
    con.executemany(f"INSERT INTO {meta} VALUES (?, ?, ?, ?, ?)", kept[::-1])
    con.close()
    second = NativeStore(path)
    second.open()
    await second.write(Namespace("d"), batch(b"m,u=e b=false,f=3i 3\nm s=\"y\" 4"))
    result = await rows(second, "d", "SELECT t, u, f, s, b FROM m ORDER BY time")
    await second.close()
    assert [tuple(r.values()) for r in result] == [
        ("a", None, 1, None, None),
        ("c", "b", None, "x", True),
        (None, "e", 3, None, False),
        (None, None, None, "y", None),
    ]


async def test_a_delete_leaves_no_stale_latest_time_in_the_series_index(
        store: NativeStore) -> None:
    """DELETE (and DROP SERIES) may remove a series' latest point or the series itself: the
    times reads are offered must then be read again from the rows, never the deleted ones."""
    await store.write(Namespace("d"), batch(b"m,host=a v=1 5\nm,host=a v=2 50\nm,host=b v=3 7"))

    async def series_times() -> list[tuple[object, object]] | None:
        await store.run(lambda tx: None)  # loads the entry, and no write is open
        found = await store.read(lambda reader: reader.series_times("d", "m"))
        return None if found is None else sorted(zip(*found.to_pydict().values(),
                                                     strict=True))

    assert await series_times() == [("a", 50), ("b", 7)]  # kept by the write
    await store.delete_rows("d", "m", exp.not_(st.time_before(40)))
    assert await series_times() is None  # dropped: read again when next asked
    assert await series_times() == [("a", 5), ("b", 7)]
    await store.delete_rows("d", "m", st.column("host").eq(exp.Literal.string("b")))
    await series_times()
    assert await series_times() == [("a", 5)]
    assert await _last_per_host(store, "SELECT last(v) FROM m GROUP BY host") == [
        ("m", {"host": "a"}, [[5, 1.0]])]


_DUCKDB_UNITS = {"bytes": 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30, "TiB": 1 << 40}


def _duckdb_bytes(text: str) -> tuple[float, int]:
    """DuckDB's '9.4 GiB' as (bytes, the unit it shows to a tenth of)."""
    number, unit = text.split()
    return float(number) * _DUCKDB_UNITS[unit], _DUCKDB_UNITS[unit]


@pytest.mark.parametrize(("storage", "share"), [
    pytest.param({}, 0.5, id="default-half"),
    pytest.param({"memory_limit": "25%"}, 0.25, id="quarter"),
])
async def test_the_memory_limit_is_a_share_of_available_memory_in_duckdb(
        make_client, storage: dict[str, object], share: float) -> None:
    # DuckDB's own default (80% of RAM) left too little beside it for the gateway's heap
    client = await make_client(storage=storage)
    reported = await client.app[keys.ADMIN].store_setting("memory_limit")
    value, unit = _duckdb_bytes(reported)
    assert abs(value - available_memory() * share) <= unit * 0.1, reported  # 5.88 -> 5.8


async def test_a_memory_limit_given_as_a_size_reaches_duckdb(make_client) -> None:
    client = await make_client(storage={"memory_limit": "300MB"})
    assert await client.app[keys.ADMIN].store_setting("memory_limit") == "286.1 MiB"


async def test_a_read_that_meets_the_fatal_state_takes_the_store_down_until_reopened(
        store: NativeStore) -> None:
    # DuckDB's fatal state cannot be reached here without limiting the test process's own
    # files (tests/e2e/test_store_outage.py does it to a gateway process): the read raises
    # DuckDB's exception itself, and the database it reopens is sound.
    await store.write(Namespace("d"), batch(b"m v=1 1"))
    old_cursors = []

    def fatal(reader: Reader) -> None:
        old_cursors.append(reader._call.cursor)
        raise duckdb.FatalException("FATAL Error: Failed to create checkpoint: disk full")

    with pytest.raises(GatewayError) as info:
        await store.read(fatal)
    assert info.value.category is Category.UNAVAILABLE and info.value.retry_after
    assert "disk full" in info.value.message
    status = store.status()
    assert status.fatal_errors == 1
    deadline = time.monotonic() + 30
    while not store.status().up:  # the writer reopens it at once
        assert time.monotonic() < deadline
        await asyncio.sleep(0.01)
    assert store.status().recovered == 1
    await store.write(Namespace("d"), batch(b"m v=3 3"))
    assert await rows(store, "d", "SELECT v FROM m ORDER BY time") == [{"v": 1.0}, {"v": 3.0}]

    def cursor(reader: Reader) -> object:
        return reader._call.cursor

    assert await store.read(cursor) not in old_cursors  # the old connection's are dropped


async def test_a_read_the_reopen_interrupts_is_refused_as_the_outage(store: NativeStore) -> None:
    # A read still running when the writer reopens the database is stopped there; its answer
    # is the outage's refusal (StoreDown: an InfluxQL request is refused as a whole, with
    # Retry-After), not a plain "query interrupted" that InfluxQL reports as a statement's
    # error in a 200.
    await store.write(Namespace("d"), batch(b"m v=1 1"))
    started = threading.Event()

    def long_read(reader: Reader) -> None:
        started.set()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:  # until the reopen stops it
            reader.run_sql('SELECT count(*) FROM range(100000)')

    def fatal(reader: Reader) -> None:
        raise duckdb.FatalException("FATAL Error: Failed to create checkpoint: disk full")

    running = asyncio.ensure_future(store.read(long_read))
    assert await asyncio.to_thread(started.wait, 10)
    with pytest.raises(StoreDown):
        await store.read(fatal)
    with pytest.raises(GatewayError) as info:
        await running
    assert isinstance(info.value, StoreDown), info.value
    assert info.value.retry_after and info.value.retry_after >= 1
    assert "disk full" in info.value.message


async def test_the_reopen_closes_the_old_connection_a_call_holds_busy(
        store: NativeStore, caplog: pytest.LogCaptureFixture) -> None:
    # DuckDB refuses to close a connection while another thread is in a call on it
    # (ResourceInUseException), e.g. a read taking a cursor on the event loop; the reopen
    # waits for that call instead of leaving the invalidated database open. The hold here
    # is a long query on the connection itself, interrupted once the writer is at the close.
    old = store._writer.con
    assert old is not None
    stopped: list[BaseException] = []

    running = threading.Event()

    def batches() -> Iterator[pa.RecordBatch]:  # endless; says when the query first reads
        batch = pa.record_batch([pa.array(range(2048), pa.int64())], names=["a"])
        running.set()
        while True:
            yield batch

    def run_long() -> None:
        stream = pa.RecordBatchReader.from_batches(pa.schema([("a", pa.int64())]), batches())
        try:
            old.from_arrow(stream).aggregate("count(*)").fetchall()
        except duckdb.InterruptException as exc:
            stopped.append(exc)

    # Wait for the query to read, not by calling the connection: a call made while the other
    # thread's is still starting can wait on it instead of refusing (seen once in about 25
    # tries here), and this query never ends of itself.
    busy = threading.Thread(target=run_long)
    busy.start()
    assert await asyncio.to_thread(running.wait, 30)
    with pytest.raises(duckdb.ResourceInUseException):  # the hold the reopen must wait out
        old.execute("SELECT 1")

    def fatal(reader: Reader) -> None:
        raise duckdb.FatalException("FATAL Error: Failed to create checkpoint: disk full")

    with pytest.raises(StoreDown):
        await store.read(fatal)
    deadline = time.monotonic() + 30
    while not any("reopening the native store" in r.getMessage() for r in caplog.records):
        assert time.monotonic() < deadline
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.3)  # the writer is at the close by now
    old.interrupt()
    await asyncio.to_thread(busy.join, 10)
    assert stopped
    while not store.status().up:
        assert time.monotonic() < deadline
        await asyncio.sleep(0.01)
    assert not any("closing the invalidated database failed" in r.getMessage()
                   for r in caplog.records)
    with pytest.raises(duckdb.ConnectionException):
        old.execute("SELECT 1")  # closed, not left open beside the new one
    await store.write(Namespace("d"), batch(b"m v=1 1"))
    assert await rows(store, "d", "SELECT v FROM m") == [{"v": 1.0}]
