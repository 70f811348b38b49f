"""Which lines of a body make up each point, as InfluxDB's line splitter reads them.

A point ends at a newline, with two exceptions taken from `scanLine` in 1.x and 2.x, which
skips a backslash and the byte after it wherever they stand, and does not end a point inside
a quoted string value:

- a newline after an odd run of backslashes is escaped, and the point goes on on the next
  line (the newline is then part of a name or value, kept as written), unless nothing or an
  empty line follows it (1.x then strips it as the point's line ending);
- a newline inside a quoted string value does not end the point; an unclosed string takes
  every line to the end of the body.

Lines are otherwise read as this package's parser reads them (leading blanks, one trailing
carriage return, `#` comments, backslash escapes in names, quoted string values). Points are
found with possessive regular expressions that follow the escaping rules, run only over the
lines that hold a byte calling for them (a quote, for instance), found by one `translate`
over the body.
"""

from __future__ import annotations

import functools
import re

# What `locate_timestamp` says about a line when it is not the offset of a timestamp.
NO_TIMESTAMP = -1  # a point without a timestamp
NOT_A_POINT = -2  # blank, comment, or a shape that cannot be read: left as written
OPEN_STRING = -3  # ends inside a quoted string value that no later line closes

# Each pattern reads a name as runs of ordinary bytes, escaped separators, and backslashes that
# escape nothing (kept literally, as the parser keeps them). Possessive and atomic throughout,
# so that backtracking never re-reads an escaped space as a separator, nor a string as a bare
# value. A point's patterns run to the end of the line: a field's group matches where a
# string is still open there; the last group is the timestamp.
KEY = rb"(?:[^ ,=\\]++|\\[ ,=]|\\)*+"
# A field key holds no quote in the usual reading: 1.x's splitter may take one there as
# opening a string (`v==,"b="`), so a line with one is read again (`_LOOSE_POINT`) and checked.
_FIELD_KEY = rb'(?:[^ ,=\\"]++|\\[ ,=]|\\)*+'
_STRING_BODY = rb'(?:[^"\\]++|\\["\\]|\\)*+'
# As the parser (and 1.x) reads them, a field value and a timestamp end at a space only (a tab
# is part of the token), blanks before the timestamp follow a space, and only spaces follow
# the timestamp; one carriage return may end a line. A quote in a bare value or a timestamp
# opens a string for 1.x's splitter: such a line does not match, and `_split_as_1x` reads it.
_TIMESTAMP = rb'(?: [ \t]*+([^ \t\r"][^ \r"]*+)?)? *+\r?\Z'
# The measurement and tags: to the first bare space, and the blanks after it.
_SERIES = rb"[ \t]*+(?:[^ \\]++|\\[ ,=]|\\)++ [ \t]*+"


def _field(key: bytes) -> bytes:
    """A field whose key is read by `key`: a quoted string (its group matches where it is
    still open at the end of the line) or a bare value."""
    return rb'%s=(?>"%s(?:"|(\Z))|[^ ,"]*+)' % (key, _STRING_BODY)


_FIELD = _field(_FIELD_KEY)
_POINT = re.compile(rb"%s%s(?:,%s)*+%s" % (_SERIES, _FIELD, _FIELD, _TIMESTAMP))
# The same reading for a line without backslashes, three times faster.
_PLAIN_FIELD = rb'[^ ,="]*+=(?>"[^"]*+(?:"|(\Z))|[^ ,"]*+)'
_PLAIN_POINT = re.compile(
    rb"[ \t]*+[^ ]++ [ \t]*+%s(?:,%s)*+%s" % (_PLAIN_FIELD, _PLAIN_FIELD, _TIMESTAMP))
_MORE_FIELDS = re.compile(rb"(?:,%s)*+%s" % (_FIELD, _TIMESTAMP))
_LOOSE_FIELD = _field(KEY)
_LOOSE_POINT = re.compile(
    rb"%s%s(?:,%s)*+%s" % (_SERIES, _LOOSE_FIELD, _LOOSE_FIELD, _TIMESTAMP))
_LOOSE_MORE_FIELDS = re.compile(rb"(?:,%s)*+%s" % (_LOOSE_FIELD, _TIMESTAMP))
# The bytes 1.x's line splitter looks at, and a backslash with the byte it skips.
_SPLITTER_TOKENS = re.compile(rb'\\[\s\S]|[ =,"]')
_STRING_END = re.compile(rb'%s"' % _STRING_BODY)
# 1.x's key, to its first space without a backslash before it (its key scan looks at the
# byte before, so in `a\\ b` the space is escaped), and the blanks after it; blanks alone.
_KEY_AS_1X = re.compile(rb"[ \t]*+(?:[^ ]++|(?<=\\) )++ [ \t]*+")
_BLANKS_RUN = re.compile(rb"[ \t]*+")
# An even run of backslashes before a separator: 1.x's splitter reads the separator as bare
# (slow.py reads keys by it too).
PAIRED_BACKSLASHES = r"(?<!\\)(?:\\\\)+[ ,=]"
_PAIRED = re.compile(PAIRED_BACKSLASHES.encode())

BLANKS = b" \t"
_BACKSLASH = ord("\\")


def locate_timestamp(line: bytes) -> int:
    """Offset of the timestamp in one line, or NO_TIMESTAMP, NOT_A_POINT or OPEN_STRING.

    The timestamp is the token after the field set; it is not checked to be a number.
    """
    return _read_point([line], 0)[1]


def locate_as_1x(text: bytes) -> int:
    """Offset of the token 1.x's parser reads as the timestamp of `text`, a point of any
    shape (`v="a"b 5`, text after a closing quote, which this package refuses and 1.x
    stores), or NO_TIMESTAMP; NOT_A_POINT for a comment or text without fields.

    1.x reads the key to its first space without a backslash before it, then the fields
    (where a backslash skips the byte after it) to the first bare space outside a string, a
    quote opening or closing one while more `=` than `,` came before it, and the timestamp
    after the blanks that follow.
    """
    key = _KEY_AS_1X.match(text)
    if key is None or text.lstrip(BLANKS)[:1] == b"#":
        return NOT_A_POINT
    quoted = False
    equals = commas = 0
    for token in _SPLITTER_TOKENS.finditer(text, key.end()):
        char = token[0]
        if char == b'"':
            quoted = quoted != (equals > commas)
        elif quoted or len(char) == 2:
            continue
        elif char == b"=":
            equals += 1
        elif char == b",":
            commas += 1
        else:  # the space that ends the fields
            where = _BLANKS_RUN.match(text, token.end()).end()  # type: ignore[union-attr]
            return where if text[where:where + 1] not in (b"", b"\n", b"\r") else NO_TIMESTAMP
    return NO_TIMESTAMP


def read_points(body: bytes, special: bytes) -> tuple[list[bytes], dict[int, int]]:
    """The lines of `body`, a point that spans lines joined into one entry (so the entries
    joined by newlines are `body`), and for every entry holding one of the `special` bytes,
    its index and what `locate_timestamp` says.

    A newline ending `body` is never part of a point, as the parser reads a body: the entry
    after it is always empty (see `without_final_newline`).
    """
    text = without_final_newline(body)
    lines = text.split(b"\n")
    continued = _continued(text)
    if continued:
        lines = _join_runs(lines, continued, b"\n")
    careful, spans = _read_carefully(text, lines, special, continued)
    if spans:
        lines, careful = _join_spans(lines, careful, spans)
    if text is not body:
        lines.append(b"")
    return lines, careful


def without_final_newline(body: bytes) -> bytes:
    """`body` without the newline that ends it, if one does: the body the parser reads.

    1.x's splitter runs a point whose string it reads as never closed (` c\\,t=x q"k=1 5`:
    after a leading space it counts the `=` of the tags, and a quote in a field key then
    opens a string) to the end of the body, the final newline included, and then strips
    that newline as the point's line ending: such a point at the end of a body is one line,
    its timestamp `5` as on any other (1.6.7 stores it so). Whatever is read of the rest of
    the body, a final newline belongs to no point.
    """
    return body[:-1] if body.endswith(b"\n") else body


def point_spans(body: bytes, lines: list[bytes]) -> dict[int, int]:
    """For each point of `body` that goes on past the end of its line, the index in `lines`
    (`body` split at newlines) of its first line and of its last."""
    continued = _continued(body)
    if b'"' not in body:
        return continued
    logical = _join_runs(lines, continued, b"\n") if continued else lines
    strings = _read_carefully(body, logical, b'"', continued)[1]
    if not continued:
        return {first: last for first, (last, _) in strings.items()}
    # Entries of `logical` back to the lines of `body`: each string's span absorbs the
    # escaped-newline runs it covers.
    firsts: list[int] = []
    index = 0
    while index < len(lines):
        firsts.append(index)
        index = continued.get(index, index) + 1
    spans = dict(continued)
    for first, (last, _) in strings.items():
        for inner in firsts[first + 1:last + 1]:
            spans.pop(inner, None)
        spans[firsts[first]] = continued.get(firsts[last], firsts[last])
    return spans


def escapes_newline(line: bytes) -> bool:
    """Whether a newline after `line` would be escaped: it ends in an odd run of backslashes."""
    return (len(line) - len(line.rstrip(b"\\"))) % 2 == 1


def _continued(body: bytes) -> dict[int, int]:
    """For each run of lines joined by escaped newlines, the index of its first line and of
    its last."""
    if b"\\\n" not in body:
        return {}
    runs: dict[int, int] = {}
    line = 0
    done = 0
    first = last = -1
    newline = body.find(b"\\\n") + 1
    while newline > 0:
        start = newline - 1
        while start and body[start - 1] == _BACKSLASH:
            start -= 1
        if (newline - start) % 2 and body[newline + 1:newline + 2] not in (b"", b"\n"):
            line += body.count(b"\n", done, newline)
            done = newline
            if line != last:
                first = line
            last = line + 1
            runs[first] = last
        newline = body.find(b"\\\n", newline + 1) + 1
    return runs


def _join_runs(items: list[bytes], runs: dict[int, int], separator: bytes) -> list[bytes]:
    """`items` with each run (first index to last) joined into one entry."""
    joined: list[bytes] = []
    index = 0
    for first, last in runs.items():  # in line order
        joined += items[index:first]
        joined.append(separator.join(items[first:last + 1]))
        index = last + 1
    joined += items[index:]
    return joined


def _read_carefully(body: bytes, lines: list[bytes], special: bytes, continued: dict[int, int]
                    ) -> tuple[dict[int, int], dict[int, tuple[int, bytes]]]:
    careful: dict[int, int] = {}
    spans: dict[int, tuple[int, bytes]] = {}
    if not any(body.find(special[i:i + 1]) >= 0 for i in range(len(special))):
        return careful, spans
    shapes = body.translate(None, _ordinary(special)).split(b"\n")
    if continued:
        shapes = _join_runs(shapes, continued, b"")
    last = -1
    for index in [i for i, shape in enumerate(shapes) if shape]:
        if index <= last:
            continue  # inside a string that began on an earlier line
        text, careful[index], last = _read_point(lines, index)
        if last > index:
            spans[index] = (last, text)
    return careful, spans


@functools.cache
def _ordinary(special: bytes) -> bytes:
    """The bytes to delete from a body to leave only its newlines and `special` bytes."""
    return bytes(b for b in range(256) if b not in special + b"\n")


def _read_point(lines: list[bytes], first: int) -> tuple[bytes, int, int]:
    """The point that begins at `lines[first]`: its text, what `locate_timestamp` says about
    it (offsets into that text), and the index of its last line."""
    text, where, last, loose = _read_shape(lines, first)
    line = lines[first]
    # 1.x's splitter counts `=` and `,` from the line's first space: after a leading space it
    # counts those of the measurement and tags too (` ,s="x` opens no string); it skips
    # `\\` as a pair, so the separator after it is bare (`t=a\\ b,c s="x` counts `b,c`); and
    # it may open a string at a quote in a field key (`v==,"b="`). Rare: check.
    if where != NOT_A_POINT and (loose or b" " in line[:len(line) - len(line.lstrip(BLANKS))]
                                 or b"\\\\" in line and _PAIRED.search(line)):
        split = _split_as_1x(lines, first)
        if split != last:
            return b"\n".join(lines[first:split + 1]), NOT_A_POINT, split
    return text, where, last


def _read_shape(lines: list[bytes], first: int) -> tuple[bytes, int, int, bool]:
    """`_read_point` for a point whose first space ends its measurement and tags, and
    whether it has a quote in a field key."""
    line = lines[first]
    match = None
    loose = False
    comment = line.lstrip(BLANKS)[:1] == b"#"
    if not comment:
        match = (_POINT if b"\\" in line else _PLAIN_POINT).match(line)
        if match is None and b'"' in line:
            match = _LOOSE_POINT.match(line)
            loose = match is not None
    last = first
    # Each step goes on from where the last stopped, so a point of many lines is read once.
    while match is not None and match.lastindex not in (None, match.re.groups):
        while True:  # a string is left open: it goes on to the line that closes it
            if last + 1 == len(lines):
                return b"\n".join(lines[first:]), OPEN_STRING, last, loose
            last += 1
            line = lines[last]
            closed = _STRING_END.match(line)
            if closed is not None:
                break
        match = (_LOOSE_MORE_FIELDS if loose else _MORE_FIELDS).match(line, closed.end())
        if match is None and not loose and b'"' in line:
            # the fields after a string that spans lines may hold a quote in a key too
            match = _LOOSE_MORE_FIELDS.match(line, closed.end())
            loose = match is not None
    if match is None:  # a comment, or no point's shape: read as 1.x's splitter reads it
        last = _split_as_1x(lines, first)
        text = b"\n".join(lines[first:last + 1])
        # (`line` is now the last line a string took: a `#` beginning it is inside the point)
        if last > first and not comment:
            # A quote before the fields that 1.x's splitter reads as opening a string (` ="`
            # after a leading space) joins lines into one point that may hold a point's shape,
            # newlines and all, which the parser then reads as it reads one line.
            match = _POINT.match(text) or _LOOSE_POINT.match(text)
            if match is not None and match.lastindex in (None, match.re.groups):
                where = NO_TIMESTAMP if match.lastindex is None else match.start(match.lastindex)
                return text, where, last, match.re is _LOOSE_POINT
        return text, NOT_A_POINT, last, loose
    where = NO_TIMESTAMP if match.lastindex is None else match.start(match.lastindex)
    if last == first:
        return line, where, first, loose
    text = b"\n".join(lines[first:last + 1])
    return text, where if where < 0 else where + len(text) - len(line), last, loose


def _split_as_1x(lines: list[bytes], first: int) -> int:
    """The index of the last line of the text that begins at `lines[first]`, as 1.x's line
    splitter (`scanLine`) finds it for text of any shape, comments included.

    The splitter counts `=` and `,` from the first space of the text on, outside strings, and
    takes a quote as opening or closing a string while it has counted more `=` than `,`; a
    newline inside a string does not end the text. So in `cpu,t=a b,s="x` (a space in a tag
    value) the string is open, and it takes in the lines that follow up to its closing quote.
    """
    fields = quoted = False
    equals = commas = 0
    for index in range(first, len(lines)):
        for token in _SPLITTER_TOKENS.findall(lines[index]):
            if token == b" ":
                fields = True
            elif not fields or len(token) == 2:
                continue
            elif token == b'"':
                quoted = quoted != (equals > commas)
            elif not quoted:
                equals += token == b"="
                commas += token == b","
        if not quoted:
            return index
    return len(lines) - 1


def _join_spans(lines: list[bytes], careful: dict[int, int],
                spans: dict[int, tuple[int, bytes]]) -> tuple[list[bytes], dict[int, int]]:
    joined: list[bytes] = []
    renumbered: dict[int, int] = {}
    index = 0
    while index < len(lines):
        if index in careful:
            renumbered[len(joined)] = careful[index]
        if index in spans:
            last, text = spans[index]
            joined.append(text)
            index = last + 1
        else:
            joined.append(lines[index])
            index += 1
    return joined, renumbered
