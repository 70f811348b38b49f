"""Rewrite line-protocol bodies as bytes for upstream servers, copying untouched lines as sent.

Four jobs need it: rescaling 1.x's minute and hour timestamps for servers that only take
ns/us/ms/s, resolving v3's `auto` precision for servers that have no such word, stamping
points that have no timestamp so that every mirror stores the same time, and splitting a
batch by measurement or series for routing. No line is re-serialised: it goes
out as written, or with only its timestamp replaced or appended.

Points are read as this package's parser reads them, across lines where InfluxDB's own line
splitter reads them so (an escaped newline, a newline inside a quoted string value: see
`spans.py`). Upstream servers take such points, so they are kept whole here. A line that does
not parse is passed on for the server to report: nothing here turns a line that does not
parse into one that does, or the reverse. Its timestamp is still rescaled where 1.x would
read one (text after a closing quote, which 1.x and 2.x store), so that it means the same time.

Speed: most lines hold no quote, backslash, tab or `#`. They are read with a few `bytes`
methods: every space is a separator, and a final integer token is the timestamp (a field set
always holds an `=`). The lines that hold one of those bytes, found by one `translate` over
the body, are read by a possessive regular expression that follows the escaping rules; which
bytes call for it depends on the job (see `_FOR_STAMPING`). Stamping first checks, with one
`rpartition` per line, whether every line already ends in an integer, and if so is done.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Callable
from typing import Literal, NamedTuple, TypeVar

from .precision import Precision, auto_multiplier
from .spans import (
    BLANKS,
    KEY,
    NO_TIMESTAMP,
    NOT_A_POINT,
    escapes_newline,
    locate_as_1x,
    read_points,
)

_MEASUREMENT = re.compile(rb"[ \t]*+((?:[^ ,\\]++|\\[ ,=]|\\)*+)")
_SERIES = re.compile(rb"[ \t]*+((?:[^ \\]++|\\[ ,=]|\\)*+)")
_TAG = re.compile(rb",(%s)=((?:[^ ,\\]++|\\[ ,=]|\\)*+)" % KEY)

_ENDING = b" \r"  # what may follow the last token of a line (a tab is part of the token)
# Bytes that send a line to the careful reader, per job. Stamping must find every point
# without a timestamp, which escaped spaces hide from a count of tokens. Rescaling reads a
# final integer token as the timestamp, which an escape cannot make wrong (an unquoted value
# takes no escapes, and a name is never last), but a string, a tab or a comment can.
# Splitting only needs the points that span lines joined.
_FOR_STAMPING = b'"\\\t#'
_FOR_RESCALING = b'"\t#'
_FOR_SPLITTING = b'"'
_DIGITS = b"0123456789-\n\r"  # an integer token, the newlines joining them, a line's CR

SplitKey = Literal["measurement", "series"]
P = TypeVar("P")  # where split_placed sends a group: a route, or a shard's target


def rescale_timestamps(body: bytes, source: Precision, target: Precision) -> bytes:
    """`body` with every timestamp multiplied so that it means the same time in `target`.

    `target` must divide `source` (minutes to seconds, hours to milliseconds, ...); anything
    else, and AUTO, is a ValueError. Every integer timestamp is scaled exactly, even one that
    then leaves the int64 nanosecond range: it was out of range in `source` already, so the
    server refuses the line, as 1.x would have. Left unscaled, it would store a wrong time.
    """
    factor = _factor(source, target)
    if factor == 1:
        return body
    if str(factor).rstrip("0") == "1":  # a power of ten: append its zeros, exact either way
        zeros = b"0" * (len(str(factor)) - 1)
        return _rewrite_timestamps(body, lambda stamp: stamp + zeros)
    return _rewrite_timestamps(
        body, lambda stamp: stamp if _beyond_int64(stamp) else b"%d" % (int(stamp) * factor))


def _beyond_int64(stamp: bytes) -> bool:
    """A timestamp of more digits than any int64 has: out of range in every unit, so it goes
    as written for the server to refuse (int() refuses texts past 4,300 digits)."""
    return len(stamp.lstrip(b"-0")) > 19


def resolve_auto(body: bytes) -> tuple[bytes, Precision]:
    """`body`, written in v3's precision `auto`, in one fixed unit that means the same times.

    Each timestamp's unit is guessed from its magnitude as the native store guesses it
    (`auto_multiplier`). When every timestamp guesses the same unit, `body` itself is returned
    with that unit (the caller's bytes go out as sent); otherwise every timestamp is rewritten
    in nanoseconds. A body without timestamps is nanoseconds (the server stamps its receipt
    time). Out-of-range timestamps are scaled exactly, for the server to refuse, as in
    `rescale_timestamps`.
    """
    units: set[int] = set()

    def to_nanos(stamp: bytes) -> bytes:
        if _beyond_int64(stamp):
            return stamp
        value = int(stamp)
        multiplier = auto_multiplier(value)
        units.add(multiplier)
        return b"%d" % (value * multiplier)

    resolved = _rewrite_timestamps(body, to_nanos)
    if len(units) > 1:
        return resolved, Precision.NANOSECOND
    return body, _BY_NANOS[units.pop()] if units else Precision.NANOSECOND


_BY_NANOS = {p.nanos: p for p in Precision if p is not Precision.AUTO}


def _rewrite_timestamps(body: bytes, scale: Callable[[bytes], bytes]) -> bytes:
    """`body` with every integer timestamp token replaced by `scale(token)`."""
    lines, careful = read_points(body, _FOR_RESCALING)
    out: list[bytes] = []
    done = 0
    for index, where in careful.items():  # in line order
        out += _rescale_plainly(lines[done:index], scale)
        if where == NOT_A_POINT:
            # A shape this package refuses may be one 1.x (and 2.x) stores: its timestamp
            # must mean the same time there too.
            where = locate_as_1x(lines[index])
        out.append(_rescale_at(lines[index], where, scale))
        done = index + 1
    out += _rescale_plainly(lines[done:], scale)
    return b"\n".join(out)


def _rescale_plainly(lines: list[bytes], scale: Callable[[bytes], bytes]) -> list[bytes]:
    """Rescale lines without quotes, tabs or `#`, where a final integer token (after a
    space, before blanks or a carriage return) is the timestamp."""
    out: list[bytes] = []
    append = out.append
    for line in lines:
        core = line.rstrip(_ENDING)
        head, space, stamp = core.rpartition(b" ")
        if not space or not (stamp.isdigit() or stamp[:1] == b"-" and stamp[1:].isdigit()):
            append(line)
            continue
        if core is line:
            append(head + space + scale(stamp))
        else:
            append(head + space + scale(stamp) + line[len(core):])
    return out


def _factor(source: Precision, target: Precision) -> int:
    if Precision.AUTO in (source, target):
        raise ValueError("precision auto has no fixed unit to rescale from or to")
    factor, remainder = divmod(source.nanos, target.nanos)
    if factor < 1 or remainder:
        raise ValueError(f"cannot rescale timestamps from {source} to the coarser {target}")
    return factor


def _rescale_at(text: bytes, where: int, scale: Callable[[bytes], bytes]) -> bytes:
    if where < 0:
        return text
    stamp = text[where:].rstrip(_ENDING)
    digits = stamp[1:] if stamp[:1] == b"-" else stamp
    if not digits.isdigit():
        return text  # not an integer: the server reports it
    return text[:where] + scale(stamp) + text[where + len(stamp):]


def stamp_missing(body: bytes, timestamp: int) -> bytes:
    """`body` with ` <timestamp>` appended to every point that has none.

    `timestamp` is in the batch's precision. Returns `body` itself when no point lacks a
    timestamp, so the caller can tell that nothing changed (`result is body`).
    A point that 1.x's splitter runs on past a newline through a quote it opens outside a
    string value (` m=x f"k=1` and the next line) is left as written: 1.x ends a timestamp at
    the newline, so a stamp there would make the point invalid.
    """
    if _all_end_in_integers(body):
        return body
    lines, careful = read_points(body, _FOR_STAMPING)
    suffix = b" %d" % timestamp
    out: list[bytes] = []
    append = out.append
    changed = False
    for index, line in enumerate(lines):
        where = careful.get(index)
        if where is None:
            where = _locate_plainly(line)
        if where == NO_TIMESTAMP:
            core = line.rstrip(_ENDING)
            line = core + suffix + line[len(core):]
            changed = True
        append(line)
    return b"\n".join(out) if changed else body


def _all_end_in_integers(body: bytes) -> bool:
    """The quick test: every line ends in a space and an integer (and maybe a carriage
    return). A point's last line ending so has a timestamp, whatever its earlier lines hold:
    the field set holds an `=`, so a final bare integer is never part of it (and a comment
    ending so needs no stamp)."""
    text = body[:-1] if body.endswith(b"\n") else body
    if not text:
        return False
    ends = [line.rpartition(b" ")[2] for line in text.split(b"\n")]
    if b"" in ends or b"\r" in ends:
        return False  # a line that ends in a blank (or is blank)
    return not b"\n".join(ends).translate(None, _DIGITS)


def split_by_key(body: bytes, key: SplitKey) -> dict[bytes, bytes]:
    """The points of `body` grouped by measurement or by series, each group's lines in body
    order and joined by newlines; comments and blank lines are dropped.

    "measurement" keys are measurement names with their escapes removed, so `a\\=b` and
    `a=b` (the same name) fall together. "series" keys are InfluxDB's series keys: the
    measurement and then the tags sorted by key, every name escaped one canonical way (`,`,
    `=` and space backslashed), so the tag order a writer used does not matter. A line whose
    tags do not parse (the server will refuse it) is keyed by its text up to the first space.
    """
    return {name: part.body for name, part in split_numbered(body, key).items()}


class Part(NamedTuple):
    """One group of `split_numbered`: its lines joined, the 1-based number in the body split
    of each of its lines, and how many points (entries) it holds."""

    body: bytes
    numbers: list[int]
    points: int


def split_numbered(body: bytes, key: SplitKey) -> dict[bytes, Part]:
    """`split_by_key`, each group with the 1-based number in `body` of each of its lines, so
    that an error a target reports for a group's line names the caller's line."""
    if key not in ("measurement", "series"):
        raise ValueError(f"cannot split by {key!r}: expected measurement or series")
    parts: dict[bytes, Part] = {}
    for name, entries in _group(body, key).items():
        numbers: list[int] = []
        for first, entry in entries:
            numbers.extend(range(first, first + entry.count(b"\n") + 1))
        parts[name] = Part(b"\n".join(entry for _, entry in entries), numbers, len(entries))
    return parts


def split_placed(body: bytes, key: SplitKey, place: Callable[[bytes], P]) -> dict[P, Part]:
    """`split_numbered`'s groups placed (`place` maps a group's key to where it goes), the
    groups of one place joined as one part whose lines keep their order in `body`: a
    target describing the first of the lines it refuses then describes the first in the
    caller's order, as 1.x does for the whole body (grouped by key, a later group's lines
    came after an earlier group's, whatever their order in `body`)."""
    if key not in ("measurement", "series"):
        raise ValueError(f"cannot split by {key!r}: expected measurement or series")
    placed: dict[P, list[list[tuple[int, bytes]]]] = {}
    for name, entries in _group(body, key).items():
        placed.setdefault(place(name), []).append(entries)
    parts: dict[P, Part] = {}
    for at, groups in placed.items():
        entries = groups[0] if len(groups) == 1 else list(heapq.merge(*groups))  # by line
        numbers: list[int] = []
        for first, entry in entries:
            numbers.extend(range(first, first + entry.count(b"\n") + 1))
        parts[at] = Part(b"\n".join(entry for _, entry in entries), numbers, len(entries))
    return parts


def measurements(body: bytes) -> set[bytes]:
    """The distinct measurement names in `body`, escapes removed (as `split_by_key` keys)."""
    return set(_group(body, "measurement"))


def _group(body: bytes, key: SplitKey) -> dict[bytes, list[tuple[int, bytes]]]:
    """The entries of `body` by key, each with the number of its first line in `body`."""
    lines, _ = read_points(body, _FOR_SPLITTING)
    escapes = b"\\" in body
    key_of: Callable[[bytes], bytes]
    if key == "measurement":
        key_of = _escaped_measurement if escapes else _measurement
    else:
        key_of = _series_key(escapes)
    comments = b"#" in body
    groups: dict[bytes, list[tuple[int, bytes]]] = {}
    number = 1
    for line in lines:
        first = number
        number += line.count(b"\n") + 1
        if comments and line.lstrip(BLANKS)[:1] == b"#":
            continue
        name = key_of(line)
        if not name.strip() and not line.strip():
            continue  # a blank line (perhaps with a carriage return)
        if line[-1:] == b"\\" and escapes_newline(line):
            # Alone it is refused; a blank line after it keeps the group's next line from
            # being read as its continuation (see spans.py).
            line += b"\n"
        elif line[-1:] == b"\n":
            # A point that 1.x's splitter ran to the end of the body (through a string it
            # never closed) and that ends in a newline of its own: the group's body ends in
            # it, and a final newline, as the body did, which parsers strip (spans.py
            # `without_final_newline`).
            line += b"\n"
        group = groups.get(name)
        if group is None:
            groups[name] = [(first, line)]
        else:
            group.append((first, line))
    return groups


def _measurement(line: bytes) -> bytes:
    return line.lstrip(BLANKS).partition(b" ")[0].partition(b",")[0]


def _escaped_measurement(line: bytes) -> bytes:
    name = _MEASUREMENT.match(line)[1]  # type: ignore[index]  # matches any bytes
    return _unescape_measurement(name)


def _series_key(escapes: bool) -> Callable[[bytes], bytes]:
    """The series key of a line, remembered per written series (a batch often repeats it)."""
    cache: dict[bytes, bytes] = {}

    def key_of(line: bytes) -> bytes:
        if escapes:
            series = _SERIES.match(line)[1]  # type: ignore[index]  # matches any bytes
        else:
            series = line.lstrip(BLANKS).partition(b" ")[0]
        known = cache.get(series)
        if known is None:
            known = cache[series] = _canonical_series(series)
        return known

    return key_of


def _canonical_series(series: bytes) -> bytes:
    if b"\\" not in series:
        # NUL sorts below any byte a key may hold, so sorting "key\0value" sorts by key, as
        # InfluxDB orders a series key's tags.
        parts = series.replace(b"=", b"\0").split(b",")
        if series.count(b"=") == len(parts) - 1:  # one `=` per tag, none to escape
            tags = parts[1:]
            ordered = sorted(tags)
            if ordered == tags:
                return series
            return b",".join([parts[0], *ordered]).replace(b"\0", b"=")
    return _parse_series(series)


def _parse_series(series: bytes) -> bytes:
    measurement = _MEASUREMENT.match(series)
    assert measurement is not None  # the pattern matches any bytes
    pos = measurement.end()
    tags: dict[bytes, bytes] = {}
    count = 0
    for tag in _TAG.finditer(series, pos):
        if tag.start() != pos or not tag[1] or not tag[2]:
            break
        tags[_unescape(tag[1])] = _unescape(tag[2])
        count += 1
        pos = tag.end()
    if pos != len(series) or not measurement[1] or len(tags) != count:
        return series  # a series that does not parse: the server refuses the line
    return b",".join([_escape(_unescape_measurement(measurement[1])),
                      *(_escape(k) + b"=" + _escape(v) for k, v in sorted(tags.items()))])


def _unescape(name: bytes) -> bytes:
    # A backslash is never escaped itself, so one pass per separator undoes every escape.
    if b"\\" not in name:
        return name
    return name.replace(b"\\ ", b" ").replace(b"\\,", b",").replace(b"\\=", b"=")


def _unescape_measurement(name: bytes) -> bytes:
    """A measurement unescaped: as 1.x's escape.Unescape, it takes `\\"` for a quote too
    (`a\\"b` and `a"b` are one measurement); tag keys and values keep it as written."""
    return _unescape(name).replace(b'\\"', b'"')


def _escape(name: bytes) -> bytes:
    return name.replace(b",", b"\\,").replace(b"=", b"\\=").replace(b" ", b"\\ ")


def _locate_plainly(line: bytes) -> int:
    """`locate_timestamp` for a line without quotes, backslashes, tabs or `#`: every space
    is a separator, so the tokens are the measurement and tags, the fields, the timestamp.
    As in `_all_end_in_integers`, a last token of digits and minus signs is a timestamp."""
    core = line.rstrip(_ENDING)
    head, _, last = core.rpartition(b" ")
    lead = head.strip(b" ")
    if not lead:
        return NOT_A_POINT  # one token at most
    if b" " in lead or not last.translate(None, _DIGITS):
        return len(head) + 1
    return NO_TIMESTAMP
