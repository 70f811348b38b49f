"""Precision vocabularies of each generation, their defaults and unknown words."""

from __future__ import annotations

import pytest

from translators.lineprotocol import Precision, UnknownPrecision
from translators.lineprotocol.precision import truncate_nanos

P = Precision


@pytest.mark.parametrize(
    ("generation", "word", "expected"),
    [
        ("v1", None, P.NANOSECOND), ("v1", "", P.NANOSECOND), ("v1", "n", P.NANOSECOND),
        ("v1", "ns", P.NANOSECOND), ("v1", "u", P.MICROSECOND), ("v1", "µ", P.MICROSECOND),
        ("v1", "us", P.MICROSECOND), ("v1", "ms", P.MILLISECOND), ("v1", "s", P.SECOND),
        ("v1", "m", P.MINUTE), ("v1", "h", P.HOUR),
        ("v2", None, P.NANOSECOND), ("v2", "ns", P.NANOSECOND), ("v2", "us", P.MICROSECOND),
        ("v2", "ms", P.MILLISECOND), ("v2", "s", P.SECOND),
        ("v3", None, P.AUTO), ("v3", "auto", P.AUTO), ("v3", "nanosecond", P.NANOSECOND),
        ("v3", "microsecond", P.MICROSECOND), ("v3", "millisecond", P.MILLISECOND),
        ("v3", "second", P.SECOND), ("v3", "ns", P.NANOSECOND), ("v3", "us", P.MICROSECOND),
        ("v3", "ms", P.MILLISECOND), ("v3", "s", P.SECOND),
    ],
)
def test_vocabulary(generation: str, word: str | None, expected: Precision) -> None:
    assert Precision.parse(word, generation) is expected


@pytest.mark.parametrize(
    ("generation", "word"),
    [("v1", "xx"), ("v1", "nanosecond"), ("v1", "auto"), ("v2", "u"), ("v2", "m"),
     ("v2", "h"), ("v2", "n"), ("v3", "m"), ("v3", "h"), ("v3", "minute"), ("v3", "NS")],
)
def test_unknown_words(generation: str, word: str) -> None:
    with pytest.raises(UnknownPrecision) as info:
        Precision.parse(word, generation)
    assert repr(word) in str(info.value)


def test_receipt_time_truncates_to_precision() -> None:
    now = 1_700_000_123_456_789_123
    assert truncate_nanos(now, P.SECOND) == 1_700_000_123_000_000_000
    assert truncate_nanos(now, P.MILLISECOND) == 1_700_000_123_456_000_000
    assert truncate_nanos(now, P.NANOSECOND) == now
    assert truncate_nanos(now, P.AUTO) == now
