"""What the soak test expects the store to hold: points as line protocol, and the model of
InfluxDB's write semantics they are checked against (a point is measurement + tag set + time;
writing it again overwrites the fields it names and keeps the others)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime

BASE_NS = 1_700_000_000 * 10**9 // 3_600_000_000_000 * 3_600_000_000_000  # on an hour
HOUR_NS = 3_600_000_000_000
TYPES = ("float", "integer", "string", "boolean")
# tag values that need escaping in line protocol (no backslash: 1.x keeps it literal)
HOSTS = ("a", "b 1", "c,2", "d=3", "é4")
TRUE_WORDS = ("t", "T", "true", "True", "TRUE")
FALSE_WORDS = ("f", "F", "false", "False", "FALSE")

Key = tuple[tuple[tuple[str, str], ...], int]  # (sorted tag pairs, time in ns)


def escape_tag(text: str) -> str:
    return text.replace(",", r"\,").replace("=", r"\=").replace(" ", r"\ ")


def field_text(value: object, rng: random.Random) -> str:
    if isinstance(value, bool):
        return rng.choice(TRUE_WORDS if value else FALSE_WORDS)
    if isinstance(value, int):
        return f"{value}i"
    if isinstance(value, float):
        return repr(value)
    assert isinstance(value, str)
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def random_value(kind: str, rng: random.Random) -> object:
    if kind == "float":
        return rng.choice([rng.uniform(-1e6, 1e6), float(rng.randint(-99, 99)),
                           rng.uniform(-1, 1) * 10.0 ** rng.randint(-30, 30)])
    if kind == "integer":
        return rng.choice([rng.randint(-(2**62), 2**62), rng.randint(-5, 5)])
    if kind == "boolean":
        return rng.random() < 0.5
    return rng.choice(["", "plain", 'q"uote', "back\\slash", "sp ace,comma=eq", "ünï",
                       f"n{rng.randint(0, 10**9)}"])


@dataclass
class Point:
    measurement: str
    tags: dict[str, str]
    time_ns: int
    fields: dict[str, object]

    @property
    def key(self) -> Key:
        return tuple(sorted(self.tags.items())), self.time_ns

    def line(self, unit_ns: int, rng: random.Random, *, auto: bool = False) -> str:
        """The point as a line, its time in `unit_ns` (a v3 `auto` line picks its own unit
        by magnitude)."""
        tags = "".join(f",{escape_tag(k)}={escape_tag(v)}" for k, v in sorted(self.tags.items()))
        fields = ",".join(f"{k}={field_text(v, rng)}" for k, v in self.fields.items())
        if auto:
            unit_ns = rng.choice([u for u in (1, 1000, 10**6, 10**9) if self.time_ns % u == 0])
        assert self.time_ns % unit_ns == 0
        return f"{self.measurement}{tags} {fields} {self.time_ns // unit_ns}"


@dataclass
class Model:
    """One measurement's expected points, applied in the order the store acknowledged them."""

    measurement: str
    points: dict[Key, dict[str, object]] = field(default_factory=dict)
    types: dict[str, str] = field(default_factory=dict)  # field name -> kind, once stored
    visible: int = 0  # points certainly queryable: the count at the last synced acknowledgement

    def apply(self, points: list[Point]) -> None:
        for point in points:
            self.points.setdefault(point.key, {}).update(point.fields)

    def expected(self) -> dict[Key, dict[str, object]]:
        return {key: dict(values) for key, values in self.points.items()}


def parse_sql_time(text: str) -> int:
    """ns since the epoch of a v3 JSON time ("2023-11-14T22:13:20.000000001", UTC)."""
    whole, _, fraction = text.partition(".")
    seconds = int(datetime.fromisoformat(whole + "+00:00").timestamp())
    return seconds * 10**9 + int((fraction or "0").ljust(9, "0"))


def rows_to_points(rows: list[dict[str, object]], tags: set[str], *, time_key: str = "time",
                   sql_times: bool = True) -> dict[Key, dict[str, object]]:
    """Rows read back (nulls absent or None) keyed as the model keys them."""
    found: dict[Key, dict[str, object]] = {}
    for row in rows:
        raw_time = row[time_key]
        time_ns = parse_sql_time(str(raw_time)) if sql_times else int(str(raw_time))
        pairs = tuple(sorted((k, str(v)) for k, v in row.items() if k in tags and v is not None))
        values = {k: v for k, v in row.items()
                  if k != time_key and k not in tags and v is not None}
        assert (pairs, time_ns) not in found, f"point {pairs} {time_ns} read twice"
        found[(pairs, time_ns)] = values
    return found
