"""InfluxDB 2.x upstream: /api/v2/write, buckets, /health and the 1.x-compatible /query."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from gateway.config import UpstreamConfig
from gateway.model import Namespace
from translators.lineprotocol import Precision

from .base import (
    Generation,
    InfluxQLCall,
    PassCredentials,
    UnexpectedReply,
    Upstream,
    UpstreamReply,
)
from .http import HttpTransport, json_answer, without_none
from .influxdb1 import Auth, passthrough_auth, send_influxql, token_header

# /api/v2/write takes only these four; 1.x's m and h have no 2.x word.
_PRECISION = {
    Precision.NANOSECOND: "ns",
    Precision.MICROSECOND: "us",
    Precision.MILLISECOND: "ms",
    Precision.SECOND: "s",
}
PAGE_SIZE = 100  # the largest `limit` 2.x takes on list endpoints
MAX_PAGES = 10_000  # a server whose `next` never ends must not hold the gateway forever


def _number(text: str | None, default: int) -> int:
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default


class InfluxDB2Upstream(Upstream):
    """An InfluxDB 2.x server in one organization, reached with an API token."""

    generation = Generation.V2

    def __init__(self, config: UpstreamConfig) -> None:
        self.name = config.name
        self._http = HttpTransport(config, Generation.V2)
        self._token = config.secret() or ""
        self._org = config.org
        self._org_id: str | None = None  # looked up once, for bucket creation

    def _token_header(self, credentials: PassCredentials | None) -> dict[str, str]:
        return token_header("Token", self._token, credentials)

    def _query_auth(self, credentials: PassCredentials | None) -> Auth:
        if credentials is not None:
            return passthrough_auth(credentials)
        return self._token_header(None), {}

    def accepts(self, precision: Precision) -> bool:
        return precision in _PRECISION

    async def write(self, namespace: Namespace, body: bytes, precision: Precision, *,
                    gzip: bool = False, credentials: PassCredentials | None = None
                    ) -> UpstreamReply:
        headers = self._token_header(credentials)
        headers["Content-Type"] = "text/plain; charset=utf-8"
        if gzip:
            headers["Content-Encoding"] = "gzip"
        params = without_none({
            "org": self._org or None,
            "bucket": namespace.database,
            "precision": _PRECISION[precision],
        })
        return await self._http.request("POST", "/api/v2/write", params=params,
                                        headers=headers, data=body)

    async def influxql(self, call: InfluxQLCall, *,
                       credentials: PassCredentials | None = None) -> UpstreamReply:
        return await send_influxql(self._http, call, self._query_auth(credentials), form=True)

    async def create_database(self, name: str) -> UpstreamReply:
        """POST /api/v2/buckets with no retention rule (keep forever, as a 1.x autogen policy).
        An error answer, "already exists" included, comes back as received."""
        org = await self._find_org()
        if isinstance(org, UpstreamReply):
            return org
        body = {"orgID": org, "name": name, "retentionRules": []}
        return await self._http.request("POST", "/api/v2/buckets", json_body=body,
                                        headers=self._token_header(None))

    async def _find_org(self) -> str | UpstreamReply:
        """The configured org's ID, or the error answer of the lookup."""
        if self._org_id is not None:
            return self._org_id
        reply = await self._http.request("GET", "/api/v2/orgs",
                                         params=without_none({"org": self._org or None}),
                                         headers=self._token_header(None))
        if not reply.ok:
            return reply
        body = json_answer(self.name, reply)
        try:
            orgs = [org for org in body["orgs"]  # type: ignore[index]
                    if not self._org or org.get("name") == self._org]
            ids = [str(org["id"]) for org in orgs]
        except (LookupError, TypeError, AttributeError):
            raise UnexpectedReply(self.name, reply, "the orgs answer is not 2.x JSON") from None
        # Without a configured org, only a server with exactly one is unambiguous.
        if len(ids) != 1:
            wanted = f"organization {self._org!r}" if self._org else "exactly one organization"
            raise UnexpectedReply(self.name, reply, f"{wanted} not found")
        self._org_id = ids[0]
        return self._org_id

    async def databases(self) -> list[str]:
        """Every bucket's name, page by page (`links.next` when given, else by offset)."""
        names: list[str] = []
        params = without_none({"org": self._org or None, "limit": str(PAGE_SIZE),
                               "offset": "0"})
        for _ in range(MAX_PAGES):
            reply = await self._http.request("GET", "/api/v2/buckets", params=params,
                                             headers=self._token_header(None))
            body = json_answer(self.name, reply)
            try:
                page = [str(bucket["name"]) for bucket in body["buckets"]]  # type: ignore[index]
                following = (body.get("links") or {}).get("next")  # type: ignore[union-attr]
            except (LookupError, TypeError, AttributeError):
                raise UnexpectedReply(self.name, reply,
                                      "the buckets answer is not 2.x JSON") from None
            names.extend(page)
            if following:
                # `next` is a path on the server; its query says where the next page starts.
                following_params = dict(parse_qsl(urlsplit(str(following)).query))
            elif page and len(page) >= _number(params.get("limit"), PAGE_SIZE):
                offset = _number(params.get("offset"), 0) + len(page)
                following_params = {**params, "offset": str(offset)}
            else:
                break
            if not page or following_params == params:  # an empty page or a loop ends it
                break
            params = following_params
        return names

    async def ping(self) -> UpstreamReply:
        return await self._http.request("GET", "/health")

    async def start(self) -> None:
        await self._http.start()

    async def close(self) -> None:
        await self._http.close()
