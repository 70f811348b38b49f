"""The write fuzzer's reading of what a write's answer says, and of lines whose own text
makes 1.6.7 answer otherwise (lpexplain's QUOTE and TAB_KEY).

The answers are as lpexplain holds them: one [status, header, body] per batch, then what was
stored ([series, field keys]); STORED stands for that last step.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence

from tests.oracle import lpgen

STORED = -1  # the step that compares what was stored
TAB_KEY = re.compile(rb"(?<!\\) [ \t]*\t=")
# `\r` (a CR in JSON, not an escaped backslash and an `r`) that ends a line a message names
_NAMED_CR = re.compile(r"(?<!\\)((?:\\\\)*)\\r': ")
# a line the gateway or 1.6.7 names as not parsed for its fields (JSON keeps its newlines)
_INVALID_FIELDS = re.compile(r"unable to parse '(.*?)': invalid field format\n?", re.S)
_ESCAPED = re.compile(r'\\([,= ])')  # what 1.x unescapes in a measurement, tag key and value


def quote_behind(batches: Sequence[lpgen.Batch], later: list[int], influx: list,
                 ours: list) -> list | None:
    """1.6.7's answers with the last of the `later` steps answered as the gateway answered it
    and the rows it stored from that step's lines with text after a quote taken out, when
    text after a quote accounts for the step's answer: the gateway names such lines 1.6.7 did
    not, and nothing else differs in it. Rows are told by their measurement and tags (the
    columns and field keys only they held are left for lpexplain's phantom check)."""
    if not later:
        return None
    step = later[-1]
    if not refused_line(batches, step, influx, ours, text_after_quote, "invalid field format"):
        return None
    theirs_named = _INVALID_FIELDS.findall(error_text(influx[step]))
    extra = [line for line in _INVALID_FIELDS.findall(error_text(ours[step]))
             if line not in theirs_named and text_after_quote(line)]
    if not extra or _rest(ours[step]) != _rest(influx[step]):
        return None
    keys = [_series_key(line) for line in extra]
    mine = {name: stored_points([name, columns, rows]) for name, columns, rows in ours[-1][0]}
    series = []
    for name, columns, rows in influx[-1][0]:
        left = [row for row in rows
                if stored_points([name, columns, [row]])[0] in mine.get(name, [])
                or not any(name == measurement and all(
                    tag in columns and row[columns.index(tag)] == value
                    for tag, value in tags.items()) for measurement, tags in keys)]
        if left:
            series.append([name, columns, left])
    return [*influx[:step], ours[step], *influx[step + 1:-1], [series, influx[-1][1]]]


def _rest(answer: list) -> str:
    """What an answer says besides the lines it names as not parsed for their fields."""
    said = _INVALID_FIELDS.sub("", error_text(answer)).removeprefix("partial write: ")
    return said.removesuffix(" dropped=0").strip()


def _series_key(line: str) -> tuple[str, dict[str, str]]:
    """A line's measurement and tags, unescaped as 1.x stores them."""
    key = re.split(r"(?<!\\) ", line.lstrip(" \t"), maxsplit=1)[0]
    measurement, *pairs = re.split(r"(?<!\\),", key)
    tags = dict(re.split(r"(?<!\\)=", pair, maxsplit=1) for pair in pairs if "=" in pair)
    return (_ESCAPED.sub(r"\1", measurement),
            {_ESCAPED.sub(r"\1", k): _ESCAPED.sub(r"\1", v) for k, v in tags.items()})


def refused_line(batches: Sequence[lpgen.Batch], first: int, influx: list, ours: list,
                 cause: Callable[[str], bool], words: str) -> bool:
    """Whether the first differing step's body holds `cause` and the gateway names one more
    line with `words` than 1.6.7. The answers may also agree (other lines fail, or a refused
    point's reason hides the lines that did not parse) with only what was stored differing:
    then any body with `cause` that the gateway answered with a 400 will do."""
    for step in range(len(batches)) if first == STORED else [first]:
        if not cause(batches[step].body.decode()):
            continue
        mine, theirs = error_text(ours[step]), error_text(influx[step])
        if first == STORED and ours[step][0] == 400 or mine.count(words) > theirs.count(words):
            return True
    return False


def cut_inside_a_character(theirs: str | None, ours: str | None) -> bool:
    """1.6.7's header (read as Latin-1, a character per byte) is its first 1,024 bytes,
    ending inside a UTF-8 character; the gateway's stops before that character (and before
    the blanks ahead of it, which a header's reader strips from its end)."""
    if theirs is None or ours is None or len(theirs) != 1024 or not theirs.startswith(ours):
        return False
    tail = theirs[len(ours):].lstrip(" \t").encode("latin-1")
    return 0 < len(tail) < 4 and tail[0] >= 0xC0 and all(0x80 <= b < 0xC0 for b in tail[1:])


def named_without_cr(answer: list) -> list | None:
    """1.6.7's answer with the carriage return that ends each line it names taken out (its
    JSON `\\r` before the closing `': `), as the gateway, which reads CRLF as a line ending,
    names them; the header as 1.6.7 would send that message (CR and LF as spaces)."""
    body = _NAMED_CR.sub(r"\1': ", answer[2] or "")
    if body == answer[2]:
        return None
    header = json.loads(body)["error"].replace("\r", " ").replace("\n", " ")
    if len(header.encode()) > 1024:
        return None  # cut: see `cut_inside_a_character`
    return [answer[0], header.encode().decode("latin-1"), body]


def error_text(answer: list) -> str:
    """The error text of a write's answer, from its JSON body (the header is flattened)."""
    return json.loads(answer[2])["error"] if answer[2] else ""


def text_after_quote(body: str) -> bool:
    """A string value closed by a quote that neither a separator nor the line's end follows,
    read as 1.6.7's field scanner reads quotes (a backslash escapes the next byte)."""
    inside, i = False, 0
    while i < len(body):
        c = body[i]
        if c == "\\":
            i += 2
            continue
        if inside and c == '"':
            inside = False
            if i + 1 < len(body) and body[i + 1] not in ", \n":
                return True
        elif not inside and c == '"' and body[i - 1:i] == "=":
            inside = True
        i += 1
    return False


def stored_points(series: list) -> list[dict]:
    """A stored series' rows as {column: value}, without the columns a row has no value in."""
    _, columns, rows = series
    return [{c: v for c, v in zip(columns, row, strict=True) if v is not None} for row in rows]
