"""v1 /write of points beyond a retention policy, against a real InfluxDB 1.6.7: the same
batches (times relative to now) to both servers, answers and stored points compared."""

from __future__ import annotations

import json
import time
import urllib.parse
import urllib.request

import pytest

from gateway.backends.native.retention import group_start
from tests.oracle.write_support import create, fresh_database, post, query
from tests.support.gateway_process import GatewayProcess
from tests.support.influxd import Influxd

pytestmark = pytest.mark.slow

HOUR = 3600 * 10**9
SECOND = 10**9

# {now}; {low}: the oldest time a one-hour policy keeps; {start}: the start of the one-hour
# shard group holding {low}. Each case: 1.6.7's status, setup batch, the batch, the
# `rp` parameter.
CASES = [
    pytest.param(400, "", "m v=1 1", "short", id="one-old-point"),
    pytest.param(400, "", "m v=1 {low_minus}\nm v=2 {now}\nm v=3 1", "short",
                 id="two-of-three-old"),
    pytest.param(204, "", "m v=1 {in_group}\nm v=2 {low_plus}", "short",
                 id="old-point-in-the-group-of-a-kept-one"),
    pytest.param(204, "", "m v=2 {low_plus}\nm v=1 {in_group}", "short",
                 id="old-point-after-the-kept-one"),
    pytest.param(204, "", "a v=1 {in_group}\nb v=2 {low_plus}", "short",
                 id="group-made-by-another-measurement"),
    pytest.param(400, "m v=0 {low_plus}", "m v=1 {in_group}", "short",
                 id="group-made-by-an-earlier-write"),
    pytest.param(400, "", "m v=1 {before_group}\nm v=2 {low_plus}", "short",
                 id="old-point-in-the-group-before"),
    pytest.param(400, "", "m v=1 1\nbad\nbad2 x\nm v=3 {now}", "short", id="with-parse-errors"),
    pytest.param(400, "", "bad\nm v=1 1", "short", id="parse-error-and-only-old-points"),
    pytest.param(400, "m v=0i {now}", "m v=2i 1\nbad\nm v=3 {now_1}\nm v=4i {now_2}", "short",
                 id="type-conflict-outranks"),
    pytest.param(400, "m v=0i {now}", "m v=5 1\nm v=6i {now_1}", "short",
                 id="old-point-with-a-conflicting-type"),
    pytest.param(400, "", "m,time=1 v=1 {now}\nm v=1 1\nm v=2 {now_1}", "short",
                 id="time-tag-outranks"),
    pytest.param(400, "", "m v=1 1\nm v=2 {now}", "", id="default-policy"),
    pytest.param(204, "", "m v=1 1", "forever", id="infinite-policy"),
]


def _times() -> dict[str, int]:
    now = time.time_ns()
    low = now - HOUR
    start = group_start(low, HOUR)
    # {low} near either end of its group: wait, so that every time keeps its place
    if low - start < 30 * SECOND or start + HOUR - low < 30 * SECOND:
        time.sleep(61 - (low - start + 30 * SECOND) % HOUR / SECOND)
        return _times()
    return {"now": now, "now_1": now + 1, "now_2": now + 2, "low_minus": low - 10 * SECOND,
            "low_plus": low + 10 * SECOND, "in_group": start + SECOND,
            "before_group": start - SECOND}


def _stored(base: str, database: str, rp: str) -> object:
    """The points of the policy written to (the gateway's policies share their tables)."""
    url = f"{base}/query?" + urllib.parse.urlencode(
        {"db": database, "q": f'SELECT * FROM "{rp}"./.*/ GROUP BY *', "epoch": "ns"})
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)


@pytest.mark.parametrize(("status", "setup", "body", "rp"), CASES)
def test_points_beyond_retention(influxdb1: Influxd, gateway: GatewayProcess, status: int,
                                 setup: str, body: str, rp: str) -> None:
    """1.x drops a point older than `now - duration` of the policy written to, unless a point
    of the same batch within the duration made its shard group exist; a shard's refusal
    (type conflict, `time` tag) outranks the drop in the answer, parse errors go unnamed."""
    database = fresh_database()
    times = _times()
    answers = []
    for base in (influxdb1.url, gateway.url):
        create(base, database)
        query(base, f"CREATE RETENTION POLICY short ON {database} DURATION 1h REPLICATION 1"
                    + ("" if rp else " DEFAULT"))
        query(base, f"CREATE RETENTION POLICY forever ON {database} DURATION INF "
                    "REPLICATION 1")
        if setup:
            write = f"{base}/write?db={database}&rp=short"
            assert post(write, setup.format(**times).encode()) == (204, "")
        answers.append(post(f"{base}/write?db={database}&rp={rp}",
                            body.format(**times).encode()))
    assert answers[0][0] == status
    assert answers[1] == answers[0]
    read = rp or "short"
    assert _stored(gateway.url, database, read) == _stored(influxdb1.url, database, read)
