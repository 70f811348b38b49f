"""Fixtures of the oracle tests: a gateway process the module's cases share."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.gateway_process import GatewayProcess, gateway_process


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GatewayProcess]:
    process = gateway_process(Path(tmp_path_factory.mktemp("oracle")) / "gw").start()
    yield process
    process.stop()
