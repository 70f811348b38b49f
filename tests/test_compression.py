"""gzip bodies: members in turn, the size limit while inflating, and the errors."""

from __future__ import annotations

import gzip

import pytest

from gateway.compression import Inflater, inflate
from gateway.errors import GatewayError

BODY = b"cpu,host=a v=1 1\n" * 1000


@pytest.mark.parametrize(("data", "expected"), [
    (gzip.compress(b""), b""),
    (gzip.compress(BODY), BODY),
    (gzip.compress(BODY[:500]) + gzip.compress(BODY[500:]), BODY),  # members in turn
])
def test_inflates(data: bytes, expected: bytes) -> None:
    assert inflate(data, len(BODY)) == expected


@pytest.mark.parametrize(("data", "message"), [
    (gzip.compress(BODY) + b"junk", "unexpected EOF"),  # shorter than a member's header
    (gzip.compress(BODY) + b"junk after the member", "gzip: invalid header"),
    (gzip.compress(BODY)[:-12], "unexpected EOF"),
    (b"not gzip at all", "gzip: invalid header"),
    (b"", "EOF"),
])
def test_bad_bodies_are_invalid(data: bytes, message: str) -> None:
    with pytest.raises(GatewayError, match=message):
        inflate(data, len(BODY))


@pytest.mark.parametrize("limit", [len(BODY) - 1, len(BODY) // 2, 1])
def test_past_the_limit_is_too_large_one_member_or_several(limit: int) -> None:
    for data in (gzip.compress(BODY), gzip.compress(BODY[:600]) + gzip.compress(BODY[600:])):
        with pytest.raises(GatewayError, match="request body too large"):
            inflate(data, limit)
    assert inflate(gzip.compress(BODY), len(BODY)) == BODY  # exactly the limit is fine


def test_a_bomb_stops_at_the_limit() -> None:
    bomb = gzip.compress(b"\0" * 50_000_000)
    with pytest.raises(GatewayError, match="request body too large"):
        inflate(bomb, 1_000_000)


def _trailer_says(data: bytes, size: int) -> bytes:
    """The gzip member with its trailer's size field (ISIZE) replaced: a lie about its size."""
    return data[:-4] + (size % 2**32).to_bytes(4, "little")


@pytest.mark.parametrize("stated", [0, 1, 100, len(BODY) - 1, len(BODY) + 1, 2**32 - 1])
def test_the_trailers_size_is_only_a_hint(stated: int) -> None:
    """The first call asks for the size the trailer states (ISIZE), but nothing trusts it: a
    trailer that lies makes the body invalid (ISA-L checks it, as Go's reader does), a bomb
    that states a small size still stops at the limit, and a first member larger than the
    last (which the trailer describes) is read on."""
    with pytest.raises(GatewayError, match="gzip: invalid checksum"):
        inflate(_trailer_says(gzip.compress(BODY), stated), len(BODY))
    bomb = _trailer_says(gzip.compress(b"\0" * 5_000_000), stated)
    with pytest.raises(GatewayError, match="request body too large"):
        inflate(bomb, 1_000_000)


@pytest.mark.parametrize("cut", [1, 17, 16_000, len(BODY) - 1])
def test_members_larger_than_the_last_are_read_whole(cut: int) -> None:
    assert inflate(gzip.compress(BODY[:cut]) + gzip.compress(BODY[cut:]), len(BODY)) == BODY
    with pytest.raises(GatewayError, match="request body too large"):
        inflate(gzip.compress(BODY[:cut]) + gzip.compress(BODY[cut:]), len(BODY) - 1)


def _fed(data: bytes, piece: int, limit: int) -> bytes:
    """`data` inflated by an Inflater fed `piece` bytes at a time, then closed."""
    inflater = Inflater(limit)
    out = b"".join(inflater.feed(data[i:i + piece]) for i in range(0, len(data), piece))
    inflater.close()
    return out


@pytest.mark.parametrize("piece", [1, 7, 4096, 1 << 20])
def test_piece_by_piece_as_whole(piece: int) -> None:
    """An Inflater reads what `inflate` reads, however the body is cut: members in turn
    (a header split between pieces too), the limit, and the same errors."""
    members = gzip.compress(BODY[:500]) + gzip.compress(BODY[500:])
    assert _fed(members, piece, len(BODY)) == BODY
    with pytest.raises(GatewayError, match="request body too large"):
        _fed(members, piece, len(BODY) - 1)
    with pytest.raises(GatewayError, match="request body too large"):
        _fed(gzip.compress(b"\0" * 5_000_000), piece, 1_000_000)
    for data, message in [(gzip.compress(BODY) + b"junk after the member",
                           "gzip: invalid header"),
                          (gzip.compress(BODY)[:-12], "unexpected EOF"),
                          (gzip.compress(BODY) + b"junk", "unexpected EOF"),
                          (_trailer_says(gzip.compress(BODY), 1), "gzip: invalid checksum")]:
        with pytest.raises(GatewayError, match=message):
            inflate(data, len(BODY))
        with pytest.raises(GatewayError, match=message):
            _fed(data, piece, len(BODY))
