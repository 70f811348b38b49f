"""Byte-level rewrites: tables of tricky lines, and properties checked against the parser."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from tests.translators.lineprotocol.test_fast_slow_agree import escape, raw_values, stamps
from tests.translators.lineprotocol.test_fast_slow_agree import names as common_names
from translators.lineprotocol import ParsedBatch, Precision, parse_lines
from translators.lineprotocol.rewrite import (
    measurements,
    rescale_timestamps,
    resolve_auto,
    split_by_key,
    split_numbered,
    stamp_missing,
)
from translators.lineprotocol.spans import (
    NO_TIMESTAMP,
    NOT_A_POINT,
    OPEN_STRING,
    locate_timestamp,
    read_points,
    without_final_newline,
)

P = Precision
DEFAULT = 1_111  # ns: the time the parser gives points without a timestamp
FIXED = [p for p in Precision if p is not Precision.AUTO]
FINER = [(s, t) for s in FIXED for t in FIXED if s.nanos % t.nanos == 0 and s is not t]


def points(batch: ParsedBatch) -> Counter[tuple[object, ...]]:
    """The points of a batch as a multiset, whatever the chunking and line numbers."""
    found: Counter[tuple[object, ...]] = Counter()
    for chunk in batch.chunks:
        for row in chunk.table.to_pylist():
            tags = tuple(sorted((k, row[k]) for k in chunk.tags if row[k] is not None))
            fields = tuple(sorted((k, type(row[k]).__name__, row[k])
                                  for k in chunk.fields if row[k] is not None))
            found[chunk.measurement, tags, fields, row["time"]] += 1
    return found


def outcome(body: bytes, precision: Precision = P.NANOSECOND, default: int = DEFAULT
            ) -> tuple[Counter[tuple[object, ...]], list[int]]:
    """Points, and the numbers of the lines that did not parse or were refused."""
    batch = parse_lines(body, precision, default)
    return points(batch), sorted(e.line_number for e in batch.errors)


# A line whose field key's quote 1.x's splitter reads as opening a string (after a leading
# space it counts `cpu=cpu`, and the `\\,` hides the comma): it runs to the end of the body.
OPEN_TO_THE_END = b' c:\\,cpu=cpu q"t=0.0'


# --- locate_timestamp -------------------------------------------------------------------

@pytest.mark.parametrize(
    ("line", "expected"),
    [
        pytest.param(b"cpu v=1 1700", 8, id="plain"),
        pytest.param(b"cpu v=1", NO_TIMESTAMP, id="no-timestamp"),
        pytest.param(b"cpu,host=a v=1,w=2i -5", 20, id="negative"),
        pytest.param(b'cpu s="a 123"', NO_TIMESTAMP, id="string-with-space-and-digits"),
        pytest.param(b'cpu s="a 123" 9', 14, id="string-then-timestamp"),
        pytest.param(b'cpu s="say \\"hi 5\\"" 6', 21, id="escaped-quotes"),
        pytest.param(b'cpu s="say \\"hi 5\\""', NO_TIMESTAMP, id="escaped-quotes-no-time"),
        pytest.param(b'cpu s="dir\\\\" 7', 14, id="escaped-backslash-closes-string"),
        pytest.param(b'cpu s="a, b=c d" 7', 17, id="string-with-separators"),
        pytest.param(b"c\\ pu v=1", NO_TIMESTAMP, id="escaped-space-in-measurement"),
        pytest.param(b"c\\ 5 v=1", NO_TIMESTAMP, id="escaped-space-then-digits"),
        pytest.param(b"cpu,host=a\\ 5 v=1", NO_TIMESTAMP, id="escaped-space-in-tag-value"),
        pytest.param(b"cpu,host=a\\ 5 v=1 9", 18, id="escaped-space-in-tag-with-time"),
        pytest.param(b"c\\,pu,host=a\\,5 v=1 9", 20, id="escaped-commas"),
        pytest.param(b"cpu f\\ 1=2", NO_TIMESTAMP, id="escaped-space-in-field-key"),
        pytest.param(b"cpu 5=1", NO_TIMESTAMP, id="field-named-like-a-number"),
        pytest.param(b"cpu 5=1 7", 8, id="field-named-like-a-number-with-time"),
        # The parser reads `\\` as a literal backslash and the next `\ ` as an escaped space.
        pytest.param(b"c\\\\ pu v=1 5", 11, id="backslash-before-escaped-space"),
        pytest.param(b"cpu,t=#x v=1 5", 13, id="hash-inside-a-tag"),
        pytest.param(b"cpu v=1 5\r", 8, id="crlf"),
        pytest.param(b"cpu v=1\r", NO_TIMESTAMP, id="crlf-no-time"),
        # A tab separates nothing: it only follows a space before the timestamp (as the parser
        # and 1.x read it); a token that takes one in is not a timestamp, nor its line a point.
        pytest.param(b"cpu v=1  \t 5  ", 11, id="blanks-around-time"),
        pytest.param(b"cpu v=1  \t 5 \t", NOT_A_POINT, id="tab-after-time-and-space"),
        pytest.param(b"cpu v=1 5\t", 8, id="tab-in-the-time-token"),
        pytest.param(b"cpu v=1\t5", NO_TIMESTAMP, id="tab-inside-the-value"),
        pytest.param(b'cpu v="a"\t5', NOT_A_POINT, id="tab-after-a-string"),
        pytest.param(b"cpu v=1,w=2\t3 4", 14, id="tab-inside-a-value-then-time"),
        pytest.param(b"cpu v=1 \t ", NO_TIMESTAMP, id="trailing-blanks"),
        pytest.param(b" \tcpu  v=1 5", 11, id="leading-and-repeated-blanks"),
        pytest.param(b"# cpu v=1 5", NOT_A_POINT, id="comment"),
        pytest.param(b"  # cpu v=1 5", NOT_A_POINT, id="indented-comment"),
        pytest.param(b"#cpu v=1 5", NOT_A_POINT, id="comment-shaped-like-a-point"),
        pytest.param(b"", NOT_A_POINT, id="empty"),
        pytest.param(b" \t ", NOT_A_POINT, id="blank"),
        pytest.param(b"cpu", NOT_A_POINT, id="no-fields"),
        pytest.param(b'cpu v="a"b 5', NOT_A_POINT, id="text-after-string"),
        pytest.param(b'c\\ pu v="a"b 5', NOT_A_POINT, id="text-after-string-escaped-line"),
        pytest.param(b"cpu v=1 5 6", NOT_A_POINT, id="two-tokens-after-fields"),
        pytest.param(b"cpu\tv=1 5", NOT_A_POINT, id="tab-is-not-a-separator-before-fields"),
        pytest.param(b'cpu v="open 5', OPEN_STRING, id="open-string"),
        pytest.param(b"cpu v=1 12a", 8, id="token-that-is-not-a-number"),
    ],
)
def test_locate_timestamp(line: bytes, expected: int) -> None:
    assert locate_timestamp(line) == expected
    # Wherever the parser takes the line, it agrees on whether the point has a time.
    (found, errors) = outcome(line)
    if not errors and found:
        ((_, _, _, time),) = found
        if expected >= 0:
            assert time == int(line[expected:].split()[0])
        else:
            assert time == DEFAULT


# --- rescale_timestamps -----------------------------------------------------------------

@pytest.mark.parametrize(
    ("body", "source", "target", "expected"),
    [
        pytest.param(b"cpu v=1 2", P.MINUTE, P.SECOND, b"cpu v=1 120", id="minutes"),
        pytest.param(b"cpu v=1 2", P.HOUR, P.SECOND, b"cpu v=1 7200", id="hours"),
        pytest.param(b"cpu v=1 2", P.HOUR, P.NANOSECOND, b"cpu v=1 7200000000000",
                     id="hours-to-nanoseconds"),
        pytest.param(b"cpu v=1 2", P.SECOND, P.MILLISECOND, b"cpu v=1 2000", id="power-of-ten"),
        pytest.param(b"cpu v=1 -3", P.MINUTE, P.SECOND, b"cpu v=1 -180", id="negative"),
        pytest.param(b"cpu v=1 -3", P.SECOND, P.MICROSECOND, b"cpu v=1 -3000000",
                     id="negative-power-of-ten"),
        pytest.param(b"cpu v=1 0", P.MINUTE, P.SECOND, b"cpu v=1 0", id="zero"),
        pytest.param(b"cpu v=1", P.MINUTE, P.SECOND, b"cpu v=1", id="no-timestamp"),
        pytest.param(b"cpu v=1 2\r\ncpu v=2 3\r\n", P.MINUTE, P.SECOND,
                     b"cpu v=1 120\r\ncpu v=2 180\r\n", id="crlf"),
        pytest.param(b"cpu v=1 \t2  \r\ncpu v=2 \t 3", P.MINUTE, P.SECOND,
                     b"cpu v=1 \t120  \r\ncpu v=2 \t 180", id="blanks-kept"),
        # not timestamps to the parser: a value taking in a tab, a time followed by one
        pytest.param(b"cpu v=2\t3\ncpu v=1 2\t\ncpu v=1 2 \t\ncpu v=1 2", P.MINUTE, P.SECOND,
                     b"cpu v=2\t3\ncpu v=1 2\t\ncpu v=1 2 \t\ncpu v=1 120",
                     id="tabs-are-not-separators"),
        pytest.param(b"# cpu v=1 2\n#cpu v=1 2\n\n  \ncpu v=1 2\n", P.MINUTE, P.SECOND,
                     b"# cpu v=1 2\n#cpu v=1 2\n\n  \ncpu v=1 120\n",
                     id="comments-and-blank-lines"),
        pytest.param(b'cpu s="a 12"\ncpu s="b 12" 12', P.MINUTE, P.SECOND,
                     b'cpu s="a 12"\ncpu s="b 12" 720', id="digits-in-strings-untouched"),
        pytest.param(b"c\\ 5,t=a\\ 5 f\\ 5=5 5", P.MINUTE, P.SECOND,
                     b"c\\ 5,t=a\\ 5 f\\ 5=5 300", id="escaped-spaces"),
        # A newline inside a quoted string does not end the point (InfluxDB's scanLine).
        pytest.param(b'cpu s="a\n5 b=1 6" 7\ncpu v=1 8', P.MINUTE, P.SECOND,
                     b'cpu s="a\n5 b=1 6" 420\ncpu v=1 480', id="string-spanning-lines"),
        pytest.param(b'cpu s="open\ncpu v=1 8', P.MINUTE, P.SECOND,
                     b'cpu s="open\ncpu v=1 8', id="string-never-closed"),
        # After a string that spans lines, a field key may hold a quote, escaped or not, as
        # on a point's first line (1.6.7 stores keys `"k` and `"`).
        pytest.param(b'cpu s="a\n",\\"k=1 7\ncpu v=1 8', P.MINUTE, P.SECOND,
                     b'cpu s="a\n",\\"k=1 420\ncpu v=1 480', id="escaped-quote-key-after-lines"),
        pytest.param(b'cpu s="a\n","=1 7', P.MINUTE, P.SECOND, b'cpu s="a\n","=1 420',
                     id="quote-key-after-lines"),
        # After a leading space 1.x's splitter opens a string at `a="`: the lines it joins
        # are one point, its measurement `a="\nb` (1.6.7 stores it so).
        pytest.param(b' a="\nb v=1 7', P.MINUTE, P.SECOND, b' a="\nb v=1 420',
                     id="measurement-joined-by-an-open-quote"),
        # Text after a closing quote: refused here, stored by 1.6.7 (as `a"`) at the time
        # after the blanks that follow the fields, as 1.x's parser finds it.
        pytest.param(b'cpu v="a"b 5\ncpu,t=x v="a"b,w=1  \t6\n# v="a"b 7', P.MINUTE,
                     P.SECOND, b'cpu v="a"b 300\ncpu,t=x v="a"b,w=1  \t360\n# v="a"b 7',
                     id="text-after-a-string"),
        # 1.x's key ends at a space without a backslash before it: `a\\ b` is one tag value
        pytest.param(b'cpu,t=a\\\\ b v="a"b 5', P.MINUTE, P.SECOND,
                     b'cpu,t=a\\\\ b v="a"b 300', id="text-after-a-string-escaped-key"),
        # After a leading space 1.x's splitter counts the `=` of the tags (not the `,` an
        # escape hides), so the quote in the field key opens a string that runs to the end of
        # the body; the final newline is then stripped, and the point has its time (1.6.7).
        pytest.param(OPEN_TO_THE_END + b" 1\n", P.MICROSECOND, P.NANOSECOND,
                     OPEN_TO_THE_END + b" 1000\n", id="string-open-to-the-final-newline"),
        pytest.param(b"cpu v=1 2\n" + OPEN_TO_THE_END + b" 1\n", P.MINUTE, P.SECOND,
                     b"cpu v=1 120\n" + OPEN_TO_THE_END + b" 60\n",
                     id="string-open-to-the-final-newline-after-a-line"),
        # With a blank line before the end, the point is `... 1\n`: refused either way.
        pytest.param(OPEN_TO_THE_END + b" 1\n\n", P.MINUTE, P.SECOND,
                     OPEN_TO_THE_END + b" 1\n\n", id="string-open-past-a-blank-line"),
    ],
)
def test_rescale_timestamps(body: bytes, source: Precision, target: Precision,
                            expected: bytes) -> None:
    assert rescale_timestamps(body, source, target) == expected


def test_rescale_leaves_lines_that_do_not_parse_unparseable() -> None:
    """Plain lines are read by their last token alone; a bad one may be rescaled, never
    mended."""
    body = b"cpu v=1 12a\ncpu v=1 1 2\ncpu 3\ncpu\ncpu v=1 0x10"
    rescaled = rescale_timestamps(body, P.MINUTE, P.SECOND)
    assert rescaled == b"cpu v=1 12a\ncpu v=1 1 120\ncpu 180\ncpu\ncpu v=1 0x10"
    assert outcome(rescaled, P.SECOND) == outcome(body, P.MINUTE) == (Counter(), [1, 2, 3, 4, 5])


def test_rescale_scales_out_of_range_timestamps_exactly() -> None:
    """Such a line is refused before and after; left unscaled it would store a wrong time."""
    body = b"cpu v=1 153722867280912931\ncpu v=1 1"
    rescaled = rescale_timestamps(body, P.MINUTE, P.SECOND)
    assert rescaled == b"cpu v=1 9223372036854775860\ncpu v=1 60"
    assert outcome(body, P.MINUTE)[1] == outcome(rescaled, P.SECOND)[1] == [1]



def test_timestamps_of_thousands_of_digits_go_as_written() -> None:
    """Beyond int64 in every unit, so the server refuses the line either way; int() refuses
    such a text (past 4,300 digits), which made a routed write with `precision=m` or `auto`
    a 500."""
    huge = b"9" * 5000
    body = b"cpu v=1 " + huge + b"\ncpu v=1 1"
    assert rescale_timestamps(body, P.MINUTE, P.SECOND) == b"cpu v=1 " + huge + b"\ncpu v=1 60"
    assert outcome(body, P.MINUTE)[1] == [1]
    resolved, unit = resolve_auto(body)
    assert b"cpu v=1 " + huge in resolved and unit is P.SECOND

@pytest.mark.parametrize(("source", "target"), [
    (P.SECOND, P.MINUTE), (P.NANOSECOND, P.SECOND), (P.AUTO, P.SECOND), (P.HOUR, P.AUTO),
])
def test_rescale_refuses_coarser_or_unitless_targets(source: Precision,
                                                     target: Precision) -> None:
    with pytest.raises(ValueError):
        rescale_timestamps(b"cpu v=1 1", source, target)


def test_rescale_to_the_same_precision_returns_the_body_itself() -> None:
    body = b"cpu v=1 1"
    assert rescale_timestamps(body, P.SECOND, P.SECOND) is body


# --- resolve_auto -----------------------------------------------------------------------

@pytest.mark.parametrize(
    ("body", "expected", "unit"),
    [
        pytest.param(b"cpu v=1 1700000000\ncpu v=2 -5", None, P.SECOND, id="all-seconds"),
        pytest.param(b"cpu v=1 1700000000000", None, P.MILLISECOND, id="all-milliseconds"),
        pytest.param(b"cpu v=1 1700000000000000", None, P.MICROSECOND, id="all-microseconds"),
        pytest.param(b"cpu v=1 1700000000000000000", None, P.NANOSECOND, id="all-nanoseconds"),
        pytest.param(b"cpu v=1\n# 5\n", None, P.NANOSECOND, id="no-timestamps"),
        pytest.param(b"cpu v=1 1700000000\ncpu v=2 1700000000001\ncpu v=3\n",
                     b"cpu v=1 1700000000000000000\ncpu v=2 1700000000001000000\ncpu v=3\n",
                     P.NANOSECOND, id="mixed"),
        pytest.param(b"cpu v=1 4999999999\ncpu v=1 5000000000\ncpu v=1 -4999999999",
                     b"cpu v=1 4999999999000000000\ncpu v=1 5000000000000000\n"
                     b"cpu v=1 -4999999999000000000",
                     P.NANOSECOND, id="bounds"),
        pytest.param(b'cpu s="a\n5 b=1 6" 7\ncpu v=1 1700000000000 \r',
                     b'cpu s="a\n5 b=1 6" 7000000000\ncpu v=1 1700000000000000000 \r',
                     P.NANOSECOND, id="string-spanning-lines"),
        pytest.param(b"cpu v=1 9223372036854775807\ncpu v=1 4611686018",
                     b"cpu v=1 9223372036854775807\ncpu v=1 4611686018000000000",
                     P.NANOSECOND, id="out-of-range-stays-so"),
        pytest.param(b"cpu v=1 12a\ncpu v=1 1\ncpu v=1 1000000000000", b"cpu v=1 12a\n"
                     b"cpu v=1 1000000000\ncpu v=1 1000000000000000000", P.NANOSECOND,
                     id="not-an-integer-untouched"),
        pytest.param(b"cpu v=1 1700000000\n" + OPEN_TO_THE_END + b" 1700000000000\n",
                     b"cpu v=1 1700000000000000000\n" + OPEN_TO_THE_END
                     + b" 1700000000000000000\n", P.NANOSECOND,
                     id="string-open-to-the-final-newline"),
    ],
)
def test_resolve_auto(body: bytes, expected: bytes | None, unit: Precision) -> None:
    resolved, got = resolve_auto(body)
    assert got is unit
    if expected is None:
        assert resolved is body  # one unit: the caller's bytes as sent
    else:
        assert resolved == expected


# --- stamp_missing ----------------------------------------------------------------------

@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param(b"cpu v=1\ncpu v=2 5\n", b"cpu v=1 99\ncpu v=2 5\n", id="mixed"),
        pytest.param(b"cpu v=1", b"cpu v=1 99", id="single-line"),
        pytest.param(b"cpu v=1\r\ncpu v=2 5\r\n", b"cpu v=1 99\r\ncpu v=2 5\r\n", id="crlf"),
        # after the blanks: `cpu v=1 99  \t` would end in a tab after the time, which is invalid
        pytest.param(b"cpu v=1  \t\n", b"cpu v=1  \t 99\n", id="trailing-blanks"),
        pytest.param(b"cpu v=1 \t\r\n", b"cpu v=1 \t 99\r\n", id="trailing-tab-crlf"),
        pytest.param(b"cpu v=1 ", b"cpu v=1 99 ", id="one-line-ending-in-a-space"),
        pytest.param(b"cpu v=1 1\r\ncpu v=2 \r\n", b"cpu v=1 1\r\ncpu v=2 99 \r\n",
                     id="crlf-line-ending-in-a-space"),
        pytest.param(b"cpu v=1 1\ncpu v=2 \n", b"cpu v=1 1\ncpu v=2 99 \n",
                     id="last-line-ending-in-a-space"),
        pytest.param(b" cpu  v=1\ncpu v=1 5", b" cpu  v=1 99\ncpu v=1 5", id="repeated-blanks"),
        pytest.param(b'cpu s="a 123"', b'cpu s="a 123" 99', id="string-ending-in-digits"),
        pytest.param(b'cpu s="a\\" 1"', b'cpu s="a\\" 1" 99', id="escaped-quote"),
        pytest.param(b"cpu,t=a\\ 5 v=1", b"cpu,t=a\\ 5 v=1 99", id="escaped-space-and-digit"),
        pytest.param(b"cpu 5=1", b"cpu 5=1 99", id="field-named-like-a-number"),
        pytest.param(b"# c v=1\n#c v=1\n\ncpu v=1\n", b"# c v=1\n#c v=1\n\ncpu v=1 99\n",
                     id="comments-and-blank-lines-untouched"),
        pytest.param(b"cpu v=1 1 2\ncpu\ncpu v=1", b"cpu v=1 1 2\ncpu\ncpu v=1 99",
                     id="bad-lines-untouched"),
        pytest.param(b'cpu s="a\nb=1"\ncpu v=1 5', b'cpu s="a\nb=1" 99\ncpu v=1 5',
                     id="string-spanning-lines"),
        # A string takes a line that begins with `#`, then 1.x's splitter runs on into the
        # next (it reads `\\=` as a bare `=`, so the quote after it opens a string): one
        # point, which 1.x and the parser store; the `#` is inside it, no comment.
        pytest.param(b'cpu s="a\n#",k\\\\="\nx"y\\\\,z=1',
                     b'cpu s="a\n#",k\\\\="\nx"y\\\\,z=1 99', id="hash-inside-a-string"),
        # 1.x strips the final newline its splitter ran to: one point, stamped before it
        # (and before a carriage return, which the parser takes as a line ending)
        pytest.param(OPEN_TO_THE_END + b"\n", OPEN_TO_THE_END + b" 99\n",
                     id="string-open-to-the-final-newline"),
        pytest.param(OPEN_TO_THE_END + b"\r\n", OPEN_TO_THE_END + b" 99\r\n",
                     id="string-open-to-the-final-crlf"),
        # `... q"t=0.0\n` with its newline is refused (1.6.7: invalid number): left as is
        pytest.param(OPEN_TO_THE_END + b"\n\n", OPEN_TO_THE_END + b"\n\n",
                     id="string-open-past-a-blank-line"),
    ],
)
def test_stamp_missing(body: bytes, expected: bytes) -> None:
    assert stamp_missing(body, 99) == expected


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"cpu v=1 1\ncpu v=2 2\n", id="all-stamped"),
        pytest.param(b"cpu v=1 1", id="no-final-newline"),
        pytest.param(b"# comment\n\ncpu v=1 1\n  \n", id="comments-and-blank-lines"),
        pytest.param(b"cpu v=1 1\r\ncpu v=2 -2\r\n", id="crlf"),
        pytest.param(b'cpu s="a b" 1\ncpu s="c\nd" 2', id="strings"),
        pytest.param(b"", id="empty"),
    ],
)
def test_stamp_missing_returns_the_body_itself_when_nothing_lacks_a_time(body: bytes) -> None:
    assert stamp_missing(body, 99) is body


# --- split_by_key and measurements ------------------------------------------------------

def test_split_by_measurement_keeps_line_order_and_drops_comments() -> None:
    body = b"cpu,h=a v=1 1\n# cpu x=1\nmem v=2 2\n\ncpu,h=b v=3 3\r\nmem v=4 4\n"
    assert split_by_key(body, "measurement") == {
        b"cpu": b"cpu,h=a v=1 1\ncpu,h=b v=3 3\r",
        b"mem": b"mem v=2 2\nmem v=4 4",
    }


def test_measurement_keys_have_escapes_removed() -> None:
    """`c\\=p` and `c=p` name the same measurement; `c\\ p` is the name "c p"."""
    body = b"c\\=p v=1\nc=p v=2\nc\\ p v=3\nc\\,p,t=1 v=4\n c\\\\ p v=5"
    assert split_by_key(body, "measurement") == {
        b"c=p": b"c\\=p v=1\nc=p v=2",
        b"c p": b"c\\ p v=3",
        b"c,p": b"c\\,p,t=1 v=4",
        b"c\\ p": b" c\\\\ p v=5",
    }
    assert measurements(body) == {b"c=p", b"c p", b"c,p", b"c\\ p"}


def test_an_escaped_quote_in_a_measurement_is_a_quote() -> None:
    """As 1.x's escape.Unescape reads a measurement (and the parser): `a\\"b` and `a"b` are
    one measurement and one series; in a tag the backslash stays (1.6.7 lists two series)."""
    body = b'a\\"b v=1\na"b v=2\na"b,t=\\"x v=3\na\\"b,t="x v=4'
    assert split_by_key(body, "measurement") == {b'a"b': body}
    assert split_by_key(body, "series") == {
        b'a"b': b'a\\"b v=1\na"b v=2',
        b'a"b,t=\\"x': b'a"b,t=\\"x v=3',
        b'a"b,t="x': b'a\\"b,t="x v=4',
    }


def test_series_keys_sort_tags_and_escape_one_way() -> None:
    body = b"\n".join([
        b"cpu,b=2,a=1 v=1",
        b"cpu,a=1,b=2 v=2",
        b"cpu,a=1 v=3",
        b"cpu,a-b=1,a=2 v=4",  # by key, "a" sorts before "a-b" (the pairs sort the other way)
        b"cpu,a=2,a-b=1 v=5",
        b"c=p,t=x\\=y,s=a\\ b v=6",  # `=` may stand bare in a measurement or tag value
        b"c\\=p,s=a\\ b,t=x=y v=7",
        b"cpu v=8",
    ])
    assert split_by_key(body, "series") == {
        b"cpu,a=1,b=2": b"cpu,b=2,a=1 v=1\ncpu,a=1,b=2 v=2",
        b"cpu,a=1": b"cpu,a=1 v=3",
        b"cpu,a=2,a-b=1": b"cpu,a-b=1,a=2 v=4\ncpu,a=2,a-b=1 v=5",
        b"c\\=p,s=a\\ b,t=x\\=y": b"c=p,t=x\\=y,s=a\\ b v=6\nc\\=p,s=a\\ b,t=x=y v=7",
        b"cpu": b"cpu v=8",
    }


def test_series_that_do_not_parse_are_keyed_as_written() -> None:
    body = b"cpu,a v=1\ncpu,a=1,a=2 v=2\ncpu,=1 v=3\n,a=1 v=4"
    assert list(split_by_key(body, "series")) == [b"cpu,a", b"cpu,a=1,a=2", b"cpu,=1", b",a=1"]


def test_split_keeps_a_point_spanning_lines_whole() -> None:
    body = b'log,app=x msg="line one\nline two" 5\nlog,app=y msg="z" 6'
    assert split_by_key(body, "series") == {
        b"log,app=x": b'log,app=x msg="line one\nline two" 5',
        b"log,app=y": b'log,app=y msg="z" 6',
    }


@pytest.mark.parametrize(("ending", "kept"), [
    pytest.param(b"\n", b"", id="final-newline"),
    pytest.param(b"\n\n", b"\n\n", id="blank-line"),
    pytest.param(b"\n\n\n", b"\n\n\n", id="blank-lines"),
    pytest.param(b"\r\n\n", b"\r\n\n", id="crlf-and-blank-line"),
])
def test_split_keeps_a_string_open_to_the_end_as_the_body_ends(ending: bytes,
                                                                kept: bytes) -> None:
    """A point whose string runs to the end of the body takes in the newlines before the
    final one, and its group ends as the body did: `... 2\\n` is stored at 2 (1.6.7),
    `... 2\\n\\n` refused, also alone."""
    point = OPEN_TO_THE_END + b" 2"
    groups = split_numbered(b"cpu v=1 1\n" + point + ending, "series")
    assert groups[b"c:\\,cpu\\=cpu"] == (point + kept, list(range(2, 3 + kept.count(b"\n"))),
                                          1)
    assert outcome(point + kept) == outcome(point + ending)
    assert groups[b"cpu"].body == b"cpu v=1 1"


def test_points_end_before_the_final_newline() -> None:
    """Every job reads a body as the parser does, without its final newline: the point
    whose string runs to the end of the body is one line, then an empty entry."""
    body = OPEN_TO_THE_END + b" 1\n"
    assert without_final_newline(body) == body[:-1]
    assert read_points(body, b'"') == ([body[:-1], b""], {0: len(OPEN_TO_THE_END) + 1})
    assert read_points(body + b"\n", b'"') == ([body, b""], {0: NOT_A_POINT})


def test_split_refuses_unknown_keys() -> None:
    with pytest.raises(ValueError):
        split_by_key(b"cpu v=1", "host")  # type: ignore[arg-type]


# --- properties against the parser ------------------------------------------------------

# Besides the parser's names: literal backslashes (one before a separator escapes it), a hash
# (a comment when it starts a line), a quote, a name like a number.
names = st.one_of(common_names,
                  st.sampled_from(["a\\b", "c:\\", "\\", "#h", 'q"t', "5", '"', '\\"k']))
# Besides the parser's values: strings that span lines, and with escaped quotes.
values = st.one_of(raw_values, st.sampled_from(['"two\nlines"', '"\n"', '"a\\"\nb"',
                                                '"say \\"hi 5\\""', '"dir\\\\"']))


def escape_measurement(name: str, minimal: bool) -> str:
    # A measurement needs only `,` and space escaped; `\=` is read as `=` all the same.
    return name.replace(",", "\\,").replace(" ", "\\ ") if minimal else escape(name)


@st.composite
def line(draw: st.DrawFn, stamp: st.SearchStrategy[str | None] = stamps) -> str:
    """One line, valid or not, with the blanks a writer may put around its parts."""
    text = draw(st.sampled_from(["", "", " ", "\t"]))
    text += escape_measurement(draw(names), draw(st.booleans()))
    tags = draw(st.lists(st.tuples(names, names), max_size=3))
    text += "".join(f",{escape(k)}={escape(v)}" for k, v in tags)
    text += draw(st.sampled_from([" ", " ", "  ", " \t"]))
    fields = draw(st.lists(st.tuples(names, values), min_size=0, max_size=4))
    text += ",".join(f"{escape(k)}={v}" for k, v in fields)
    drawn = draw(stamp)
    if drawn is not None:
        # blanks before the time (a tab only after a space, as the parser reads them) and after
        text += draw(st.sampled_from([" ", " ", "  ", " \t", " \t "])) + drawn
    return text + draw(st.sampled_from(["", "", "", " ", "\t", "\r", " \t", "  ", " \t\r"]))


@st.composite
def body(draw: st.DrawFn, stamp: st.SearchStrategy[str | None] = stamps) -> bytes:
    # A few templates repeated, so that series and measurements recur, plus other lines.
    templates = draw(st.lists(line(stamp), min_size=1, max_size=4))
    # Lines ending in a backslash escape the newline after them (InfluxDB's scanLine).
    others = st.sampled_from(["# cpu v=1", "#cpu v=1 5", "  #x v=1", "", "   ", "\r",
                              "m,t=a\\", "\\", "c v=1 5\\", "c\\\\", "# c\\",
                              # a string takes a line that begins with `#`, and 1.x reads
                              # `\\=` then a quote as opening another
                              'c s="a\n#",k\\\\="\nx"y\\\\,z=1 -5',
                              'c s="\n#",k\\\\="\n#"\\\\,z=1 5'])
    picked = draw(st.lists(st.one_of(st.sampled_from(templates), others), min_size=1,
                           max_size=30))
    return ("\n".join(picked) + draw(st.sampled_from(["", "\n"]))).encode()


PROPERTY = settings(max_examples=300, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(line())
def test_locate_timestamp_agrees_with_the_parser(text: str) -> None:
    raw = text.encode()
    found, errors = outcome(raw)
    where = locate_timestamp(raw)
    if errors or not found:
        return
    ((_, _, _, time),) = found
    if where >= 0:
        assert time == int(raw[where:].split()[0])
    else:
        assert where == NO_TIMESTAMP
        assert time == DEFAULT


@PROPERTY
@given(body(), st.sampled_from(FINER))
# found by hypothesis: a string open to the end of the body (see OPEN_TO_THE_END)
@example(b' c:\\,cpu=cpu q"t=0.0 1\n', (P.MICROSECOND, P.NANOSECOND))
def test_rescaled_body_means_the_same(data: bytes, pair: tuple[Precision, Precision]) -> None:
    source, target = pair
    rescaled = rescale_timestamps(data, source, target)
    assert outcome(rescaled, target) == outcome(data, source)
    assert rescaled.count(b"\n") == data.count(b"\n")


def unstampable(data: bytes) -> bool:
    """Whether a point of `data` without a timestamp spans lines through a quote that 1.x's
    splitter opens outside a string value (` m=x f"k=1\\nrest`): 1.x ends a timestamp at
    the newline, so none can be given it (see `stamp_missing`)."""
    lines, careful = read_points(data, b'"')
    return any(careful.get(i) == NOT_A_POINT and b"\n" in text and outcome(text)[0]
               and not outcome(text)[1] for i, text in enumerate(lines))


@PROPERTY
@given(body(), st.sampled_from(FIXED), st.integers(-(2**40), 2**40))
def test_stamped_body_means_the_body_read_at_that_time(
        data: bytes, precision: Precision, stamp: int) -> None:
    stamp_ns = stamp * precision.nanos
    if not -(2**63) <= stamp_ns < 2**63:
        stamp_ns = stamp = 0
    assume(not unstampable(data))
    stamped = stamp_missing(data, stamp)
    # Read with another default time, the stamped body needs none.
    assert outcome(stamped, precision, DEFAULT) == outcome(data, precision, stamp_ns)
    if stamped is data:  # nothing stamped: no point took the default time
        assert outcome(data, precision, stamp_ns) == outcome(data, precision, stamp_ns + 1)


@PROPERTY
@given(body(stamp=st.integers(-(2**63), 2**63 - 1).map(str)))
def test_stamp_missing_returns_the_body_itself_when_every_line_has_a_time(data: bytes) -> None:
    assert stamp_missing(data, 5) is data


@PROPERTY
@given(body())
def test_split_by_measurement_groups_every_point_by_its_measurement(data: bytes) -> None:
    groups = split_by_key(data, "measurement")
    found, errors = outcome(data)
    union: Counter[tuple[object, ...]] = Counter()
    error_count = 0
    for key, group in groups.items():
        group_points, group_errors = outcome(group)
        assert {p[0] for p in group_points} <= {key.decode()}
        union += group_points
        error_count += len(group_errors)
    assert union == found
    assert error_count == len(errors)
    assert measurements(data) == set(groups)


@PROPERTY
@given(body())
def test_split_by_series_groups_every_point_by_its_series(data: bytes) -> None:
    groups = split_by_key(data, "series")
    found, errors = outcome(data)
    union: Counter[tuple[object, ...]] = Counter()
    error_count = 0
    seen: dict[tuple[object, ...], bytes] = {}
    for key, group in groups.items():
        group_points, group_errors = outcome(group)
        series = {(p[0], p[1]) for p in group_points}
        assert len(series) <= 1  # a group holds one series
        for identity in series:
            assert seen.setdefault(identity, key) == key  # and a series one group
            # The key is that series written as a line protocol series key.
            ((measurement, tags, _, _),) = outcome(key + b" probe_field=1")[0]
            assert (measurement, tags) == identity
        union += group_points
        error_count += len(group_errors)
    assert union == found
    assert error_count == len(errors)


@PROPERTY
@given(body(stamp=st.one_of(stamps, st.sampled_from(
    ["1700000000", "1700000000123", "-1700000000123456", "1700000000123456789", "4999999999"]))))
def test_auto_resolved_body_means_the_same(data: bytes) -> None:
    resolved, unit = resolve_auto(data)
    assert outcome(resolved, unit) == outcome(data, P.AUTO)
    assert resolved.count(b"\n") == data.count(b"\n")
