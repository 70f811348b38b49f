"""Spec-complete, line-at-a-time line-protocol parser: escapes, quoted strings, odd shapes.

This path handles whatever the vectorised fast path declines. It creates Python objects per
value, so it is used only for the lines that need it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import NoReturn

from .model import (
    FIELD_KEY_SEPARATOR,
    MAX_KEY_LENGTH,
    TIME_COLUMN,
    FieldType,
    time_field_refusal,
    time_tag_refusal,
)
from .precision import TIME_OUT_OF_RANGE, Precision, TimestampOutOfRange, scale_to_nanos
from .spans import PAIRED_BACKSLASHES

_INT = re.compile(r"-?[0-9]+")
_UINT = re.compile(r"[0-9]+")
_FLOAT = re.compile(r"-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_TIMESTAMP = _INT
# What 1.x's number scanner lets through before it parses: digits, one dot, an `e` anywhere but
# first, a sign right after an `e`.
_SCANNED_NUMBER = re.compile(r"-?(?:[0-9.]|[eE][+-]?)*")
_TRUE = frozenset({"t", "T", "true", "True", "TRUE"})
_FALSE = frozenset({"f", "F", "false", "False", "FALSE"})
_WHITESPACE = " \t"
# 1.x ends a field value and a timestamp at a space only: a tab there is part of the token,
# so `v=1\t1` is an invalid number and `v=1 1\t` a bad timestamp.
_SEPARATOR = " "
# ... a timestamp also at a newline (`scanTime`), but not at a carriage return, which is a
# bad timestamp there (`v=1 \rx`); one that ends a line is taken off before (README: CRLF).
_TIME_ENDS = " \n"
# A field value up to the next separator, and an `=` that no backslash escapes.
_VALUE = re.compile(r"[^, ]*")
_BARE_EQUALS = re.compile(r"(?:^|[^\\])=")
# An even run of backslashes, then a comma, a space or an `=`.
_SEPARATOR_AFTER_BACKSLASHES = re.compile(PAIRED_BACKSLASHES)

# Characters a backslash escapes in names and tag values; any other backslash is literal.
_NAME_ESCAPES = frozenset(", =")
# 1.x unescapes a measurement and a field key with the quote too (its escape.Unescape),
# where tag keys and values keep `\"` as written.
_KEY_ESCAPES = _NAME_ESCAPES | {'"'}


class LineSyntaxError(ValueError):
    """A line that does not parse; the message is 1.x's reason text."""


class _UnendedKey(LineSyntaxError):
    """1.x's walk over the scanned field set found a key that no `=` ends; the walk comes
    before the timestamp is read, so its complaint wins over the timestamp's."""


class PointRefused(ValueError):
    """A line that parses but names a point InfluxDB refuses to store (1.x counts it as
    dropped in a partial write rather than as a parse error)."""


@dataclass(frozen=True, slots=True)
class Point:
    measurement: str
    tags: dict[str, str]
    fields: dict[str, tuple[FieldType, object]]
    time: int | None  # nanoseconds, or None when the line has no timestamp


def _scan(text: str, pos: int, stops: str, escapes: frozenset[str]) -> tuple[str, int]:
    """Read up to an unescaped stop character; return the unescaped token and its end."""
    out: list[str] = []
    end = len(text)
    while pos < end:
        ch = text[pos]
        if ch == "\\" and pos + 1 < end and text[pos + 1] in escapes:
            out.append(text[pos + 1])
            pos += 2
            continue
        if ch in stops:
            break
        out.append(ch)
        pos += 1
    return "".join(out), pos


def _skip_whitespace(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in _WHITESPACE:
        pos += 1
    return pos


def _parse_string(text: str, pos: int) -> tuple[str, int]:
    """`pos` is at the opening quote; `\\"` and `\\\\` are the only escapes."""
    out: list[str] = []
    pos += 1
    end = len(text)
    while pos < end:
        ch = text[pos]
        if ch == "\\" and pos + 1 < end and text[pos + 1] in '"\\':
            out.append(text[pos + 1])
            pos += 2
            continue
        if ch == '"':
            return "".join(out), pos + 1
        out.append(ch)
        pos += 1
    raise LineSyntaxError("unbalanced quotes")


def _integer(text: str) -> int:
    """int(text) for an integer `text`, or ±2**64 (out of every range checked here) for one of
    more digits than 2**64 has: int() refuses texts past 4,300 digits."""
    if len(text.lstrip("-0")) > 20:
        return -(2**64) if text.startswith("-") else 2**64
    return int(text)


def parse_value(raw: str) -> tuple[FieldType, object]:
    """Type and value of one unquoted field value."""
    if raw in _TRUE:
        return FieldType.BOOLEAN, True
    if raw in _FALSE:
        return FieldType.BOOLEAN, False
    suffix = raw[-1]
    if suffix == "i" and _INT.fullmatch(raw, 0, len(raw) - 1):
        value = _integer(raw[:-1])
        if not -(2**63) <= value < 2**63:
            raise LineSyntaxError(
                f"unable to parse integer {raw[:-1]}: strconv.ParseInt: parsing "
                f'"{raw[:-1]}": value out of range')
        return FieldType.INTEGER, value
    if suffix == "u" and _UINT.fullmatch(raw, 0, len(raw) - 1):
        value = _integer(raw[:-1])
        if value >= 2**64:
            raise LineSyntaxError(
                f"unable to parse unsigned {raw[:-1]}: strconv.ParseUint: parsing "
                f'"{raw[:-1]}": value out of range')
        return FieldType.UNSIGNED, value
    if _FLOAT.fullmatch(raw):
        value = float(raw)
        if math.isinf(value):  # 1.x: strconv.ParseFloat reports a range error
            raise LineSyntaxError("invalid float")
        return FieldType.FLOAT, value
    # 1.x decides by the first character: a digit, minus or dot means a number was meant, and
    # so does `N` or `n` (it refuses NaN).
    if raw[0] in "-.0123456789Nn":
        # one its scanner lets through with an `e` in it (`1e`, `1ee2`) fails as a float
        if (_SCANNED_NUMBER.fullmatch(raw) and raw.count(".") < 2
                and ("e" in raw or "E" in raw)):
            raise LineSyntaxError("invalid float")
        raise LineSyntaxError("invalid number")
    raise LineSyntaxError("invalid boolean")


def _refuse(measurement: str, tags: dict[str, str],
            fields: dict[str, tuple[FieldType, object]], conflict: str | None) -> None:
    """1.x parses these lines but its store refuses them, with these words: a `time` tag, a
    `time` field alone (beside other fields 1.x drops it), a field given two types."""
    if TIME_COLUMN in tags:
        raise PointRefused(time_tag_refusal(measurement))
    if fields.pop(TIME_COLUMN, None) is not None and not fields:
        raise PointRefused(time_field_refusal(measurement))
    if conflict is not None:
        raise PointRefused(conflict)


def _unfinished_key(text: str, start: int) -> NoReturn:
    """Refuse a field key, from `start`, that no `=` ends, with 1.x's reason once the field
    set has passed 1.x's scan (`scan_field_set`).

    Like this parser, 1.x's field reader takes an `=` after any backslash as escaped, but its
    scanner skips a backslash and the byte after it: in `f\\\\=1` the scanner ends the key at
    the `=` and checks the value, and the reader then finds no `=` to end the key and names
    the rest of the field set.
    """
    rest = text[start:scan_field_set(text, start)[1]]
    if _BARE_EQUALS.search(rest):
        # 1.x stores a field whose key takes in the next field (`f\\=1,b`); refused here.
        raise LineSyntaxError("invalid field format")
    raise _UnendedKey(f"invalid value: field-key={rest}")


def scan_field_set(text: str, start: int) -> tuple[str | None, int]:
    """1.x's complaint about the field set that begins at `start` (or None), and where the
    set ends.

    1.x scans a field set before it reads one: the set ends at the first space outside a
    string; an `=` starts a value, which is checked there (a digit, dot, minus, `N` or `n`
    begins a number, a quote a string, anything else a boolean); a quote opens or closes a
    string only while the set has shown more `=` than `,`; a backslash skips the next byte.
    At the end every `,` must separate two `key=value` pairs. So `a b,c=x` (a space in a tag
    value) is an invalid boolean, and a comma ending the set is an invalid field format.
    """
    pos, end = start, len(text)
    quoted = False
    equals = commas = 0
    try:
        while pos < end:
            ch = text[pos]
            if ch == "\\":
                pos += 2
                continue
            if ch == '"' and equals > commas:
                quoted = not quoted
            elif quoted:
                pass
            elif ch == "=":
                equals += 1
                if text[pos - 1] in " ," and text[pos - 2:pos - 1] != "\\":
                    return "missing field key", pos
                value = _VALUE.match(text, pos + 1).group()  # type: ignore[union-attr]
                if not value:
                    return "missing field value", pos
                if value[0] != '"':
                    parse_value(value)
                    pos += 1 + len(value)
                    continue
            elif ch == ",":
                commas += 1
            elif ch == _SEPARATOR:
                break
            pos += 1
    except LineSyntaxError as exc:
        return str(exc), pos
    if quoted:
        return "unbalanced quotes", pos
    if equals == 0 or commas != equals - 1:
        return "invalid field format", pos
    return None, pos


def _read_fields(text: str, pos: int, measurement: str, tags: dict[str, str]
                 ) -> tuple[dict[str, tuple[FieldType, object]], str | None, int]:
    """The fields from `pos`, the first type conflict among them, and where they end."""
    end, fields_start = len(text), pos
    fields: dict[str, tuple[FieldType, object]] = {}
    conflict: str | None = None
    while True:
        key, pos = _scan(text, (start := pos), ",= ", _KEY_ESCAPES)
        if "\\" in key and _SEPARATOR_AFTER_BACKSLASHES.search(text, start, pos):
            # 1.x's scanner skips a backslash with the byte after it, so in a key `\\,`, `\\ `
            # and `\\=` are an escaped backslash and a bare separator, where this reader (as
            # 1.x's) takes an escaped one: the scan's complaint comes first
            complaint, _ = scan_field_set(text, fields_start)
            if complaint is not None:
                raise LineSyntaxError(complaint)
        if pos >= end or text[pos] != "=":
            if key:
                _unfinished_key(text, start)
            raise LineSyntaxError("missing fields")
        if not key:
            raise LineSyntaxError("missing field key")
        pos += 1
        if pos < end and text[pos] == '"':
            string, pos = _parse_string(text, pos)
            value: tuple[FieldType, object] = (FieldType.STRING, string)
            if pos < end and text[pos] not in "," + _SEPARATOR:
                raise LineSyntaxError("invalid field format")
        else:
            start = pos
            while pos < end and text[pos] not in "," + _SEPARATOR:
                pos += 1
            if pos == start:
                raise LineSyntaxError("missing field value")
            value = parse_value(text[start:pos])
        # a `time` tag gets the point refused (`_refuse`), as in 1.x, whatever its fields are
        if key in tags and key != TIME_COLUMN:
            raise LineSyntaxError(f'field "{key}" has the name of a tag of the same point')
        earlier = fields.get(key)
        # 1.x drops `time` fields beside others before it checks types: no conflict there
        if (earlier is not None and earlier[0] is not value[0] and conflict is None
                and key != TIME_COLUMN):
            conflict = (f'field type conflict: input field "{key}" on measurement '
                        f'"{measurement}" is type {value[0]}, already exists as type '
                        f'{earlier[0]}')
        fields[key] = value  # a key repeated in one line: the last one wins, as in 1.x
        if pos < end and text[pos] == ",":
            pos += 1
            continue
        break
    return fields, conflict, pos


def _utf8_size(text: str, start: int, end: int) -> int:
    return end - start if text.isascii() else len(text[start:end].encode())


def _check_field_key_sizes(text: str, start: int, end: int, key_size: int) -> None:
    """1.x refuses a line where the series key, the separator and a field key as written
    (`text[start:end]` is the field set) pass MAX_KEY_LENGTH; the first such field names the
    size, after the field set has parsed and before the timestamp is read."""
    room = MAX_KEY_LENGTH - key_size - FIELD_KEY_SEPARATOR
    if _utf8_size(text, start, end) <= room:
        return  # no key is longer than the whole field set
    pos = start
    while pos < end:
        key_start = pos
        _, pos = _scan(text, pos, ",= ", _KEY_ESCAPES)
        size = _utf8_size(text, key_start, pos)
        if size > room:
            total = key_size + FIELD_KEY_SEPARATOR + size
            raise LineSyntaxError(f"max key length exceeded: {total} > {MAX_KEY_LENGTH}")
        pos += 1
        if text.startswith('"', pos):
            pos = _parse_string(text, pos)[1]
        while pos < end and text[pos] not in "," + _SEPARATOR:
            pos += 1
        pos += 1


def parse_line(text: str, precision: Precision, default_time: int | None) -> Point:
    """Parse one line, without its leading whitespace or line ending."""
    if "\x00" in text:  # no storage engine takes NUL in a name; none is expected in a value
        raise LineSyntaxError("invalid character NUL")
    measurement, pos = _scan(text, 0, ", ", _KEY_ESCAPES)
    if not measurement:
        raise LineSyntaxError("missing measurement")
    end = len(text)
    tags: dict[str, str] = {}
    tag_count = 0
    while pos < end and text[pos] == ",":
        key, pos = _scan(text, pos + 1, ",= ", _NAME_ESCAPES)
        if not key:  # 1.x: also when no `=` follows (`cpu, v=1`)
            raise LineSyntaxError("missing tag key")
        if pos >= end or text[pos] != "=":
            raise LineSyntaxError("missing tag value")
        # 1.x refuses a bare `=` in a tag value (one after a backslash is escaped), except
        # as its first character.
        lead = "=" if text.startswith("=", pos + 1) else ""
        value, pos = _scan(text, pos + 1 + len(lead), ",= ", _NAME_ESCAPES)
        if pos < end and text[pos] == "=":
            raise LineSyntaxError("invalid tag format")
        value = lead + value
        if not value:
            raise LineSyntaxError("missing tag value")
        tags[key] = value
        tag_count += 1
    if pos >= end:
        raise LineSyntaxError("missing fields")
    if len(tags) != tag_count:  # 1.x looks for duplicates once the whole tag set has parsed
        raise LineSyntaxError("duplicate tags")
    key_size = _utf8_size(text, 0, pos)
    if key_size > MAX_KEY_LENGTH:
        raise LineSyntaxError(f"max key length exceeded: {key_size} > {MAX_KEY_LENGTH}")
    pos = _skip_whitespace(text, pos)
    if pos >= end:
        raise LineSyntaxError("invalid field format")

    try:
        fields_start = pos
        fields, conflict, pos = _read_fields(text, pos, measurement, tags)
    except LineSyntaxError as exc:
        # 1.x scans the whole field set, walks its keys, then scans the timestamp, all before
        # it reads a value: the scan's complaint wins, then the walk's, then the timestamp's
        # (`v="a"b 1x` is a bad timestamp)
        complaint, scanned = scan_field_set(text, pos)
        if complaint is None and not isinstance(exc, _UnendedKey):
            _read_time(text, scanned, precision)
        raise LineSyntaxError(complaint or str(exc)) from None
    _check_field_key_sizes(text, fields_start, pos, key_size)
    nanos = _read_time(text, pos, precision)
    # 1.x parses the whole line before its store refuses a `time` key
    _refuse(measurement, tags, fields, conflict)
    return Point(measurement, tags, fields, default_time if nanos is None else nanos)


def _read_time(text: str, pos: int, precision: Precision) -> int | None:
    """The timestamp after the field set ending at `pos`, in nanoseconds (None: the line has
    none), with 1.x's complaints in its order."""
    pos = _skip_whitespace(text, pos)
    end = len(text)
    if pos >= end:
        return None
    stamp_end = pos
    while stamp_end < end and text[stamp_end] not in _TIME_ENDS:
        stamp_end += 1
    stamp = text[pos:stamp_end]
    if not stamp:
        # a point that spans lines: 1.x's scanner ends the timestamp at a newline as at a
        # space, and with none before it, the point has none and the rest goes unread
        return None
    # 1.x's scanner lets a lone minus through, for strconv.ParseInt to refuse
    if stamp == "-":
        raise LineSyntaxError('strconv.ParseInt: parsing "-": invalid syntax')
    # 1.x reads the timestamp before it looks past it: `1x 2` is a bad timestamp.
    if not _TIMESTAMP.fullmatch(stamp):
        raise LineSyntaxError("bad timestamp")
    raw = _integer(stamp)
    if not -(2**63) <= raw < 2**63:
        raise LineSyntaxError(f'strconv.ParseInt: parsing "{stamp}": value out of range')
    try:
        nanos = scale_to_nanos(raw, precision)
    except TimestampOutOfRange:
        raise LineSyntaxError(TIME_OUT_OF_RANGE) from None
    # 1.x checks the time's range before what follows it; trailing spaces pass, `1 \t` does not
    if text[stamp_end:].strip(_SEPARATOR):
        raise LineSyntaxError("point is invalid")
    return nanos
