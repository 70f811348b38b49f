"""The metadata store: one SQLite file under the data directory, in WAL mode.

It holds what the API changes at runtime and a restart must find again: sources (upstreams
registered through /api/v2/sources, secrets included) and the route list last PUT to
/admin/routes. The file is created 0600 because it holds upstream secrets in clear text: a
source has no environment variable to name. SQLite gives WAL files the main file's mode.

Every call runs on one thread of its own (the connection is used by that thread only), so
the event loop never waits on the disk. The schema is versioned with `PRAGMA user_version`:
`MIGRATIONS[n]` takes a file from version n to n + 1, in one transaction.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import os
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import astuple, dataclass, field, fields, replace
from pathlib import Path
from typing import Any, TypeVar

from gateway.errors import Category, GatewayError, conflict

log = logging.getLogger(__name__)

T = TypeVar("T")
FILE_MODE = 0o600

MIGRATIONS: tuple[str, ...] = (
    # 1: sources and the runtime route list (one row: the whole list, replaced at once).
    """
    CREATE TABLE sources (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        type TEXT NOT NULL,
        url TEXT NOT NULL,
        org_id TEXT NOT NULL DEFAULT '',
        is_default INTEGER NOT NULL DEFAULT 0,
        insecure_skip_verify INTEGER NOT NULL DEFAULT 0,
        telegraf TEXT NOT NULL DEFAULT '',
        username TEXT NOT NULL DEFAULT '',
        meta_url TEXT NOT NULL DEFAULT '',
        default_rp TEXT NOT NULL DEFAULT '',
        org TEXT NOT NULL DEFAULT '',
        token TEXT NOT NULL DEFAULT '',
        password TEXT NOT NULL DEFAULT '',
        shared_secret TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE routes (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        tables TEXT NOT NULL,
        version INTEGER NOT NULL,
        updated_at TEXT NOT NULL
    );
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


@dataclass(frozen=True, slots=True)
class Source:
    """A registered upstream as stored; secrets are kept out of repr so logs never show them."""

    id: str
    name: str
    type: str  # v1 | v2 | v3
    url: str
    org_id: str = ""  # the owning organization (Source.orgID)
    is_default: bool = False
    insecure_skip_verify: bool = False
    telegraf: str = ""
    username: str = ""
    meta_url: str = ""
    default_rp: str = ""
    org: str = ""  # the upstream's own organization name (2.x writes need one)
    token: str = field(default="", repr=False)
    password: str = field(default="", repr=False)
    shared_secret: str = field(default="", repr=False)
    created_at: str = ""  # RFC 3339, set by the store
    updated_at: str = ""


_COLUMNS = tuple(f.name for f in fields(Source))


@dataclass(frozen=True, slots=True)
class StoredRoutes:
    """The route list last saved: tables with the config file's [[routes]] keys."""

    tables: list[dict[str, Any]]
    version: int  # 1 for the first save, one more for each later save
    updated_at: str


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _source(row: sqlite3.Row) -> Source:
    values = dict(row)
    values["is_default"] = bool(values["is_default"])
    values["insecure_skip_verify"] = bool(values["insecure_skip_verify"])
    return Source(**values)


class MetadataStore:
    """Sources and routes in SQLite; open() before use, close() at shutdown."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._executor: ThreadPoolExecutor | None = None
        self._db: sqlite3.Connection | None = None

    # -- lifecycle ----------------------------------------------------------------------------

    async def open(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="metadata")
        try:
            await self._run(self._open)
        except BaseException:
            self._executor.shutdown(wait=True)
            self._executor = None
            raise

    def _open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Create the file 0600 before SQLite does (it would use the umask), and tighten a file
        # an earlier version or an operator left wider.
        os.close(os.open(self.path, os.O_RDWR | os.O_CREAT, FILE_MODE))
        os.chmod(self.path, FILE_MODE)
        db = sqlite3.connect(self.path, isolation_level=None)  # transactions are explicit
        try:
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA journal_mode=WAL")
            # Changes are rare and hold secrets and routes: sync every commit.
            db.execute("PRAGMA synchronous=FULL")
            db.execute("PRAGMA busy_timeout=5000")
            self._migrate(db)
        except BaseException:
            db.close()
            raise
        self._db = db

    def _migrate(self, db: sqlite3.Connection) -> None:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise RuntimeError(f"{self.path}: schema version {version} is newer than this "
                               f"gateway's ({SCHEMA_VERSION}); run a newer gateway")
        for number in range(version, SCHEMA_VERSION):
            try:
                db.executescript(f"BEGIN IMMEDIATE;\n{MIGRATIONS[number]};\n"
                                 f"PRAGMA user_version = {number + 1};\nCOMMIT;")
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise
            log.info("metadata store %s: schema version %d", self.path, number + 1)

    async def close(self) -> None:
        if self._executor is None:
            return
        await self._run(self._close)
        self._executor.shutdown(wait=True)
        self._executor = None

    def _close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    async def _run(self, call: Callable[..., T], *args: Any) -> T:
        if self._executor is None:
            raise GatewayError(Category.UNAVAILABLE, "the metadata store is closed")
        return await asyncio.get_running_loop().run_in_executor(self._executor, call, *args)

    def _connection(self) -> sqlite3.Connection:
        if self._db is None:
            raise GatewayError(Category.UNAVAILABLE, "the metadata store is closed")
        return self._db

    def _read(self, statement: str, *params: object) -> list[sqlite3.Row]:
        try:
            return self._connection().execute(statement, params).fetchall()
        except sqlite3.Error as exc:
            log.error("metadata store %s: %s", self.path, exc)
            raise GatewayError(Category.UNAVAILABLE,
                               "the metadata store cannot be read") from exc

    def _write(self, change: Callable[[sqlite3.Connection], T]) -> T:
        """`change` in one transaction, committed (and synced) before returning."""
        db = self._connection()
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                result = change(db)
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        except sqlite3.IntegrityError as exc:
            # The service checks names before saving; this is a second line of defence.
            raise conflict("a source with that id or name already exists") from exc
        except sqlite3.Error as exc:
            log.error("metadata store %s: %s", self.path, exc)
            raise GatewayError(Category.UNAVAILABLE,
                               "the metadata store cannot be written") from exc
        return result

    # -- sources ------------------------------------------------------------------------------

    async def sources(self) -> list[Source]:
        """Every stored source, oldest first."""
        rows = await self._run(self._read, "SELECT * FROM sources ORDER BY rowid")
        return [_source(row) for row in rows]

    async def insert_source(self, source: Source) -> Source:
        now = _now()
        stored = replace(source, created_at=now, updated_at=now)

        def insert(db: sqlite3.Connection) -> None:
            db.execute(f"INSERT INTO sources ({', '.join(_COLUMNS)}) "
                       f"VALUES ({', '.join('?' * len(_COLUMNS))})", astuple(stored))

        await self._run(self._write, insert)
        return stored

    async def update_source(self, source: Source) -> Source:
        """Replace every field of the source with `source.id`; `not found` if there is none."""
        stored = replace(source, updated_at=_now())
        columns = [c for c in _COLUMNS if c not in ("id", "created_at")]

        def update(db: sqlite3.Connection) -> int:
            return db.execute(
                f"UPDATE sources SET {', '.join(f'{c} = ?' for c in columns)} WHERE id = ?",
                [*(getattr(stored, c) for c in columns), stored.id]).rowcount

        if not await self._run(self._write, update):
            raise GatewayError(Category.NOT_FOUND, "source not found")
        return stored

    async def delete_source(self, source_id: str) -> bool:
        def delete(db: sqlite3.Connection) -> int:
            return db.execute("DELETE FROM sources WHERE id = ?", (source_id,)).rowcount

        return bool(await self._run(self._write, delete))

    # -- routes -------------------------------------------------------------------------------

    async def routes(self) -> StoredRoutes | None:
        """The route list last saved, or None if none ever was."""
        rows = await self._run(self._read,
                               "SELECT tables, version, updated_at FROM routes WHERE id = 1")
        if not rows:
            return None
        return StoredRoutes(json.loads(rows[0]["tables"]), rows[0]["version"],
                            rows[0]["updated_at"])

    async def save_routes(self, tables: list[dict[str, Any]]) -> StoredRoutes:
        """Replace the whole route list; the version counts the saves."""
        now = _now()
        text = json.dumps(tables, separators=(",", ":"))

        def save(db: sqlite3.Connection) -> int:
            row = db.execute("SELECT version FROM routes WHERE id = 1").fetchone()
            version = (row[0] if row else 0) + 1
            db.execute("INSERT INTO routes (id, tables, version, updated_at) "
                       "VALUES (1, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
                       "tables = excluded.tables, version = excluded.version, "
                       "updated_at = excluded.updated_at", (text, version, now))
            return version

        version = await self._run(self._write, save)
        return StoredRoutes(json.loads(text), version, now)

    async def clear_routes(self) -> bool:
        """Forget the saved route list (the config file's is used again); True if one was."""

        def clear(db: sqlite3.Connection) -> int:
            return db.execute("DELETE FROM routes WHERE id = 1").rowcount

        return bool(await self._run(self._write, clear))
