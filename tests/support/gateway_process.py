"""Run `python -m gateway serve` in a subprocess on a free loopback port."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from .ports import PATIENCE, PortTaken, free_port, start_server, stop_server


@dataclass
class GatewayProcess:
    data_dir: Path
    port: int
    env: dict[str, str]
    process: subprocess.Popen[bytes] | None = None
    config: Path | None = None  # a TOML file passed as --config
    started: bool = False  # once started, a restart keeps its port (its URL is in use)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = PATIENCE) -> GatewayProcess:
        config = ["--config", str(self.config)] if self.config else []
        attempts = 1 if self.started else 3
        while True:
            attempts -= 1
            try:
                self.process = start_server(
                    [sys.executable, "-m", "gateway", "serve", "--bind",
                     f"127.0.0.1:{self.port}", "--data-dir", str(self.data_dir),
                     "--log-level", "WARNING", *config],
                    self.url, str(self.data_dir.parent / f"gateway-{self.port}.log"),
                    env=self.env, timeout=timeout,
                )
                self.started = True
                return self
            except PortTaken:
                if not attempts:
                    raise
                self.port = free_port()

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs."""
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()
            self.process = None

    def stop(self, timeout: float = PATIENCE) -> int | None:
        if self.process is None:
            return None
        code = stop_server(self.process, timeout)
        self.process = None
        return code


def gateway_process(data_dir: Path, config: Path | None = None, **env: str) -> GatewayProcess:
    environment = {**os.environ, **env}
    return GatewayProcess(data_dir, free_port(), environment, config=config)
