"""The access log writes 1.x's line for each request, with the `p=` password redacted."""

from __future__ import annotations

import logging
import re

import aiohttp
import pytest
from aiohttp import web

from gateway.api.access_log import AccessLog
from gateway.app import create_app, server_kwargs
from gateway.config import Config, ServerConfig
from tests.support.ports import free_port

LINE = re.compile(r'(\S+) - (\S+) \[(\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d \+0000)\] "([^"]*)" (\d+) '
                  r'(\d+) "([^"]*)" "([^"]*)" (\S+) (\d+)')


async def test_lines_as_influxdb_writes_them(tmp_path, caplog: pytest.LogCaptureFixture
                                             ) -> None:
    app = create_app(Config(server=ServerConfig(data_dir=str(tmp_path))))
    runner = web.AppRunner(app, access_log=logging.getLogger("gateway.access"),
                           access_log_class=AccessLog, **server_kwargs())
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        caplog.set_level(logging.INFO, logger="gateway.access")
        async with aiohttp.ClientSession(f"http://127.0.0.1:{port}") as session:
            async with session.get("/query", params={"u": "bob", "p": "s3cret",
                                                     "q": "SHOW DATABASES"}) as response:
                request_id = response.headers["Request-Id"]
                size = int(response.headers["Content-Length"])  # as sent (gzipped)
            async with session.get("/ping", headers={
                    "Authorization": aiohttp.encode_basic_auth("ann", "pw"),
                    "User-Agent": "t/1", "Referer": "r"}):
                pass
            async with session.post("/write?db=x&q=a%20b", data=b"m v=1 1"):
                pass
    finally:
        await runner.cleanup()
    lines = [r.getMessage() for r in caplog.records if r.name == "gateway.access"]
    assert not any("s3cret" in line for line in lines)
    first, ping, write = (LINE.fullmatch(line) for line in lines)
    assert first and ping and write, lines
    assert first.group(2, 4, 5, 6, 9) == (
        "bob", "GET /query?u=bob&p=%5BREDACTED%5D&q=SHOW+DATABASES HTTP/1.1", "200",
        str(size), request_id)
    assert first.group(1) == "127.0.0.1"
    assert ping.group(2, 4, 5, 6, 7, 8) == ("ann", "GET /ping HTTP/1.1", "204", "0", "r", "t/1")
    # a query without a password is logged as it was sent
    assert write.group(2, 4) == ("-", "POST /write?db=x&q=a%20b HTTP/1.1")
