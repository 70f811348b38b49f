"""Servers started by tests and benchmarks: free loopback ports, start, wait, stop."""

from __future__ import annotations

import atexit
import os
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request

# Seconds a server may take to start or to stop before it counts as hung: a loaded machine
# takes tens of seconds for what an idle one does in one, and a wait ends as soon as it can.
PATIENCE = 120.0
# Every server started here, so that one a failed fixture or test never stopped does not
# outlive the test run (`_stop_leftovers`).
_started: list[subprocess.Popen[bytes]] = []


class PortTaken(RuntimeError):
    """Another process holds the port a server was to take: the port was free when chosen,
    and taken (by any process on the machine binding port 0, or a connection given it as its
    local port) before the server bound it, so /ping was answered by that process, not by
    the server, or the server exited, unable to bind it."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def listens_on(process: subprocess.Popen[bytes], port: int) -> bool | None:
    """Whether `process` holds the socket listening on loopback `port` (Linux /proc); None
    where that cannot be read."""
    try:
        with open("/proc/net/tcp") as table:
            rows = [line.split() for line in table.readlines()[1:]]
        inodes = {row[9] for row in rows
                  if row[3] == "0A" and int(row[1].rsplit(":", 1)[1], 16) == port}
        fds = f"/proc/{process.pid}/fd"
        names = os.listdir(fds)
    except OSError:
        return None
    held = set()
    for fd in names:
        try:
            held.add(os.readlink(f"{fds}/{fd}"))
        except OSError:  # closed while the list was read: not the listening socket
            continue
    return any(f"socket:[{inode}]" in held for inode in inodes)


def wait_for_ping(url: str, process: subprocess.Popen[bytes], log: str,
                  timeout: float = PATIENCE, log_from: int = 0) -> None:
    """Poll GET /ping until it answers 204; fail if the process exits or time runs out
    (`log_from`: where this run's output begins in `log`)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            if _bind_failed(log, log_from):
                raise PortTaken(f"{url}: the port was taken before the server bound it")
            raise RuntimeError(f"{url}: server exited with {process.returncode}; see {log}")
        try:
            with urllib.request.urlopen(f"{url}/ping", timeout=1) as response:
                if response.status == 204:
                    _check_owner(url, process)
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.05)
    process.terminate()
    process.wait()
    raise RuntimeError(f"{url} did not answer /ping within {timeout} s; see {log}")


def _bind_failed(log: str, log_from: int) -> bool:
    """Whether the server said its address was in use (influxd's `bind: address already in
    use`, Python's `[Errno 98] ... address already in use`) in its output from `log_from`."""
    try:
        with open(log, "rb") as text:
            text.seek(log_from)
            return b"address already in use" in text.read().lower()
    except OSError:
        return False


def _check_owner(url: str, process: subprocess.Popen[bytes]) -> None:
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    if listens_on(process, port) is False:
        process.terminate()
        process.wait()
        raise PortTaken(f"{url} answered /ping from another process than the one started")


def start_server(command: list[str], url: str, log_path: str, *,
                 env: dict[str, str] | None = None, timeout: float = PATIENCE
                 ) -> subprocess.Popen[bytes]:
    """Start a server with its output in `log_path`; return once GET /ping answers 204."""
    with open(log_path, "ab") as log:
        log_from = os.fstat(log.fileno()).st_size  # a restart's log follows the last run's
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log,
                                   stderr=subprocess.STDOUT, env=env)
    _started[:] = [*(other for other in _started if other.poll() is None), process]
    wait_for_ping(url, process, log_path, timeout, log_from)
    return process


def stop_server(process: subprocess.Popen[bytes], timeout: float = PATIENCE) -> int:
    """SIGTERM, then SIGKILL if it has not exited within `timeout`; the exit code."""
    process.terminate()
    try:
        return process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.wait()


@atexit.register
def _stop_leftovers() -> None:
    """Stop the servers still running when the test process exits."""
    for process in _started:
        if process.poll() is None:
            stop_server(process, 10)


def _stop_leftovers_and_end(signum: int, _frame: object) -> None:
    """A test run ended by a signal (`timeout`, a kill of its PID) runs no exit hook: stop
    the servers here, then end as the signal would have."""
    _stop_leftovers()
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


if threading.current_thread() is threading.main_thread():
    for _signum in (signal.SIGTERM, signal.SIGHUP):
        if signal.getsignal(_signum) == signal.SIG_DFL:  # never over another's handler
            signal.signal(_signum, _stop_leftovers_and_end)
