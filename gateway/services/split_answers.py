"""Answers of a write split among targets (by measurement, or over shards), as one answer in
the caller's terms: the native store's answer for the whole body.

A target numbers the lines of the part it was sent, and 1.x names a refused line by its text
only, so each part keeps the number in the caller's body of each of its lines
(`rewrite.split_numbered`) and a target's 400 for lines is read back in those numbers
(part_refusals). Parts refusing lines make one partial write naming them all in
the caller's order, described and counted as the native store describes and counts them
(the first MAX_LINE_ERRORS of each kind, the rest counted). Any other error is the first
failed part's, naming its target and saying which targets stored the other parts.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Sequence
from dataclasses import replace

from gateway.config import NATIVE
from gateway.errors import GatewayError, PartialWrite
from gateway.model import WriteOutcome
from gateway.services.mirror_statements import target_label
from gateway.services.part_refusals import refused_lines
from gateway.services.routing import RelayedError
from gateway.services.upstream_guard import GUARDED, Guard
from gateway.services.upstream_replies import reworded
from translators.lineprotocol import LineError, Precision
from translators.lineprotocol.model import MAX_LINE_ERRORS
from translators.lineprotocol.rewrite import Part

# How an error of one part says which targets stored the others.
_STORED_BY = " (the write's other parts were stored by "


async def numbered(sent: Awaitable[WriteOutcome], parts: list[Part], precision: Precision
                   ) -> WriteOutcome:
    """One part's answer in the caller's terms: the lines a target refused numbered in the
    caller's body (a target numbers those of the part it was sent; 1.x names them by their
    text), and a target that counts no points (an upstream's 204) counted as storing every
    point it was sent. `precision`: the parts' timestamps'."""
    numbers = [n for part in parts for n in part.numbers]
    try:
        outcome = await sent
    except RelayedError as exc:
        # read in a worker thread: a large part's lines are split, perhaps parsed, for it
        refused = await asyncio.to_thread(refused_lines, exc, parts, numbers, precision)
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


def combine(results: list[WriteOutcome | BaseException], guard: Guard | None,
            targets: Sequence[tuple[str, ...]]) -> WriteOutcome:
    """Parts of one batch sent to several targets (`targets[i]` took `results[i]`). When the
    parts that failed all refused lines (partial writes), one partial write names them all,
    as the native store does for the whole body: the points blanked out before the split
    and the refused lines, in the caller's order, with every part's points counted.
    Otherwise the first error wins (a 1.x or 2.x 400 naming the blanked points too), saying
    which targets stored the other parts; else the sum."""
    for index, result in enumerate(results):
        if isinstance(result, BaseException) and not isinstance(result, PartialWrite):
            stored = [t for i, r in enumerate(results) if i != index and _stored(r)
                      for t in targets[i]]
            raise _failed(result, guard, targets[index], stored) from None
    refusals = [r for r in results if isinstance(r, PartialWrite)]
    if refusals:
        raise merged([*(guard.errors if guard is not None else ())], refusals,
                     written=sum(r.written for r in results
                                 if isinstance(r, PartialWrite | WriteOutcome))) from None
    if guard is not None:
        guard.finish()
    total = WriteOutcome()
    for result in results:
        assert isinstance(result, WriteOutcome)
        total.written += result.written
        total.dropped += result.dropped
        total.errors.extend(result.errors)
    return total


def merged(blanked: list[LineError], refusals: list[PartialWrite], *, written: int
           ) -> PartialWrite:
    """Partial writes of the parts of one body as the native store's for the whole body: its
    lines in the caller's order, of each kind (not parsed; parsed and refused) the first
    MAX_LINE_ERRORS described and the rest counted as omitted. Each part describes the first
    of its own, so the whole body's first are among those described."""
    errors = sorted([*blanked, *(e for r in refusals for e in r.errors)],
                    key=lambda e: e.line_number)
    unparsed = [e for e in errors if not e.parsed][:MAX_LINE_ERRORS]
    refused = [e for e in errors if e.parsed][:MAX_LINE_ERRORS]
    kept = sorted(unparsed + refused, key=lambda e: e.line_number)
    omitted = len(errors) + sum(r.omitted for r in refusals) - len(kept)
    return PartialWrite(kept, written=written, dropped=sum(r.dropped for r in refusals),
                        omitted=omitted,
                        beyond_retention=sum(r.beyond_retention for r in refusals))


def _stored(result: WriteOutcome | BaseException) -> bool:
    return isinstance(result, WriteOutcome) or isinstance(result, PartialWrite) and bool(
        result.written)


def _failed(error: BaseException, guard: Guard | None, targets: tuple[str, ...],
            stored: list[str]) -> BaseException:
    """A part's error other than refused lines: a 1.x or 2.x 400 with the points blanked out
    before the split named too; when other parts were stored, its text names the target that
    failed (as a shard's error for a statement other shards ran does) and the targets that
    stored the rest, its status as the target gave it."""
    written = bool(stored)
    if isinstance(error, RelayedError):
        reply = error.reply
        if guard is not None and reply.generation in GUARDED:
            reply = guard.answer(reply, written_elsewhere=written)
        if written:
            text = reply.error_message()
            if not text.startswith(f"upstream {error.upstream}"):
                text = f"upstream {error.upstream}: {text}"
            reply = reworded(reply, _noted(text, stored))
        return error if reply is error.reply else RelayedError(error.upstream, reply)
    if not written or not isinstance(error, GatewayError):
        return error
    message = error.message
    if targets == (NATIVE,) and not message.startswith("upstream "):
        message = f"{target_label(NATIVE)}: {message}"
    return GatewayError(error.category, _noted(message, stored), retry_after=error.retry_after)


def _noted(text: str, stored: list[str]) -> str:
    """`text` saying which targets stored the other parts; a part split again (a route by
    measurement whose targets are shards) was noted by its own split: one note lists all."""
    labels = [target_label(t) for t in stored]
    before, noted, listed = text.partition(_STORED_BY)
    if noted and listed.endswith(")"):
        text, labels = before, [*listed[:-1].split(", "), *labels]
    return f"{text}{_STORED_BY}{', '.join(dict.fromkeys(labels))})"
