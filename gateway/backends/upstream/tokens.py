"""What the 2.x and 3 clients share: a token in one Authorization scheme, and a vocabulary of
write precisions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from gateway.config import UpstreamConfig
from translators.lineprotocol import Precision

from .base import PassCredentials, Upstream
from .http import HttpTransport
from .influxdb1 import Auth, passthrough_auth, token_header


class TokenUpstream(Upstream):
    """An upstream reached with an API token (`scheme` is 2.x's `Token` or 3's `Bearer`)."""

    scheme: ClassVar[str]
    precisions: ClassVar[Mapping[Precision, str]]  # what its write endpoint calls each one

    def __init__(self, config: UpstreamConfig) -> None:
        self.name = config.name
        self._http = HttpTransport(config, self.generation)
        self._token = config.secret() or ""

    def _auth(self, credentials: PassCredentials | None = None) -> dict[str, str]:
        return token_header(self.scheme, self._token, credentials)

    def _query_auth(self, credentials: PassCredentials | None) -> Auth:
        if credentials is not None:
            return passthrough_auth(credentials)
        return self._auth(), {}

    def _write_headers(self, credentials: PassCredentials | None, gzip: bool) -> dict[str, str]:
        headers = self._auth(credentials)
        headers["Content-Type"] = "text/plain; charset=utf-8"
        if gzip:
            headers["Content-Encoding"] = "gzip"
        return headers

    def accepts(self, precision: Precision) -> bool:
        return precision in self.precisions

    async def start(self) -> None:
        await self._http.start()

    async def close(self) -> None:
        await self._http.close()
