"""The query service: SQL (and later InfluxQL and Flux) routed to the back end."""

from __future__ import annotations

import pyarrow as pa

from gateway.backends.base import Backend
from gateway.model import SqlQuery


class QueryService:
    def __init__(self, backend: Backend) -> None:
        self._backend = backend

    async def sql(self, query: SqlQuery, **_: object) -> pa.Table:
        """The answer as a table (`format` and `credentials` matter only upstream)."""
        return await self._backend.query_sql(query)
