"""A 204 survives SIGKILL: kill the gateway while writers are busy and find every
acknowledged point after restart."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.support.gateway_process import GatewayProcess, gateway_process

pytestmark = pytest.mark.slow
LINES = 500


def post(url: str, body: bytes) -> int:
    request = urllib.request.Request(url, data=body, method="POST")
    try:
        # generous: a writer gives up at its first timeout, taking it for the SIGKILL
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def sql(gateway: GatewayProcess, query: str) -> list[dict[str, object]]:
    url = f"{gateway.url}/api/v3/query_sql?" + urllib.parse.urlencode({"db": "dur", "q": query})
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.load(response)


def batch(writer: int, number: int) -> bytes:
    return "\n".join(
        f"pts,writer=w{writer},batch=b{number} v={i},i={i}i {1_700_000_000_000_000_000 + i}"
        for i in range(LINES)
    ).encode()


def test_acknowledged_writes_survive_sigkill(tmp_path: Path) -> None:
    gateway = gateway_process(tmp_path / "gw").start()
    acked: set[tuple[int, int]] = set()
    sent: set[tuple[int, int]] = set()
    lock = threading.Lock()
    stop = threading.Event()

    def writer(index: int) -> None:
        paths = ["/write?db=dur", "/api/v2/write?bucket=dur", "/api/v3/write_lp?db=dur"]
        number = 0
        while not stop.is_set() and number < 2000:
            with lock:
                sent.add((index, number))
            try:
                status = post(f"{gateway.url}{paths[index % 3]}&precision=ns",
                              batch(index, number))
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                return  # the gateway is gone
            if status == 204:
                with lock:
                    acked.add((index, number))
            number += 1

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 300  # a bound for a hang: a loaded machine takes long
    while len(acked) < 40 and time.monotonic() < deadline:
        time.sleep(0.01)
    gateway.kill()  # SIGKILL right after acknowledgements, with writes in flight
    stop.set()
    for thread in threads:
        thread.join()
    assert len(acked) >= 40

    gateway.start()
    try:
        rows = sql(gateway, "SELECT writer, batch, count(*) AS n, sum(i) AS total FROM pts "
                            "GROUP BY writer, batch")
    finally:
        gateway.stop()
    found = {(int(r["writer"][1:]), int(r["batch"][1:])): r for r in rows}
    for key in acked:
        assert key in found, f"acknowledged batch {key} lost"
    for key, row in found.items():
        assert key in sent
        assert row["n"] == LINES, f"batch {key} is partial: {row['n']} rows"
        assert row["total"] == LINES * (LINES - 1) // 2


def test_sigterm_finishes_and_keeps_data(tmp_path: Path) -> None:
    gateway = gateway_process(tmp_path / "gw").start()
    assert post(f"{gateway.url}/write?db=dur", batch(0, 0)) == 204
    assert gateway.stop() == 0
    gateway.start()
    try:
        assert sql(gateway, "SELECT count(*) AS n FROM pts") == [{"n": LINES}]
    finally:
        gateway.stop()
