"""The composition root's process-wide settings: the serving app's frozen start-up heap."""

from __future__ import annotations

import gc
from collections.abc import Callable
from pathlib import Path

from gateway.app import create_app
from tests.conftest import GatewayTestServer, make_config


async def test_the_serving_app_keeps_its_start_up_heap_out_of_the_collector(
        aiohttp_client: Callable, tmp_path: Path) -> None:
    """`serve` freezes what start-up left (a full collection walked it all, 45 ms every few
    hundred small queries) and lets it go at shutdown; apps made in tests do not."""
    assert gc.get_freeze_count() == 0
    client = await aiohttp_client(GatewayTestServer(create_app(make_config(tmp_path / "a"))))
    assert (await client.get("/ping")).status == 204
    assert gc.get_freeze_count() == 0
    await client.close()
    client = await aiohttp_client(GatewayTestServer(create_app(make_config(tmp_path / "b"),
                                                               freeze_heap=True)))
    assert (await client.get("/ping")).status == 204
    assert gc.get_freeze_count() > 50_000
    await client.close()
    assert gc.get_freeze_count() == 0
