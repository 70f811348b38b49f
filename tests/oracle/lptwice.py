"""The write fuzzer's view of a type 1.6.7 keeps from a point it refused (README deviation).

A point that names a field twice with two types (`m n=1i,n=F`) is refused by both servers,
but 1.6.7 has already made the first type the field's type in the point's shard group, so
later points of that group with the other type are refused too ("already exists as type
integer"). The gateway keeps nothing from a refused point and stores them. `adjust` finds
that cause in the bodies and, when every difference it accounts for fits, gives the gateway's
answers as 1.6.7 would have given them; anything else is left for the other recognisers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from tests.oracle import lpgen

REASON = ("1.6.7 keeps the first type of a field that a point it refused gave two types "
          "(README)")

_WEEK_NS = 7 * 24 * 3600 * 10**9
_UNIT_NS = {"": 1, "n": 1, "ns": 1, "u": 10**3, "ms": 10**6, "s": 10**9, "m": 60 * 10**9,
            "h": 3600 * 10**9}
_INTEGER = re.compile(r"-?[0-9]+i")
_FLOAT = re.compile(r"-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_BOOLEANS = {"t", "T", "true", "True", "TRUE", "f", "F", "false", "False", "FALSE"}
_PARTIAL = re.compile(r"partial write: (.*) dropped=(\d+)", re.S)
_UNESCAPE = re.compile(r'\\([,= "])')  # 1.x unescapes a measurement and a field key so
_NOW = "now"  # the shard group of a line without a timestamp: the server's now


@dataclass(frozen=True, slots=True)
class Line:
    """A line of a body as 1.x splits it: where it is, its measurement, each field it names
    with the type of its value (None: not a value), its 7-day shard group and its tag keys."""

    step: int
    measurement: str
    fields: tuple[tuple[str, str | None], ...]
    group: int | str | None  # None: the timestamp is not one
    tags: tuple[str, ...] = ()
    time: int | str | None = None  # in ns; "now" without a timestamp, None when not one

    def types(self, key: str) -> list[str | None]:
        return [kind for name, kind in self.fields if name == key]


def adjust(batches: Sequence[lpgen.Batch], influx: list, ours: list) -> list | None:
    """The gateway's answers (JSON shapes) had it kept those types, or None when no field
    shows the cause or a difference it should account for does not fit."""
    theirs_types, our_types = field_types(influx[-1][1]), field_types(ours[-1][1])
    lines = [line for step, batch in enumerate(batches) for line in read_lines(step, batch)]
    refused: list[tuple[Line, str]] = []  # each with 1.6.7's words for it
    kept: dict[tuple[str, str], tuple[str, str, int | str | None]] = {}
    for (measurement, key), kinds in theirs_types.items():
        mine = our_types.get((measurement, key), [])
        if len(kinds) != 1 or len(mine) != 1 or mine == kinds:
            continue
        cause = _cause(lines, measurement, key, kinds[0])
        if cause is None:
            continue
        first, words = lines[cause], _conflict(key, measurement, mine[0], kinds[0])
        # later points of its group with the type the gateway then gave the field
        later = [(line, words) for line in lines[cause + 1:]
                 if line.measurement == measurement and line.group == first.group
                 and mine[0] in line.types(key)]
        if later:
            refused += later
            kept[(measurement, key)] = (kinds[0], mine[0], first.group)
    if not refused:
        return None
    adjusted = list(ours)
    most = 0
    for step in sorted({line.step for line, _ in refused}):
        words = {said for line, said in refused if line.step == step}
        count = sum(1 for line, _ in refused if line.step == step)
        extra = _extra_refusals(influx[step], ours[step], words, count)
        if extra is None:
            return None
        most += extra
        adjusted[step] = influx[step]
    stored = _stored_without(ours[-1], kept, most)
    if stored is None:
        return None
    adjusted[-1] = stored
    return adjusted


def _cause(lines: list[Line], measurement: str, key: str, kind: str) -> int | None:
    """The first line of `measurement` that names `key` first with a value of `kind`, then
    with a value of another type: refused, yet it leaves `kind` behind in 1.6.7."""
    for index, line in enumerate(lines):
        kinds = line.types(key)
        if (line.measurement == measurement and line.group is not None and len(kinds) > 1
                and kinds[0] == kind and any(k not in (None, kind) for k in kinds[1:])):
            return index
    return None


def _conflict(key: str, measurement: str, given: str, kept: str) -> str:
    return (f'field type conflict: input field "{key}" on measurement "{measurement}" is type '
            f"{given}, already exists as type {kept}")


def _extra_refusals(theirs: list, mine: list, words: set[str], lines: int) -> int | None:
    """How many more points 1.6.7 refused in a step than the gateway: at least one and at
    most the step's `lines` that meet a kept type, naming the same refusal or one of those
    (`words`); None when the answers differ otherwise."""
    said = _PARTIAL.fullmatch(theirs[1] or "") if theirs[0] == 400 else None
    if said is None:
        return None
    if mine[0] == 204:
        ours_said, ours_dropped = None, 0
    else:
        match = _PARTIAL.fullmatch(mine[1] or "") if mine[0] == 400 else None
        if match is None:
            return None
        ours_said, ours_dropped = match[1], int(match[2])
    extra = int(said[2]) - ours_dropped
    if not 0 < extra <= lines or said[1] not in words | {ours_said}:
        return None
    return extra


def _stored_without(stored: list,
                    kept: dict[tuple[str, str], tuple[str, str, int | str | None]],
                    most: int) -> list | None:
    """What the gateway stored without the rows that hold a value of a kept field (at most
    `most`, each in the cause's shard group), the field listed with the kept type, and
    without the other columns only those rows held a value in (1.6.7 refused their point)."""
    series, fields = stored
    removed = 0
    kept_series = []
    gone: dict[str, set[str]] = {}
    for name, columns, rows in series:
        keys = {key: group for (measurement, key), (_, _, group) in kept.items()
                if measurement == name and key in columns}
        rows_left, rows_gone = [], []
        for row in rows:
            held = [keys[c] for c, v in zip(columns, row, strict=True)
                    if c in keys and v is not None]
            if not held:
                rows_left.append(row)
                continue
            if any(group != group_of(row[0]) for group in held):
                return None
            rows_gone.append(row)
        removed += len(rows_gone)
        gone[name] = (_holding(columns, rows_gone) - _holding(columns, rows_left)) - {*keys}
        if rows_left:
            at = [i for i, column in enumerate(columns) if column not in gone[name]]
            kept_series.append([name, [columns[i] for i in at],
                                [[row[i] for i in at] for row in rows_left]])
    if removed > most:
        return None
    kept_fields = []
    for one in fields or ():
        values = []
        for key, kind in one["values"]:
            types = kept.get((one["name"], key))
            if key not in gone.get(one["name"], ()):
                values.append([key, types[0] if types and kind == types[1] else kind])
        if values:
            kept_fields.append({**one, "values": values})
    return [kept_series, kept_fields or None]


def _holding(columns: list[str], rows: list[list]) -> set[str]:
    """The columns that hold a value in some row."""
    return {c for row in rows for c, v in zip(columns, row, strict=True) if v is not None}


def group_of(time: int | str) -> int | str:
    return _NOW if time == "now" else int(time) // _WEEK_NS


def field_types(fields: list | None) -> dict[tuple[str, str], list[str]]:
    """Each (measurement, field) of SHOW FIELD KEYS with the types listed for it."""
    types: dict[tuple[str, str], list[str]] = {}
    for one in fields or ():
        for key, kind in one["values"]:
            types.setdefault((one["name"], key), []).append(kind)
    return types


def read_lines(step: int, batch: lpgen.Batch) -> list[Line]:
    """The body's lines as 1.x's line splitter cuts them: a newline inside a string (a quote
    after more `=` than `,` in the field set) does not end a line; a backslash escapes the
    next character."""
    body, out = batch.body.decode("utf-8", "replace"), []
    sections: list[str] = [""]
    quoted, equals, commas, i = False, 0, 0, 0
    while i <= len(body):
        c = body[i] if i < len(body) else "\n"
        if c == "\\" and i + 1 < len(body):
            sections[-1] += body[i:i + 2]
            i += 2
            continue
        if len(sections) == 2 and c == '"' and equals > commas:
            quoted = not quoted
        elif len(sections) == 2 and not quoted and c in "=,":
            equals, commas = equals + (c == "="), commas + (c == ",")
        if c == "\n" and not quoted:
            line = _line(step, sections, batch.precision)
            if line is not None:
                out.append(line)
            sections, quoted, equals, commas = [""], False, 0, 0
        elif c == " " and not quoted and sections[-1].strip(" \t"):
            sections.append("")
        elif c != " " or quoted:
            sections[-1] += c
        i += 1
    return out


def _line(step: int, sections: list[str], precision: str) -> Line | None:
    key = sections[0].lstrip(" \t")
    if not key or key.startswith("#") or len(sections) < 2:
        return None
    measurement, *tags = re.split(r"(?<!\\),", key)
    fields = []
    for field in _split(sections[1], ","):
        name, value = _split_key(field)
        fields.append((_UNESCAPE.sub(r"\1", name), _kind(value)))
    group: int | str | None = _NOW
    time: int | str | None = _NOW
    if len(sections) > 2 and sections[2]:
        stamp = sections[2]
        time = (int(stamp) * _UNIT_NS[precision]
                if re.fullmatch(r"-?[0-9]+", stamp) and len(sections) == 3 else None)
        group = None if time is None else int(time) // _WEEK_NS
    keys = tuple(_UNESCAPE.sub(r"\1", re.split(r"(?<!\\)=", tag, maxsplit=1)[0])
                 for tag in tags)
    return Line(step, _UNESCAPE.sub(r"\1", measurement), tuple(fields), group, keys, time)


def _split(text: str, separator: str) -> list[str]:
    """`text` cut at each `separator` outside a string and not after a backslash."""
    parts, current, quoted, i = [], "", False, 0
    while i < len(text):
        c = text[i]
        if c == "\\":
            current += text[i:i + 2]
            i += 2
            continue
        if c == '"' and (quoted or current.endswith("=")):
            quoted = not quoted
        if c == separator and not quoted:
            parts.append(current)
            current = ""
        else:
            current += c
        i += 1
    return [*parts, current]


def _split_key(field: str) -> tuple[str, str]:
    """A field's key and value, split at the first `=` no backslash escapes."""
    match = re.match(r"((?:[^\\=]|\\.)*)=(.*)", field, re.S)
    return (match[1], match[2]) if match else (field, "")


def _kind(value: str) -> str | None:
    """1.x's type of a field value, None when it is not one."""
    if len(value) > 1 and value[0] == value[-1] == '"':
        return "string"
    if value in _BOOLEANS:
        return "boolean"
    if _INTEGER.fullmatch(value):
        return "integer" if -(2**63) <= int(value[:-1]) < 2**63 else None
    if _FLOAT.fullmatch(value):
        return "float" if abs(float(value)) != float("inf") else None
    return None
