"""DATE_BIN as InfluxDB 3 reads it: arguments by position, and DataFusion's errors.

sqlglot's own DATE_BIN builder takes the third argument for a unit word (a quoted origin comes
back upper-cased) and answers a short call with its "Required keyword" error. Reading the
arguments by position keeps the origin as the user wrote it, so a bad one can be refused in
DataFusion's words, on the native path and in the translation to InfluxQL alike.
"""

from __future__ import annotations

import re
from datetime import date, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlglot import exp

from .datafusion import Unsupported

#: DataFusion's date_bin refuses any other count of arguments.
_ARITY = "Execution error: DATE_BIN expected two or three arguments"
_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?")
_OFFSET = re.compile(r"[+-]\d{2}(?::?\d{2})?$")


def build_date_bin(args: list[exp.Expression]) -> exp.Expression:
    """The parser's builder for DATE_BIN(stride, source[, origin])."""
    if len(args) not in (2, 3):
        # kept as a call of that name, refused with DataFusion's wording by check_date_bins
        return exp.Anonymous(this="date_bin", expressions=args)
    origin = args[2] if len(args) == 3 else None
    return exp.DateBin(this=args[0], expression=args[1], origin=origin)


def check_date_bins(tree: exp.Expression) -> None:
    """Refuse DATE_BIN calls DataFusion refuses (raises Unsupported)."""
    for node in tree.walk():
        if isinstance(node, exp.Anonymous) and node.name.lower() == "date_bin":
            raise Unsupported(_ARITY)
        if isinstance(node, exp.DateBin):
            origin = node.args.get("origin")
            if isinstance(origin, exp.Cast) and origin.this.is_string:
                origin = origin.this  # TIMESTAMP '...' is read by the same parser
            if isinstance(origin, exp.Literal) and origin.is_string:
                problem = _timestamp_problem(origin.this)
                if problem:
                    raise Unsupported("Arrow error: Parser error: Error parsing timestamp "
                                      f"from '{origin.this}': {problem}")


def _timestamp_problem(text: str) -> str | None:
    """Why Arrow's timestamp parser refuses `text` (in its words), or None: a date, then `T`
    or a space and a time, then nothing, `Z` or an offset."""
    if len(text) < 10:
        return "timestamp must contain at least 10 characters"
    if not _date(text[:10]):
        return "error parsing date"
    if len(text) == 10:
        return None
    if text[10] not in "Tt ":
        return "invalid timestamp separator"
    clock = _TIME.match(text, 11)
    if clock is None or not _time(clock):
        return "error parsing time"
    rest = text[clock.end():].strip()
    if rest in ("", "Z", "z") or _OFFSET.match(rest) or _zone(rest):
        return None
    return f"Invalid timezone \"{rest}\""


def _zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # unknown, malformed, a folder
        return False
    return True


def _date(text: str) -> bool:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _time(clock: re.Match[str]) -> bool:
    try:
        time(int(clock[1]), int(clock[2]), int(clock[3] or 0))
    except ValueError:
        return False
    return True
