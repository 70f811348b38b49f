"""Concurrency soak of the native store over real HTTP: writers on every write endpoint,
InfluxQL and SQL readers, and schema changers run at once against a gateway process.

Invariants: no 5xx and no hang, the process stays up, bad lines are reported in the caller's
own format, a synced 2xx write is counted by the next query, and every acknowledged point of
the writers' measurements (which no changer touches) reads back with its exact values, through
SQL and InfluxQL, and again after a SIGKILL and after a clean restart. SOAK_SECONDS
lengthens a manual run; SOAK_SEED picks another run.
"""

from __future__ import annotations

import asyncio
import os
import random
from pathlib import Path

import aiohttp
import pytest

from tests.support.gateway_process import gateway_process

from .soak_changers import Changer
from .soak_client import REQUEST_TIMEOUT, Soak, differences, read_influxql, read_sql
from .soak_model import BASE_NS, HOUR_NS
from .soak_writers import Writer

pytestmark = pytest.mark.slow
SECONDS = float(os.environ.get("SOAK_SECONDS", "10"))
SEED = int(os.environ.get("SOAK_SEED", "1867"))
WRITERS, READERS, CHANGERS = 5, 2, 2


async def reader(soak: Soak, writers: list[Writer], rng: random.Random) -> None:
    """Queries of every kind over the writers' measurements; each must answer 200, and a count
    must include every point acknowledged by a synced write before it was asked."""
    while soak.running():
        writer = rng.choice(writers)
        m = writer.model.measurement
        floor = writer.model.visible
        low, high = BASE_NS, BASE_NS + rng.randint(1, 200) * HOUR_NS
        kind = rng.randrange(12)
        if kind >= 10:  # the whole database, while changers create and drop measurements
            answer = await soak.influxql(rng.choice([
                r"SELECT count(v), sum(x) FROM /^c\d+x/",
                r"SELECT * FROM /^c\d+x/ WHERE host = 'b' LIMIT 3",
                "SHOW SERIES", "SHOW MEASUREMENTS", 'SHOW TAG VALUES WITH KEY = "host"',
                "SHOW FIELD KEYS", "SHOW TAG KEYS",
            ]), what="influxql churn")
            m = "changers' measurements"
        elif kind == 0:
            answer = await soak.sql(f'SELECT count(*) AS n FROM "{m}"', what="sql count")
            if answer is not None and answer.status == 200:
                (row,) = answer.json()
                if row["n"] < floor:
                    soak.fail(f"{m}: count {row['n']} below {floor} acknowledged points")
                continue
        elif kind == 1:
            answer = await soak.sql(rng.choice([
                f'SELECT host, avg(f) AS a, max(i) AS m FROM "{m}" GROUP BY host',
                f'SELECT * FROM "{m}" ORDER BY time DESC LIMIT 7',
                f"SELECT date_bin(INTERVAL '1 day', time) AS d, count(*) AS n FROM \"{m}\" "
                f"GROUP BY d ORDER BY d",
                "SHOW TABLES",
                f"SELECT column_name FROM information_schema.columns WHERE table_name = '{m}'",
            ]))
        else:
            query = rng.choice([
                f'SELECT count(f), mean(f), min(i), max(i), last(s) FROM "{m}"',
                f'SELECT * FROM "{m}" WHERE time >= {low} AND time < {high} LIMIT 50',
                f'SELECT mean(f), count(b) FROM "{m}" WHERE time >= {low} AND time < {high} '
                "GROUP BY time(10h), host fill(none)",
                f'SELECT count(*) FROM "{m}" GROUP BY *',
                "SHOW MEASUREMENTS",
                f'SHOW SERIES FROM "{m}"',
                f'SHOW TAG VALUES FROM "{m}" WITH KEY = "host"',
                f'SHOW FIELD KEYS FROM "{m}"',
                f'SHOW TAG KEYS FROM "{m}"',
            ])
            params = {"chunked": "true", "chunk_size": str(rng.randint(1, 50))} \
                if rng.random() < 0.3 else {}
            answer = await soak.influxql(query, epoch=rng.choice(["ns", "s", ""]), **params)
        if answer is None:
            continue
        if answer.status != 200 or b'"error"' in answer.body:
            soak.fail(f"read of {m}: {answer.status} {answer.body[:300]!r}")


async def bad_input(soak: Soak, rng: random.Random) -> None:
    """Bad requests of every generation: a 4xx in the caller's format, never a 5xx."""
    cases = [
        ("POST", "/query", {"data": {"q": "SELECT FROM WHERE", "db": "soak"}}, "v1"),
        ("GET", "/api/v3/query_sql", {"params": {"db": "soak", "q": "SELEC 1"}}, "v3"),
        ("GET", "/api/v3/query_sql", {"params": {"db": "soak", "q": "SELECT * FROM nope"}},
         "v3"),
        ("POST", "/api/v2/write?bucket=soak&precision=xs", {"data": b"m v=1"}, "v2"),
        ("POST", "/write", {"data": b"m v=1"}, "v1"),
        ("POST", "/api/v3/write_lp?db=soak&no_sync=maybe", {"data": b"m v=1"}, "v3"),
        ("POST", "/write?db=soak", {"data": b"\x1f\x8b not gzip",
                                    "headers": {"Content-Encoding": "gzip"}}, "v1"),
        ("POST", "/api/v3/query_sql", {"data": b"{not json"}, "v3"),
    ]
    while soak.running():
        method, path, kwargs, generation = rng.choice(cases)
        answer = await soak.send(method, path, what="bad input", **kwargs)
        if answer is None:
            continue
        body = answer.json()
        shaped = {"v1": "error" in body and "X-Influxdb-Error" in answer.headers,
                  "v2": "code" in body and "message" in body,
                  "v3": "error" in body}[generation]
        if not 400 <= answer.status < 500 or not shaped:
            soak.fail(f"bad input {method} {path}: {answer.status} {answer.body[:300]!r}")
        await asyncio.sleep(0.01)


async def run_soak(url: str, rng: random.Random, seconds: float) -> list[Writer]:
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        soak = Soak(url, session, asyncio.get_running_loop().time() + seconds)
        writers = [Writer(i, soak, random.Random(rng.random())) for i in range(WRITERS)]
        # each writer's table exists before anyone reads it
        await asyncio.gather(*(writer.write_batch() for writer in writers))
        for writer in writers:
            writer.batches += 1
        workers = [writer.run() for writer in writers]
        workers += [reader(soak, writers, random.Random(rng.random())) for _ in range(READERS)]
        workers += [Changer(i, soak, random.Random(rng.random())).run()
                    for i in range(CHANGERS)]
        workers.append(bad_input(soak, random.Random(rng.random())))
        await asyncio.gather(*workers)
        await verify(soak, writers)
        print(sorted(soak.statuses.items()))
        assert not soak.failures, "\n".join(soak.failures)
        assert all(w.batches > 3 for w in writers), "the soak did too little to mean anything"
    return writers


async def verify(soak: Soak, writers: list[Writer]) -> None:
    """Every writer's measurement holds exactly what it acknowledged, read two ways."""
    for writer in writers:
        expected = writer.model.expected()
        for read in (read_sql, read_influxql):
            found = await read(soak, writer.model.measurement, writer.tags)
            if found is not None:
                for problem in differences(expected, found):
                    soak.fail(f"{writer.model.measurement} via {read.__name__}: {problem}")


async def verify_after_restart(url: str, writers: list[Writer]) -> None:
    async with aiohttp.ClientSession() as session:
        soak = Soak(url, session, 0)
        await verify(soak, writers)
        assert not soak.failures, "\n".join(soak.failures)


def test_soak(tmp_path: Path) -> None:
    gateway = gateway_process(tmp_path / "gw").start()
    log = tmp_path / f"gateway-{gateway.port}.log"
    try:
        writers = asyncio.run(run_soak(gateway.url, random.Random(SEED), SECONDS))
        assert gateway.process is not None and gateway.process.poll() is None
        gateway.kill()  # no shutdown code runs: what was acknowledged is on disk already
        gateway.start()
        asyncio.run(verify_after_restart(gateway.url, writers))
        assert gateway.stop() == 0, "the gateway did not shut down cleanly"
        gateway.start()
        asyncio.run(verify_after_restart(gateway.url, writers))
    finally:
        gateway.stop()
    text = log.read_text(errors="replace")
    assert "Traceback" not in text and "ERROR" not in text, text[-3000:]
