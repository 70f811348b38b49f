"""The HTTP transport every upstream client shares: one pooled session and one error boundary.

Every aiohttp or asyncio exception is translated here, once, into an `UpstreamFailure`:

    cannot connect (refused, DNS, TLS handshake, certificate)     -> REFUSED
    connect or read timed out, or the whole request ran too long -> TIMEOUT
    not HTTP, bad framing, closed mid-body, reset after connect  -> PROTOCOL
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import ssl
from collections.abc import AsyncIterable, AsyncIterator, Mapping

import aiohttp
from aiohttp.http_exceptions import InvalidHeader

from gateway import __version__
from gateway.config import UpstreamConfig
from gateway.streams import BodyStream

from .base import (
    Body,
    FailureKind,
    Generation,
    UnexpectedReply,
    UpstreamFailure,
    UpstreamReply,
)

log = logging.getLogger(__name__)

USER_AGENT = f"influx-gateway/{__version__}"
# Answers uncompressed: 1.x gzips whatever a client accepts, which costs the upstream a deflate
# and the gateway an inflate on every answer it relays; the hop is loopback or a LAN.
_SESSION_HEADERS = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity"}

# aiohttp hands the body over decoded, so these headers no longer describe it.
_STALE_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})

# Connecting never got as far as an HTTP exchange.
_CANNOT_CONNECT = (aiohttp.ClientConnectorError, aiohttp.ServerFingerprintMismatch,
                   aiohttp.InvalidURL)


def ssl_setting(config: UpstreamConfig) -> ssl.SSLContext | bool:
    """aiohttp's `ssl` argument: verification is off only when the config says so."""
    if config.insecure_skip_verify:
        return False
    if config.ca_file:
        return ssl.create_default_context(cafile=config.ca_file)
    return True


def reply_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Lower-cased names; repeated headers joined as HTTP folds them."""
    out: dict[str, str] = {}
    for name, value in headers.items():
        key = name.lower()
        if key in _STALE_HEADERS:
            continue
        out[key] = f"{out[key]}, {value}" if key in out else value
    return out


def without_none(values: Mapping[str, str | None]) -> dict[str, str]:
    """Query parameters with the unset ones left out (aiohttp refuses None)."""
    return {key: value for key, value in values.items() if value is not None}


def json_answer(upstream: str, reply: UpstreamReply) -> object:
    """The parsed body of a successful JSON answer; `UnexpectedReply` for anything else."""
    if not reply.ok:
        raise UnexpectedReply(upstream, reply,
                              f"answered {reply.status}: {reply.error_message()}")
    try:
        return json.loads(reply.body)
    except ValueError:
        raise UnexpectedReply(upstream, reply, "the answer is not JSON") from None


def _refused_header(exc: BaseException) -> str | None:
    """The value of the answer header that aiohttp's parser refused for holding a NUL (which
    it refuses in every mode), when that is what `exc` comes from."""
    cause = exc.__cause__
    while cause is not None:
        if isinstance(cause, InvalidHeader) and isinstance(cause.args[0], bytes):
            value = cause.args[0]
            return value.decode("utf-8", "replace") if b"\0" in value else None
        cause = cause.__cause__
    return None


def _extend(deadline: asyncio.Timeout, seconds: float) -> None:
    # The upstream may answer (and the request end) before the whole body is sent.
    with contextlib.suppress(RuntimeError):
        deadline.reschedule(asyncio.get_running_loop().time() + seconds)


class HttpTransport:
    """One upstream's session: a bounded keep-alive pool, its TLS settings and timeouts."""

    def __init__(self, config: UpstreamConfig, generation: Generation) -> None:
        self.name = config.name
        self.generation = generation
        self._base = config.url.rstrip("/")
        self._limit = config.max_connections
        # Built now so that an unreadable ca_file fails at start-up, not on the first request.
        self._ssl = ssl_setting(config)
        self._timeout = aiohttp.ClientTimeout(total=config.timeout_seconds,
                                              connect=config.connect_timeout_seconds)
        # A streamed body is paced by its caller: see `_paced`.
        self._streamed_timeout = aiohttp.ClientTimeout(connect=config.connect_timeout_seconds)
        self._session: aiohttp.ClientSession | None = None

    def _open(self) -> aiohttp.ClientSession:
        # Created on first use because a ClientSession must be made inside the running loop.
        if self._session is None:
            connector = aiohttp.TCPConnector(limit=self._limit, limit_per_host=0, ssl=self._ssl)
            # No cookie jar: the session serves every caller of this upstream, and a cookie
            # one answer sets must not ride along on another caller's request.
            self._session = aiohttp.ClientSession(
                connector=connector, timeout=self._timeout, headers=_SESSION_HEADERS,
                cookie_jar=aiohttp.DummyCookieJar(), raise_for_status=False)
        return self._session

    async def start(self) -> None:
        self._open()

    async def close(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    async def request(self, method: str, path: str, *,
                      params: Mapping[str, str] | None = None,
                      headers: Mapping[str, str] | None = None,
                      data: Body | Mapping[str, str] | None = None,
                      json_body: object = None,
                      received: bytearray | None = None) -> UpstreamReply:
        """Send one request and buffer the whole answer, whatever its status. A redirect is
        such an answer, not followed: the upstream is the configured URL, and following a
        Location would carry the caller's credentials and body wherever it points. The body
        is also put in `received` as it arrives, when given: a caller that stops waiting
        keeps what had come (the chunks of a chunked answer already sent)."""
        session = self._open()
        timeout = self._timeout
        deadline: contextlib.AbstractAsyncContextManager[object] = contextlib.nullcontext()
        if isinstance(data, AsyncIterable):
            if isinstance(data, BodyStream) and data.length is not None:
                # Sent with the caller's length, not chunked: the upstream then sizes its
                # buffer once (1.x grows it by doubling otherwise), as for the caller directly.
                headers = {**(headers or {}), "Content-Length": str(data.length)}
            timeout, deadline = self._streamed_timeout, asyncio.timeout(None)
            data = self._paced(data, deadline)
        try:
            async with deadline, session.request(
                    method, self._base + path, params=params, headers=headers, data=data,
                    json=json_body, timeout=timeout, allow_redirects=False) as response:
                if received is None:
                    body = await response.read()
                else:
                    async for piece in response.content.iter_any():
                        received += piece
                    body = bytes(received)
                return UpstreamReply(response.status, body, reply_headers(response.headers),
                                     self.generation)
        # Timeouts first: aiohttp's own timeout errors are also connection errors.
        except TimeoutError as exc:
            # aiohttp names a connect timeout; the total one comes without words.
            detail = str(exc) or f"no answer within {self._timeout.total} s"
            raise self._failure(FailureKind.TIMEOUT, method, path, detail, exc) from exc
        except _CANNOT_CONNECT as exc:
            raise self._failure(FailureKind.REFUSED, method, path, str(exc), exc) from exc
        # Everything else went wrong after connecting: disconnects, payload and parser errors,
        # resets (a raw OSError is a reset aiohttp did not wrap).
        except (aiohttp.ClientError, OSError) as exc:
            raise self._failure(FailureKind.PROTOCOL, method, path,
                                str(exc) or type(exc).__name__, exc,
                                refused_header=_refused_header(exc)) from exc

    async def _paced(self, chunks: AsyncIterable[bytes],
                     deadline: asyncio.Timeout) -> AsyncIterator[bytes]:
        """A body the caller is still sending: `timeout_seconds` bounds each chunk's way from
        the caller to the upstream, then the answer once the last one is sent, so a slow
        caller's big body is not cut off by the upstream's timeout (the whole of it is
        bounded by write.max_body_bytes), while a stalled caller or upstream still is."""
        total = self._timeout.total or 0.0
        _extend(deadline, total)
        async for chunk in chunks:
            yield chunk
            _extend(deadline, total)
        _extend(deadline, total)

    def _failure(self, kind: FailureKind, method: str, path: str, detail: str,
                 exc: BaseException, refused_header: str | None = None) -> UpstreamFailure:
        log.warning("upstream %s: %s %s: %s (%s)", self.name, method, path, kind.value,
                    type(exc).__name__)
        return UpstreamFailure(self.name, kind, f"{method} {path}: {detail}",
                               refused_header=refused_header)
