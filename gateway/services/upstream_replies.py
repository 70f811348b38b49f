"""An upstream's error answer with its text changed, in the body its own generation writes, so
that a caller of that generation (to whom it is relayed as it stands) reads the new text."""

from __future__ import annotations

import json

from gateway.backends.upstream.base import Generation, UpstreamReply
from translators.encoders.gojson import go_json_string


def reworded(reply: UpstreamReply, text: str) -> UpstreamReply:
    """`reply` (its status and other headers kept) saying `text`: 1.x's `{"error"}` and
    X-Influxdb-Error, 2.x's `{"code","message"}` with its code, 3.x's `{"error","data"}`."""
    try:
        old = json.loads(reply.body)
    except ValueError:
        old = None
    old = old if isinstance(old, dict) else {}
    headers = {k: v for k, v in reply.headers.items() if k != "content-length"}
    headers["content-type"] = "application/json"
    if reply.generation is Generation.V2:
        code = old.get("code") if isinstance(old.get("code"), str) else "invalid"
        body = (b'{"code":' + go_json_string(code).encode() + b',"message":'
                + go_json_string(text).encode() + b"}\n")
    elif reply.generation is Generation.V3:
        body = json.dumps({"error": text, "data": old.get("data")}, ensure_ascii=False,
                          separators=(",", ":")).encode()
    else:
        body = b'{"error":' + go_json_string(text).encode() + b"}\n"
        headers["x-influxdb-error"] = text
    return UpstreamReply(reply.status, body, headers, reply.generation)
