"""Retention on the native store: shard-group alignment, expiry cutoffs, and a retention check
keeping the series index that reads use in step with what it deleted."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from gateway.backends.native import policies, retention, writes
from gateway.backends.native.catalog import Database, RetentionPolicy
from gateway.backends.native.store import NativeStore
from gateway.model import Namespace, SqlQuery
from translators.lineprotocol import Precision, parse_lines

HOUR = 3600 * 10**9
DAY = 24 * HOUR


def _ns(text: str) -> int:
    return int(dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC).timestamp()) * 10**9


@pytest.mark.parametrize(("time", "shard", "start"), [
    pytest.param("2026-11-21T11:29:31", HOUR, "2026-11-21T11:00:00", id="hour"),
    pytest.param("2026-11-21T11:29:31", DAY, "2026-11-21T00:00:00", id="day"),
    # Go truncates from year 1, a Monday: weekly groups start on Mondays, not Thursdays
    pytest.param("2026-11-21T11:29:31", 7 * DAY, "2026-11-16T00:00:00", id="week"),
    pytest.param("1970-01-01T00:00:00", 7 * DAY, "1969-12-29T00:00:00", id="week-at-epoch"),
    pytest.param("2026-11-21T11:29:31", 2 * HOUR, "2026-11-21T10:00:00", id="two-hours"),
])
def test_group_start(time: str, shard: int, start: str) -> None:
    assert retention.group_start(_ns(time), shard) == _ns(start)


def _db(*durations: int, shard: int = HOUR) -> Database:
    db = Database("d", retention_policies={})
    for i, duration in enumerate(durations):
        db.retention_policies[f"p{i}"] = RetentionPolicy(f"p{i}", duration, shard)
    return db


def test_expiry_cutoff_is_the_longest_policy_aligned_to_its_groups() -> None:
    now = _ns("2026-11-21T11:29:31")
    # a group expires once it ended `duration` ago: 10:00 for one hour
    assert retention.expiry_cutoff(_db(HOUR), now) == _ns("2026-11-21T10:00:00")
    assert retention.expiry_cutoff(_db(HOUR, 3 * HOUR), now) == _ns("2026-11-21T08:00:00")
    assert retention.expiry_cutoff(_db(HOUR, 0), now) is None  # an infinite policy keeps all
    assert retention.expiry_cutoff(_db(), now) is None
    # the group [09:00, 10:00) ends exactly `duration` before now: not expired yet
    assert retention.expiry_cutoff(_db(HOUR), _ns("2026-11-21T11:00:00")) == _ns(
        "2026-11-21T09:00:00")


def _batch(body: str) -> writes.PreparedBatch:
    return writes.prepare(parse_lines(body.encode(), Precision.NANOSECOND, 0))


async def test_a_check_deletes_rows_and_forgets_their_series(tmp_path: Path) -> None:
    store = NativeStore(tmp_path / "r.duckdb", retention_check_interval=0)
    store.open()
    try:
        old, recent = _ns("2026-11-21T08:30:00"), _ns("2026-11-21T10:30:00")
        await store.write(Namespace("d"), _batch(
            f"m,h=a v=1 {old}\nm,h=a v=2 {recent}\nm,h=b v=3 {old}\ngone v=4 {old}"))

        async def series() -> list[dict[str, object]] | None:
            await store.run(lambda tx: None)  # the index is loaded and no write is open
            found = await store.read(lambda reader: reader.series_times("d", "m"))
            return None if found is None else sorted(found.to_pylist(), key=str)

        assert len(await series() or []) == 2
        now = _ns("2026-11-21T11:29:31")
        assert await store.run(lambda tx: retention.expire(tx, store._index, now)) == 0
        one_hour = [RetentionPolicy("autogen", HOUR, HOUR)]
        await store.run(lambda tx: policies.save_policies(tx, "d", one_hour, "autogen"))
        assert await store.run(lambda tx: retention.expire(tx, store._index, now)) == 3
        assert await series() == [{"h": "a", "time": recent}]
        assert "gone" not in store.catalog.databases["d"].tables  # emptied: dropped
        answer = await store.query_sql(SqlQuery(Namespace("d"), "SELECT h, v FROM m"))
        assert answer.to_pylist() == [{"h": "a", "v": 2.0}]
    finally:
        await store.close()

