"""One middleware for every request: credentials, error rendering, InfluxDB headers."""

from __future__ import annotations

import asyncio
import logging
import uuid

from aiohttp import web

from gateway.auth.credentials import extract_credentials
from gateway.errors import Category, GatewayError

from . import keys, paths
from .errors import from_http, render

log = logging.getLogger(__name__)


def _not_found_v1() -> web.Response:
    # 1.x answers unknown paths with Go's plain-text 404.
    return web.Response(status=404, text="404 page not found\n", content_type="text/plain")


@web.middleware
async def gateway_middleware(request: web.Request, handler: web.Handler) -> web.StreamResponse:
    generation = paths.generation(request.path)
    try:
        verifier = request.app[keys.VERIFIER]
        if verifier is not None and request.path not in paths.OPEN:
            verifier.verify(extract_credentials(request.headers, request.query))
        response = await handler(request)
    except GatewayError as exc:
        if exc.category is Category.INTERNAL:
            log.error("%s %s: %s", request.method, request.path, exc.message)
        elif exc.category is Category.UNAUTHORIZED:
            log.info("%s %s: %s", request.method, request.path, exc.message)
        response = render(exc, generation)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        if exc.status == 404 and generation == "v1":
            response = _not_found_v1()
        else:
            response = render(from_http(exc), generation)
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("%s %s failed", request.method, request.path)
        response = render(GatewayError(Category.INTERNAL, "internal error"), generation)
    version = request.app[keys.CONFIG].server.advertised_version
    request_id = str(uuid.uuid1())
    headers = response.headers
    headers["X-Influxdb-Version"] = version
    headers["X-Influxdb-Build"] = "OSS"
    headers["Request-Id"] = request_id
    headers["X-Request-Id"] = request_id
    return response
