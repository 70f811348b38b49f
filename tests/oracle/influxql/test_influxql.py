"""InfluxQL over v1 /query: every case gets the same answer from the gateway as from a real
InfluxDB 1.6.7 holding the same dataset (status, Content-Type and body; floats to 1e-9).

Cases listed in pending.py are strict expected failures; refresh that list with
`.venv/bin/python -m tests.oracle.influxql.pending --update`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from .cases import format_params, query_params
from .dataset import DATABASE
from .oracle import Servers, compare, query, request
from .servers import server_pair

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    yield from server_pair(Path(tmp_path_factory.mktemp("influxql")), with_dataset=True)


def test_reference_is_influxdb_167_with_the_dataset(servers: Servers) -> None:
    """Never pending: fails when either server is missing or the dataset did not load."""
    answer = request(f"{servers.influx}/ping")
    assert answer.status == 204
    for base in (servers.influx, servers.gateway):
        counted = query(base, "SELECT count(v) FROM single", {"db": DATABASE})
        assert (counted.status, counted.media_type) == (200, "application/json")
        assert json.loads(counted.body)["results"][0]["series"][0]["values"][0][1] == 3


@pytest.mark.parametrize(("statement", "params"), query_params())
def test_same_answer(servers: Servers, statement: str, params: dict[str, str | None]) -> None:
    difference = compare(servers, statement, params)
    assert difference is None, difference


@pytest.mark.parametrize(("statement", "params", "headers"), format_params())
def test_same_encoding(servers: Servers, statement: str, params: dict[str, str | None],
                       headers: dict[str, str]) -> None:
    difference = compare(servers, statement, params, headers)
    assert difference is None, difference
