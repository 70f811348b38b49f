"""InfluxQL the fuzzer's other generators never write, now and then put into its statements.

Casts inside a function's argument (`mean(usage_user::integer)`, `max(code::float)`), field
conditions with math (`usage_user * 2 > 41`, `used + free >= 1000`, `-delta < 3`), a second
tag argument to top() and bottom() (`top(v, id, host, 2)`), and a subquery read through a
layer of its own that passes its rows on (`FROM (SELECT a, b FROM (<inner>) GROUP BY *)`).
`Extra` draws from a generator of its own and only under IQLFUZZ_EXTRA (the chance that a
statement gets them), so that the statements earlier seeds drew, in any style, stay what
they were.
"""

from __future__ import annotations

import os
import random
import re

from .qgen_schema import NUMERIC, Measurement

EXTRA = float(os.environ.get("IQLFUZZ_EXTRA", "0"))
# a call's first argument when it is a bare name (not a wildcard, regex, call or cast)
_ARGUMENT = re.compile(r"\b([a-z_]+)\(([A-Za-z_][A-Za-z0-9_]*)(?=[,)])")
_TOP_TAG = re.compile(r"\b(top|bottom)\(([A-Za-z_][A-Za-z0-9_]*), ([A-Za-z_][A-Za-z0-9_]*), ")


class Extra:
    """One statement's extra choices; every method hands back its input when off."""

    def __init__(self, seed: int | str) -> None:
        self.rng = random.Random(f"extra-{seed}")
        self.on = self.rng.random() < EXTRA

    def casts(self, text: str, m: Measurement) -> str:
        """Now and then a call's numeric field read as the other number type (or `::field`)."""
        if not self.on or self.rng.random() < 0.4:
            return text

        def cast(match: re.Match[str]) -> str:
            name, field = match[1], match[2]
            if m.fields.get(field) not in NUMERIC or self.rng.random() < 0.4:
                return match[0]
            return f"{name}({field}::{self.rng.choice(('float', 'integer', 'field'))}"

        return _ARGUMENT.sub(cast, text)

    def top_tags(self, text: str, m: Measurement) -> str:
        """top() or bottom() with one tag argument given a second one."""
        match = _TOP_TAG.search(text)
        others = [t for t in m.tags if match is not None and t != match[3]]
        if not self.on or match is None or not others:
            return text
        second = self.rng.choice(others)
        return text.replace(match[0], f"{match[1]}({match[2]}, {match[3]}, {second}, ", 1)

    def condition(self, text: str, m: Measurement) -> str:
        """A field condition with math before the statement's first (innermost) WHERE."""
        if not self.on or " WHERE " not in text or self.rng.random() < 0.4:
            return text
        numeric = [name for name, kind in m.fields.items() if kind in NUMERIC]
        if not numeric:
            return text
        field = self.rng.choice(numeric)
        other = self.rng.choice(numeric)
        number = self.rng.choice(("0", "3", "20.5", "41", "500", "1000", "-2"))
        op = self.rng.choice((">", "<", ">=", "<=", "=", "!="))
        shape = self.rng.randrange(5)
        if shape == 0:
            left = f"{field} * {self.rng.choice(('2', '0.5', '-1'))}"
        elif shape == 1:
            left = f"{field} {self.rng.choice(('+', '-'))} {other}"
        elif shape == 2:
            left = f"-{field}"
        elif shape == 3:
            left = f"({field} + 1) / 2"
        else:
            left = f"{field}::{self.rng.choice(('integer', 'float'))}"
        where = text.index(" WHERE ") + len(" WHERE ")
        rest = text[where:]
        # the statement's own conditions stay one operand: up to its GROUP BY, tail or `)`
        end = _condition_end(rest)
        return f"{text[:where]}{left} {op} {number} AND ({rest[:end]}){rest[end:]}"

    def nest(self, inner: str, fields: list[str]) -> str:
        """A subquery read through a layer that passes its rows on, series kept apart."""
        if not self.on or self.rng.random() < 0.5:
            return inner
        return f"SELECT {', '.join(fields)} FROM ({inner}) GROUP BY *"


def _condition_end(rest: str) -> int:
    """Where a WHERE clause's conditions end in `rest` (the text after `WHERE `)."""
    depth = 0
    in_string = in_regex = False
    for at, c in enumerate(rest):
        if in_string:
            in_string = c != "'" or rest[at - 1] == "\\"
            continue
        if in_regex:
            in_regex = c != "/" or rest[at - 1] == "\\"
            continue
        if c == "'":
            in_string = True
        elif c == "/" and rest[at - 2:at] in ("~ ", "=~", "!~"):
            in_regex = True
        elif c == "(":
            depth += 1
        elif c == ")":
            if depth == 0:
                return at
            depth -= 1
        elif depth == 0:
            for keyword in (" GROUP BY ", " ORDER BY ", " LIMIT ", " OFFSET ", " SLIMIT ",
                            " SOFFSET ", " fill(", " tz("):
                if rest.startswith(keyword, at):
                    return at
    return len(rest)
