"""A private InfluxDB 1.6.7 (Debian package `influxdb`) on loopback, for oracles and benchmarks.

Follows notes/real-servers-and-clients.md §1.2: its own config and data directory, HTTP on
127.0.0.1 only, the RPC port moved to a random one, no _internal database.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .ports import PortTaken, free_port, start_server, stop_server

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

    def start(self, timeout: float = 30.0) -> Influxd:
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

    def stop(self) -> None:
        if self.process is not None:
            stop_server(self.process, 10)
            self.process = None


def influxd(data_dir: Path, *, auth: bool = False) -> Influxd:
    return Influxd(data_dir, free_port(), auth=auth)
