"""InfluxDB 2.x upstream: /api/v2/write, buckets, /health and the 1.x-compatible /query."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from gateway.config import UpstreamConfig
from gateway.model import Namespace
from translators.lineprotocol import Precision

from .base import (
    Body,
    Generation,
    InfluxQLCall,
    PassCredentials,
    UnexpectedReply,
    UpstreamReply,
)
from .http import json_answer, without_none
from .influxdb1 import send_influxql
from .tokens import TokenUpstream

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


class InfluxDB2Upstream(TokenUpstream):
    """An InfluxDB 2.x server in one organization, reached with an API token."""

    generation = Generation.V2
    scheme = "Token"
    precisions = _PRECISION

    def __init__(self, config: UpstreamConfig) -> None:
        super().__init__(config)
        self._org = config.org
        self._org_id: str | None = None  # looked up once, for bucket creation

    async def write(self, namespace: Namespace, body: Body, precision: Precision, *,
                    gzip: bool = False, credentials: PassCredentials | None = None
                    ) -> UpstreamReply:
        headers = self._write_headers(credentials, gzip)
        params = without_none({
            "org": self._org or None,
            "bucket": namespace.database,
            "precision": _PRECISION[precision],
        })
        return await self._http.request("POST", "/api/v2/write", params=params,
                                        headers=headers, data=body)

    async def influxql(self, call: InfluxQLCall, *,
                       credentials: PassCredentials | None = None,
                       received: bytearray | None = None) -> UpstreamReply:
        return await send_influxql(self._http, call, self._query_auth(credentials), form=True,
                                   received=received)

    async def create_database(self, name: str, *, credentials: PassCredentials | None = None
                              ) -> UpstreamReply:
        """POST /api/v2/buckets with no retention rule (keep forever, as a 1.x autogen policy).
        An error answer, "already exists" included, comes back as received."""
        org = await self._find_org(credentials)
        if isinstance(org, UpstreamReply):
            return org
        body = {"orgID": org, "name": name, "retentionRules": []}
        return await self._http.request("POST", "/api/v2/buckets", json_body=body,
                                        headers=self._auth(credentials))

    async def _find_org(self, credentials: PassCredentials | None) -> str | UpstreamReply:
        """The configured org's ID, or the error answer of the lookup."""
        if self._org_id is not None:
            return self._org_id
        reply = await self._http.request("GET", "/api/v2/orgs",
                                         params=without_none({"org": self._org or None}),
                                         headers=self._auth(credentials))
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

    async def databases(self, *, credentials: PassCredentials | None = None) -> list[str]:
        """Every bucket's name, page by page (`links.next` when given, else by offset)."""
        names: list[str] = []
        params = without_none({"org": self._org or None, "limit": str(PAGE_SIZE),
                               "offset": "0"})
        for _ in range(MAX_PAGES):
            reply = await self._http.request("GET", "/api/v2/buckets", params=params,
                                             headers=self._auth(credentials))
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
