"""Servers started by tests and benchmarks: free loopback ports, start, wait, stop."""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.error
import urllib.request


class PortTaken(RuntimeError):
    """Another process listens on the port a server was to take: the port was free when
    chosen, and taken (by any process on the machine binding port 0) before the server
    bound it, so /ping was answered by that process, not by the server."""


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
                  timeout: float = 30.0) -> None:
    """Poll GET /ping until it answers 204; fail if the process exits or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
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


def _check_owner(url: str, process: subprocess.Popen[bytes]) -> None:
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    if listens_on(process, port) is False:
        process.terminate()
        process.wait()
        raise PortTaken(f"{url} answered /ping from another process than the one started")


def start_server(command: list[str], url: str, log_path: str, *,
                 env: dict[str, str] | None = None, timeout: float = 30.0
                 ) -> subprocess.Popen[bytes]:
    """Start a server with its output in `log_path`; return once GET /ping answers 204."""
    with open(log_path, "ab") as log:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log,
                                   stderr=subprocess.STDOUT, env=env)
    wait_for_ping(url, process, log_path, timeout)
    return process


def stop_server(process: subprocess.Popen[bytes], timeout: float = 30.0) -> int:
    """SIGTERM, then SIGKILL if it has not exited within `timeout`; the exit code."""
    process.terminate()
    try:
        return process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.wait()
