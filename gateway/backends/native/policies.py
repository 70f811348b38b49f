"""Persist the v1 retention policies of each database in the catalog's meta tables.

Policies never choose tables (`retention.py` enforces their durations). Each change rewrites
the database's few rows, inside the writer's transaction, so the catalog and its tables
commit together.
"""

from __future__ import annotations

import duckdb

from gateway.errors import Category, GatewayError

from . import statements as st
from .catalog import AUTOGEN, Database, RetentionPolicy
from .transaction import Transaction


def save_policies(tx: Transaction, database: str, policies: list[RetentionPolicy],
                  default: str) -> None:
    """Replace the database's policies (in this order) and its default policy name."""
    con = tx.con
    con.execute(st.meta_delete(st.META_RETENTION_POLICIES, database=database))
    con.execute(st.meta_delete(st.META_DEFAULT_POLICIES, database=database))
    for position, rp in enumerate(policies):
        con.execute(st.meta_insert(st.META_RETENTION_POLICIES, [
            database, rp.name, rp.duration, rp.shard_duration, rp.replication, position]))
    con.execute(st.meta_insert(st.META_DEFAULT_POLICIES, [database, default]))
    db = tx.catalog.writable().databases[database]
    db.retention_policies = {rp.name: rp for rp in policies}
    db.default_policy = default


def load_policies(con: duckdb.DuckDBPyConnection, databases: dict[str, Database]) -> None:
    """Set each loaded database's policies; those without a default row keep `autogen`."""
    defaults = dict(con.execute(
        st.meta_select(st.META_DEFAULT_POLICIES, ["database", "name"])).fetchall())
    rows = con.execute(st.meta_select(
        st.META_RETENTION_POLICIES,
        ["database", "name", "duration_ns", "shard_duration_ns", "replication", "position"],
    )).fetchall()
    found: dict[str, list[tuple[int, RetentionPolicy]]] = {}
    for database, name, duration, shard, replication, position in rows:
        found.setdefault(database, []).append(
            (position, RetentionPolicy(name, duration, shard, replication)))
    for name, db in databases.items():
        if name not in defaults:
            continue
        db.default_policy = defaults[name]
        db.retention_policies = {rp.name: rp for _, rp in sorted(found.get(name, []),
                                                                 key=lambda p: p[0])}


def resolve_policy(db: Database | None, name: str | None) -> str:
    """The retention policy a v1 read or write addresses (the named one, else the database's
    default); refused, as 1.x does, when the database has no such policy. A database that
    does not exist yet (a write creates it) has only `autogen`."""
    if db is None:
        policy = name or AUTOGEN.name
        known = policy == AUTOGEN.name
    else:
        policy = name or db.default_policy
        known = policy in db.retention_policies
    if not known:
        # 1.x's text; 1.x answers it with 500, the gateway with 404 (never 500 to bad input)
        raise GatewayError(Category.NOT_FOUND, f"retention policy not found: {policy}")
    return policy
