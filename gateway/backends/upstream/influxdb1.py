"""InfluxDB 1.x upstream: /write, /query and /ping as 1.x speaks them.

The /query request built here is also what 2.x and 3.x take at their 1.x-compatible /query.
"""

from __future__ import annotations

import base64

from gateway.config import UpstreamConfig
from gateway.model import Namespace
from translators.encoders.gojson import go_json_string
from translators.influxql.quoting import quote_ident
from translators.lineprotocol import Precision

from .base import (
    Body,
    Generation,
    InfluxQLCall,
    PassCredentials,
    UnexpectedReply,
    Upstream,
    UpstreamFailure,
    UpstreamReply,
)
from .http import HttpTransport, json_answer, without_none
from .v1_write_errors import PARTIAL, UNPARSED

# 1.x's /write precision words.
_PRECISION = {
    Precision.NANOSECOND: "n",
    Precision.MICROSECOND: "u",
    Precision.MILLISECOND: "ms",
    Precision.SECOND: "s",
    Precision.MINUTE: "m",
    Precision.HOUR: "h",
}

Auth = tuple[dict[str, str], dict[str, str]]  # (headers, query parameters)


def basic_authorization(username: str, password: str) -> str:
    token = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
    return f"Basic {token}"


def passthrough_auth(credentials: PassCredentials) -> Auth:
    """The caller's own Authorization header and `u`/`p`, as they sent them."""
    headers = {"Authorization": credentials.authorization} if credentials.authorization else {}
    params = without_none({"u": credentials.username, "p": credentials.password})
    return headers, params


def token_header(scheme: str, token: str, credentials: PassCredentials | None
                 ) -> dict[str, str]:
    """The Authorization header of token-only endpoints (2.x's `Token`, 3's `Bearer`): the
    gateway's token, or the caller's header, or a 1.x caller's password as the token (what
    2.x's and 3's own 1.x-compatible endpoints read `p` as)."""
    if credentials is None:
        return {"Authorization": f"{scheme} {token}"} if token else {}
    if credentials.authorization:
        return {"Authorization": credentials.authorization}
    if credentials.password:
        return {"Authorization": f"{scheme} {credentials.password}"}
    return {}


def influxql_params(call: InfluxQLCall) -> dict[str, str]:
    """1.x's /query parameters for one call (unset ones left out)."""
    return without_none({
        "q": call.text,
        "db": call.database or None,
        "rp": call.retention_policy or None,
        "epoch": call.epoch or None,
        "params": call.params or None,
        "chunked": "true" if call.chunked else None,
        "chunk_size": str(call.chunk_size) if call.chunked and call.chunk_size else None,
        "pretty": "true" if call.pretty else None,
    })


async def send_influxql(http: HttpTransport, call: InfluxQLCall, auth: Auth, *,
                        form: bool, received: bytearray | None = None) -> UpstreamReply:
    """GET /query, or POST for statements that change things. With `form`, a POST carries its
    parameters as a form body (1.x and 2.x read it; a long query then stays out of the URL);
    otherwise they all go in the URL (InfluxDB 3 reads only the URL). `received`: see
    `Upstream.influxql`."""
    headers, auth_params = auth
    headers = {**headers, **({"Accept": call.accept} if call.accept else {})}
    params = {**influxql_params(call), **auth_params}
    if call.write and form:
        return await http.request("POST", "/query", data=params, headers=headers,
                                  received=received)
    return await http.request("POST" if call.write else "GET", "/query", params=params,
                              headers=headers, received=received)


def statement_values(upstream: str, reply: UpstreamReply) -> list[list[object]]:
    """The rows of the first series of a one-statement /query answer."""
    body = json_answer(upstream, reply)
    try:
        result = body["results"][0]  # type: ignore[index]
        error = result.get("error")
        values = (result.get("series") or [{}])[0].get("values") or []
        rows = [row for row in values if isinstance(row, list)]
    except (ValueError, LookupError, TypeError, AttributeError):
        raise UnexpectedReply(upstream, reply, "the /query answer is not 1.x JSON") from None
    if error:
        raise UnexpectedReply(upstream, reply, str(error))
    return rows


# 1.x names a line it could not parse in X-Influxdb-Error as sent, a NUL too, which HTTP
# forbids and aiohttp's parser refuses: that header's value is all that is left of the answer.
# Its words say which answer it was: 1.x's 400 for a body with lines it could not parse
# begins so, and nothing else it answers a write with names a line.
_UNPARSED_LINES = (UNPARSED, PARTIAL)


def _unparsed_line_reply(failure: UpstreamFailure) -> UpstreamReply | None:
    """The 400 that 1.x answered when its X-Influxdb-Error (with a NUL) was refused: the
    header's text, and its JSON body with that text (1.x cuts the header at 1,024 bytes, so
    a longer message's body is cut there too)."""
    text = failure.refused_header
    if text is None or not text.startswith(_UNPARSED_LINES):
        return None
    body = b'{"error":' + go_json_string(text).encode() + b"}\n"
    return UpstreamReply(400, body, {"content-type": "application/json",
                                     "x-influxdb-error": text}, Generation.V1)


class InfluxDB1Upstream(Upstream):
    """An InfluxDB 1.x server; the gateway signs in with the configured user and password."""

    generation = Generation.V1

    def __init__(self, config: UpstreamConfig) -> None:
        self.name = config.name
        self._http = HttpTransport(config, Generation.V1)
        self._username = config.username
        self._password = config.secret() or ""

    def _auth(self, credentials: PassCredentials | None) -> Auth:
        if credentials is not None:
            return passthrough_auth(credentials)
        if not self._username:
            return {}, {}
        # Basic rather than u/p: 1.x takes both, and a header keeps the password out of URLs
        # and access logs.
        return {"Authorization": basic_authorization(self._username, self._password)}, {}

    def accepts(self, precision: Precision) -> bool:
        return precision in _PRECISION

    async def write(self, namespace: Namespace, body: Body, precision: Precision, *,
                    gzip: bool = False, credentials: PassCredentials | None = None
                    ) -> UpstreamReply:
        headers, params = self._auth(credentials)
        headers["Content-Type"] = "text/plain; charset=utf-8"
        if gzip:
            headers["Content-Encoding"] = "gzip"
        params = {**params, **without_none({
            "db": namespace.database,
            "rp": namespace.retention_policy or None,
            "precision": _PRECISION[precision],
        })}
        try:
            return await self._http.request("POST", "/write", params=params, headers=headers,
                                            data=body)
        except UpstreamFailure as failure:
            reply = _unparsed_line_reply(failure)
            if reply is None:
                raise
            return reply

    async def influxql(self, call: InfluxQLCall, *,
                       credentials: PassCredentials | None = None,
                       received: bytearray | None = None) -> UpstreamReply:
        return await send_influxql(self._http, call, self._auth(credentials), form=True,
                                   received=received)

    async def create_database(self, name: str, *, credentials: PassCredentials | None = None
                              ) -> UpstreamReply:
        # 1.x answers 200 even when the statement fails; the error is inside the JSON.
        call = InfluxQLCall(f"CREATE DATABASE {quote_ident(name)}", write=True)
        return await self.influxql(call, credentials=credentials)

    async def databases(self, *, credentials: PassCredentials | None = None) -> list[str]:
        reply = await self.influxql(InfluxQLCall("SHOW DATABASES"), credentials=credentials)
        return [str(row[0]) for row in statement_values(self.name, reply) if row]

    async def ping(self) -> UpstreamReply:
        return await self._http.request("GET", "/ping")

    async def start(self) -> None:
        await self._http.start()

    async def close(self) -> None:
        await self._http.close()
