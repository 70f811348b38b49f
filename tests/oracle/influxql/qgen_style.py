"""The fuzzer's statements written as Grafana and the `influx` CLI write them.

Grafana's InfluxQL editor double-quotes every name (`mean("usage_user") FROM "cpu"`), writes
its `$timeFilter` as epoch milliseconds (`time >= 1704067200000ms`) and qualifies the
measurement with a retention policy (`"autogen"."cpu"`); people at the CLI type keywords in
lower case. `restyle` rewrites a drawn statement so, token by token, never inside a string or
a regex, so its meaning (and both servers' answers) stays that of the plain statement. It
draws from its own generator, so the plain statements of a seed stay what they were. Now and
then `qgen.case` sends a second statement in the same request, as Grafana sends a panel's
queries.
"""

from __future__ import annotations

import random
import re

# strings, regexes (after an operator, a comma or an opening parenthesis), durations and
# numbers, `::casts`, names, and anything else one character at a time
_TOKEN = re.compile(r"""
    (?P<string>'(?:[^'\\]|\\.)*')
  | (?P<quoted>"(?:[^"\\]|\\.)*")
  | (?P<regex>(?:(?<=[~(,]\ )|(?<=[(,])|(?<=BY\ )|(?<=SELECT\ )|(?<=FROM\ ))/(?:[^/\\]|\\.)*/)
  | (?P<cast>::[a-z]+)
  | (?P<number>-?\d+(?:\.\d+)?[a-z]*)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<other>.)
""", re.VERBOSE | re.DOTALL)

# lower-case words that are not names: fill()'s options, booleans, tz's and now's calls,
# and the `and` of Grafana's `$timeFilter` (qgen_grafana.py)
_NOT_NAMES = frozenset({"previous", "linear", "none", "null", "true", "false", "time", "and"})
_NANOS_PER_MS = 1_000_000


def restyle(text: str, rng: random.Random) -> str:
    """`text` with its names quoted, its epoch literals in milliseconds, its keywords in
    lower case and its measurements given the default retention policy, each now and then."""
    quote = rng.random() < 0.7
    millis = rng.random() < 0.6
    lower = rng.random() < 0.3
    policy = rng.random() < 0.3
    out: list[str] = []
    tokens = [(m.lastgroup, m.group()) for m in _TOKEN.finditer(text)]
    for i, (kind, value) in enumerate(tokens):
        after = tokens[i + 1][1] if i + 1 < len(tokens) else ""
        before = next((v for _, v in reversed(tokens[:i]) if not v.isspace()), "")
        if kind == "word" and value.isupper() and len(value) > 1:
            out.append(value.lower() if lower else value)
        elif kind == "word" and after != "(" and value not in _NOT_NAMES:
            name = f'"{value}"' if quote else value
            if policy and before == "FROM":
                name = f'"autogen".{name}'
            out.append(name)
        elif kind == "number" and millis:
            out.append(_millis(value))
        else:
            out.append(value)
    return "".join(out)


def _millis(literal: str) -> str:
    """A time literal in epoch nanoseconds or seconds (`1704067200s`) in milliseconds."""
    if re.fullmatch(r"\d{19}", literal) and int(literal) % _NANOS_PER_MS == 0:
        return f"{int(literal) // _NANOS_PER_MS}ms"
    if re.fullmatch(r"\d{10}s", literal):
        return f"{int(literal[:-1]) * 1000}ms"
    return literal
