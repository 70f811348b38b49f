"""Keeps points that crash InfluxDB 1.x (translators/lineprotocol/hazards.py) off 1.x and 2.x.

Every write to a 1.x or 2.x upstream (`GUARDED`) passes here: a whole body (single, mirror and
shard routes, mirror replays, whatever build queued the batch) and a body passed on as it
arrives (a `single` route that streams). A body holding no `\\\\=` (one `find` per body or
chunk, gzip bodies inflated for it under the body limit) goes on untouched. Otherwise its
hazardous points are blanked out (spaces, so lengths and line numbers hold), the rest is
written, and the caller gets the partial-write 400 the native store answers for the same
lines (`PartialWrite`: 1.x's `partial write: ... dropped=0` in v1, the v2 and v3 shapes on
their endpoints). A 2.x upstream's 400 for other lines comes back in 2.x's error body.

A streamed body is checked chunk by chunk; each chunk's unfinished last line is held back, so
a point found later can still be blanked before any of it has left. That needs the bytes
already sent to have ended at a point's end, which is certain when they held no quote (a
newline inside a string does not end a point) and did not end in an escaped newline. When it
is not certain, and the rest of the body might hold a hazardous point read from where the sent
bytes could have left off, the upstream request is abandoned before the body's end (the
upstream stores none of it) and the caller gets a 400 naming the line, as 1.x answers when it
writes nothing. A gzip body cannot have bytes blanked once part of it has left: one whose
first chunk holds a hazard is read whole and sent inflated; one found later is abandoned so.
Blanking (or refusing) reads the rest of the body in a worker thread, off the event loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass, field

from gateway.backends.upstream.base import Generation, UpstreamReply
from gateway.backends.upstream.v1_write_errors import Unparsed, read_write_error, unparsed_message
from gateway.compression import Inflater, inflate
from gateway.errors import Category, GatewayError, PartialWrite
from gateway.services.upstream_replies import reworded
from gateway.streams import BodyStream
from translators.lineprotocol import LineError, parse_lines
from translators.lineprotocol.hazards import HAZARD, Guarded, guard_body, may_hold_hazard
from translators.lineprotocol.precision import Precision

# InfluxDB 2.x parses and stores points with 1.x's models code, so what crashes 1.6.7 is kept
# from it too: a precaution, not seen on a 2.x server. InfluxDB 3 has a parser of its own.
GUARDED = frozenset({Generation.V1, Generation.V2})
# Prefixed to the rest of a streamed body to read it as if the bytes already sent had left a
# string open (a point of its own whose string takes in the rest's first lines).
_OPEN_STRING = b'm s="'
_BACKSLASH = ord("\\")


@dataclass(slots=True)
class Guard:
    """What was kept from one write to a 1.x or 2.x upstream: the points blanked out, and the answer
    they make once the upstream has answered for the rest."""

    errors: list[LineError] = field(default_factory=list)
    written: int = 0  # points sent on (those the upstream stores when it answers 204)
    failure: GatewayError | None = None  # why a streamed body was abandoned

    def check(self, body: bytes, gzip: bool, limit: int, *, accept_partial: bool = True
              ) -> tuple[bytes, bool]:
        """A whole body, and whether it is gzip, as it goes to the upstream. A gzip body that
        does not inflate goes as sent, for the upstream to refuse in its own words.

        Without `accept_partial` a body with a hazardous point is refused whole here.
        """
        plain = body
        if gzip:
            try:
                plain = inflate(body, limit)
            except GatewayError as exc:
                if exc.category is Category.TOO_LARGE:
                    raise
                return body, gzip
        guarded = guard_body(plain)
        if guarded is None:
            return body, gzip
        if not accept_partial:
            raise PartialWrite(guarded.errors, written=0, dropped=0)
        self._keep(guarded, 0)
        return guarded.body, False

    def answer(self, reply: UpstreamReply, *, written_elsewhere: bool = False) -> UpstreamReply:
        """The upstream's error answer for the rest of a body whose points were blanked out:
        a 400 it gave for other lines too comes back with those points named before its own
        (1.x reports parse errors only while its store refused no point, so an answer with
        `dropped` above 0 is left as it is). `written_elsewhere`: the reply is for one part
        of a split body whose other parts were written, so a part of which the upstream
        wrote nothing still makes a partial write."""
        if not self.errors or reply.ok or reply.status != 400:
            return reply
        read = read_write_error(reply.error_message())
        if read is None or read.refusal is not None or read.dropped:
            return reply
        text = unparsed_message([*(Unparsed(e.line, e.reason) for e in self.errors),
                                 *read.unparsed], partial=read.partial or written_elsewhere)
        return reworded(reply, text)

    def finish(self) -> None:
        """The upstream stored the rest: the partial write, when points were blanked out."""
        if self.errors:
            raise PartialWrite(self.errors, written=self.written, dropped=0)

    def _keep(self, guarded: Guarded, sent_points: int) -> None:
        self.errors = guarded.errors
        self.written = sent_points + guarded.points

    async def stream(self, body: BodyStream, gzip: bool, limit: int, *,
                     accept_partial: bool = True) -> tuple[BodyStream | bytes, bool]:
        """A streamed body as it goes to the upstream (passed on as it comes, under the
        caller's length, or read whole when a gzip body's first chunk holds a hazard), and
        whether it is gzip. A gzip body's first chunk is read here, before the upstream
        request starts (its headers say gzip); a plain one is read as the request sends it,
        each chunk's wait bounded by the upstream's timeout as before.
        """
        bytes_or_chunks, gzip = await self._stream(body, gzip, limit, accept_partial)
        if isinstance(bytes_or_chunks, bytes):
            return bytes_or_chunks, gzip
        return BodyStream(bytes_or_chunks, limit, body.length), gzip

    async def _stream(self, chunks: AsyncIterable[bytes], gzip: bool, limit: int,
                      accept_partial: bool) -> tuple[AsyncIterator[bytes] | bytes, bool]:
        iterator = aiter(chunks)
        if not gzip:
            return self._plain(iterator, accept_partial), gzip
        first = await anext(iterator, b"")
        inflater = Inflater(limit)
        try:
            plain = inflater.feed(first)
        except GatewayError as exc:
            if exc.category is Category.TOO_LARGE:
                raise
            return _joined(first, iterator), gzip  # the upstream refuses it in its words
        if may_hold_hazard(plain):
            whole = first + b"".join([chunk async for chunk in iterator])
            return await asyncio.to_thread(self.check, whole, gzip, limit,
                                           accept_partial=accept_partial)
        return self._gzip(first, plain, iterator, inflater), gzip

    async def _plain(self, chunks: AsyncIterator[bytes], accept_partial: bool
                     ) -> AsyncIterator[bytes]:
        sent = _Sent()
        carry = b""  # the unfinished last line, held back
        async for chunk in chunks:
            if sent.holds_hazard(chunk):
                rest = carry + chunk + b"".join([more async for more in chunks])
                guarded = await asyncio.to_thread(self._rest, rest, sent, accept_partial)
                if guarded is not None:
                    rest = guarded.body
                yield rest
                return
            cut = chunk.rfind(b"\n") + 1
            if not cut:
                carry += chunk
                continue
            if cut == len(chunk) and not carry:
                out = chunk
            else:  # one copy: the held-back line and this chunk's whole lines
                out = carry + memoryview(chunk)[:cut]
            carry = chunk[cut:]
            sent.passed(out)
            yield out
        if carry:
            yield carry

    async def _gzip(self, first: bytes, plain: bytes, chunks: AsyncIterator[bytes],
                    inflater: Inflater) -> AsyncIterator[bytes]:
        sent = _Sent()
        sent.holds_hazard(plain)
        carry = sent.inflated(plain)
        yield first
        async for chunk in chunks:
            try:
                plain = inflater.feed(chunk)
            except GatewayError as exc:
                if exc.category is Category.TOO_LARGE:
                    self.failure = exc
                    raise
                yield chunk  # the upstream refuses the body in its own words
                async for more in chunks:
                    yield more
                return
            if sent.holds_hazard(plain):
                pieces = [chunk]
                rest = [carry, plain]
                try:
                    async for more in chunks:
                        pieces.append(more)
                        rest.append(inflater.feed(more))
                except GatewayError as exc:
                    # past the limit, or a body the upstream refuses whole: abandoned
                    self.failure = exc
                    raise
                await asyncio.to_thread(self._rest, b"".join(rest), sent, False)
                for piece in pieces:  # nothing hazardous after all: on as sent
                    yield piece
                return
            carry = sent.inflated(carry + plain)
            yield chunk

    def _rest(self, rest: bytes, sent: _Sent, accept_partial: bool) -> Guarded | None:
        """The rest of a streamed body (from a line's start) blanked out where it may be, or
        None when it holds nothing hazardous; raises (and so abandons the upstream request)
        when it cannot be blanked."""
        guarded = guard_body(rest, first_line=sent.lines + 1)
        if sent.at_point_end and accept_partial:
            if guarded is not None:
                # every line passed on counts as a point written: they were not read
                self._keep(guarded, sent.lines)
            return guarded
        if guarded is None and not sent.quoted and sent.at_point_end:
            return None
        if guarded is None and not sent.escaped and guard_body(_OPEN_STRING + rest) is None:
            return None  # nothing hazardous, wherever the sent bytes left off
        errors = guarded.errors if guarded is not None else [_first_suspect(rest, sent.lines)]
        self.failure = PartialWrite(errors, written=0, dropped=0)
        raise self.failure


def split_guarded(body: bytes, limit: int, *, accept_partial: bool) -> tuple[bytes, Guard | None]:
    """A plain body about to be split among targets, one of them a 1.x or 2.x upstream, with its
    hazardous points blanked out before the split, so that the partial write names them by
    their line in the caller's body (each part would number its own); the guard that
    answers for them, or None when there were none."""
    if not may_hold_hazard(body):
        return body, None
    guard = Guard()
    body, _ = guard.check(body, False, limit, accept_partial=accept_partial)
    return body, guard if guard.errors else None


@dataclass(slots=True)
class _Sent:
    """What the caller's bytes already passed on were: enough to tell where they left off."""

    lines: int = 0  # newlines passed on
    quoted: bool = False  # a quote passed on: a string may still be open
    escaped: bool = False  # they end in an escaped newline: a point goes on
    tail: bytes = b""  # their last two bytes, for a `\\=` split between chunks

    @property
    def at_point_end(self) -> bool:
        return not self.quoted and not self.escaped

    def holds_hazard(self, data: bytes) -> bool:
        found = may_hold_hazard(data) or (self.tail + data[:2]).find(HAZARD) >= 0
        self.tail = data[-2:] if len(data) > 1 else (self.tail + data)[-2:]
        return found

    def passed(self, data: bytes) -> None:
        """`data`, whole lines, has been passed on."""
        self.lines += data.count(b"\n")
        self.quoted = self.quoted or data.find(b'"') >= 0
        end = start = len(data) - 1  # the last newline; an odd run of backslashes escapes it
        while start and data[start - 1] == _BACKSLASH:
            start -= 1
        self.escaped = (end - start) % 2 == 1

    def inflated(self, data: bytes) -> bytes:
        """Inflated bytes whose gzip has been passed on: their whole lines are counted as
        passed on; the unfinished last line is returned, to be read with what follows."""
        cut = data.rfind(b"\n") + 1
        if cut:
            self.passed(data[:cut])
        return data[cut:]


def _first_suspect(rest: bytes, sent_lines: int) -> LineError:
    """The first line of `rest` holding `\\\\=`, in the native store's words."""
    before, _, _ = rest.partition(HAZARD)
    index = before.count(b"\n")
    line = rest.split(b"\n")[index]
    parsed = parse_lines(line, Precision.NANOSECOND, 0, vectorised=False)
    reason = parsed.errors[0].reason if parsed.errors else "invalid field format"
    text = line.decode("utf-8", "replace").lstrip(" \t").removesuffix("\r")
    return LineError(sent_lines + index + 1, text, reason)


async def _joined(first: bytes, rest: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    if first:
        yield first
    async for chunk in rest:
        yield chunk
