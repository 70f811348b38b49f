"""Server endpoints every generation shares: /ping, /health, /api/v1/health, /ready."""

from __future__ import annotations

import datetime as dt
import time

from aiohttp import web

from gateway import __version__

from . import keys
from .errors import json_response


async def ping(request: web.Request) -> web.Response:
    return web.Response(status=204)


async def health(request: web.Request) -> web.Response:
    status = request.app[keys.ADMIN].store_status()
    ok = status.up
    body = {
        "name": "influx-gateway",
        "message": status.message,
        "status": "pass" if ok else "fail",
        "checks": [],
        "version": __version__,
        "commit": "",
    }
    return json_response(body, 200 if ok else 503)


def _duration(seconds: float) -> str:
    """Go's time.Duration text, as /ready's "up" field shows it (e.g. 14m45.911966424s)."""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{secs:.9f}".rstrip("0").rstrip(".") + "s"
    if hours:
        return f"{int(hours)}h{int(minutes)}m{text}"
    if minutes:
        return f"{int(minutes)}m{text}"
    return text


async def ready(request: web.Request) -> web.Response:
    started = request.app[keys.STARTED]
    return json_response({
        "status": "ready",
        "started": dt.datetime.fromtimestamp(started, dt.UTC).isoformat(),
        "up": _duration(time.time() - started),
    })
