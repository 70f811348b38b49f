"""What every fake upstream shares: the server (recording, gzip bodies, failure switches,
start and stop), a thread to run it in for sync tests, and line-protocol and credential checks.

Each fake records every request it receives (`received`), keeps the lines written per bucket or
database (`lines`), and can be told to fail (`fail`, `slow`) or stopped to refuse connections.
Start one with `async with FakeInfluxDB3() as fake:` in async tests, or
`with FakeInfluxDB3().threaded() as fake:` in sync ones; `fake.url` is its address.
"""

from __future__ import annotations

import asyncio
import base64
import gzip
import json
import socket
import ssl
import threading
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Self
from urllib.parse import parse_qsl

from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
BODY: web.RequestKey[bytes] = web.RequestKey("body", bytes)  # the decoded request body


@dataclass(frozen=True)
class Received:
    """One request as the fake saw it."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: bytes  # decoded: gunzipped when sent with Content-Encoding: gzip (if it was)
    peer: tuple[str, int]  # the client's address: one per connection

    def json(self) -> Any:
        return json.loads(self.body)

    def form(self) -> dict[str, str]:
        return dict(parse_qsl(self.body.decode(), keep_blank_values=True))


@dataclass
class Trouble:
    status: int
    retry_after: str | None
    times: int | None  # answers left to spoil; None = until `recover()`


class BackgroundLoop:
    """start()/stop() coroutines run in a thread of their own, for sync tests."""

    async def start(self) -> Self:
        raise NotImplementedError

    async def stop(self) -> None:
        raise NotImplementedError

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @contextmanager
    def threaded(self) -> Iterator[Self]:
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, daemon=True)
        thread.start()
        try:
            asyncio.run_coroutine_threadsafe(self.start(), loop).result(10)
            yield self
        finally:
            asyncio.run_coroutine_threadsafe(self.stop(), loop).result(10)
            loop.call_soon_threadsafe(loop.stop)
            thread.join(10)
            loop.close()


def loopback_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


class FakeServer(BackgroundLoop):
    """What every fake shares: recording, gzip bodies, failure switches, start and stop."""

    max_body_bytes = 25_000_000

    def __init__(self, ssl_context: ssl.SSLContext | None = None) -> None:
        self.received: list[Received] = []
        self.lines: dict[str, list[str]] = defaultdict(list)
        self.delay = 0.0
        self.trouble: Trouble | None = None
        self.port = 0
        self._ssl = ssl_context
        self._stopping = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.app = web.Application(middlewares=[self._middleware],
                                   client_max_size=4 * self.max_body_bytes)
        self.routes(self.app.router)

    # -- what a subclass provides -----------------------------------------------------------

    def routes(self, router: web.UrlDispatcher) -> None:
        raise NotImplementedError

    def error(self, status: int, message: str, **extra: object) -> web.Response:
        raise NotImplementedError

    # -- switches ---------------------------------------------------------------------------

    def fail(self, status: int, *, retry_after: str | None = None,
             times: int | None = None) -> None:
        """Answer `status` (with the generation's error body) instead of serving requests."""
        self.trouble = Trouble(status, retry_after, times)

    def recover(self) -> None:
        self.trouble = None
        self.delay = 0.0

    def slow(self, seconds: float) -> None:
        """Wait this long before answering each request (cut short by stop())."""
        self.delay = seconds

    def requests_to(self, path: str) -> list[Received]:
        return [r for r in self.received if r.path == path]

    # -- running ----------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"{'https' if self._ssl else 'http'}://127.0.0.1:{self.port}"

    async def start(self) -> Self:
        self._stopping = asyncio.Event()
        # auto_decompress off: the fake sees the bytes as sent and gunzips them itself.
        self._runner = web.AppRunner(self.app, access_log=None, handler_cancellation=True,
                                     shutdown_timeout=0.5, auto_decompress=False)
        await self._runner.setup()
        sock = loopback_socket()
        self.port = sock.getsockname()[1]
        site = web.SockSite(self._runner, sock, ssl_context=self._ssl)
        await site.start()
        return self

    async def stop(self) -> None:
        """Stop listening: connections to `url` are then refused."""
        self._stopping.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        body = await request.read()
        unreadable = None
        if request.headers.get("Content-Encoding", "").lower() == "gzip":
            try:
                body = gzip.decompress(body)
            except (OSError, EOFError) as exc:  # recorded as sent, then refused
                unreadable = f"unable to read data: {exc}"
        peer = request.transport.get_extra_info("peername") if request.transport else None
        self.received.append(Received(
            request.method, request.path, dict(request.query),
            {k.lower(): v for k, v in request.headers.items()}, body,
            tuple(peer[:2]) if peer else ("", 0)))
        if unreadable:
            return self.error(400, unreadable)
        request[BODY] = body
        if self.delay:
            try:
                await asyncio.wait_for(self._stopping.wait(), self.delay)
            except TimeoutError:
                pass
        trouble = self.trouble
        if trouble is not None:
            if trouble.times is not None:
                trouble.times -= 1
                if trouble.times <= 0:
                    self.trouble = None
            response = self.error(trouble.status, "the fake was told to fail")
            if trouble.retry_after is not None:
                response.headers["Retry-After"] = trouble.retry_after
            return response
        if len(body) > self.max_body_bytes:
            return self.error(413, "unable to read data: points batch is too large")
        return await handler(request)


def split_lines(body: bytes) -> list[str]:
    """Line-protocol lines, without blanks and comments."""
    lines = (line.strip() for line in body.decode("utf-8", "replace").split("\n"))
    return [line for line in lines if line and not line.startswith("#")]


def line_problem(line: str) -> str | None:
    """A coarse check (measurement, then a space, then field=value): enough to make a fake
    refuse what a real server would."""
    head, _, rest = line.partition(" ")
    if not head or not rest or "=" not in rest.split(" ")[0]:
        return "missing fields"
    return None


_STATEMENT_WORDS = ("SELECT", "DELETE", "SHOW", "CREATE", "DROP", "EXPLAIN", "GRANT", "REVOKE",
                    "ALTER", "SET", "KILL")


def influxql_problem(text: str) -> str | None:
    """A coarse check (each statement starts with a statement keyword and does not end in
    FROM): enough to make a fake
    refuse a syntax error a real server would, in its own words."""
    for statement in text.split(";"):
        words = statement.split()
        if words and words[0].upper() not in _STATEMENT_WORDS:
            return f"found {words[0]}, expected {', '.join(_STATEMENT_WORDS)}"
        if words and words[-1].upper() == "FROM":
            return "found EOF, expected identifier"
    return None


def bearer_or_token(request: web.Request, token: str) -> bool:
    """`Authorization: Token <t>` or `Bearer <t>` (2.x's GetToken takes both prefixes)."""
    header = request.headers.get("Authorization", "")
    return header in (f"Token {token}", f"Bearer {token}")


def v1_credentials_hold(request: web.Request, token: str, params: dict[str, str]) -> bool:
    """The 1.x-compatible /query also takes the token as the password (`p` or Basic)."""
    if bearer_or_token(request, token) or params.get("p") == token:
        return True
    header = request.headers.get("Authorization", "")
    if header.startswith("Basic "):
        _, _, password = base64.b64decode(header[6:]).decode().partition(":")
        return password == token
    return False
