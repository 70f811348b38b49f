"""Servers that fail below HTTP: one that breaks the protocol on purpose, and a port that
never accepts a connection."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Self

from .base import BackgroundLoop, loopback_socket


class FaultServer(BackgroundLoop):
    """A TCP server that breaks HTTP in one way (`mode`):

    garbage      answers bytes that are not HTTP
    close_body   sends headers and half the promised body, then closes
    stall_body   sends headers and half the body, then never sends more
    silent       accepts, reads the request and never answers
    hang_up      closes every connection as soon as it is accepted
    """

    MODES = ("garbage", "close_body", "stall_body", "silent", "hang_up")

    def __init__(self, mode: str) -> None:
        if mode not in self.MODES:
            raise ValueError(f"unknown fault mode {mode!r}")
        self.mode = mode
        self.port = 0
        self.connections = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._stopping = asyncio.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> Self:
        self._stopping = asyncio.Event()
        sock = loopback_socket()
        self.port = sock.getsockname()[1]
        self._server = await asyncio.start_server(self._serve, sock=sock)
        return self

    async def stop(self) -> None:
        self._stopping.set()
        for writer in list(self._writers):
            writer.close()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self._writers.add(writer)
        try:
            if self.mode != "hang_up":
                await reader.readuntil(b"\r\n\r\n")
                await self._misbehave(writer)
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            self._writers.discard(writer)
            writer.close()

    async def _misbehave(self, writer: asyncio.StreamWriter) -> None:
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n"
        if self.mode == "garbage":
            writer.write(b"\x16\x03\x01 this is not HTTP at all\r\n\r\n")
        elif self.mode in ("close_body", "stall_body"):
            writer.write(head + b'{"results":[{"statement_id":0,')
        await writer.drain()
        if self.mode in ("silent", "stall_body"):
            await self._stopping.wait()


@contextmanager
def unaccepting_port() -> Iterator[int]:
    """A loopback port whose listen queue is full: a connect there hangs until it times out."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    for _ in range(3):  # more than a backlog of 0 holds; the rest of the SYNs are dropped
        filler = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        filler.setblocking(False)
        filler.connect_ex(("127.0.0.1", port))
        fillers.append(filler)
    try:
        yield port
    finally:
        for sock in (*fillers, listener):
            sock.close()
