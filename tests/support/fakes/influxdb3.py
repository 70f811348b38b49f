"""A fake InfluxDB 3 Core: write_lp, query_sql, configure/database and configure/table,
/health, /ping and /query, as the API reference documents them."""

from __future__ import annotations

import json
import re
import ssl
from collections import defaultdict

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

_V3_PRECISIONS = ("auto", "nanosecond", "microsecond", "millisecond", "second")
_V3_FORMATS = ("json", "jsonl", "csv", "parquet", "pretty")


class FakeInfluxDB3(FakeServer):
    """InfluxDB 3 Core: write_lp, query_sql, configure/database and /table, /health, /ping,
    /query."""

    def __init__(self, *, token: str = "fake-v3-token", databases: tuple[str, ...] = (),
                 health: bool = True, ssl_context: ssl.SSLContext | None = None) -> None:
        super().__init__(ssl_context)
        self.token = token
        self.databases: list[str] = ["_internal", *databases]
        self.tables: dict[str, set[str]] = defaultdict(set)  # by database
        self.has_health = health  # False: an older server with /ping only
        self.sql_rows: list[dict[str, object]] = []  # what every SQL query answers
        self.influxql_answer = b'{"results":[{"statement_id":0,"series":[]}]}\r\n'

    def routes(self, router: web.UrlDispatcher) -> None:
        router.add_post("/api/v3/write_lp", self.write_lp)
        router.add_route("*", "/api/v3/query_sql", self.query_sql)
        router.add_get("/api/v3/configure/database", self.list_databases)
        router.add_post("/api/v3/configure/database", self.create_database)
        router.add_delete("/api/v3/configure/database", self.delete_database)
        router.add_post("/api/v3/configure/table", self.create_table)
        router.add_delete("/api/v3/configure/table", self.delete_table)
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
        self.tables[database].update(re.split(r"[ ,]", line, maxsplit=1)[0] for line in good)
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

    async def delete_database(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return self.error(401, "unauthorized access")
        name = request.query.get("db", "")
        if name not in self.databases:
            return self.error(404, f"database not found: {name}")
        self.databases.remove(name)
        self.tables.pop(name, None)
        return web.Response(status=200)

    async def create_table(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return self.error(401, "unauthorized access")
        try:
            body = json.loads(request[BODY])
            database, table = body["db"], body["table"]
        except (ValueError, LookupError, TypeError):
            return self.error(400, "the request body needs db and table")
        if database not in self.databases:
            return self.error(404, f"database not found: {database}")
        if table in self.tables[database]:
            return self.error(409, "attempted to create resource that already exists")
        self.tables[database].add(table)
        return web.Response(status=201)

    async def delete_table(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return self.error(401, "unauthorized access")
        database, table = request.query.get("db", ""), request.query.get("table", "")
        if database not in self.databases:
            return self.error(404, f"database not found: {database}")
        if table not in self.tables[database]:
            return self.error(404, f"table not found: {table}")
        self.tables[database].discard(table)
        return web.Response(status=200)

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
        problem = influxql_problem(params["q"])
        if problem:
            return self.error(400, f"parsing error: {problem}")
        if len([s for s in params["q"].split(";") if s.strip()]) > 1:
            # InfluxDB 3's /query (as /api/v3/query_influxql) runs one statement a request
            return self.error(400, "must provide only one InfluxQl statement per query")
        accept = request.headers.get("Accept", "application/json")
        if accept not in ("application/json", "*/*", "application/csv", "text/csv"):
            return self.error(400, f"invalid mime type ({accept})")
        content_type = "application/csv" if "csv" in accept else "application/json"
        return web.Response(body=self.influxql_answer, content_type=content_type)
