"""A private InfluxDB 1.6.7 (Debian package `influxdb`) on loopback, for oracles and benchmarks.

Follows notes/real-servers-and-clients.md §1.2: its own config and data directory, HTTP on
127.0.0.1 only, the RPC port moved to a random one, no _internal database.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from .ports import PATIENCE, PortTaken, free_port, start_server, stop_server

CONFIG = """\
reporting-enabled = false
bind-address = "127.0.0.1:0"

[meta]
  dir = "{dir}/meta"

[data]
  dir = "{dir}/data"
  wal-dir = "{dir}/wal"
  query-log-enabled = false

[monitor]
  store-enabled = false

[http]
  enabled = true
  bind-address = "127.0.0.1:{port}"
  auth-enabled = {auth}
  log-enabled = false
  pprof-enabled = false

[logging]
  level = "warn"
  suppress-logo = true
"""


class InfluxdMissing(RuntimeError):
    """influxd is not installed; CI installs it (Debian package `influxdb`)."""


def influxd_binary() -> str:
    binary = os.environ.get("INFLUXD_BIN") or shutil.which("influxd")
    if not binary:
        raise InfluxdMissing("influxd not found: install the Debian package `influxdb`")
    return binary


@dataclass
class Influxd:
    data_dir: Path
    port: int
    process: subprocess.Popen[bytes] | None = None
    auth: bool = False  # [http] auth-enabled: the first user made must be an admin

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = PATIENCE) -> Influxd:
        self.data_dir = self.data_dir.absolute()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        config = self.data_dir / "influxdb.conf"
        # A restart keeps its port (its URL is in use); a first start may take another.
        attempts = 1 if config.exists() else 3
        while True:
            attempts -= 1
            config.write_text(CONFIG.format(dir=self.data_dir, port=self.port,
                                            auth=str(self.auth).lower()))
            try:
                self.process = start_server([influxd_binary(), "run", "-config", str(config)],
                                            self.url, str(self.data_dir / "influxd.log"),
                                            timeout=timeout)
                return self
            except PortTaken:
                if not attempts:
                    raise
                self.port = free_port()

    def create_admin(self, username: str, password: str, timeout: float = 60.0) -> None:
        """Make `username` an admin (on an auth-enabled server, the first user must be one) and
        check that the server has it; an AssertionError naming every answer otherwise.

        1.x answers a failed statement 200 with the error in the body, so the body is read and
        the statement retried until `timeout`; then SHOW USERS, signed in as the new user, must
        list it as an admin (a 200 alone once let a server without one through, refusing
        later requests 403 "create admin user first")."""
        statement = (f'CREATE USER "{username}" WITH PASSWORD '
                     f"'{password}' WITH ALL PRIVILEGES")
        answers: list[tuple[int, str]] = []
        deadline = time.monotonic() + timeout
        while True:
            answers.append(self.query(statement))
            if answers[-1][0] == 200 and not _errors(answers[-1][1]):
                break
            assert time.monotonic() < deadline, f"{self.url}: {statement}: {answers}"
            time.sleep(0.2)
        status, body = self.query("SHOW USERS", username, password)
        results = json.loads(body).get("results") or [{}]
        listed = results[0].get("series", [{}])[0].get("values", [])
        assert status == 200 and [username, True] in listed, (
            f"{self.url}: {username} missing after {answers}: {status} {body}")

    def query(self, statement: str, username: str | None = None,
               password: str | None = None) -> tuple[int, str]:
        """POST /query; the status and body, whatever the status."""
        url = f"{self.url}/query"
        if username is not None and password is not None:  # 1.x: u/p in the URL only
            url += "?" + urllib.parse.urlencode({"u": username, "p": password})
        data = urllib.parse.urlencode({"q": statement}).encode()
        try:
            with urllib.request.urlopen(url, data=data, timeout=60) as answer:
                return answer.status, answer.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def stop(self) -> None:
        if self.process is not None:
            stop_server(self.process, 10)
            self.process = None


def _errors(body: str) -> list[str]:
    """The request's and its statements' errors in a 1.x /query JSON body."""
    answer = json.loads(body)
    found = [answer["error"]] if "error" in answer else []
    return found + [r["error"] for r in answer.get("results", []) if "error" in r]


def influxd(data_dir: Path, *, auth: bool = False) -> Influxd:
    return Influxd(data_dir, free_port(), auth=auth)
