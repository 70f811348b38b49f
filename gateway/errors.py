"""Error categories raised by domain code; gateway/api maps them to statuses and bodies.

    GatewayError (category, message)
     ├─ PartialWrite       some lines rejected; carries the LineErrors and counts
     ├─ QueryTimedOut      a query ran past the query timeout (UNAVAILABLE)
     ├─ StoreDown          the native store refuses every request until it is reopened
     └─ (all others are plain GatewayError with a Category)

No HTTP here: a category says what went wrong, the API layer decides how each generation
says it.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence

from translators.lineprotocol import LineError


class Category(enum.Enum):
    INVALID = "invalid"
    UNAUTHORIZED = "unauthorized"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not found"
    CONFLICT = "conflict"
    METHOD_NOT_ALLOWED = "method not allowed"
    TOO_LARGE = "request too large"
    UNSUPPORTED_MEDIA_TYPE = "unsupported media type"
    TOO_MANY_REQUESTS = "too many requests"
    UNAVAILABLE = "unavailable"
    BAD_GATEWAY = "bad gateway"  # an upstream answered something unusable
    GATEWAY_TIMEOUT = "gateway timeout"  # an upstream did not answer in time
    INTERNAL = "internal error"


class GatewayError(Exception):
    """An error with a category; `message` is safe to show to the caller."""

    # On the error of a failed part of a write split among targets: what the other parts
    # did (services.split_answers.SplitNote), so that a split of a split names them once.
    split_note: object = None

    def __init__(self, category: Category, message: str, *,
                 retry_after: float | None = None) -> None:
        super().__init__(message)
        self.category = category
        self.message = message
        self.retry_after = retry_after  # seconds, when the caller should try again


def invalid(message: str) -> GatewayError:
    return GatewayError(Category.INVALID, message)


def not_found(message: str) -> GatewayError:
    return GatewayError(Category.NOT_FOUND, message)


def conflict(message: str) -> GatewayError:
    return GatewayError(Category.CONFLICT, message)


class QueryTimedOut(GatewayError):
    """The query timeout passed while the native store or an upstream was still answering;
    InfluxQL answers it as a statement's error."""

    def __init__(self, timeout: float) -> None:
        super().__init__(Category.UNAVAILABLE, f"query timed out after {timeout:g} s")


class PartialWrite(GatewayError):
    """Some or all lines of a write were rejected.

    `written` points were stored (0 when nothing was); `dropped` counts points that parsed but
    were refused by the store (1.x reports this number, not the parse failures).
    """

    def __init__(self, errors: Sequence[LineError], written: int, dropped: int,
                 omitted: int = 0, beyond_retention: int = 0) -> None:
        self.errors = list(errors)
        self.written = written
        self.dropped = dropped
        self.beyond_retention = beyond_retention  # of `dropped`, older than the policy keeps
        self.omitted = omitted  # rejected lines beyond those described
        message = "\n".join(e.describe() for e in self.errors)
        if omitted:
            message += f"\n... and {omitted} more rejected lines"
        super().__init__(Category.INVALID, message)


class StoreDown(GatewayError):
    """The native store is down (DuckDB invalidated its database, which is being reopened):
    the whole request is refused, never one statement of it."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(Category.UNAVAILABLE, message, retry_after=retry_after)
