"""What the InfluxQL translator needs to know about stored data: measurements, tags, fields.

The native store's catalog provides it; tests build it by hand.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from translators.lineprotocol import FieldType


@dataclass(frozen=True, slots=True)
class MeasurementSchema:
    name: str
    tags: tuple[str, ...] = ()
    fields: Mapping[str, FieldType] = field(default_factory=dict)
    # The stored column of a tag that shares its name with a field (only a subquery's virtual
    # measurement has one: `SELECT x AS host ... GROUP BY host`); other tags are stored as named.
    tag_columns: Mapping[str, str] = field(default_factory=dict)

    def tag_column(self, name: str) -> str:
        return self.tag_columns.get(name, name)

    def role(self, name: str) -> str | None:
        """`field`, `tag`, `time` or None for a name the measurement does not have."""
        if name == "time":
            return "time"
        if name in self.fields:
            return "field"
        if name in self.tags:
            return "tag"
        return None


class SchemaProvider(Protocol):
    def databases(self) -> list[str]: ...

    def measurements(self, database: str) -> list[str]:
        """Sorted measurement names; empty when the database does not exist."""
        ...

    def measurement(self, database: str, name: str) -> MeasurementSchema | None: ...


@dataclass(frozen=True, slots=True)
class StaticSchema:
    """A SchemaProvider over plain dictionaries: database → measurement → schema."""

    data: Mapping[str, Mapping[str, MeasurementSchema]]

    def databases(self) -> list[str]:
        return sorted(self.data)

    def measurements(self, database: str) -> list[str]:
        return sorted(self.data.get(database, {}))

    def measurement(self, database: str, name: str) -> MeasurementSchema | None:
        return self.data.get(database, {}).get(name)
