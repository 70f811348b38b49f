"""Request bodies still arriving: read whole or passed on chunk by chunk, under a size limit."""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator

from gateway.compression import too_large


class BodyStream:
    """A caller's body as it arrives, counted against `limit` bytes on the wire.

    Read it whole (`read`) or pass it on (`async for`, e.g. as an HTTP client's request body);
    either way a body past the limit raises 413. `failure` keeps whatever stopped the reading
    (the limit, or the caller going away), because a reader that is itself an HTTP client
    reports it only as a broken connection of its own: the code that handed the stream over
    raises `failure` instead.
    """

    def __init__(self, chunks: AsyncIterable[bytes], limit: int,
                 length: int | None = None) -> None:
        self._chunks = chunks
        self._limit = limit
        self.length = length  # the caller's Content-Length, when it sent one
        self._started = False
        self.size = 0
        self.failure: Exception | None = None

    async def __aiter__(self) -> AsyncIterator[bytes]:
        if self._started:  # the caller's bytes can be read only once
            raise RuntimeError("a request body can be read only once")
        self._started = True
        try:
            async for chunk in self._chunks:
                self.size += len(chunk)
                if self.size > self._limit:
                    raise too_large(self._limit)
                yield chunk
        # Not cancellation or GeneratorExit: a reader that stops early (an upstream that
        # answered before reading everything) is no failure of the caller's body.
        except Exception as exc:
            self.failure = exc
            raise

    async def read(self) -> bytes:
        """The whole body (413 once it passes the limit)."""
        return b"".join([chunk async for chunk in self])
