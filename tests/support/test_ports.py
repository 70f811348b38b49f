"""Servers the tests start: a port taken before the server binds it is given up for another
on a first start, never on a restart; none outlives the test run; a gateway's settings are
the test's own, whatever the environment the tests run in holds."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import ports
from tests.support.gateway_process import gateway_process
from tests.support.influxd import Influxd, InfluxdMissing, influxd_binary
from tests.support.ports import PortTaken, listens_on
from tests.support.required import unavailable

pytestmark = pytest.mark.slow


@pytest.fixture
def silent() -> Iterator[int]:
    """A loopback port a socket of this process listens on without ever answering, so the
    server given it cannot bind it and /ping is never answered there."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        yield sock.getsockname()[1]


def test_a_gateway_whose_port_was_taken_starts_on_another(tmp_path: Path,
                                                          silent: int) -> None:
    gateway = gateway_process(tmp_path / "gw")
    gateway.port = silent
    gateway.start()
    try:
        assert gateway.port != silent
        assert gateway.process is not None and listens_on(gateway.process, gateway.port)
    finally:
        gateway.stop()


def test_a_gateway_whose_port_is_taken_says_so_in_one_line(tmp_path: Path,
                                                            silent: int) -> None:
    # it printed "listening on" before binding, then the bind's traceback
    done = subprocess.run(
        [sys.executable, "-m", "gateway", "serve", "--bind", f"127.0.0.1:{silent}",
         "--data-dir", str(tmp_path / "gw"), "--log-level", "WARNING"],
        cwd=Path(__file__).resolve().parents[2], env=gateway_process(tmp_path).env,
        capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert (done.stdout, done.stderr) == (
        "", f"influx-gateway: cannot listen on http://127.0.0.1:{silent}: "
            "address already in use\n")


def test_a_gateway_says_it_listens_once_it_does(tmp_path: Path) -> None:
    gateway = gateway_process(tmp_path / "gw").start()
    try:
        log = (tmp_path / f"gateway-{gateway.port}.log").read_text()
        assert f"listening on http://127.0.0.1:{gateway.port} " in log
    finally:
        gateway.stop()


def test_a_gateway_restart_whose_port_was_taken_fails_rather_than_moving(
        tmp_path: Path) -> None:
    gateway = gateway_process(tmp_path / "gw").start()
    gateway.stop()
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # its last run's TIME_WAIT
        sock.bind(("127.0.0.1", gateway.port))
        sock.listen(16)
        with pytest.raises(PortTaken):
            gateway.start()
    assert gateway.process is None


def test_an_influxd_whose_port_was_taken_starts_on_another(tmp_path: Path,
                                                           silent: int) -> None:
    try:
        influxd_binary()
    except InfluxdMissing as exc:
        unavailable(str(exc))
    server = Influxd(tmp_path / "influxd", silent).start()
    try:
        assert server.port != silent
        assert server.process is not None and listens_on(server.process, server.port)
    finally:
        server.stop()


def test_a_server_left_running_is_stopped_when_the_tests_end(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What the test process does at exit (ports.py registers it with atexit). The registry
    is this test's own: the real one holds the session's servers (the shared InfluxDB 1.6.7),
    which stopping here would take from every test after this one."""
    monkeypatch.setattr(ports, "_started", [])
    gateway = gateway_process(tmp_path / "gw").start()
    left = gateway.process
    assert left is not None
    try:
        ports._stop_leftovers()
        assert left.poll() is not None
    finally:
        left.kill()
        left.wait()


def test_a_test_process_that_exits_stops_its_servers(tmp_path: Path) -> None:
    """A whole process: it starts a gateway and exits without stopping it."""
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from tests.support.gateway_process import gateway_process\n"
        "print(gateway_process(Path(sys.argv[1])).start().process.pid, flush=True)\n")
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path / "gw")],
                          capture_output=True, text=True, timeout=120, check=True)
    pid = int(done.stdout.split()[-1])
    left = Path(f"/proc/{pid}").exists() and not _zombie(pid)
    if left:  # the test fails; the gateway it left must not outlive it
        os.kill(pid, signal.SIGKILL)
    assert not left


def test_a_test_process_ended_by_sigterm_stops_its_servers(tmp_path: Path) -> None:
    """`timeout` or a kill of its PID ends a test run with SIGTERM, which runs no exit hook:
    the gateway it started must not outlive it."""
    script = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from tests.support.gateway_process import gateway_process\n"
        "print(gateway_process(Path(sys.argv[1])).start().process.pid, flush=True)\n"
        "time.sleep(3600)\n")
    runner = subprocess.Popen([sys.executable, "-c", script, str(tmp_path / "gw")],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert runner.stdout is not None
        pid = int(runner.stdout.readline())
        runner.terminate()
        assert runner.wait(ports.PATIENCE) == -signal.SIGTERM
    finally:
        if runner.poll() is None:
            runner.kill()
            runner.wait()
    left = Path(f"/proc/{pid}").exists() and not _zombie(pid)
    if left:  # the test fails; the gateway it left must not outlive it
        os.kill(pid, signal.SIGKILL)
    assert not left


def _zombie(pid: int) -> bool:
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().rsplit(")", 1)[1].split()[0] == "Z"


def test_the_tests_see_no_gateway_settings_of_their_environment() -> None:
    assert not [name for name in os.environ if name.startswith("INFLUX_GATEWAY_")]


def test_a_test_run_drops_the_gateway_settings_of_its_environment() -> None:
    """tests/conftest.py takes them away: a run started with one sees none."""
    env = {**os.environ, "INFLUX_GATEWAY_QUERY_TIMEOUT_SECONDS": "0.001"}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "addopts=",
         "tests/support/test_ports.py::test_the_tests_see_no_gateway_settings_of_their_"
         "environment"], cwd=Path(__file__).resolve().parents[2], env=env,
        capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:]
