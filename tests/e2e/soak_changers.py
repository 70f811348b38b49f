"""Soak schema changers: each works on measurements and databases of its own (DROP
MEASUREMENT, DELETE ... WHERE time, DROP SERIES, CREATE/DROP DATABASE, CREATE/ALTER RETENTION
POLICY), checking after each step that the store shows exactly what the step should leave."""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass

from .soak_client import Soak
from .soak_model import BASE_NS


def lines(measurement: str, count: int, host: str = "a", start: int = 0) -> bytes:
    return "\n".join(f"{measurement},host={host} v={i}i,x={i}.5 {BASE_NS // 10**9 + start + i}"
                     for i in range(count)).encode()


@dataclass
class Changer:
    index: int
    soak: Soak
    rng: random.Random
    rounds: int = 0

    async def run(self) -> None:
        scenarios = [self.drop_measurement, self.delete_time, self.drop_series,
                     self.database_life, self.write_while_dropping]
        while self.soak.running():
            self.rounds += 1
            await self.rng.choice(scenarios)(f"c{self.index}x{self.rounds}")

    def expect(self, condition: bool, what: str) -> bool:
        if not condition:
            self.soak.fail(f"changer {self.index}: {what}")
        return condition

    async def write(self, measurement: str, body: bytes, db: str = "soak",
                    rp: str = "") -> bool:
        path = f"/write?db={db}&precision=s" + (f"&rp={rp}" if rp else "")
        answer = await self.soak.write(path, body, self.rng, what="changer write")
        return answer is not None and self.expect(
            answer.status == 204, f"write to {measurement}: {answer.status} {answer.body!r}")

    async def statement(self, query: str, db: str = "soak") -> bool:
        """An InfluxQL statement that must succeed."""
        answer = await self.soak.influxql(query, db=db, what="changer statement")
        if answer is None:
            return False
        ok = answer.status == 200 and "error" not in answer.json()["results"][0]
        return self.expect(ok, f"{query}: {answer.status} {answer.body[:300]!r}")

    async def count(self, measurement: str, db: str = "soak", rp: str = "") -> int | None:
        """Points of the measurement as InfluxQL counts them (0 when it is gone)."""
        source = f'"{db}"."{rp}"."{measurement}"' if rp else f'"{measurement}"'
        answer = await self.soak.influxql(f"SELECT count(v) FROM {source}", db=db,
                                          what="changer count")
        if answer is None or not self.expect(answer.status == 200, f"count {answer.body!r}"):
            return None
        result = answer.json()["results"][0]
        if not self.expect("error" not in result, f"count of {measurement}: {result}"):
            return None
        series = result.get("series", [])
        return series[0]["values"][0][1] if series else 0

    async def expect_count(self, measurement: str, expected: int, when: str, **where: str
                           ) -> None:
        found = await self.count(measurement, **where)
        if found is not None:
            self.expect(found == expected, f"{measurement} {when}: {found} points, "
                                           f"expected {expected}")

    async def drop_measurement(self, name: str) -> None:
        if not await self.write(name, lines(name, 20)):
            return
        await self.expect_count(name, 20, "written")
        await self.statement(f'DROP MEASUREMENT "{name}"')
        await self.expect_count(name, 0, "after DROP MEASUREMENT")
        if await self.write(name, lines(name, 5, start=100)):  # the name can be used again
            await self.expect_count(name, 5, "written again")
        answer = await self.soak.send("DELETE", "/api/v3/configure/table", what="v3 drop table",
                                      params={"db": "soak", "table": name})
        if answer is not None:
            self.expect(answer.status == 200, f"v3 table delete: {answer.status}")
            await self.expect_count(name, 0, "after the v3 table delete")

    async def delete_time(self, name: str) -> None:
        if not await self.write(name, lines(name, 20)):
            return
        cut = BASE_NS + 12 * 10**9
        await self.statement(f'DELETE FROM "{name}" WHERE time < {cut}')
        await self.expect_count(name, 8, "after DELETE WHERE time")
        answer = await self.soak.sql(f'SELECT min(v) AS low FROM "{name}"', what="changer sql")
        if answer is not None:
            self.expect(answer.status == 200 and answer.json() == [{"low": 12}],
                        f"min after delete: {answer.body!r}")

    async def drop_series(self, name: str) -> None:
        if not (await self.write(name, lines(name, 10, "a"))
                and await self.write(name, lines(name, 7, "b"))):
            return
        await self.statement(f"DROP SERIES FROM \"{name}\" WHERE \"host\" = 'a'")
        await self.expect_count(name, 7, "after DROP SERIES")
        answer = await self.soak.influxql(f'SHOW SERIES FROM "{name}"', what="changer show")
        if answer is not None:
            series = answer.json()["results"][0].get("series", [])
            self.expect(series and series[0]["values"] == [[f"{name},host=b"]],
                        f"SHOW SERIES after DROP SERIES: {answer.body!r}")

    async def database_life(self, name: str) -> None:
        db = f"churn_{name}"
        if not (await self.statement(f'CREATE DATABASE "{db}"', db="")
                and await self.statement(f'CREATE RETENTION POLICY "r1" ON "{db}" '
                                         "DURATION 3000w REPLICATION 1", db="")):
            return
        if await self.write("m", lines("m", 6), db=db, rp="r1"):
            await self.expect_count("m", 6, "written to r1", db=db, rp="r1")
        await self.statement(f'ALTER RETENTION POLICY "r1" ON "{db}" DURATION 4000w DEFAULT',
                             db="")
        answer = await self.soak.influxql(f'SHOW RETENTION POLICIES ON "{db}"', db="",
                                          what="changer show")
        if answer is not None:
            series = answer.json()["results"][0].get("series", [{}])
            rows = {row[0]: row for row in series[0].get("values", [])}
            self.expect("r1" in rows and rows["r1"][-1] is True,
                        f"r1 is not the default after ALTER: {answer.body!r}")
        await self.statement(f'DROP DATABASE "{db}"', db="")
        answer = await self.soak.influxql("SELECT count(v) FROM m", db=db, what="changer count")
        if answer is not None:
            self.expect("database not found" in answer.json()["results"][0].get("error", ""),
                        f"dropped database still answers: {answer.body!r}")
        # v3 creates it again on write and deletes it through its own endpoint
        answer = await self.soak.write(f"/api/v3/write_lp?db={db}", lines("n", 3), self.rng,
                                       what="changer write")
        if answer is not None and self.expect(answer.status == 204, f"v3 write {answer.body!r}"):
            answer = await self.soak.send("DELETE", "/api/v3/configure/database",
                                          what="v3 drop database", params={"db": db})
            if answer is not None:
                self.expect(answer.status == 200, f"v3 database delete: {answer.body!r}")

    async def write_while_dropping(self, name: str) -> None:
        """A write and a DROP MEASUREMENT of the same measurement at once: whichever the store
        runs first, the write is all there or all gone, never half."""
        if not await self.write(name, lines(name, 3)):
            return
        await asyncio.gather(self.write(name, lines(name, 50, "b")),
                             self.statement(f'DROP MEASUREMENT "{name}"'))
        found = await self.count(name)
        self.expect(found in (0, 50), f"{name}: {found} points after a racing write and drop")
        await self.statement(f'DROP MEASUREMENT "{name}"')
