"""The native catalog seen as the translators' schema provider (InfluxQL and SQL)."""

from __future__ import annotations

from translators.influxql.schema import MeasurementSchema
from translators.sql import information_schema

from .catalog import Catalog, Column, Database, Role


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


def sql_columns(db: Database) -> dict[str, list[tuple[str, str]]]:
    """Each table's columns with the Arrow type InfluxDB 3 reports, for information_schema."""
    return {name: [(c.name, _arrow_type(c)) for c in table.columns.values()]
            for name, table in db.tables.items()}


def _arrow_type(column: Column) -> str:
    if column.role is Role.TIME:
        return information_schema.TIME_TYPE
    if column.role is Role.TAG or column.type is None:  # tags are dictionary-encoded
        return information_schema.TAG_TYPE
    return information_schema.FIELD_TYPES[column.type]
