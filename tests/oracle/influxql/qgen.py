"""A seeded generator of InfluxQL SELECT statements over the oracle's dataset (dataset.py).

`case(seed)` draws one statement and its request parameters: a raw projection, aggregates and
selectors, transformations of aggregates, or a subquery, with WHERE time bounds (inside,
outside and straddling the data, `now()` far in the past), tag and field predicates, GROUP BY
time with odd intervals and offsets, tags, `*` or a regex, every fill, ORDER BY time DESC,
LIMIT/OFFSET/SLIMIT/SOFFSET (OFFSET alone under IQLFUZZ_OFFSET) and tz(). Now and then a
piece is a near miss (a wrong type, a function 1.x refuses in that place), so some answers
are errors.

Shapes whose answers differ on purpose (README: deliberate deviations) or depend on 1.6.7's
storage internals are not drawn; each exclusion is commented where it is made.
"""

from __future__ import annotations

import os
import random

from .qgen_extra import Extra
from .qgen_grafana import Grafana
from .qgen_schema import (
    AGGREGATES,
    DAY,
    EPOCHS,
    FILLS,
    HOUR,
    INSTANTS,
    INTERVALS,
    LONERS,
    MATH,
    MAX_BUCKETS,
    MEASUREMENTS,
    MINUTE,
    NUMERIC,
    OFFSETS,
    SECOND,
    SELECTORS,
    T0,
    TECHNICAL,
    TRANSFORMS,
    TWO_DBS,
    UNITS,
    ZONES,
    Bounds,
    Case,
    Measurement,
    rfc3339,
)
from .qgen_style import restyle

# The chance that a piece is a near miss (IQLFUZZ_NEAR_MISS to explore).
NEAR_MISS = float(os.environ.get("IQLFUZZ_NEAR_MISS", "0.05"))
# The chance that a statement is written as Grafana or the CLI write it (qgen_style.py):
# quoted names, millisecond epochs, lower-case keywords, a retention policy. Off unless
# asked for (IQLFUZZ_STYLE), so that a seed's statements stay those earlier runs drew.
STYLE = float(os.environ.get("IQLFUZZ_STYLE", "0"))
# The chance that a statement without LIMIT gets an OFFSET alone (1.x pages with it all the
# same). Drawn from a generator of its own and off unless asked for (IQLFUZZ_OFFSET), so
# that a seed's statements stay those earlier runs drew.
OFFSET_ALONE = float(os.environ.get("IQLFUZZ_OFFSET", "0"))


class Draw:
    """One statement's random choices."""

    def __init__(self, seed: int | str) -> None:
        self.rng = random.Random(seed)
        self.misfits = 0  # fields drawn for a function that may refuse their kind
        self.grafana = Grafana(seed)  # IQLFUZZ_GRAFANA: written as Grafana's editor does
        self.paging = random.Random(f"offset-{seed}")  # IQLFUZZ_OFFSET: OFFSET without LIMIT
        self.extra = Extra(seed)  # IQLFUZZ_EXTRA: casts in calls, math in WHERE, nesting

    def near(self, scale: float = 1.0) -> bool:
        return self.rng.random() < NEAR_MISS * scale

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def pick(self, items):  # type: ignore[no-untyped-def]
        return self.rng.choice(items)

    # -- times ---------------------------------------------------------------------------

    def literal(self, ns: int) -> str:
        form = self.rng.randrange(6)
        if form == 0:
            return str(ns)
        if form == 1 and ns % SECOND == 0:
            return f"{ns // SECOND}s"
        if form == 2 and ns % SECOND == 0 and ns % DAY:
            return "'" + rfc3339(ns)[:19].replace("T", " ") + "'"
        return f"'{rfc3339(ns)}'"

    def bounds(self, grouped: bool) -> Bounds:
        """A time range; `grouped` statements always get an upper bound (or a long one)."""
        low = T0 + self.pick(INSTANTS)
        high = T0 + self.pick(INSTANTS)
        if low > high and not self.near(2):
            low, high = high, low
        if low == high:
            high = low + 2 * HOUR
        shape = self.rng.randrange(10)
        lower_op = self.pick((">=", ">=", ">"))
        upper_op = self.pick(("<", "<", "<="))
        if shape == 0 and not grouped:
            return Bounds("", None, None)
        if shape == 1:
            return Bounds(f"time {upper_op} {self.literal(high)}", None, high)
        if shape == 2:
            # far in the past, relative to now(): the bound itself differs between the two
            # servers by the time between the requests, so never where it is answered as a
            # time (an aggregate without GROUP BY time is stamped with its lower bound).
            days = self.pick((1200, 3000, 5000))
            return Bounds(f"time > now() - {days}d AND time {upper_op} {self.literal(high)}",
                          None, high, relative=True)
        if shape == 3 and not grouped:
            return Bounds(f"time {lower_op} {self.literal(low)}", low, None)
        text = f"time {lower_op} {self.literal(low)} AND time {upper_op} {self.literal(high)}"
        if self.chance(0.15):
            text = f"time {upper_op} {self.literal(high)} AND time {lower_op} {self.literal(low)}"
        if self.near():
            text = f"({text}) OR time = {self.literal(low)}"  # 1.x: time with OR is empty
        return self.grafana.time_filter(Bounds(text, low, high))

    # -- predicates ----------------------------------------------------------------------

    def predicate(self, m: Measurement) -> str:
        parts = []
        for _ in range(self.pick((0, 0, 1, 1, 2))):
            parts.append(self.one_predicate(m))
        if len(parts) == 2:
            return f"({parts[0]} {self.pick(('AND', 'OR', 'OR'))} {parts[1]})"
        return parts[0] if parts else ""

    def one_predicate(self, m: Measurement) -> str:
        if self.chance(0.65):
            key = self.pick(tuple(m.tags))
            value = self.pick(m.tags[key] + ("nosuch",)) if self.chance(0.9) else ""
            op = self.pick(("=", "=", "!=", "=~", "!~"))
            if op in ("=~", "!~"):
                pattern = self.pick((value[:3] or ".", f"^{value}$", "0[12]", "^$", "e"))
                pattern = self.grafana.tag_regex(m.tags[key], pattern)
                return f"{key} {op} /{pattern}/"
            if self.near():
                return f'{key} = "{value}"'  # an identifier, not a string: never true
            return f"{key} {op} '{value}'"
        name, kind = self.pick(tuple(m.fields.items()))
        if kind == "string":
            return f"{name} {self.pick(('=', '!=', '=~'))} " + self.pick(("'started'", "/ok/"))
        if kind == "boolean":
            return f"{name} = {self.pick(('true', 'false'))}"
        number = self.pick(("0", "10", "20.5", "-3", "500", "1000"))
        return f"{name} {self.pick(('>', '<', '>=', '<=', '=', '!='))} {number}"

    def where(self, m: Measurement, bounds: Bounds) -> str:
        parts = [p for p in (self.grafana.conditions(self.predicate(m)), bounds.text) if p]
        return f" WHERE {' AND '.join(parts)}" if parts else ""

    # -- fields and functions ------------------------------------------------------------

    def field(self, m: Measurement, kinds: tuple[str, ...] | None = None) -> tuple[str, str]:
        fitting = [(n, k) for n, k in m.fields.items() if kinds is None or k in kinds]
        if not fitting or self.near():
            drawn = self.pick(tuple(m.fields.items()))
            self.misfits += kinds is not None and drawn[1] not in kinds
            return drawn
        return self.pick(fitting)

    def call(self, m: Measurement, name: str, kinds: tuple[str, ...] | None,
             alone: bool = False) -> str:
        field, _ = self.field(m, kinds)
        if name == "percentile":
            return f"percentile({field}, {self.pick(('5', '20', '50', '90', '99.9', '100'))})"
        if name == "mode" and m.shared_times:
            name = "median"  # mode()'s tie between series follows 1.6.7's read order
        if name == "integral" and self.chance(0.6):
            return f"integral({field}, {self.pick(UNITS)})"
        if name == "count" and self.chance(0.1) and alone:
            # beside other functions 1.6.7 words the error differently (not yet matched)
            return f"count(distinct({field}))"
        return f"{name}({field})"

    def aggregate(self, m: Measurement, alone: bool = False, integral: bool = True) -> str:
        table = AGGREGATES if self.chance(0.6) else SELECTORS
        name = self.pick(tuple(table))
        if name == "integral" and not integral:
            name = "mean"  # (a subquery's groups: see `aggregates`)
        return self.call(m, name, table[name], alone)

    def transform(self, inner: str, name: str | None = None) -> str:
        name = name or self.pick(TRANSFORMS + TECHNICAL)
        if name in ("derivative", "non_negative_derivative", "elapsed") and self.chance(0.5):
            return f"{name}({inner}, {self.pick(UNITS)})"
        if name == "moving_average":
            return f"moving_average({inner}, {self.pick(('1', '2', '3', '5'))})"
        if name in TECHNICAL:
            args = [self.pick(("2", "3", "5"))]
            if self.chance(0.4):
                args.append(self.pick(("-1", "0", "2", "4")))
                if name not in ("kaufmans_efficiency_ratio", "kaufmans_adaptive_moving_average",
                                "chande_momentum_oscillator") and self.chance(0.5):
                    args.append(self.pick(("'exponential'", "'simple'", "'none'")))
            return f"{name}({inner}, {', '.join(args)})"
        return f"{name}({inner})"

    def math(self, inner: str) -> str:
        return self.pick(MATH).format(inner)

    def arithmetic(self, left: str, right: str) -> str:
        op = self.pick(("+", "-", "*", "/"))
        if self.chance(0.3):
            return f"{left} {op} {self.pick(('2', '0.5', '-1', '100'))}"
        return f"({left}) {op} {right}" if self.chance(0.3) else f"{left} {op} {right}"

    def alias(self, text: str) -> str:
        return f"{text} AS {self.pick(('a', 'b', 'value', 'x_1'))}" if self.chance(0.1) else text

    def interval(self, m: Measurement, bounds: Bounds) -> str:
        """GROUP BY time(...), sized so that the range holds at most MAX_BUCKETS buckets."""
        if bounds.relative or bounds.upper is None:
            minutes = [(w, t) for w, t in INTERVALS if w >= 1440]
        else:
            start = bounds.lower if bounds.lower is not None else T0 + m.first
            span = max(bounds.upper - start, 0) / MINUTE
            minutes = [(w, t) for w, t in INTERVALS if span / w <= MAX_BUCKETS / m.series]
        _, text = self.pick(minutes or [(10080, "1w")])
        text = self.grafana.interval(bounds, m.series) or text
        if self.chance(0.3):
            text += ", " + self.pick(OFFSETS)
        return f"time({text})"

    def tags(self, m: Measurement, every: bool = False) -> list[str]:
        """GROUP BY tags: none, some, `*` or a regex; with `every`, all of them."""
        keys = list(m.tags)
        if every:
            self.rng.shuffle(keys)
            return ["*"] if self.chance(0.5) else keys
        choice = self.rng.randrange(8)
        if choice < 3:
            return []
        if choice < 6:
            return self.rng.sample(keys, self.rng.randint(1, len(keys)))
        if choice == 6:
            return ["*"]
        return [self.pick(("/o/", "/^h/", "/./", "/nomatch/"))] if not self.near(4) else ["nosuch"]

    def tail(self, bounds: Bounds, grouped_series: bool, desc: bool = True) -> str:
        text = ""
        if desc and self.chance(0.2):
            text += " ORDER BY time DESC"
        if self.chance(0.2):
            text += f" LIMIT {self.pick((1, 2, 3, 10))}"
            if self.chance(0.4):
                text += f" OFFSET {self.pick((1, 2, 5))}"
        elif self.paging.random() < OFFSET_ALONE:
            text += f" OFFSET {self.paging.choice((1, 2, 5, 30))}"
        # SLIMIT/SOFFSET: the gateway pools shard groups where 1.6.7 pages each apart
        # (README), so only over a range inside the main window's 7-day shard group.
        one_group = (bounds.lower is not None and bounds.upper is not None
                     and T0 <= bounds.lower and bounds.upper <= T0 + 7 * DAY)
        if grouped_series and one_group and self.chance(0.2):
            text += f" SLIMIT {self.pick((1, 2, 3))}"
            if self.chance(0.5):
                text += f" SOFFSET {self.pick((1, 2))}"
        if not bounds.relative and self.chance(0.1):  # (a DST change in range: README)
            text += f" tz('{self.pick(ZONES)}')"
        return text

    def group_by(self, parts: list[str]) -> str:
        return f" GROUP BY {', '.join(parts)}" if parts else ""

    def raw(self, m: Measurement) -> str:
        items: list[str] = []
        for _ in range(self.pick((1, 1, 2, 3))):
            kind = self.rng.randrange(10)
            name, field_kind = self.field(m)
            if kind < 4:
                items.append(self.alias(name))
            elif kind == 4:
                items.append(self.pick(("*", "*::field", "/e/", "*::tag, " + name)))
            elif kind == 5:
                items.append(self.pick(tuple(m.tags)))
            elif kind == 6:
                other, _ = self.field(m, NUMERIC)
                items.append(self.arithmetic(name, other))
            elif kind == 7:
                items.append(self.math(self.field(m, NUMERIC)[0]))
            elif kind == 8:
                items.append(f"{name}::{self.pick(('float', 'integer', 'field', 'tag'))}")
            else:
                inner = self.field(m, NUMERIC)[0]
                items.append(self.transform(inner))
        if all(i in m.tags for i in items) and not self.near():
            items.append(self.field(m)[0])
        bounds = self.bounds(grouped=False)
        tags = self.tags(m, every=m.shared_times)
        return (f"SELECT {', '.join(items)} FROM {m.name}{self.where(m, bounds)}"
                f"{self.group_by(tags)}{self.tail(bounds, bool(tags))}")

    def raw_calls(self, m: Measurement) -> str:
        """Several transformations of raw points (math over them too), each cut by LIMIT on
        its own and joined on time, over one series or several merged (their points at one
        time all kept, in 1.x's merge order), with any fill; now and then an aggregate
        beside them or in math with one. Now and then FROM names a measurement of both
        databases, even one twice."""
        source = m.name
        two_dbs = self.chance(0.12)
        if two_dbs:
            m = self.pick(TWO_DBS)
            mentions = ["iql", "iql_db2"] + (["iql"] if self.chance(0.3) else [])
            source = ", ".join(f'"{db}"..{m.name}' for db in mentions)
        # the technical-analysis ones too, over merged series as over one
        items = [self.transform(self.field(m, NUMERIC)[0], self.pick(
            TRANSFORMS if self.chance(0.7) else TECHNICAL)) for _ in range(self.pick((1, 2, 2, 3)))]
        if self.chance(0.2):
            items[0] = self.pick((f"{items[0]} * 2", f"{items[0]} + {items[-1]}"))
        beside = self.chance(0.35)
        if beside:
            # an aggregate (or a call of a wildcard or regex) beside them, one row at the
            # range's lower bound, or in math with one of them, computed on each joined row
            aggregate = self.aggregate(m, integral=False)
            if self.chance(0.25):
                aggregate = self.pick(("count", "mean", "max", "last")) + self.pick(
                    ("(*)", "(/e/)"))
            at = self.rng.randrange(len(items))
            if self.chance(0.3) and "(*)" not in aggregate and "(/" not in aggregate:
                items[at] = self.arithmetic(aggregate, items[at])
            else:
                items.insert(at, aggregate)
        bounds = self.bounds(grouped=False)
        if beside and bounds.relative:  # the aggregate's row is stamped with the bound
            bounds = Bounds(bounds.text.split(" AND ", 1)[1], None, bounds.upper)
        tags = self.tags(m)
        text = (f"SELECT {', '.join(items)} FROM {source}{self.where(m, bounds)}"
                f"{self.group_by(tags)}")
        if self.chance(0.4):
            text += " " + self.pick(FILLS)
        return text + self.tail(bounds, bool(tags))

    def aggregates(self, m: Measurement) -> str:
        bounds = self.bounds(grouped=self.chance(0.6))
        # GROUP BY time from no lower bound starts at the first point; 1.6.7 takes minutes
        # to answer some of those, so aggregates over time buckets always get one
        by_time = bounds.upper is not None and (bounds.lower is not None or bounds.relative)
        if bounds.relative and not by_time:
            bounds = Bounds(bounds.text.split(" AND ", 1)[1], None, bounds.upper)
        force_every = False
        if self.chance(0.15):
            call = self.pick(LONERS)
            field, _ = self.field(m, NUMERIC if call != "distinct" else None)
            if call == "distinct":
                # distinct() lists values in the order 1.6.7 meets them; between series at
                # one time that is its storage order, so per series only
                items = [f"distinct({field})"]
                force_every = m.shared_times
            else:
                tag = f"{self.pick(tuple(m.tags))}, " if self.chance(0.3) else ""
                items = [f"{call}({field}, {tag}{self.pick((1, 2, 3, 5))})"]
        else:
            items = []
            count = self.pick((1, 1, 1, 2, 3))
            for _ in range(count):
                shape = self.rng.randrange(10)
                if shape < 6:
                    items.append(self.alias(self.aggregate(m, alone=count == 1)))
                elif shape < 8:
                    items.append(self.arithmetic(self.aggregate(m), self.aggregate(m)))
                else:
                    items.append(self.math(self.aggregate(m)))
            if self.near():
                items.append(self.field(m)[0])  # mixing aggregate and raw
        tags = self.tags(m, every=force_every)
        if any("integral(" in item for item in items):
            # integral() over several groups: 1.6.7 answers each one's last window (its only
            # one without GROUP BY time) after all the others, in Go's map order
            tags = []
        if by_time:
            tags.insert(self.rng.randrange(len(tags) + 1), self.interval(m, bounds))
        text = (f"SELECT {', '.join(items)} FROM {m.name}{self.where(m, bounds)}"
                f"{self.group_by(tags)}")
        if by_time and self.chance(0.5):
            text += " " + self.pick(FILLS)
        tail = self.tail(bounds, bool(tags))
        # without GROUP BY time a function without a point reads fill's number (drawn after
        # the tail so that the statements drawn before this fill stay the same)
        if not by_time and self.chance(0.15):
            text += " " + self.pick(tuple(f for f in FILLS if f != "fill(none)"))
        return text + tail

    def transformed(self, m: Measurement) -> str:
        """A transformation of an aggregate over GROUP BY time: derivative(mean(x)), ..."""
        bounds = self.bounds(grouped=True)
        if bounds.upper is None:
            bounds = Bounds(f"time < {self.literal(T0 + 2 * HOUR)}", None, T0 + 2 * HOUR)
        inner = self.call(m, self.pick(("mean", "max", "min", "sum", "count", "last", "first",
                                        "median", "spread")), NUMERIC)
        name = self.pick(TRANSFORMS + TECHNICAL)
        items = [self.transform(inner, name)]
        # a transformation of a transformation reads its points, each one that looks back a
        # bucket more before the range (as far as the statement's largest window or period).
        # Not matched yet: a nested one beside another column or in arithmetic with an
        # aggregate (`difference(mean(x)) * mean(x)`: 1.6.7's rows)
        if name in TRANSFORMS and name != "moving_average" and self.chance(0.3):
            items = [self.transform(items[0])]
        else:
            roll = self.rng.random()
            if roll < 0.2:
                items.append(self.transform(self.call(m, "mean", NUMERIC)))
            elif roll < 0.45:  # moving_average and the technical-analysis ones, chained
                items = [self.transform(items[0])]
        tags = self.tags(m)
        at = self.rng.randrange(len(tags) + 1)
        tags.insert(at, self.interval(m, bounds))
        items = self.grafana.predictor(inner, bounds, tags[at], m.series) or items
        text = (f"SELECT {', '.join(items)} FROM {m.name}{self.where(m, bounds)}"
                f"{self.group_by(tags)}")
        if self.chance(0.4):
            text += " " + self.pick(FILLS)
        return text + self.tail(bounds, bool(tags))

    def subquery(self, m: Measurement) -> str:
        bounds = self.bounds(grouped=True)
        if bounds.lower is None or bounds.upper is None:  # (1.6.7 pages long answers)
            bounds = Bounds(f"time >= {self.literal(T0)} AND time < {self.literal(T0 + HOUR)}",
                            T0, T0 + HOUR)
        inner_items = [f"{self.call(m, self.pick(tuple(SELECTORS)), NUMERIC)} AS a"]
        # stddev() of one point is a NaN the parent reads as a point: min() and max() keep
        # one met first (under ORDER BY time DESC, the last bucket's), not matched yet
        nan = False
        if self.chance(0.4):
            second = self.aggregate(m, integral=False)
            nan = second.startswith("stddev(")
            inner_items.append(f"{second} AS b")
        inner_tags = self.tags(m)
        # Always GROUP BY time inside: without it first()/last() over several series pick
        # between tied points as 1.6.7's merge does, which the parent's sums do not match yet
        inner = (f"SELECT {', '.join(inner_items)} FROM {m.name}{self.where(m, bounds)}"
                 f"{self.group_by([self.interval(m, bounds)] + inner_tags)}")
        if self.chance(0.3):
            inner += " " + self.pick(FILLS)
        fields = ["a"] + (["b"] if len(inner_items) > 1 else [])
        inner = self.extra.nest(inner, fields)
        # A parent's `*` or regex ranges over the tags the subquery grouped by, so `*` keeps
        # the subquery's series apart, as raw rows and transformations need.
        plain = [t for t in inner_tags if t in m.tags]
        shape = self.rng.randrange(4)
        if shape < 2:
            outer_tags = ["*"] if inner_tags and self.chance(0.7) else inner_tags
            if outer_tags and not (outer_tags == ["*"] or outer_tags == plain):
                outer_tags = ["*"]  # (a regex or an unknown tag inside)
            items = ([self.pick(fields), self.arithmetic("a", self.pick(fields))] if shape == 0
                     else [self.transform(self.pick(fields))])
        else:
            outer_tags = self.rng.sample(plain, self.rng.randint(0, len(plain)))
            if self.chance(0.3):
                outer_tags = [self.pick(("*", "/o/", "/^h/", "/nomatch/"))]
            # first(), top() and bottom() over a subquery's rows pick between points tied
            # on time (or value) in an order of 1.6.7's merge not matched yet
            name = self.pick(("mean", "max", "min", "sum", "count", "last", "spread"))
            field = self.pick(fields)
            if nan and name in ("max", "min"):
                field = "a"
            items = [f"{name}({field})"]
        text = f"SELECT {', '.join(items)} FROM ({inner})"
        outer = self.bounds(grouped=False)
        desc = True
        if outer.text and not outer.relative and self.chance(0.4):
            # the parent's range narrows the subquery's; its rows before the lower bound
            # (a first bucket's start) reach the parent (subquery_range.py). An aggregate
            # reading them under ORDER BY time DESC meets the subquery's series in an order
            # not matched yet.
            text += f" WHERE {outer.text}"
            desc = shape < 2
        return text + self.group_by(outer_tags) + self.tail(bounds, bool(outer_tags), desc)


def case(seed: int | str) -> Case:
    """One statement and its request parameters, the same for the same seed."""
    drawn = _case(seed)
    while drawn is None:
        # two functions refusing their fields' kinds: 1.x builds the calls' iterators in
        # Go's map order, so either one's refusal is its answer
        seed = f"{seed}+"
        drawn = _case(seed)
    return drawn


def _case(seed: int | str) -> Case | None:
    draw = Draw(seed)
    m = draw.pick(MEASUREMENTS)
    kind = draw.rng.randrange(10)
    if kind < 3:
        text = draw.raw_calls(m) if draw.chance(0.25) else draw.raw(m)
    elif kind < 6:
        text = draw.aggregates(m)
    elif kind < 8:
        text = draw.transformed(m)
    else:
        text = draw.subquery(m)
    if draw.misfits > 1:
        return None
    text = draw.extra.casts(draw.extra.top_tags(text, m), m)
    text = draw.extra.condition(text, m)
    text = draw.grafana.source(text, m.name)
    params = {"db": "iql"}
    epoch = draw.pick(EPOCHS)
    if epoch:
        params["epoch"] = epoch
    style = random.Random(f"style-{seed}")
    if style.random() < STYLE:
        text = restyle(text, style)
        if style.random() < 0.2:  # Grafana sends a panel's queries in one request
            text = f"{text}; {case(f'{seed};').statement}"
        if style.random() < 0.3:  # the influx CLI asks for chunked answers
            params["chunked"] = "true"
            if style.random() < 0.5:
                params["chunk_size"] = str(style.choice((1, 2, 5, 100)))
    return Case(text, params)
