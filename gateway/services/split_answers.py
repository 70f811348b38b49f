"""Answers of a write split among targets (by measurement, or over shards), as one answer in
the caller's terms: the native store's answer for the whole body.

A target numbers the lines of the part it was sent, and 1.x names a refused line by its text
only, so each part keeps the number in the caller's body of each of its lines
(`rewrite.split_numbered`). Parts refusing lines make one partial write naming them all in
the caller's order; any other error is the first failed part's.
"""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import replace

from gateway.backends.upstream.base import Generation
from gateway.errors import PartialWrite
from gateway.model import WriteOutcome
from gateway.services.routing import RelayedError
from gateway.services.upstream_guard import (
    GUARDED,
    NONE_DROPPED,
    PARTIAL,
    UNPARSED,
    Guard,
)
from translators.lineprotocol import LineError
from translators.lineprotocol.rewrite import Part


def joined(parts: list[Part]) -> bytes:
    return b"\n".join(part.body for part in parts)


async def numbered(sent: Awaitable[WriteOutcome], parts: list[Part]
                    ) -> WriteOutcome:
    """One part's answer in the caller's terms: the lines a target refused numbered in the
    caller's body (a target numbers those of the part it was sent; 1.x names them by their
    text), and a target that counts no points (an upstream's 204) counted as storing every
    point it was sent."""
    numbers = [n for part in parts for n in part.numbers]
    try:
        outcome = await sent
    except RelayedError as exc:
        refused = _refused_by_1x(exc, parts, numbers)
        if refused is None:
            raise
        raise refused from None
    except PartialWrite as exc:
        raise PartialWrite(
            [replace(e, line_number=numbers[e.line_number - 1])
             if 0 < e.line_number <= len(numbers) else e for e in exc.errors],
            written=exc.written, dropped=exc.dropped, omitted=exc.omitted,
            beyond_retention=exc.beyond_retention) from None
    if not outcome.written and not outcome.dropped and not outcome.errors:
        outcome = replace(outcome, written=sum(part.points for part in parts))
    return outcome


def _refused_by_1x(error: RelayedError, parts: list[Part], numbers: list[int]
                   ) -> PartialWrite | None:
    """A 1.x upstream's 400 for the parse errors of its part (`unable to parse '<line>':
    <reason>` each, under `partial write: ... dropped=0` when it stored the rest), as the
    native store's partial write naming those lines by their number in the caller's body;
    None for any other answer, or a line not found in the part."""
    reply = error.reply
    if reply.generation is not Generation.V1 or reply.status != 400:
        return None
    message = reply.error_message()
    stored = message.startswith(PARTIAL) and message.endswith(NONE_DROPPED)
    if stored:
        message = message[len(PARTIAL):-len(NONE_DROPPED)]
    if not message.startswith(UNPARSED):
        return None
    lines = [line.decode("utf-8", "replace") for part in parts for line in part.body.split(b"\n")]
    taken: set[int] = set()
    errors: list[LineError] = []
    for described in message[len(UNPARSED):].split("\n" + UNPARSED):
        text, found, reason = described.rpartition("': ")
        index = next((i for i, line in enumerate(lines) if line == text and i not in taken), None)
        if not found or index is None or index >= len(numbers):
            return None
        taken.add(index)
        errors.append(LineError(numbers[index], text, reason))
    points = sum(part.points for part in parts)
    return PartialWrite(errors, written=points - len(errors) if stored else 0, dropped=0)


def combine(results: list[WriteOutcome | BaseException], guard: Guard | None) -> WriteOutcome:
    """Parts of one batch sent to several targets. When the parts that failed all refused
    lines (partial writes), one partial write names them all, as the native store does for
    the whole body: the points blanked out before the split and the refused lines, in the
    caller's order, with every part's points counted. Otherwise the first error wins
    (a 1.x or 2.x 400 naming the blanked points too); else the sum."""
    refusals = [r for r in results if isinstance(r, PartialWrite)]
    if refusals and all(isinstance(r, PartialWrite | WriteOutcome) for r in results):
        raise PartialWrite(
            sorted([*(guard.errors if guard is not None else ()),
                    *(e for r in refusals for e in r.errors)], key=lambda e: e.line_number),
            written=sum(r.written for r in results if isinstance(r, PartialWrite | WriteOutcome)),
            dropped=sum(r.dropped for r in refusals), omitted=sum(r.omitted for r in refusals),
            beyond_retention=sum(r.beyond_retention for r in refusals)) from None
    for result in results:
        if (guard is not None and isinstance(result, RelayedError)
                and result.reply.generation in GUARDED):
            written = any(isinstance(r, WriteOutcome) for r in results)
            reply = guard.answer(result.reply, written_elsewhere=written)
            if reply is not result.reply:
                raise RelayedError(result.upstream, reply) from None
        if isinstance(result, BaseException):
            raise result
    if guard is not None:
        guard.finish()
    total = WriteOutcome()
    for result in results:
        assert isinstance(result, WriteOutcome)
        total.written += result.written
        total.dropped += result.dropped
        total.errors.extend(result.errors)
    return total
