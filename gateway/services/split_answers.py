"""Answers of a write split among targets (by measurement, or over shards), as one answer in
the caller's terms: the native store's answer for the whole body.

A target numbers the lines of the part it was sent, and 1.x names a refused line by its text
only, so each part keeps the number in the caller's body of each of its lines
(`rewrite.split_numbered`). Parts refusing lines make one partial write naming them all in
the caller's order, described and counted as the native store describes and counts them
(the first MAX_LINE_ERRORS of each kind, the rest counted). Any other error is the first
failed part's, naming its target and saying which targets stored the other parts.
"""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from dataclasses import replace

from gateway.backends.upstream.base import Generation
from gateway.config import NATIVE
from gateway.errors import GatewayError, PartialWrite
from gateway.model import WriteOutcome
from gateway.services.routing import RelayedError
from gateway.services.upstream_guard import GUARDED, Guard
from gateway.services.upstream_replies import reworded
from gateway.services.v1_write_errors import read_write_error
from translators.lineprotocol import LineError, Precision, line_text, parse_lines, split_points
from translators.lineprotocol.model import BEYOND_RETENTION, MAX_LINE_ERRORS
from translators.lineprotocol.rewrite import Part

# How an error of one part says which targets stored the others.
_STORED_BY = " (the write's other parts were stored by "
# Why a point of a part 2.x refused is not stored, though it parsed.
UNSTORED = "not written: upstream {} stores nothing of a batch with a line it cannot parse"


def joined(parts: list[Part]) -> bytes:
    return b"\n".join(part.body for part in parts)


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
        refused = _refused_lines(exc, parts, numbers, precision)
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


def _refused_lines(error: RelayedError, parts: list[Part], numbers: list[int],
                   precision: Precision) -> PartialWrite | None:
    """A 1.x or 2.x upstream's 400 for the lines of its part it could not parse, as the
    native store's partial write naming those lines by their number in the caller's body;
    None for any other answer, or a line not found in the part.

    1.x stores the rest of the part (`partial write: ... dropped=0`), or nothing when no
    line parsed; 2.x stores nothing of it, so its other points are named as not written.
    1.x's points beyond retention: `_beyond_retention`."""
    reply = error.reply
    if reply.generation not in GUARDED or reply.status != 400:
        return None
    read = read_write_error(reply.error_message())
    if (read is not None and reply.generation is Generation.V1
            and read.refusal == BEYOND_RETENTION and read.dropped):
        return _beyond_retention(read.dropped, parts, numbers, precision)
    if read is None or read.refusal is not None or read.dropped or not read.unparsed:
        return None
    raw = split_points(joined(parts))
    # 1.x quotes a point without its leading blanks (its carriage return kept); the native
    # store's text leaves the carriage return out too (line_text).
    points = [(i, point.lstrip(b" \t").decode("utf-8", "replace"))
              for i, point in enumerate(raw) if point.strip() and i < len(numbers)]
    errors: list[LineError] = []
    named: set[int] = set()
    at = 0
    for unparsed in read.unparsed:
        while at < len(points) and points[at][1] != unparsed.text:
            at += 1
        if at == len(points):
            return None
        index = points[at][0]
        named.add(index)
        errors.append(LineError(numbers[index], line_text(raw, index + 1), unparsed.reason))
        at += 1
    total = sum(part.points for part in parts)
    if reply.generation is Generation.V1:
        return PartialWrite(errors, written=total - len(errors) if read.partial else 0,
                            dropped=0)
    unstored = [LineError(numbers[i], line_text(raw, i + 1), UNSTORED.format(error.upstream),
                          parsed=True)
                for i, text in points if i not in named and not text.startswith("#")]
    return PartialWrite(sorted(errors + unstored, key=lambda e: e.line_number), written=0,
                        dropped=len(unstored))


def _beyond_retention(dropped: int, parts: list[Part], numbers: list[int],
                      precision: Precision) -> PartialWrite:
    """1.x's `partial write: points beyond retention policy dropped=N` for a part, as the
    native store's partial write: 1.x does not say which points were too old, so they are
    counted (dropped, beyond retention, and omitted: not described), and it leaves the lines
    it could not parse unmentioned once it dropped a point, so they are named as the
    gateway's parser (which refuses what 1.x refuses) names them."""
    parsed = parse_lines(joined(parts), precision, 0)
    unparsed = [replace(e, line_number=numbers[e.line_number - 1]) for e in parsed.errors
                if not e.parsed and 0 < e.line_number <= len(numbers)]
    return PartialWrite(
        unparsed, written=sum(part.points for part in parts) - dropped - parsed.error_count,
        dropped=dropped, beyond_retention=dropped,
        omitted=dropped + parsed.error_count - len(unparsed))


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
        message = f"the native store: {message}"
    return GatewayError(error.category, _noted(message, stored), retry_after=error.retry_after)


def _noted(text: str, stored: list[str]) -> str:
    """`text` saying which targets stored the other parts; a part split again (a route by
    measurement whose targets are shards) was noted by its own split: one note lists all."""
    labels = [f"upstream {t}" if t != NATIVE else "the native store" for t in stored]
    before, noted, listed = text.partition(_STORED_BY)
    if noted and listed.endswith(")"):
        text, labels = before, [*listed[:-1].split(", "), *labels]
    return f"{text}{_STORED_BY}{', '.join(dict.fromkeys(labels))})"
