"""Database and table administration on the native store."""

from __future__ import annotations

from gateway.backends.native.outage import StoreStatus
from gateway.backends.native.store import NativeStore
from translators.lineprotocol import FieldType


class AdminService:
    def __init__(self, store: NativeStore) -> None:
        self._store = store

    def databases(self) -> list[str]:
        return self._store.databases()

    async def create_database(self, name: str) -> None:
        await self._store.create_database(name)

    async def ensure_database(self, name: str) -> None:
        await self._store.ensure_database(name)

    async def drop_database(self, name: str) -> None:
        await self._store.drop_database(name)

    async def create_table(self, database: str, table: str, tags: list[str],
                           fields: dict[str, FieldType]) -> None:
        await self._store.create_table(database, table, tags, fields)

    async def drop_table(self, database: str, table: str) -> None:
        await self._store.drop_table(database, table)

    def store_status(self) -> StoreStatus:
        return self._store.status()

    async def store_setting(self, name: str) -> str:
        return await self._store.setting(name)
