"""The InfluxQL parse error, worded exactly as InfluxDB 1.x words it.

1.x answers a bad query with `error parsing query: <text>`; `str(err)` is `<text>` and
`err.full` the whole sentence. Most errors carry a position (`at line L, char C`, both 1-based);
a few of 1.x's errors carry none (`missing parameter: x`, `only ORDER BY time supported at this
time`) and some carry a zero position (`too many segments in ... at line 1, char 1`).
"""

from __future__ import annotations

PREFIX = "error parsing query: "


class InfluxQLParseError(Exception):
    """A statement 1.x would refuse to parse.

    `found`/`expected` are set for "found X, expected Y" errors, `message` for the others;
    `line`/`char` are 1-based, or None when 1.x gives no position.
    """

    def __init__(self, message: str = "", *, found: str | None = None,
                 expected: tuple[str, ...] = (), line: int | None = None,
                 char: int | None = None) -> None:
        self.message = message
        self.found = found
        self.expected = tuple(expected)
        self.line = line
        self.char = char
        super().__init__(self._text())

    def _text(self) -> str:
        if self.message:
            text = self.message
        else:
            text = f"found {self.found}, expected {', '.join(self.expected)}"
        if self.line is not None:
            text += f" at line {self.line}, char {self.char}"
        return text

    @property
    def full(self) -> str:
        """The text 1.x's HTTP API answers: `error parsing query: ...`."""
        return PREFIX + str(self)


def positioned(message: str, pos: tuple[int, int]) -> InfluxQLParseError:
    """A 1.x `ParseError{Message, Pos}`; `pos` is the scanner's 0-based (line, char)."""
    return InfluxQLParseError(message, line=pos[0] + 1, char=pos[1] + 1)


def unexpected(found: str, expected: list[str] | tuple[str, ...],
               pos: tuple[int, int]) -> InfluxQLParseError:
    """1.x's `newParseError`: "found X, expected A, B at line L, char C"."""
    return InfluxQLParseError(found=found, expected=tuple(expected), line=pos[0] + 1,
                              char=pos[1] + 1)


def plain(message: str) -> InfluxQLParseError:
    """An error 1.x returns without a position (a bare `errors.New`)."""
    return InfluxQLParseError(message)


class QueryError(ValueError):
    """A statement 1.x refuses after parsing (while planning or running it); the message is
    1.x's, and the answer is that statement's error, not a failed request."""


class StatementPanic(QueryError):
    """A statement on which 1.x's engine panics (`reason`, e.g. `unreachable`). Its executor
    recovers and answers, in place of that statement's result and every later one, a result
    with statement_id -1 whose error is the whole query's text and `[panic:<reason>]`."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"[panic:{reason}]")
        self.reason = reason
