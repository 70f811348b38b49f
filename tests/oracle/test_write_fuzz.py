"""v1 /write fuzzed against a real InfluxDB 1.6.7: generated bodies, the same answers.

Each case (lpgen.py) writes one to three bodies to a fresh database on both servers and
compares every answer (status, JSON body, X-Influxdb-Error), then what was stored: every
measurement's `SELECT *` and every field's type. CI runs a short fixed-seed sample;
explore with e.g. `LPFUZZ_CASES=400 LPFUZZ_SEED=7` (differences found are kept as named cases
in test_write_v1.py). A difference that a README deviation accounts for (lpexplain.py) is an
xfail naming it, so a run reports only what is unexplained. A case whose bodies without
timestamps the two servers may have given their default times differently (two bodies in one
second on one, across a second on the other: lpnow.py) is run again.
"""

from __future__ import annotations

import gzip
import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from tests.oracle import lpexplain, lpgen, lpnow
from tests.support.gateway_process import GatewayProcess
from tests.support.influxd import Influxd

pytestmark = pytest.mark.slow
SEED = int(os.environ.get("LPFUZZ_SEED", "1"))
CASES = int(os.environ.get("LPFUZZ_CASES", "100"))
# A line without a timestamp is stored at each server's own "now": such times compare equal.
NOW_WINDOW_NS = 2 * 3600 * 10**9


def send(base: str, path: str, params: dict[str, str], body: bytes | None = None,
         headers: dict[str, str] | None = None) -> tuple[int, str | None, str]:
    url = f"{base}{path}?{urllib.parse.urlencode(params)}"
    request = urllib.request.Request(url, data=body, method="POST", headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return (response.status, response.headers.get("X-Influxdb-Error"),
                    response.read().decode())
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("X-Influxdb-Error"), exc.read().decode()


def statement(base: str, database: str, text: str) -> object:
    status, _, body = send(base, "/query", {"db": database, "q": text, "epoch": "ns"})
    assert status == 200, body
    return json.loads(body)


def stored(base: str, database: str) -> tuple[object, object]:
    """Every row of every measurement (rows sorted: ties in time between series come back
    in storage order) and every field's type."""
    now = time.time_ns()
    # One measurement at a time: 1.6.7 nulls a field's values in one answer over measurements
    # where another measurement gives that field another type (a query-side quirk).
    names = statement(base, database, "SHOW MEASUREMENTS")["results"][0]  # type: ignore[index]
    found = []
    for (name,) in (names.get("series") or [{"values": []}])[0]["values"]:
        quoted = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
        answer = statement(base, database, f"SELECT * FROM {quoted}")
        found += answer["results"][0].get("series", [])  # type: ignore[index]
    series = []
    for one in found:
        values = [[("now" if i == 0 and abs(v - now) < NOW_WINDOW_NS else v)
                   for i, v in enumerate(row)] for row in one["values"]]
        series.append((one["name"], one["columns"], sorted(values, key=json.dumps)))
    fields = statement(base, database, "SHOW FIELD KEYS")["results"][0]  # type: ignore[index]
    return sorted(series, key=json.dumps), fields.get("series")


def run_case(base: str, database: str, batches: list[lpgen.Batch],
             spans: list[lpnow.Span] | None = None) -> list[object]:
    """Every answer of the case, then what it stored; each write's span on the local clock
    is added to `spans`."""
    assert send(base, "/query", {"q": f'CREATE DATABASE "{database}"'})[0] == 200
    try:
        answers: list[object] = []
        for batch in batches:
            params = {"db": database}
            if batch.precision:
                params["precision"] = batch.precision
            start = time.time_ns()
            if batch.gzip:
                answers.append(send(base, "/write", params, gzip.compress(batch.body),
                                    {"Content-Encoding": "gzip"}))
            else:
                answers.append(send(base, "/write", params, batch.body))
            if spans is not None:
                spans.append((start, time.time_ns()))
            # the next body's default time (lpnow) is then in another millisecond for sure
            time.sleep(0.002)
            if answers[-1][0] != 204:
                # 1.6.7 answers once one shard group's write fails, while the others may
                # still be writing: let them finish before anything is read
                time.sleep(0.05)
        answers.append(stored(base, database))
        return answers
    finally:
        send(base, "/query", {"q": f'DROP DATABASE "{database}"'})


def describe(batches: list[lpgen.Batch]) -> str:
    return "\n".join(f"precision={b.precision!r}{' gzip' if b.gzip else ''} body={b.body!r}"
                     for b in batches)


# Runs of a case whose bodies without timestamps may have been given their default times
# differently by the two servers (lpnow): at most this many before it is left out.
ATTEMPTS = 5

# The CI run's cases that differ (seed 1, its first 100), each with the README deviation that
# explains it: a case that stops differing, or is explained otherwise, fails. Other cases
# report what `explain` cannot account for (a deviation's case is an xfail naming it).
PINNED = 100
KNOWN = {1: {9: lpexplain.QUOTE, 10: lpexplain.PHANTOM, 11: lpexplain.BATCH,
             45: lpexplain.BATCH, 53: lpexplain.PHANTOM, 55: lpexplain.BATCH,
             62: lpexplain.PHANTOM, 63: lpexplain.SHARDS, 77: lpexplain.BATCH,
             81: lpexplain.QUOTE}}.get(SEED)


@pytest.mark.parametrize("index", range(CASES))
def test_generated_writes_as_influxdb(influxdb1: Influxd, gateway: GatewayProcess,
                                      index: int) -> None:
    batches = lpgen.case(f"{SEED}-{index}")
    database = f"fuzz{SEED}_{index}"
    for attempt in range(ATTEMPTS):
        theirs_spans: list[lpnow.Span] = []
        our_spans: list[lpnow.Span] = []
        if attempt:
            lpnow.at_a_second_start()
        influx = run_case(influxdb1.url, database, batches, theirs_spans)
        if attempt:
            lpnow.at_a_second_start()
        ours = run_case(gateway.url, database, batches, our_spans)
        if lpnow.comparable(batches, theirs_spans, our_spans):
            break
    else:
        pytest.skip(f"no two runs in {ATTEMPTS} gave the same bodies one default time")
    pinned = KNOWN is not None and index < PINNED
    expected = KNOWN.get(index) if pinned else None
    if influx == ours:
        assert expected is None, f"no longer differs ({expected}): take it out of KNOWN"
        return
    reason = lpexplain.explain(batches, influx, ours)
    if reason is not None and (not pinned or reason == expected):
        pytest.xfail(reason)
    for step, (theirs, mine) in enumerate(zip(influx, ours, strict=True)):
        assert mine == theirs, f"step {step} ({reason or 'unexplained'}) of\n{describe(batches)}"
