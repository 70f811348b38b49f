"""A process for the crash test to SIGKILL: appends numbered entries from several tasks and
delivers them from another, printing "appended N" once an append has returned and "acked N"
once an ack has, until it is killed. Every fourth entry is padded to a random size up to
PAD_BYTES: a large write is one that a kill can cut in the middle.

    python -m tests.backends.replay_crash_child DIRECTORY SEGMENT_BYTES PAD_BYTES
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import random
import sys
from pathlib import Path

from tests.backends.replay_support import entry, number, open_queue

WRITERS = 4


async def main(directory: Path, segment_bytes: int, pad_bytes: int) -> None:
    queue = open_queue(directory, segment_bytes=segment_bytes)
    numbers = itertools.count()

    async def write() -> None:
        while True:
            # Numbered when append is called, so the queue's order is the numbers' order.
            n = next(numbers)
            item = entry(n)
            if pad_bytes and n % 4 == 0:
                item = dataclasses.replace(
                    item, body=item.body + b"#" * random.randrange(pad_bytes))
            await queue.append(item)
            print("appended", n, flush=True)

    async def consume() -> None:
        while True:
            item = queue.peek()
            if item is None:
                await queue.wait_for_entries()
                continue
            await queue.ack()
            print("acked", number(item), flush=True)

    await asyncio.gather(consume(), *(write() for _ in range(WRITERS)))


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])))
