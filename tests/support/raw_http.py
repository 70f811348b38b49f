"""Requests written byte for byte on a socket, and the checks an answer to bad input must pass.

aiohttp's and urllib's clients refuse or normalise much of what a fuzzer wants to send
(non-UTF-8 header bytes, broken percent-escapes, repeated parameters in a chosen order), so
requests here are written raw; answers are read with http.client, which de-chunks them and
raises when a body is cut short.
"""

from __future__ import annotations

import http.client
import json
import socket
from dataclasses import dataclass, field

import msgpack

from gateway.api import paths


@dataclass(frozen=True)
class RawRequest:
    method: str
    target: str  # path and query string, already percent-encoded (ASCII)
    headers: tuple[tuple[str, bytes], ...] = ()
    body: bytes = b""
    chunked: bool = False  # send the body with Transfer-Encoding: chunked

    @property
    def path(self) -> str:
        return self.target.split("?", 1)[0]

    def encode(self) -> bytes:
        lines = [f"{self.method} {self.target} HTTP/1.1".encode(), b"Host: fuzz",
                 b"Connection: close"]
        lines += [name.encode() + b": " + value for name, value in self.headers]
        if self.chunked:
            lines.append(b"Transfer-Encoding: chunked")
            pieces = [self.body[i:i + 7] for i in range(0, len(self.body), 7)]
            body = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in pieces) + b"0\r\n\r\n"
        else:
            lines.append(b"Content-Length: %d" % len(self.body))
            body = self.body
        return b"\r\n".join(lines) + b"\r\n\r\n" + body


@dataclass
class Answer:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip()


def send(port: int, request: RawRequest, timeout: float = 60.0) -> Answer:
    """One request on its own connection; the whole answer (IncompleteRead if cut short)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(request.encode())
        response = http.client.HTTPResponse(sock, method=request.method)
        response.begin()
        try:
            body = response.read()
        finally:
            response.close()
    return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, body)


def ping(port: int) -> int:
    return send(port, RawRequest("GET", paths.PING), timeout=10).status


def _json_object(body: bytes) -> dict[str, object]:
    document = json.loads(body)
    assert isinstance(document, dict), body
    return document


def error_shape_problem(request: RawRequest, answer: Answer) -> str | None:
    """Why an error answer is not in the error format of the caller's API generation, or
    None when it is."""
    if request.method == "HEAD":
        return None  # no body to judge
    generation = paths.generation(request.path)
    try:
        if request.path in (paths.HEALTH, paths.HEALTH_V1) and answer.status == 503:
            # the documented failing health check: the health document, status "fail"
            return None if _json_object(answer.body).get("status") == "fail" else "odd 503"
        if generation == "v1":
            if answer.status == 404 and answer.content_type == "text/plain":
                # 1.x's unknown paths: Go's own plain text
                return None if answer.body == b"404 page not found\n" else "odd 404 text"
            if answer.content_type == "text/csv":
                return None if answer.body.startswith(b"error\n") else "CSV without error"
            if answer.content_type == "application/x-msgpack":
                document = msgpack.unpackb(answer.body)
                assert isinstance(document, dict) and isinstance(document.get("error"), str)
                return None
            if answer.content_type != "application/json":
                return f"v1 error as {answer.content_type!r}"
            document = _json_object(answer.body)
            return None if isinstance(document.get("error"), str) else "no v1 error field"
        document = _json_object(answer.body)
        if generation == "v2":
            if isinstance(document.get("code"), str) and isinstance(document.get("message"),
                                                                    str):
                return None
            return "not a v2 {code, message} body"
        if isinstance(document.get("error"), str) and "data" in document:
            return None
        return "not a v3 {error, data} body"
    except (ValueError, AssertionError, msgpack.ExtraData) as exc:
        return f"unparseable error body: {exc!r}"
