"""InfluxDB 1.x front door: POST /write and GET/POST /query."""

from __future__ import annotations

from aiohttp import web

from gateway.errors import invalid
from gateway.model import Namespace
from translators.influxql.interim import (
    CreateDatabase,
    ShowDatabases,
    parse_statement,
    split_statements,
)

from . import keys, params
from .body import accept_write
from .errors import json_response


async def write(request: web.Request) -> web.Response:
    query = request.query
    database = query.get("db", "")
    if not database:
        raise invalid("database is required")
    namespace = Namespace(database, query.get("rp") or None)
    return await accept_write(request, namespace, params.precision(query, "v1"))


async def _query_params(request: web.Request) -> dict[str, str]:
    """1.x reads every parameter from the URL or from a form body."""
    values = dict(request.query)
    if request.method == "POST" and request.content_type in (
        "application/x-www-form-urlencoded", "multipart/form-data"
    ):
        try:
            form = await request.post()
        except (ValueError, LookupError, AssertionError) as exc:  # bad charset, multipart
            raise invalid(f"unable to parse the form body: {exc}") from None
        for key, value in form.items():
            if isinstance(value, str):
                values.setdefault(key, value)
    return values


async def query(request: web.Request) -> web.Response:
    values = await _query_params(request)
    text = values.get("q")
    if text is None or not text.strip():
        raise invalid('missing required parameter "q"')
    admin = request.app[keys.ADMIN]
    results: list[dict[str, object]] = []
    for index, statement_text in enumerate(split_statements(text)):
        statement = parse_statement(statement_text)
        result: dict[str, object] = {"statement_id": index}
        if isinstance(statement, CreateDatabase):
            await admin.ensure_database(statement.name)
            if request.method == "GET":
                # 1.x runs it but warns that writes belong in POST requests.
                result["messages"] = [{
                    "level": "warning",
                    "text": f"deprecated use of '{statement_text}' in a read only context, "
                            "please use a POST request instead",
                }]
        elif isinstance(statement, ShowDatabases):
            series: dict[str, object] = {"name": "databases", "columns": ["name"]}
            names = admin.databases()
            if names:
                series["values"] = [[name] for name in names]
            result["series"] = [series]
        else:
            result["error"] = (
                "not supported yet by influx-gateway: only CREATE DATABASE and SHOW DATABASES "
                f"run until InfluxQL support lands: {statement.text}"
            )
            results.append(result)
            break
        results.append(result)
    # 1.x answers a query of only separators (";;") with an empty object.
    return json_response({"results": results} if results else {})
