"""Categories to HTTP statuses (the one table), and each generation's error body.

v1: {"error": "..."} plus X-Influxdb-Error; v2: {"code": "...", "message": "..."};
v3: {"error": "...", "data": ...} with per-line details for writes.
"""

from __future__ import annotations

import json
import re

from aiohttp import web

from gateway.backends.upstream.base import UpstreamReply
from gateway.errors import Category, GatewayError, PartialWrite
from gateway.services.routing import RelayedError
from translators.encoders.influxql_format import (
    V1Format,
    encode_v1_error,
    negotiate_v1_format,
)
from translators.encoders.influxql_json import encode_document
from translators.lineprotocol import reported_refusal

STATUS: dict[Category, int] = {
    Category.INVALID: 400,
    Category.UNAUTHORIZED: 401,
    Category.FORBIDDEN: 403,
    Category.NOT_FOUND: 404,
    Category.METHOD_NOT_ALLOWED: 405,
    Category.CONFLICT: 409,
    Category.TOO_LARGE: 413,
    Category.UNSUPPORTED_MEDIA_TYPE: 415,
    Category.TOO_MANY_REQUESTS: 429,
    Category.INTERNAL: 500,
    Category.UNAVAILABLE: 503,
    Category.BAD_GATEWAY: 502,
    Category.GATEWAY_TIMEOUT: 504,
}
# v2's error codes are a closed list: the gateway's own categories map onto its nearest.
V2_CODE = {Category.BAD_GATEWAY: "unavailable", Category.GATEWAY_TIMEOUT: "unavailable"}
V3_LINE_DETAILS = 100  # InfluxDB 3 reports up to 100 rejected lines
HEADER_LIMIT = 1024  # 1.x sends the first 1,024 bytes of the message; the body has it all
# 1.x (Go's net/http) turns CR and LF into spaces and sends the other control characters as
# they are; HTTP allows only the tab among them, and clients drop a connection over the rest.
_CONTROL = dict.fromkeys([*range(0x09), *range(0x0A, 0x20), 0x7F], " ")
# Undecodable request bytes reach messages as lone surrogates (aiohttp's surrogateescape, or a
# JSON "\ud800" escape); Go and Rust servers write U+FFFD for each.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def valid_unicode(text: str) -> str:
    """`text` with each lone surrogate replaced by U+FFFD, so that it encodes as UTF-8."""
    return _LONE_SURROGATE.sub("\ufffd", text)


def header_text(message: str) -> str:
    """A message made safe for a header as 1.x sends it: control characters but the tab
    (newlines too) become spaces, a long one is cut to 1.x's length (never inside a
    character), and blanks and tabs at either end are trimmed."""
    text = valid_unicode(message).translate(_CONTROL)
    raw = text.encode()
    if len(raw) > HEADER_LIMIT:
        text = raw[:HEADER_LIMIT].decode(errors="ignore")
    return text.strip(" \t")


def v1_error_headers(message: str, status: int) -> dict[str, str]:
    """1.x's headers on an error answer (`httpError`): the message in X-Influxdb-Error,
    except on a 401, which gets the Basic challenge instead."""
    if status == 401:
        return {"Www-Authenticate": 'Basic realm="InfluxDB"'}
    return {"X-Influxdb-Error": header_text(message)}


def json_response(body: object, status: int = 200, **headers: str) -> web.Response:
    # 1.x ends every JSON body with a newline.
    return web.Response(body=json.dumps(body, separators=(",", ":")).encode() + b"\n",
                        status=status,
                        content_type="application/json", headers=headers or None)


def go_json_response(body: dict[str, object], status: int, **headers: str) -> web.Response:
    """An error body as Go's encoding/json writes it (1.x and 2.x): other alphabets as they
    are, `<`, `>`, `&` and the line separators escaped."""
    return web.Response(body=encode_document(body), status=status,
                        content_type="application/json", headers=headers or None)


def v1_message(error: GatewayError) -> str:
    if isinstance(error, PartialWrite):
        # 1.x: parse errors with no point left are reported bare; anything else as a partial
        # write whose `dropped` counts the points the store refused.
        if error.written == 0 and error.dropped == 0:
            return error.message
        if error.dropped:
            # Once its store refused a point, 1.x reports that refusal alone, the lines that
            # did not parse left unmentioned.
            refused, count = reported_refusal(error.errors, error.dropped,
                                              error.beyond_retention)
            return f"partial write: {refused or error.message} dropped={count}"
        return f"partial write: {error.message} dropped={error.dropped}"
    return error.message


def v2_body(error: GatewayError) -> dict[str, object]:
    if isinstance(error, PartialWrite):
        message = error.message
        if error.written:
            message = f"partial write error ({error.written} written): {message}"
        body: dict[str, object] = {"code": Category.INVALID.value, "message": message}
        if error.errors:
            body["line"] = error.errors[0].line_number
        return body
    return {"code": V2_CODE.get(error.category, error.category.value), "message": error.message}


def v3_body(error: GatewayError) -> dict[str, object]:
    if isinstance(error, PartialWrite):
        summary = ("partial write of line protocol occurred" if error.written
                   else "write of line protocol failed")
        data = [
            {"original_line": e.line, "line_number": e.line_number, "error_message": e.reason}
            for e in error.errors[:V3_LINE_DETAILS]
        ]
        return {"error": summary, "data": data}
    return {"error": valid_unicode(error.message), "data": None}


# An upstream's headers worth relaying with its answer, spelled as InfluxDB spells them.
RELAYED_HEADERS = ("Content-Type", "X-Influxdb-Error", "Retry-After", "Www-Authenticate")


def relay_response(reply: UpstreamReply) -> web.Response:
    """An upstream's answer as it sent it (a caller of the upstream's own generation), its
    headers' control characters made spaces as in the gateway's own (1.x names a line in
    X-Influxdb-Error with its control characters as they are, which aiohttp refuses to
    write)."""
    headers = {name: header_text(reply.headers[name.lower()]) for name in RELAYED_HEADERS
               if name.lower() in reply.headers}
    return web.Response(status=reply.status, body=reply.body, headers=headers)


def v1_error_response(message: str, status: int, fmt: V1Format, *, pretty: bool = False,
                      **headers: str) -> web.Response:
    """1.x's error answer (`httpError`), in the format its `Accept` header chose: JSON, CSV
    or MessagePack, `pretty` indenting JSON."""
    message = valid_unicode(message)
    return web.Response(status=status, body=encode_v1_error(message, fmt, pretty=pretty),
                        headers={"Content-Type": fmt.content_type, **headers,
                                 **v1_error_headers(message, status)})


def render(error: GatewayError, generation: str, *, accept: str | None = None,
           pretty: bool = False) -> web.Response:
    """The error answer of `generation`; `accept` and `pretty` (the caller's `Accept` header
    and `pretty=true` in its URL) choose a v1 body's format, as they do in 1.x."""
    if isinstance(error, RelayedError) and error.reply.generation.value == generation:
        return relay_response(error.reply)
    status = error.status if isinstance(error, RelayedError) else STATUS[error.category]
    headers: dict[str, str] = {}
    if error.retry_after is not None:
        headers["Retry-After"] = str(max(0, round(error.retry_after)))
    if generation == "v1":
        return v1_error_response(v1_message(error), status, negotiate_v1_format(accept),
                                 pretty=pretty, **headers)
    if generation == "v2":
        return go_json_response(v2_body(error), status, **headers)
    return json_response(v3_body(error), status, **headers)


def from_http(exc: web.HTTPException) -> GatewayError:
    """Errors aiohttp raises itself (routing, body size) as categorised errors."""
    if exc.status == 404:
        return GatewayError(Category.NOT_FOUND, "404 page not found")
    if exc.status == 405:
        return GatewayError(Category.METHOD_NOT_ALLOWED, "method not allowed")
    if exc.status == 413:
        return GatewayError(Category.TOO_LARGE, "request body too large")
    category = {400: Category.INVALID, 401: Category.UNAUTHORIZED, 403: Category.FORBIDDEN,
                415: Category.UNSUPPORTED_MEDIA_TYPE}.get(exc.status, Category.INTERNAL)
    return GatewayError(category, exc.reason or "error")
