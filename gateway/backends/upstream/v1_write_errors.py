"""InfluxDB 1.x's 400 for a write, read into its parts and written back in its words.

1.x (httpd's serveWrite over models.ParsePointsWithPrecision and the PointsWriter) answers a
write it did not wholly store in one of three ways:

- `unable to parse '<line>': <reason>` for each line that did not parse, joined by newlines,
  when no point parsed (nothing stored);
- `partial write: <those lines> dropped=0` when some points parsed and were stored;
- `partial write: <reason> dropped=<n>` when its store refused `n` points (a field type
  conflict, a `time` tag, points beyond the retention policy): the lines that did not parse
  go unmentioned then.

`<line>` is the point as sent, without its leading blanks or its newline (a carriage return
stays; a point whose string holds a newline is quoted with it).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

PARTIAL = "partial write: "
UNPARSED = "unable to parse '"
_QUOTE_END = "': "
_DROPPED = re.compile(r" dropped=(\d+)\Z")


@dataclass(frozen=True, slots=True)
class Unparsed:
    """One line 1.x could not parse: its text as 1.x quotes it, and why."""

    text: str
    reason: str

    def describe(self) -> str:
        return f"{UNPARSED}{self.text}{_QUOTE_END}{self.reason}"


@dataclass(frozen=True, slots=True)
class V1WriteError:
    """A 1.x write error's parts: the lines that did not parse, whether it stored points
    (`partial`), and the points its store refused with the reason it gives for them."""

    unparsed: tuple[Unparsed, ...] = ()
    partial: bool = False
    dropped: int = 0
    refusal: str | None = None  # the store's reason for the `dropped` points

    def message(self) -> str:
        """The error in 1.x's words (the inverse of `read_write_error`)."""
        reason = self.refusal if self.refusal is not None else "\n".join(
            u.describe() for u in self.unparsed)
        if not self.partial:
            return reason
        return f"{PARTIAL}{reason} dropped={self.dropped}"


def read_write_error(message: str) -> V1WriteError | None:
    """A 1.x write 400's message read back (`V1WriteError`); None when it is none of 1.x's
    three shapes (another error, or a message cut short)."""
    partial = message.startswith(PARTIAL)
    dropped = 0
    reason = message
    if partial:
        count = _DROPPED.search(message)
        if count is None:
            return None
        dropped = int(count[1])
        reason = message[len(PARTIAL):count.start()]
    if not reason.startswith(UNPARSED):
        if not partial or not reason:
            return None
        return V1WriteError(partial=True, dropped=dropped, refusal=reason)
    unparsed = _unparsed(reason)
    if unparsed is None:
        return None
    return V1WriteError(unparsed, partial, dropped)


def unparsed_message(unparsed: Sequence[Unparsed], *, partial: bool) -> str:
    """1.x's answer naming lines that did not parse: bare when nothing was stored."""
    return V1WriteError(tuple(unparsed), partial).message()


def _unparsed(reason: str) -> tuple[Unparsed, ...] | None:
    described: list[Unparsed] = []
    # A quoted point may hold a newline (inside a string), but not one followed by 1.x's
    # words for the next line.
    for piece in reason[len(UNPARSED):].split("\n" + UNPARSED):
        text, found, why = piece.rpartition(_QUOTE_END)
        if not found or not why:
            return None
        described.append(Unparsed(text, why))
    return tuple(described)
