"""InfluxDB 3.x front door: write_lp, query_sql, and database and table configuration."""

from __future__ import annotations

import asyncio

import pyarrow as pa
from aiohttp import web

from gateway.backends.upstream.base import UpstreamReply
from gateway.backends.upstream.influxdb3 import FIELD_TYPES
from gateway.errors import invalid
from gateway.model import Generation, Namespace, PassCredentials, SqlQuery
from gateway.services.influxql import InfluxQLRequest
from translators.encoders import V3_ENCODERS, V3_MEDIA_TYPES
from translators.encoders.influxql_table import statement_table
from translators.lineprotocol import FieldType

from . import keys, params
from .body import accept_write, parse_json, read_json
from .errors import relay_response


async def write_lp(request: web.Request) -> web.Response:
    query = request.query
    database = query.get("db", "")
    if not database:
        raise invalid("missing required parameter: db")
    return await accept_write(
        request,
        Namespace(database),
        params.precision(query, "v3"),
        accept_partial=params.boolean(query, "accept_partial", True),
        sync=not params.boolean(query, "no_sync", False),
    )


async def _json_body(request: web.Request) -> dict[str, object]:
    body = await read_json(request, request.app[keys.CONFIG].write.max_body_bytes, b"{}")
    if not isinstance(body, dict):
        raise invalid("the JSON body must be an object")
    return body


def _negotiate(requested: object, accept: str) -> str:
    """The `format` parameter wins; otherwise the first Accept type we know; else JSON."""
    if isinstance(requested, str) and requested:
        if requested not in V3_ENCODERS:
            raise invalid(f"invalid format {requested!r}: expected one of "
                          f"{', '.join(V3_ENCODERS)}")
        return requested
    for part in accept.split(","):
        media = part.split(";")[0].strip().lower()
        if media in V3_MEDIA_TYPES:
            return V3_MEDIA_TYPES[media]
    return "json"


async def _encoded(table: pa.Table, name: str) -> web.Response:
    """Encode in a worker thread (a large result must not stall the event loop)."""
    encoder = V3_ENCODERS[name]
    try:
        body = await asyncio.get_running_loop().run_in_executor(None, encoder.encode, table)
    except (pa.ArrowException, OverflowError, ValueError) as exc:
        raise invalid(f"the result cannot be encoded as {name}: {exc}") from None
    return web.Response(body=body, headers={"Content-Type": encoder.content_type})


async def _query_request(request: web.Request) -> tuple[object, str, str, dict[str, object]]:
    """(database, query text, answer format, bound parameters) from the query string (GET)
    or the JSON body (POST), as both InfluxDB 3 query endpoints take them."""
    if request.method == "POST":
        body = await _json_body(request)
        database = body.get("db", body.get("database"))
        text = body.get("q", body.get("query_str"))
        requested = body.get("format")
        bound = body.get("params") or {}
    else:
        query = request.query
        database, text, requested = query.get("db"), query.get("q"), query.get("format")
        bound = parse_json(query["params"], "params") if query.get("params") else {}
    if not isinstance(text, str) or not text.strip():
        raise invalid("missing required parameter: q")
    if not isinstance(bound, dict):
        raise invalid("params must be a JSON object")
    return database, text, _negotiate(requested, request.headers.get("Accept", "")), bound


async def query_sql(request: web.Request) -> web.Response:
    database, text, name, bound = await _query_request(request)
    if not isinstance(database, str) or not database:
        raise invalid("missing required parameter: db")
    answer = await request.app[keys.QUERIES].sql(
        SqlQuery(Namespace(database), text, bound, gone=params.disconnected(request)),
        format=name,
        credentials=_caller(request))
    if isinstance(answer, UpstreamReply):
        return relay_response(answer)
    return await _encoded(answer, name)


async def query_influxql(request: web.Request) -> web.Response:
    """InfluxQL answered as InfluxDB 3 answers it: one statement, one table with an
    `iox::measurement` column, in the requested format."""
    database, text, name, bound = await _query_request(request)
    if database is not None and not isinstance(database, str):
        raise invalid("db must be a string")
    answer = await request.app[keys.INFLUXQL].execute(InfluxQLRequest(
        text, database=database or None, params=bound, single_statement=True,
        caller=Generation.V3, credentials=_caller(request), gone=params.disconnected(request)))
    (result,) = answer.results
    if result.error is not None:
        raise invalid(result.error)
    try:
        table = statement_table(result)
    except (ValueError, pa.ArrowException) as exc:
        raise invalid(f"the result cannot be encoded: {exc}") from None
    return await _encoded(table, name)


async def list_databases(request: web.Request) -> web.Response:
    name = _negotiate(request.query.get("format"), request.headers.get("Accept", ""))
    names = await request.app[keys.CONFIGURE].databases()
    if name == "json":  # the documented ShowDatabasesResponse shape
        return web.json_response({"databases": names})
    return await _encoded(pa.table({"iox::database": pa.array(names, pa.string())}), name)


def _caller(request: web.Request) -> PassCredentials:
    """The caller's credentials (InfluxDB 3 takes its token in the Authorization header);
    the services forward them upstream only on a `passthrough` route."""
    return params.pass_credentials(request.headers, {})


def _required_string(body: dict[str, object], key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value:
        raise invalid(f"missing required field: {key}")
    return value


async def create_database(request: web.Request) -> web.Response:
    body = await _json_body(request)
    await request.app[keys.CONFIGURE].create_database(_required_string(body, "db"),
                                                      _caller(request))
    return web.Response(status=201)


async def delete_database(request: web.Request) -> web.Response:
    database = request.query.get("db", "")
    if not database:
        raise invalid("missing required parameter: db")
    await request.app[keys.CONFIGURE].drop_database(database, _caller(request))
    return web.Response(status=200)


async def create_table(request: web.Request) -> web.Response:
    body = await _json_body(request)
    database = _required_string(body, "db")
    table = _required_string(body, "table")
    tags = body.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) and t for t in tags):
        raise invalid("tags must be a list of names")
    entries = body.get("fields") or []
    if not isinstance(entries, list):
        raise invalid("fields must be a list of {name, type} objects")
    fields: dict[str, FieldType] = {}
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise invalid("each field needs a name and a type")
        ftype = FIELD_TYPES.get(str(entry.get("type")))
        if ftype is None:
            raise invalid(f"invalid field type {entry.get('type')!r}: expected one of "
                          f"{', '.join(FIELD_TYPES)}")
        fields[entry["name"]] = ftype
    names = [*tags, *fields]
    folded = [n.casefold() for n in names]
    # DuckDB names are case-insensitive, so names must differ in more than case
    if "time" in folded or "" in names or len(set(folded)) != len(names):
        raise invalid("tag and field names must be non-empty, distinct (ignoring case) and "
                      "not 'time'")
    await request.app[keys.CONFIGURE].create_table(database, table, tags, fields,
                                                   _caller(request))
    return web.Response(status=201)


async def delete_table(request: web.Request) -> web.Response:
    database, table = request.query.get("db", ""), request.query.get("table", "")
    if not database or not table:
        raise invalid("missing required parameters: db and table")
    await request.app[keys.CONFIGURE].drop_table(database, table, _caller(request))
    return web.Response(status=200)
