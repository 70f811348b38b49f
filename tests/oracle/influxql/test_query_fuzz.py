"""InfluxQL SELECTs fuzzed against a real InfluxDB 1.6.7: generated statements, the same answers.

Each case draws one statement (qgen.py) over the oracle's dataset, sends it to both servers
and compares the answers as the hand-written cases are compared (compare.py). CI runs a short
fixed-seed sample; explore with e.g. `IQLFUZZ_SEED=7 IQLFUZZ_CASES=2000` (and
`IQLFUZZ_NEAR_MISS=0.2` for more errors, `IQLFUZZ_STYLE=0.5` for statements written as
Grafana writes them, `IQLFUZZ_GRAFANA=0.5` for the time filters, intervals and regex variables
Grafana's editor writes, `IQLFUZZ_OFFSET=0.3` for OFFSET without LIMIT, `IQLFUZZ_EXTRA=0.5`
for casts in calls, math in WHERE and nested subqueries: qgen_extra.py). A failure names
the seed and case number; replay one with `qgen.case("<seed>-<case>")`. Differences found
are kept as named cases in the `cases_*.py` modules.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from . import qgen
from .oracle import Servers, compare
from .servers import server_pair

pytestmark = pytest.mark.slow
SEED = int(os.environ.get("IQLFUZZ_SEED", "1"))
CASES = int(os.environ.get("IQLFUZZ_CASES", "150"))


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    yield from server_pair(Path(tmp_path_factory.mktemp("iqlfuzz")), with_dataset=True)


@pytest.mark.parametrize("index", range(CASES))
def test_generated_statement_as_influxdb(servers: Servers, index: int) -> None:
    drawn = qgen.case(f"{SEED}-{index}")
    difference = compare(servers, drawn.statement, drawn.params)
    assert difference is None, (f"IQLFUZZ_SEED={SEED} case {index}: {drawn.statement}\n"
                                f"params {drawn.params}\n{difference}")
