"""The native catalog seen as the InfluxQL translator's schema provider."""

from __future__ import annotations

from translators.influxql.schema import MeasurementSchema

from .catalog import Catalog


class CatalogSchema:
    """A SchemaProvider over one catalog snapshot (snapshots are never mutated)."""

    def __init__(self, catalog: Catalog) -> None:
        self._catalog = catalog

    def databases(self) -> list[str]:
        return sorted(self._catalog.databases)

    def measurements(self, database: str) -> list[str]:
        db = self._catalog.databases.get(database)
        return sorted(db.tables) if db else []

    def measurement(self, database: str, name: str) -> MeasurementSchema | None:
        table = self._catalog.table(database, name)
        if table is None:
            return None
        return MeasurementSchema(table.name, tuple(table.tags), table.fields)
