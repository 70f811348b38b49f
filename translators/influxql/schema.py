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
    # FROM naming the measurement in several databases: per database, the fields it stores
    # as another type than `fields` gives (see `read_as`)
    retyped: Mapping[str, Mapping[str, FieldType]] = field(default_factory=dict)
    # A subquery's columns 1.x types as tags (a tag it selects: `SELECT x, host`): a call of a
    # wildcard or regex over the subquery (`count(*)`) skips them
    tag_fields: frozenset[str] = frozenset()
    # A subquery's tags its rows carry only because the parent handed its GROUP BY (or top()'s
    # tag arguments) down: they key groups, but the parent reads them as null (1.x finds a
    # name only among the subquery's fields and its own GROUP BY)
    handed_tags: frozenset[str] = frozenset()

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


# 1.x reads a field stored as several types (in several databases) as the first of them in
# this order (its influxql.DataType numbering), and reads a database that stores it as another
# type as having no such field, except that integers are read as floats.
_TYPE_ORDER = (FieldType.FLOAT, FieldType.INTEGER, FieldType.STRING, FieldType.BOOLEAN,
               FieldType.UNSIGNED)
_NUMERIC = frozenset({FieldType.FLOAT, FieldType.INTEGER, FieldType.UNSIGNED})


def read_as(types: list[FieldType]) -> FieldType:
    """The type 1.x reads a field as when databases store it as `types`."""
    return min(types, key=_TYPE_ORDER.index)


def readable_as(stored: FieldType, wanted: FieldType) -> bool:
    """True when 1.x reads a field stored as `stored` when it reads the field as `wanted`
    (converted to it); False when such a database gives no points for it."""
    return stored is wanted or (stored in _NUMERIC and wanted in _NUMERIC)


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
