"""Request bodies: size limit, gzip, chunked transfer."""

from __future__ import annotations

import time

from aiohttp import web

from gateway.compression import content_encoding, inflate, too_large
from gateway.model import Namespace, WriteBatch
from translators.lineprotocol import Precision

from . import keys
from .params import pass_credentials


async def read_raw(request: web.Request, limit: int) -> tuple[bytes, str | None]:
    """The body as sent and its encoding; 413 once it passes `limit` bytes on the wire.

    A compressed body is never smaller on the wire than the limit allows after inflating,
    so the same limit bounds what is buffered here.
    """
    encoding = content_encoding(request.headers.get("Content-Encoding", ""))
    if request.content_length is not None and request.content_length > limit:
        raise too_large(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.content.iter_any():
        size += len(chunk)
        if size > limit:
            raise too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks), encoding


async def read_body(request: web.Request, limit: int) -> bytes:
    """The decoded body (gzip inflated here, under the same limit)."""
    data, encoding = await read_raw(request, limit)
    return inflate(data, limit) if encoding else data


async def accept_write(request: web.Request, namespace: Namespace, precision: Precision,
                       *, accept_partial: bool = True, sync: bool = True) -> web.Response:
    """Read a line-protocol body, hand it to the write service, answer 204 once stored."""
    received = time.time_ns()
    body, encoding = await read_raw(request, request.app[keys.CONFIG].write.max_body_bytes)
    await request.app[keys.WRITES].write(WriteBatch(
        namespace=namespace, body=body, precision=precision, received_ns=received,
        encoding=encoding, accept_partial=accept_partial, sync=sync,
        credentials=pass_credentials(request.headers, request.query),
    ))
    return web.Response(status=204)
