"""Points that InfluxDB 1.x's write path cannot store: they crash 1.6.7 or make it answer 500.

1.6.7 reads a field set twice, in two ways that disagree about one shape. Its scanner
(`scanFields`, which checks the line when it is parsed) skips a backslash with the byte after
it, so in `f\\\\=` the two backslashes are one escaped backslash and the `=` ends the key. Its
walker (`walkFields` at parse time, the field iterator when the store writes the point) ends a
key at the first `=` with no backslash right before it, so there the `=` is escaped and the key
runs on to a later `=`, and every value after that is read from the wrong place. The walker's
values are then converted by the store, long after the line was accepted:

- a value that is a lone `"` (a string, by its first byte, with no closing quote: the walker
  reached an `=` that the scanner saw as the last byte inside a string, `f\\\\="="`) panics
  1.6.7's store (`StringValue` slices `[1:0]`) in a goroutine of its own: the process dies,
  the caller's connection is closed with no answer, and every other write in flight is lost;
- an empty value, or one that does not convert as the number or boolean its first and last
  bytes make it (`f\\\\="=a"` reads `a"`), fails the whole shard's write: a 500
  (`engine: unable to parse bool value ...`), and the batch's other points for that shard
  are not stored either.

Probed against a real 1.6.7 (the tests in tests/upstream/test_crash_guard.py pin examples):
it makes no difference whether the line has tags or a timestamp, where in the field set the
key stands, how many backslash pairs come before the `=` (`f\\\\\\\\=` the same); a line
1.6.7 refuses when it parses it (the scanner's complaint, the walker finding a key with no
`=` and value after it) is answered with a 400 and is harmless. So a point is hazardous when
the scanner accepts its field set and the walker then reads a value the store cannot convert.

The disagreement needs a backslash right before an `=` that the scanner reads as bare, so
only points holding `\\\\=` are looked at (`HAZARD`), and a body without it is not read at all.
Values are held to the line-protocol grammar (a value Go would also convert, `+1` or `NaN`,
counts as hazardous here: the native store refuses those lines as well), and the timestamp is
not read: a line 1.6.7 would refuse for it (or for an unsigned value, which 1.6.7 does not
take) is taken out too, where 1.6.7 would have answered a 400 for it. Checked on 750
generated bodies sent to a real 1.6.7: every line that killed it or drew a 500 is found here;
of 250 of them, what is left after the check was sent too, and did no harm.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from .model import LineError
from .parser import parse_lines, split_points
from .precision import Precision
from .slow import scan_field_set

# Two backslashes and an `=`: the bytes every hazardous point holds.
HAZARD = b"\\\\="

# 1.x's key: to its first space without a backslash before it, and the blanks after it (as
# spans.locate_as_1x reads it).
_KEY = re.compile(r"[ \t]*+(?:[^ ]++|(?<=\\) )++ [ \t]*+")
_FLOAT = re.compile(r"-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_INTEGER = re.compile(r"-?[0-9]+")
_UNSIGNED = re.compile(r"[0-9]+")
_BOOLEANS = frozenset({"t", "T", "true", "True", "TRUE", "f", "F", "false", "False", "FALSE"})
_INT64 = 2**63
_UINT64 = 2**64
_MAX_DIGITS = 21
_BLANKED = re.compile(rb"[^\n]")


@dataclass(frozen=True, slots=True)
class Guarded:
    """A body with its hazardous points taken out.

    `body` keeps every other byte as written, and a space for each byte of a hazardous point
    but its newlines: 1.x skips a line of spaces, and the body keeps its length (a streamed
    body goes on under the caller's Content-Length) and its line numbers. `errors` names the
    points taken out, in the native store's words; `points` counts the points left.
    """

    body: bytes
    errors: list[LineError]
    points: int


def guard_body(body: bytes, *, first_line: int = 1) -> Guarded | None:
    """`body` without the points that would crash or fail 1.x's store, or None when it holds
    none (the common case, decided by `may_hold_hazard`).

    `first_line` is the number of the body's first line (a body that is the rest of a
    longer one).
    """
    if not may_hold_hazard(body):
        return None
    points = split_points(body)
    out: list[bytes] = []
    errors: list[LineError] = []
    kept = 0
    index = 0
    while index < len(points):
        point = points[index]
        if HAZARD in point and hazardous(point):
            errors.append(_refusal(point, index + first_line))
            point = _BLANKED.sub(b" ", point)
        elif _is_point(point):
            kept += 1
        out.append(point)
        # A point that took several lines is followed by an empty entry for each line it
        # took (split_points): the newlines of its own text stand for them.
        index += 1 + point.count(b"\n")
    if not errors:
        return None
    return Guarded(b"\n".join(out), errors, kept)


def may_hold_hazard(data: bytes) -> bool:
    """Whether `data` holds `\\\\=`. A one-byte find is memchr, ten times faster than the
    pattern's, and most bodies hold no backslash at all."""
    return data.find(b"\\") >= 0 and data.find(HAZARD) >= 0


def hazardous(point: bytes) -> bool:
    """Whether 1.6.7 would accept this point (one point, as `split_points` gives it) and then
    crash or fail its store on it."""
    text = point.decode("latin-1").removesuffix("\r")  # byte for byte: the syntax is ASCII
    if text.lstrip(" \t")[:1] in ("", "#"):
        return False
    key = _KEY.match(text)
    if key is None:
        return False  # no field set: refused when parsed
    start = key.end()
    complaint, end = scan_field_set(text, start)
    if complaint is not None:
        return False  # the scanner's 400 comes first
    values = _walk(text[start:end])
    return values is not None and not all(_converts(value) for value in values)


def _walk(fields: str) -> list[str] | None:
    """The values 1.x's walker reads from a field set, or None when it finds a key without
    an `=` and a value after it (1.x then refuses the line when it parses it)."""
    values: list[str] = []
    pos, end = 0, len(fields)
    while pos < end:
        equals = pos
        while equals < end and not (fields[equals] == "=" and (
                equals == pos or fields[equals - 1] != "\\")):
            equals += 1
        if equals > end - 2:
            return None
        value_end = _value_end(fields, equals + 1)
        values.append(fields[equals + 1:value_end])
        pos = value_end + 1
    return values


def _value_end(fields: str, pos: int) -> int:
    """Where 1.x's value scan stops: at a comma outside quotes, a backslash escaping only a
    quote or a backslash."""
    quoted = False
    end = len(fields)
    while pos < end:
        char = fields[pos]
        if char == "\\" and pos + 1 < end and fields[pos + 1] in '"\\':
            pos += 2
            continue
        if char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            break
        pos += 1
    return pos


def _converts(value: str) -> bool:
    """Whether 1.6.7's store converts a value the walker read: a string (any text with its
    opening quote and at least one byte more), or a number or boolean as line protocol
    writes them."""
    if value[:1] == '"':
        return len(value) > 1
    if value in _BOOLEANS:
        return True
    digits = value[:-1]
    if len(digits) > _MAX_DIGITS:  # out of range either way (int() refuses 4,300 digits)
        return False
    if value[-1:] == "i":
        return bool(_INTEGER.fullmatch(digits)) and -_INT64 <= int(digits) < _INT64
    if value[-1:] == "u":
        return bool(_UNSIGNED.fullmatch(digits)) and int(digits) < _UINT64
    return bool(_FLOAT.fullmatch(value)) and math.isfinite(float(value))


def _is_point(point: bytes) -> bool:
    stripped = point.strip(b" \t\r\n")
    return bool(stripped) and not stripped.startswith(b"#")


def _refusal(point: bytes, number: int) -> LineError:
    """The native store's words for the point (it refuses every hazardous point), numbered
    as in the caller's body."""
    parsed = parse_lines(point, Precision.NANOSECOND, 0, vectorised=False)
    text = point.decode("utf-8", "replace").lstrip(" \t").removesuffix("\r")
    reason = parsed.errors[0].reason if parsed.errors else "invalid field format"
    return LineError(number, text, reason)
