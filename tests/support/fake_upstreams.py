"""Test doubles for upstream servers: InfluxDB 2 and 3 as their API references document them,
and a fault server that breaks HTTP on purpose.

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
import subprocess
import threading
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
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


def _loopback_socket() -> socket.socket:
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
        sock = _loopback_socket()
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


_V2_CODES = {400: "invalid", 401: "unauthorized", 404: "not found", 405: "method not allowed",
             409: "conflict", 413: "request too large", 422: "unprocessable entity",
             429: "too many requests", 500: "internal error", 503: "unavailable"}


@dataclass
class Bucket:
    id: str
    name: str
    org_id: str
    retention_rules: list[dict[str, object]] = field(default_factory=list)

    def document(self) -> dict[str, object]:
        return {"id": self.id, "name": self.name, "orgID": self.org_id, "type": "user",
                "retentionRules": self.retention_rules,
                "links": {"self": f"/api/v2/buckets/{self.id}"}}


class FakeInfluxDB2(FakeServer):
    """InfluxDB 2.x OSS: /api/v2/write, orgs, buckets, /health, /ping and the 1.x /query."""

    def __init__(self, *, token: str = "fake-v2-token", org: str = "my-org",
                 buckets: tuple[str, ...] = ("telegraf",), next_links: bool = True,
                 ssl_context: ssl.SSLContext | None = None) -> None:
        super().__init__(ssl_context)
        self.token = token
        self.orgs = {org: "0a3cbb5dd526a000"}  # name -> 16-hex-digit ID
        self.buckets: dict[str, Bucket] = {}
        self.next_links = next_links  # False: a server that pages by offset without `next`
        self.query_answer = b'{"results":[{"statement_id":0}]}\n'
        for name in buckets:
            self.add_bucket(name)

    def add_bucket(self, name: str, org: str | None = None) -> Bucket:
        org_id = self.orgs[org] if org else next(iter(self.orgs.values()))
        bucket = Bucket(f"{0xb000000000000000 + len(self.buckets):016x}", name, org_id)
        self.buckets[name] = bucket
        return bucket

    def routes(self, router: web.UrlDispatcher) -> None:
        router.add_post("/api/v2/write", self.write)
        router.add_get("/api/v2/orgs", self.list_orgs)
        router.add_get("/api/v2/buckets", self.list_buckets)
        router.add_post("/api/v2/buckets", self.create_bucket)
        router.add_get("/health", self.health)
        router.add_get("/ping", self.ping)
        router.add_route("*", "/query", self.query)

    def error(self, status: int, message: str, **extra: object) -> web.Response:
        code = _V2_CODES.get(status, "internal error")
        return web.json_response({"code": code, "message": message, **extra}, status=status)

    def _unauthorized(self) -> web.Response:
        return self.error(401, "unauthorized access")

    def _org_id(self, request: web.Request) -> str | web.Response:
        org, org_id = request.query.get("org"), request.query.get("orgID")
        if not org and not org_id:
            return self.error(400, "Please provide either orgID or org")
        if org_id:
            return org_id if org_id in self.orgs.values() else self.error(
                404, "organization not found")
        return self.orgs.get(org or "") or self.error(
            404, f'organization name "{org}" not found')

    async def write(self, request: web.Request) -> web.Response:
        if not bearer_or_token(request, self.token):
            return self._unauthorized()
        org_id = self._org_id(request)
        if isinstance(org_id, web.Response):
            return org_id
        name = request.query.get("bucket", "")
        bucket = self.buckets.get(name)
        if bucket is None or bucket.org_id != org_id:
            return self.error(404, f'bucket "{name}" not found')
        if request.query.get("precision", "ns") not in ("ns", "us", "ms", "s"):
            return self.error(400, "invalid precision; valid precision units are ns, us, ms, "
                                   "and s")
        lines = split_lines(request[BODY])
        for number, line in enumerate(lines, 1):
            problem = line_problem(line)
            if problem:  # 2.x OSS writes nothing and names the first bad line
                return self.error(400, f"unable to parse '{line}': {problem}", line=number)
        self.lines[name].extend(lines)
        return web.Response(status=204)

    async def list_orgs(self, request: web.Request) -> web.Response:
        if not bearer_or_token(request, self.token):
            return self._unauthorized()
        name = request.query.get("org")
        if name and name not in self.orgs:
            return self.error(404, f'organization name "{name}" not found')
        orgs = [{"id": oid, "name": n} for n, oid in self.orgs.items() if not name or n == name]
        return web.json_response({"links": {"self": "/api/v2/orgs"}, "orgs": orgs})

    async def list_buckets(self, request: web.Request) -> web.Response:
        if not bearer_or_token(request, self.token):
            return self._unauthorized()
        try:
            limit = int(request.query.get("limit", "20"))
            offset = int(request.query.get("offset", "0"))
        except ValueError:
            return self.error(400, "limit and offset must be integers")
        if not 1 <= limit <= 100 or offset < 0:
            return self.error(400, "limit must be between 1 and 100")
        org_id = self._org_id(request) if "org" in request.query else None
        if isinstance(org_id, web.Response):
            return org_id
        every = [b for b in self.buckets.values() if org_id is None or b.org_id == org_id]
        page = every[offset:offset + limit]
        query = f"descending=false&limit={limit}&offset={offset}"
        links = {"self": f"/api/v2/buckets?{query}"}
        if self.next_links and len(page) == limit:  # 2.x links `next` whenever a page is full
            links["next"] = f"/api/v2/buckets?descending=false&limit={limit}" \
                            f"&offset={offset + limit}"
        return web.json_response({"links": links, "buckets": [b.document() for b in page]})

    async def create_bucket(self, request: web.Request) -> web.Response:
        if not bearer_or_token(request, self.token):
            return self._unauthorized()
        try:
            body = json.loads(request[BODY])
        except ValueError:
            return self.error(400, "failed to decode request body")
        name, org_id = body.get("name"), body.get("orgID")
        if org_id not in self.orgs.values():
            return self.error(404, "organization not found")
        if not isinstance(name, str) or not name:
            return self.error(422, "bucket name is required")
        if name in self.buckets:
            return self.error(422, f"bucket with name {name} already exists")
        bucket = self.add_bucket(name)
        bucket.retention_rules = list(body.get("retentionRules") or [])
        return web.json_response(bucket.document(), status=201)

    async def health(self, request: web.Request) -> web.Response:
        return web.json_response({"name": "influxdb", "message": "ready for queries and writes",
                                  "status": "pass", "checks": [], "version": "v2.7.11",
                                  "commit": "fake"})

    async def ping(self, request: web.Request) -> web.Response:
        return web.Response(status=204, headers={"X-Influxdb-Version": "v2.7.11",
                                                 "X-Influxdb-Build": "OSS"})

    async def query(self, request: web.Request) -> web.Response:
        params = dict(request.query)
        if request.method == "POST" and request.content_type == \
                "application/x-www-form-urlencoded":
            params.update(parse_qsl(request[BODY].decode(), keep_blank_values=True))
        if not v1_credentials_hold(request, self.token, params):
            return self._unauthorized()
        if not params.get("q"):
            return web.json_response({"error": 'missing required parameter "q"'}, status=400)
        return web.Response(body=self.query_answer, content_type="application/json")


_V3_PRECISIONS = ("auto", "nanosecond", "microsecond", "millisecond", "second")
_V3_FORMATS = ("json", "jsonl", "csv", "parquet", "pretty")


class FakeInfluxDB3(FakeServer):
    """InfluxDB 3 Core: write_lp, query_sql, configure/database, /health, /ping, /query."""

    def __init__(self, *, token: str = "fake-v3-token", databases: tuple[str, ...] = (),
                 health: bool = True, ssl_context: ssl.SSLContext | None = None) -> None:
        super().__init__(ssl_context)
        self.token = token
        self.databases: list[str] = ["_internal", *databases]
        self.has_health = health  # False: an older server with /ping only
        self.sql_rows: list[dict[str, object]] = []  # what every SQL query answers
        self.influxql_answer = b'{"results":[{"statement_id":0,"series":[]}]}\r\n'

    def routes(self, router: web.UrlDispatcher) -> None:
        router.add_post("/api/v3/write_lp", self.write_lp)
        router.add_route("*", "/api/v3/query_sql", self.query_sql)
        router.add_get("/api/v3/configure/database", self.list_databases)
        router.add_post("/api/v3/configure/database", self.create_database)
        router.add_get("/health", self.health)
        router.add_get("/ping", self.ping)
        router.add_route("*", "/query", self.query)

    def error(self, status: int, message: str, **extra: object) -> web.Response:
        return web.json_response({"error": message, "data": extra.get("data")}, status=status)

    def _authorized(self, request: web.Request) -> bool:
        return bearer_or_token(request, self.token)

    async def write_lp(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return self.error(401, "unauthorized access")
        database = request.query.get("db", "")
        if not database:
            return self.error(400, "missing required parameter: db")
        if request.query.get("precision") not in _V3_PRECISIONS:
            return self.error(400, f"invalid precision {request.query.get('precision')!r}")
        partial = request.query.get("accept_partial", "true") == "true"
        rejected, good = [], []
        for number, line in enumerate(split_lines(request[BODY]), 1):
            problem = line_problem(line)
            if problem:
                rejected.append({"original_line": line, "line_number": number,
                                 "error_message": problem})
            else:
                good.append(line)
        if rejected and not partial:
            return self.error(400, "write of line protocol failed", data=rejected)
        if database not in self.databases:  # write_lp creates the database it names
            self.databases.append(database)
        self.lines[database].extend(good)
        if rejected:
            return self.error(400, "partial write of line protocol occurred", data=rejected)
        return web.Response(status=204)

    async def query_sql(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return self.error(401, "unauthorized access")
        if request.method == "POST":
            try:
                body = json.loads(request[BODY])
            except ValueError:
                return self.error(400, "the request body is not JSON")
        else:
            body = dict(request.query)
        database, text, fmt = body.get("db"), body.get("q"), body.get("format", "json")
        if not database or not text:
            return self.error(400, "missing required parameters: db and q")
        if fmt not in _V3_FORMATS:
            return self.error(400, f"invalid format {fmt!r}")
        if database not in self.databases:
            return self.error(404, f"database not found: {database}")
        if fmt == "jsonl":
            lines = "".join(json.dumps(row) + "\n" for row in self.sql_rows)
            return web.Response(body=lines.encode(), content_type="application/jsonl")
        return web.json_response(self.sql_rows)

    async def list_databases(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return self.error(401, "unauthorized access")
        if request.query.get("format") != "json":
            return self.error(400, "this fake answers format=json only")
        return web.json_response([{"iox::database": name} for name in self.databases])

    async def create_database(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return self.error(401, "unauthorized access")
        try:
            name = json.loads(request[BODY]).get("db")
        except (ValueError, AttributeError):
            return self.error(400, "the request body is not a JSON object")
        if not isinstance(name, str) or not name:
            return self.error(400, "missing required field: db")
        if name in self.databases:
            return self.error(409, "attempted to create resource that already exists")
        self.databases.append(name)
        return web.Response(status=201)

    async def health(self, request: web.Request) -> web.Response:
        if not self.has_health:
            return web.Response(status=404)
        if not self._authorized(request):
            return self.error(401, "unauthorized access")
        return web.Response(text="OK")

    async def ping(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return self.error(401, "unauthorized access")
        return web.json_response({"version": "3.0.0", "revision": "fake"})

    async def query(self, request: web.Request) -> web.Response:
        params = dict(request.query)  # InfluxDB 3 reads /query's parameters from the URL only
        if not v1_credentials_hold(request, self.token, params):
            return self.error(401, "unauthorized access")
        if not params.get("q"):
            return self.error(400, "missing query parameters")
        accept = request.headers.get("Accept", "application/json")
        if accept not in ("application/json", "*/*", "application/csv", "text/csv"):
            return self.error(400, f"invalid mime type ({accept})")
        content_type = "application/csv" if "csv" in accept else "application/json"
        return web.Response(body=self.influxql_answer, content_type=content_type)


class FaultServer(BackgroundLoop):
    """A TCP server that breaks HTTP in one way (`mode`):

    garbage      answers bytes that are not HTTP
    close_body   sends headers and half the promised body, then closes
    stall_body   sends headers and half the body, then never sends more
    silent       accepts, reads the request and never answers
    hang_up      closes every connection as soon as it is accepted
    """

    MODES = ("garbage", "close_body", "stall_body", "silent", "hang_up")

    def __init__(self, mode: str) -> None:
        if mode not in self.MODES:
            raise ValueError(f"unknown fault mode {mode!r}")
        self.mode = mode
        self.port = 0
        self.connections = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._stopping = asyncio.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> Self:
        self._stopping = asyncio.Event()
        sock = _loopback_socket()
        self.port = sock.getsockname()[1]
        self._server = await asyncio.start_server(self._serve, sock=sock)
        return self

    async def stop(self) -> None:
        self._stopping.set()
        for writer in list(self._writers):
            writer.close()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self._writers.add(writer)
        try:
            if self.mode != "hang_up":
                await reader.readuntil(b"\r\n\r\n")
                await self._misbehave(writer)
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            self._writers.discard(writer)
            writer.close()

    async def _misbehave(self, writer: asyncio.StreamWriter) -> None:
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n"
        if self.mode == "garbage":
            writer.write(b"\x16\x03\x01 this is not HTTP at all\r\n\r\n")
        elif self.mode in ("close_body", "stall_body"):
            writer.write(head + b'{"results":[{"statement_id":0,')
        await writer.drain()
        if self.mode in ("silent", "stall_body"):
            await self._stopping.wait()


@contextmanager
def unaccepting_port() -> Iterator[int]:
    """A loopback port whose listen queue is full: a connect there hangs until it times out."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    for _ in range(3):  # more than a backlog of 0 holds; the rest of the SYNs are dropped
        filler = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        filler.setblocking(False)
        filler.connect_ex(("127.0.0.1", port))
        fillers.append(filler)
    try:
        yield port
    finally:
        for sock in (*fillers, listener):
            sock.close()


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """(certificate, key) for 127.0.0.1 and localhost, made with the openssl CLI."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True)
    return cert, key


def server_tls(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context
