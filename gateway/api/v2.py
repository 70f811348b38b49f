"""InfluxDB 2.x front door: POST /api/v2/write."""

from __future__ import annotations

from aiohttp import web

from gateway.errors import invalid
from gateway.model import Namespace

from . import params
from .body import accept_write


def bucket_namespace(bucket: str) -> Namespace:
    """A bucket named "db/rp" addresses database db; "db/autogen" and "db" are the same."""
    database, _, retention = bucket.partition("/")
    return Namespace(database, retention or None)


async def write(request: web.Request) -> web.Response:
    query = request.query
    bucket = query.get("bucket", "")
    if not bucket:
        raise invalid("bucket is required")
    return await accept_write(request, bucket_namespace(bucket), params.precision(query, "v2"))
