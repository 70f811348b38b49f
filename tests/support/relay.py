"""A TCP relay between the gateway and an upstream that shows a test what reached the upstream,
so the test can wait for bytes to have left the gateway instead of guessing how soon they do."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable


class Relay:
    """Forwards every connection to `target_port` on loopback; `sent` holds the bytes the
    upstream was sent since the last `clear()`, all connections together."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.sent = bytearray()
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.sockets[0].getsockname()[1]}"

    async def __aenter__(self) -> Relay:
        self._server = await asyncio.start_server(self._connect, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()

    def clear(self) -> None:
        self.sent.clear()

    async def until(self, condition: Callable[[bytes], bool], within: float = 60.0) -> None:
        """Wait until what the upstream was sent meets `condition`."""
        deadline = time.monotonic() + within
        while not condition(bytes(self.sent)):
            assert time.monotonic() < deadline, f"the upstream was sent only {self.sent!r}"
            await asyncio.sleep(0.005)

    async def _connect(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        tasks = [asyncio.ensure_future(self._pipe(reader, up_writer, record=True)),
                 asyncio.ensure_future(self._pipe(up_reader, writer, record=False))]
        self._tasks.update(tasks)
        await asyncio.gather(*tasks, return_exceptions=True)
        self._tasks.difference_update(tasks)

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *,
                    record: bool) -> None:
        try:
            while data := await reader.read(65536):
                if record:
                    self.sent += data
                writer.write(data)
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            with contextlib.suppress(ConnectionError, RuntimeError):
                writer.close()


def body_began(sent: bytes) -> bool:
    """Whether a request's body has begun: a byte after the end of its headers."""
    end = sent.find(b"\r\n\r\n")
    return end >= 0 and len(sent) > end + 4
