"""A seeded generator of InfluxDB 3 SQL over one table, for test_sql_fuzz's differential runs.

`DATASET` is the line protocol loaded into both databases: measurement `m`, tags `host` and
`region` (one series has no region), fields `f` (float), `i` (integer), `s` (string) and `b`
(boolean), the last three with gaps. Every point has its own second, so no ORDER BY time has
ties and a per-series LIMIT cuts the same rows the whole answer's does.

`case(seed)` draws one statement: a raw projection (columns aliased, one perhaps twice) or an
aggregate query, with time ranges (inside, straddling and outside the data, now() far back),
tag predicates (=, IN, regex, LIKE/ILIKE, on host negated too, two joined by AND or OR) and
field predicates, either ORed with a tag predicate, GROUP BY a
date_bin bucket and tags, ORDER BY time and tags, LIMIT and OFFSET. Now and then the statement
is a near miss, built just outside the subset the translation takes (`Case.outside` names the
construct its 400 must name).

Shapes whose answers differ on purpose (README: the SQL-to-InfluxQL deviations) are not drawn;
each exclusion is commented where it is made.
"""

from __future__ import annotations

import dataclasses
import os
import random

# The chance that a statement is outside the subset (SQLFUZZ_OUTSIDE to explore).
OUTSIDE = float(os.environ.get("SQLFUZZ_OUTSIDE", "0.15"))

T0 = 1_600_000_000  # 2020-09-13T12:26:40Z, in seconds
HOSTS = ("h0", "h1", "h2", "h3", "o'k 4")  # a quote and a space, escaped on every path
STEPS = 30
SPAN = STEPS * len(HOSTS) * 5  # seconds the data covers


def _points() -> list[str]:
    lines = []
    for step in range(STEPS):
        for index, host in enumerate(HOSTS):
            # h3 has no region: NULL in SQL, "" in 1.x (see _tag_predicate).
            region = "" if host == "h3" else f",region={'eu' if index % 2 else 'us'}"
            tags = f"host={host.replace(' ', chr(92) + ' ')}{region}"
            fields = []
            if (step + index) % 4:
                fields.append(f"i={(step * 5 + index) % 17 - 4}i")
            if (step + index) % 3:
                fields.append(f's="{"abcde"[(step + index) % 5]}{index}"')
            if (step * index) % 5 != 1:
                fields.append(f"b={'true' if (step + index) % 2 else 'false'}")
            # f is in every point: count(*) is 1.x's largest field count, exact only then
            # (README: SQL translated to InfluxQL).
            fields.insert(0, f"f={((step * 7 + index * 3) % 23) / 4}")  # quarters: exact sums
            second = T0 + (step * len(HOSTS) + index) * 5 + step % 3
            lines.append(f"m,{tags} {','.join(fields)} {second}")
    return lines


DATASET = "\n".join(_points()).encode()  # precision s
NUMERIC = ("f", "i")
FIELDS = ("f", "i", "s", "b")
TAGS = ("host", "region")
STRIDES = ("1 minute", "90 seconds", "5 minutes", "7 minutes", "1 hour", "10 seconds")


@dataclasses.dataclass(frozen=True, slots=True)
class Case:
    sql: str
    ordered: bool = False  # ORDER BY fixes the order of every row
    outside: str = ""  # the construct a 400 must name; "" inside the subset
    params: dict[str, object] = dataclasses.field(default_factory=dict)  # `$name` values


def _text(value: str) -> str:
    """An SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def _stamp(second: int) -> str:
    import datetime

    moment = datetime.datetime.fromtimestamp(second, datetime.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class Draw:
    """One statement's random choices."""

    def __init__(self, seed: int | str) -> None:
        self.rng = random.Random(seed)
        self.refused = ""  # the construct of a refused piece drawn, if any
        self.params: dict[str, object] = {}

    def value(self, literal: object) -> str:
        """A value in the statement: its SQL literal, or now and then a `$name` parameter."""
        if self.chance(0.15):
            name = f"p{len(self.params)}"
            self.params[name] = literal
            return f"${name}"
        return _text(literal) if isinstance(literal, str) else str(literal)

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def pick(self, items):  # type: ignore[no-untyped-def]
        return self.rng.choice(items)

    # -- WHERE ---------------------------------------------------------------------------

    def time_value(self, second: int) -> str:
        form = self.rng.randrange(9)
        if form == 5:
            return f"to_timestamp('{_stamp(second)}')"
        if form == 6:
            return f"'{_stamp(second)}'::TIMESTAMP"
        if form == 7:
            return f"to_timestamp_nanos({second * 10**9})"
        if form == 8:
            return f"CAST('{_stamp(second).replace('T', ' ').rstrip('Z')}' AS TIMESTAMP)"
        if form == 0:
            return f"'{_stamp(second)}'"
        if form == 1:
            return f"TIMESTAMP '{_stamp(second).replace('T', ' ').rstrip('Z')}'"
        if form == 2:
            return f"to_timestamp_seconds({second})"
        if form == 3:
            return f"to_timestamp_millis({second * 1000})"
        # Text plus an interval is refused (InfluxDB 3 coerces text to a time only in a
        # comparison), so TIMESTAMP.
        return f"TIMESTAMP '{_stamp(second - 3600)}' + INTERVAL '1 hour'"

    def time_range(self) -> list[str]:
        kind = self.rng.randrange(7)
        if kind == 0:
            return ["time > now() - INTERVAL '100000 days'"]
        if kind == 6:  # one point's time exactly, or a range upside down
            step, index = self.rng.randrange(STEPS), self.rng.randrange(len(HOSTS))
            second = T0 + (step * len(HOSTS) + index) * 5 + step % 3
            if self.chance(0.8):
                return [f"time = {self.time_value(second)}"]
            return [f"time > {self.time_value(second)}", f"time < {self.time_value(second - 9)}"]
        if kind == 1:  # nothing at all
            return [f"time >= {self.time_value(T0 + SPAN * 3)}"]
        low = T0 + self.rng.randrange(-60, SPAN)
        high = low + self.rng.randrange(1, SPAN)
        parts = [f"time {self.pick(['>=', '>'])} {self.time_value(low)}",
                 f"time {self.pick(['<', '<='])} {self.time_value(high)}"]
        if kind == 2:
            return [f"time BETWEEN {self.time_value(low)} AND {self.time_value(high)}"]
        return parts if kind != 3 else parts[:1]

    def _tag_predicate(self) -> str:
        if self.chance(0.15):  # two of them, either or both
            return f"({self._tag_predicate()} {self.pick(['OR', 'AND'])} {self._tag_predicate()})"
        tag = self.pick(TAGS)
        values = HOSTS if tag == "host" else ("eu", "us")
        form = self.rng.randrange(7)
        if form == 0:
            return f"{tag} = {self.value(self.pick(values))}"
        if form == 1:
            return f"{tag} IN ({', '.join(_text(v) for v in self.rng.sample(values, 2))})"
        if form == 2:
            return f"{tag} ~ {_text('^' + self.pick(values)[:-1])}"
        if form == 3:
            return f"{tag} {self.pick(['LIKE', 'ILIKE'])} {_text(self.pick(values)[:1] + '%')}"
        if form == 4:  # a region there is: a missing tag is "" to 1.x, != "" too
            return "region != ''" if tag == "region" else "host ~* '^H'"
        # Negated on a tag some series lack: README deviation (1.x keeps those series, SQL
        # drops NULL), so only host, which every point has.
        sample = ", ".join(_text(v) for v in self.rng.sample(HOSTS, 2))
        return self.pick([f"host {self.pick(['!=', 'NOT LIKE'])} {_text(self.pick(HOSTS))}",
                          f"host NOT IN ({sample})", f"host !~ {_text(self.pick(HOSTS)[1:])}",
                          f"NOT (host = {_text(self.pick(HOSTS))} OR host IN ({sample}))"])

    def _field_predicate(self) -> str:
        field = self.pick(FIELDS)
        if field == "f":
            value = self.pick([self.rng.randrange(0, 24) / 4, self.rng.randrange(0, 6)])
            return self.pick([f"f {self.pick(['>', '<=', '=', '!='])} {self.value(value)}",
                              f"f BETWEEN {value} AND {value + 2}",
                              f"f NOT BETWEEN {value} AND {value + 2}",
                              f"f IN ({value}, {value + 0.25}, {value + 1})"])
        if field == "i":
            value = self.pick([self.rng.randrange(-4, 13), self.rng.randrange(-8, 26) / 2])
            return self.pick([f"i {self.pick(['>=', '<', '!=', '='])} {self.value(value)}",
                              f"{value} > i", f"i IN ({value}, 3, -1)",
                              f"NOT (i < {value})"])
        if field == "s":
            letter = self.pick("abcde")
            return self.pick([f"s = '{letter}1'", f"s LIKE '{letter}%'", f"s LIKE '_{1}'",
                              f"s NOT LIKE '{letter}%'", f"s ILIKE '{letter.upper()}%'",
                              f"s ~ '^[{letter}b]'", f"s !~ '{letter}'", f"s != '{letter}2'",
                              f"s IN ('{letter}0', 'b1')"])
        return self.pick(["b", "NOT b", "b = true", "b != false", "b = false"])

    def where(self, timed: bool) -> list[str]:
        parts = self.time_range() if timed or self.chance(0.6) else []
        if self.chance(0.4):
            parts.append(self._tag_predicate())
        if self.chance(0.3):
            predicate = self._field_predicate()
            if self.chance(0.3):
                predicate = f"({predicate} OR {self._field_predicate()})"
            elif self.chance(0.15):  # a tag or a field
                predicate = f"({self._tag_predicate()} OR {predicate})"
            parts.append(predicate)
        return parts

    # -- statements ----------------------------------------------------------------------

    def raw(self) -> Case:
        if self.chance(0.1):
            return self.star()
        names = self.rng.sample(FIELDS, self.rng.randrange(1, 4))
        if self.chance(0.5):
            names.insert(0, "time")
        if self.chance(0.3):
            names.append(self.pick(TAGS))
        if self.chance(0.05):  # tags alone: every point, its field values unasked
            names = ["time", *TAGS]
        if self.chance(0.2):  # named otherwise, perhaps twice
            names = [f"{n} AS x_{n}" if self.chance(0.5) else n for n in names]
            if self.chance(0.3):
                names.append(f"{names[-1].split()[0]} AS again")
        where = self.where(timed=False)
        order = self.chance(0.6)
        descending = order and self.chance(0.4)
        sql = f"SELECT {', '.join(names)} FROM m"
        if where:
            sql += " WHERE " + " AND ".join(where)
        if order:
            sql += " ORDER BY time" + (" DESC" if descending else "")
        if order and self.chance(0.5):
            sql += f" LIMIT {self.rng.randrange(0, 12)}"
            if self.chance(0.4):
                sql += f" OFFSET {self.rng.randrange(0, 6)}"
        elif self.chance(0.1):
            sql += f" OFFSET {self.rng.randrange(0, 100)}"
        return Case(self.spelled(sql), ordered=order, params=self.params)

    def star(self) -> Case:
        """SELECT *: every column, by name."""
        sql = "SELECT * FROM m"
        where = self.where(timed=False)
        if where:
            sql += " WHERE " + " AND ".join(where)
        order = self.chance(0.5)
        if order:
            sql += " ORDER BY time" + self.pick(["", " DESC"])
            if self.chance(0.5):
                sql += f" LIMIT {self.rng.randrange(0, 12)}"
        return Case(sql, ordered=order, params=self.params)

    def spelled(self, sql: str) -> str:
        """The statement with the table and a column named another way that means the same:
        qualified, quoted, or unquoted in upper case (DataFusion folds it)."""
        form = self.rng.randrange(5)
        if form == 0:  # InfluxDB 3's tables are iox.<table> and public.iox.<table>
            return sql.replace(" FROM m", self.pick([" FROM iox.m", " FROM public.iox.m"]), 1)
        if form == 1:
            return sql.replace(" FROM m", ' FROM "m"', 1).replace("SELECT f", 'SELECT "f"', 1)
        if form == 2:
            return sql.replace(" FROM m", " FROM m AS x", 1).replace("SELECT f", "SELECT x.f", 1)
        if form == 3:
            return sql.replace(" FROM m", " FROM M", 1).replace("SELECT f", "SELECT F", 1)
        return sql

    def aggregate(self, field: str) -> tuple[str, str]:
        """(SQL expression, an alias) of one aggregate of `field`."""
        numeric = field in NUMERIC
        kinds = ["count", "count_star", "count_distinct", "first_value", "selector"]
        if numeric:
            kinds += ["sum", "avg", "min", "max", "median", "stddev"]
        kind = self.pick(kinds)
        if kind == "count_star":
            return "count(*)", "n"
        if kind == "count_distinct":
            return f"count(DISTINCT {field})", f"d_{field}"
        if kind == "first_value":
            function = self.pick(["first_value", "last_value"])
            direction = self.pick(["", " DESC"])
            alias = f"{function[:4]}_{field}"
            if self.chance(0.1):  # 1.x's first() and last() skip nulls: refused
                self.refused = self.refused or f"{function} without IGNORE NULLS"
                return f"{function}({field} ORDER BY time{direction})", alias
            if self.chance(0.5):
                return f"{function}({field} ORDER BY time{direction}) IGNORE NULLS", alias
            return f"{function}({field} IGNORE NULLS ORDER BY time{direction})", alias
        if kind == "selector":
            choices = ["selector_first", "selector_last"]
            if numeric:
                choices += ["selector_min", "selector_max"]
            function = self.pick(choices)
            return f"{function}({field}, time)['value']", f"{function[9:]}_{field}"
        return f"{kind}({field})", f"{kind}_{field}"

    def aggregated(self) -> Case:
        items: dict[str, str] = {}
        for _ in range(self.rng.randrange(1, 4)):
            refused = self.refused
            expression, alias = self.aggregate(self.pick(FIELDS))
            if alias in items:  # drawn twice: the first stays, refused or not
                self.refused = refused
            items.setdefault(alias, expression)
        distinct = [a for a, e in items.items() if "DISTINCT" in e]
        if distinct and len(items) > 1:  # 1.x: distinct() takes no company (refused, tested)
            items = {distinct[0]: items[distinct[0]]}
            self.refused = ""  # a refused piece dropped with the others
        tagged = ""
        if not distinct and self.chance(0.04):  # 1.x aggregates a tag into nothing: refused
            tag = self.pick(TAGS)
            items[f"c_{tag}"] = f"{self.pick(['count', 'min', 'max'])}({tag})"
            tagged = f"an aggregate of the tag '{tag}'"
        bucket = self.chance(0.6)
        tags = self.rng.sample(TAGS, self.rng.randrange(0, 3))
        alone = bool(tags) and self.chance(0.05)  # the distinct tag sets alone
        if alone:
            items, distinct, bucket, tagged, self.refused = {}, [], False, "", ""
        # Unaliased, a column is named as InfluxDB 3 names it (e.g. `count(m.f)`); neither
        # path copies DataFusion's name for first_value(x ORDER BY t) (README), so aliased.
        select = [e if self.chance(0.2) and "[" not in e and "_value(" not in e
                  else f"{e} AS {a}" for a, e in items.items()]
        if self.chance(0.3):  # unquoted names fold to lower case, in a column's name too
            select = [e.upper() if " AS " not in e else e for e in select]
        group = list(tags)
        if bucket:
            stride = self.pick(STRIDES)
            origin = ""
            if self.chance(0.3):
                second = T0 + self.rng.randrange(0, 600)
                origin = self.pick([f", '{_stamp(second)}'", f", {self.time_value(second)}"])
            stride = self.pick([f"INTERVAL '{stride}'", f"'{stride}'"])
            select.insert(0, f"date_bin({stride}, time{origin}) AS t")
            group.insert(0, "t" if self.chance(0.5) else "1")
        shown = [t for t in tags if alone or self.chance(0.8)]
        select[1 if bucket else 0:1 if bucket else 0] = shown
        # GROUP BY time without an upper bound stops at now() in 1.x (README deviation): a
        # bucket always comes with a time range that has both ends.
        where = self.where(timed=bucket)
        bounds = [p[5:] for p in where if p.startswith("time ")]
        if bucket and not any(p.startswith(("<", "BETWEEN")) for p in bounds):
            where.append(f"time < {self.time_value(T0 + SPAN + 60)}")
        if bucket and not any(p.startswith((">", "BETWEEN")) for p in bounds):
            where.append(f"time >= {self.time_value(T0 - 60)}")
        sql = f"SELECT {', '.join(select)} FROM m"
        if where:
            sql += " WHERE " + " AND ".join(where)
        if group:
            sql += " GROUP BY " + ", ".join(group)
        keys = []
        if bucket and self.chance(0.7):
            keys.append(self.pick(["t", "1"]) + self.pick(["", " DESC"]))
        for tag in tags:
            if self.chance(0.5):
                nulls = self.pick(["", "", " NULLS FIRST", " NULLS LAST"])
                keys.insert(self.rng.randrange(len(keys) + 1),
                            tag + self.pick(["", " DESC"]) + nulls)
        if distinct and group:  # a group lacking the column counts 0 in SQL, none in 1.x
            self.refused = self.refused or "count(DISTINCT ...) with GROUP BY"
        self.refused = self.refused or tagged  # found only in the upstream's field keys
        # The order is fixed when every group key is an ORDER BY key.
        ordered = len(keys) == len(group)
        if keys:
            sql += " ORDER BY " + ", ".join(keys)
        if not group and self.chance(0.1):  # the one row, or none
            sql += f" LIMIT {self.rng.randrange(0, 2)} OFFSET {self.rng.randrange(0, 2)}"
        if ordered and group and self.chance(0.4):
            sql += f" LIMIT {self.rng.randrange(0, 8)}"
            if self.chance(0.4):
                sql += f" OFFSET {self.rng.randrange(0, 4)}"
        return Case(sql, ordered=ordered or not group, outside=self.refused,
                    params=self.params)

    def selected_time(self) -> Case:
        """A lone selector's value and the time of its point."""
        field = self.pick(FIELDS if self.chance(0.5) else NUMERIC)
        function = self.pick(["selector_first", "selector_last"] + (
            ["selector_min", "selector_max"] if field in NUMERIC else []))
        sql = (f"SELECT {function}({field}, time)['time'] AS t, "
               f"{function}({field}, time)['value'] AS v FROM m")
        where = self.where(timed=False)
        if where:
            sql += " WHERE " + " AND ".join(where)
        return Case(sql, ordered=True, params=self.params)

    def outside(self) -> Case:
        """A statement just outside the subset, and the construct its 400 names."""
        field = self.pick(NUMERIC)
        choices = [
            (f"SELECT {field} FROM m UNION SELECT {field} FROM m", "UNION"),
            ("SELECT DISTINCT host FROM m", "SELECT DISTINCT"),
            (f"SELECT host, sum({field}) AS s FROM m GROUP BY host HAVING sum({field}) > 1",
             "HAVING"),
            (f"SELECT abs({field}) FROM m", "the function abs"),
            (f"SELECT {field} * 2 AS x FROM m", "the operator *"),
            (f"SELECT {field} FROM m ORDER BY {field}", "ORDER BY anything but time"),
            (f"SELECT {field} FROM m WHERE {field} IS NULL", "IS NULL"),
            (f"SELECT {field} FROM m WHERE time != '{_stamp(T0)}'", "time !="),
            (f"SELECT {field} FROM (SELECT {field} FROM m)", "a subquery"),
            (f"SELECT {field}, row_number() OVER (ORDER BY time) AS r FROM m",
             "window functions (OVER)"),
            (f"SELECT a.{field} FROM m AS a JOIN m AS b ON a.time = b.time", "JOIN"),
            (f"SELECT {field} FROM m WHERE time > '{_stamp(T0)}' OR host = 'h1'",
             "a time condition under OR"),
            (f"SELECT count({field}) AS c FROM m GROUP BY {field}",
             f"GROUP BY the field '{field}'"),
            (f"SELECT {field} FROM m WHERE {field} > i", "a comparison that is not between"),
            (f"SELECT {field}, nosuch FROM m", "No field named nosuch"),
            (f"SELECT {field} FROM m WHERE time IN ('{_stamp(T0)}', '{_stamp(T0 + 5)}')",
             "a time condition under OR"),
            (f"SELECT count({field}) AS c FROM m GROUP BY host, nosuch",
             "No field named nosuch"),
            (f"WITH x AS (SELECT {field} FROM m) SELECT * FROM x", "WITH"),
            (f"SELECT sum({field}) FILTER (WHERE host = 'h1') AS s FROM m", "FILTER"),
            (f"SELECT date_bin(INTERVAL '1 month', time) AS t, count({field}) AS c FROM m "
             f"GROUP BY 1", "months or years"),
            (f"SELECT date_bin_gapfill(INTERVAL '1 minute', time) AS t, avg({field}) AS a "
             f"FROM m WHERE time >= '{_stamp(T0)}' AND time < '{_stamp(T0 + SPAN)}' "
             f"GROUP BY 1", "date_bin_gapfill"),
            (f"SELECT {field} FROM m WHERE time > date_trunc('day', now())", "date_trunc"),
            (f"SELECT selector_last({field}, time) AS v FROM m", "selector_last"),
            (f"SELECT count(DISTINCT {field}) AS d, count(f) AS c FROM m",
             "count(DISTINCT ...) beside other aggregates"),
            (f"SELECT host, count({field}) AS c FROM m GROUP BY host ORDER BY c",
             "ORDER BY anything but time or a GROUP BY tag"),
            (f"SELECT {field} FROM m WHERE {field} IS NOT NULL", "IS NULL"),
            (f"SELECT {field} FROM m WHERE s SIMILAR TO 'a%'", "SIMILAR TO"),
            (f"SELECT CASE WHEN {field} > 1 THEN 1 ELSE 0 END AS x FROM m", "CASE"),
            (f"SELECT tz(time, 'Europe/Paris') AS t, {field} FROM m", "tz"),
            (f"SELECT {field} FROM m, m AS n", "a query over several tables"),
            (f"SELECT selector_first({field}, time)['time'] AS t, avg(f) AS a FROM m",
             "a selector's ['time'] beside other aggregates or date_bin"),
            # 1.x finds no point for these where SQL answers rows (README)
            (f"SELECT {field} FROM m WHERE {self.pick(['host', 's'])} "
             f"{self.pick(['<', '<=', '>', '>='])} 'h2'", "text compared with <, <=, > or >="),
            (f"SELECT {field} FROM m WHERE {field} BETWEEN '1' AND '3'",
             "text compared with <, <=, > or >="),
            (f"SELECT {field} FROM m WHERE b > false", "a boolean compared with <, <=, > or >="),
            (f"SELECT {field} FROM m WHERE {field} = '3'", "compared with text"),
            (f"SELECT {field} FROM m WHERE b = 1", "the boolean field 'b' compared with a number"),
            (f"SELECT {field} FROM m WHERE host IN ('h1', 2)",
             "the tag 'host' compared with a number"),
            (f"SELECT count({field}) AS c FROM m WHERE region = ''",
             "the tag 'region' compared with ''"),
            (f"SELECT count({field}) AS c FROM m WHERE region "
             f"{self.pick(['LIKE', 'ILIKE'])} '%'", "matching '' on the tag 'region'"),
            (f"SELECT {field} FROM m WHERE {field} < 1e400", "the number 1e400"),
            (f"SELECT {self.pick(['min', 'max', 'sum'])}({self.pick(['s', 'b'])}) AS x FROM m",
             "field '"),
        ]
        sql, construct = self.pick(choices)
        return Case(sql, outside=construct)


def case(seed: int | str) -> Case:
    """The statement drawn for `seed` (e.g. "1-17", a run's seed and case number)."""
    draw = Draw(seed)
    if draw.chance(OUTSIDE):
        return draw.outside()
    if draw.chance(0.05):
        return draw.selected_time()
    return draw.raw() if draw.chance(0.35) else draw.aggregated()
