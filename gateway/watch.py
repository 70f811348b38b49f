"""A query the gateway stops waiting for is stopped, wherever it runs.

Its caller may leave (the client disconnected) or `query.timeout_seconds` may pass. A read on
the native store is then interrupted in DuckDB and in its Python work (backends/native/
reads.py); a query sent to an upstream is cancelled, which makes aiohttp close the upstream
connection rather than return it to the pool, and the upstream (1.x interrupts a query whose
client closed its connection) stops working on it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import TypeVar

from gateway.errors import Category, GatewayError, QueryTimedOut

T = TypeVar("T")

GONE = "query cancelled: the client disconnected"
_GONE_POLL = 0.25  # seconds between looks at whether the caller has gone


async def watched(call: Awaitable[T], gone: Callable[[], bool] | None,
                  timeout: float | None,
                  stop: Callable[[str], None] | None = None, *,
                  since: float | None = None) -> T:
    """`call`'s result, unless its caller leaves first (`gone()` turns true) or `timeout`
    seconds pass: the call is then cancelled and a 503-category error raised. `stop(reason)`,
    when given, is told first (and when our own caller is cancelled), for work the
    cancellation alone does not reach. `since` (the loop's clock, `started()`) is when the
    timeout began, when that was before this call: one deadline for a request's every
    attempt (failover targets, statements sent one by one)."""
    task = asyncio.ensure_future(call)
    loop = asyncio.get_running_loop()
    limit = None if timeout is None else (loop.time() if since is None else since) + timeout
    try:
        while not task.done():
            left = None if limit is None else limit - loop.time()
            if left is not None and left <= 0:
                error: GatewayError = QueryTimedOut(timeout or 0)
                await _cancel(task, stop, error.message)
                raise error
            wait = left if gone is None else min(_GONE_POLL, left or _GONE_POLL)
            await asyncio.wait({task}, timeout=wait)
            if gone is not None and not task.done() and gone():
                await _cancel(task, stop, GONE)
                raise GatewayError(Category.UNAVAILABLE, GONE)
    except asyncio.CancelledError:  # our own caller is cancelled (shutdown)
        await _cancel(task, stop, "query cancelled")
        raise
    return task.result()


def started() -> float:
    """Now, on the clock `watched()`'s `since` reads."""
    return asyncio.get_running_loop().time()


async def _cancel(task: asyncio.Future[T], stop: Callable[[str], None] | None,
                  reason: str) -> None:
    if stop is not None:
        stop(reason)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await task
