"""The metadata store on disk: file mode, WAL, schema version, sources and routes across
reopenings."""

from __future__ import annotations

import dataclasses
import sqlite3
import stat
from pathlib import Path

import pytest

from gateway.errors import Category, GatewayError
from gateway.tenancy.metadata import SCHEMA_VERSION, MetadataStore, Source


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def _opened(path: Path) -> MetadataStore:
    store = MetadataStore(path)
    await store.open()
    return store


async def test_a_new_file_is_private_in_wal_mode_at_the_current_schema(tmp_path: Path) -> None:
    path = tmp_path / "data" / "metadata.sqlite"
    store = await _opened(path)
    await store.save_routes([])  # a write, so the WAL file exists
    try:
        assert _mode(path) == 0o600
        assert _mode(path.with_name("metadata.sqlite-wal")) == 0o600
        with sqlite3.connect(path) as db:
            assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    finally:
        await store.close()


async def test_a_file_left_readable_by_others_is_made_private(tmp_path: Path) -> None:
    path = tmp_path / "metadata.sqlite"
    path.touch(mode=0o644)
    path.chmod(0o644)
    store = await _opened(path)
    await store.close()
    assert _mode(path) == 0o600


async def test_a_file_from_a_newer_gateway_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "metadata.sqlite"
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    store = MetadataStore(path)
    with pytest.raises(RuntimeError, match="newer than this gateway"):
        await store.open()


async def test_sources_come_back_in_order_with_their_secrets_after_reopening(
        tmp_path: Path) -> None:
    path = tmp_path / "metadata.sqlite"
    store = await _opened(path)
    first = await store.insert_source(Source(
        id="00000000000000b1", name="old", type="v1", url="http://old:8086", username="u",
        password="pw-1", shared_secret="shh", insecure_skip_verify=True, default_rp="autogen"))
    second = await store.insert_source(Source(
        id="00000000000000a2", name="new", type="v3", url="http://new:8181", token="tok-2",
        is_default=True))
    changed = await store.update_source(dataclasses.replace(first, telegraf="tg", token="x"))
    await store.close()

    store = await _opened(path)
    try:
        assert await store.sources() == [changed, second]  # insertion order, not id order
        assert changed.created_at == first.created_at and changed.updated_at >= first.updated_at
        assert changed.password == "pw-1" and second.is_default is True
        assert await store.delete_source(first.id) is True
        assert await store.delete_source(first.id) is False
        assert [s.id for s in await store.sources()] == [second.id]
    finally:
        await store.close()


async def test_secrets_are_kept_out_of_repr() -> None:
    text = repr(Source(id="1" * 16, name="n", type="v2", url="http://x", token="tok-secret",
                       password="pw-secret", shared_secret="shared-secret"))
    assert "secret" not in text


async def test_duplicate_names_and_unknown_ids_are_refused(tmp_path: Path) -> None:
    store = await _opened(tmp_path / "metadata.sqlite")
    try:
        await store.insert_source(Source(id="1" * 16, name="a", type="v1", url="http://a"))
        with pytest.raises(GatewayError) as duplicate:
            await store.insert_source(Source(id="2" * 16, name="a", type="v1", url="http://b"))
        assert duplicate.value.category is Category.CONFLICT
        with pytest.raises(GatewayError) as missing:
            await store.update_source(Source(id="3" * 16, name="c", type="v1", url="http://c"))
        assert missing.value.category is Category.NOT_FOUND
        assert [s.name for s in await store.sources()] == ["a"]
    finally:
        await store.close()


async def test_routes_are_none_until_saved_then_versioned_across_reopening(
        tmp_path: Path) -> None:
    path = tmp_path / "metadata.sqlite"
    store = await _opened(path)
    assert await store.routes() is None
    await store.save_routes([{"database": "a*", "targets": ["native"]}])
    saved = await store.save_routes([{"database": "b", "mode": "single", "targets": ["up"]}])
    await store.close()

    store = await _opened(path)
    try:
        again = await store.routes()
        assert again == saved
        assert again is not None and again.version == 2
        assert again.tables == [{"database": "b", "mode": "single", "targets": ["up"]}]
    finally:
        await store.close()


async def test_calls_after_close_are_unavailable(tmp_path: Path) -> None:
    store = await _opened(tmp_path / "metadata.sqlite")
    await store.close()
    with pytest.raises(GatewayError) as info:
        await store.sources()
    assert info.value.category is Category.UNAVAILABLE
