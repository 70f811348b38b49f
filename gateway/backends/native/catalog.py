"""The native store's catalog: databases, tables, and each column's role and type.

Only the writer thread changes it, through a CatalogTxn; readers take `Catalog` snapshots,
which are never mutated after they are published.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from translators.lineprotocol import TIME_COLUMN, FieldType


class Role(enum.StrEnum):
    TIME = "time"
    TAG = "tag"
    FIELD = "field"


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    role: Role
    type: FieldType | None = None  # fields only


@dataclass(slots=True)
class Table:
    name: str
    columns: dict[str, Column] = field(default_factory=dict)

    @property
    def tags(self) -> list[str]:
        return sorted(c.name for c in self.columns.values() if c.role is Role.TAG)

    @property
    def fields(self) -> dict[str, FieldType]:
        return {c.name: c.type for c in self.columns.values() if c.role is Role.FIELD}  # type: ignore[misc]

    def folded(self) -> dict[str, str]:
        """Column names by their case-folded form (DuckDB names are case-insensitive)."""
        return {name.casefold(): name for name in self.columns}

    def copy(self) -> Table:
        return Table(self.name, dict(self.columns))


@dataclass(frozen=True, slots=True)
class RetentionPolicy:
    """A v1 retention policy. Every policy of a database addresses the same tables (the v1
    db/rp pairs map onto one database until DBRP mappings land); its duration and shard
    duration decide which points writes drop and checks expire (`retention.py`)."""

    name: str
    duration: int  # nanoseconds; 0 is infinite
    shard_duration: int  # nanoseconds
    replication: int = 1


# Every database starts with 1.x's default policy: infinite, one-week shard groups.
AUTOGEN = RetentionPolicy("autogen", 0, 7 * 24 * 3600 * 10**9, 1)


def _initial_policies() -> dict[str, RetentionPolicy]:
    return {AUTOGEN.name: AUTOGEN}


@dataclass(slots=True)
class Database:
    name: str
    tables: dict[str, Table] = field(default_factory=dict)
    # In creation order, as 1.x lists them; the default may name a dropped policy (1.x keeps
    # the name, and reads through it then fail with "retention policy not found").
    retention_policies: dict[str, RetentionPolicy] = field(default_factory=_initial_policies)
    default_policy: str = AUTOGEN.name

    def folded(self) -> dict[str, str]:
        return {name.casefold(): name for name in self.tables}


@dataclass(slots=True)
class Catalog:
    databases: dict[str, Database] = field(default_factory=dict)

    def folded(self) -> dict[str, str]:
        return {name.casefold(): name for name in self.databases}

    def table(self, database: str, table: str) -> Table | None:
        db = self.databases.get(database)
        return None if db is None else db.tables.get(table)


def new_table(name: str) -> Table:
    table = Table(name)
    table.columns[TIME_COLUMN] = Column(TIME_COLUMN, Role.TIME)
    return table


class CatalogTxn:
    """Changes made inside one storage transaction; published only after COMMIT."""

    def __init__(self, base: Catalog) -> None:
        self.base = base
        self._work: Catalog | None = None

    @property
    def view(self) -> Catalog:
        return self._work if self._work is not None else self.base

    def writable(self) -> Catalog:
        if self._work is None:
            self._work = Catalog(
                {
                    name: Database(name, dict(db.tables), dict(db.retention_policies),
                                   db.default_policy)
                    for name, db in self.base.databases.items()
                }
            )
        return self._work

    def writable_table(self, database: str, table: str) -> Table:
        work = self.writable()
        db = work.databases[database]
        copy = db.tables[table].copy()
        db.tables[table] = copy
        return copy

    def result(self) -> Catalog:
        return self._work if self._work is not None else self.base
