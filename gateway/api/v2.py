"""InfluxDB 2.x front door: POST /api/v2/write."""

from __future__ import annotations

import time

from aiohttp import web

from gateway.errors import invalid
from gateway.model import Namespace, WriteBatch

from . import keys, params
from .body import read_raw


def bucket_namespace(bucket: str) -> Namespace:
    """A bucket named "db/rp" addresses database db; "db/autogen" and "db" are the same."""
    database, _, retention = bucket.partition("/")
    return Namespace(database, retention or None)


async def write(request: web.Request) -> web.Response:
    query = request.query
    bucket = query.get("bucket", "")
    if not bucket:
        raise invalid("bucket is required")
    precision = params.precision(query, "v2")
    limit = request.app[keys.CONFIG].write.max_body_bytes
    body, encoding = await read_raw(request, limit)
    batch = WriteBatch(
        namespace=bucket_namespace(bucket),
        body=body,
        precision=precision,
        received_ns=time.time_ns(),
        encoding=encoding,
    )
    await request.app[keys.WRITES].write(batch)
    return web.Response(status=204)
