"""Request bodies: size limit, gzip, chunked transfer."""

from __future__ import annotations

import json
import time

from aiohttp import web

from gateway.compression import content_encoding, inflate, too_large
from gateway.errors import invalid
from gateway.model import Namespace, WriteBatch
from gateway.streams import BodyStream
from translators.lineprotocol import Precision

from . import keys
from .params import pass_credentials


def body_stream(request: web.Request, limit: int) -> tuple[BodyStream, str | None]:
    """The body as it arrives and its encoding; 413 once it passes `limit` bytes on the wire
    (at once when its Content-Length says so).

    A compressed body is never smaller on the wire than the limit allows after inflating,
    so the same limit bounds what is buffered.
    """
    encoding = content_encoding(request.headers.get("Content-Encoding", ""))
    if request.content_length is not None and request.content_length > limit:
        raise too_large(limit)
    return BodyStream(request.content.iter_any(), limit, request.content_length), encoding


async def read_raw(request: web.Request, limit: int) -> tuple[bytes, str | None]:
    """The body as sent, read whole, and its encoding."""
    stream, encoding = body_stream(request, limit)
    return await stream.read(), encoding


async def read_body(request: web.Request, limit: int) -> bytes:
    """The decoded body (gzip inflated here, under the same limit)."""
    data, encoding = await read_raw(request, limit)
    return inflate(data, limit) if encoding else data


# What json.loads raises on a caller's text: ValueError for bad JSON, bad UTF-8 and numbers too
# long to convert, RecursionError for nesting deeper than its parser goes ("[" * 1500).
JSON_ERRORS = (ValueError, RecursionError)


def parse_json(raw: str | bytes, what: str) -> object:
    """A caller's JSON; 400 `invalid` naming `what` when it is not JSON."""
    try:
        return json.loads(raw)
    except JSON_ERRORS as exc:
        raise invalid(f"the {what} is not JSON: {exc}") from None


async def read_json(request: web.Request, limit: int, default: bytes = b"") -> object:
    """The decoded body as JSON (`default` when empty)."""
    return parse_json(await read_body(request, limit) or default, "body")


async def accept_write(request: web.Request, namespace: Namespace, precision: Precision,
                       *, accept_partial: bool = True, sync: bool = True) -> web.Response:
    """Hand a line-protocol body to the write service as it arrives (the service reads it
    whole unless its route relays it unchanged); answer 204 once stored."""
    received = time.time_ns()
    stream, encoding = body_stream(request, request.app[keys.CONFIG].write.max_body_bytes)
    await request.app[keys.WRITES].write(WriteBatch(
        namespace=namespace, body=b"", precision=precision, received_ns=received,
        encoding=encoding, accept_partial=accept_partial, sync=sync,
        credentials=pass_credentials(request.headers, request.query), stream=stream,
    ))
    return web.Response(status=204)
