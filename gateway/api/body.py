"""Request bodies: size limit, gzip, chunked transfer; the limit holds while inflating."""

from __future__ import annotations

import zlib

from aiohttp import web

from gateway.errors import Category, GatewayError

_READ = 1 << 16


def too_large(limit: int) -> GatewayError:
    return GatewayError(Category.TOO_LARGE, f"request body too large: limit is {limit} bytes")


async def read_body(request: web.Request, limit: int) -> bytes:
    """The decoded body; 413 as soon as it passes `limit` bytes (after decompression)."""
    encoding = request.headers.get("Content-Encoding", "").strip().lower()
    if encoding in ("", "identity"):
        if request.content_length is not None and request.content_length > limit:
            raise too_large(limit)
        out = bytearray()
        async for chunk in request.content.iter_chunked(_READ):
            out += chunk
            if len(out) > limit:
                raise too_large(limit)
        return bytes(out)
    if encoding not in ("gzip", "x-gzip"):
        raise GatewayError(Category.UNSUPPORTED_MEDIA_TYPE,
                           f"unsupported Content-Encoding: {encoding}")
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out = bytearray()
    try:
        async for chunk in request.content.iter_chunked(_READ):
            data = chunk
            while data:
                # Never inflate more than the limit allows: a gzip bomb stops here.
                out += inflater.decompress(data, limit + 1 - len(out))
                if len(out) > limit:
                    raise too_large(limit)
                data = inflater.unconsumed_tail
            if inflater.eof:
                break
        out += inflater.flush()
    except zlib.error as exc:
        raise GatewayError(Category.INVALID, f"invalid gzip body: {exc}") from None
    if len(out) > limit:
        raise too_large(limit)
    if not inflater.eof and out:
        raise GatewayError(Category.INVALID, "invalid gzip body: truncated stream")
    return bytes(out)
