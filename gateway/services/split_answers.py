"""Answers of a write split among targets (by measurement, or over shards), as one answer in
the caller's terms: the native store's answer for the whole body.

A target numbers the lines of the part it was sent, and 1.x names a refused line by its text
only, so each part keeps the number in the caller's body of each of its lines
(`rewrite.split_numbered`) and a target's 400 for lines is read back in those numbers
(part_refusals). Parts refusing lines make one partial write naming them all in
the caller's order, described and counted as the native store describes and counts them
(the first MAX_LINE_ERRORS of each kind, the rest counted). Any other error is the first
failed part's, with its status, naming its target and what became of the other parts: which
targets stored them, which mirrors only queued them, which lines were refused (SplitNote).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass, replace

from gateway.config import NATIVE
from gateway.errors import GatewayError, PartialWrite
from gateway.model import WriteOutcome
from gateway.services.mirror_statements import target_label
from gateway.services.part_refusals import refused_lines
from gateway.services.routing import RelayedError
from gateway.services.upstream_guard import GUARDED, Guard
from gateway.services.upstream_replies import reworded
from translators.lineprotocol import LineError, Precision
from translators.lineprotocol.model import MAX_LINE_ERRORS, refused_for_time_key
from translators.lineprotocol.rewrite import Part


async def numbered(sent: Awaitable[WriteOutcome], parts: list[Part], precision: Precision
                   ) -> WriteOutcome:
    """One part's answer in the caller's terms: the lines a target refused numbered in the
    caller's body (a target numbers those of the part it was sent; 1.x names them by their
    text), and a target that counts no points (an upstream's 204) counted as storing every
    point it was sent. `precision`: the parts' timestamps'."""
    numbers = [n for part in parts for n in part.numbers]
    try:
        outcome = await sent
    except PartialWrite as exc:
        raise _in_caller_numbers(exc, numbers) from None
    except GatewayError as exc:
        if isinstance(exc, RelayedError):
            # read in a worker thread: a large part's lines are split, perhaps parsed, for it
            refused = await asyncio.to_thread(refused_lines, exc, parts, numbers, precision)
            if refused is not None:
                raise refused from None
        note = exc.split_note  # the part was split again, and one of its own parts failed
        if isinstance(note, SplitNote) and note.refused is not None:
            exc.split_note = replace(note, refused=_in_caller_numbers(note.refused, numbers))
        raise
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
    which targets stored the other parts, which only queued them, and which lines were
    refused; else the sum."""
    for index, result in enumerate(results):
        if isinstance(result, BaseException) and not isinstance(result, PartialWrite):
            others = [(r, targets[i]) for i, r in enumerate(results) if i != index]
            raise _failed(result, guard, targets[index], others) from None
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
    lines in the caller's order, of each kind (rejected by the parser: not parsed, or
    refused for a `time` key; refused by the store) the first MAX_LINE_ERRORS described and
    the rest counted as omitted. Each part describes the first of its own, so the whole
    body's first are among those described."""
    errors = sorted([*blanked, *(e for r in refusals for e in r.errors)],
                    key=lambda e: e.line_number)
    unparsed = [e for e in errors if _by_parser(e)][:MAX_LINE_ERRORS]
    refused = [e for e in errors if not _by_parser(e)][:MAX_LINE_ERRORS]
    kept = sorted(unparsed + refused, key=lambda e: e.line_number)
    omitted = len(errors) + sum(r.omitted for r in refusals) - len(kept)
    return PartialWrite(kept, written=written, dropped=sum(r.dropped for r in refusals),
                        omitted=omitted,
                        beyond_retention=sum(r.beyond_retention for r in refusals))


@dataclass(frozen=True, slots=True)
class SplitNote:
    """What the other parts of a split write did, kept on the failed part's error
    (GatewayError.split_note) so that a part split again (a route by measurement whose
    targets are shards) and the outer split name them in one note: the failed part's text
    before the note, the targets (labelled) that stored the other parts, the mirrors that
    only queued them, and the lines they refused, numbered in the body of the split that
    made the note."""

    text: str
    stored: tuple[str, ...] = ()
    queued: tuple[str, ...] = ()
    refused: PartialWrite | None = None

    def __bool__(self) -> bool:
        return bool(self.stored or self.queued or self.refused)

    def describe(self) -> str:
        """The text with the note: `... (the write's other parts were stored by upstream a;
        queued for upstream m; lines refused: unable to parse '...': ...)`."""
        said = []
        if self.stored:
            said.append(f"stored by {', '.join(self.stored)}")
        if self.queued:
            said.append(f"queued for {', '.join(self.queued)}")
        note = f"the write's other parts were {'; '.join(said)}" if said else ""
        if self.refused is not None:
            note = "; ".join(filter(None, [note, f"lines refused: {self.refused.message}"]))
        return f"{self.text} ({note})"


def _in_caller_numbers(refused: PartialWrite, numbers: list[int]) -> PartialWrite:
    """A part's partial write, its lines (numbered in the part) numbered in the caller's
    body."""
    return PartialWrite(
        [replace(e, line_number=numbers[e.line_number - 1])
         if 0 < e.line_number <= len(numbers) else e for e in refused.errors],
        written=refused.written, dropped=refused.dropped, omitted=refused.omitted,
        beyond_retention=refused.beyond_retention)


def _noted(earlier: object, text: str, blanked: list[LineError],
           others: list[tuple[WriteOutcome | BaseException, tuple[str, ...]]]) -> SplitNote:
    """The note for a failed part whose error says `text` (`earlier`: the note its own split
    made, if any), from the other parts' results and targets (`others`): a mirror route's
    part lists its primary as storing and its mirrors as they did; a partial write, the
    target that answered it (what its mirrors did is not known). `blanked`: points kept
    from every target before the split, refused lines too when the failed part's answer
    does not name them."""
    note = earlier if isinstance(earlier, SplitNote) else SplitNote(text)
    stored: list[str] = []
    queued: list[str] = []
    for result, targets in others:
        if isinstance(result, WriteOutcome):
            stored += [t for t in targets if t not in result.queued + result.refused_by]
            queued += result.queued
        elif isinstance(result, PartialWrite) and result.written:
            stored.append(targets[0])
    refusals = [r for r, _ in others if isinstance(r, PartialWrite)]
    if note.refused is not None:
        refusals.append(note.refused)
    refused = None
    if refusals or blanked:
        refused = merged(blanked, refusals, written=sum(r.written for r in refusals))
    return SplitNote(note.text,
                     tuple(dict.fromkeys([*note.stored, *map(target_label, stored)])),
                     tuple(dict.fromkeys([*note.queued, *map(target_label, queued)])),
                     refused)


def _failed(error: BaseException, guard: Guard | None, targets: tuple[str, ...],
            others: list[tuple[WriteOutcome | BaseException, tuple[str, ...]]]
            ) -> BaseException:
    """A part's error other than refused lines: a 1.x or 2.x 400 with the points blanked out
    before the split named too; when other parts were stored or queued, or lines refused,
    its text names the target that failed (as a shard's error for a statement other shards
    ran does) and adds the note (SplitNote), its status as the target gave it, so that a
    caller retries the write (the refused lines will be refused again, and named in a
    partial write once every target answers)."""
    if not isinstance(error, GatewayError):
        return error
    blanked = list(guard.errors) if guard is not None else []
    if isinstance(error, RelayedError):
        reply = error.reply
        written = any(_stored(r) for r, _ in others)
        if guard is not None and reply.generation in GUARDED:
            reply = guard.answer(reply, written_elsewhere=written)
            if reply is not error.reply:
                blanked = []  # named in the upstream's 400 already
        text = reply.error_message()
        if not text.startswith(f"upstream {error.upstream}"):
            text = f"upstream {error.upstream}: {text}"
        note = _noted(error.split_note, text, blanked, others)
        if note:
            reply = reworded(reply, note.describe())
        if reply is error.reply:
            return error
        relayed = RelayedError(error.upstream, reply)
        relayed.split_note = note
        return relayed
    message = error.message
    if targets == (NATIVE,) and not message.startswith("upstream "):
        message = f"{target_label(NATIVE)}: {message}"
    note = _noted(error.split_note, message, blanked, others)
    if not note:
        return error
    failed = GatewayError(error.category, note.describe(), retry_after=error.retry_after)
    failed.split_note = note
    return failed


def _by_parser(error: LineError) -> bool:
    # The parser refuses a point that parsed for a `time` tag or a `time` field alone
    # (translators.lineprotocol.slow._refuse): the native store's parser describes the
    # first MAX_LINE_ERRORS of these and of the lines that did not parse together. A field
    # given two types in one line is refused by the parser too, in the words of the store's
    # refusal of a type its catalog does not hold: counted with the store's.
    return not error.parsed or refused_for_time_key(error.reason)


def _stored(result: WriteOutcome | BaseException) -> bool:
    return isinstance(result, WriteOutcome) or isinstance(result, PartialWrite) and bool(
        result.written)
