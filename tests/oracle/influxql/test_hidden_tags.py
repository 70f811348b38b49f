"""A user's tag may be named like the gateway's hidden columns: the answers still match a real
InfluxDB 1.6.7's. The cpu measurement of the dataset, its `host` tag renamed `__batch` (the
name the subquery batches once rode in, `subquery_batches.BATCH`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .dataset import Batch, cpu_lines
from .oracle import Servers, compare, write
from .servers import server_pair

pytestmark = pytest.mark.slow

DATABASE = "hidden_tags"


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    for pair in server_pair(Path(tmp_path_factory.mktemp("hidden")), with_dataset=False):
        batch = Batch(DATABASE, tuple(line.replace("host=", "__batch=") for line in cpu_lines()))
        for base in (pair.influx, pair.gateway):
            write(base, batch)
        yield pair


# percentile(usage_idle, 20) over 90s windows selects nothing in some: a parent's median()
# answers a row per batch, per group of the tag (`percentile-low-rank-subquery-*`)
_SUBQUERY = ("(SELECT percentile(usage_idle, 20) AS a FROM cpu WHERE "
             "time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T01:00:00Z' "
             "GROUP BY time(90s), __batch)")


@pytest.mark.parametrize("statement", [
    pytest.param(f"SELECT median(a) FROM {_SUBQUERY} GROUP BY __batch", id="grouped-by-it"),
    pytest.param(f"SELECT spread(a) FROM {_SUBQUERY}", id="ungrouped"),
    pytest.param(f"SELECT count(a) FROM {_SUBQUERY} GROUP BY __batch", id="count-grouped-by-it"),
    pytest.param("SELECT median(a) FROM (SELECT percentile(usage_idle, 20) AS a, __batch AS b "
                 "FROM cpu WHERE time >= '2024-01-01T00:00:00Z' AND "
                 "time < '2024-01-01T01:00:00Z' GROUP BY time(90s), __batch) GROUP BY __batch",
                 id="also-selected"),
])
def test_tag_named_like_the_batch_column(servers: Servers, statement: str) -> None:
    difference = compare(servers, statement, {"db": DATABASE})
    assert difference is None, difference
