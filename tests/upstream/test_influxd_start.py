"""The test harness's InfluxDB 1.6.7 is the process it started, not whatever answers on its port.

A port is chosen free and bound by influxd a second or more later (much later on a busy
machine); any process binding port 0 meanwhile may get it. /ping then answers 204 from that
process, and a test talks to it believing it talks to its own fresh 1.6.7.
"""

from __future__ import annotations

import json
import threading
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.support.influxd import Influxd, InfluxdMissing, influxd_binary
from tests.support.ports import PortTaken
from tests.support.required import unavailable


class _Ping(BaseHTTPRequestHandler):
    """Answers /ping as any InfluxDB (or the gateway) does."""

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def taken() -> Iterator[int]:
    """A loopback port another server of this process listens on."""
    try:
        influxd_binary()
    except InfluxdMissing as exc:
        unavailable(str(exc))
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Ping)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def pid_answering(server: Influxd) -> int:
    query = f"{server.url}/query?q=SHOW+DIAGNOSTICS"
    with urllib.request.urlopen(urllib.request.Request(query, method="POST"),
                                timeout=10) as answer:
        result = json.loads(answer.read())["results"][0]
    system = next(s for s in result["series"] if s["name"] == "system")
    return int(system["values"][0][system["columns"].index("PID")])


def test_a_server_on_the_chosen_port_is_not_taken_for_influxd(
        tmp_path: Path, taken: int) -> None:
    server = Influxd(tmp_path / "influxd", taken).start()
    try:
        assert server.port != taken
        assert server.process is not None
        assert pid_answering(server) == server.process.pid
    finally:
        server.stop()


def test_a_restart_whose_port_was_taken_fails_rather_than_moving(
        tmp_path: Path, taken: int) -> None:
    server = Influxd(tmp_path / "influxd", taken)
    (tmp_path / "influxd").mkdir()
    (tmp_path / "influxd" / "influxdb.conf").write_text("")  # as left by an earlier start
    with pytest.raises(PortTaken):
        server.start()
    assert server.port == taken
