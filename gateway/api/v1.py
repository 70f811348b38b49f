"""InfluxDB 1.x front door: POST /write and GET/POST /query."""

from __future__ import annotations

import asyncio
import itertools
import json

from aiohttp import web

from gateway.errors import Category, GatewayError, invalid
from gateway.model import Generation, Namespace
from gateway.services.influxql import InfluxQLRequest
from gateway.services.routing import RelayedError
from translators.encoders.influxql_format import (
    V1Format,
    encode_v1,
    encode_v1_chunks,
    negotiate_v1_format,
    parse_chunk_size,
)
from translators.influxql.results import StatementResult

from . import keys, params
from .body import JSON_ERRORS, accept_write
from .errors import relay_response, v1_error_response


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


async def query(request: web.Request) -> web.StreamResponse:
    values = await _query_params(request)
    fmt = negotiate_v1_format(request.headers.get("Accept"))
    pretty = values.get("pretty") == "true"
    text = values.get("q")
    if text is None or not text.strip():
        return _v1_error(fmt, 'missing required parameter "q"', pretty)
    bound = None
    if values.get("params"):
        try:
            bound = json.loads(values["params"])
        except JSON_ERRORS as exc:
            return _v1_error(fmt, f"error parsing query parameters: {exc}", pretty)
        if not isinstance(bound, dict):
            return _v1_error(fmt, "error parsing query parameters: not a JSON object", pretty)
    service = request.app[keys.INFLUXQL]
    epoch = values.get("epoch") or None
    chunked = values.get("chunked") == "true"
    try:
        answer = await service.execute(InfluxQLRequest(
            text, database=values.get("db") or None,
            retention_policy=values.get("rp") or None, params=bound,
            read_only=request.method == "GET", caller=Generation.V1,
            accept=request.headers.get("Accept"), epoch=epoch, chunked=chunked,
            chunk_size=parse_chunk_size(values.get("chunk_size")) if chunked else None,
            pretty=pretty, params_text=values.get("params") or None,
            credentials=params.pass_credentials(request.headers, values),
            gone=params.disconnected(request)))
    except GatewayError as exc:
        if exc.category is not Category.INVALID or isinstance(exc, RelayedError):
            raise
        return _v1_error(fmt, exc.message, pretty)
    if answer.relay is not None:
        relayed = relay_response(answer.relay)
        if relayed.status == 200:
            _gzip_if_accepted(request, relayed)
        return relayed
    if chunked:
        chunks = encode_v1_chunks(answer.results, fmt,
                                  chunk_size=parse_chunk_size(values.get("chunk_size")),
                                  epoch=epoch, pretty=pretty, chunking=answer.chunking)
        response = web.StreamResponse(status=200, headers={"Content-Type": fmt.content_type})
        response.enable_chunked_encoding()
        _gzip_if_accepted(request, response)
        await response.prepare(request)
        if _cost(answer.results) <= INLINE_CELLS:
            for chunk in chunks:
                await response.write(chunk)
        else:  # encoded in a worker thread, a batch of chunks per hop
            while batch := await asyncio.to_thread(list, itertools.islice(chunks, 64)):
                for chunk in batch:
                    await response.write(chunk)
        await response.write_eof()
        return response
    if _cost(answer.results) <= INLINE_CELLS:
        body = encode_v1(answer.results, fmt, epoch=epoch, pretty=pretty,
                         chunking=answer.chunking)
    else:
        body = await asyncio.to_thread(encode_v1, answer.results, fmt, epoch=epoch,
                                       pretty=pretty, chunking=answer.chunking)
    response = web.Response(status=200, body=body, headers={"Content-Type": fmt.content_type},
                            zlib_executor_size=GZIP_ON_LOOP)
    _gzip_if_accepted(request, response)
    return response


def _gzip_if_accepted(request: web.Request, response: web.StreamResponse) -> None:
    """1.x gzips a query's answer (not a 4xx) for a client that accepts gzip, as Go's HTTP
    client, and so Grafana, always says it does."""
    if "gzip" in request.headers.get("Accept-Encoding", "").lower():  # 1.x's own test
        response.enable_compression(web.ContentCoding.gzip)


# Answers this small encode faster on the event loop than a hop to a worker thread takes.
INLINE_CELLS = 5_000
# Bodies up to this many bytes are gzipped on the event loop: ISA-L deflates 64 KB in about
# 0.1 ms, less than the hop to aiohttp's executor, where it sends every body above 4 KB (a
# query 6 answer of 360 rows, 11 KB, took a thread hop per request for 20 us of deflating).
GZIP_ON_LOOP = 64 * 1024


def _cost(results: list[StatementResult]) -> int:
    """Cells to encode, those of series held as Arrow columns counting a quarter: every v1
    format writes them a column at a time, about 4x cheaper per cell than from rows (29,000
    rows x 3 columns, CPU: JSON 8 ms vs 33, CSV 6 vs 27, MessagePack 8 vs 26)."""
    cost = 0
    for result in results:
        for series in result.series:
            cells = series.row_count * len(series.columns)
            cost += cells // 4 if series.arrays is not None else cells
    return cost


def _v1_error(fmt: V1Format, message: str, pretty: bool) -> web.Response:
    return v1_error_response(message, 400, fmt, pretty=pretty)
