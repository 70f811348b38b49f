"""InfluxQL retention-policy statements on the native store, with 1.x's rules and answers.

CREATE/ALTER/DROP RETENTION POLICY, CREATE DATABASE ... WITH and SHOW RETENTION POLICIES.
Each change runs as one job on the store's writer thread, so its checks see the catalog it
changes. Every policy of a database addresses the same tables (see README, "Deliberate
deviations"); the store enforces the durations (`gateway/backends/native/retention.py`).
"""

from __future__ import annotations

import time
import unicodedata

from gateway.backends.native import policies
from gateway.backends.native.catalog import AUTOGEN, Database, RetentionPolicy
from gateway.backends.native.ddl import ensure_database
from gateway.backends.native.store import NativeStore
from gateway.backends.native.transaction import Transaction
from gateway.errors import conflict, invalid, not_found
from translators.influxql import ast
from translators.influxql.results import Series

HOUR = 3600 * 10**9
DAY = 24 * HOUR
MIN_DURATION = HOUR  # 1.x's MinRetentionPolicyDuration
COLUMNS = ["name", "duration", "shardGroupDuration", "replicaN", "default"]

TOO_SHORT = "retention policy duration must be at least 1h0m0s"
INCOMPATIBLE = "retention policy duration must be greater than the shard duration"
EXISTS = "retention policy already exists"
CONFLICTS = "retention policy conflicts with an existing policy"


def shard_group_duration(duration: int) -> int:
    """1.x's default shard group for a policy: 1h under 2 days, 1d under 180 days, else 7d
    (infinite policies too)."""
    if duration == 0 or duration >= 180 * DAY:
        return 7 * DAY
    if duration >= 2 * DAY:
        return DAY
    return HOUR


def normalised_shard_duration(shard: int | None, duration: int) -> int:
    """1.x's normalisedShardDuration: unset means the default, and never under an hour."""
    if not shard:
        return shard_group_duration(duration)
    return max(shard, MIN_DURATION)


def format_go_duration(ns: int) -> str:
    """Go's time.Duration.String, which 1.x uses for SHOW RETENTION POLICIES ("168h0m0s")."""
    if ns == 0:
        return "0s"
    sign = "-" if ns < 0 else ""
    ns = abs(ns)
    if ns < 10**9:
        for unit, size in (("ms", 10**6), ("µs", 10**3), ("ns", 1)):
            if ns >= size:
                return sign + _decimal(ns, size) + unit
    hours, rest = divmod(ns, HOUR)
    minutes, rest = divmod(rest, 60 * 10**9)
    text = _decimal(rest, 10**9) + "s"
    if hours or minutes:
        text = f"{minutes}m" + text
    if hours:
        text = f"{hours}h" + text
    return sign + text


def _decimal(value: int, unit: int) -> str:
    whole, fraction = divmod(value, unit)
    if not fraction:
        return str(whole)
    digits = len(str(unit)) - 1
    return f"{whole}." + f"{fraction:0{digits}d}".rstrip("0")


def valid_name(name: str) -> bool:
    """1.x's meta.ValidName: printable, not empty, not "." or "..", no slash or backslash."""
    printable = all(unicodedata.category(c)[0] not in "CZ" or c == " " for c in name)
    return printable and name not in ("", ".", "..") and not any(c in name for c in "/\\")


def show_retention_policies(db: Database) -> list[Series]:
    rows = [[rp.name, format_go_duration(rp.duration), format_go_duration(rp.shard_duration),
             rp.replication, rp.name == db.default_policy]
            for rp in db.retention_policies.values()]
    return [Series("", list(COLUMNS), rows)]


def _spec_policy(spec: ast.RetentionPolicySpec) -> RetentionPolicy:
    """The policy a spec describes, with 1.x's defaults for what it leaves out."""
    duration = spec.duration or 0
    return RetentionPolicy(spec.name or AUTOGEN.name, duration,
                           normalised_shard_duration(spec.shard_duration, duration),
                           spec.replication or 1)


def _check_durations(rp: RetentionPolicy) -> None:
    if rp.duration and rp.duration < rp.shard_duration:
        raise invalid(INCOMPATIBLE)


def _database(tx: Transaction, name: str) -> Database:
    db = tx.catalog.view.databases.get(name)
    if db is None:
        raise not_found(f"database not found: {name}")
    return db


def _matches(spec: ast.RetentionPolicySpec, rp: RetentionPolicy | None) -> bool:
    """1.x's RetentionPolicySpec.Matches: every option the spec names agrees with `rp`."""
    if rp is None or (spec.name and spec.name != rp.name):
        return False
    if spec.duration is not None and spec.duration != rp.duration:
        return False
    if spec.replication is not None and spec.replication != rp.replication:
        return False
    return normalised_shard_duration(spec.shard_duration, rp.duration) == rp.shard_duration


class RetentionStatements:
    """Runs the retention-policy statements against the native store's catalog."""

    def __init__(self, store: NativeStore) -> None:
        self._store = store

    async def create_database(self, statement: ast.CreateDatabase) -> None:
        name, spec = statement.name, statement.retention_policy
        if not valid_name(name):
            raise invalid("invalid name")
        if spec is None:
            await self._store.ensure_database(name)
            return
        if spec.name is not None and spec.name != "" and not valid_name(spec.name):
            raise invalid("invalid name")
        if spec.duration and spec.duration < MIN_DURATION:
            raise invalid(TOO_SHORT)
        wanted = _spec_policy(spec)

        def job(tx: Transaction) -> None:
            existed = name in tx.catalog.view.databases
            db = ensure_database(tx, name, create=True, now_ns=time.time_ns())
            current = list(db.retention_policies.values()) if existed else []
            if not current:
                # 1.x: a new database (or one whose policies were all dropped) takes the spec
                # as its only, default, policy
                _check_durations(wanted)
                policies.save_policies(tx, name, [wanted], wanted.name)
            elif not _matches(spec, db.retention_policies.get(wanted.name)):
                raise conflict(CONFLICTS)

        await self._store.run(job)

    async def change(self, statement: ast.CreateRetentionPolicy | ast.AlterRetentionPolicy
                     | ast.DropRetentionPolicy) -> None:
        match statement:
            case ast.CreateRetentionPolicy():
                await self.create(statement)
            case ast.AlterRetentionPolicy():
                await self.alter(statement)
            case ast.DropRetentionPolicy():
                await self.drop(statement)

    async def create(self, statement: ast.CreateRetentionPolicy) -> None:
        spec = statement.spec
        if not valid_name(spec.name or ""):
            raise invalid("invalid name")
        if spec.duration and spec.duration < MIN_DURATION:
            raise invalid(TOO_SHORT)
        wanted = _spec_policy(spec)
        _check_durations(wanted)

        def job(tx: Transaction) -> None:
            db = _database(tx, statement.database)
            existing = db.retention_policies.get(wanted.name)
            if existing is not None:
                if existing != wanted:
                    raise conflict(EXISTS)
                if spec.default and db.default_policy != wanted.name:
                    raise conflict(CONFLICTS)
                return
            rps = [*db.retention_policies.values(), wanted]
            default = wanted.name if spec.default else db.default_policy
            policies.save_policies(tx, db.name, rps, default)

        await self._store.run(job)

    async def alter(self, statement: ast.AlterRetentionPolicy) -> None:
        spec = statement.spec
        name = spec.name or ""

        def job(tx: Transaction) -> None:
            db = _database(tx, statement.database)
            rp = db.retention_policies.get(name)
            if rp is None:
                raise not_found(f"retention policy not found: {name}")
            duration = rp.duration if spec.duration is None else spec.duration
            if spec.duration is not None and 0 < spec.duration < MIN_DURATION:
                raise invalid(TOO_SHORT)
            # 1.x compares the raw shard duration asked for, before normalising it
            shard = rp.shard_duration if spec.shard_duration is None else spec.shard_duration
            if duration and duration < shard:
                raise invalid(INCOMPATIBLE)
            if spec.shard_duration is not None:
                shard = normalised_shard_duration(spec.shard_duration, duration)
            replication = rp.replication if spec.replication is None else spec.replication
            changed = RetentionPolicy(name, duration, shard, replication)
            rps = [changed if p.name == name else p for p in db.retention_policies.values()]
            default = name if spec.default else db.default_policy
            policies.save_policies(tx, db.name, rps, default)

        await self._store.run(job)

    async def drop(self, statement: ast.DropRetentionPolicy) -> None:
        """1.x answers success for a missing policy or database; the default keeps its name."""

        def job(tx: Transaction) -> None:
            db = tx.catalog.view.databases.get(statement.database)
            if db is None or statement.name not in db.retention_policies:
                return
            rps = [p for p in db.retention_policies.values() if p.name != statement.name]
            policies.save_policies(tx, db.name, rps, db.default_policy)

        await self._store.run(job)

    def show(self, database: str) -> list[Series]:
        db = self._store.catalog.databases.get(database)
        if db is None:
            raise not_found(f"database not found: {database}")
        return show_retention_policies(db)

    def resolve(self, database: str, name: str | None) -> str:
        """The policy a read through `database` addresses; unknown ones are refused."""
        return policies.resolve_policy(self._store.catalog.databases.get(database), name)

