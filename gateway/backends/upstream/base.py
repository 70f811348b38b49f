"""What every upstream client offers, whatever generation the server on the far side speaks.

An upstream either answers (an `UpstreamReply`: its real status, headers and body, whatever
they are) or cannot be reached in time (an `UpstreamFailure`). Deciding what a reply means for
the caller is the router's job; the clients only speak the wire protocol.
"""

from __future__ import annotations

import datetime
import email.utils
import enum
import json
import math
import re
from abc import ABC, abstractmethod
from collections.abc import AsyncIterable, Mapping, Sequence
from dataclasses import dataclass, field

from gateway.model import Generation, Namespace, PassCredentials
from translators.lineprotocol import FieldType, Precision

Body = bytes | AsyncIterable[bytes]  # a request body: whole, or chunks as they arrive
_DELAY_SECONDS = re.compile(r"[0-9]+(?:\.[0-9]+)?")


@dataclass(frozen=True, slots=True)
class UpstreamReply:
    """An upstream's answer as received: relayed unchanged when the caller speaks `generation`."""

    status: int
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)  # lower-case names
    generation: Generation = Generation.V1

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def retryable(self) -> bool:
        """Worth sending again later: the server is overloaded or failing, not refusing."""
        return self.status == 429 or self.status >= 500

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    def error_message(self) -> str:
        """The human text of an error answer, whichever generation's body it is."""
        try:
            body = json.loads(self.body)
        except ValueError:
            body = None
        if isinstance(body, dict):
            for key in ("error", "message"):
                if isinstance(body.get(key), str):
                    return body[key]
        text = self.body.decode("utf-8", "replace").strip()
        return text or f"upstream answered {self.status}"

    def retry_after(self) -> float | None:
        """Seconds to wait from a Retry-After header: RFC 9110's delay-seconds (digits, a
        fraction tolerated) or an HTTP-date; None for anything else. float() alone would take
        "inf" or "nan", and a replay waiting that long never resumes (nor can a caller's
        Retry-After header say it)."""
        value = self.headers.get("retry-after", "").strip()
        if _DELAY_SECONDS.fullmatch(value):
            seconds = float(value)
            return seconds if math.isfinite(seconds) else None
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:  # an HTTP-date is GMT; parsedate leaves "-0000" naive
            when = when.replace(tzinfo=datetime.UTC)
        return max(0.0, (when - datetime.datetime.now(datetime.UTC)).total_seconds())


class FailureKind(enum.StrEnum):
    REFUSED = "refused"  # could not connect (refused, DNS, TLS handshake)
    TIMEOUT = "timeout"  # connect or read timed out
    PROTOCOL = "protocol"  # answered something that is not HTTP, or closed mid-body


class UpstreamFailure(Exception):
    """No usable answer from the upstream; always worth retrying later.

    `refused_header` is the value of an answer header that HTTP forbids (one holding a NUL),
    when that is why the answer could not be read: all that is left of it.
    """

    def __init__(self, upstream: str, kind: FailureKind, detail: str, *,
                 refused_header: str | None = None) -> None:
        super().__init__(f"upstream {upstream}: {kind.value}: {detail}")
        self.upstream = upstream
        self.kind = kind
        self.detail = detail
        self.refused_header = refused_header


class UnexpectedReply(Exception):
    """The upstream answered, but not what a call that parses the answer needed (an error
    status, or a body that does not parse); `reply` is the answer as received."""

    def __init__(self, upstream: str, reply: UpstreamReply, detail: str) -> None:
        super().__init__(f"upstream {upstream}: {detail}")
        self.upstream = upstream
        self.reply = reply
        self.detail = detail


@dataclass(frozen=True, slots=True)
class InfluxQLCall:
    """One InfluxQL request as 1.x's /query takes it; names already mapped to the upstream's."""

    text: str
    database: str | None = None
    retention_policy: str | None = None
    epoch: str | None = None
    params: str | None = None  # the JSON text of `params`, as sent
    accept: str | None = None  # the caller's Accept header
    chunked: bool = False
    chunk_size: int | None = None
    write: bool = False  # POST (statements that change things); GET otherwise
    pretty: bool = False


class Upstream(ABC):
    """A client for one upstream server, holding one aiohttp session with keep-alive."""

    generation: Generation
    name: str

    @abstractmethod
    def accepts(self, precision: Precision) -> bool:
        """True when a write in `precision` can be sent without rewriting its timestamps."""

    @abstractmethod
    async def write(self, namespace: Namespace, body: Body, precision: Precision, *,
                    gzip: bool = False, credentials: PassCredentials | None = None
                    ) -> UpstreamReply:
        """Send line protocol (already in a precision the upstream `accepts`): bytes, or
        chunks passed on as they come (a chunk iterator that raises abandons the request
        before the body's end, so the upstream stores none of it)."""

    @abstractmethod
    async def influxql(self, call: InfluxQLCall, *,
                       credentials: PassCredentials | None = None,
                       received: bytearray | None = None) -> UpstreamReply:
        """Run InfluxQL through the upstream's 1.x-compatible /query; the body is buffered,
        in `received` too as it arrives (what came of a request cut short is left there)."""

    async def sql(self, database: str, text: str, *, params: Mapping[str, object] | None = None,
                  format: str = "json", credentials: PassCredentials | None = None
                  ) -> UpstreamReply:
        """Run SQL (InfluxDB 3 only; the router translates SQL to InfluxQL for the others)."""
        raise NotImplementedError(f"{self.generation} upstreams do not run SQL")

    # The calls below go with the gateway's credentials for the upstream, or with the
    # caller's (`credentials`) on a `passthrough` route.

    @abstractmethod
    async def create_database(self, name: str, *,
                              credentials: PassCredentials | None = None) -> UpstreamReply:
        """Create a database (v1, v3) or bucket (v2) so that writes to `name` succeed."""

    async def drop_database(self, name: str, *,
                            credentials: PassCredentials | None = None) -> UpstreamReply:
        """Delete a database through InfluxDB 3's configure API (the others drop databases
        over /query, or, InfluxDB 2, not through the gateway)."""
        raise NotImplementedError(f"{self.generation} upstreams have no configure API")

    async def create_table(self, database: str, table: str, tags: Sequence[str],
                           fields: Mapping[str, FieldType], *,
                           credentials: PassCredentials | None = None) -> UpstreamReply:
        """Create a table through InfluxDB 3's configure API."""
        raise NotImplementedError(f"{self.generation} upstreams have no tables to create")

    async def drop_table(self, database: str, table: str, *,
                         credentials: PassCredentials | None = None) -> UpstreamReply:
        """Delete a table through InfluxDB 3's configure API."""
        raise NotImplementedError(f"{self.generation} upstreams have no configure API")

    @abstractmethod
    async def databases(self, *, credentials: PassCredentials | None = None) -> list[str]:
        """Database (v1, v3) or bucket (v2) names the upstream holds; `UnexpectedReply` when
        the upstream answers anything but the list."""

    @abstractmethod
    async def ping(self) -> UpstreamReply:
        """The upstream's health endpoint answer."""

    async def start(self) -> None:
        """Open the session now (it is otherwise opened by the first request)."""
        return None  # clients without a session to open have nothing to do

    @abstractmethod
    async def close(self) -> None:
        """Close the session."""
