"""Soak writers: each owns one measurement and writes it through every write endpoint, with
bad lines, type conflicts, new tags and fields, out-of-order and repeated points, and keeps the
model of what the store acknowledged."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from .soak_client import Answer, Soak
from .soak_model import BASE_NS, HOSTS, HOUR_NS, TYPES, Model, Point, random_value

V1_UNITS = {"n": 1, "u": 10**3, "ms": 10**6, "s": 10**9, "m": 60 * 10**9, "h": HOUR_NS}
V2_UNITS = {"ns": 1, "us": 10**3, "ms": 10**6, "s": 10**9}
V3_UNITS = {"nanosecond": 1, "us": 10**3, "millisecond": 10**6, "second": 10**9, "auto": 1}
BAD_LINES = ("{m},writer=w f= 1", "{m},writer=w f=1.0 12x", "{m},writer=w", "{m},writer f=1",
             "{m},writer=w f=1.0.0 1")


@dataclass
class Request:
    path: str
    unit_ns: int
    transport: str
    what: str
    synced: bool = True
    all_or_nothing: bool = False
    auto: bool = False


@dataclass
class Writer:
    index: int
    soak: Soak
    rng: random.Random
    model: Model = field(init=False)
    fields: dict[str, str] = field(default_factory=lambda: dict(zip("fisb", TYPES, strict=True)))
    tag_keys: list[str] = field(default_factory=lambda: ["host"])
    next_slot: int = 0
    batches: int = 0

    def __post_init__(self) -> None:
        self.model = Model(f"w{self.index}")

    @property
    def tags(self) -> set[str]:
        return {"writer", *self.tag_keys}

    async def run(self) -> None:
        while self.batches == 0 or self.soak.running():
            await self.write_batch()
            self.batches += 1

    def choose_request(self) -> Request:
        rng = self.rng
        if self.batches == 0:  # the table and its four base fields exist before anything else
            return Request("/write?db=soak&precision=n", 1, "plain", "v1 write")
        door = rng.choice(["v1", "v1", "v2", "v3"])
        if door == "v1":
            word = rng.choice(list(V1_UNITS))
            rp = rng.choice(["", "&rp=autogen"])
            return Request(f"/write?db=soak&precision={word}{rp}", V1_UNITS[word],
                           rng.choice(["plain", "gzip", "chunked"]), "v1 write")
        if door == "v2":
            word = rng.choice(list(V2_UNITS))
            bucket = rng.choice(["soak", "soak/autogen"])
            return Request(f"/api/v2/write?org=o&bucket={bucket}&precision={word}",
                           V2_UNITS[word], rng.choice(["plain", "gzip"]), "v2 write")
        word = rng.choice(list(V3_UNITS))
        no_sync = rng.random() < 0.3
        partial = rng.random() < 0.8
        path = (f"/api/v3/write_lp?db=soak&precision={word}&no_sync={str(no_sync).lower()}"
                f"&accept_partial={str(partial).lower()}")
        return Request(path, V3_UNITS[word], rng.choice(["plain", "gzip", "chunked"]),
                       "v3 write", synced=not no_sync, all_or_nothing=not partial,
                       auto=word == "auto")

    def grow(self) -> None:
        """A new field or tag key now and then (schema growth)."""
        if self.rng.random() < 0.15 and len(self.fields) < 40:
            name = f"g{len(self.fields)}"
            self.fields[name] = TYPES[len(self.fields) % len(TYPES)]
        if self.rng.random() < 0.03 and len(self.tag_keys) < 6:
            self.tag_keys.append(f"t{len(self.tag_keys)}")

    def new_time(self, unit: int, past: bool) -> int:
        if past and self.next_slot:
            slot = self.rng.randrange(self.next_slot)
        else:
            slot = self.next_slot
            self.next_slot += 1
        return BASE_NS + slot * HOUR_NS + self.rng.randrange(HOUR_NS // unit) * unit

    def make_point(self, request: Request, earlier: list[Point]) -> Point:
        rng = self.rng
        unit = 10**9 if request.auto else request.unit_ns  # auto lines may use any unit
        names = list(self.fields) if self.batches == 0 else rng.sample(
            list(self.fields), rng.randint(1, min(5, len(self.fields))))
        values = {name: random_value(self.fields[name], rng) for name in names}
        roll = rng.random()
        if roll < 0.2:  # the same point again: overwrite some fields, keep the others
            known = [k for k in rng.sample(list(self.model.points),
                                           min(20, len(self.model.points)))]
            known += [p.key for p in earlier[-5:]]
            known = [k for k in known if k[1] % unit == 0]
            if known:
                pairs, time_ns = rng.choice(known)
                return Point(self.model.measurement, dict(pairs), time_ns, values)
        tags = {"writer": f"w{self.index}", "host": rng.choice(HOSTS)}
        for key in self.tag_keys[1:]:
            if rng.random() < 0.5:
                tags[key] = f"{key}-{rng.randint(0, 2)}"
        return Point(self.model.measurement, tags, self.new_time(unit, roll < 0.4), values)

    def conflict_line(self, request: Request) -> str | None:
        """A line naming a stored field with another type: the store refuses just that line."""
        stored = [name for name in self.model.types if name in self.fields]
        if not stored:
            return None
        name = self.rng.choice(stored)
        other = TYPES[(TYPES.index(self.model.types[name]) + 1) % len(TYPES)]
        unit = 10**9 if request.auto else request.unit_ns
        point = Point(self.model.measurement, {"writer": f"w{self.index}", "host": "a"},
                      self.new_time(unit, False), {name: random_value(other, self.rng)})
        return point.line(request.unit_ns, self.rng, auto=request.auto)

    async def write_batch(self) -> None:
        rng = self.rng
        request = self.choose_request()
        if self.batches:
            self.grow()
        points: list[Point] = []
        for _ in range(rng.randint(1, 40)):
            points.append(self.make_point(request, points))
        text = [p.line(request.unit_ns, rng, auto=request.auto) for p in points]
        unparsable: list[str] = []
        refused: list[str] = []
        if self.batches and rng.random() < 0.3:
            for template in rng.sample(BAD_LINES, rng.randint(1, 2)):
                unparsable.append(template.format(m=self.model.measurement))
                text.insert(rng.randrange(len(text) + 1), unparsable[-1])
        if self.batches and rng.random() < 0.15:
            conflict = self.conflict_line(request)
            if conflict is not None:
                refused.append(conflict)
                text.insert(rng.randrange(len(text) + 1), conflict)
        body = "\n".join(text) + rng.choice(["", "\n"])
        answer = await self.soak.write(request.path, body.encode(), rng, what=request.what,
                                       transport=request.transport)
        if answer is None:
            return
        bad = Bad({n for n, line in enumerate(text, 1) if line in unparsable},
                  {n for n, line in enumerate(text, 1) if line in refused})
        if not self.check_answer(request, answer, text, bad):
            return
        if request.all_or_nothing and bad.all:
            return
        self.model.apply(points)
        for point in points:
            for name in point.fields:
                self.model.types[name] = self.fields[name]
        if request.synced:
            self.model.visible = len(self.model.points)

    def check_answer(self, request: Request, answer: Answer, lines: list[str],
                     bad: Bad) -> bool:
        """Whether the answer is the one expected, in the caller's own error format."""
        where = f"{request.what} {request.path} ({request.transport})"
        if not bad.all:
            if answer.status != 204:
                self.soak.fail(f"{where}: {answer.status} {answer.body[:300]!r}")
                return False
            return True
        if answer.status != 400:
            self.soak.fail(f"{where} with bad lines {sorted(bad.all)}: {answer.status} "
                           f"{answer.body[:300]!r}")
            return False
        body = answer.json()
        problems = []
        if request.what == "v1 write":
            message = body.get("error", "")
            if not answer.headers.get("X-Influxdb-Error"):
                problems.append("no X-Influxdb-Error header")
            if bad.refused:  # as 1.6.7: the store's refusal alone, lines that failed to parse
                # go unmentioned
                if f"dropped={len(bad.refused)}" not in message:
                    problems.append("refused lines not counted")
            else:
                problems += [f"line {n} not named" for n in bad.unparsable
                             if f"unable to parse '{lines[n - 1]}'" not in message]
        elif request.what == "v2 write":
            if body.get("code") != "invalid" or body.get("line") != min(bad.all):
                problems.append("not the v2 shape or the wrong first line")
        else:
            data = body.get("data") or []
            reported = {entry["line_number"]: entry["original_line"] for entry in data}
            expected = bad.unparsable if request.all_or_nothing and bad.unparsable else bad.all
            if set(reported) != expected:
                problems.append(f"lines reported {sorted(reported)}, expected {sorted(expected)}")
            elif any(lines[n - 1] != text for n, text in reported.items()):
                problems.append("original_line is not the line sent")
        if problems:
            self.soak.fail(f"{where}: {'; '.join(problems)}: {answer.body[:400]!r}")
            return False
        return True


@dataclass(frozen=True)
class Bad:
    """Line numbers (from 1) of a batch's lines that do not parse and that the store refuses."""

    unparsable: set[int]
    refused: set[int]

    @property
    def all(self) -> set[int]:
        return self.unparsable | self.refused
