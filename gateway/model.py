"""The narrow waist: values every front door produces and every back end consumes."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from gateway.streams import BodyStream
from translators.lineprotocol import LineError, Precision


class Generation(enum.StrEnum):
    """The API generation a server speaks natively; also names the error-body format."""

    V1 = "v1"
    V2 = "v2"
    V3 = "v3"


@dataclass(frozen=True, slots=True)
class PassCredentials:
    """The caller's own credentials, forwarded only when a route says `passthrough`."""

    authorization: str | None = None  # the Authorization header as sent
    username: str | None = None  # v1 `u` / `p` query parameters
    password: str | None = None


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling. Until tenancy lands there is one kind: anonymous or the admin token."""

    name: str
    admin: bool = False


ANONYMOUS = Principal("anonymous")


@dataclass(frozen=True, slots=True)
class Namespace:
    """Where data lives: a database (v1 db, v2 bucket, v3 db) and an optional v1 retention
    policy."""

    database: str
    retention_policy: str | None = None


@dataclass(frozen=True, slots=True)
class WriteBatch:
    """A caller's line-protocol bytes with their precision; parsed only where needed.

    A front door hands the body over still arriving (`stream`, with `body` empty) so that a
    route relaying it unchanged can pass it on as it comes; everything else reads it whole
    first (`buffered`).
    """

    namespace: Namespace
    body: bytes  # as sent: compressed when `encoding` is set
    precision: Precision
    received_ns: int
    encoding: str | None = None  # "gzip", or None for plain line protocol
    accept_partial: bool = True
    sync: bool = True
    credentials: PassCredentials | None = None  # the caller's, for `passthrough` routes
    stream: BodyStream | None = None  # the body, not read yet

    async def buffered(self) -> WriteBatch:
        """This batch with its body read whole (itself when it already is)."""
        if self.stream is None:
            return self
        return replace(self, body=await self.stream.read(), stream=None)


@dataclass(slots=True)
class WriteOutcome:
    """What happened to a batch: points stored and lines rejected (with 1-based numbers)."""

    written: int = 0
    dropped: int = 0
    errors: list[LineError] = field(default_factory=list)
    beyond_retention: int = 0  # of `dropped`, points older than the policy keeps
    # Mirrors of a route that hold the batch only in their replay queue, and those that
    # refused it for good (a 4xx, logged): neither has stored it.
    queued: list[str] = field(default_factory=list)
    refused_by: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class SqlQuery:
    namespace: Namespace
    text: str
    params: dict[str, object] = field(default_factory=dict)
    gone: Callable[[], bool] | None = None  # whether the caller has gone: stop reading for it
