"""The interface every back end implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

import pyarrow as pa

from gateway.model import Namespace, SqlQuery, WriteOutcome
from translators.lineprotocol import ParsedBatch


class Backend(ABC):
    """Stores and queries data for a namespace; knows nothing of HTTP or API generations."""

    def prepare(self, batch: ParsedBatch) -> Any:
        """Catalog-free work on a parsed batch, run in a worker thread before `write`."""
        return batch

    @abstractmethod
    async def write(self, namespace: Namespace, batch: Any, *, sync: bool,
                    all_or_nothing: bool = False) -> WriteOutcome:
        """Store a batch from `prepare`; rejected rows come back in the outcome's errors.

        With `all_or_nothing`, a batch with any rejected row stores nothing.
        """

    @abstractmethod
    async def query_sql(self, query: SqlQuery) -> pa.Table:
        """Run a read-only SQL query against one database."""

    @abstractmethod
    async def ping(self) -> bool:
        """True when the back end can serve reads and writes."""

    @abstractmethod
    async def close(self) -> None:
        """Finish pending work and release resources."""
