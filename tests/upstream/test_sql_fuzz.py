"""InfluxDB 3 SQL fuzzed over a real InfluxDB 1.6.7: generated statements, the same rows.

One gateway subprocess holds sqlgen's dataset twice: in its native store (database NATIVE) and
on a real InfluxDB 1.6.7 behind a `single` route (database ROUTED), where `/api/v3/query_sql`
is translated to InfluxQL. Each case draws one statement (sqlgen.py), sends it to both and
compares the v3 JSON rows: sorted unless ORDER BY fixes every row's place, numbers to 1e-9
relative and of the same JSON type (integer or float). A statement outside the
translatable subset must be a 400 in v3's error format naming the construct.

CI runs a short fixed-seed sample; explore with e.g. `SQLFUZZ_SEED=7 SQLFUZZ_CASES=2000` (and
`SQLFUZZ_OUTSIDE=0.5` for more statements outside the subset). A failure names the seed and
case number; replay one with `sqlgen.case("<seed>-<case>")`. Differences found are kept as
named cases in test_sql_dialect_routes.py.
"""

from __future__ import annotations

import json
import math
import os
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.gateway_process import GatewayProcess, gateway_process
from tests.support.influxd import Influxd

from . import sqlgen

pytestmark = pytest.mark.slow
SEED = int(os.environ.get("SQLFUZZ_SEED", "1"))
CASES = int(os.environ.get("SQLFUZZ_CASES", "150"))
ROUTED, NATIVE = "sqlfuzz_v1", "sqlfuzz_native"


def _request(url: str, data: bytes | None = None,
             headers: dict[str, str] | None = None) -> tuple[int, str, bytes]:
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=60) as reply:
            return reply.status, reply.headers.get("Content-Type", ""), reply.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Content-Type", ""), exc.read()


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory,
            influxdb1: Influxd) -> Iterator[GatewayProcess]:
    config = tmp_path_factory.mktemp("config") / "gateway.toml"
    config.write_text("\n".join([
        "[[upstreams]]", 'name = "one"', 'type = "influxdb1"', f'url = "{influxdb1.url}"',
        "[[routes]]", f'database = "{ROUTED}"', 'mode = "single"', 'targets = ["one"]', ""]))
    process = gateway_process(tmp_path_factory.mktemp("gw") / "data", config).start()
    try:
        create = urllib.parse.urlencode({"q": f"CREATE DATABASE {ROUTED}"}).encode()
        assert _request(f"{process.url}/query", create)[0] == 200
        for database in (ROUTED, NATIVE):
            status, _, body = _request(f"{process.url}/write?db={database}&precision=s",
                                       sqlgen.DATASET)
            assert status == 204, body
        yield process
    finally:
        process.stop()


def query_sql(gateway: GatewayProcess, database: str, text: str,
              params: dict[str, object]) -> tuple[int, Any]:
    if params:  # bound values go in a POST's JSON body
        body = json.dumps({"db": database, "q": text, "format": "json", "params": params})
        status, kind, body = _request(f"{gateway.url}/api/v3/query_sql", body.encode(),
                                      {"Content-Type": "application/json"})
    else:
        query = urllib.parse.urlencode({"db": database, "q": text, "format": "json"})
        status, kind, body = _request(f"{gateway.url}/api/v3/query_sql?{query}")
    assert kind.startswith("application/json"), (status, kind, body[:200])
    return status, json.loads(body)


def _same(ours: Any, theirs: Any) -> bool:
    if isinstance(ours, bool) or isinstance(theirs, bool):
        return ours is theirs
    if isinstance(ours, int | float) and isinstance(theirs, int | float):
        # The same JSON type too: 2.0 is not 2 (integers' averages, medians and deviations
        # are floats on both paths, as in InfluxDB 3).
        if type(ours) is not type(theirs):
            return False
        return math.isclose(ours, theirs, rel_tol=1e-9, abs_tol=1e-12)
    return bool(ours == theirs)


def _rows(body: list[dict[str, Any]], drawn: sqlgen.Case) -> list[dict[str, Any]]:
    # v3 JSON leaves a NULL cell out of its row; either way it is the same row.
    rows = [{k: v for k, v in row.items() if v is not None} for row in body]
    if not drawn.ordered:  # floats rounded, so that last-digit differences sort alike
        rows.sort(key=lambda row: json.dumps({k: f"{v:.9g}" if isinstance(v, float) else v
                                              for k, v in row.items()}, sort_keys=True))
    return rows


def difference(gateway: GatewayProcess, drawn: sqlgen.Case) -> str | None:
    """What the routed answer gets wrong against the native one, or None."""
    native = query_sql(gateway, NATIVE, drawn.sql, drawn.params)
    routed = query_sql(gateway, ROUTED, drawn.sql, drawn.params)
    if native[0] >= 500 or routed[0] >= 500:
        return f"a 5xx: native {native}, routed {routed}"
    if drawn.outside:
        error = routed[1].get("error", "") if isinstance(routed[1], dict) else ""
        if routed[0] != 400 or "data" not in routed[1] or (
                drawn.outside.lower() not in error.lower()):
            return f"expected a 400 naming {drawn.outside!r}, got {routed}"
        return None
    if native[0] != 200:  # inside the subset: the generator's own mistake, which compares nothing
        return f"the native store refused a statement drawn inside the subset: {native}"
    if native[0] != routed[0]:
        return f"status: native {native}, routed {routed}"
    ours, theirs = _rows(routed[1], drawn), _rows(native[1], drawn)
    if len(ours) != len(theirs) or not all(
            row.keys() == other.keys() and all(_same(row[k], other[k]) for k in row)
            for row, other in zip(ours, theirs, strict=True)):
        return f"rows differ:\n routed {ours}\n native {theirs}"
    return None


@pytest.mark.parametrize("index", range(CASES))
def test_generated_sql_as_the_native_store(gateway: GatewayProcess, index: int) -> None:
    drawn = sqlgen.case(f"{SEED}-{index}")
    found = difference(gateway, drawn)
    assert found is None, (f"SQLFUZZ_SEED={SEED} case {index}: {drawn.sql}\n"
                           f"params {drawn.params}\n{found}")
