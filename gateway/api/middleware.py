"""One middleware for every request: credentials, error rendering, InfluxDB headers."""

from __future__ import annotations

import asyncio
import logging
import random
import time

from aiohttp import web

from gateway.auth.credentials import extract_credentials
from gateway.errors import Category, GatewayError

from . import keys, paths
from .errors import from_http, render

log = logging.getLogger(__name__)


# 100-ns intervals from the Gregorian calendar's start, where UUID time begins, to the Unix epoch.
_UUID_EPOCH = 0x01B21DD213814000


class RequestIds:
    """Version-1 UUIDs, as 1.x's Request-Id, at a quarter of uuid.uuid1()'s cost per request:
    the clock sequence and node are drawn once (the node with the multicast bit set, as RFC
    4122 4.5 asks of a node that is not a MAC address), and the 100-ns timestamp
    moves forward by one when two requests share it, so ids never repeat in a process."""

    def __init__(self) -> None:
        clock_sequence = random.getrandbits(14) | 0x8000  # with the RFC's variant bits
        node = random.getrandbits(48) | 1 << 40
        self._suffix = f"-{clock_sequence:04x}-{node:012x}"
        self._last = 0

    def __call__(self) -> str:
        stamp = max(time.time_ns() // 100 + _UUID_EPOCH, self._last + 1)
        self._last = stamp
        return (f"{stamp & 0xFFFFFFFF:08x}-{stamp >> 32 & 0xFFFF:04x}-"
                f"{stamp >> 48 & 0x0FFF | 0x1000:04x}{self._suffix}")


request_id = RequestIds()


def _not_found_v1() -> web.Response:
    # 1.x answers unknown paths with Go's plain-text 404.
    return web.Response(status=404, text="404 page not found\n", content_type="text/plain")


@web.middleware
async def gateway_middleware(request: web.Request, handler: web.Handler) -> web.StreamResponse:
    generation = paths.generation(request.path)

    def answer(error: GatewayError) -> web.Response:
        return render(error, generation, accept=request.headers.get("Accept"),
                      pretty=request.query.get("pretty") == "true")

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
        response = answer(exc)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        if exc.status == 404 and generation == "v1":
            response = _not_found_v1()
        else:
            response = answer(from_http(exc))
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("%s %s failed", request.method, request.path)
        response = answer(GatewayError(Category.INTERNAL, "internal error"))
    version = request.app[keys.CONFIG].server.advertised_version
    identifier = request_id()
    headers = response.headers
    headers["X-Influxdb-Version"] = version
    headers["X-Influxdb-Build"] = "OSS"
    headers["Request-Id"] = identifier
    headers["X-Request-Id"] = identifier
    return response
