"""Mutating InfluxQL (CREATE/DROP DATABASE, retention policies, DROP MEASUREMENT/SERIES,
DELETE): each runs in a fresh copy of a slice of the dataset on both servers, and the
statement's answer and the follow-up queries' answers must match InfluxDB 1.6.7's.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .cases import mutation_params
from .oracle import Servers, compare_mutation, request
from .servers import server_pair

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    yield from server_pair(Path(tmp_path_factory.mktemp("influxql-mut")), with_dataset=False)


def test_both_servers_answer(servers: Servers) -> None:
    """Never pending: fails when either server is missing."""
    for base in (servers.influx, servers.gateway):
        assert request(f"{base}/ping").status == 204


@pytest.mark.parametrize(("statement", "follow_ups", "database"), mutation_params())
def test_same_effect(servers: Servers, statement: str, follow_ups: list[str],
                     database: str) -> None:
    difference = compare_mutation(servers, statement, follow_ups, database)
    assert difference is None, difference
