"""Command line: `influx-gateway serve [--config FILE] [--bind HOST:PORT] [--data-dir DIR]`."""

from __future__ import annotations

import argparse
import errno
import logging
import os
import sys

from aiohttp import web

from gateway import __version__, malloc
from gateway.api.access_log import AccessLog
from gateway.config import ConfigError, load_config


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="influx-gateway",
                                     description="InfluxDB v1/v2/v3 gateway")
    parser.add_argument("--version", action="version", version=f"influx-gateway {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the gateway")
    serve.add_argument("--config", default=os.environ.get("INFLUX_GATEWAY_CONFIG"),
                       help="TOML config file (env INFLUX_GATEWAY_CONFIG)")
    serve.add_argument("--bind", help="HOST:PORT to listen on (env INFLUX_GATEWAY_SERVER_BIND; "
                                      "default 127.0.0.1:8086)")
    serve.add_argument("--data-dir", help="data directory (env INFLUX_GATEWAY_SERVER_DATA_DIR; "
                                          "default ./data)")
    serve.add_argument("--log-level", default=os.environ.get("INFLUX_GATEWAY_LOG_LEVEL", "INFO"))
    return parser


def main(argv: list[str] | None = None) -> int:
    # Before anything imports duckdb (the app does): its allocator reads this once, at load.
    malloc.keep_duckdb_pages()
    from gateway.app import create_app, server_kwargs

    args = build_parser().parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        config = load_config(args.config, overrides={
            "server": {"bind": args.bind, "data_dir": args.data_dir},
        })
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    malloc.keep_large_buffers()
    host, port = config.host_port
    app = create_app(config, freeze_heap=True)
    banner = (f"influx-gateway {__version__} listening on http://{config.server.bind} "
              f"data-dir={os.path.abspath(config.server.data_dir)}")
    access_log = logging.getLogger("gateway.access") if config.server.access_log else None
    try:
        # run_app calls `print` once its sockets are bound: only then is the gateway listening
        web.run_app(app, host=host, port=port, print=lambda _: print(banner, flush=True),
                    access_log=access_log, access_log_class=AccessLog,
                    shutdown_timeout=config.server.shutdown_timeout, **server_kwargs())
    except OSError as exc:
        if exc.errno not in (errno.EADDRINUSE, errno.EADDRNOTAVAIL):
            raise
        print(f"influx-gateway: cannot listen on http://{config.server.bind}: "
              f"{os.strerror(exc.errno).lower()}", file=sys.stderr, flush=True)
        return 1
    return 0
