"""How long the event loop's thread was kept busy in one turn of the loop while some work ran."""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Awaitable


async def busiest_turn(work: Awaitable[object]) -> tuple[object, float]:
    """`work`'s result, and the most CPU time the event loop's thread spent in one turn of the
    loop while it ran (CPU time, so a machine busy with other processes does not count).

    The objects that exist when `work` starts are kept out of the garbage collector's reach
    meanwhile: most are the test process's own (every earlier test's), and a full collection
    of them (a tenth of a second or more per million objects here) would count as a turn of
    the gateway's loop.
    """
    turns: list[float] = []
    done = asyncio.Event()

    async def probe() -> None:
        last = time.thread_time()
        while not done.is_set():
            await asyncio.sleep(0)  # back at once: every turn of the loop is measured
            now = time.thread_time()
            turns.append(now - last)
            last = now

    gc.collect()
    gc.freeze()
    task = asyncio.ensure_future(probe())
    try:
        result = await work
    finally:
        done.set()
        await task
        gc.unfreeze()
    return result, max(turns)
