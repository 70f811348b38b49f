"""The HTTP access log: one line per request in InfluxDB 1.x's layout, passwords redacted.

1.6.7 writes `127.0.0.1 - bob [21/Nov/2026:13:51:06 +0000] "GET /query?p=%5BREDACTED%5D&q=...
HTTP/1.1" 200 84 "-" "curl/7.88.1" <Request-Id> <microseconds>`: the user comes from `u=` or
the Basic credentials, and the `p` parameter's value is replaced before the line is written.
aiohttp's own access logger would write the `p=` password as sent, and costs about twice as
much per request (its format is interpreted atom by atom, its time formatted every time).
"""

from __future__ import annotations

import logging
import time as clock
from urllib.parse import urlencode

from aiohttp.abc import AbstractAccessLogger
from aiohttp.web_request import BaseRequest
from aiohttp.web_response import StreamResponse

from gateway.auth.credentials import extract_credentials

REDACTED = "[REDACTED]"
_SECRET_PARAMETERS = frozenset({"p"})


class AccessLog(AbstractAccessLogger):
    _second = -1
    _stamp = ""

    @property
    def enabled(self) -> bool:
        return self.logger.isEnabledFor(logging.INFO)

    def log(self, request: BaseRequest, response: StreamResponse, time: float) -> None:
        headers = request.headers
        user = extract_credentials(headers, request.query).username or "-"
        version = request.version
        self.logger.info('%s - %s [%s] "%s %s HTTP/%d.%d" %d %d "%s" "%s" %s %d',
                         request.remote or "-", user, self._now(), request.method,
                         logged_target(request), version.major, version.minor,
                         response.status, _size(response),
                         headers.get("Referer", "-"), headers.get("User-Agent", "-"),
                         response.headers.get("Request-Id", "-"), int(time * 1_000_000))

    def _now(self) -> str:
        now = int(clock.time())
        if now != self._second:  # formatted once a second, not once a request
            self._second = now
            self._stamp = clock.strftime("%d/%b/%Y:%H:%M:%S +0000", clock.gmtime(now))
        return self._stamp


def _size(response: StreamResponse) -> int:
    """The body's bytes, as 1.x counts them; a streamed answer of unknown length counts its
    headers too (aiohttp tells only the bytes it wrote)."""
    length = response.content_length
    return response.body_length if length is None else length


def logged_target(request: BaseRequest) -> str:
    """The request's path and query as sent, or, when the query holds a password, rebuilt
    with its value replaced (encoded as 1.x encodes it: `p=%5BREDACTED%5D`)."""
    query = request.query
    if not _SECRET_PARAMETERS.intersection(query):
        return request.raw_path
    return request.rel_url.raw_path + "?" + urlencode(
        [(k, REDACTED if k in _SECRET_PARAMETERS else v) for k, v in query.items()])
