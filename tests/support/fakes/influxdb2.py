"""A fake InfluxDB 2.x OSS: /api/v2/write, orgs, buckets, /health, /ping and the 1.x /query,
as the API reference documents them."""

from __future__ import annotations

import json
import re
import ssl
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from aiohttp import web

from .base import (
    BODY,
    FakeServer,
    bearer_or_token,
    influxql_problem,
    line_problem,
    split_lines,
    v1_credentials_hold,
)

_V2_CODES = {400: "invalid", 401: "unauthorized", 404: "not found", 405: "method not allowed",
             409: "conflict", 413: "request too large", 422: "unprocessable entity",
             429: "too many requests", 500: "internal error", 503: "unavailable"}
# The two statements about one measurement that the fake answers from the lines it holds.
_ONE_MEASUREMENT = re.compile(
    r'\s*(SHOW MEASUREMENTS WITH MEASUREMENT =|DROP MEASUREMENT)\s+("(?:[^"\\]|\\.)*"|\w+)\s*',
    re.IGNORECASE)
_LINE_MEASUREMENT = re.compile(r"(?:[^, \\]|\\.)*")


def _unquoted(name: str) -> str:
    return re.sub(r"\\(.)", r"\1", name[1:-1]) if name.startswith('"') else name


def _measurement_of(line: str) -> str:
    match = _LINE_MEASUREMENT.match(line)
    return re.sub(r"\\(.)", r"\1", match.group() if match else "")


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
        # What /query answers, but for SHOW MEASUREMENTS WITH MEASUREMENT = and DROP
        # MEASUREMENT, answered from (and applied to) the lines held.
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
        problem = influxql_problem(params["q"])
        if problem:
            return self.error(400, f"failed to parse query: {problem}")
        one = _ONE_MEASUREMENT.fullmatch(params["q"])
        if one is None:
            return web.Response(body=self.query_answer, content_type="application/json")
        name, lines = _unquoted(one.group(2)), self.lines[params.get("db", "")]
        held = [line for line in lines if _measurement_of(line) == name]
        result: dict[str, object] = {"statement_id": 0}
        if one.group(1).upper().startswith("DROP"):
            lines[:] = [line for line in lines if line not in held]
        elif held:
            result["series"] = [{"name": "measurements", "columns": ["name"],
                                 "values": [[name]]}]
        return web.json_response({"results": [result]})
