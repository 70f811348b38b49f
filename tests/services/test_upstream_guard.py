"""The crash guard's reading of a streamed body, chunk by chunk: where it blanks a point out,
where it must abandon the body, and how it merges a 1.x 400 for other lines.

Over real HTTP against real 1.6.7 servers: tests/upstream/test_crash_guard.py.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

import pytest

from gateway.backends.upstream.base import UpstreamReply
from gateway.errors import PartialWrite
from gateway.services.upstream_guard import Guard
from gateway.streams import BodyStream

CRASH = b'm f\\\\="=" 3'


async def sent(guard: Guard, chunks: Sequence[bytes]) -> bytes:
    """What the upstream is sent for a plain body arriving in `chunks`."""
    async def arriving() -> AsyncIterator[bytes]:
        for chunk in chunks:
            yield chunk

    body, gzip = await guard.stream(BodyStream(arriving(), 1 << 20), False, 1 << 20)
    assert not gzip and isinstance(body, BodyStream)
    return b"".join([piece async for piece in body])


@pytest.mark.parametrize("chunks", [
    pytest.param([b"ok v=1 1\nok v=2 2\n" + CRASH + b"\nok v=3 4\n"], id="one-chunk"),
    pytest.param([b"ok v=1 1\nok v=2 2\nm f\\\\", b'="=" 3\nok v=3 4\n'], id="pair-then-equals"),
    pytest.param([b"ok v=1 1\nok v=2 2\nm f\\", b'\\="=" 3\nok v=3 4\n'], id="between-pair"),
    pytest.param([b"ok v=1 1\nok v=", b"2 2\n", CRASH, b"\nok v=3 4\n"], id="line-by-line"),
])
async def test_a_point_is_blanked_out_wherever_the_chunks_are_cut(chunks: list[bytes]) -> None:
    guard = Guard()
    body = await sent(guard, chunks)
    assert body == b"ok v=1 1\nok v=2 2\n" + b" " * len(CRASH) + b"\nok v=3 4\n"
    assert [(e.line_number, e.reason) for e in guard.errors] == [(3, "unbalanced quotes")]
    with pytest.raises(PartialWrite) as caught:
        guard.finish()
    assert (caught.value.written, caught.value.dropped) == (3, 0)


@pytest.mark.parametrize(("first", "rest"), [
    # the sent bytes held a quote: a string may still be open where they end
    pytest.param(b'ok s="x" 1\n', CRASH + b"\n", id="after-a-quote"),
    # ... and it was: the rest, read from inside a string, holds a crashing point
    pytest.param(b'ok s="x\n', b'",f\\\\="=" 3\n', id="inside-an-open-string"),
    # a point goes on past an escaped newline, and the rest holds a pair
    pytest.param(b"ok v=1 1\\\n", b'm,t=a\\\\=b v=1 3\n', id="after-an-escaped-newline"),
])
async def test_a_rest_that_cannot_be_read_alone_is_abandoned(first: bytes, rest: bytes) -> None:
    guard = Guard()
    with pytest.raises(PartialWrite) as caught:
        await sent(guard, [first, rest])
    assert guard.failure is caught.value
    assert caught.value.written == 0
    assert [e.line_number for e in caught.value.errors] == [first.count(b"\n") + 1]


async def test_a_harmless_pair_after_a_quote_goes_on() -> None:
    guard = Guard()
    chunks = [b'ok s="x" 1\n', b'm,t=a\\\\=b v=1 3\nm s="C:\\\\=" 4\n']
    assert await sent(guard, chunks) == b"".join(chunks)
    assert guard.errors == [] and guard.failure is None
    guard.finish()


def reply(message: str) -> UpstreamReply:
    return UpstreamReply(400, b'{"error":"%s"}' % message.encode())


@pytest.mark.parametrize(("upstream", "merged"), [
    pytest.param("partial write: unable to parse 'x': bad dropped=0",
                 "partial write: unable to parse 'm f\\\\=\"=\" 3': unbalanced quotes\n"
                 "unable to parse 'x': bad dropped=0", id="partial"),
    pytest.param("unable to parse 'x': bad",
                 "unable to parse 'm f\\\\=\"=\" 3': unbalanced quotes\n"
                 "unable to parse 'x': bad", id="nothing-written"),
    # once 1.x's store refused a point it names that alone, parse errors unmentioned
    pytest.param("partial write: field type conflict dropped=1", None, id="refused"),
    pytest.param("database not found", None, id="other"),
])
def test_a_400_for_other_lines_names_the_blanked_ones_first(upstream: str,
                                                            merged: str | None) -> None:
    guard = Guard()
    body, _ = guard.check(b"ok v=1 1\n" + CRASH, False, 1 << 20)
    assert body == b"ok v=1 1\n" + b" " * len(CRASH)
    answered = guard.answer(reply(upstream))
    assert answered.error_message() == (merged or upstream)
    if merged:
        assert answered.headers["x-influxdb-error"] == merged
