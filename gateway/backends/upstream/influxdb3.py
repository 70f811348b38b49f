"""InfluxDB 3 (Core, Enterprise) upstream: write_lp, query_sql, database configuration, /health
and the 1.x-compatible /query."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from gateway.model import Namespace
from translators.lineprotocol import FieldType, Precision

from .base import (
    Body,
    Generation,
    InfluxQLCall,
    PassCredentials,
    UnexpectedReply,
    UpstreamReply,
)
from .http import json_answer
from .influxdb1 import send_influxql
from .tokens import TokenUpstream

# /api/v3/write_lp's precision words; it has none for minutes or hours.
_PRECISION = {
    Precision.NANOSECOND: "nanosecond",
    Precision.MICROSECOND: "microsecond",
    Precision.MILLISECOND: "millisecond",
    Precision.SECOND: "second",
    Precision.AUTO: "auto",
}
# InfluxDB 3's names for column types in /api/v3/configure/table.
FIELD_TYPES = {
    "utf8": FieldType.STRING,
    "int64": FieldType.INTEGER,
    "uint64": FieldType.UNSIGNED,
    "float64": FieldType.FLOAT,
    "bool": FieldType.BOOLEAN,
}
FIELD_TYPE_NAMES = {ftype: name for name, ftype in FIELD_TYPES.items()}
DATABASE_COLUMN = "iox::database"  # the column of InfluxDB 3's SHOW DATABASES table


def table_body(database: str, table: str, tags: Iterable[str],
               fields: Iterable[tuple[str, FieldType]]) -> dict[str, object]:
    """The JSON body of POST /api/v3/configure/table that creates `table` with `fields`
    (name, type)."""
    return {"db": database, "table": table, "tags": list(tags),
            "fields": [{"name": n, "type": FIELD_TYPE_NAMES[t]} for n, t in fields]}


def database_names(upstream: str, reply: UpstreamReply) -> list[str]:
    """Names from GET /api/v3/configure/database?format=json: the rows InfluxDB 3 answers
    ([{"iox::database": name}, ...]) or the documented {"databases": [name, ...]}."""
    body = json_answer(upstream, reply)
    try:
        if isinstance(body, Mapping):
            return [str(name) for name in body["databases"]]
        return [str(row[DATABASE_COLUMN]) for row in body]  # type: ignore[attr-defined]
    except (LookupError, TypeError):
        raise UnexpectedReply(upstream, reply,
                              "the databases answer is not InfluxDB 3 JSON") from None


class InfluxDB3Upstream(TokenUpstream):
    """An InfluxDB 3 Core or Enterprise server, reached with a bearer token."""

    generation = Generation.V3
    scheme = "Bearer"
    precisions = _PRECISION

    async def write(self, namespace: Namespace, body: Body, precision: Precision, *,
                    gzip: bool = False, credentials: PassCredentials | None = None
                    ) -> UpstreamReply:
        headers = self._write_headers(credentials, gzip)
        # Good lines are kept when others fail, as 1.x and 2.x do.
        params = {"db": namespace.database, "precision": _PRECISION[precision],
                  "accept_partial": "true"}
        return await self._http.request("POST", "/api/v3/write_lp", params=params,
                                        headers=headers, data=body)

    async def influxql(self, call: InfluxQLCall, *,
                       credentials: PassCredentials | None = None,
                       received: bytearray | None = None) -> UpstreamReply:
        # InfluxDB 3's /query reads its parameters from the URL only, POST included.
        return await send_influxql(self._http, call, self._query_auth(credentials), form=False,
                                   received=received)

    async def sql(self, database: str, text: str, *, params: Mapping[str, object] | None = None,
                  format: str = "json", credentials: PassCredentials | None = None
                  ) -> UpstreamReply:
        body: dict[str, object] = {"db": database, "q": text, "format": format}
        if params:
            body["params"] = dict(params)
        return await self._http.request("POST", "/api/v3/query_sql", json_body=body,
                                        headers=self._auth(credentials))

    async def create_database(self, name: str, *, credentials: PassCredentials | None = None
                              ) -> UpstreamReply:
        return await self._http.request("POST", "/api/v3/configure/database",
                                        json_body={"db": name}, headers=self._auth(credentials))

    async def drop_database(self, name: str, *, credentials: PassCredentials | None = None
                            ) -> UpstreamReply:
        return await self._http.request("DELETE", "/api/v3/configure/database",
                                        params={"db": name}, headers=self._auth(credentials))

    async def create_table(self, database: str, table: str, tags: Sequence[str],
                           fields: Mapping[str, FieldType], *,
                           credentials: PassCredentials | None = None) -> UpstreamReply:
        body = table_body(database, table, tags, fields.items())
        return await self._http.request("POST", "/api/v3/configure/table", json_body=body,
                                        headers=self._auth(credentials))

    async def drop_table(self, database: str, table: str, *,
                         credentials: PassCredentials | None = None) -> UpstreamReply:
        return await self._http.request("DELETE", "/api/v3/configure/table",
                                        params={"db": database, "table": table},
                                        headers=self._auth(credentials))

    async def databases(self, *, credentials: PassCredentials | None = None) -> list[str]:
        reply = await self._http.request("GET", "/api/v3/configure/database",
                                         params={"format": "json"},
                                         headers=self._auth(credentials))
        return database_names(self.name, reply)

    async def ping(self) -> UpstreamReply:
        reply = await self._http.request("GET", "/health", headers=self._auth())
        if reply.status == 404:  # a server without /health still answers /ping
            reply = await self._http.request("GET", "/ping", headers=self._auth())
        return reply
