"""Which points crash InfluxDB 1.6.7 or make it answer 500, and how a body is cleared of them.

The tables say what a real 1.6.7 does with each line, and tests/oracle/test_crash_rule.py
checks that against one: a crashing line kills the process, a failing one draws its 500
(`engine: unable to parse ...`), a harmless one is answered 204 or 400 and the server stays up.
"""

from __future__ import annotations

import pytest

from translators.lineprotocol import Precision, parse_lines
from translators.lineprotocol.hazards import guard_body, hazardous

CRASHING = [  # 1.6.7's store panics: the process dies
    pytest.param(b'm f\\\\="=" 1', id="string-of-an-equals"),
    pytest.param(b'm f\\\\="="', id="without-timestamp"),
    pytest.param(b'm,t=x f\\\\="=" 1', id="with-tags"),
    pytest.param(b'm a=1,f\\\\="=" 1', id="later-field"),
    pytest.param(b'm f\\\\="a=" 1', id="equals-last-in-the-string"),
    pytest.param(b'm f\\\\\\\\="=" 1', id="two-escaped-backslashes"),
    pytest.param(b'm s="a\\\\=",f\\\\="=" 1', id="after-a-string-holding-the-pair"),
    pytest.param(b'  m f\\\\="=" 1', id="leading-blanks"),
]

FAILING = [  # 1.6.7 answers 500 and drops the shard's whole batch
    pytest.param(b'm f\\\\="=a" 1', id="boolean-with-a-quote"),
    pytest.param(b'm f\\\\="==" 1', id="equals-and-quote"),
    pytest.param(b'm f\\\\="=1" 1', id="number-with-a-quote"),
    pytest.param(b'm f\\\\="a=1i" 1', id="integer-with-a-quote"),
    pytest.param(b'm f\\\\="a=,b=1" 1', id="empty-value"),
    pytest.param(b'm f\\\\="=\\"" 1', id="escaped-quote"),
]

HARMLESS = [
    pytest.param(b'm f\\\\="=",a=1 1', id="stored-with-the-next-field-in-its-value"),
    pytest.param(b'm f\\\\=t,g="=" 1', id="stored-with-the-next-key-in-its-key"),
    pytest.param(b'm f\\\\="x=",g="y=" 1', id="stored-string-runs-on"),
    pytest.param(b'm f\\\\=1 1', id="refused-key-without-equals"),
    pytest.param(b'm f\\\\="a=," 1', id="refused-walk"),
    pytest.param(b'm f\\\\\\="=" 1', id="refused-escaped-equals"),
    pytest.param(b'm,t=a\\\\=b v="=" 1', id="pair-in-a-tag-value"),
    pytest.param(b'm v="C:\\\\=" 1', id="pair-in-a-string"),
    pytest.param(b'# m f\\\\="=" 1', id="comment"),
    pytest.param(b"m f=1 1", id="no-backslash"),
]


@pytest.mark.parametrize("point", CRASHING + FAILING)
def test_hazardous_points(point: bytes) -> None:
    assert hazardous(point)
    # The native store refuses every one of them, so its words can name them.
    assert parse_lines(point, Precision.NANOSECOND, 0).points == 0


@pytest.mark.parametrize("point", HARMLESS)
def test_harmless_points(point: bytes) -> None:
    assert not hazardous(point)
    assert guard_body(point) is None


def test_a_body_keeps_its_length_and_line_numbers_without_the_hazards() -> None:
    body = (b'ok v=1 1\nm f\\\\="=" 2\r\nok s="a\nb" 3\n# note\n'
            b'm s="x\n",f\\\\="\n=" 4\nok v=2 5\n')
    guarded = guard_body(body)
    assert guarded is not None
    blank = b" " * len(b'm f\\\\="=" 2\r')
    spanning = b"\n".join(b" " * len(line) for line in (b'm s="x', b'",f\\\\="', b'=" 4'))
    assert guarded.body == (b'ok v=1 1\n' + blank + b'\nok s="a\nb" 3\n# note\n' + spanning
                            + b"\nok v=2 5\n")
    assert len(guarded.body) == len(body)
    assert guarded.points == 3
    native = parse_lines(body, Precision.NANOSECOND, 0)
    # The native store's numbers and words for the same lines.
    assert [(e.line_number, e.describe()) for e in guarded.errors] == [
        (e.line_number, e.describe()) for e in native.errors]
    assert [e.line_number for e in guarded.errors] == [2, 6]
    assert guard_body(guarded.body) is None


def test_line_numbers_of_the_rest_of_a_body() -> None:
    guarded = guard_body(b'ok v=1 1\nm f\\\\="=" 2', first_line=41)
    assert guarded is not None
    assert [e.line_number for e in guarded.errors] == [42]
    assert guarded.errors[0].describe() == "unable to parse 'm f\\\\=\"=\" 2': unbalanced quotes"


def test_a_body_without_the_pair_is_not_read() -> None:
    body = b'm f\\="=" 1\nm s="\\\\" 1\n'  # an escaped `=`, a pair not before an `=`
    assert guard_body(body) is None
