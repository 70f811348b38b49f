"""The soak test's HTTP side: one aiohttp session that records every answer it must not get
(a 5xx, a dropped connection, a hang), and helpers that read a measurement back whole."""

from __future__ import annotations

import asyncio
import gzip
import json
import random
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from .soak_model import Key, rows_to_points

REQUEST_TIMEOUT = 60  # a request still unanswered after this long is a hang


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Soak:
    url: str
    session: aiohttp.ClientSession
    deadline: float
    failures: list[str] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)

    def fail(self, what: str) -> None:
        if len(self.failures) < 500:
            self.failures.append(what)

    def running(self) -> bool:
        return asyncio.get_running_loop().time() < self.deadline

    async def send(self, method: str, path: str, *, what: str, **kwargs: Any) -> Answer | None:
        """The answer, or None (recorded as a failure) if there was none or it was a 5xx."""
        try:
            async with self.session.request(method, self.url + path, **kwargs) as response:
                answer = Answer(response.status, dict(response.headers), await response.read())
        except (aiohttp.ClientError, TimeoutError) as exc:
            self.fail(f"{what}: no answer ({type(exc).__name__}: {exc}) to {method} {path}")
            return None
        self.statuses[f"{what} {answer.status}"] += 1
        if answer.status >= 500:
            self.fail(f"{what}: {answer.status} to {method} {path}: {answer.body[:500]!r}")
            return None
        return answer

    async def influxql(self, query: str, *, db: str = "soak", what: str = "influxql",
                       **params: str) -> Answer | None:
        return await self.send("POST", "/query", what=what,
                               data={"q": query, "db": db, **params})

    async def sql(self, query: str, *, db: str = "soak", what: str = "sql") -> Answer | None:
        return await self.send("GET", "/api/v3/query_sql", what=what,
                               params={"db": db, "q": query})

    async def write(self, path: str, body: bytes, rng: random.Random, *, what: str,
                    transport: str = "plain") -> Answer | None:
        """POST a line-protocol body as is, gzipped, or in chunks of random sizes."""
        headers: dict[str, str] = {}
        data: Any = body
        if transport == "gzip":
            data = gzip.compress(body)
            headers["Content-Encoding"] = "gzip"
        elif transport == "chunked":
            cuts = sorted(rng.sample(range(1, len(body)), min(4, len(body) - 1)))
            data = _pieces(body, cuts)
        return await self.send("POST", path, what=what, data=data, headers=headers)


async def _pieces(body: bytes, cuts: list[int]) -> AsyncIterator[bytes]:
    start = 0
    for cut in [*cuts, len(body)]:
        yield body[start:cut]
        start = cut
        await asyncio.sleep(0)


async def read_sql(soak: Soak, measurement: str, tags: set[str], db: str = "soak"
                   ) -> dict[Key, dict[str, object]] | None:
    answer = await soak.sql(f'SELECT * FROM "{measurement}"', db=db, what="readback")
    if answer is None or answer.status != 200:
        soak.fail(f"readback of {measurement}: {answer and answer.status} "
                  f"{answer and answer.body[:300]!r}")
        return None
    return rows_to_points(answer.json(), tags)


async def read_influxql(soak: Soak, measurement: str, tags: set[str]
                        ) -> dict[Key, dict[str, object]] | None:
    answer = await soak.influxql(f'SELECT * FROM "{measurement}"', epoch="ns",
                                 what="readback")
    if answer is None or answer.status != 200:
        soak.fail(f"influxql readback of {measurement}: {answer and answer.body[:300]!r}")
        return None
    (result,) = answer.json()["results"]
    rows: list[dict[str, object]] = []
    for series in result.get("series", []):
        rows += [dict(zip(series["columns"], values, strict=True))
                 for values in series["values"]]
    return rows_to_points(rows, tags, sql_times=False)


def same(expected: dict[str, object], found: dict[str, object]) -> bool:
    """Equal values by JSON kind: a float may come back written as an integer (1.x writes
    5.0 as 5 and 5.7e20 as 573520810869090160000), but True never equals 1."""
    if expected.keys() != found.keys():
        return False
    for name, want in expected.items():
        got = found[name]
        if isinstance(want, float) and type(got) in (int, float):
            if float(got) != want:
                return False
        elif type(got) is not type(want) or got != want:
            return False
    return True


def differences(expected: dict[Key, dict[str, object]],
                found: dict[Key, dict[str, object]]) -> list[str]:
    """Lost, unexpected and altered points, the first few of each."""
    lost = [k for k in expected if k not in found]
    extra = [k for k in found if k not in expected]
    altered = [(k, expected[k], found[k]) for k in expected
               if k in found and not same(expected[k], found[k])]
    problems = []
    if lost:
        problems.append(f"{len(lost)} acknowledged points lost, e.g. {lost[:3]}")
    if extra:
        problems.append(f"{len(extra)} points never acknowledged, e.g. {extra[:3]}")
    if altered:
        problems.append(f"{len(altered)} points altered, e.g. {altered[:3]}")
    return problems
