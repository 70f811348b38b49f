"""Servers started by tests and benchmarks: free loopback ports, start, wait, stop."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.error
import urllib.request


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.05)
    process.terminate()
    process.wait()
    raise RuntimeError(f"{url} did not answer /ping within {timeout} s; see {log}")


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
