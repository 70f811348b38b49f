"""Pull credentials out of a request in any scheme InfluxDB clients use (no I/O).

`Authorization: Token <t>` (v2, and 1.8's `Token user:password`), `Bearer <t>` (v3, opaque or
JWT), `Basic base64(user:password)` (v1 clients, Grafana), and the v1 `u`/`p` query string.
"""

from __future__ import annotations

import base64
import enum
from collections.abc import Mapping
from dataclasses import dataclass


class Scheme(enum.StrEnum):
    NONE = "none"
    TOKEN = "token"
    BEARER = "bearer"
    BASIC = "basic"
    QUERY = "query"
    MALFORMED = "malformed"


@dataclass(frozen=True, slots=True)
class Credentials:
    scheme: Scheme
    username: str | None = None
    secret: str | None = None


NO_CREDENTIALS = Credentials(Scheme.NONE)


def extract_credentials(headers: Mapping[str, str], query: Mapping[str, str]) -> Credentials:
    header = headers.get("Authorization", "").strip()
    if header:
        scheme, _, value = header.partition(" ")
        value = value.strip()
        kind = scheme.lower()
        if kind == "token" and value:
            user, sep, password = value.partition(":")
            if sep:  # InfluxDB 1.8's v2-compatible "Token username:password"
                return Credentials(Scheme.TOKEN, user, password)
            return Credentials(Scheme.TOKEN, None, value)
        if kind == "bearer" and value:
            return Credentials(Scheme.BEARER, None, value)
        if kind == "basic" and value:
            try:
                decoded = base64.b64decode(value, validate=True).decode("utf-8")
            # binascii.Error for bad base64, UnicodeDecodeError for a password that is not
            # UTF-8, and a plain ValueError for a header that is not ASCII at all
            except ValueError:
                return Credentials(Scheme.MALFORMED)
            user, _, password = decoded.partition(":")
            return Credentials(Scheme.BASIC, user, password)
        return Credentials(Scheme.MALFORMED)
    if "p" in query or "u" in query:
        return Credentials(Scheme.QUERY, query.get("u"), query.get("p"))
    return NO_CREDENTIALS
